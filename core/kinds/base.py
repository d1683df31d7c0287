"""What every kind of component shares: the ``Kind`` interface and the settings passed to training.

A *kind* (classifier, generator, preprocessor, scraper, ...) is one module in :mod:`nlpzoo.kinds`
that states the whole contract of its components in one place: the ``typing.Protocol`` their
factories return, the hook that registers them, and, for kinds that are trained, how data is
prepared, what the run directory holds, which metrics the core computes and which columns
``zoo bench`` shows. The core dispatches on the kind; nothing else branches on a kind's name.
"""
from __future__ import annotations

import abc
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ClassVar, Protocol, runtime_checkable

from ..foundations.errors import ZooError


LOGGER = logging.getLogger("nlpzoo")


def log_info(message: str) -> None:
    """The default for every ``log`` argument: the ``nlpzoo`` logger (the CLI shows it on stderr;
    in a notebook, ``logging.basicConfig(level=logging.INFO)`` shows it, and nothing does otherwise)."""
    LOGGER.info(message)


@dataclass
class FitSettings:
    """How the core asks a component to train (the same object for every trainable kind)."""

    seed: int = 13
    device: str = "auto"          # "auto", "cpu", "cuda", "cuda:1" ...
    progress: bool = True         # show progress bars; False is fully silent
    checkpoint_dir: Path | None = None   # where to keep the resumable checkpoint
    resume: bool = False          # continue from checkpoint_dir's checkpoint
    # torch's intra-op threads: the core sets them before fit (nlpzoo.foundations.threads) and writes the
    # count here; a caller's count is kept as given. None: chosen from the free cores.
    threads: int | None = None
    log: Callable[[str], Any] = log_info
    # Called after every finished epoch with that epoch's record (``{"epoch", "train_loss", ...,
    # "val_macro_f1" or "val_loss"}``). Logging and hyperparameter pruning use it; an exception
    # raised here stops training and propagates.
    on_epoch: Callable[[dict], Any] | None = None
    # Called once by a component that starts from a pre-trained model, when that model is loaded
    # and before its first training step; the kind uses it to score the model before training.
    on_start: Callable[[], Any] | None = None
    score_pretrained: bool = True   # whether the kind scores a pre-trained model on the test split first (zoo tune: no)
    eval_texts: int | None = None   # generators: held-out texts continued for BLEU/chrF (None: the kind's default)
    # The run's preprocessing chain, for texts a component reads itself (a teacher's unlabelled texts):
    # raw texts in, texts as the component's training texts arrive out. None: texts are used as read.
    preprocess: Callable[[list[str]], list[str]] | None = None

    def __post_init__(self):
        check_seed(self.seed)


MAX_SEED = 2**32 - 1   # scikit-learn's random_state and numpy's legacy seeding take 32-bit seeds


def check_seed(seed, option: str = "seed") -> int:
    """``seed`` if it is a whole number from 0 to 2^32 - 1, else one ZooError naming it (a larger seed
    reached scikit-learn inside a plugin, which blamed the plugin)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ZooError(f"{option} {seed!r}: give a whole number from 0 to {MAX_SEED:,} (32 bits), e.g. 13.")
    return seed


def parse_seeds(text: str, option: str = "--seeds") -> list[int]:
    """Comma-separated seeds, each checked; an empty list is an error."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    try:
        seeds = [int(p) for p in parts]
    except ValueError:
        raise ZooError(f"{option} {text!r}: give integers separated by commas, e.g. 13,14,15.") from None
    if not seeds:
        raise ZooError(f"{option} {text!r} names no seed; give integers separated by commas, e.g. 13,14,15.")
    return [check_seed(s, option) for s in seeds]


@dataclass
class DataOptions:
    """Where a run's data comes from and how it is split and preprocessed."""

    data: str | None = None           # path or registry name; None: the built-in demo set
    text_col: str | None = None
    score_col: str | None = None
    fmt: str | None = None
    discretize: str | None = None
    score_range: tuple | None = None
    preprocess: str | None = None     # "normalize,tokenize,..."; None: no preprocessing
    seed: int = 13
    test_fraction: float = 0.2
    validation_fraction: float = 0.1

    def __post_init__(self):
        check_seed(self.seed, "--seed")


@dataclass
class Prepared:
    """One dataset read, split and preprocessed once: every model of a bench shares it. Each trainable
    kind adds its own fields (class labels, scores) and ``part(name)``, what its models train on."""

    options: DataOptions
    dataset: object                   # nlpzoo.data.tables.Dataset
    split: object                     # nlpzoo.data.split.Split
    texts: list[str]                  # preprocessed
    source: dict = field(default_factory=dict)
    zoo: Any = field(default=None, repr=False, compare=False, kw_only=True)   # whose preprocessors made ``texts``

    def __getstate__(self) -> dict:
        """Without the zoo, which holds plugin modules: the data goes to bench and tune worker
        processes, whose own zoo (the same plugins) is used there."""
        return {**self.__dict__, "zoo": None}


@runtime_checkable
class SavedModel(Protocol):
    """The part of every trained component's contract that is its files."""

    def save(self, directory: Path) -> None:
        """Write the trained state into ``directory`` (which exists): safetensors / JSON, never pickles."""

    def load(self, directory: Path, device: str = "cpu") -> None:
        """Restore what :meth:`save` wrote, on a freshly built instance."""


def train_tokens_per_second(history: dict) -> float | None:
    """Train tokens/s, defined once for every kind and shown as ``train tok/s``: the history's
    ``train_tokens`` (tokens of the input texts as the model's own encoder or tokenizer counts them,
    after truncation and without padding, counted once per epoch) over its ``train_seconds``.
    None when the component reports no tokens or no time."""
    tokens, seconds = history.get("train_tokens"), history.get("train_seconds")
    return tokens / seconds if tokens is not None and seconds else None


