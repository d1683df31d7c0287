"""Causal language-model training and generation for the `causal-lm` generator plugin (Hugging
Face transformers, peft for LoRA).

Any architecture that ``AutoModelForCausalLM`` loads (GPT-2, Llama, Qwen, Mistral, ...). Training
follows transformers' run_clm: each text a document of its own (the model's beginning-of-text
token first where the architecture uses one, its end-of-text token last; never a chat turn marker),
concatenated and cut into fixed blocks (no padding); the blocks are trained by the core's one loop
(``nlpzoo.neural.train_module`` with a ``LanguageModelObjective``: AdamW with warmup and linear
decay, accumulation, precision, checkpoints, DDP), with evaluation loss and perplexity each epoch. With ``lora_r > 0`` only peft's LoRA adapters are trained and saved.
The run directory is a plain Hugging Face folder (``save_pretrained`` for model or adapters, and
tokenizer) plus the zoo's own ``zoo_run.json``, so ``AutoModelForCausalLM.from_pretrained`` (or
``peft.AutoPeftModelForCausalLM.from_pretrained`` for adapters) loads it directly.
"""
from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import torch

from nlpzoo import RunDirError, ZooError, check_sampling, resolve_device
from nlpzoo.neural import LanguageModelObjective, LoopConfig, autocast, distributed, safe_from_pretrained, train_module


EOS = "<|endoftext|>"
REPLACEMENT = "\ufffd"
# Where architectures keep their context length (GPT-2: n_positions; Llama, Qwen, Mistral, BERT:
# max_position_embeddings; some older ones n_ctx or max_sequence_length).
CONTEXT_ATTRIBUTES = ("n_positions", "max_position_embeddings", "n_ctx", "max_sequence_length", "seq_length")
# An instruct model's end-of-sequence token is often the end of a chat turn; documents are separated
# by the plain end-of-text token instead, when the vocabulary has one.
CHAT_TURN_MARKERS = ("im_end", "eot_id", "end_of_turn", "<|end|>", "<|eot|>", "[/inst]")
EVALUATION_BATCH_TOKENS = 2048   # tokens per forward pass when scoring texts (padding included)
DOCUMENT_ENDS = ("<|endoftext|>", "</s>", "<|end_of_text|>", "<eos>", "<|eos|>", "<|end_of_document|>")

from transformers.utils import logging as _hf_logging  # noqa: E402


_hf_logging.set_verbosity_error()      # the zoo shows its own progress; no "Loading weights" bars
_hf_logging.disable_progress_bar()


# -- tokenizer and model ----------------------------------------------------------------------------
def train_tokenizer(texts: list[str], vocab_size: int):
    """A byte-level BPE trained on the texts, wrapped the way that keeps its vocabulary
    (PreTrainedTokenizerFast(tokenizer_object=...); see PITFALLS: vocab_file/merges_file built a
    one-token vocabulary with transformers 5)."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import PreTrainedTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(texts, vocab_size=vocab_size, min_frequency=2, special_tokens=[EOS], show_progress=False)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe._tokenizer, bos_token=EOS, eos_token=EOS,
                                        unk_token=EOS, pad_token=EOS)
    if len(tokenizer) < min(vocab_size, 257):
        raise ZooError(f"The trained tokenizer has only {len(tokenizer)} tokens; the training texts are too few.")
    return tokenizer


PICKLE_ONLY = ("{where} holds no safetensors weights, only a pickle file; the zoo never unpickles. Convert it once"
               " where you trust it: AutoModelForCausalLM.from_pretrained(PATH).save_pretrained(NEW_PATH)"
               " (safetensors is the default).")


def architecture(model) -> str:
    """The class name a user would recognise: LlamaForCausalLM, GPT2LMHeadModel, ..."""
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model  # under peft's wrapper
    return type(inner).__name__


def context_length_of(config) -> int:
    """The longest sequence the architecture's positions cover, whichever attribute it keeps it in."""
    for name in CONTEXT_ATTRIBUTES:
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 1:
            return value
    raise ZooError(f"The {type(config).__name__} declares no context length (none of {', '.join(CONTEXT_ATTRIBUTES)});"
                   " the generator cannot tell how long a training block may be.")


