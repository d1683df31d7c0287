"""`zoo bench`: same split for every model, mean/std over seeds, failures as rows, --jobs, --compare."""
from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlpzoo.cli import main
from tests.conftest import forget_example_modules
from tests.helpers import toy_classifier_plugin

TINY = ["--param", "hidden_size=16", "--param", "embedding_dim=16", "--param", "batch_size=16", "--epochs", "2"]

FAILING = toy_classifier_plugin("exploding", 'raise MemoryError("pretend the GPU ran out of memory")',
                                "always fails")


def bench(*args):
    return CliRunner().invoke(main, ["bench", *args])


@pytest.fixture(scope="module")
def two_seed_bench(tmp_path_factory, example_plugin_site):
    import sys

    from nlpzoo.machinery import discovery

    sys.path.insert(0, str(example_plugin_site))
    discovery.reset()
    try:
        out = tmp_path_factory.mktemp("bench")
        result = bench("--classifiers", "gru,tfidf-logreg,naive-bayes", *TINY, "--seeds", "13,14", "--threads", "1",
                       "--out", str(out), "--json")
    finally:
        sys.path.remove(str(example_plugin_site))
        forget_example_modules()
        discovery.reset()
    assert result.exit_code == 0, result.output
    return out, json.loads(result.output)


def test_bench_writes_every_table_file(two_seed_bench):
    out, _ = two_seed_bench
    assert {"table.md", "results.csv", "results.json", "report.html"} <= {p.name for p in out.iterdir()}
    table = (out / "table.md").read_text("utf-8")
    for name in ["gru", "tfidf-logreg", "naive-bayes"]:
        assert f"| {name} |" in table
    html = (out / "report.html").read_text("utf-8")
    assert html.count("data:image/png;base64,") >= 3 + 6  # bar charts + a confusion matrix per run
    with open(out / "results.csv", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 6
    env = json.loads((out / "results.json").read_text())["environment"]
    assert {"nlp_zoo", "torch", "device", "threads_per_job", "command"} <= set(env)


def test_every_model_sees_the_same_split(two_seed_bench):
    out, _ = two_seed_bench
    for seed in (13, 14):
        splits = [json.loads((out / "runs" / "classifiers" / f"{name}-seed{seed}" / "split.json").read_text())
                  for name in ("gru", "tfidf-logreg", "naive-bayes")]
        assert splits[0]["test"] == splits[1]["test"] == splits[2]["test"]
        assert splits[0]["train"] == splits[1]["train"] == splits[2]["train"]
    first = json.loads((out / "runs" / "classifiers" / "gru-seed13" / "split.json").read_text())
    second = json.loads((out / "runs" / "classifiers" / "gru-seed14" / "split.json").read_text())
    assert first["test"] != second["test"]


def test_mean_and_std_over_seeds(two_seed_bench):
    out, printed = two_seed_bench
    runs = json.loads((out / "results.json").read_text())["runs"]
    for line in printed["summary"]:
        values = [r["macro_f1"] for r in runs if r["classifier"] == line["classifier"]]
        assert len(values) == 2
        assert line["macro_f1"] == pytest.approx(statistics.mean(values))
        assert line["macro_f1_std"] == pytest.approx(statistics.stdev(values))
    assert [s["macro_f1"] for s in printed["summary"]] == sorted((s["macro_f1"] for s in printed["summary"]), reverse=True)


def test_a_failing_plugin_gets_a_row_and_the_others_go_on(install_plugin, tmp_path):
    install_plugin("zoo-exploding", "exploding", "zoo_exploding_plugin", FAILING)
    result = bench("--classifiers", "exploding,tfidf-logreg", "--out", str(tmp_path / "b"), "--json")
    assert result.exit_code == 1
    summary = {s["classifier"]: s for s in json.loads(result.output.split("\nSome models failed")[0])["summary"]}
    error = summary["exploding"]["error"]  # the plugin's own failure, named as the plugin's
    assert "MemoryError: pretend the GPU ran out of memory" in error and "zoo-exploding" in error
    assert summary["tfidf-logreg"]["error"] is None and summary["tfidf-logreg"]["macro_f1"] > 0.5
    assert "MemoryError" in (tmp_path / "b" / "table.md").read_text()


def test_parallel_jobs_give_the_same_metrics(tmp_path):
    args = ["--classifiers", "gru,birnn", *TINY, "--seeds", "13", "--threads", "1", "--json"]
    one = bench(*args, "--jobs", "1", "--out", str(tmp_path / "one"))
    two = bench(*args, "--jobs", "2", "--out", str(tmp_path / "two"))
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    metrics = lambda r: {s["classifier"]: (s["macro_f1"], s["accuracy"]) for s in json.loads(r.output)["summary"]}
    assert metrics(one) == metrics(two)


@pytest.fixture
def eight_quiet_cores(monkeypatch):
    """A machine of 8 usable cores with nothing else running, so division shows on any real machine."""
    from nlpzoo.foundations import threads

    monkeypatch.delenv("NLPZOO_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 8)
    monkeypatch.setattr(threads, "others_busy_cores", lambda **_: 0.0)
    monkeypatch.setattr(threads, "_last_measure", None)


def test_parallel_jobs_divide_the_cores_between_them(tmp_path, eight_quiet_cores):
    import nlpzoo

    result = nlpzoo.bench(["gru", "tfidf-logreg"], params={"hidden_size": 8, "embedding_dim": 8}, epochs=1, jobs=2,
                          out=tmp_path / "b")
    assert [row["threads"] for row in result.rows] == [4, 4]  # each worker's own torch threads
    assert result.environment["threads_per_job"] == 4
    assert result.environment["thread_plan"] == {"threads": 4, "source": "measured", "usable_cores": 8,
                                                 "others_busy": 0.0, "workers": 2}
    runs = [json.loads((Path(row["run_dir"]) / "metrics.json").read_text()) for row in result.rows]
    assert [m["thread_plan"]["workers"] for m in runs] == [2, 2]   # each run records the bench's plan


def test_zoo_bench_jobs_divides_the_free_cores_between_the_jobs(tmp_path, eight_quiet_cores, monkeypatch):
    from nlpzoo.foundations import threads

    monkeypatch.setattr(threads, "others_busy_cores", lambda **_: 2.0)   # two cores taken: 6 free, 3 per job
    result = bench("--classifiers", "gru,tfidf-logreg", *TINY, "--jobs", "2", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Torch threads: 3 per worker x 2 (8 usable cores, other processes using 2.0 of them)" in result.output
    written = json.loads((tmp_path / "results.json").read_text())
    assert written["environment"]["threads_per_job"] == 3
    assert [row["threads"] for row in written["runs"]] == [3, 3]  # what each worker process really set


def test_compare_shows_the_change(tmp_path):
    first = bench("--classifiers", "tfidf-logreg", "--out", str(tmp_path / "a"), "--json")
    second = bench("--classifiers", "tfidf-logreg", "--param", "C=0.01", "--out", str(tmp_path / "b"),
                   "--compare", str(tmp_path / "a" / "results.json"), "--json")
    change = json.loads(second.output)["changes"][0]
    before = json.loads(first.output)["summary"][0]["macro_f1"]
    after = json.loads(second.output)["summary"][0]["macro_f1"]
    assert change["macro_f1_change"] == pytest.approx(after - before)


def test_compare_shows_the_change_for_each_kind_in_its_own_metrics(tmp_path):
    """A regressor bench compares its Spearman and MAE (a kind states what --compare shows);
    nothing in the command names a kind."""
    first = bench("--classifiers", "none", "--regressors", "tfidf-ridge", "--out", str(tmp_path / "a"), "--json")
    second = bench("--classifiers", "none", "--regressors", "tfidf-ridge", "--param", "alpha=30",
                   "--out", str(tmp_path / "b"), "--compare", str(tmp_path / "a" / "results.json"), "--json")
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    change = json.loads(second.output)["changes"][0]
    before, after = (json.loads(r.output)["summaries"]["regressor"][0] for r in (first, second))
    assert (change["kind"], change["regressor"]) == ("regressor", "tfidf-ridge")
    assert change["spearman_change"] == pytest.approx(after["spearman"] - before["spearman"])
    assert change["mae_change"] == pytest.approx(after["mae"] - before["mae"]) and change["mae_change"] != 0
    shown = bench("--classifiers", "none", "--regressors", "tfidf-ridge", "--out", str(tmp_path / "c"),
                  "--compare", str(tmp_path / "b" / "results.json"))
    table = shown.output[shown.output.index("regressors: change since"):]
    assert shown.exit_code == 0 and "Spearman" in table and "MAE" in table and "tfidf-ridge" in table


def test_unknown_classifier_fails_before_training(tmp_path):
    result = bench("--classifiers", "gru,lstmm", "--out", str(tmp_path))
    assert result.exit_code == 2 and "Did you mean: lstm" in result.output


def test_generators_get_their_own_table(tmp_path):
    args = ["--classifiers", "none", "--generators", "gpt2", "--epochs", "1", "--eval-texts", "3", "--out", str(tmp_path),
            "--json"]
    for key, value in {"n_layer": 1, "n_embd": 32, "n_head": 2, "vocab_size": 500, "block_size": 32}.items():
        args += ["--param", f"{key}={value}"]
    result = bench(*args)
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)["summaries"]["generator"][0]
    assert line["generator"] == "gpt2" and line["error"] is None
    run = json.loads((tmp_path / "results.json").read_text())["runs"][0]   # the table reports what the run measured
    with open(f"{run['run_dir']}/metrics.json", encoding="utf-8") as handle:
        measured = json.load(handle)
    for key in ["test_perplexity", "bleu", "chrf", "train_tokens_per_second", "generation_tokens_per_second"]:
        assert line[key] is not None and line[key] == pytest.approx(measured[key]), key
    assert line["test_perplexity"] > 1 and line["train_tokens_per_second"] > 0 and line["generation_tokens_per_second"] > 0
    assert "| gpt2 |" in (tmp_path / "table.md").read_text()
    assert "<h2>Generators</h2>" in (tmp_path / "report.html").read_text()


def test_a_generator_that_is_not_a_transformer_is_benchmarked_and_run_like_gpt2(example_plugin, tmp_path):
    """No Hugging Face tokenizer needed: the zoo scores char-ngram through log_likelihood and count_tokens."""
    result = bench("--classifiers", "none", "--generators", "char-ngram", "--eval-texts", "3", "--param", "order=3",
                   "--out", str(tmp_path / "b"), "--json")
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)["summaries"]["generator"][0]
    assert line["generator"] == "char-ngram" and line["error"] is None
    assert 1 < line["test_perplexity"] < 100  # characters: a real model is far below the alphabet size
    assert line["generation_tokens_per_second"] > 0 and line["chrf"] > 0
    run = CliRunner().invoke(main, ["run", "--generator", "char-ngram", "--eval-texts", "2", "--out",
                                    str(tmp_path / "r"), "--no-progress"])
    assert run.exit_code == 0, run.output
    assert "zoo generate" in run.output and "AutoModelForCausalLM" not in run.output
    generated = CliRunner().invoke(main, ["generate", str(tmp_path / "r"), "--prompt", "الطعام", "--seed", "1",
                                          "--json"])
    assert generated.exit_code == 0 and json.loads(generated.output)["generations"][0]


def test_the_report_page_states_its_conditions_and_draws_every_section(tmp_path):
    """report.html's structure: the conditions, a table and charts per kind, error bars over seeds,
    one colour per model across charts, confusion matrices with a normalised view; self-contained."""
    from html.parser import HTMLParser

    result = bench("--classifiers", "tfidf-logreg,gru", "--regressors", "tfidf-ridge", *TINY, "--seeds", "13,14",
                   "--out", str(tmp_path / "r"), "--json")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "r" / "report.html").read_text("utf-8")

    class Structure(HTMLParser):
        def __init__(self):
            super().__init__()
            self.terms, self.sections, self.images, self.links, self.current = [], [], [], [], None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            self.current = tag
            if tag == "section":
                self.sections.append(attrs["id"])
            if tag == "img":
                self.images.append(attrs["alt"])
                assert attrs["src"].startswith("data:image/png;base64,")  # self-contained
            if tag in ("link", "script"):
                self.links.append(attrs)

        def handle_data(self, data):
            if self.current == "dt":
                self.terms.append(data)

    structure = Structure()
    structure.feed(page)
    assert structure.terms == ["data", "split", "seeds", "epochs (budget)", "preprocessing", "date", "command",
                               "machine", "versions"]
    assert structure.sections == ["classifiers", "regressors", "confusion"] and not structure.links
    assert "macro-F1 (test) (mean ± std over seeds)" in structure.images and "Spearman (test) (mean ± std over seeds)" in structure.images
    assert sum(alt.startswith("confusion matrix: ") for alt in structure.images) == 4  # 2 classifiers x 2 seeds
    assert "13,14" in page and "70% train / 10% validation / 20% test" in page
    from nlpzoo.workflows.bench_report import model_colours

    colours = model_colours({"classifier": [{"classifier": "gru"}, {"classifier": "tfidf-logreg"}],
                             "regressor": [{"regressor": "tfidf-ridge"}, {"regressor": "gru"}]})
    assert len(colours) == 3 and len(set(colours.values())) == 3  # gru keeps one colour in every chart
