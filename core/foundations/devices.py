"""``--device auto``: CUDA when present, else CPU; explicit names are checked."""
from __future__ import annotations

from .errors import ZooError


def resolve_device(name: str = "auto") -> str:
    """``auto`` -> ``cuda`` when a GPU is present, else ``cpu``; a named device is checked to exist."""
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ZooError(f"--device {name}: no CUDA device is available here. Use --device cpu or --device auto.")
    if name != "cpu" and not name.startswith("cuda") and name != "mps":
        raise ZooError(f"--device {name}: use auto, cpu, cuda or cuda:N.")
    return name
