"""nlp-zoo: a plugin-based model zoo for Arabic NLP.

The public API is small: ``list_components(kind, pattern)``, ``create(kind, name, **params)``,
and for plugin authors ``hookimpl``, ``Component`` and ``Param``. Nothing heavy is imported here.
"""
from .components import KINDS, Component, Param
from .discovery import Zoo, create, get_zoo, list_components
from .errors import ZooError
from .hookspecs import hookimpl

__version__ = "0.1.0"
__all__ = ["KINDS", "Component", "Param", "Zoo", "ZooError", "create", "get_zoo", "hookimpl",
           "list_components", "__version__"]
