"""Atomic file writes: write beside the target, fsync, rename. A crash leaves the old file or none."""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(target: str | os.PathLike):
    """Yields a temporary path beside ``target``; on success it replaces ``target`` in one rename."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the usual permissions
    try:
        yield Path(temporary)
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        usual_permissions(temporary)  # again: a writer may have replaced the file (safetensors makes it 0600)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def usual_permissions(path: str | os.PathLike) -> None:
    """The mode a new file gets from the user's umask (what open() would have given it)."""
    os.chmod(path, 0o666 & ~_UMASK)


def write_text(target: str | os.PathLike, text: str) -> None:
    with atomic_path(target) as temporary:
        temporary.write_text(text, "utf-8")


def write_json(target: str | os.PathLike, data) -> None:
    write_text(target, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def save_tensors(target: str | os.PathLike, tensors: dict, metadata: dict | None = None) -> None:
    """torch tensors -> safetensors, atomically."""
    from safetensors.torch import save_file

    with atomic_path(target) as temporary:
        save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(temporary), metadata=metadata)
