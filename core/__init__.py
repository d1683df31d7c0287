"""nlp-zoo: a plugin-based model zoo for Arabic NLP.

The names in ``__all__`` are the public surface, for users and plugin authors alike (docs/plugins.md
lists them by group). Two more modules are public: :mod:`nlpzoo.neural` (the neural toolkit; imports
torch) and :mod:`nlpzoo.testing` (the contract checks). Every other module is internal and may move
between releases; a plugin that imports only these names keeps working, and a name that changes is
kept for one release with a DeprecationWarning (CHANGELOG.md says what changed).

Nothing heavy is imported here: most names are looked up in their module on first use, so
``zoo list`` starts without torch.
"""
import importlib
from .foundations.deprecation import install as _keep_old_module_paths

_keep_old_module_paths()   # nlpzoo.workflows.runs and the other 0.2 paths, for one more release (CHANGELOG.md)

from .machinery.components import Check, Component, Param, Search, with_defaults
from .machinery.discovery import Zoo, create, get_zoo, list_components
from .foundations.errors import PluginError, ZooError
from .machinery.hookspecs import hookimpl
from .foundations.versions import PLUGIN_API, __version__
from .kinds import DataOptions, FitSettings, kind_names

KINDS = kind_names()

# name -> the internal module that defines it, imported when the name is first used.
_LAZY = {
    # errors a plugin raises or catches
    **dict.fromkeys(["DataError", "ParameterError", "RunDirError", "TrainingDivergedError"], "foundations.errors"),
    # each kind's contract: the data a component gets and the Protocol its factory's object follows
    **dict.fromkeys(["Classifier", "LabeledTexts"], "kinds.classifier"),
    **dict.fromkeys(["Regressor", "ScoredTexts"], "kinds.regressor"),
    **dict.fromkeys(["Generator", "check_sampling"], "kinds.generator"),
    "Preprocessor": "kinds.preprocessor",
    "Scraper": "kinds.scraper",
    # shared parameter groups of the neural toolkit (no torch)
    **dict.fromkeys(["NEURAL_PARAMS", "NEURAL_REGRESSION_PARAMS", "VOCABULARY_PARAMS", "TRAINING_PARAMS",
                     "CLASSIFICATION_PARAMS", "REGRESSION_PARAMS", "DISTILLATION_PARAMS"], "neural.params"),
    # helpers for preprocessors and scrapers
    **dict.fromkeys(["ARABIC_WORD", "ArabicNormalizer"], "foundations.text"),
    "WordwiseStep": "data.preprocessing",
    **dict.fromkeys(["ItemSink", "Site", "canonical_url", "decode_html", "extract", "is_html", "load_site"],
                    "data.scraping"),
    # writing a model's files
    **dict.fromkeys(["atomic_path", "save_tensors", "usual_permissions", "write_json"], "foundations.atomic"),
    "inside": "foundations.paths",
    "resolve_device": "foundations.devices",
    # the Python API (nlpzoo.api), imported on first use so `zoo list` starts without it
    **dict.fromkeys(["BenchResult", "Metrics", "Prediction", "Run", "TuneResult", "bench", "generate", "info",
                     "list_datasets", "load", "train", "tune"], "api"),
}

__all__ = sorted(["KINDS", "PLUGIN_API", "Check", "Component", "DataOptions", "FitSettings", "Param", "PluginError",
                  "Search", "Zoo", "ZooError", "create", "get_zoo", "hookimpl", "kind_names", "list_components",
                  "with_defaults", "__version__", *_LAZY])


def __getattr__(name: str):
    if name in _LAZY:
        # looked up each time, never cached here: nlpzoo.X is always its module's current value
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'nlpzoo' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
