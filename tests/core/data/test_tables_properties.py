"""Property tests (Hypothesis): whatever bytes a data file holds and whatever a --discretize spec
says, the zoo answers with a loaded dataset or a ZooError naming the problem, never another exception."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlpzoo.data.tables import load_dataset, load_texts
from nlpzoo.data.discretize import Discretizer
from nlpzoo.foundations.errors import ZooError

CELLS = st.one_of(st.text(max_size=12), st.sampled_from(["text", "score", "label", "9", "-1", "nan", "inf", "",
                                                         '"', "a,b", "\n", "\ufeff", "1e400", "٣"]))
HEADER = st.lists(st.sampled_from(["text", "score", "label", "review", "x", ""]), min_size=1, max_size=4)
ROWS = st.builds(lambda header, rows: [header, *rows], HEADER, st.lists(st.lists(CELLS, max_size=5), max_size=8))
RANDOM = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def loads_or_refuses(data: bytes, suffix: str, must_refuse: bool = False) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"data{suffix}"
        path.write_bytes(data)
        for loader in (load_dataset, load_texts):
            try:
                dataset = loader(path)
            except ZooError:
                continue
            assert not must_refuse, "a header that names a column twice must be refused, not resolved silently"
            assert len(dataset.texts) == len(dataset.scores) == len(dataset.rows) > 0
            assert all(isinstance(t, str) and t.strip() for t in dataset.texts)


@RANDOM
@given(st.binary(max_size=300), st.sampled_from([".csv", ".tsv", ".jsonl"]))
def test_any_bytes_load_or_give_a_zoo_error(data, suffix):
    loads_or_refuses(data, suffix)


@RANDOM
@given(ROWS, st.sampled_from([",", "\t"]))
def test_any_table_loads_or_gives_a_zoo_error(rows, separator):
    text = "\n".join(separator.join(row) for row in rows)
    header = [cell for cell in (rows[0] if rows else []) if cell and cell.strip() and "\n" not in cell
              and '"' not in cell and separator not in cell and "\ufeff" not in cell]
    duplicate = len(set(header)) < len(header) and len(rows) > 1
    loads_or_refuses(text.encode("utf-8"), ".csv" if separator == "," else ".tsv", must_refuse=duplicate)


@RANDOM
@given(st.lists(st.dictionaries(st.sampled_from(["text", "score", "review", "x"]),
                                st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=8),
                                          st.lists(st.integers(), max_size=2))), max_size=6))
def test_any_json_lines_load_or_give_a_zoo_error(records):
    loads_or_refuses("\n".join(json.dumps(r) for r in records).encode("utf-8"), ".jsonl")


SPECS = st.one_of(st.text(max_size=20),
                  st.builds(lambda name, args: f"{name}:{','.join(args)}",
                            st.sampled_from(["bins", "quantile", "threshold", "as-is", "bin"]),
                            st.lists(st.sampled_from(["0", "4", "7", "10", "nan", "inf", "-inf", "-1", "1e400", "x",
                                                      "", " 3 ", "2.5"]), max_size=5)))


NUMBERS = st.lists(st.one_of(st.integers(-5, 15), st.floats(-20, 20)), min_size=1, max_size=20)
ANYTHING = st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 15),
                              st.sampled_from(["1", "-1", "high", "", "nan"])), min_size=1, max_size=20)


@RANDOM
@given(SPECS, st.one_of(NUMBERS, ANYTHING))
def test_any_spec_and_scores_label_or_give_a_zoo_error(spec, scores):
    try:
        discretizer = Discretizer.parse(spec)
        discretizer.fit(scores, "scores.csv", list(range(2, len(scores) + 2)))
        labels = discretizer.labels(scores, list(range(2, len(scores) + 2)), "scores.csv")
    except ZooError:
        return
    assert len(labels) == len(scores)
    assert all(isinstance(label, int) and 0 <= label < len(discretizer.class_names) for label in labels)
    if discretizer.strategy != "as-is":  # numeric edges: finite, and labels that follow the scores
        import math

        assert all(math.isfinite(edge) for edge in discretizer.edges), discretizer.edges
        if discretizer.strategy == "threshold":
            assert labels == [int(float(score) >= discretizer.edges[0]) for score in scores]
    assert Discretizer.from_dict(discretizer.to_dict()).labels(scores) == labels
