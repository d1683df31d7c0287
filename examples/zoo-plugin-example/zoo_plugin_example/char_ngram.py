"""`char-ngram`: a character n-gram language model, a generator that is not a transformer.

P(c | h) for the last ``order - 1`` characters h is interpolated down to a uniform distribution:
p_0 = uniform over the alphabet; p_j = (count(h_j, c) + k * p_{j-1}) / (count(h_j) + k), where h_j is
the last j characters. Every level is a proper distribution, so perplexities are honest. Texts start
after ``order - 1`` start marks and end with an end mark, which is scored (and ends generation).
Saved as JSON: the alphabet and the counts. The zoo computes perplexity, BLEU and chrF from
``log_likelihood``, ``generate`` and ``count_tokens`` exactly as for gpt2.
"""
from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from pathlib import Path

from nlpzoo import Component, Param, Search, hookimpl

START, END, UNKNOWN = "\x02", "\x03", "\x00"


class CharNgram:
    def __init__(self, order: int = 5, smoothing: float = 1.0):
        self.order, self.smoothing = order, smoothing
        self.alphabet: list[str] = []
        self.counts: dict[str, dict[str, int]] = {}

    # -- training ---------------------------------------------------------------------------------
    def train(self, train_texts, validation_texts, settings) -> dict:
        started = time.perf_counter()
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for text in train_texts:
            padded = START * (self.order - 1) + text + END
            for i in range(self.order - 1, len(padded)):
                for j in range(1, self.order):
                    counts[padded[i - j:i]][padded[i]] += 1
        self.counts = {h: dict(c) for h, c in counts.items()}
        self.alphabet = sorted({c for text in train_texts for c in text} | {END, UNKNOWN})
        return {"epochs": [], "interrupted": False, "train_tokens": sum(len(t) + 1 for t in train_texts),
                "train_seconds": time.perf_counter() - started, "parameters": sum(map(len, self.counts.values()))}

    def save(self, directory) -> None:
        state = {"order": self.order, "smoothing": self.smoothing, "alphabet": self.alphabet, "counts": self.counts}
        Path(directory, "char_ngram.json").write_text(json.dumps(state, ensure_ascii=False), "utf-8")

    def load(self, directory, device: str = "cpu") -> None:
        state = json.loads(Path(directory, "char_ngram.json").read_text("utf-8"))
        self.alphabet, self.counts = state["alphabet"], state["counts"]

    # -- the distribution ------------------------------------------------------------------------------
    def distribution(self, history: str):
        import numpy as np

        index = {c: i for i, c in enumerate(self.alphabet)}
        p = np.full(len(self.alphabet), 1.0 / len(self.alphabet))
        for j in range(1, self.order):
            seen = self.counts.get(history[-j:]) if len(history) >= j else None
            if not seen:
                break  # a longer context was never seen either
            counts = np.zeros(len(self.alphabet))
            for char, n in seen.items():
                counts[index[char]] = n
            p = (counts + self.smoothing * p) / (counts.sum() + self.smoothing)
        return p

    def log_likelihood(self, texts: list[str]) -> tuple[float, int]:
        index = {c: i for i, c in enumerate(self.alphabet)}
        total, count = 0.0, 0
        for text in texts:
            padded = START * (self.order - 1) + text + END
            for i in range(self.order - 1, len(padded)):
                p = self.distribution(padded[:i])
                total += math.log(p[index.get(padded[i], index[UNKNOWN])])
                count += 1
        return total, count

    def count_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, prompt: str, max_new_tokens: int = 50, temperature: float = 1.0, top_k: int = 50,
                 top_p: float = 1.0, repetition_penalty: float = 1.0, num_return_sequences: int = 1,
                 seed: int | None = None, do_sample: bool = True, on_text=None) -> list[str]:
        """Continuations, one character per step (``repetition_penalty`` has no meaning here)."""
        import numpy as np

        rng = np.random.default_rng(seed)
        outputs = []
        for _ in range(num_return_sequences):
            history, new = START * (self.order - 1) + prompt, []
            for _ in range(max_new_tokens):
                p = self.distribution(history)
                p[self.alphabet.index(UNKNOWN)] = 0.0
                if do_sample:
                    p = p ** (1.0 / temperature)
                    if top_k:
                        p[np.argsort(p)[:-top_k]] = 0.0
                    order = np.argsort(-p)
                    cumulative = np.cumsum(p[order]) / p.sum()
                    p[order[np.searchsorted(cumulative, top_p) + 1:]] = 0.0
                    char = self.alphabet[rng.choice(len(p), p=p / p.sum())]
                else:
                    char = self.alphabet[int(p.argmax())]
                if char == END:
                    break
                new.append(char)
                history += char
                if on_text and num_return_sequences == 1:
                    on_text(char)
            outputs.append("".join(new))
        return outputs


@hookimpl
def register_generators(register):
    register(Component(
        name="char-ngram",
        description="Character n-gram language model with interpolated smoothing (not a transformer).",
        factory=CharNgram,
        params=[Param("order", int, 5, "Characters of context plus one.", min=2, max=10, search=Search.range(3, 7)),
                Param("smoothing", float, 1.0, "Weight of the shorter context (k in the formula).", min=1e-6,
                      search=Search.range(0.1, 10.0, log=True))],
        capabilities={"family": "n-gram", "task": "text-generation", "needs_download": False},
    ))
