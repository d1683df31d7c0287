"""nlp-zoo: a plugin-based model zoo for Arabic NLP.

For users (:mod:`nlpzoo.api`, the same engine as the ``zoo`` command): ``train``, ``load``,
``bench``, ``tune``, ``generate``, ``info``, ``list_components``, ``list_datasets``. For plugin authors:
``hookimpl``, ``Component``, ``Param`` and ``Search`` (declaring components), the kinds' contracts in
:mod:`nlpzoo.kinds`, the neural toolkit in :mod:`nlpzoo.neural`, and the contract checks in
:mod:`nlpzoo.testing`. Nothing heavy is imported here.
"""
from .components import Component, Param, Search
from .discovery import Zoo, create, get_zoo, list_components
from .errors import PluginError, ZooError
from .hookspecs import hookimpl
from .kinds import DataOptions, FitSettings, kind_names

__version__ = "0.1.0"
KINDS = kind_names()
__all__ = ["KINDS", "BenchResult", "Component", "DataOptions", "FitSettings", "Metrics", "Param", "PluginError",
           "Prediction", "Run", "Search", "TuneResult", "Zoo", "ZooError", "bench", "create", "generate", "get_zoo",
           "hookimpl", "info", "kind_names", "list_components", "list_datasets", "load", "train", "tune", "__version__"]
_API = {"BenchResult", "Metrics", "Prediction", "Run", "bench", "generate", "info", "list_datasets", "load", "train", "tune",
        "TuneResult"}


def __getattr__(name: str):
    """The Python API (nlpzoo.api) is imported on first use, so `zoo list` starts without it."""
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'nlpzoo' has no attribute {name!r}")
