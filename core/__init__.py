"""nlp-zoo: a plugin-based model zoo for Arabic NLP.

For plugin authors: ``hookimpl``, ``Component`` and ``Param`` (declaring components), the kinds'
contracts in :mod:`nlpzoo.kinds`, the neural toolkit in :mod:`nlpzoo.neural`, and the contract
checks in :mod:`nlpzoo.testing`. For users: ``list_components(kind, pattern)`` and
``create(kind, name, **params)``. Nothing heavy is imported here.
"""
from .components import Component, Param
from .discovery import Zoo, create, get_zoo, list_components
from .errors import PluginError, ZooError
from .hookspecs import hookimpl
from .kinds import DataOptions, FitSettings, kind_names

__version__ = "0.1.0"
KINDS = kind_names()
__all__ = ["KINDS", "Component", "DataOptions", "FitSettings", "Param", "PluginError", "Zoo", "ZooError", "create",
           "get_zoo", "hookimpl", "kind_names", "list_components", "__version__"]