def most_train_tokens(texts, passes: int) -> int:
    """The most ``train_tokens`` that ``passes`` epochs over ``texts`` can honestly report: a token
    covers at least one byte of a text's UTF-8, and a text gains at most two special tokens. A count
    above it expands the texts (character n-grams counted as tokens) and would inflate train tok/s."""
    return max(1, passes) * sum(len(text.encode("utf-8")) + 2 for text in texts)


@dataclass(frozen=True)
class Column:
    """One column of a bench table: the metric's key, its title and how many decimals it shows.
    ``higher_is_better`` decides the sort direction; ``scale`` turns the stored value into the shown one
    (bytes into the MB a title says)."""

    key: str
    title: str
    digits: int = 3
    higher_is_better: bool = True
    scale: float = 1.0

    def format(self, value) -> str:
        """``value`` as this column shows it."""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and self.scale != 1.0:
            value = value * self.scale
        return format_value(value, self.digits)


@dataclass
class RunResult:
    """What training one component into a run directory gave."""

    run_dir: Path
    metrics: dict
    history: dict
    interrupted: bool
    model: Any = None                 # the trained object, still in memory
    prepared: Any = None              # the kind's prepared data
    extra: dict = field(default_factory=dict)


class Kind:
    """One kind of component: the protocol its factories return and the hook that registers them."""

    name: ClassVar[str]               # "classifier"
    plural: ClassVar[str]             # "classifiers"
    hook: ClassVar[str]               # "register_classifiers"
    protocol: ClassVar[type]          # what the factory returns
    order: ClassVar[int] = 100        # position in listings
    trainable: ClassVar[bool] = False
    # How the contract changed between releases (nlpzoo.machinery.plugin_api.Change): older methods are adapted
    # where they can be and refused by name where they cannot, when the component is built.
    changes: ClassVar[tuple] = ()


class TrainableKind(Kind, abc.ABC):
    """A kind whose components are trained into run directories (``zoo run``, ``zoo bench``).
    See :mod:`nlpzoo.kinds.classifier` for a complete one."""

    trainable: ClassVar[bool] = True
    default_preprocess: ClassVar[str | None] = None
    columns: ClassVar[tuple[Column, ...]] = ()    # bench summary columns (after the name)
    primary_metric: ClassVar[str] = ""            # the bench's default sort key
    # What ``zoo tune`` optimises: a score on the validation split (never the test split), and the
    # key of that score in each epoch's record, which the pruner sees as training goes. A kind
    # without a ``validation_metric`` cannot be tuned.
    validation_metric: ClassVar[Column | None] = None
    epoch_metric: ClassVar[str] = ""
    bench_default: ClassVar[str] = "none"         # what ``zoo bench`` trains of this kind unless told: "all" or "none"
    charts: ClassVar[tuple[tuple[str, str], ...]] = ()   # (metric, caption) bar charts in the bench's report.html
    compared: ClassVar[tuple[str, ...]] = ()      # the metrics ``zoo bench --compare`` shows the change of
    pipeline_tag: ClassVar[str] = "text-classification"   # the model card's Hugging Face task, for transformers folders

    @abc.abstractmethod
    def prepare(self, options: DataOptions, zoo, log=log_info, progress: bool = False):
        """Load, label, split and preprocess the data once; every model of a bench shares it."""

    def record(self, prepared) -> dict:
        """Kind-specific fields for the run record (e.g. class names), written before training."""
        return {}

    @abc.abstractmethod
    def fit(self, model, prepared, settings: FitSettings) -> dict:
        """Train ``model`` on ``prepared``; returns the history."""

    @abc.abstractmethod
    def evaluate(self, model, prepared, settings: FitSettings) -> dict:
        """Test-split metrics, computed by the core the same way for every component."""

    @abc.abstractmethod
    def fingerprint(self, model, prepared):
        """A few outputs of ``model`` on fixed inputs: a saved run must reproduce them after loading."""

    @abc.abstractmethod
    def same_fingerprint(self, a, b) -> bool:
        """Whether two fingerprints agree (within float tolerance)."""

    def validation_score(self, model, prepared, settings: FitSettings) -> float:
        """``validation_metric`` of a trained model on the validation split, computed by the core."""
        raise ZooError(f"A {self.name} has no validation metric, so it cannot be tuned.")

    def write_artifacts(self, run_dir: Path, metrics: dict, history: dict, title: str) -> None:
        """Plots and other files beside the metrics."""

    def metrics_rows(self, metrics: dict) -> list[list[str]]:
        """[label, formatted value] rows for the terminal's metrics table."""
        return [[column.title, format_value(metrics.get(column.key), column.digits)] for column in self.columns]

    def usage(self, shell_name: str, python_name: str) -> tuple[list[str], str]:
        """(shell commands, Python lines) that put a saved run of this kind to use, for its model card."""
        example = '"الطعام لذيذ والخدمة ممتازة"'
        return ([f"zoo predict {shell_name} {example}", f"zoo evaluate {shell_name} --data other.csv"],
                f"run = nlpzoo.load({python_name})\nrun.predict([{example}])")

    def card_facts(self, record: dict) -> str:
        """A sentence of the run record's kind fields (its classes, its score range) for the model card, as
        plain text (the card escapes it)."""
        return ""

    def saved_message(self, run_dir: Path, component) -> str:
        """What the CLI prints after a run is saved."""
        return f"Saved to {run_dir}"


def format_value(value, digits: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and digits == 0):
        return f"{value:,.0f}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)
