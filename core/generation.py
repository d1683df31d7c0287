"""Deprecated: nlp-zoo 0.1's generator-run module. ``check_sampling`` is ``nlpzoo.check_sampling`` now;
runs of every kind are trained and loaded by ``nlpzoo.train`` and ``nlpzoo.load``. This module goes in 0.3.0."""
from .deprecation import deprecated_import, module_getattr

deprecated_import(__name__, "nlpzoo (check_sampling, train, load)")
__getattr__ = module_getattr(__name__, {"check_sampling": "nlpzoo:check_sampling"}, removed={
    "train_generator": "train a generator with nlpzoo.train(MODEL, DATA, kind='generator') or 'zoo run --generator'",
    "load_generator": "load a generator run with nlpzoo.load(RUN_DIR) (its .model is the generator)",
    "RUN_FILE": "every run's record is zoo_run.json, read by nlpzoo.load"})
