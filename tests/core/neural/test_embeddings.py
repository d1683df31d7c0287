"""Word vectors: `zoo embed` (gensim FastText) and the standard files users download, and the
recurrent models starting from them (`--param embeddings=PATH`)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from nlpzoo.cli import main
from nlpzoo.machinery.discovery import get_zoo
from nlpzoo.neural.embeddings import load_vectors, train_vectors
from nlpzoo.foundations.errors import ZooError
from nlpzoo.kinds import FitSettings
from nlpzoo.testing import tiny_classification_data


def write_corpus(path, texts):
    path.write_text("".join(json.dumps({"url": f"https://example.com/{i}", "text": t}, ensure_ascii=False) + "\n"
                            for i, t in enumerate(texts)), "utf-8")
    return path


def test_zoo_embed_reads_several_files_and_writes_standard_files(tmp_path):
    from gensim.models import KeyedVectors

    scrape = write_corpus(tmp_path / "scrape.jsonl", ["المطعم نظيف والطعام لذيذ جدا"] * 5 + ["خدمة سريعة ولطيفة"] * 5)
    result = CliRunner().invoke(main, ["embed", "--data", str(scrape), "--data", "demo", "-o", str(tmp_path / "v"),
                                       "--dim", "12", "--epochs", "2", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.splitlines()[-1])
    assert summary["texts"] == 10 + 420 and summary["preprocess"] == ["normalize", "tokenize"]
    assert [s["path"] for s in summary["sources"]][0] == str(scrape) and len(summary["sources"]) == 2
    words = KeyedVectors.load_word2vec_format(str(tmp_path / "v" / "vectors.vec"))
    assert words.vector_size == 12 and "سريعة" in words.key_to_index  # the scrape's words are in
    assert {p.name for p in (tmp_path / "v").iterdir()} == {"vectors.vec", "ngrams.safetensors", "embed.json"}
    binary = CliRunner().invoke(main, ["embed", "--data", "demo", "-o", str(tmp_path / "b"), "--dim", "8", "--binary",
                                       "--preprocess", "none"])
    assert binary.exit_code == 0, binary.output
    assert KeyedVectors.load_word2vec_format(str(tmp_path / "b" / "vectors.bin"), binary=True).vector_size == 8


def test_an_unknown_word_gets_fasttexts_own_subword_vector(tmp_path):
    from gensim.models import FastText

    texts = tiny_classification_data().train.texts
    settings = dict(dim=10, epochs=2, min_count=2, window=5, min_n=3, max_n=5, buckets=5000, seed=3)
    vectors = load_vectors(train_vectors(texts, tmp_path / "v", **settings))
    reference = FastText(vector_size=10, window=5, min_count=2, min_n=3, max_n=5, bucket=5000, seed=3, workers=1, sg=1)
    sentences = [t.split() for t in texts]
    reference.build_vocab(corpus_iterable=sentences)
    reference.train(corpus_iterable=sentences, total_examples=len(sentences), epochs=2)
    unseen = "والمطاعمنا"
    assert unseen not in vectors.words
    vector, how = vectors.vector(unseen)
    assert how == "ngrams" and np.allclose(vector, reference.wv[unseen], atol=1e-5)
    known = next(iter(vectors.words))
    assert vectors.vector(known)[1] == "word" and np.allclose(vectors.vector(known)[0], reference.wv[known], atol=1e-5)


def test_downloaded_vec_and_bin_files_load(tmp_path):
    from gensim.models import KeyedVectors

    vec = tmp_path / "cc.ar.300.vec"  # fastText's published text format: a header line, then word and numbers
    vec.write_text("3 4\nمطعم 0.1 0.2 0.3 0.4\nلذيذ 0.5 0.6 0.7 0.8\nخدمة -0.1 -0.2 -0.3 -0.4\n", "utf-8")
    loaded = load_vectors(vec)
    assert loaded.dim == 4 and np.allclose(loaded.vector("لذيذ")[0], [0.5, 0.6, 0.7, 0.8])
    assert loaded.vector("غير") == (None, "missing")  # a plain .vec has no n-grams
    words = KeyedVectors(vector_size=3)  # AraVec-style word2vec binary
    words.add_vectors(["مطعم", "لذيذ"], np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    words.save_word2vec_format(str(tmp_path / "aravec.bin"), binary=True)
    assert np.allclose(load_vectors(tmp_path / "aravec.bin").vector("لذيذ")[0], [4, 5, 6])
    (tmp_path / "model.mdl").write_bytes(b"\x80\x04\x95pickle")
    with pytest.raises(ZooError, match="pickles and are not read"):
        load_vectors(tmp_path / "model.mdl")


@pytest.mark.parametrize("freeze", [True, False])
def test_a_recurrent_model_starts_from_the_vectors_and_reports_coverage(tmp_path, freeze):
    data = tiny_classification_data()
    counts: dict[str, int] = {}
    for text in data.train.texts:
        for word in text.split():
            counts[word] = counts.get(word, 0) + 1
    common = sorted(counts, key=lambda w: -counts[w])[:40]
    rng = np.random.default_rng(0)
    table = {word: rng.normal(size=16).round(4) for word in common[:30]}  # 30 of the vocabulary's words
    vec = tmp_path / "some.vec"
    vec.write_text(f"{len(table)} 16\n" + "".join(f"{w} {' '.join(map(str, v))}\n" for w, v in table.items()), "utf-8")
    model = get_zoo().create("classifier", "bigru", embeddings=str(vec), freeze_embeddings=freeze, embedding_dim=16,
                             hidden_size=8, epochs=1, min_freq=1)
    messages = []
    history = model.fit(data.train, data.validation, FitSettings(progress=False, log=messages.append))
    weight = model.module.embedding.weight
    kept = [torch.allclose(weight[model.vocabulary.index[word]], torch.tensor(vector, dtype=torch.float32))
            for word, vector in table.items()]
    if freeze:  # frozen: still exactly the given vectors after training
        assert all(kept) and any(m.endswith("; frozen.") for m in messages)
    else:       # not frozen: the vectors are where training starts, and training moves them
        assert not any(kept) and not any("frozen" in m for m in messages)
    coverage = history["metrics"]
    vocabulary_words = model.vocabulary.size - 2
    assert coverage["embedding_words"] == 30 and coverage["embedding_missing_words"] == vocabulary_words - 30
    assert coverage["embedding_coverage"] == pytest.approx(30 / vocabulary_words)
    assert any("30 of" in m and "missing" in m for m in messages)


def test_vectors_of_another_size_name_the_fix(tmp_path):
    vec = tmp_path / "v.vec"
    vec.write_text("1 4\nمطعم 0.1 0.2 0.3 0.4\n", "utf-8")
    data = tiny_classification_data()
    model = get_zoo().create("classifier", "bigru", embeddings=str(vec), epochs=1)
    with pytest.raises(ZooError, match="embedding_dim=4"):
        model.fit(data.train, data.validation, FitSettings(progress=False, log=lambda m: None))


SECRET = "SECRET-LINE-do-not-print 1 2 3"


@pytest.mark.parametrize("named", ["../../../../outside/secret.vec", "/{tmp}/outside/secret.vec", "sub/../../outside/secret.vec"])
def test_a_vectors_folder_naming_a_file_outside_itself_is_refused_unread(tmp_path, named):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.vec").write_text(SECRET + "\n", "utf-8")
    folder = tmp_path / "a" / "b" / "c" / "vectors"
    folder.mkdir(parents=True)
    (folder / "embed.json").write_text(json.dumps({"vectors": named.replace("/{tmp}", str(tmp_path))}), "utf-8")
    with pytest.raises(ZooError, match="outside the folder") as caught:
        load_vectors(folder)
    assert "SECRET" not in str(caught.value)


def test_an_unreadable_vectors_file_is_an_error_that_never_prints_its_content(tmp_path):
    path = tmp_path / "bad.vec"
    path.write_text(SECRET + "\nword 0.1\n", "utf-8")
    with pytest.raises(ZooError) as caught:
        load_vectors(path)
    assert "SECRET" not in str(caught.value) and str(path) in str(caught.value)
