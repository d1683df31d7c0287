"""The generator kind: language models that continue a prompt.

Contract (what a generator factory returns; the core drives every generator this way)::

    model = component.build(**params)                       # untrained; parameters checked
    history = model.train(train_texts, validation_texts, settings)   # list[str], list[str], FitSettings
    model.save(run_dir)                                      # its own files; safetensors, no pickles
    fresh = component.build(**params); fresh.load(run_dir, device="cpu")
    total_log_prob, tokens = model.log_likelihood(texts)     # natural-log probability of every token
    n = model.count_tokens(text)                             # tokens the model's own tokenizer makes
    texts = model.generate(prompt, max_new_tokens=50, temperature=1.0, top_k=50, top_p=1.0,
                           repetition_penalty=1.0, num_return_sequences=1, seed=None,
                           do_sample=True, on_text=None)     # continuations, without the prompt

- ``train`` returns the history ``{"epochs": [{"epoch", "train_loss", "val_loss", ...}],
  "interrupted": bool, "train_tokens": int, "train_seconds": float, "parameters": int}``; it calls
  ``settings.on_epoch(record)`` after each epoch and stops cleanly on KeyboardInterrupt. A
  generator that starts from a pre-trained model calls ``settings.on_start()`` (when set) once
  that model is loaded, before the first step: the core then scores it on the test split
  (``base_test_perplexity``), so a run shows whether fine-tuning helped.
- ``log_likelihood`` scores each text as a document of its own, every token it predicts
  (including the end of the text); the core turns it into perplexity = exp(-total / tokens).
- ``generate`` is reproducible for a given ``seed``; ``on_text`` (one sequence only) receives the
  text as it grows, in pieces that end on whole characters.

Data: texts only (``--text-col``), no preprocessing by default, a seeded train/validation/test
split. Metrics computed by the core on the test split, the same way for every generator:
perplexity (from ``log_likelihood``), corpus BLEU and chrF (sacrebleu) of greedy continuations of
held-out texts from their first words, and generation tokens/s (from ``count_tokens``).
"""
from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Protocol, runtime_checkable

from ..data.preprocessing import run_chain
from ..foundations.errors import ZooError
from ..machinery.plugin_api import Change
from ..neural import distributed
from .base import Column, FitSettings, Prepared, SavedModel, TrainableKind, format_value, log_info


PROMPT_WORDS = 5          # words of each held-out text used as the prompt for BLEU/chrF
EVAL_TEXTS = 50           # held-out texts continued for BLEU/chrF (FitSettings.eval_texts overrides)


