"""`legacy-char-ngram`: a generator as 0.1 documented them (docs/plugins.md: ``train``, ``evaluate``, ``load``
and ``generate``, see plugins/gpt2_model.py): ``train`` gets the run directory, ``evaluate`` returns the
metrics, and there is no ``log_likelihood`` or ``count_tokens``."""
from __future__ import annotations

import json
import math
import random
from collections import Counter, defaultdict
from pathlib import Path

from nlpzoo import Component, Param, hookimpl


class CharNgram:
    def __init__(self, order: int = 3):
        self.order = order
        self.counts: dict[str, Counter] = defaultdict(Counter)

    def train(self, train_texts, validation_texts, settings, run_dir):
        for text in train_texts:
            padded = "\x02" * self.order + text + "\x03"
            for i in range(self.order, len(padded)):
                self.counts[padded[i - self.order:i]][padded[i]] += 1
        self.save(run_dir)
        return {"epochs": [], "interrupted": False, "train_tokens": sum(map(len, train_texts)),
                "train_seconds": 0.0, "parameters": sum(len(c) for c in self.counts.values())}

    def save(self, run_dir):
        Path(run_dir, "char_ngram.json").write_text(json.dumps({k: dict(v) for k, v in self.counts.items()}), "utf-8")

    def load(self, run_dir, device="cpu"):
        data = json.loads(Path(run_dir, "char_ngram.json").read_text("utf-8"))
        self.counts = defaultdict(Counter, {k: Counter(v) for k, v in data.items()})

    def evaluate(self, test_texts, seed):
        total, n = 0.0, 0
        for text in test_texts:
            padded = "\x02" * self.order + text + "\x03"
            for i in range(self.order, len(padded)):
                seen = self.counts.get(padded[i - self.order:i], Counter())
                total += math.log((seen[padded[i]] + 1) / (sum(seen.values()) + 256))
                n += 1
        return {"test_perplexity": math.exp(-total / max(n, 1))}

    def generate(self, prompt, max_new_tokens=50, temperature=1.0, top_k=50, top_p=1.0, repetition_penalty=1.0,
                 num_return_sequences=1, seed=None, do_sample=True, on_text=None):
        from nlpzoo.generation import check_sampling

        check_sampling(max_new_tokens, temperature, top_k, top_p, repetition_penalty, num_return_sequences)
        rng = random.Random(seed)
        outputs = []
        for _ in range(num_return_sequences):
            context, text = ("\x02" * self.order + prompt)[-self.order:], ""
            for _ in range(max_new_tokens):
                seen = self.counts.get(context)
                if not seen:
                    break
                chars, weights = zip(*seen.items())
                char = rng.choices(chars, weights)[0] if do_sample else max(seen, key=seen.get)
                if char == "\x03":
                    break
                text += char
                context = (context + char)[-self.order:]
            outputs.append(text)
        return outputs


@hookimpl
def register_generators(register):
    register(Component(name="legacy-char-ngram", description="A character n-gram model (an nlp-zoo 0.1 plugin).",
                       factory=CharNgram, params=[Param("order", int, 3, "Characters of context.")]))
