"""Chaining preprocessor plugins, and the shared per-word-type cache.

``--preprocess normalize,tokenize,stopwords,isri`` builds each named step through the zoo and
runs them in order over batches of texts. Steps that are a pure function of one word subclass
:class:`WordwiseStep`: each distinct word is computed once per process, however often it occurs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..foundations.errors import ZooError
from ..machinery.discovery import get_zoo


class WordwiseStep:
    """A step that maps every whitespace-separated word on its own; ``map_word`` runs once per
    word type. Subclasses set ``map_word`` (``word -> str``; an empty result drops the word)."""

    def __init__(self):
        self.cache: dict[str, str] = {}

    def map_word(self, word: str) -> str:  # pragma: no cover - subclasses override
        return word

    def prepare(self, words: list[str]) -> None:
        """Called with the batch's word types not yet cached; a step that is faster in batches
        (spaCy's tokenizer.pipe) fills ``self.cache`` for them here."""

    def transform(self, texts: list[str]) -> list[str]:
        cache, compute = self.cache, self.map_word
        if type(self).prepare is not WordwiseStep.prepare:  # only batched steps need the extra pass
            self.prepare(list(dict.fromkeys(w for text in texts for w in text.split() if w not in cache)))
        out = []
        for text in texts:
            words = []
            for word in text.split():
                mapped = cache.get(word)
                if mapped is None:
                    mapped = cache[word] = compute(word)
                if mapped:
                    words.append(mapped)
            out.append(" ".join(words))
        return out


class FusedWordwise(WordwiseStep):
    """Consecutive word-wise steps run as one: each word type goes through all of them once, so
    the chain walks the texts once instead of once per step. Outputs are unchanged, since each
    step maps every word on its own."""

    def __init__(self, steps: list[WordwiseStep]):
        super().__init__()
        self.steps = steps

    def map_word(self, word: str) -> str:
        words = [word]
        for step in self.steps:
            cache, compute, mapped = step.cache, step.map_word, []
            for w in words:
                out = cache.get(w)
                if out is None:
                    out = cache[w] = compute(w)
                if out:
                    mapped.extend(out.split())
            words = mapped
        return " ".join(words)

    def prepare(self, words: list[str]) -> None:
        first = self.steps[0]
        first.prepare([w for w in words if w not in first.cache])


def _fuse(steps: list) -> list:
    fused, run = [], []
    for step in [*steps, None]:
        if isinstance(step, WordwiseStep):
            run.append(step)
            continue
        if run:
            fused.append(run[0] if len(run) == 1 else FusedWordwise(run))
            run = []
        if step is not None:
            fused.append(step)
    return fused


def parse_steps(spec: str | list[str] | None) -> list[str]:
    if not spec or (isinstance(spec, str) and spec.strip().lower() == "none"):
        return []
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    return [n.strip() for n in names if n.strip()]


@dataclass
class Chain:
    names: list[str]
    steps: list = field(default_factory=list)

    def __post_init__(self):
        self.runnable = _fuse(self.steps)

    def transform(self, texts: list[str], batch_size: int = 2048,
                  progress: Callable[[int], None] | None = None) -> list[str]:
        """Every step over every text, batch by batch (``progress`` gets the texts done so far)."""
        out: list[str] = []
        for start in range(0, len(texts), batch_size):
            batch = list(texts[start:start + batch_size])
            for step in self.runnable:
                batch = step.transform(batch)
                if len(batch) != min(batch_size, len(texts) - start):
                    raise ZooError(f"Preprocessor '{step}' returned a batch of another length.")
            out.extend(batch)
            if progress:
                progress(len(out))
        return out

    def explain(self, text: str) -> list[tuple[str, str]]:
        """[(step name, text after that step)] for one text: what ``zoo preprocess`` shows."""
        shown, current = [("input", text)], [text]
        for name, step in zip(self.names, self.steps):
            current = step.transform(current)
            shown.append((name, current[0]))
        return shown


def run_chain(spec: str | list[str] | None, texts: list[str], zoo, progress: bool = False) -> list[str]:
    """``texts`` through the chain ``spec`` names, with a progress bar when asked."""
    chain = build_chain(spec, zoo)
    if not chain.steps:
        return list(texts)
    from rich.progress import Progress

    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task(f"preprocess ({','.join(chain.names)})", total=len(texts))
        return chain.transform(texts, progress=lambda done: bar.update(task, completed=done))


def build_chain(spec: str | list[str] | None, zoo=None) -> Chain:
    zoo = zoo or get_zoo()
    names = parse_steps(spec)
    return Chain(names, [zoo.create("preprocessor", name) for name in names])
