"""Score regression end to end: zoo run --regressor, predict prints scores, evaluate, bench, errors."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from nlpzoo.cli import main
from tests.helpers import TINY

TINY_ARGS = [arg for k, v in TINY.items() for arg in ("--param", f"{k}={v}")]

CONSTANT = """
import numpy as np
from nlpzoo import Component, Param, hookimpl

class Hundred:
    def fit(self, train, validation, settings):
        return {"epochs": [], "interrupted": False}
    def predict(self, texts):
        return np.arange(len(texts), dtype=float) + 100.0
    def save(self, directory):
        (directory / "nothing.json").write_text("{}")
    def load(self, directory, device="cpu"):
        pass

@hookimpl
def register_regressors(register):
    register(Component(name="hundred", description="predicts 100 and up", factory=Hundred))
"""


def zoo(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module", params=["bigru", "tfidf-ridge"])
def regression_run(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("regression") / request.param
    args = TINY_ARGS + ["--param", "epochs=6"] if request.param == "bigru" else []
    result = zoo("run", "--regressor", request.param, *args, "--out", str(out), "--no-progress", "--json")
    assert result.exit_code == 0, result.output
    return out, json.loads(result.output)


def test_a_regression_run_directory(regression_run):
    out, metrics = regression_run
    record = json.loads((out / "zoo_run.json").read_text())
    assert record["kind"] == "regressor" and record["status"] == "complete" and record["score_range"] == [0, 10]
    assert record["preprocess"] == ["tokenize"]
    for name in ("predicted_vs_true.png", "residuals.png", "split.json", "metrics.json"):
        assert (out / name).is_file(), name
    assert not (out / "confusion_matrix.png").exists()
    for key in ("mae", "rmse", "r2", "pearson", "spearman", "within_1"):
        assert isinstance(metrics[key], float), key
    assert metrics["spearman"] > 0.5, metrics["spearman"]  # the demo's scores are learnable
    points = np.array(json.loads((out / "metrics.json").read_text())["test_points"])
    assert len(points) == metrics["test_rows"] and points[:, 1].min() >= 0 and points[:, 1].max() <= 10


def test_predict_prints_scores_and_evaluate_repeats_the_run(regression_run, tmp_path):
    out, metrics = regression_run
    predicted = zoo("predict", str(out), "--json", "الطعام لذيذ جدا والخدمة ممتازة", "المكان قذر جدا ولن أعود")
    assert predicted.exit_code == 0, predicted.output
    good, bad = (json.loads(line) for line in predicted.output.splitlines())
    assert set(good) == {"text", "score"} and good["score"] > bad["score"]
    table = zoo("predict", str(out), "الطعام لذيذ")
    assert "score" in table.output and "label" not in table.output
    again = json.loads(zoo("evaluate", str(out), "--json").output)
    assert again["spearman"] == pytest.approx(metrics["spearman"]) and again["mae"] == pytest.approx(metrics["mae"])
    new = tmp_path / "new.csv"
    new.write_text("text,score\nالطعام لذيذ جدا والخدمة ممتازة,9\nالمكان قذر ولن أعود,1\nمقبول,5\n", "utf-8")
    scored = json.loads(zoo("evaluate", str(out), "--data", str(new), "--json").output)
    assert scored["support"] == 3 and "mae" in scored


def test_predictions_are_clipped_to_the_declared_score_range(install_plugin, tmp_path):
    install_plugin("zoo-hundred", "hundred", "zoo_hundred_plugin", CONSTANT)
    out = tmp_path / "h"
    result = zoo("run", "--regressor", "hundred", "--score-range", "0,10", "--out", str(out), "--no-progress", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(zoo("predict", str(out), "--json", "نص").output)["score"] == 10.0


@pytest.mark.parametrize("content, args, message", [
    ("text,score\n" + "".join(f"نص {i},جيد\n" for i in range(20)), [], "is not a number"),
    ("text,score\n" + "".join(f"نص {i},5\n" for i in range(20)), [], "every score in 'score' is 5"),
    ("text,score\n" + "".join(f"نص {i},{i % 10}\n" for i in range(30)), ["--discretize", "bins:0,4,7,10"],
     "--discretize bins:0,4,7,10 is for classifiers"),
    ("text,score\n" + "".join(f"نص {i},{i}\n" for i in range(30)), ["--score-range", "0,10"],
     "outside the declared range"),
])
def test_bad_regression_data_is_one_clear_error(tmp_path, content, args, message):
    path = tmp_path / "data.csv"
    path.write_text(content, "utf-8")
    result = zoo("run", "--regressor", "tfidf-ridge", "--data", str(path), *args, "--out", str(tmp_path / "r"))
    assert result.exit_code == 2 and message in result.output and "unexpected" not in result.output, result.output
    assert not (tmp_path / "r").exists()


def test_the_split_keeps_every_score_range_in_each_part():
    from nlpzoo.machinery.discovery import get_zoo
    from nlpzoo.kinds import DataOptions, get_kind
    from nlpzoo.kinds.regressor import stratification_bins

    prepared = get_kind("regressor").prepare(DataOptions(preprocess=None), get_zoo(), log=lambda m: None)
    bins = stratification_bins(prepared.scores)
    assert len(set(bins)) >= 3
    for part in ("train", "validation", "test"):
        assert {bins[i] for i in getattr(prepared.split, part)} == set(bins), part
    assert stratification_bins([1, 1, 1, 2, 2, 2, 3, 3, 3]) == [0, 0, 0, 1, 1, 1, 2, 2, 2]  # ratings: one stratum each


def test_bench_prints_a_regression_table_sorted_by_spearman(tmp_path):
    result = zoo("bench", "--classifiers", "none", "--regressors", "tfidf-ridge,gru", "--epochs", "4", *TINY_ARGS,
                 "--out", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    lines = json.loads(result.output)["summaries"]["regressor"]
    assert [line["regressor"] for line in lines] and all(line["error"] is None for line in lines)
    assert [line["spearman"] for line in lines] == sorted((line["spearman"] for line in lines), reverse=True)
    assert "| Spearman |" in (tmp_path / "table.md").read_text() and "<h2>Regressors</h2>" in (tmp_path / "report.html").read_text()


def test_tfidf_ridge_on_the_real_readability_ratings(shared_data, tmp_path):
    result = zoo("run", "--regressor", "tfidf-ridge", "--data", str(shared_data / "readability_readmepp_ar.csv"),
                 "--text-col", "sentence", "--score-col", "readability", "--score-range", "1,6", "--out",
                 str(tmp_path / "r"), "--no-progress", "--json")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert metrics["spearman"] > 0.65 and metrics["mae"] < 0.8, metrics  # reference protocol: 0.739 / 0.714
    recurrent = zoo("run", "--regressor", "gru", "--data", "readability", "--param", "epochs=3", "--out",
                    str(tmp_path / "gru"), "--no-progress", "--json")
    assert recurrent.exit_code == 0, recurrent.output
    assert json.loads(recurrent.output)["spearman"] > 0.4  # learns the ratings (0.636 with the default 8 epochs)
