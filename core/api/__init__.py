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
objects), ``training`` (train, load, generate), ``comparing`` (bench, tune), ``kinds``, ``catalog`` (components,
plugins, data sets, preprocessing), ``run_folders`` (runs on disk), ``corpus`` (scrape, embed) and
``pretrained`` (packaged weights). The command line in ``nlpzoo.cli`` uses nothing else of the zoo.
"""
import importlib

# name -> the module of the API that defines it, imported when the name is first used, so the command line
# starts without the modules of commands it is not running
_NAMES = {
    **dict.fromkeys(["BenchResult", "Metrics", "Prediction", "Run", "bench_cell"], "results"),
    **dict.fromkeys(["DataLike", "materialize"], "inputs"),
    **dict.fromkeys(["generate", "load", "train"], "training"),
    **dict.fromkeys(["bench", "select_components", "tune"], "comparing"),
    "TuneResult": "nlpzoo.workflows.tuning",
    **dict.fromkeys(["all_kinds", "get_kind", "trainable_kinds"], "kinds"),
    **dict.fromkeys(["check_plugins", "describe", "get_dataset", "info", "list_datasets", "parse_params",
                     "parse_seeds", "preview_preprocessing"], "catalog"),
    **dict.fromkeys(["compare_runs", "list_runs", "resolve_run", "run_record"], "run_folders"),
    **dict.fromkeys(["embed", "scrape"], "corpus"),
    "read_inputs": "nlpzoo.data.tables",
    **dict.fromkeys(["THREADS_VARIABLE", "ThreadPlan", "plan_threads"], "nlpzoo.foundations.threads"),
    "convert_e5": "pretrained",
}
__all__ = sorted(_NAMES)


def __getattr__(name: str):
    if name in _NAMES:
        module = _NAMES[name]
        return getattr(importlib.import_module(module if "." in module else f"{__name__}.{module}"), name)
    raise AttributeError(f"module 'nlpzoo.api' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
