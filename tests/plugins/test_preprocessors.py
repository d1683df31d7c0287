"""Each preprocessor on Arabic examples with expected outputs, the chain, and `zoo preprocess`."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nlpzoo.cli import main
from nlpzoo.data.tables import load_dataset
from nlpzoo.machinery.discovery import get_zoo
from nlpzoo.foundations.errors import UnknownComponentError, ZooError
from nlpzoo.data.preprocessing import build_chain


def step(name, **params):
    return get_zoo().create("preprocessor", name, **params)


@pytest.mark.parametrize("text, expected", [
    ("الطَّعَامُ لَذِيذٌ", "الطعام لذيذ"),                      # diacritics
    ("جميـــــل", "جميل"),                                     # tatweel
    ("أحمد إلى آخر ٱلكتاب", "احمد الي اخر الكتاب"),            # alef forms, alef maqsura
    ("جميلللللل جداااا", "جميل جدا"),                          # letter runs
    ("رائع 😍👍 http://t.co/x @user #مطعم www.x.com", "رائع"),  # emoji, URLs, mentions, hashtags
    ("٣ نجوم من ١٠", "3 نجوم من 10"),                          # Arabic-Indic digits
])
def test_normalize_defaults(text, expected):
    assert step("normalize").transform([text]) == [expected]


def test_normalize_switches():
    assert step("normalize", ta_marbuta=True).transform(["مدرسة جميلة"]) == ["مدرسه جميله"]
    assert step("normalize", alef=False, ya=False).transform(["أحمد إلى"]) == ["أحمد إلى"]
    assert step("normalize", latin=True).transform(["المطعم good جدا"]) == ["المطعم جدا"]
    assert step("normalize", digits="remove").transform(["غرفة 12 و٣"]) == ["غرفة و"]
    assert step("normalize", digits="keep").transform(["٣"]) == ["٣"]
    assert step("normalize", emoji=False).transform(["رائع 😍"]) == ["رائع 😍"]


def test_tokenize_splits_punctuation_in_batches():
    out = step("tokenize", batch_size=2).transform(["مرحبا، كيف حالك؟", "السعر (جيد).", "نص"])
    assert out == ["مرحبا ، كيف حالك ؟", "السعر ( جيد).", "نص"]  # spaCy's ar rules keep ")." together


def test_stopwords_match_raw_and_normalised_forms(tmp_path):
    assert step("stopwords").transform(["هذا المطعم في المدينة إلى أين"]) == ["المطعم المدينة"]
    assert step("stopwords").transform(["ذهبت الي المطعم"]) == ["ذهبت المطعم"]  # normalised إلى
    extra = tmp_path / "extra.txt"
    extra.write_text("المطعم\n", "utf-8")
    assert step("stopwords", extra_file=str(extra)).transform(["هذا المطعم جميل"]) == ["جميل"]
    with pytest.raises(ZooError, match="does not exist"):
        step("stopwords", extra_file=str(tmp_path / "none.txt"))


def test_isri_stems_to_roots_and_leaves_other_words():
    assert step("isri").transform(["المطاعم الجميلة والمدرسة hello 2"]) == ["طعم جمل درس hello 2"]


def test_snowball_light_stemming():
    assert step("snowball").transform(["المطاعم الجميلة يكتبون"]) == ["مطاعم جميل يكتب"]


def test_qalsadi_lemmatises_offline_and_caches_word_types():
    lemmatizer = step("qalsadi-lemma")
    assert lemmatizer.transform(["المطاعم الجميلة", "المطاعم"]) == ["مطعم جميل", "مطعم"]
    assert set(lemmatizer.cache) == {"المطاعم", "الجميلة"}


def test_wordwise_cache_computes_each_type_once():
    stemmer = step("isri")
    calls = []
    original = stemmer.map_word
    stemmer.map_word = lambda w: calls.append(w) or original(w)
    stemmer.transform(["المطاعم المطاعم", "المطاعم"])
    assert calls == ["المطاعم"]


def test_chain_runs_in_order_and_explains():
    chain = build_chain("normalize,tokenize,stopwords,isri")
    assert chain.transform(["الطعامُ لذيـــذ جداً في هذا المطعم!!"]) == ["طعم لذذ طعم ! !"]
    shown = chain.explain("الطعامُ لذيذ")
    assert [s for s, _ in shown] == ["input", "normalize", "tokenize", "stopwords", "isri"]
    assert shown[-1][1] == "طعم لذذ"


def test_unknown_step_suggests():
    with pytest.raises(UnknownComponentError, match="Unknown preprocessor 'normalise'. Did you mean: normalize"):
        build_chain("normalise,tokenize")


def test_preprocess_command_shows_each_step():
    result = CliRunner().invoke(main, ["preprocess", "--steps", "normalize,isri", "--json", "المطاعمُ"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"step": "input", "text": "المطاعمُ"},
                                         {"step": "normalize", "text": "المطاعم"}, {"step": "isri", "text": "طعم"}]


def test_whole_chain_over_the_restaurant_reviews(shared_data):
    data = load_dataset(shared_data / "restaurant_reviews_qaym.csv", score_col="polarity")
    assert data.rows_in == 8364  # the README's row count: rows in = kept + dropped
    assert len(data) + sum(data.dropped.values()) == data.rows_in
    out = build_chain("normalize,tokenize,stopwords,isri").transform(data.texts)
    assert len(out) == len(data)
    assert sum(bool(t) for t in out) > 0.99 * len(out)


def write_tiny_stanza_model_dir(root):
    """A stanza model folder the test writes itself: resources.json and a dictionary lemmatizer
    trained and saved with stanza's own Trainer (what stanza.download would have put there)."""
    from stanza.models.lemma.trainer import Trainer
    from stanza.models.lemma.vocab import MultiVocab, Vocab

    triples = [["المطاعم", "NOUN", "مطعم"], ["الجميلة", "ADJ", "جميل"], ["يكتبون", "VERB", "كتب"]]
    vocab = MultiVocab({"char": Vocab(list("".join(w for w, _, _ in triples)), "ar"),
                        "pos": Vocab([p for _, p, _ in triples], "ar")})
    trainer = Trainer(args={"dict_only": True, "lang": "ar", "shorthand": "ar_zoo"}, vocab=vocab, device="cpu")
    trainer.train_dict(triples)
    (root / "ar" / "lemma").mkdir(parents=True)
    trainer.save(str(root / "ar" / "lemma" / "default.pt"))
    (root / "resources.json").write_text("{}", "utf-8")
    return root


