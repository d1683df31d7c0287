"""`zoo run`, `zoo predict`, `zoo evaluate`: the run directory and every way it can be wrong."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nlpzoo.cli import main
from tests.conftest import run_zoo
from tests.helpers import TINY, toy_classifier_plugin

TINY_PARAMS = [arg for k, v in TINY.items() for arg in ("--param", f"{k}={v}")]
RUN_FILES = {"zoo_run.json", "split.json", "metrics.json", "history.json", "model.safetensors", "vocabulary.json",
             "confusion_matrix.png", "learning_curve.png"}


def zoo(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def bigru_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "bigru"
    result = zoo("run", "--classifier", "bigru", *TINY_PARAMS, "--out", str(out), "--no-progress", "--json")
    assert result.exit_code == 0, result.output
    return out, json.loads(result.output)


def test_run_writes_every_file_of_the_run_directory(bigru_run):
    out, metrics = bigru_run
    assert RUN_FILES <= {p.name for p in out.iterdir()}
    config = json.loads((out / "zoo_run.json").read_text())
    assert config["status"] == "complete" and config["component"]["name"] == "bigru"
    assert config["kind"] == "classifier" and config["format_version"] == 2
    assert config["component"]["distribution"] == "nlp-zoo" and config["component"]["version"]
    assert config["class_names"] == ["low", "medium", "high"] and config["preprocess"] == ["normalize", "tokenize"]
    assert config["params"]["hidden_size"] == 16 and config["split"]["seed"] == 13
    assert json.loads((out / "metrics.json").read_text())["macro_f1"] == metrics["macro_f1"]
    for key in ["accuracy", "macro_f1", "macro_precision", "macro_recall", "weighted_f1", "per_class", "confusion_matrix"]:
        assert key in metrics
    assert sum(map(sum, metrics["confusion_matrix"])) == metrics["support"] == metrics["test_rows"]
    for scores in metrics["per_class"].values():  # one naming: like macro_f1, and support as an integer
        assert set(scores) == {"precision", "recall", "f1", "support"} and isinstance(scores["support"], int)
    assert (out / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    assert not list(out.glob(".*.tmp"))


def test_predict_prints_labels_and_probabilities(bigru_run):
    out, _ = bigru_run
    result = zoo("predict", str(out), "--json", "الطعام لذيذ جدا والخدمة ممتازة", "المكان غير نظيف ولن أعود")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["label"] for r in rows] == ["high", "low"]
    assert set(rows[0]["probabilities"]) == {"low", "medium", "high"}
    assert sum(rows[0]["probabilities"].values()) == pytest.approx(1, abs=1e-4)


def test_predict_batch_file_to_jsonl(bigru_run, tmp_path):
    out, _ = bigru_run
    source = tmp_path / "in.txt"
    source.write_text("الطعام لذيذ جدا\nالخدمة بطيئة جدا\n", "utf-8")
    target = tmp_path / "out.jsonl"
    result = zoo("predict", str(out), "--input", str(source), "--output", str(target))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in target.read_text("utf-8").splitlines()]
    assert [line["text"] for line in lines] == ["الطعام لذيذ جدا", "الخدمة بطيئة جدا"]


def test_evaluate_on_its_test_split_matches_the_run_and_on_new_data(bigru_run, tmp_path):
    out, metrics = bigru_run
    result = zoo("evaluate", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["macro_f1"] == pytest.approx(metrics["macro_f1"])
    new = tmp_path / "new.csv"
    new.write_text("text,score\nالطعام لذيذ جدا والخدمة ممتازة,9\nالمكان غير نظيف ولن أعود,1\n", "utf-8")
    scored = json.loads(zoo("evaluate", str(out), "--data", str(new), "--json").output)
    assert scored["support"] == 2 and scored["class_names"] == ["low", "medium", "high"]


@pytest.mark.parametrize("damage, message", [
    (lambda d: (d / "zoo_run.json").unlink(), "not a zoo run directory"),
    (lambda d: (d / "zoo_run.json").write_text("{half"), "corrupted"),
    (lambda d: (d / "zoo_run.json").write_text('{"format": "something-else"}'), "not a zoo run directory"),
    (lambda d: (d / "zoo_run.json").write_text(
        (d / "zoo_run.json").read_text().replace('"status": "complete"', '"status": "training"')), "zoo run --resume"),
    (lambda d: (d / "zoo_run.json").write_text(
        (d / "zoo_run.json").read_text().replace('"status": "complete"', '"status": "failed"')), "failed run"),
    (lambda d: (d / "model.safetensors").write_bytes(b"\x00" * 64), "cannot be loaded"),
    (lambda d: (d / "model.safetensors").unlink(), "cannot be loaded"),
])
def test_damaged_or_foreign_run_directories_are_clear_errors(bigru_run, tmp_path, damage, message):
    import shutil

    out, _ = bigru_run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    damage(copy)
    result = zoo("predict", str(copy), "نص")
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_run_errors_are_one_line_and_exit_2(tmp_path):
    result = zoo("run", "--classifier", "bigruu")
    assert result.exit_code == 2 and "Unknown classifier 'bigruu'. Did you mean: bigru" in result.output
    result = zoo("run", "--classifier", "bigru", "--param", "hidden_size=big")
    assert result.exit_code == 2 and "parameter 'hidden_size' must be int" in result.output
    result = zoo("run", "--classifier", "bigru", "--param", "hiden_size=3")
    assert result.exit_code == 2 and "unknown parameter 'hiden_size'" in result.output
    result = zoo("run", "--classifier", "bigru", "--data", str(tmp_path / "missing.csv"))
    assert result.exit_code == 2 and "missing.csv does not exist" in result.output


def test_resume_through_the_cli_continues_the_run(tmp_path):
    out = tmp_path / "r"
    first = zoo("run", "--classifier", "gru", *TINY_PARAMS, "--param", "epochs=1", "--out", str(out), "--no-progress", "--json")
    assert first.exit_code == 0, first.output
    steps = json.loads((out / "history.json").read_text())["global_step"]
    again = zoo("run", "--resume", str(out), "--param", "epochs=2", "--no-progress", "--json")
    assert again.exit_code == 0, again.output
    history = json.loads((out / "history.json").read_text())
    assert [e["epoch"] for e in history["epochs"]] == [1, 2] and history["global_step"] == 2 * steps


def test_preset_and_example_third_party_plugin_run_by_name(example_plugin, tmp_path):
    preset = zoo("run", "--classifier", "bigru-small", "--param", "epochs=1", "--out", str(tmp_path / "small"),
                 "--no-progress")
    assert preset.exit_code == 0, preset.output
    record = json.loads((tmp_path / "small" / "zoo_run.json").read_text())
    assert record["component"]["name"] == "bigru-small" and record["component"]["base"] == "bigru"
    assert record["params"]["hidden_size"] == 64 and record["params"]["embedding_dim"] == 64  # the preset's values
    result = zoo("run", "--classifier", "naive-bayes", "--out", str(tmp_path / "nb"), "--no-progress", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["accuracy"] > 0.5
    prediction = zoo("predict", str(tmp_path / "nb"), "--json", "الطعام لذيذ جدا والخدمة ممتازة")
    assert json.loads(prediction.output)["label"] == "high"


def test_zoo_run_with_no_argument_but_the_classifier_in_a_real_process(tmp_path):
    """The README's main command (with a smaller model) through the installed console script."""
    result = run_zoo("run", "--classifier", "bigru-small", "--param", "epochs=2", "--no-progress", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "macro F1" in result.stdout and "Saved to runs/" in result.stdout
    assert len(list((tmp_path / "runs").iterdir())) == 1


SHADOW = """
from nlpzoo import Component, hookimpl

class Other:
    def fit(self, train, validation, settings):
        raise AssertionError("never trained in these tests")

@hookimpl
def register_classifiers(register):
    register(Component(name="bigru", description="someone else's bigru", factory=Other))
"""

BUGGY = toy_classifier_plugin("buggy", 'return {}["epochs"]', "has a bug")


def test_a_later_plugin_named_bigru_leaves_existing_runs_listing_and_bench_working(bigru_run, install_plugin,
                                                                                   tmp_path):
    from nlpzoo.api import select_components

    install_plugin("zoo-shadow", "shadow", "zoo_shadow_plugin", SHADOW)
    out, _ = bigru_run
    predicted = zoo("predict", str(out), "--json", "الطعام لذيذ جدا والخدمة ممتازة")
    assert predicted.exit_code == 0 and json.loads(predicted.output)["label"] == "high"  # through nlp-zoo's bigru
    assert zoo("list", "--json").exit_code == 0 and zoo("plugins").exit_code == 0
    ambiguous = zoo("run", "--classifier", "bigru")
    assert ambiguous.exit_code == 2 and "nlp-zoo:bigru" in ambiguous.output
    result = zoo("bench", "--classifiers", "bigru,tfidf-logreg", "--out", str(tmp_path / "b"), "--json")
    assert result.exit_code == 0, result.output
    rows = {s["classifier"]: s for s in json.loads(result.output)["summary"]}
    assert rows["bigru"]["error"].startswith("LookupError: skipped: The classifier name 'bigru' is registered twice")
    assert rows["tfidf-logreg"]["error"] is None
    from nlpzoo.machinery.discovery import get_zoo

    everything = select_components(get_zoo(), "classifier", "all")  # what the default `zoo bench` runs
    assert [why for name, _, why in everything if name == "bigru"][0].startswith("skipped:")
    assert all(why is None for name, _, why in everything if name != "bigru")


def test_a_plugin_bug_names_the_plugin_not_the_zoo(install_plugin, tmp_path):
    install_plugin("zoo-buggy", "buggy", "zoo_buggy_plugin", BUGGY, version="0.3")
    result = zoo("run", "--classifier", "buggy", "--out", str(tmp_path / "b"), "--no-progress")
    assert result.exit_code == 1
    assert "classifier 'buggy' failed in training: KeyError: 'epochs' [plugin 'buggy' (zoo-buggy 0.3)]" in result.output
    assert "report it to the plugin's authors (zoo-buggy)" in result.output
    assert "report it if it looks like a bug" not in result.output


def test_predict_refuses_to_write_over_its_input(bigru_run, tmp_path):
    out, _ = bigru_run
    folder = tmp_path / "d"
    folder.mkdir()
    source = folder / "in.csv"
    source.write_text("text\nالطعام لذيذ جدا\n", "utf-8")
    for target in (source, folder / ".." / "d" / "in.csv"):
        result = zoo("predict", str(out), "--input", str(source), "--output", str(target))
        assert result.exit_code == 2 and "is the input file" in result.output, result.output
    assert source.read_text("utf-8") == "text\nالطعام لذيذ جدا\n"


@pytest.fixture(scope="module")
def tfidf_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("tfidf") / "run"
    result = zoo("run", "--classifier", "tfidf-logreg", "--out", str(out), "--no-progress")
    assert result.exit_code == 0, result.output
    return out


def damaged_copy(run, tmp_path, damage):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    damage(copy)
    return copy


def edit_record(folder, **changes):
    record = json.loads((folder / "zoo_run.json").read_text())
    record.update(changes)
    (folder / "zoo_run.json").write_text(json.dumps(record))


def truncate(path):
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


@pytest.mark.parametrize("damage, message", [
    (lambda d: edit_record(d, component=None), "names no component"),
    (lambda d: truncate(d / "tfidf_logreg.safetensors"), "cannot be loaded"),
    (lambda d: edit_record(d, class_names=["low", "high"]), "2 class names but its model predicts 3 classes"),
])
def test_damaged_tfidf_runs_are_clear_errors(tfidf_run, tmp_path, damage, message):
    result = zoo("predict", str(damaged_copy(tfidf_run, tmp_path, damage)), "نص")
    assert result.exit_code == 2 and message in result.output and "unexpected" not in result.output, result.output


def test_a_fewer_class_names_edit_is_refused_for_neural_runs_too(bigru_run, tmp_path):
    copy = damaged_copy(bigru_run[0], tmp_path, lambda d: edit_record(d, class_names=["low", "high"]))
    result = zoo("predict", str(copy), "نص")
    assert result.exit_code == 2 and "predicts 3 classes" in result.output


def test_a_truncated_checkpoint_on_resume_is_a_clear_error(tmp_path):
    out = tmp_path / "r"
    assert zoo("run", "--classifier", "gru", *TINY_PARAMS, "--param", "epochs=1", "--out", str(out),
               "--no-progress").exit_code == 0
    truncate(out / "checkpoint" / "last.safetensors")
    result = zoo("run", "--resume", str(out), "--param", "epochs=2", "--no-progress")
    assert result.exit_code == 2 and "Cannot resume" in result.output and "unexpected" not in result.output


@pytest.mark.parametrize("args, message", [(["--threads", "-1"], "--threads"), (["--nproc", "0"], "--nproc")])
def test_impossible_process_counts_are_refused(args, message, tmp_path):
    result = zoo("run", "--classifier", "bigru", *args, "--out", str(tmp_path / "x"))
    assert result.exit_code == 2 and message in result.output and not (tmp_path / "x").exists()


def test_predict_uses_the_same_device_default_as_run():
    predict = next(p for p in main.commands["predict"].params if p.name == "device")
    run = next(p for p in main.commands["run"].params if p.name == "device")
    assert predict.default == run.default == "auto"


def test_the_learning_curve_shows_both_losses_and_no_plot_is_drawn_without_epochs(bigru_run, tfidf_run):
    out, _ = bigru_run
    epochs = json.loads((out / "history.json").read_text())["epochs"]
    assert all(isinstance(e["val_loss"], float) and "val_macro_f1" in e for e in epochs)
    assert (out / "learning_curve.png").read_bytes()[:4] == b"\x89PNG"
    assert not (tfidf_run / "learning_curve.png").exists()  # no empty "no epochs" picture
    assert "learning curve" not in (tfidf_run / "README.md").read_text("utf-8")


def test_a_real_ctrl_c_exits_130_says_how_to_resume_and_leaves_a_loadable_run(tmp_path):
    """The console script under a real SIGINT, once the first epoch is checkpointed."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "interrupted"
    zoo_script = os.path.join(os.path.dirname(sys.executable), "zoo")
    process = subprocess.Popen([zoo_script, "run", "--classifier", "gru", *TINY_PARAMS, "--param", "epochs=500",
                                "--param", "patience=500", "--out", str(out), "--no-progress"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               # Ctrl-C as a terminal delivers it, even when these tests run where SIGINT is
                               # ignored (a shell's background job), which `zoo` would otherwise inherit.
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not (out / "checkpoint" / "trainer_state.json").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-2000:]
    assert f"Continue with: zoo run --resume {out}" in stderr
    record = json.loads((out / "zoo_run.json").read_text())
    history = json.loads((out / "history.json").read_text())
    assert record["status"] == "complete" and history["interrupted"] and 1 <= len(history["epochs"]) < 500
    assert zoo("predict", str(out), "--json", "الطعام لذيذ").exit_code == 0  # the best model so far loads
