"""One run format for every kind: what train_run promises about the run directory."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from nlpzoo.cli import main
from nlpzoo.machinery.discovery import get_zoo
from nlpzoo.foundations.errors import RunDirError
from nlpzoo.kinds import DataOptions, FitSettings, get_kind
from nlpzoo.workflows.runs import load_run, read_record, train_run
from tests.helpers import TINY, ScriptedCores

TINY_ARGS = [arg for k, v in TINY.items() for arg in ("--param", f"{k}={v}")]

NEURAL_PLUGIN = '''
from nlpzoo import Component, Param, hookimpl
from nlpzoo.neural.params import NEURAL_PARAMS


def build(**params):
    import torch
    from torch import nn
    from nlpzoo.neural import NeuralTextClassifier

    class Bag(nn.Module):
        def __init__(self, vocab_size, n_classes, p):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, 8, padding_idx=0)
            self.{last} = nn.Linear(8, n_classes)

        def forward(self, ids, lengths):
            mask = (torch.arange(ids.size(1))[None, :] < lengths[:, None]).unsqueeze(-1)
            pooled = (self.embedding(ids) * mask).sum(1) / lengths[:, None]
            return self.{last}(pooled) * {scale}

    return NeuralTextClassifier(Bag, **params)


@hookimpl
def register_classifiers(register):
    register(Component(name="bag", description="mean of embeddings", factory=build, params=NEURAL_PARAMS))
'''


def zoo(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def demo():
    return get_kind("classifier").prepare(DataOptions(preprocess=None), get_zoo(), log=lambda m: None)


def quiet(**extra):
    return FitSettings(seed=13, device="cpu", progress=False, log=lambda m: None, **extra)


def test_a_neural_classifier_whose_last_layer_is_not_named_output_loads(install_plugin, tmp_path):
    """nlp-zoo 0.1 read the class count from 'output.bias': this run was marked complete and then
    failed to load with KeyError. The count now comes from the weights file's metadata."""
    install_plugin("zoo-bag", "bag", "zoo_bag_plugin", NEURAL_PLUGIN.format(last="head", scale=1.0))
    result = zoo("run", "--classifier", "bag", "--param", "epochs=2", "--param", "min_freq=1", "--out",
                 str(tmp_path / "bag"), "--no-progress", "--json")
    assert result.exit_code == 0, result.output
    predicted = zoo("predict", str(tmp_path / "bag"), "--json", "الطعام لذيذ")
    assert predicted.exit_code == 0, predicted.output
    assert json.loads(predicted.output)["label"] in ("low", "medium", "high")


def test_a_loss_that_becomes_nan_stops_with_a_clear_error(install_plugin, tmp_path):
    install_plugin("zoo-bag", "bag", "zoo_bag_plugin", NEURAL_PLUGIN.format(last="head", scale="float('nan')"))
    out = tmp_path / "nan"
    result = zoo("run", "--classifier", "bag", "--param", "epochs=2", "--out", str(out), "--no-progress")
    assert result.exit_code == 2, result.output
    assert "training diverged" in result.output and "--param lr=" in result.output
    record = json.loads((out / "zoo_run.json").read_text())
    assert record["status"] == "failed" and "TrainingDivergedError" in record["error"]
    with pytest.raises(RunDirError, match="failed run"):
        read_record(out)


def test_a_model_that_does_not_load_back_identically_is_never_marked_complete(demo, tmp_path, monkeypatch):
    from nlpzoo.neural import NeuralTextClassifier

    save = NeuralTextClassifier.save

    def perturbing_save(self, directory):
        import torch

        with torch.no_grad():
            for parameter in self.module.parameters():
                parameter.add_(0.5)
        save(self, directory)
        with torch.no_grad():
            for parameter in self.module.parameters():
                parameter.sub_(0.5)

    monkeypatch.setattr(NeuralTextClassifier, "save", perturbing_save)
    component = get_zoo().get("classifier", "gru")
    with pytest.raises(RunDirError, match="does not predict as the trained one did"):
        train_run(get_kind("classifier"), component, TINY, demo, quiet(), out=tmp_path / "r")
    assert json.loads((tmp_path / "r" / "zoo_run.json").read_text())["status"] == "failed"