def document_tokens(tokenizer) -> tuple[int | None, int]:
    """(start, end): the token ids around every document. ``end`` is the end-of-text token, or, when
    the tokenizer's end-of-sequence token is a chat turn marker (``<|im_end|>``), the plain
    end-of-text token of its vocabulary; ``start`` is the beginning-of-text token when the
    architecture puts one before every text (Llama), else None (GPT-2 starts after the end token)."""
    vocab = tokenizer.get_vocab()
    end = tokenizer.eos_token
    if end is None or any(marker in end.lower() for marker in CHAT_TURN_MARKERS):
        end = next((token for token in DOCUMENT_ENDS if token in vocab), end)
    if end is None or end not in vocab:
        raise ZooError("The model's tokenizer has no end-of-text token, so texts cannot be told apart in training."
                       " Set one in its tokenizer_config.json (eos_token) and try again.")
    start = None
    bos = tokenizer.bos_token
    if bos is not None and bos != end and bos in vocab and not any(m in bos.lower() for m in CHAT_TURN_MARKERS):
        plain = tokenizer("a", add_special_tokens=False)["input_ids"]
        special = tokenizer("a")["input_ids"]
        if special[:1] == [vocab[bos]] and special[1:1 + len(plain)] == plain:  # the tokenizer adds it: expected
            start = vocab[bos]
    return start, vocab[end]


def check_causal_architecture(where: str, config) -> None:
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    if config.model_type not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
        arch = (getattr(config, "architectures", None) or [config.model_type])[0]
        raise ZooError(f"{where} is a {arch} ({config.model_type}), which has no causal language-model head:"
                       " AutoModelForCausalLM cannot load it. A generator needs a decoder model such as GPT-2,"
                       " Llama, Qwen, Mistral or SmolLM.")


