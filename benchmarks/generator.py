"""The gpt2 generator against references in the same run, on the Qaym restaurant reviews.

(a) training tokens/s of the zoo's loop (texts packed into full blocks, batches of blocks) next to a
    tutorial-style loop (batch size 1, one text per step, no packing), same scratch GPT-2 config,
    same texts. Target: 3x or more.
(b) generation tokens/s of the zoo's generate (KV cache, streamer off) next to
    transformers.pipeline("text-generation") on the same model and sampling settings. Target >= 1.0x.
(c) test perplexity, BLEU and chrF after a fixed training budget (--steps optimizer updates).

Usage: python benchmarks/generator.py [--texts 800] [--steps 300]
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from nlpzoo.kinds import FitSettings
from nlpzoo.kinds.generator import evaluate_generator
from nlpzoo.data.tables import load_texts
from nlpzoo.machinery.discovery import get_zoo
from nlpzoo.plugins.causal_lm_model import load_base

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "restaurant_reviews_qaym.csv"
CONFIG = {"model": "scratch", "n_layer": 4, "n_head": 4, "n_embd": 256, "vocab_size": 8000, "block_size": 128,
          "batch_size": 8, "epochs": 1, "lr": 5e-4}


def tutorial_loop(model, tokenizer, texts: list[str], block_size: int) -> float:
    """Course-tutorial fine-tuning: one text per step, batch size 1, truncated, no packing."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
    model.train()
    tokens, started = 0, time.perf_counter()
    for text in texts:
        ids = tokenizer(text + tokenizer.eos_token, return_tensors="pt", truncation=True, max_length=block_size)["input_ids"]
        if ids.shape[1] < 2:
            continue
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        tokens += ids.shape[1]
    return tokens / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--texts", type=int, default=800, help="texts for the speed comparison (a)")
    parser.add_argument("--steps", type=int, default=1200, help="optimizer updates for the quality run (c)")
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--new-tokens", type=int, default=64)
    args = parser.parse_args()
    texts = load_texts(args.data).texts
    speed_texts = texts[: args.texts]
    zoo = get_zoo()
    quiet = FitSettings(seed=13, device="cpu", progress=False, log=lambda m: None)
    print(f"{args.data}: {len(texts)} texts; torch {torch.__version__}, {torch.get_num_threads()} threads")

    # (a) training speed, same texts and config
    generator = zoo.create("generator", "gpt2", **CONFIG)
    history = generator.train(speed_texts, [], quiet)
    zoo_speed = history["train_tokens"] / history["train_seconds"]
    torch.manual_seed(13)
    model, tokenizer = load_base("scratch", CONFIG["block_size"], CONFIG, speed_texts)
    tutorial_speed = tutorial_loop(model, tokenizer, speed_texts, CONFIG["block_size"])
    print(f"(a) training: zoo {zoo_speed:,.0f} tokens/s, tutorial loop {tutorial_speed:,.0f} tokens/s,"
          f" ratio {zoo_speed / tutorial_speed:.1f}x (target >= 3x)")

    # (c) quality after a fixed budget (also gives the trained model for (b))
    cut = int(len(texts) * 0.9)
    generator = zoo.create("generator", "gpt2", **{**CONFIG, "epochs": 50, "max_steps": args.steps})
    history = generator.train(texts[:cut - 400], texts[cut - 400:cut], quiet)
    quality = evaluate_generator(generator, texts[cut:], seed=13, eval_texts=100)  # as zoo run scores it
    print(f"(c) after {history['steps']} updates ({history['train_seconds']:.0f} s): test perplexity"
          f" {quality['test_perplexity']:.1f}, BLEU {quality['bleu']:.2f}, chrF {quality['chrf']:.2f}"
          f" on {quality['pairs']} continuations\n    {quality['bleu_signature']}\n    {quality['chrf_signature']}")

    # (b) generation speed on that model
    from transformers import pipeline

    prompts = [" ".join(t.split()[:5]) for t in texts[cut:cut + args.prompts]]
    settings = dict(max_new_tokens=args.new_tokens, temperature=0.9, top_k=50, top_p=0.95, repetition_penalty=1.1)
    count = lambda text: len(generator.tokenizer(text)["input_ids"])
    pipe = pipeline("text-generation", model=generator.model, tokenizer=generator.tokenizer, device="cpu")
    zoo_rates, pipe_rates = [], []
    for repeat in range(3):
        for prompt in prompts:
            started = time.perf_counter()
            out = generator.generate(prompt, seed=repeat, **settings)[0]
            zoo_rates.append(count(out) / (time.perf_counter() - started))
            torch.manual_seed(repeat)
            started = time.perf_counter()
            result = pipe(prompt, do_sample=True, return_full_text=False,
                          pad_token_id=generator.tokenizer.eos_token_id, **settings)[0]["generated_text"]
            pipe_rates.append(count(result) / (time.perf_counter() - started))
    ours, theirs = statistics.median(zoo_rates), statistics.median(pipe_rates)
    print(f"(b) generation: zoo {ours:,.0f} tokens/s, pipeline {theirs:,.0f} tokens/s (medians),"
          f" ratio {ours / theirs:.2f}x (target >= 1.0x)")


if __name__ == "__main__":
    main()