def test_stanza_lemma_runs_stanza_on_a_model_the_test_built(tmp_path):
    model_dir = write_tiny_stanza_model_dir(tmp_path / "stanza")
    lemmatizer = step("stanza-lemma", model_dir=str(model_dir), processors="tokenize,lemma")
    assert lemmatizer.transform(["المطاعم الجميلة", "", "يكتبون نصا"]) == ["مطعم جميل", "", "كتب نصا"]


def test_stanza_lemma_without_models_says_how_to_fetch_them(tmp_path):
    with pytest.raises(ZooError) as caught:
        step("stanza-lemma", model_dir=str(tmp_path / "empty"))
    message = str(caught.value)
    assert f"stanza.download('ar', model_dir='{tmp_path / 'empty'}')" in message
    assert "Traceback" not in message


def test_tokenize_gives_spacys_own_tokens_on_the_real_reviews(shared_data):
    """The word-type cache and the letters-only fast path must not change spaCy's output."""
    import spacy

    texts = load_dataset(shared_data / "restaurant_reviews_qaym.csv", score_col="polarity").texts[:1500]
    nlp = spacy.blank("ar")
    expected = [" ".join(t.text for t in doc if not t.is_space) for doc in nlp.pipe(texts)]
    assert step("tokenize").transform(texts) == expected


@pytest.mark.parametrize("text, expected", [("1000 ريال", "1000 ريال"), ("١٠٠٠", "1000"), ("1,000", "1,000"),
                                            ("جميلللل!!!", "جميل!!!"), ("wooow", "wow")])
def test_normalize_squashes_repeated_letters_never_digits(text, expected):
    assert step("normalize").transform([text]) == [expected]