def test_every_finished_epoch_reaches_the_callback_and_a_raise_stops_training(demo, tmp_path):
    seen = []
    component = get_zoo().get("classifier", "gru")
    result = train_run(get_kind("classifier"), component, {**TINY, "epochs": 3}, demo, quiet(on_epoch=seen.append),
                       out=tmp_path / "a")
    assert [e["epoch"] for e in seen] == [1, 2, 3] and all("val_macro_f1" in e for e in seen)
    assert seen == result.history["epochs"]

    class Pruned(Exception):
        pass

    def prune_after_one(record):
        raise Pruned(record["epoch"])

    with pytest.raises(Pruned):
        train_run(get_kind("classifier"), component, {**TINY, "epochs": 3}, demo, quiet(on_epoch=prune_after_one),
                  out=tmp_path / "b")


def test_a_run_records_kind_component_distribution_and_format(demo, tmp_path):
    component = get_zoo().get("classifier", "bigru-small")  # a preset: loaded through its base's plugin
    result = train_run(get_kind("classifier"), component, {"epochs": 1}, demo, quiet(), out=tmp_path / "r")
    record = read_record(result.run_dir)
    assert record["kind"] == "classifier" and record["format"] == "nlp-zoo/run" and record["format_version"] == 2
    assert record["component"] == {**record["component"], "name": "bigru-small", "base": "bigru",
                                   "plugin": "registry"}
    assert load_run(result.run_dir, get_zoo()).predict(["الطعام لذيذ"])[0]["label"] in demo.class_names
    history, metrics = result.history, json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["train_seconds"] == history["train_seconds"] > 0 and history["train_tokens"] > 0
    assert metrics["train_tokens_per_second"] == pytest.approx(history["train_tokens"] / history["train_seconds"])


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("resume") / "gru"
    result = zoo("run", "--classifier", "gru", *TINY_ARGS, "--param", "epochs=1", "--out", str(out), "--no-progress")
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("args, message", [
    (["--param", "hidden_size=64"], "these differ: hidden_size=64 (run: 16). A resume may change only the training"
                                    " budget (epochs, patience, max_steps); start a new run"),
    (["--classifier", "lstm"], "is a run of the classifier 'gru'"),
    (["--data", "restaurants"], "resume continues it on the same data"),
])
def test_a_resume_that_cannot_continue_the_run_leaves_it_as_it_was(finished_run, args, message):
    before = {p.name: p.read_bytes() for p in finished_run.iterdir() if p.is_file()}
    result = zoo("run", "--resume", str(finished_run), *args, "--no-progress")
    assert result.exit_code == 2 and message in result.output, result.output
    assert {p.name: p.read_bytes() for p in finished_run.iterdir() if p.is_file()} == before
    assert zoo("predict", str(finished_run), "الطعام لذيذ").exit_code == 0


def test_runs_of_nlp_zoo_0_1_still_load(finished_run, tmp_path):
    """0.1 kept classifier records in config.json with the format 'nlp-zoo/classifier-run'."""
    import shutil

    old = tmp_path / "old"
    shutil.copytree(finished_run, old)
    record = json.loads((old / "zoo_run.json").read_text())
    (old / "zoo_run.json").unlink()
    legacy = {k: v for k, v in record.items() if k not in ("kind", "format_version")}
    (old / "config.json").write_text(json.dumps({**legacy, "format": "nlp-zoo/classifier-run", "format_version": 1}))
    result = zoo("predict", str(old), "--json", "الطعام لذيذ")
    assert result.exit_code == 0, result.output


def test_a_run_from_a_distribution_no_longer_installed_loads_through_the_one_namesake(finished_run, tmp_path):
    """A renamed or reinstalled package: the recorded distribution is gone, the name still means one thing."""
    import shutil

    moved = tmp_path / "old-dist"
    shutil.copytree(finished_run, moved)
    record = json.loads((moved / "zoo_run.json").read_text())
    record["component"]["distribution"] = "nlp-zoo-before-the-rename"
    (moved / "zoo_run.json").write_text(json.dumps(record))
    result = zoo("predict", str(moved), "--json", "الطعام لذيذ")
    assert result.exit_code == 0, result.output


