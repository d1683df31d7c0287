"""Parameters: declared types, ranges, list types and choices, checked at registration and before a run."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from nlpzoo import Component, Param
from nlpzoo.cli import main
from nlpzoo.foundations.errors import ParameterError


def test_list_parameters_parse_from_the_command_line_and_check_each_item():
    sizes = Param("filter_sizes", list[int], [3, 4, 5], "widths", min=1)
    assert sizes.convert("3,4,5", "here") == [3, 4, 5] and sizes.convert([2, 3], "here") == [2, 3]
    assert sizes.type_name == "list of int"
    with pytest.raises(ParameterError, match="must be list of int, got '3,x'"):
        sizes.convert("3,x", "here")
    with pytest.raises(ParameterError, match="must be >= 1; got '3,0'"):
        sizes.convert("3,0", "here")


@pytest.mark.parametrize("param, problem", [
    (Param("num_filters", int, "100"), "default '100' does not fit"),
    (Param("dropout", float, 1.5, min=0.0, max=0.95), "default 1.5 does not fit"),
    (Param("pooling", str, "sum", choices=("max", "mean")), "default 'sum' does not fit"),
    (Param("sizes", list[int], (3, "four")), "does not fit"),
    (Param("width", dict, {}), "type must be"),
    (Param("name", str, "x", min=1), "min/max need an int or float type"),
])
def test_declarations_that_cannot_work_are_refused(param, problem):
    with pytest.raises(TypeError, match=problem):
        param.check_declaration()


@pytest.mark.parametrize("key, value, message", [
    ("size", "-1", "parameter 'size' must be >= 1; got '-1'"),
    ("size", "nan", "parameter 'size' must be int, got 'nan'"),
    ("rate", "nan", "parameter 'rate' must be a finite number"),
    ("rate", "1e400", "parameter 'rate' must be a finite number"),
    ("rate", "-0.5", "parameter 'rate' must be 0.0 to 1.0; got '-0.5'"),
])
def test_ranges_and_non_finite_numbers(key, value, message):
    component = Component("c", "", factory=dict, kind="classifier",
                          params=[Param("size", int, 3, min=1), Param("rate", float, 0.5, min=0.0, max=1.0)])
    with pytest.raises(ParameterError, match=message.replace("(", r"\(")):
        component.resolve_params({key: value})


def test_an_unknown_parameter_gets_a_did_you_mean():
    component = Component("c", "", factory=dict, kind="classifier", params=[Param("hidden_size", int, 3)])
    with pytest.raises(ParameterError, match="unknown parameter 'hiden_size'. Did you mean 'hidden_size'"):
        component.resolve_params({"hiden_size": "4"})


@pytest.mark.parametrize("param", ["hidden_size=-1", "dropout=1.5", "batch_size=0", "epochs=0", "lr=0"])
def test_out_of_range_values_fail_before_any_run_directory_exists(tmp_path, param):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", "--classifier", "bigru", "--param", param, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"parameter '{param.split('=')[0]}' must be" in result.output
    assert not out.exists()
