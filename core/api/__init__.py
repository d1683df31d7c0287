"""The Python API: the same engine as the ``zoo`` command line, for notebooks and scripts.

    import nlpzoo

    run = nlpzoo.train("bigru", data="restaurants", params={"epochs": 3})
    run.metrics["macro_f1"]
    run.predict(["الأكل لذيذ والخدمة ممتازة"])[0].label
    nlpzoo.load("latest").evaluate("other_reviews.csv")
    nlpzoo.bench(["bigru", "tfidf-logreg"], data="restaurants").to_dataframe()

``zoo run`` calls :func:`train` with its options, so both give the same run folders. Messages go
through the ``nlpzoo`` logger (``logging.basicConfig(level=logging.INFO)`` shows them);
``progress=False`` is fully silent; errors are :class:`nlpzoo.ZooError` with a message that says
what to change, and nothing here exits the interpreter.

Its modules: ``results`` (Run, Metrics, Prediction, BenchResult), ``inputs`` (data given as Python
objects), ``training`` (train, load, generate), ``comparing`` (bench, tune) and ``catalog`` (info,
list_datasets).
"""
from ..workflows.tuning import TuneResult
from .catalog import describe, info, list_datasets
from .comparing import bench, select_components, tune
from .inputs import DataLike, materialize
from .results import BenchResult, Metrics, Prediction, Run
from .training import generate, load, train, trainable_kinds

__all__ = ["BenchResult", "DataLike", "Metrics", "Prediction", "Run", "TuneResult", "bench", "describe", "generate",
           "info", "list_datasets", "load", "materialize", "select_components", "train", "trainable_kinds", "tune"]
