"""Atomic file writes: write beside the target, fsync, rename. A crash leaves the old file or none."""
from __future__ import annotations

import errno
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import ZooError


_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(target: str | os.PathLike):
    """Yields a temporary path beside ``target``; on success it replaces ``target`` in one rename.

    Only a regular file or a new path is ever replaced. A target that exists and is something else
    (``/dev/null``, a FIFO, a terminal) is written into, plainly, from a temporary file elsewhere: a
    rename would put a regular file in the device's place. A folder is an error. Failures of the
    file system (no space, read-only, permission, not a folder) are one ZooError naming the path."""
    target = Path(target)
    if target.is_dir():
        raise ZooError(f"Cannot write {target}: it is a folder. Give a file name, e.g. {target / 'out.json'}.")
    if target.exists() and not target.is_file():
        with _os_errors(target), tempfile.TemporaryDirectory(prefix="nlpzoo-") as scratch:
            temporary = Path(scratch) / target.name
            yield temporary
            with open(temporary, "rb") as source, open(target, "wb") as sink:
                while chunk := source.read(1 << 20):
                    sink.write(chunk)
        return
    with _os_errors(target):
        yield from _replace_regular(target)


@contextmanager
def _os_errors(target: Path):
    """An OSError of the file system while writing ``target`` becomes one clear ZooError."""
    try:
        yield
    except OSError as error:
        reasons = {errno.ENOSPC: "no space left on the device: free some space or write elsewhere",
                   errno.EDQUOT: "disk quota exceeded: free some space or write elsewhere",
                   errno.EROFS: "the file system is read-only: write elsewhere (--out DIR)",
                   errno.EACCES: "permission denied: write elsewhere, or change the folder's permissions",
                   errno.EPERM: "operation not permitted: write elsewhere",
                   errno.ENOTDIR: "a part of the path is a file, not a folder: choose another path",
                   errno.EISDIR: "it is a folder: give a file name"}
        reason = reasons.get(error.errno, error.strerror or type(error).__name__)
        raise ZooError(f"Cannot write {target}: {reason}.") from None


def _replace_regular(target: Path):
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
    """Write ``data`` as UTF-8 JSON through :func:`atomic_path` (whole or not at all)."""
    write_text(target, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def save_tensors(target: str | os.PathLike, tensors: dict, metadata: dict | None = None) -> None:
    """torch tensors -> safetensors, atomically."""
    from safetensors.torch import save_file

    prepared, seen = {}, set()
    for key, value in tensors.items():
        value = value.detach().contiguous().cpu()
        if value.numel() and value.data_ptr() in seen:   # tied weights (GPT-2's head is its embedding): safetensors
            value = value.clone()                        # refuses two names for one memory, so each gets a copy
        seen.add(value.data_ptr())
        prepared[key] = value
    with atomic_path(target) as temporary:
        save_file(prepared, str(temporary), metadata=metadata)