def load_base(base: str, block_size: int, params: dict, texts: list[str]):
    """(model, tokenizer) from a hub id or local folder through from_pretrained, or built from scratch."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel

    if base == "scratch":
        tokenizer = train_tokenizer(texts, params["vocab_size"])
        # positions beyond the training block, so generation can run longer than one block
        config = GPT2Config(vocab_size=len(tokenizer), n_positions=max(2 * block_size, 256), n_embd=params["n_embd"],
                            n_layer=params["n_layer"], n_head=params["n_head"],
                            bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
        return GPT2LMHeadModel(config), tokenizer
    local = Path(os.path.expanduser(base))
    source = str(local.resolve()) if local.exists() else base  # absolute: LoRA adapters record where their base is
    where = f"the folder '{base}'" if local.exists() else f"the Hugging Face hub id '{base}'"
    try:
        config = safe_from_pretrained(AutoConfig, source)
    except (OSError, ValueError) as error:
        raise ZooError(f"Cannot load {where} ({str(error).splitlines()[0][:160]}). Without network access a hub"
                       " model cannot be fetched: use --model scratch to train a small GPT-2 from scratch, or"
                       " --model PATH to a folder written by save_pretrained.") from None
    check_causal_architecture(where, config)
    if local.is_dir() and any(local.glob("*.bin")) and not any(local.glob("*.safetensors")):
        raise ZooError(PICKLE_ONLY.format(where=local))
    try:
        tokenizer = safe_from_pretrained(AutoTokenizer, source)
        model = safe_from_pretrained(AutoModelForCausalLM, source, use_safetensors=True)
    except (OSError, ValueError) as error:
        raise ZooError(f"Cannot load the weights of {where} ({str(error).splitlines()[0][:160]}); the zoo loads"
                       " safetensors only.") from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.convert_ids_to_tokens(document_tokens(tokenizer)[1])
    return model, tokenizer


def add_lora(model, params: dict):
    """The model wrapped by peft with LoRA adapters; only the adapters are trainable."""
    from peft import LoraConfig, get_peft_model

    targets = None if params["lora_targets"] == "auto" else [t.strip() for t in params["lora_targets"].split(",") if t.strip()]
    config = LoraConfig(r=params["lora_r"], lora_alpha=params["lora_alpha"], lora_dropout=params["lora_dropout"],
                        target_modules=targets, task_type="CAUSAL_LM",
                        fan_in_fan_out=model.config.model_type == "gpt2")  # GPT-2 keeps its weights transposed (Conv1D)
    try:
        with warnings.catch_warnings():  # peft asks transformers a deprecated question; not the user's concern
            warnings.simplefilter("ignore", FutureWarning)
            return get_peft_model(model, config)
    except ValueError as error:
        names = sorted({name.rsplit(".", 1)[-1] for name, module in model.named_modules()
                        if isinstance(module, torch.nn.Linear) or type(module).__name__ == "Conv1D"})
        raise ZooError(f"LoRA cannot be added to this {architecture(model)}: {str(error).splitlines()[0][:160]}."
                       f" Name its layers with --param lora_targets=NAME,NAME (its linear layers: {', '.join(names)})."
                       ) from None


def activation_checkpointing(model, on: bool) -> None:
    """Recompute activations in the backward pass (transformers 5 names it activation checkpointing;
    4.x gradient checkpointing). Non-reentrant: works with frozen inputs, as under LoRA."""
    if hasattr(model, "activation_checkpointing_enable"):
        if on:
            model.activation_checkpointing_enable({"use_reentrant": False})
        else:
            model.activation_checkpointing_disable()
    elif on:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    else:
        model.gradient_checkpointing_disable()


def pack_blocks(tokenizer, texts: list[str], block_size: int) -> torch.Tensor:
    """run_clm's group_texts: every text a document ([start] text end), concatenated, cut into full blocks."""
    start, end = document_tokens(tokenizer)
    ids: list[int] = []
    for encoded in tokenizer(texts, add_special_tokens=False)["input_ids"]:
        if start is not None:
            ids.append(start)
        ids.extend(encoded)
        ids.append(end)
    usable = (len(ids) // block_size) * block_size
    if usable == 0:
        raise ZooError(f"The texts give {len(ids)} tokens, fewer than one block of {block_size}; "
                       "lower --param block_size or add text.")
    return torch.tensor(ids[:usable], dtype=torch.long).view(-1, block_size)


# -- the generator ------------------------------------------------------------------------------------
class CausalLMGenerator:
    def __init__(self, **params):
        self.params = params
        self.model = None
        self.tokenizer = None
        self.device = "cpu"
        self.block_size = params["block_size"]

    @property
    def lora(self) -> bool:
        return self.params["lora_r"] > 0

    def describe(self) -> str:
        """One line naming the architecture, its size, what is trained and the context."""
        total = sum(q.numel() for q in self.model.parameters())
        trained = sum(q.numel() for q in self.model.parameters() if q.requires_grad)
        how = (f"LoRA r={self.params['lora_r']} ({trained / 1e6:.2f}M trainable, {100 * trained / total:.2f}%)"
               if self.lora else "every weight trained")
        origin = "from scratch" if self.params["model"] == "scratch" else f"from {self.params['model']}"
        return (f"{architecture(self.model)}, {total / 1e6:.1f}M parameters, {origin}: {how};"
                f" context {self.context_length()} tokens, blocks of {self.block_size}"
                + (" (the context length)." if self.block_size < self.params["block_size"] else "."))

    def train(self, train_texts: list[str], validation_texts: list[str], settings) -> dict:
        """Packed blocks through the core's one training loop (nlpzoo.neural.train_module), whose
        LanguageModelObjective lets the model compute its own next-token loss: AdamW (no weight decay
        on biases and norms), linear warmup and decay, gradient accumulation, clipping at 1.0,
        precision, Ctrl-C, checkpoints and DDP as every neural model of the zoo has them; the epoch
        with the lowest validation loss is kept."""
        p = self.params
        self.device = distributed.device_for(resolve_device(settings.device))
        torch.manual_seed(settings.seed)
        if self.lora and p["model"] == "scratch":
            raise ZooError("LoRA adapts a pre-trained model, and --param model=scratch has none: name one with"
                           " --model HUB_ID_OR_FOLDER, or leave --param lora_r at 0 to train every weight.")
        self.model, self.tokenizer = load_base(p["model"], p["block_size"], p, train_texts)
        self.block_size = min(p["block_size"], self.context_length())  # the context caps the blocks
        if p["gradient_checkpointing"]:
            activation_checkpointing(self.model, True)
        if self.lora:
            self.model = add_lora(self.model, p)
        self.model.to(self.device)
        settings.log(self.describe())
        if settings.on_start and p["model"] != "scratch":
            settings.on_start()  # the core scores the pre-trained model before the first step
        train_blocks = pack_blocks(self.tokenizer, train_texts, self.block_size).tolist()
        val_blocks = pack_blocks(self.tokenizer, validation_texts, self.block_size).tolist() if validation_texts else []
        weights = [q for q in self.model.parameters() if q.requires_grad]
        groups = [{"params": [q for q in weights if q.ndim >= 2], "weight_decay": p["weight_decay"]},
                  {"params": [q for q in weights if q.ndim < 2], "weight_decay": 0.0}]
        config = LoopConfig(epochs=p["epochs"], batch_size=p["batch_size"], lr=p["lr"], weight_decay=p["weight_decay"],
                            clip_norm=1.0, patience=p["epochs"], max_steps=p["max_steps"],
                            warmup_ratio=p["warmup_ratio"], schedule="linear", grad_accum=p["grad_accum"],
                            precision=p["precision"])
        history = train_module(self.model, train_blocks, [0.0] * len(train_blocks), val_blocks, [0.0] * len(val_blocks),
                               LanguageModelObjective(), config, settings, self.device, param_groups=groups)
        history["steps"] = history["global_step"]
        if "rank_rows" in history:   # the rows this generator trains on are blocks
            history["rank_blocks"] = history.pop("rank_rows")
        history["parameters"] = sum(q.numel() for q in self.model.parameters())
        history["trainable_parameters"] = sum(q.numel() for q in weights)
        if p["gradient_checkpointing"]:
            activation_checkpointing(self.model.get_base_model() if self.lora else self.model, False)
        return history

    # -- saving and loading --------------------------------------------------------------------------
    def save(self, run_dir: Path) -> None:
        """A Hugging Face folder: the whole model, or (LoRA) only the adapters with the path of their
        base, or (LoRA with merge_lora) the adapters merged into a plain model."""
        run_dir = Path(run_dir)
        staging = run_dir / ".saving"
        from nlpzoo import usual_permissions

        if self.lora and self.params["merge_lora"]:
            self.model = self.model.merge_and_unload()  # the same function, now without peft
        self.tokenizer.model_max_length = self.context_length()  # so truncation=True truncates to what fits
        self.model.generation_config.eos_token_id = document_tokens(self.tokenizer)[1]  # pipeline stops at a text's end
        self.model.save_pretrained(staging)  # safetensors by default; peft writes adapter_model.safetensors
        self.tokenizer.save_pretrained(staging)
        for item in staging.iterdir():  # each file moved in one rename: never half-written in run_dir
            usual_permissions(item)  # safetensors writes 0600; the user's umask decides, as for any file
            os.replace(item, run_dir / item.name)
        staging.rmdir()

    def load(self, run_dir: Path, device: str = "cpu") -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        run_dir = Path(run_dir)
        if any(run_dir.glob("*.bin")) and not any(run_dir.glob("*.safetensors")):
            raise RunDirError(PICKLE_ONLY.format(where=run_dir))
        adapters = run_dir / "adapter_config.json"
        try:
            self.tokenizer = safe_from_pretrained(AutoTokenizer, str(run_dir))
            if adapters.exists():
                from peft import AutoPeftModelForCausalLM

                with warnings.catch_warnings():  # peft asks transformers a deprecated question
                    warnings.simplefilter("ignore", FutureWarning)
                    self.model = safe_from_pretrained(AutoPeftModelForCausalLM, str(run_dir), use_safetensors=True)
            else:
                self.model = safe_from_pretrained(AutoModelForCausalLM, str(run_dir), use_safetensors=True)
        except ZooError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure to read these files means they are damaged
            first = (str(error).splitlines() or [''])[0][:160]
            if adapters.exists():
                base = json.loads(adapters.read_text("utf-8")).get("base_model_name_or_path")
                raise RunDirError(f"{run_dir} holds LoRA adapters for the base model '{base}', which cannot be loaded"
                                  f" here ({type(error).__name__}: {first}). Put the base model back at that path"
                                  " (or make the hub id reachable), or train with --param merge_lora=true for a"
                                  " folder that stands alone.") from None
            raise RunDirError(f"{run_dir}: the saved model cannot be loaded ({type(error).__name__}: {first})."
                              " Train it again with 'zoo run'.") from None
        self.device = resolve_device(device)
        self.model.to(self.device).eval()

    # -- what the core scores ---------------------------------------------------------------------
    @torch.no_grad()
    def log_likelihood(self, texts: list[str]) -> tuple[float, int]:
        """Each text as a document of its own (after the beginning-of-text token, or the end-of-text
        token where the architecture has none, ending with an end-of-text token): the summed
        log-probability of every token the model predicts, and how many tokens that is. Texts
        longer than a block are scored in windows; windows of similar length go through the
        model together, right-padded (what a causal model predicts never sees the padding)."""
        was_training = self.model.training
        self.model.eval()
        start, end = document_tokens(self.tokenizer)
        context = end if start is None else start
        limit = min(self.context_length(), self.block_size)
        windows = []
        for ids in self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]:
            sequence = [context, *ids, end]
            for first in range(0, len(sequence) - 1, limit - 1):  # each window's first token is context only
                window = sequence[first:first + limit]
                if len(window) >= 2:
                    windows.append(window)
        windows.sort(key=len)
        total, count, pad = 0.0, 0, self.tokenizer.pad_token_id or end
        batch_tokens = max(limit, EVALUATION_BATCH_TOKENS)
        while windows:
            size = max(1, batch_tokens // len(windows[min(len(windows), batch_tokens // limit) - 1]))
            batch, windows = windows[:size], windows[size:]
            width = max(len(w) for w in batch)
            input_ids = torch.tensor([w + [pad] * (width - len(w)) for w in batch], device=self.device)
            mask = torch.tensor([[1] * len(w) + [0] * (width - len(w)) for w in batch], device=self.device)
            with autocast(self.device, self.params["precision"]):
                logits = self.model(input_ids=input_ids, attention_mask=mask).logits[:, :-1].float()
            targets = input_ids[:, 1:]
            picked = logits.gather(2, targets.unsqueeze(2)).squeeze(2) - torch.logsumexp(logits, dim=2)
            predicted = mask[:, 1:].bool()
            total += float(picked[predicted].sum())
            count += int(predicted.sum())
        self.model.train(was_training)
        return total, count

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def context_length(self) -> int:
        return context_length_of(self.model.config)

    # -- generation ------------------------------------------------------------------------------------
    def generate(self, prompt: str, max_new_tokens: int = 50, temperature: float = 1.0, top_k: int = 50,
                 top_p: float = 1.0, repetition_penalty: float = 1.0, num_return_sequences: int = 1,
                 seed: int | None = None, do_sample: bool = True, on_text=None, min_new_tokens: int = 0) -> list[str]:
        """Continuations of ``prompt``, which starts a document as the training texts did. ``on_text``
        (one sequence only) receives the text as it grows, in pieces that always end on a whole
        character. ``min_new_tokens`` keeps the end-of-text token away until that many tokens are
        out (transformers' own option)."""
        check_sampling(max_new_tokens, temperature, top_k, top_p, repetition_penalty, num_return_sequences)
        if seed is not None:
            torch.manual_seed(seed)
        self.model.eval()  # no dropout while generating, also right after train()
        start, end = document_tokens(self.tokenizer)
        ids = self.tokenizer(prompt, add_special_tokens=False)["input_ids"] if prompt else []
        limit = self.context_length()
        ids = [end if start is None else start, *ids][-(limit - 1):]  # keep the prompt's end if too long
        input_ids = torch.tensor([ids], device=self.device)
        max_new_tokens = min(max_new_tokens, limit - input_ids.shape[1])
        streamer = WholeCharacterStreamer(self.tokenizer, input_ids.shape[1], on_text) \
            if on_text and num_return_sequences == 1 else None
        sampling = {"temperature": temperature, "top_k": top_k, "top_p": top_p} if do_sample else {}
        with torch.inference_mode():
            output = self.model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                                         max_new_tokens=max_new_tokens, do_sample=do_sample, eos_token_id=end,
                                         repetition_penalty=repetition_penalty, num_return_sequences=num_return_sequences,
                                         pad_token_id=self.tokenizer.pad_token_id or end,
                                         use_cache=True, streamer=streamer,
                                         min_new_tokens=min(min_new_tokens, max_new_tokens) or None, **sampling)
        return [self.tokenizer.decode(row[input_ids.shape[1]:], skip_special_tokens=True).replace(REPLACEMENT, "")
                for row in output]


class WholeCharacterStreamer:
    """A generate() streamer that decodes the whole continuation each time and hands on only the new
    text up to the last complete character: a byte-level token can end inside a multi-byte Arabic
    letter, which decodes to U+FFFD until the next token completes it. Byte sequences that never
    complete (an under-trained model can emit them) are dropped, here and in the returned text alike."""

    def __init__(self, tokenizer, prompt_length: int, on_text):
        self.tokenizer, self.prompt_length, self.on_text = tokenizer, prompt_length, on_text
        self.ids: list[int] = []
        self.sent = 0
        self.skipped_prompt = False

    def put(self, value):
        if not self.skipped_prompt:  # generate() first pushes the prompt
            self.skipped_prompt = True
            return
        self.ids.extend(value.reshape(-1).tolist())
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        complete = text.rstrip(REPLACEMENT).replace(REPLACEMENT, "")
        if len(complete) > self.sent:
            self.on_text(complete[self.sent:])
            self.sent = len(complete)

    def end(self):
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True).replace(REPLACEMENT, "")
        if len(text) > self.sent:
            self.on_text(text[self.sent:])
            self.sent = len(text)
