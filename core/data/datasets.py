"""Named datasets from registry.toml: resolving ``--data`` and downloading into the user cache.

``--data`` takes a file path or a registry name; with neither, the built-in ``demo`` set is used.
A download goes to a temporary file beside its target, is checked against the entry's sha256 and
only then renamed into place, so a failed, interrupted or corrupted download leaves nothing behind.
"""
from __future__ import annotations

import difflib
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..foundations.errors import DataError, DownloadError
from ..machinery.registry import DatasetEntry


DEFAULT_DATASET = "demo"


@dataclass
class DataSource:
    """Where a run's data comes from: the local file, and the registry entry it was named by (None for a
    plain path), whose column and label defaults apply."""

    path: Path
    entry: DatasetEntry | None = None

    def _declared(self, key: str):
        return getattr(self.entry, key) if self.entry else None

    name = property(lambda self: self._declared("name"), doc="The registry name, or None for a plain path.")
    fmt = property(lambda self: self._declared("format"), doc="The declared format (csv, tsv, jsonl), if any.")
    text_col = property(lambda self: self._declared("text_col"), doc="The declared text column, if any.")
    score_col = property(lambda self: self._declared("score_col"), doc="The declared score column, if any.")
    discretize = property(lambda self: self._declared("discretize"), doc="The declared discretisation, if any.")
    score_range = property(lambda self: tuple(self._declared("score_range") or ()) or None,
                           doc="The declared score range (low, high), if any.")


def cache_dir() -> Path:
    root = os.environ.get("ZOO_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nlp-zoo")
    return Path(root) / "datasets"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_path(entry: DatasetEntry) -> Path:
    """``<cache>/<name>-<sha256 prefix>.<declared format>``: the name and format were checked when the
    registry was read, and the path is checked again to lie inside the cache."""
    if entry.format not in ("csv", "tsv", "jsonl"):
        raise DownloadError(f"Dataset '{entry.name}': declare format = \"csv\", \"tsv\" or \"jsonl\" in the registry.")
    cache = cache_dir().resolve()
    target = (cache / f"{entry.name}-{entry.sha256[:12]}.{entry.format}").resolve()
    if target.parent != cache:
        raise DownloadError(f"Dataset '{entry.name}': its cache file would land outside {cache}; rename the dataset.")
    return target


def download(entry: DatasetEntry, progress=None, timeout: float = 60.0) -> Path:
    """Fetch ``entry.url`` into the cache (once); returns the checked local file."""
    target = cached_path(entry)
    if target.exists():
        return target
    if not entry.url.startswith(("http://", "https://")):
        raise DownloadError(f"Dataset '{entry.name}': only http(s) URLs can be downloaded, not {entry.url}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False)
    partial = Path(handle.name)
    try:
        digest = hashlib.sha256()
        with handle, urllib.request.urlopen(entry.url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0)
            received = 0
            for block in iter(lambda: response.read(1 << 16), b""):
                handle.write(block)
                digest.update(block)
                received += len(block)
                if progress:
                    progress(received, total)
            if total and received < total:
                raise DownloadError(f"Dataset '{entry.name}': the download stopped after {received} of"
                                    f" {total} bytes. Run 'zoo data get {entry.name}' again.")
        if digest.hexdigest() != entry.sha256.lower():
            raise DownloadError(f"Dataset '{entry.name}': checksum mismatch for {entry.url} (expected sha256"
                                f" {entry.sha256}, got {digest.hexdigest()}). Nothing was saved; check the"
                                " URL or the sha256 in the registry.")
        os.replace(partial, target)
        return target
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        raise DownloadError(f"Dataset '{entry.name}': cannot download {entry.url} ({error}). Nothing was saved; try"
                            f" 'zoo data get {entry.name}' again when the address answers, or download the file"
                            " yourself and pass its path: --data FILE.") from None
    finally:
        partial.unlink(missing_ok=True)


def resolve(data: str | None, registry, fetch: bool = True) -> DataSource:
    """``--data`` (a path or a registry name, or None for the demo set) -> a local file."""
    name = data or DEFAULT_DATASET
    entry = registry.datasets.get(name)
    if entry is None:
        path = Path(name).expanduser()
        if path.exists() or os.sep in name or "." in Path(name).name:
            return DataSource(path=path)

        close = difflib.get_close_matches(name, list(registry.datasets), n=2)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise DataError(f"'{name}' is neither a file nor a named dataset.{hint}"
                        " Run 'zoo data list' for named datasets, or give a path to a .csv/.tsv/.jsonl file.")
    if entry.url:
        path = download(entry) if fetch else cached_path(entry)
    else:
        path = entry.local_path()
        if not path.exists():
            raise DataError(f"Dataset '{name}' points to {path}, which does not exist"
                            f" (declared in {entry.source}).")
    return DataSource(path=path, entry=entry)


def resolve_source(options, zoo) -> DataSource:
    """The data a run's :class:`nlpzoo.kinds.DataOptions` names, made local."""
    return resolve(options.data, zoo.registry)


def source_info(source: DataSource, dataset, options) -> dict:
    """What a run records about its data: enough to find it again and to notice a change."""
    return {"path": str(Path(source.path).resolve()), "name": source.name, "text_col": dataset.text_col,
            "score_col": dataset.score_col, "format": options.fmt or source.fmt, "sha256": sha256_of(Path(source.path)),
            "rows_in": dataset.rows_in, "rows_kept": len(dataset), "dropped": dataset.dropped}
