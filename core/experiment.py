"""Deprecated: nlp-zoo 0.1's classifier-run module. ``DataOptions`` is ``nlpzoo.DataOptions`` now; runs of
every kind are trained, loaded and evaluated by ``nlpzoo.train``, ``nlpzoo.load`` and ``Run.evaluate``.
This module goes in 0.3.0."""
from .deprecation import deprecated_import, module_getattr

deprecated_import(__name__, "nlpzoo (DataOptions, train, load)")
_RUNS = "train with nlpzoo.train(MODEL, DATA) or 'zoo run'; load with nlpzoo.load(RUN_DIR)"
__getattr__ = module_getattr(__name__, {"DataOptions": "nlpzoo:DataOptions"}, removed={
    **dict.fromkeys(["prepare_data", "PreparedData", "new_run_dir", "train_and_evaluate", "RunResult", "LoadedRun",
                     "load_run", "read_run_config"], _RUNS),
    "evaluate_loaded": "score a loaded run on new data with nlpzoo.load(RUN_DIR).evaluate(DATA) or 'zoo evaluate'",
    "RUN_FORMAT": "a run's record is zoo_run.json; its 'kind' and 'format_version' say what wrote it"})
