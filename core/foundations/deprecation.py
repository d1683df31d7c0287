"""Names and modules that a release moved or removed, kept working for one more release with a DeprecationWarning.

Two tables say everything that is kept, and :func:`install` (called when ``nlpzoo`` is imported) makes both
importable through one finder on ``sys.meta_path``:

- ``MOVED_MODULES``: 0.3 moved core's flat modules into the subpackages that show its layers
  (``nlpzoo.runs`` is ``nlpzoo.workflows.runs``). Importing an old path warns once and gives the new
  module itself, so ``from nlpzoo.runs import load_run`` and patches of it act on the real code.
- ``RETIRED_MODULES``: modules that 0.1 documented and 0.2 folded into ``nlpzoo``. Each old name resolves
  to its replacement (warning, naming it); a name whose behaviour changed too much to keep raises an
  AttributeError that says what to use instead.

A package whose old module names live on inside it (``nlpzoo.data`` was a module and is a package)
keeps them with :func:`module_getattr`.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import sys
import warnings
from dataclasses import dataclass, field


REMOVED_IN = "0.3.0"
MOVED_IN, MOVED_REMOVED_IN = "0.3.0", "0.4.0"

MOVED_MODULES = {f"nlpzoo.{old}": f"nlpzoo.{new}" for old, new in {
    # foundations
    "errors": "foundations.errors", "atomic": "foundations.atomic", "paths": "foundations.paths",
    "devices": "foundations.devices", "deprecation": "foundations.deprecation", "text": "foundations.text",
    # plugin machinery
    "hookspecs": "machinery.hookspecs", "components": "machinery.components", "registry": "machinery.registry",
    "discovery": "machinery.discovery", "plugin_api": "machinery.plugin_api",
    # data ("nlpzoo.data" itself is now the package; its old names are kept there)
    "datasets": "data.datasets", "discretize": "data.discretize", "split": "data.split",
    "preprocessing": "data.preprocessing", "metrics": "data.metrics", "scraping": "data.scraping",
    # the neural toolkit ("nlpzoo.neural" is now the package, with the same public names)
    "neural_params": "neural.params", "training": "neural.training", "distillation": "neural.distillation",
    "embeddings": "neural.embeddings", "sentence_vectors": "neural.sentence_vectors",
    "distributed": "neural.distributed", "convert_e5": "neural.convert_e5",
    # workflows
    "runs": "workflows.runs", "benchmarking": "workflows.benchmarking", "bench_report": "workflows.bench_report",
    "tuning": "workflows.tuning",
}.items()}


@dataclass(frozen=True)
class Retired:
    replacement: str                                    # in words, for the import warning
    moved: dict[str, str] = field(default_factory=dict)    # old name -> "package.module:name"
    removed: dict[str, str] = field(default_factory=dict)  # old name -> what to use instead, in words


_RUNS = "train with nlpzoo.train(MODEL, DATA) or 'zoo run'; load with nlpzoo.load(RUN_DIR)"
RETIRED_MODULES = {
    "nlpzoo.classifier": Retired("nlpzoo (FitSettings, LabeledTexts, Classifier)", moved={
        "FitSettings": "nlpzoo:FitSettings", "LabeledTexts": "nlpzoo:LabeledTexts", "Classifier": "nlpzoo:Classifier"}),
    "nlpzoo.generation": Retired("nlpzoo (check_sampling, train, load)", moved={
        "check_sampling": "nlpzoo:check_sampling"}, removed={
        "train_generator": "train a generator with nlpzoo.train(MODEL, DATA, kind='generator') or 'zoo run --generator'",
        "load_generator": "load a generator run with nlpzoo.load(RUN_DIR) (its .model is the generator)",
        "RUN_FILE": "every run's record is zoo_run.json, read by nlpzoo.load"}),
    "nlpzoo.experiment": Retired("nlpzoo (DataOptions, train, load)", moved={"DataOptions": "nlpzoo:DataOptions"}, removed={
        **dict.fromkeys(["prepare_data", "PreparedData", "new_run_dir", "train_and_evaluate", "RunResult", "LoadedRun",
                         "load_run", "read_run_config"], _RUNS),
        "evaluate_loaded": "score a loaded run on new data with nlpzoo.load(RUN_DIR).evaluate(DATA) or 'zoo evaluate'",
        "RUN_FORMAT": "a run's record is zoo_run.json; its 'kind' and 'format_version' say what wrote it"}),
}


def _callers_level() -> int:
    """The stacklevel of the first frame outside this module and the import machinery: the user's line.
    (``warnings.warn`` does not count the import machinery's frames, so neither does this.)"""
    frame, level = sys._getframe(1), 1
    while frame is not None and (frame.f_code.co_filename == __file__
                                 or frame.f_code.co_filename.startswith("<frozen importlib")):
        if frame.f_code.co_filename == __file__:
            level += 1
        frame = frame.f_back
    return level


def warn(old: str, new: str, since: str = "0.2.0", removed_in: str = REMOVED_IN) -> None:
    warnings.warn(f"{old} is deprecated since nlp-zoo {since} and will be removed in {removed_in}; use {new}",
                  DeprecationWarning, stacklevel=_callers_level())


def module_getattr(module: str, moved: dict[str, str], removed: dict[str, str] | None = None, since: str = "0.2.0",
                   removed_in: str = REMOVED_IN):
    """A module ``__getattr__`` for ``module``: ``moved`` maps an old name to ``"package.module:name"``,
    ``removed`` maps a name to what replaces it, in words."""
    removed = removed or {}

    def __getattr__(name: str):
        if name in moved:
            target_module, _, target = moved[name].partition(":")
            warn(f"{module}.{name}", f"{target_module}.{target}", since, removed_in)
            return getattr(importlib.import_module(target_module), target)
        if name in removed:
            raise AttributeError(f"{module}.{name} was removed in nlp-zoo {since}: {removed[name]}")
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


class _OldModules:
    """Finds the old module paths of both tables; nothing else. (A meta path finder and loader by its methods;
    importlib.abc would cost ``import nlpzoo`` 18 ms.)"""

    def __init__(self):
        self._real_specs = {}

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED_MODULES or fullname in RETIRED_MODULES:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        if spec.name not in MOVED_MODULES:
            return None                   # a retired module: a fresh module, filled by exec_module
        new = MOVED_MODULES[spec.name]
        warn(f"the module {spec.name}", new, MOVED_IN, MOVED_REMOVED_IN)
        module = importlib.import_module(new)
        self._real_specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module):
        name = module.__spec__.name
        if name in MOVED_MODULES:
            module.__spec__ = self._real_specs.pop(name)   # the import system gave the real module the old path's spec
            return
        retired = RETIRED_MODULES[name]
        warn(f"the module {name}", retired.replacement)
        module.__getattr__ = module_getattr(name, retired.moved, retired.removed)


_FINDER = _OldModules()


def install() -> None:
    if _FINDER not in sys.meta_path:
        sys.meta_path.append(_FINDER)
