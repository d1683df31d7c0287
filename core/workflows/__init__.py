"""Workflows: run directories (train into one, load it back), benchmarks and their reports, Optuna studies.
Kinds never import this layer."""
