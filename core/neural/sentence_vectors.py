"""Sentence vectors from any pre-trained encoder (a hub id or a transformers folder), frozen, and
cached by content.

:class:`SentenceEncoder` pools an encoder's last hidden states into one vector per text (``mean``
over the real tokens, what e5 and sentence-transformers models were trained with, or ``first``,
the [CLS] token) after an optional prefix (e5 expects ``"query: "``), in length-sorted batches. The
vectors of every text it has seen are kept under the cache (``$ZOO_CACHE_DIR/../sentence-vectors``),
keyed by the encoder's identity (its files' names, sizes and times, or its hub id), the pooling, the
prefix and the length limit, then by each text's sha256: a benchmark over several seeds, or a
tuning study, encodes each text once.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from ..data.datasets import cache_dir
from ..foundations.atomic import atomic_path
from ..foundations.errors import ZooError


POOLINGS = ("mean", "first")


def encoder_identity(model: str) -> str:
    """What names the encoder's weights: for a folder, its resolved path and each file's name, size
    and modification time (a changed file is another encoder); for a hub id, the id."""
    folder = Path(os.path.expanduser(model))
    if not folder.is_dir():
        return f"hub:{model}"
    files = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file())
    return json.dumps({"folder": str(folder.resolve()), "files": files})


class VectorCache:
    """Vectors by text sha256 in shards (safetensors: ``hashes`` and ``vectors``) of one folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.index: dict[bytes, np.ndarray] = {}
        for shard in sorted(folder.glob("*.safetensors")) if folder.is_dir() else []:
            from safetensors import SafetensorError
            from safetensors.numpy import load_file

            try:
                saved = load_file(str(shard))
                hashes, vectors = saved["hashes"], saved["vectors"]
            except (SafetensorError, OSError, KeyError, ValueError):
                continue  # a damaged shard is recomputed, never trusted
            if hashes.ndim != 2 or hashes.shape[1] != 32 or len(hashes) != len(vectors):
                continue
            self.index.update({h.tobytes(): v for h, v in zip(hashes, vectors)})

    def add(self, hashes: list[bytes], vectors: np.ndarray) -> None:
        from safetensors.numpy import save_file

        if not hashes:
            return
        self.index.update(zip(hashes, vectors))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256(b"".join(hashes)).hexdigest()[:24]
            with atomic_path(self.folder / f"{digest}.safetensors") as temporary:
                save_file({"hashes": np.frombuffer(b"".join(hashes), np.uint8).reshape(-1, 32),
                           "vectors": np.ascontiguousarray(vectors, dtype=np.float32)}, str(temporary))
        except (OSError, ZooError):
            pass  # a cache that cannot be written only costs time


class SentenceEncoder:
    """Frozen vectors of ``model``: ``encode(texts) -> (len(texts), hidden)`` float32."""

    def __init__(self, model: str, pooling: str = "mean", text_prefix: str = "", max_length: int = 256,
                 batch_size: int = 32, device: str = "cpu", cache: bool = True):
        if pooling not in POOLINGS:
            raise ZooError(f"pooling must be one of {', '.join(POOLINGS)}, got {pooling!r}.")
        self.model, self.pooling, self.text_prefix = model, pooling, text_prefix
        self.max_length, self.batch_size, self.device = max_length, batch_size, device
        self.network = self.tokenizer = None
        self.cache = None
        if cache:
            key = hashlib.sha256(json.dumps([encoder_identity(model), pooling, text_prefix, max_length]).encode())
            self.cache = VectorCache(cache_dir().parent / "sentence-vectors" / key.hexdigest()[:32])

    def _load(self) -> None:
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        from .tokenizers import safe_from_pretrained

        local = Path(os.path.expanduser(self.model))
        source = str(local.resolve()) if local.exists() else self.model
        verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
        hf_logging.set_verbosity_error()  # "pooler weights newly initialised": expected, the pooler is not used
        hf_logging.disable_progress_bar()
        try:
            self.tokenizer = safe_from_pretrained(AutoTokenizer, source)
            self.network = safe_from_pretrained(AutoModel, source, use_safetensors=True)
        except (OSError, ValueError) as error:
            raise ZooError(f"Cannot load the encoder '{self.model}' ({str(error).splitlines()[0][:160]}). Give a"
                           " transformers folder (zoo convert e5 FOLDER makes one offline) or a hub id while"
                           " online.") from None
        finally:
            hf_logging.set_verbosity(verbosity)
            if bars:  # as it was: the encoder plugin keeps transformers' bars off for the whole process
                hf_logging.enable_progress_bar()
        self.network.to(self.device).eval()

    @property
    def dim(self) -> int:
        if self.network is None:
            self._load()
        return int(self.network.config.hidden_size)

    def encode(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        hashes = [hashlib.sha256(t.encode("utf-8")).digest() for t in texts]
        known = self.cache.index if self.cache is not None else {}
        missing = sorted({h: t for h, t in zip(hashes, texts) if h not in known}.items(), key=lambda ht: len(ht[1]))
        if missing:
            vectors = self._forward([t for _, t in missing])
            if self.cache is not None:
                self.cache.add([h for h, _ in missing], vectors)
                known = self.cache.index
            else:
                known = dict(zip((h for h, _ in missing), vectors))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([known[h] for h in hashes]).astype(np.float32)

    def _forward(self, texts: list[str]) -> np.ndarray:
        import torch

        if self.network is None:
            self._load()
        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                batch = self.tokenizer([self.text_prefix + t for t in texts[start:start + self.batch_size]],
                                       padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")
                batch = {k: v.to(self.device) for k, v in batch.items() if k in ("input_ids", "attention_mask")}
                hidden = self.network(**batch).last_hidden_state
                if self.pooling == "mean":
                    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                else:
                    pooled = hidden[:, 0]
                out.append(torch.nn.functional.normalize(pooled.float(), dim=-1).cpu().numpy())
        return np.concatenate(out)