def test_runs_started_in_the_same_second_get_their_own_folders(tmp_path, monkeypatch):
    from datetime import datetime

    from nlpzoo.workflows import runs

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 1, 2, 3, 4, 5)

    monkeypatch.setattr(runs, "datetime", Frozen)
    monkeypatch.chdir(tmp_path)
    folders = [runs.new_run_dir("bigru", None) for _ in range(3)]
    assert [str(f) for f in folders] == ["runs/20260102-030405-bigru", "runs/20260102-030405-bigru-2",
                                         "runs/20260102-030405-bigru-3"]
    assert all(f.is_dir() for f in folders)


def test_out_may_be_a_new_nested_folder_or_an_empty_one_but_never_a_full_one(tmp_path):
    from nlpzoo.workflows import runs
    from nlpzoo.foundations.errors import ZooError

    nested = runs.new_run_dir("bigru", tmp_path / "a" / "b" / "run")
    assert nested == tmp_path / "a" / "b" / "run" and nested.is_dir()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runs.new_run_dir("bigru", empty) == empty
    (empty / "model.safetensors").write_bytes(b"")
    with pytest.raises(ZooError, match="exists and is not empty"):
        runs.new_run_dir("bigru", empty)


@pytest.mark.parametrize("files", [{}, {"config.json": {"model_type": "bert", "id2label": {"0": "neg"}}},
                                   {"zoo_run.json": {"format": "something-else"}}, {"zoo_run.json": [1, 2]}])
def test_a_folder_without_a_zoo_record_is_not_a_run(tmp_path, files):
    for name, content in files.items():   # e.g. a transformers folder: its config.json is not a zoo record
        (tmp_path / name).write_text(json.dumps(content))
    with pytest.raises(RunDirError, match="is not a zoo run directory"):
        read_record(tmp_path)


def copy_with_record(run, folder, **changes):
    import shutil

    shutil.copytree(run, folder)
    record = json.loads((folder / "zoo_run.json").read_text())
    record.update(changes)
    (folder / "zoo_run.json").write_text(json.dumps(record))
    return folder


def test_latest_is_the_newest_complete_run(finished_run, tmp_path, monkeypatch):
    from nlpzoo.workflows.runs import resolve_run_dir

    root = tmp_path / "runs"
    with pytest.raises(RunDirError, match="No complete run under"):
        resolve_run_dir("latest", root)
    old = copy_with_record(finished_run, root / "b-old", created="2026-01-01T00:00:00+00:00")
    new = copy_with_record(finished_run, root / "a-new", created="2026-03-01T00:00:00+00:00")
    copy_with_record(finished_run, root / "c-newer-unfinished", created="2026-05-01T00:00:00+00:00", status="training")
    (root / "0-not-a-run").mkdir()   # sorts first: the search goes on past it
    assert resolve_run_dir("latest", root) == new and old.is_dir()
    assert resolve_run_dir(tmp_path / "named", root) == tmp_path / "named"   # any other name is taken as it is
    monkeypatch.chdir(tmp_path)
    (tmp_path / "latest").mkdir()   # a folder really called "latest" wins
    assert resolve_run_dir("latest", root) == __import__("pathlib").Path("latest")


