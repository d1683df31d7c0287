"""The encoder classifier against Hugging Face's own tools, same model, data and batch size.

(a) training texts/s: the zoo's loop (length-bucketed batches padded to their longest text) against
    transformers.Trainer (with its default padding collator, which pads each batch to its longest
    text too, in random order). Target: at least 1.0x.
(b) inference texts/s: the zoo's predict_proba (texts sorted by length, batched) against
    pipeline("text-classification") with the same batch size. Target: at least 1.5x.

Speed does not depend on pre-trained weights, so when no --model folder is given the script builds
a BERT of the chosen size with random weights and a WordPiece vocabulary trained on the texts
(BERT-base: 110M parameters, as AraBERT v02). Meant for a CUDA machine; --device cpu --size tiny
checks that it runs.

Usage: python benchmarks/encoder.py [--model FOLDER | --size base|tiny] [--device cuda] [--texts 4000]
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import torch

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "restaurant_reviews_qaym.csv"
SIZES = {"base": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072},
         "tiny": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 128}}


def random_bert(folder: Path, texts: list[str], size: str) -> Path:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

    backend = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    backend.normalizer = normalizers.NFC()
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.train_from_iterator(texts, trainers.WordPieceTrainer(
        vocab_size=30000 if size == "base" else 2000, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
        show_progress=False))
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", backend.token_to_id("[CLS]")),
                                                 ("[SEP]", backend.token_to_id("[SEP]"))])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]",
                                        cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    tokenizer.save_pretrained(folder)
    config = BertConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, **SIZES[size])
    BertForMaskedLM(config).save_pretrained(folder)
    return folder


def zoo_training(model: str, texts, labels, n_classes, args) -> float:
    from nlpzoo.machinery.discovery import get_zoo
    from nlpzoo.kinds import FitSettings
    from nlpzoo.kinds.classifier import LabeledTexts

    classifier = get_zoo().create("classifier", "encoder", model=model, epochs=1, batch_size=args.batch,
                                  max_length=args.max_length, max_steps=args.steps)
    train = LabeledTexts(texts, labels, n_classes, [str(i) for i in range(n_classes)])
    empty = LabeledTexts([], [], n_classes)
    history = classifier.fit(train, empty, FitSettings(seed=13, device=args.device, progress=False,
                                                       log=lambda m: None))
    # the loop's own clock (loading the model and tokenising are outside it, as for Trainer.train)
    return history["global_step"] * args.batch / history["train_seconds"], classifier


def trainer_training(model: str, texts, labels, n_classes, args) -> float:
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                              TrainingArguments)

    tokenizer = AutoTokenizer.from_pretrained(model)
    encoded = tokenizer(texts, truncation=True, max_length=args.max_length)
    dataset = [{"input_ids": ids, "attention_mask": mask, "labels": label}
               for ids, mask, label in zip(encoded["input_ids"], encoded["attention_mask"], labels)]
    network = AutoModelForSequenceClassification.from_pretrained(model, num_labels=n_classes)
    bf16 = args.device.startswith("cuda") and torch.cuda.is_bf16_supported()
    with tempfile.TemporaryDirectory() as out:
        training = TrainingArguments(output_dir=out, per_device_train_batch_size=args.batch, max_steps=args.steps,
                                     learning_rate=3e-5, warmup_steps=int(0.1 * args.steps), weight_decay=0.01,
                                     logging_strategy="no", save_strategy="no", report_to=[], seed=13,
                                     use_cpu=not args.device.startswith("cuda"), bf16=bf16, disable_tqdm=True,
                                     dataloader_num_workers=0)
        trainer = Trainer(model=network, args=training, train_dataset=dataset,
                          data_collator=DataCollatorWithPadding(tokenizer))
        result = trainer.train()
    return args.steps * args.batch / result.metrics["train_runtime"]


def inference(classifier, folder: str, texts, args) -> tuple[float, float]:
    from transformers import pipeline

    started = time.perf_counter()
    classifier.predict_proba(texts)
    if args.device.startswith("cuda"):
        torch.cuda.synchronize()
    zoo = len(texts) / (time.perf_counter() - started)
    dtype = torch.bfloat16 if args.device.startswith("cuda") and torch.cuda.is_bf16_supported() else None
    classify = pipeline("text-classification", model=folder, device=args.device, batch_size=args.batch,
                        truncation=True, max_length=args.max_length, top_k=None, dtype=dtype)
    started = time.perf_counter()
    classify(texts)
    reference = len(texts) / (time.perf_counter() - started)
    return zoo, reference


def main() -> None:
    from nlpzoo.data.tables import load_dataset

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="a pre-trained encoder folder (default: a random BERT of --size)")
    parser.add_argument("--size", choices=sorted(SIZES), default="base")
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--texts", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    dataset = load_dataset(args.data, "text", "polarity")
    texts = dataset.texts[: args.texts]
    classes = sorted(set(dataset.scores))
    labels = [classes.index(s) for s in dataset.scores[: args.texts]]
    with tempfile.TemporaryDirectory() as scratch:
        model = args.model or str(random_bert(Path(scratch) / "bert", dataset.texts, args.size))
        rows = {"train_zoo": [], "train_trainer": [], "infer_zoo": [], "infer_pipeline": []}
        for _ in range(args.repeats):
            speed, classifier = zoo_training(model, texts, labels, len(classes), args)
            rows["train_zoo"].append(speed)
            rows["train_trainer"].append(trainer_training(model, texts, labels, len(classes), args))
            run = Path(scratch) / "run"
            run.mkdir(exist_ok=True)
            classifier.save(run)
            zoo, reference = inference(classifier, str(run), texts, args)
            rows["infer_zoo"].append(zoo)
            rows["infer_pipeline"].append(reference)
        med = {k: statistics.median(v) for k, v in rows.items()}
        print(f"training: zoo {med['train_zoo']:,.1f} texts/s, Trainer {med['train_trainer']:,.1f} texts/s,"
              f" {med['train_zoo'] / med['train_trainer']:.2f}x (target >= 1.0x)")
        print(f"inference: zoo {med['infer_zoo']:,.1f} texts/s, pipeline {med['infer_pipeline']:,.1f} texts/s,"
              f" {med['infer_zoo'] / med['infer_pipeline']:.2f}x (target >= 1.5x)")
        print(json.dumps({"device": args.device, "model": args.model or f"random BERT-{args.size}", **med}))


if __name__ == "__main__":
    main()
