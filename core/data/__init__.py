"""Data: reading tables (CSV, TSV, JSON Lines) with errors that name the row, registry data sets and their
cache, score discretisation, the seeded stratified split, preprocessing chains, the metrics and plots, and
the scraping toolkit. The demo data set (``demo_reviews.csv``) is this package's data file.

Until 0.3 ``nlpzoo.data`` was the module that is now :mod:`nlpzoo.data.tables`; its names still resolve
here, with a DeprecationWarning, until 0.4.
"""
from ..foundations.deprecation import MOVED_IN, MOVED_REMOVED_IN, module_getattr

__getattr__ = module_getattr(__name__, {name: f"nlpzoo.data.tables:{name}" for name in (
    "TEXT_COLUMNS", "SCORE_COLUMNS", "FORMATS", "Dataset", "detect_format", "require_regular_file", "read_lines", "read_records", "load_dataset", "load_texts",
    "read_inputs", "numeric_scores", "to_numbers")}, since=MOVED_IN, removed_in=MOVED_REMOVED_IN)
