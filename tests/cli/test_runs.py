"""`zoo runs`: list, compare, clean, and the `latest` name."""
from __future__ import annotations

import json

from click.testing import CliRunner

from nlpzoo.cli import main
from tests.helpers import TINY

TINY_ARGS = [arg for k, v in TINY.items() for arg in ("--param", f"{k}={v}")]


def zoo(*args):
    return CliRunner().invoke(main, list(args))


def test_runs_lists_compares_cleans_and_latest_follows_the_newest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert zoo("runs").output.startswith("No runs under runs/ yet")
    for name, extra in (("a", []), ("b", ["--param", "hidden_size=8"])):
        result = zoo("run", "--classifier", "gru", *TINY_ARGS, *extra, "--out", f"runs/{name}", "--no-progress")
        assert result.exit_code == 0, result.output
    (tmp_path / "runs" / "broken").mkdir()
    (tmp_path / "runs" / "broken" / "zoo_run.json").write_text(json.dumps({
        "format": "nlp-zoo/run", "format_version": 2, "kind": "classifier", "status": "failed", "error": "X: boom",
        "component": {"name": "gru", "base": "gru"}}))
    (tmp_path / "runs" / "stopped").mkdir()   # a run stopped mid-training, never resumed
    (tmp_path / "runs" / "stopped" / "zoo_run.json").write_text(json.dumps({
        "format": "nlp-zoo/run", "format_version": 2, "kind": "classifier", "status": "training",
        "component": {"name": "gru", "base": "gru"}}))
    rows = json.loads(zoo("runs", "--json").output)
    assert {r["run"].split("/")[-1]: r["status"] for r in rows} == {"a": "complete", "b": "complete", "broken": "failed",
                                                                  "stopped": "training"}
    assert all(r["metric"] == "macro_f1" for r in rows)
    compared = json.loads(zoo("runs", "compare", "runs/a", "runs/b", "--json").output)
    assert [c["params"]["hidden_size"] for c in compared] == [16, 8]
    table = zoo("runs", "compare", "runs/a", "runs/b")
    assert "param hidden_size" in table.output and "param embedding_dim" not in table.output  # only what differs
    assert zoo("predict", "latest", "--json", "الطعام لذيذ").exit_code == 0
    refused = CliRunner().invoke(main, ["runs", "clean"], input="n\n")
    assert "runs/broken  (failed: X: boom)" in refused.output and "runs/stopped  (training)" in refused.output
    assert "runs/a " not in refused.output and "Nothing was removed" in refused.output
    assert (tmp_path / "runs" / "broken").exists() and (tmp_path / "runs" / "stopped").exists()
    assert "Removed 2 run folder(s)" in zoo("runs", "clean", "--yes").output
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["a", "b"]
