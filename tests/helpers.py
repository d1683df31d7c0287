"""Small settings that keep model tests fast while running the real code paths."""
TINY = {"embedding_dim": 16, "hidden_size": 16, "epochs": 3, "batch_size": 16, "lr": 0.01, "patience": 10,
        "dropout": 0.1, "min_freq": 1}


def save_tiny_wordpiece(folder, texts):
    """A BERT-style WordPiece tokenizer trained with `tokenizers` and saved with save_pretrained:
    the folder a hub id resolves to."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    backend.normalizer = normalizers.NFC()
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.train_from_iterator(texts, trainers.WordPieceTrainer(
        vocab_size=400, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]"], show_progress=False))
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", backend.token_to_id("[CLS]")),
                                                 ("[SEP]", backend.token_to_id("[SEP]"))])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]",
                                        cls_token="[CLS]", sep_token="[SEP]")
    assert len(tokenizer) > 100  # the PITFALLS one-token-vocabulary trap would fail here
    tokenizer.save_pretrained(folder)


def save_tiny_bert(folder, texts):
    """A tiny pre-trained-style BERT folder (BertForMaskedLM weights, config and WordPiece tokenizer,
    all through save_pretrained): what a hub id such as aubmindlab/bert-base-arabertv02 resolves to,
    small enough to fine-tune in seconds."""
    import torch
    from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

    save_tiny_wordpiece(folder, texts)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(folder)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128, pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(0)
    BertForMaskedLM(config).save_pretrained(folder)
    return folder


def device_node(path, minor: int):
    """A character device like /dev/null (minor 3) or /dev/full (minor 7), made in a test folder so that a
    bug never replaces the machine's own; needs root and a file system that allows device nodes."""
    import os
    import stat

    import pytest

    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        with open(path, "wb"):
            pass
    except (PermissionError, OSError) as error:
        pytest.skip(f"cannot make a device node here ({error}); needs root on a file system without nodev")
    return path


def toy_classifier_plugin(name: str, fit: str, description: str = "toy") -> str:
    """The source of a plugin whose one classifier has every method of the contract (a component
    missing one is refused when it is built); ``fit`` is the body of its ``fit``, where tests put
    the behaviour they are about."""
    return f'''
from nlpzoo import Component, hookimpl


class Toy:
    def fit(self, train, validation, settings):
        {fit}

    def predict_proba(self, texts):
        return [[0.5, 0.5] for _ in texts]

    def save(self, directory):
        pass

    def load(self, directory, device="cpu"):
        pass


@hookimpl
def register_classifiers(register):
    register(Component(name="{name}", description="{description}", factory=Toy))
'''


class ScriptedCores:
    """CpuSnapshot.take for a 2-core machine where this process uses one core and other processes use
    ``others[i]`` cores during the i-th 10 s after the first snapshot."""

    def __init__(self, others: list[float]):
        self.others, self.calls = others, 0
        self.busy = self.total = 0

    def __call__(self, cpus):
        from nlpzoo.foundations.threads import CpuSnapshot

        if self.calls:
            other = self.others[min(self.calls - 1, len(self.others) - 1)]
            self.total += 2000                       # 2 cores x 10 s x 100 ticks
            self.busy += round(1000 * (1 + other))   # ours: one core; theirs: ``other``
        snapshot = CpuSnapshot(frozenset({0, 1}), (self.busy, self.total), 10.0 * self.calls,
                                       10.0 * self.calls)
        self.calls += 1
        return snapshot
