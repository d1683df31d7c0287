"""This release's version and the plugin API it implements (both part of the surface, ``nlpzoo.__version__``
and ``nlpzoo.PLUGIN_API``), here so that every layer can name them without importing ``nlpzoo`` itself."""

__version__ = "0.2.0"
# A plugin may declare the API it was written for as a module attribute of its entry point,
# ``NLPZOO_PLUGIN_API = 2``: a newer one than this is refused at load with the upgrade to make; an older
# one is loaded with its deprecated names and adapted methods.
PLUGIN_API = 2
