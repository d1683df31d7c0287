"""Distillation (nlpzoo.neural.distillation) through the neural toolkit: the student's loss is the teacher's
when alpha is 0, the teacher's outputs are computed once and kept with the run with a record of the
teacher, unlabelled texts are labelled by the teacher, and it works for regressors, in zoo bench and
through the Python API."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import nlpzoo
from nlpzoo.cli import main
from nlpzoo.neural.distillation import ClassificationDistillation, RegressionDistillation
from nlpzoo.neural.training import ClassificationObjective, RegressionObjective
from tests.helpers import TINY

CONSTANT_TEACHER = '''
import numpy as np
from nlpzoo import Component, Param, hookimpl


class Constant:
    """A classifier that says one class, whatever the text: the teacher of the tests."""

    def __init__(self, favourite=0):
        self.favourite, self.n_classes = favourite, 0

    def fit(self, train, validation, settings):
        self.n_classes = train.n_classes
        return {"epochs": [], "interrupted": False}

    def predict_proba(self, texts):
        out = np.full((len(texts), self.n_classes), 0.02 / max(self.n_classes - 1, 1))
        out[:, self.favourite] = 0.98
        return out

    def save(self, directory):
        (directory / "constant.json").write_text(str(self.n_classes))

    def load(self, directory, device="cpu"):
        self.n_classes = int((directory / "constant.json").read_text())


@hookimpl
def register_classifiers(register):
    register(Component(name="constant", description="Always the same class.", factory=Constant,
                       params=[Param("favourite", int, 0, "The class it says.", min=0)]))
'''
STUDENT = [arg for k, v in {**TINY, "epochs": 6, "patience": 10, "lr": 0.02}.items() for arg in ("--param", f"{k}={v}")]


@pytest.fixture
def constant_teacher(install_plugin, tmp_path):
    """A finished run of a teacher that always says 'high' (class 2 of the demo set's low/medium/high)."""
    install_plugin("zoo-constant", "constant", "zoo_constant_teacher", CONSTANT_TEACHER)
    out = tmp_path / "teacher"
    result = CliRunner().invoke(main, ["run", "--classifier", "constant", "--param", "favourite=2", "--out", str(out),
                                       "--no-progress"])
    assert result.exit_code == 0, result.output
    return out


def test_with_alpha_0_the_student_learns_the_teachers_class_against_the_gold_labels(constant_teacher, tmp_path):
    out = tmp_path / "student"
    result = CliRunner().invoke(main, ["run", "--classifier", "gru", *STUDENT, "--param", f"teacher={constant_teacher}",
                                       "--param", "distill_alpha=0", "--param", "distill_temperature=1",
                                       "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    run = nlpzoo.load(out)
    split = json.loads((out / "split.json").read_text())
    from nlpzoo.data.tables import load_dataset
    from nlpzoo.data.datasets import resolve
    from nlpzoo.machinery.discovery import get_zoo

    data = load_dataset(resolve(None, get_zoo().registry).path, "text", "score")
    train = [data.texts[i] for i in split["train"]]
    gold_not_high = [t for t, s in zip(train, [data.scores[i] for i in split["train"]]) if float(s) < 7]
    assert len(gold_not_high) > 100
    said = [p.label for p in run.predict(gold_not_high)]
    assert said.count("high") / len(said) > 0.95, f"the student said high for {said.count('high')} of {len(said)}"


def test_the_teachers_outputs_and_record_are_kept_with_the_run(constant_teacher, tmp_path):
    out = tmp_path / "student"
    texts = tmp_path / "unlabelled.txt"
    texts.write_text("مطعم جديد في الحي\nالخدمة كانت سريعة\nلن أعود أبدا\n", "utf-8")
    result = CliRunner().invoke(main, ["run", "--classifier", "gru", *STUDENT, "--param", "epochs=1",
                                       "--param", f"teacher={constant_teacher}", "--param", f"distill_texts={texts}",
                                       "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "distillation.json").read_text())
    assert record["teacher"] == str(constant_teacher.resolve()) and record["teacher_component"] == "constant"
    assert record["teacher_record_sha256"] == hashlib.sha256((constant_teacher / "zoo_run.json").read_bytes()).hexdigest()
    assert record["alpha"] == 0.5 and record["temperature"] == 2.0 and len(record["unlabelled_texts"]) == 3
    from safetensors.numpy import load_file

    outputs = load_file(str(out / "teacher_outputs.safetensors"))["outputs"]
    assert outputs.shape == (record["training_texts"] + 3, 3) and np.allclose(outputs[:, 2], 0.98)
    zoo_record = json.loads((out / "zoo_run.json").read_text())
    assert "distillation.json" not in zoo_record["model_files"] and "teacher_outputs.safetensors" not in \
        zoo_record["model_files"]


def test_the_loss_is_the_weighted_sum_of_the_gold_and_the_softened_teacher_terms():
    torch.manual_seed(0)
    outputs = torch.randn(5, 3)
    labels = [0, 1, 2, 1, 0]
    teacher = np.random.default_rng(0).dirichlet([1, 1, 1], size=6)  # one more row: an unlabelled text
    gold = ClassificationObjective(labels, 3, False, "cpu")
    for alpha, t in ((0.0, 1.0), (0.3, 2.0), (1.0, 4.0)):
        objective = ClassificationDistillation(gold, alpha, t)
        targets = torch.tensor(ClassificationDistillation.targets(labels, teacher, t), dtype=torch.float32)
        assert targets[5, 0] == -1  # the unlabelled text has no gold label
        soft = torch.softmax(torch.log(torch.tensor(teacher[:5], dtype=torch.float32)) / t, -1)
        student = torch.log_softmax(outputs / t, -1)
        kl = (soft * (soft.log() - student)).sum(1).mean() * t * t
        expected = alpha * torch.nn.functional.cross_entropy(outputs, torch.tensor(labels)) + (1 - alpha) * kl
        assert torch.allclose(objective.loss(outputs, targets[:5]), expected, atol=1e-5)
    only_teacher = ClassificationDistillation(gold, 0.5, 1.0).loss(outputs[:1], targets[5:6])  # no gold in the batch
    assert torch.isfinite(only_teacher) and only_teacher > 0


def test_a_regressor_learns_from_the_teachers_scores_on_its_scale():
    gold = RegressionObjective("mse")
    objective = RegressionDistillation(gold, 0.25)
    targets = torch.tensor(RegressionDistillation.targets([0.5, -1.0], np.array([1.0, 0.0, 2.0])))
    outputs = torch.tensor([[0.0], [0.0], [1.0]])
    expected = 0.25 * ((0.5 ** 2 + 1.0) / 2) + 0.75 * ((1.0 + 0.0 + 1.0) / 3)
    assert torch.isnan(targets[2, 0]) and torch.allclose(objective.loss(outputs, targets), torch.tensor(expected))


def test_a_regressor_student_of_a_regressor_run(tmp_path):
    teacher = tmp_path / "teacher"
    result = CliRunner().invoke(main, ["run", "--regressor", "tfidf-ridge", "--out", str(teacher), "--no-progress"])
    assert result.exit_code == 0, result.output
    student = nlpzoo.train("gru", kind="regressor", params={**TINY, "epochs": 2, "teacher": str(teacher),
                                                           "distill_alpha": 0.0}, out=tmp_path / "s", progress=False)
    assert (student.dir / "distillation.json").is_file()
    assert np.isfinite(student.metrics["rmse"])


def test_a_teacher_of_another_kind_or_other_classes_is_one_clear_error(constant_teacher, tmp_path):
    regressor = tmp_path / "regressor"
    assert CliRunner().invoke(main, ["run", "--regressor", "tfidf-ridge", "--out", str(regressor),
                                     "--no-progress"]).exit_code == 0
    for teacher, message in ((regressor, "is a regressor run"), (tmp_path, "not a run folder")):
        result = CliRunner().invoke(main, ["run", "--classifier", "gru", *STUDENT, "--param", f"teacher={teacher}",
                                           "--no-progress", "--out", str(tmp_path / f"s-{teacher.name}")])
        assert result.exit_code == 2 and message in result.output, result.output
    result = CliRunner().invoke(main, ["run", "--classifier", "gru", *STUDENT, "--param", f"teacher={constant_teacher}",
                                       "--discretize", "threshold:5", "--no-progress", "--out", str(tmp_path / "s3")])
    assert result.exit_code == 2 and "are not the student's" in result.output, result.output


def test_distillation_runs_in_bench(constant_teacher, tmp_path, monkeypatch):
    registry = tmp_path / "students.toml"
    registry.write_text(f'[classifiers.gru-student]\nbase = "gru"\nteacher = "{constant_teacher}"\ndistill_alpha = 0.0\n'
                        + "".join(f"{k} = {v}\n" for k, v in {**TINY, "epochs": 2}.items()), "utf-8")
    monkeypatch.setenv("ZOO_REGISTRY", str(registry))
    result = CliRunner().invoke(main, ["bench", "--classifiers", "gru-student", "--out", str(tmp_path / "bench"),
                                       "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads((tmp_path / "bench" / "results.json").read_text())["runs"]
    assert rows and all(not row.get("error") for row in rows), rows
