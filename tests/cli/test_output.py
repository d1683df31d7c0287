"""Terminal tables at 80 and 120 columns: names and numbers never wrap; columns that do not fit are
left out with a note; --json keeps everything."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from nlpzoo.cli import main
from nlpzoo.cli.output import print_table


def shown(width, *args):
    return CliRunner(env={"COLUMNS": str(width)}).invoke(main, list(args))


@pytest.mark.parametrize("width", [80, 100, 120])
def test_bench_tables_never_split_a_name_or_a_number(width, tmp_path):
    result = shown(width, "bench", "--classifiers", "tfidf-logreg",
                   "--seeds", "13,14", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if set(line) & set("│┃┏┗━┡")]  # the table's lines
    assert lines and all(len(line) <= width for line in lines), max(lines, key=len)
    row = next(line for line in lines if "tfidf-logreg" in line)
    assert re.search(r"0\.\d{3} ± 0\.\d{3}", row)  # mean ± std on one line
    assert "1 classifier, seeds 13,14" in result.output and "error" not in result.output.lower()


def test_columns_that_do_not_fit_are_left_out_and_said_so(capsys):
    import os

    os.environ["COLUMNS"] = "60"
    try:
        print_table(["model", *[f"metric number {i}" for i in range(8)]],
                    [["tfidf-logreg", *[f"{i * 1000.123:,.3f}" for i in range(8)]]], title="a wide table")
    finally:
        del os.environ["COLUMNS"]
    out = capsys.readouterr().out
    assert "tfidf-logreg" in out and all(len(line) <= 60 for line in out.splitlines())
    note = " ".join(out.split("\n(")[-1].split())
    assert note.startswith("8 columns left out to fit 60 columns") or "columns left out to fit 60 columns" in note
    assert "metric number 7" in note


def test_a_run_title_stays_on_one_line(tmp_path):
    result = shown(80, "run", "--classifier", "tfidf-logreg", "--out", str(tmp_path / "r"), "--no-progress")
    assert "tfidf-logreg on the test split (84 texts)" in result.output


def test_info_json_of_one_component_is_an_object():
    single = json.loads(shown(80, "info", "tfidf-logreg", "--json").output)
    assert isinstance(single, dict) and single["name"] == "tfidf-logreg"
    both = json.loads(shown(80, "info", "bigru", "--json").output)
    assert [entry["kind"] for entry in both] == ["classifier", "regressor"]  # one name, two kinds: a list