@runtime_checkable
class Generator(SavedModel, Protocol):
    def train(self, train_texts: list[str], validation_texts: list[str], settings: FitSettings) -> dict:
        """Train; return the history (see the module docstring for its keys)."""

    def log_likelihood(self, texts: list[str]) -> tuple[float, int]:
        """(sum of the natural-log probabilities of every predicted token, number of those tokens)."""

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is for this model."""

    def generate(self, prompt: str, max_new_tokens: int = 50, temperature: float = 1.0, top_k: int = 50,
                 top_p: float = 1.0, repetition_penalty: float = 1.0, num_return_sequences: int = 1,
                 seed: int | None = None, do_sample: bool = True,
                 on_text: Callable[[str], None] | None = None) -> list[str]:
        """Continuations of ``prompt`` (without the prompt itself)."""


class PreparedTexts(Prepared):
    """Texts split once for a generator run."""

    def part(self, name: str) -> list[str]:
        return [self.texts[i] for i in getattr(self.split, name)]


def check_sampling(max_new_tokens: int, temperature: float, top_k: int, top_p: float, repetition_penalty: float,
                   num_return_sequences: int) -> None:
    """Sampling settings a user typed, checked with messages that say what each one means."""
    problems = []
    if max_new_tokens < 1:
        problems.append(f"--max-new-tokens must be 1 or more (got {max_new_tokens})")
    if not temperature > 0:
        problems.append(f"--temperature must be above 0 (got {temperature}); lower means more predictable")
    if top_k < 0:
        problems.append(f"--top-k must be 0 (off) or more (got {top_k})")
    if not 0 < top_p <= 1:
        problems.append(f"--top-p must be in (0, 1] (got {top_p}); 1.0 turns nucleus sampling off")
    if not repetition_penalty > 0:
        problems.append(f"--repetition-penalty must be above 0 (got {repetition_penalty}); 1.0 is no penalty")
    if num_return_sequences < 1:
        problems.append(f"--num-return-sequences must be 1 or more (got {num_return_sequences})")
    if problems:
        raise ZooError("; ".join(problems) + ".")


def perplexity(total_log_prob: float, tokens: int) -> float | None:
    if tokens <= 0 or not math.isfinite(total_log_prob):
        return None
    return float(math.exp(min(-total_log_prob / tokens, 50)))


def prompt_reference_pairs(texts: list[str], prompt_words: int, limit: int) -> list[tuple[str, str]]:
    """Held-out texts long enough to continue: (first ``prompt_words`` words, the rest)."""
    pairs = []
    for text in texts:
        if len(pairs) >= limit:
            break
        words = text.split()
        if len(words) >= prompt_words + 3:
            pairs.append((" ".join(words[:prompt_words]), " ".join(words[prompt_words:])))
    return pairs


def bleu_chrf(hypotheses: list[str], references: list[str]) -> dict:
    """Corpus BLEU and chrF with sacrebleu, and their signatures."""
    from sacrebleu.metrics import BLEU, CHRF

    bleu, chrf = BLEU(), CHRF()
    bleu_score = bleu.corpus_score(hypotheses, [references])
    chrf_score = chrf.corpus_score(hypotheses, [references])
    return {"bleu": bleu_score.score, "chrf": chrf_score.score, "bleu_signature": str(bleu.get_signature()),
            "chrf_signature": str(chrf.get_signature()), "pairs": len(hypotheses)}


def evaluate_generator(model, test_texts: list[str], seed: int, eval_texts: int = EVAL_TEXTS,
                       prompt_words: int = PROMPT_WORDS) -> dict:
    """The generator metrics, computed the same way for every generator."""
    total, tokens = model.log_likelihood(test_texts) if test_texts else (0.0, 0)
    result = {"test_log_likelihood": total, "test_tokens": tokens,
              "test_loss": -total / tokens if tokens else None, "test_perplexity": perplexity(total, tokens)}
    pairs = prompt_reference_pairs(test_texts, prompt_words, eval_texts)
    if pairs:
        hypotheses, generated_tokens, seconds = [], 0, 0.0
        for prompt, reference in pairs:
            budget = min(model.count_tokens(reference) + 5, 128)
            started = time.perf_counter()
            text = model.generate(prompt, max_new_tokens=budget, do_sample=False, seed=seed)[0]
            seconds += time.perf_counter() - started
            generated_tokens += model.count_tokens(text)
            hypotheses.append(text.strip())
        result.update(bleu_chrf(hypotheses, [r for _, r in pairs]))
        result["generation_tokens_per_second"] = generated_tokens / seconds if seconds else None
        result["examples"] = [{"prompt": q, "reference": r, "generated": h}
                              for (q, r), h in list(zip(pairs, hypotheses))[:5]]
    return result


class GeneratorKind(TrainableKind):
    name = "generator"
    plural = "generators"
    hook = "register_generators"
    protocol = Generator
    changes = (
        Change("train", "0.2.0", "train no longer gets the run directory; the core calls save(directory) after it",
               old="train(train_texts, validation_texts, settings, run_dir)"),
        Change("save", "0.2.0", "the core saves the trained model into the run directory", added=True),
        Change("log_likelihood", "0.2.0", "it replaces evaluate(test_texts, seed): the core computes perplexity,"
               " BLEU and chrF the same way for every generator", added=True),
        Change("count_tokens", "0.2.0", "train and generation tokens/s are counted in the model's own tokens",
               added=True),
    )
    order = 40
    default_preprocess = None
    columns = (Column("test_perplexity", "perplexity", 1, False),
               Column("base_test_perplexity", "base ppl", 1, False),   # the pre-trained model before training
               Column("bleu", "BLEU", 2), Column("chrf", "chrF", 2),
               Column("train_tokens_per_second", "train tok/s", 0),
               Column("generation_tokens_per_second", "gen tok/s", 0), Column("train_seconds", "train s", 1, False),
               Column("parameters", "params", 0, False))
    primary_metric = "test_perplexity"
    validation_metric = Column("perplexity", "validation perplexity", 2, higher_is_better=False)
    epoch_metric = "val_perplexity"
    charts = (("test_perplexity", "perplexity (test, lower is better)"), ("chrf", "chrF"),
              ("generation_tokens_per_second", "generation tokens/s"))
    compared = ("test_perplexity", "chrf", "train_seconds")
    pipeline_tag = "text-generation"

    def usage(self, shell_name: str, python_name: str) -> tuple[list[str], str]:
        return ([f'zoo generate {shell_name} --prompt "المطعم"'],
                f'run = nlpzoo.load({python_name})\nrun.generate("المطعم", max_new_tokens=40, seed=1)')

    def prepare(self, options, zoo, log=log_info, progress=False) -> PreparedTexts:
        from ..data.datasets import resolve_source, source_info
        from ..data.split import stratified_split
        from ..data.tables import load_texts

        source = resolve_source(options, zoo)
        log(f"Loading {Path(source.path).name}...")
        dataset = load_texts(source.path, options.text_col or source.text_col, options.fmt or source.fmt)
        if dataset.drop_summary():
            log(f"Warning: {dataset.drop_summary()}")
        texts = run_chain(options.preprocess, dataset.texts, zoo, progress)
        split = stratified_split([0] * len(texts), options.seed, options.test_fraction, options.validation_fraction,
                                 ["text"], dataset.source)
        return PreparedTexts(options, dataset, split, texts, source_info(source, dataset, options))

    def fit(self, model, prepared: PreparedTexts, settings: FitSettings) -> dict:
        before = {}

        def score_pretrained():  # the pre-trained model on the same test texts, before any training step
            if distributed.is_main():
                total, tokens = model.log_likelihood(prepared.part("test"))
                before["base_test_perplexity"] = perplexity(total, tokens)
                settings.log(f"The pre-trained model's test perplexity: {before['base_test_perplexity']:.2f}")

        if settings.score_pretrained and prepared.part("test"):
            settings = replace(settings, on_start=score_pretrained)
        history = model.train(prepared.part("train"), prepared.part("validation"), settings)
        history.setdefault("metrics", {}).update(before)
        return history

    def evaluate(self, model, prepared: PreparedTexts, settings: FitSettings) -> dict:
        return evaluate_generator(model, prepared.part("test"), settings.seed,
                                  settings.eval_texts if settings.eval_texts is not None else EVAL_TEXTS)

    def validation_score(self, model, prepared: PreparedTexts, settings: FitSettings) -> float:
        total, tokens = model.log_likelihood(prepared.part("validation"))
        value = perplexity(total, tokens)
        return float("inf") if value is None else value

    def fingerprint(self, model, prepared: PreparedTexts):
        return model.log_likelihood(prepared.part("test")[:4] or ["نص"])

    def same_fingerprint(self, a, b) -> bool:
        return a[1] == b[1] and math.isclose(a[0], b[0], rel_tol=1e-4, abs_tol=1e-3)

    def write_artifacts(self, run_dir: Path, metrics: dict, history: dict, title: str) -> None:
        from ..data.metrics import plot_learning_curve

        plot_learning_curve(history.get("epochs", []), run_dir / "learning_curve.png", title)

    def metrics_rows(self, metrics: dict) -> list[list[str]]:
        rows = [["test perplexity", format_value(metrics.get("test_perplexity"), 2)],
                ["before training (pre-trained)", format_value(metrics.get("base_test_perplexity"), 2)],
                ["test loss (nats/token)", format_value(metrics.get("test_loss"), 4)],
                ["test tokens", format_value(metrics.get("test_tokens"), 0)]]
        rows += [[c.title, format_value(metrics.get(c.key), c.digits)] for c in self.columns[2:]]
        return rows

    def saved_message(self, run_dir: Path, component) -> str:
        message = f"Saved to {run_dir}. Continue a prompt with: zoo generate {run_dir} --prompt \"...\""
        loads_with = component.capabilities.get("loads_with")
        return message + (f"\nThe folder also loads with {loads_with}." if loads_with else "")

    def loaded(self, run_dir: Path, record: dict, model, zoo):
        return model


KIND = GeneratorKind()
