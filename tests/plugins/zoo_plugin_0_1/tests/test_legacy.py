"""This plugin's own tests, as written for nlp-zoo 0.1 (they import nlp-zoo 0.1's module names)."""
from nlpzoo.classifier import FitSettings, LabeledTexts
from nlpzoo.generation import check_sampling

from zoo_legacy_0_1.char_ngram import CharNgram
from zoo_legacy_0_1.naive_bayes import NaiveBayes


def test_naive_bayes_learns(tmp_path):
    train = LabeledTexts(["جيد جدا", "ممتاز جيد", "سيء جدا", "رديء سيء"], [1, 1, 0, 0], 2)
    model = NaiveBayes()
    model.fit(train, train, FitSettings(seed=1))
    assert model.predict_proba(["جيد"])[0][1] > 0.5
    model.save(tmp_path)
    fresh = NaiveBayes()
    fresh.load(tmp_path)
    assert (fresh.predict_proba(["سيء"]) == model.predict_proba(["سيء"])).all()


def test_char_ngram_generates(tmp_path):
    model = CharNgram(order=2)
    model.train(["سلام عليكم", "سلام"], [], FitSettings(), tmp_path)
    check_sampling(5, 1.0, 0, 1.0, 1.0, 1)
    assert model.generate("سل", max_new_tokens=2, do_sample=False, seed=1)[0] == "ام"
