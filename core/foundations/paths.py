"""Paths that a file inside a folder names (a vectors folder's embed.json, an ensemble's member
folders): they must stay inside that folder, since the folder may come from someone else."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import ZooError


def inside(folder: str | os.PathLike, name, what: str) -> Path:
    """``folder / name`` resolved, or a ZooError when ``name`` is not a relative path that stays
    inside ``folder`` (``..``, an absolute path, a link out). ``what`` names the record and field
    for the message (``"embed.json 'vectors'"``); the message never shows the file's content."""
    folder = Path(folder)
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ZooError(f"{folder}: {what} must be a file name inside the folder, got {type(name).__name__}.")
    root = folder.resolve()
    target = (root / name).resolve()
    if Path(name).is_absolute() or not target.is_relative_to(root):
        raise ZooError(f"{folder}: {what} names {name!r}, outside the folder; a shared folder may only name its"
                       " own files. Nothing was read.")
    return target
