"""Foundations: what every layer uses and that knows nothing of models or plugins (errors, atomic writes,
contained paths, devices, deprecations, Arabic text helpers)."""