@pytest.mark.parametrize("changes, message", [
    ({"format_version": 3}, "written by a newer nlp-zoo"), ({"format_version": "2"}, "written by a newer nlp-zoo"),
    ({"component": None}, "names no component"), ({"component": {"name": "gru"}}, "names no component"),
    ({"status": "failed", "error": "ValueError: boom"}, "failed run (ValueError: boom)"),
])
def test_a_record_that_cannot_be_loaded_says_why(finished_run, tmp_path, changes, message):
    with pytest.raises(RunDirError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_record(copy_with_record(finished_run, tmp_path / "run", **changes))


def test_a_run_of_nlp_zoo_0_1_reads_as_a_format_1_classifier_run(finished_run, tmp_path):
    old = copy_with_record(finished_run, tmp_path / "old")
    record = json.loads((old / "zoo_run.json").read_text())
    (old / "zoo_run.json").unlink()
    legacy = {k: v for k, v in record.items() if k not in ("kind", "format_version")}
    (old / "config.json").write_text(json.dumps({**legacy, "format": "nlp-zoo/classifier-run"}))
    read = read_record(old)
    assert (read["kind"], read["format_version"], read["params"]) == ("classifier", 1, record["params"])


def test_evaluation_data_is_the_runs_own_test_split_or_a_whole_new_file(finished_run, tmp_path):
    from nlpzoo.data.tables import load_dataset
    from nlpzoo.foundations.errors import DataError
    from nlpzoo.kinds.supervised import evaluation_data

    record = read_record(finished_run)
    split = json.loads((finished_run / "split.json").read_text())
    texts, scores, rows, origin, _ = evaluation_data(finished_run, record, None, get_zoo())
    source = load_dataset(record["data"]["path"], record["data"]["text_col"], record["data"]["score_col"])
    assert texts == [source.texts[i] for i in split["test"]] and rows == split["rows"]["test"]
    assert scores == [source.scores[i] for i in split["test"]] and "the run's test split" in origin
    changed = copy_with_record(finished_run, tmp_path / "changed", data={**record["data"], "sha256": "0" * 64})
    with pytest.raises(DataError, match="changed since the run"):
        evaluation_data(changed, read_record(changed), None, get_zoo())
    same_columns = tmp_path / "same.csv"   # the run's column names are the default
    same_columns.write_text(f"{record['data']['text_col']},{record['data']['score_col']}\nأ ب,1\nج د,9\n", "utf-8")
    texts, scores, *_ = evaluation_data(finished_run, record, str(same_columns), get_zoo())
    assert (texts, scores) == (["أ ب", "ج د"], ["1", "9"])   # raw scores: the kind labels them
    other_columns = tmp_path / "other.csv"   # or the columns given
    other_columns.write_text("review,stars\nأ ب,2\n", "utf-8")
    texts, scores, *_ = evaluation_data(finished_run, record, str(other_columns), get_zoo(), "review", "stars")
    assert (texts, scores) == (["أ ب"], ["2"])


def test_a_runs_model_files_and_size_count_its_weights_and_vocabulary_only(finished_run):
    """Not the record, metrics, split, card, plots or the checkpoint folder kept for --resume."""
    record = read_record(finished_run)
    assert record["model_files"] == ["model.safetensors", "vocabulary.json"]
    metrics = json.loads((finished_run / "metrics.json").read_text())
    assert metrics["model_size_bytes"] == sum((finished_run / name).stat().st_size for name in record["model_files"])


def test_a_resume_naming_a_preset_of_the_runs_model_is_refused(finished_run, demo):
    """Same base, another name: a preset changes defaults the run was not trained with."""
    import dataclasses

    from nlpzoo.foundations.errors import ZooError

    preset = dataclasses.replace(get_zoo().get("classifier", "gru"), name="gru-wide", base="gru")
    with pytest.raises(ZooError, match="was trained with 'gru', not 'gru-wide'"):
        train_run(get_kind("classifier"), preset, {**TINY, "epochs": 1}, demo, quiet(), resume=finished_run)


class Crash(Exception):
    pass


def crash_after_epoch_1(epoch):
    if epoch["epoch"] == 1:
        raise Crash("out of memory, say")


def test_a_run_that_crashed_resumes_from_its_last_checkpoint(demo, tmp_path):
    kind, component, params = get_kind("classifier"), get_zoo().get("classifier", "gru"), {**TINY, "epochs": 2}
    with pytest.raises(Crash):
        train_run(kind, component, params, demo, quiet(on_epoch=crash_after_epoch_1), out=tmp_path / "r")
    record = read_record(tmp_path / "r", require_complete=False)
    assert (record["status"], record["error"]) == ("failed", "Crash: out of memory, say")
    trained_now = []
    result = train_run(kind, component, params, demo, quiet(on_epoch=trained_now.append), resume=tmp_path / "r")
    assert [e["epoch"] for e in trained_now] == [2]   # epoch 1 comes from the checkpoint, not trained again
    assert [e["epoch"] for e in result.history["epochs"]] == [1, 2]
    assert read_record(tmp_path / "r")["status"] == "complete"
    assert load_run(tmp_path / "r", get_zoo()).predict(["الطعام لذيذ"])[0]["label"] in demo.class_names


@pytest.mark.parametrize("step", ["evaluate", "save"])
def test_ctrl_c_after_training_leaves_the_run_unfinished_and_resumable_not_failed(demo, tmp_path, monkeypatch, step):
    """A KeyboardInterrupt that reaches train_run (while testing or saving) is the user's choice, not a failure."""
    from nlpzoo.neural import NeuralTextClassifier

    kind, component = get_kind("classifier"), get_zoo().get("classifier", "gru")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(type(kind) if step == "evaluate" else NeuralTextClassifier, step, interrupted)
        with pytest.raises(KeyboardInterrupt):
            train_run(kind, component, {**TINY, "epochs": 1}, demo, quiet(), out=tmp_path / "r")
    record = read_record(tmp_path / "r", require_complete=False)
    assert record["status"] == "training" and "error" not in record
    with pytest.raises(RunDirError, match="unfinished"):
        read_record(tmp_path / "r")
    train_run(kind, component, {**TINY, "epochs": 1}, demo, quiet(), resume=tmp_path / "r")
    assert read_record(tmp_path / "r")["status"] == "complete"


def test_the_model_card_says_what_the_run_is_and_how_to_use_it(finished_run):
    """README.md of a run folder: the Hub's YAML header first, then data, classes, parameters, usage."""
    record = read_record(finished_run)
    card = (finished_run / "README.md").read_text("utf-8")
    assert card.startswith("---\nlibrary_name: nlp-zoo\nlanguage:\n- ar\ntags:\n- nlp-zoo\n- classifier\n- gru\n"
                           "- arabic\n---\n")   # no pipeline_tag: transformers cannot load a gru folder
    assert f"Classes: {', '.join(record['class_names'])}.\n" in card and len(record["class_names"]) == 3
    assert record["preprocess"] and f"Preprocessing: {', '.join(record['preprocess'])}." in card
    data, metrics = record["data"], json.loads((finished_run / "metrics.json").read_text())
    assert (f"`{data['path']}` (sha256 `{data['sha256']}`), text column `{data['text_col']}`, score column"
            f" `{data['score_col']}`; {data['rows_kept']} rows used. Split {metrics['train_rows']} train /"
            f" {metrics['validation_rows']} validation / {metrics['test_rows']} test (seed 13).") in card
    assert all(f"| `{k}` | `{v}` |" in card for k, v in record["params"].items())
    assert 'zoo predict gru "الطعام لذيذ والخدمة ممتازة"\nzoo evaluate gru --data other.csv\n' in card
    assert 'run = nlpzoo.load("gru")\nrun.predict(["الطعام لذيذ والخدمة ممتازة"])' in card
    assert "zoo generate" not in card and "also loads with" not in card and "Scores from" not in card


def test_the_model_card_of_a_transformers_folder_or_a_generator_says_so(finished_run):
    import dataclasses

    from nlpzoo.workflows.runs import model_card

    record, metrics = read_record(finished_run), json.loads((finished_run / "metrics.json").read_text())
    gru = get_zoo().get("classifier", "gru")
    encoder_like = dataclasses.replace(gru, capabilities={"loads_with": "transformers.pipeline('text-classification',"
                                                                        " model=RUN)"})
    card = model_card(get_kind("classifier"), encoder_like, record, metrics, finished_run)
    assert "- arabic\npipeline_tag: text-classification\n---\n" in card
    assert "The folder also loads with `transformers.pipeline('text-classification', model=\"gru\")`." in card
    generator = dataclasses.replace(gru, kind="generator", capabilities={
        "loads_with": "transformers.AutoModelForCausalLM.from_pretrained"})
    card = model_card(get_kind("generator"), generator, record, {"test_perplexity": 12.5}, finished_run)
    assert "- generator\n" in card and "pipeline_tag: text-generation\n---\n" in card
    assert 'zoo generate gru --prompt "المطعم"\n```' in card and "zoo predict" not in card and "zoo evaluate" not in card
    assert 'run.generate("المطعم", max_new_tokens=40, seed=1)' in card and "| test perplexity | 12.50 |" in card
    assert "The folder also loads with `transformers.AutoModelForCausalLM.from_pretrained(\"gru\")`." in card
    regressor = {**record, "class_names": None, "score_range": [1.0, 5.5]}
    card = model_card(get_kind("regressor"), gru, regressor, metrics, finished_run)
    assert "Scores from 1 to 5.5.\n" in card and "Classes:" not in card


HOSTILE_CLASSES = ["<script>alert(1)</script>", "</textarea><b>x", "a|b `c`"]


def test_the_model_card_escapes_what_the_data_and_the_user_wrote(tmp_path):
    """Class names, columns, paths and parameter values come from the user's data and command line:
    rendered as the Hub renders the card (Markdown with HTML allowed), none becomes markup, and no
    '|' adds a table cell."""
    from markdown_it import MarkdownIt

    rows = "".join(f'"{label.replace(chr(34), chr(34) * 2)}",نص رقم {i} عن المطعم {label[:2]}\n'
                   for i in range(12) for label in HOSTILE_CLASSES)
    data = tmp_path / "hostile <b>data.csv"
    data.write_text("label|col,text\n" + rows, "utf-8")
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", "--classifier", "tfidf-logreg", "--data", str(data), "--score-col",
                                       "label|col", "--discretize", "as-is", "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    card = (out / "README.md").read_text("utf-8")
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(card.split("---", 2)[2])
    assert "<script" not in html and "</textarea" not in html and "<b>" not in html
    for line in card.splitlines():
        if line.startswith("| "):
            cells = [c for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            assert len(cells) == 2, f"a value split a table row: {line}"
    for name in HOSTILE_CLASSES:  # still readable as written
        assert html.count(name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")) >= 1 \
            or name == "a|b `c`", (name, html)


@pytest.mark.parametrize("change", ["negative", "repeated", "too large", "not a list", "shared"])
def test_a_tampered_split_is_refused_not_used_to_pick_other_rows(tmp_path, change):
    """Negative indices counted from the end made 'the test split' the last row twelve times (accuracy 1.0)."""
    out = tmp_path / "run"
    assert CliRunner().invoke(main, ["run", "--classifier", "tfidf-logreg", "--out", str(out),
                                     "--no-progress"]).exit_code == 0
    split = json.loads((out / "split.json").read_text())
    split["test"] = {"negative": [-1] * 12, "repeated": split["test"][:1] * 5, "too large": [10 ** 6],
                     "not a list": "0,1,2", "shared": split["train"][:3]}[change]
    (out / "split.json").write_text(json.dumps(split))
    result = CliRunner().invoke(main, ["evaluate", str(out)])
    assert result.exit_code == 2 and "split.json" in result.output and "Traceback" not in result.output, result.output


@pytest.fixture
def torch_threads():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)   # so a run that left torch's count alone would train on 1
    yield torch
    torch.set_num_threads(before)


def test_a_run_trains_on_the_free_cores_and_records_the_choice(demo, tmp_path, monkeypatch, torch_threads):
    from nlpzoo.foundations import threads

    monkeypatch.delenv("NLPZOO_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 5)
    monkeypatch.setattr(threads, "others_busy_cores", lambda **_: 2.0)   # other processes hold two cores
    monkeypatch.setattr(threads, "_last_measure", None)
    seen, logged = [], []
    settings = quiet(on_epoch=lambda record: seen.append(torch_threads.get_num_threads()))
    settings.log = logged.append
    result = train_run(get_kind("classifier"), get_zoo().get("classifier", "gru"), TINY, demo, settings,
                       out=tmp_path / "r")
    assert seen and set(seen) == {3}                                       # torch trained on the 3 free cores
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["threads"] == 3 and result.metrics["thread_plan"] == {
        "threads": 3, "source": "measured", "usable_cores": 5, "others_busy": 2.0, "workers": 1}
    assert "Torch threads: 3 (5 usable cores, other processes using 2.0 of them)" in logged
    given = train_run(get_kind("classifier"), get_zoo().get("classifier", "gru"), TINY, demo, quiet(threads=1),
                      out=tmp_path / "s")
    assert given.metrics["threads"] == 1 and given.metrics["thread_plan"]["source"] == "--threads"
    assert torch_threads.get_num_threads() == 1


def test_a_run_gives_a_core_up_when_another_process_starts_beside_it(demo, tmp_path, monkeypatch, torch_threads):
    from nlpzoo.foundations import threads

    monkeypatch.delenv("NLPZOO_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    monkeypatch.setattr(threads, "others_busy_cores", lambda **_: 0.0)       # quiet when the run starts
    monkeypatch.setattr(threads, "_last_measure", None)
    monkeypatch.setattr(threads.CpuSnapshot, "take", ScriptedCores([1.0]))  # then a process takes a core
    result = train_run(get_kind("classifier"), get_zoo().get("classifier", "gru"), TINY, demo, quiet(),
                       out=tmp_path / "r")
    assert result.metrics["threads"] == 2
    assert result.metrics["thread_changes"][0]["threads"] == 1 and torch_threads.get_num_threads() == 1
