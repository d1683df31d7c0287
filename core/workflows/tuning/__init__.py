"""``zoo tune`` and ``nlpzoo.tune``: search a component's parameters and preprocessing with Optuna.

A study tunes one component of one trainable kind on one dataset:

- **The split is fixed** for the whole study (``seed``); every trial trains on the training split
  and is scored on the validation split by the core (:meth:`TrainableKind.validation_score`), the
  mean over ``seeds`` when several are given. The test split is touched once, at the end, by
  retraining the best trial into ``best-run/``: its test metrics are reported apart.
- **The space comes from the components**: each :class:`~nlpzoo.Param` may declare a
  :class:`~nlpzoo.Search`; a user's space file overrides, narrows or adds to them, and fixes
  values. The preprocessing chain is one more dimension when several chains are given.
- **Pruning**: each epoch's validation score (``settings.on_epoch``) is reported to the pruner;
  a pruned trial is recorded as such.
- **Storage**: an Optuna RDB storage, SQLite in the study folder by default, so a study survives
  Ctrl-C (the first press stops after the running trials, the second at once) and continues when
  the same command runs again. ``jobs`` worker processes share it, threads divided between them;
  machines share a study through one database URL.
- **Outputs** in the study folder: ``trials.csv``, ``best.json``, PNG plots, and ``tuned.toml``, a
  registry file holding the winner as a preset (``zoo --registry tuned.toml run --classifier NAME-tuned``).

Space file (``--space space.toml``)::

    preprocess = ["normalize,tokenize", "normalize,tokenize,isri"]   # candidate chains ("none": raw)
    plugin_spaces = true            # false: search only what this file lists

    [params]
    lr = {low = 1e-4, high = 1e-2, log = true}
    hidden_size = {low = 64, high = 256, step = 64}
    pooling = {choices = ["max", "mean"]}
    layers = 1                      # a plain value fixes the parameter

Its modules: ``space`` (the search space), ``storage`` (where a study lives), ``workers`` (the trials and
worker processes), ``outputs`` (the files and :class:`TuneResult`) and ``study`` (one whole study).
"""
from .outputs import TuneResult
from .space import SearchSpace, build_space, read_space_file
from .storage import PRUNERS
from .study import default_study_name, parse_duration, run_study

__all__ = ["PRUNERS", "SearchSpace", "TuneResult", "build_space", "default_study_name", "parse_duration",
           "read_space_file", "run_study"]
