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
objects), ``training`` (train, load, generate), ``comparing`` (bench, tune), ``catalog`` (kinds, components,
plugins, data sets, preprocessing), ``run_folders`` (runs on disk), ``corpus`` (scrape, embed) and
``pretrained`` (packaged weights). The command line in ``nlpzoo.cli`` uses nothing else of the zoo.
"""
from ..data.tables import read_inputs
from ..workflows.tuning import TuneResult
from .catalog import (all_kinds, check_plugins, describe, get_dataset, get_kind, info, list_datasets, parse_params,
                      parse_seeds, preview_preprocessing, trainable_kinds)
from .comparing import bench, select_components, tune
from .corpus import embed, scrape
from .inputs import DataLike, materialize
from .pretrained import convert_e5
from .results import BenchResult, Metrics, Prediction, Run, bench_cell
from .run_folders import compare_runs, list_runs, resolve_run, run_record
from .training import generate, load, train

__all__ = ["BenchResult", "DataLike", "Metrics", "Prediction", "Run", "TuneResult", "all_kinds", "bench", "bench_cell",
           "check_plugins", "compare_runs", "convert_e5", "describe", "embed", "generate", "get_dataset", "get_kind",
           "info", "list_datasets", "list_runs", "load", "materialize", "parse_params", "parse_seeds",
           "preview_preprocessing", "read_inputs", "resolve_run", "run_record", "scrape", "select_components", "train",
           "trainable_kinds", "tune"]
