"""`zoo tune`: the live table, Ctrl-C and continuing, worker processes, --json, and the preset in bench."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest

from tests.conftest import run_zoo
from tests.core.workflows.test_tuning import SCRIPTED


@pytest.fixture
def scripted_env(install_plugin):
    site = install_plugin("zoo-scripted", "scripted", "zoo_scripted", SCRIPTED)
    return {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]), "COLUMNS": "80"}


def trials_of(folder: Path, name: str = "scripted-demo"):
    return optuna.load_study(study_name=name, storage=f"sqlite:///{folder / name / 'study.db'}").trials


def start_tune(tmp_path, env, *args):
    zoo = Path(sys.executable).with_name("zoo")
    return subprocess.Popen([str(zoo), "tune", "--classifier", "scripted", "--out", str(tmp_path / "out"),
                             "--pruner", "none", *args], cwd=tmp_path, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group, as a terminal's Ctrl-C reaches it


def wait_for(path: Path, lines: int, process, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= lines:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError(f"no trial started within {limit}s")


def test_ctrl_c_finishes_the_running_trial_then_the_same_command_continues(tmp_path, scripted_env):
    marker = tmp_path / "started.txt"
    args = ["--trials", "30", "--param", "seconds=0.3", "--param", f"marker={marker}"]
    process = start_tune(tmp_path, scripted_env, *args)
    wait_for(marker, 2, process)  # the second trial is training
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Stopping after the running trial" in stderr and "run the same command again" in stderr
    trials = trials_of(tmp_path / "out")
    assert [t.state.name for t in trials] == ["COMPLETE"] * len(trials) and len(trials) >= 2  # none lost or failed
    assert (tmp_path / "out" / "scripted-demo" / "trials.csv").exists()
    assert not (tmp_path / "out" / "scripted-demo" / "best-run").exists()  # the test split waits for the end
    done = len(trials)
    again = run_zoo("tune", "--classifier", "scripted", "--out", str(tmp_path / "out"), "--pruner", "none",
                    "--trials", str(done + 2), "--param", "seconds=0.3", "--param", f"marker={marker}",
                    env=scripted_env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    after = trials_of(tmp_path / "out")
    assert len(after) == done + 2 and [t.params for t in after[:done]] == [t.params for t in trials]
    assert (tmp_path / "out" / "scripted-demo" / "best-run" / "metrics.json").exists()


def test_a_second_ctrl_c_stops_the_running_trial_at_once(tmp_path, scripted_env):
    marker = tmp_path / "started.txt"
    process = start_tune(tmp_path, scripted_env, "--trials", "30", "--param", "seconds=5", "--param",
                         "epochs=20", "--param", f"marker={marker}")
    wait_for(marker, 1, process)
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    time.sleep(0.3)
    os.killpg(process.pid, signal.SIGINT)
    process.communicate(timeout=60)
    assert process.returncode == 130
    assert time.monotonic() - started < 20  # not the 100 s the trial would take
    assert [t.state.name for t in trials_of(tmp_path / "out")] == ["FAIL"]


def test_two_worker_processes_share_one_study_and_divide_the_threads(tmp_path, scripted_env):
    result = run_zoo("tune", "--classifier", "scripted", "--trials", "6", "--jobs", "2", "--param", "seconds=0.2",
                     "--out", str(tmp_path / "out"), "--json", env=scripted_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    trials = trials_of(tmp_path / "out")
    finished = [t for t in trials if t.state.name in ("COMPLETE", "PRUNED")]
    assert 6 <= len(finished) <= 7 and summary["trials"]["complete"] + summary["trials"]["pruned"] == len(finished)
    workers = {t.user_attrs["worker"]["pid"] for t in trials}
    assert len(workers) == 2 and os.getpid() not in workers
    from nlpzoo.foundations.threads import usable_cores

    shares = {t.user_attrs["worker"]["threads"] for t in trials}   # the free cores, measured, divided by 2
    assert len(shares) == 1 and shares.pop() <= max(1, usable_cores() // 2)
    assert summary["best"]["value"] == max(t.value for t in finished if t.value is not None)


def test_the_live_table_and_summary_fit_80_columns(tmp_path, scripted_env):
    result = run_zoo("tune", "--classifier", "scripted", "--trials", "3", "--out", str(tmp_path / "out"),
                     env=scripted_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0].split()[:3] == ["trial", "state", "value"]
    assert [line.split()[:2] for line in lines[1:4]] == [["0", "complete"], ["1", "complete"], ["2", "complete"]]
    assert "quality=" in lines[1] and "normalize" not in lines[1]  # the chain shows only when it is searched
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert "zoo --registry" in result.stdout and "run --classifier scripted-tuned" in result.stdout


def test_the_tuned_preset_runs_in_bench_with_its_preprocessing(tmp_path):
    tuned = run_zoo("tune", "--classifier", "tfidf-logreg", "--trials", "2", "--preprocess", "normalize",
                    "--preprocess", "normalize,tokenize", "--out", str(tmp_path / "out"), "--json", cwd=tmp_path)
    assert tuned.returncode == 0, tuned.stderr
    summary = json.loads(tuned.stdout)
    preset = Path(summary["preset"])
    bench = run_zoo("--registry", str(preset), "bench", "--classifiers", "tfidf-logreg-tuned",
                    "--out", str(tmp_path / "bench"), "--json", cwd=tmp_path)
    assert bench.returncode == 0, bench.stderr
    row = json.loads((tmp_path / "bench" / "results.json").read_text())["runs"][0]
    assert row["preprocess"] == summary["best"]["preprocess"]
    assert row["macro_f1"] == pytest.approx(summary["test"]["macro_f1"], abs=1e-9)


@pytest.mark.parametrize("args, message", [
    (["--classifier", "bigru", "--space", "missing.toml"], "does not exist"),
    (["--classifier", "bigru", "--timeout", "soon"], "--timeout 'soon'"),
    (["--classifier", "bigru", "--generator", "gpt2"], "Name one component"),
    (["--classifier", "bigru", "--param", "hiden_size=3"], "unknown parameter 'hiden_size'"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    result = run_zoo("tune", *args, "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
