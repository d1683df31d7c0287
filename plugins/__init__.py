"""Built-in plugins. Each module is one plugin with its own entry point in pyproject.toml.

Modules here import nothing heavy at import time: they declare components, and each component's
factory imports torch, spaCy, NLTK ... only when it is built.
"""
