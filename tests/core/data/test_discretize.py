"""Every discretisation strategy, edges included."""
from __future__ import annotations

import pytest

from nlpzoo.data.discretize import Discretizer, auto_discretizer
from nlpzoo.foundations.errors import DataError


def fitted(spec, scores):
    return Discretizer.parse(spec).fit(scores)


def test_bins_edges_zero_and_ten():
    d = fitted("bins:0,4,7,10", [0, 10])
    assert d.class_names == ["low", "medium", "high"]
    assert d.labels([0, 3.9, 4, 6.99, 7, 7.5, 10]) == [0, 0, 1, 1, 2, 2, 2]
    assert d.labels(["6", "7.5"]) == [1, 2]


def test_bins_outside_range_and_names_for_many_bins():
    d = fitted("bins:0,4,7,10", [1])
    with pytest.raises(DataError, match="row 5: score 10.5 is outside the bins 0..10"):
        d.label(10.5, row=5, source="f.csv")
    many = fitted("bins:0,1,2,3,4,5,6", [1])
    assert many.class_names[0] == "[0,1)" and many.class_names[-1] == "[5,6]"


def test_threshold():
    d = fitted("threshold:5", [1, 9])
    assert d.class_names == ["below-5", "5-or-more"]
    assert d.labels([0, 4.99, 5, 10]) == [0, 0, 1, 1]


def test_quantile_makes_equal_classes():
    scores = list(range(12))
    d = fitted("quantile:3", scores)
    labels = d.labels(scores)
    assert d.class_names == ["q1", "q2", "q3"]
    assert [labels.count(k) for k in range(3)] == [4, 4, 4]
    assert d.label(0) == 0 and d.label(11) == 2
    with pytest.raises(DataError, match="quantile:3 needs 4 distinct"):
        fitted("quantile:3", [1, 1, 1, 1, 2])


def test_as_is_for_strings_and_polarity():
    d = fitted("as-is", ["-1", "1", "0", "1.0", -1])
    assert d.class_names == ["-1", "0", "1"]
    assert d.labels(["1", "-1.0", 0]) == [2, 0, 1]
    words = fitted("as-is", ["pos", "neg", "pos"])
    assert words.class_names == ["neg", "pos"]
    with pytest.raises(DataError, match="label 'meh' is not one of the classes neg, pos"):
        words.label("meh")


def test_round_trip_through_the_run_config():
    d = fitted("bins:0,4,7,10", [5])
    again = Discretizer.from_dict(d.to_dict())
    assert again.labels([3, 5, 8]) == [0, 1, 2] and again.spec == "bins:0,4,7,10"


@pytest.mark.parametrize("spec, message", [
    ("bin:0,5,10", "Did you mean: bins"), ("bins:0,5", "three or more"), ("bins:5,3,1", "increasing"),
    ("quantile:one", "quantile:3"), ("threshold:", "threshold:5"), ("as-is:3", "no argument")])
def test_bad_specs(spec, message):
    with pytest.raises(DataError, match=message):
        Discretizer.parse(spec)


def test_auto_uses_categorical_scores_and_asks_for_continuous_ones():
    assert auto_discretizer(["-1", "1"]).strategy == "as-is"
    with pytest.raises(DataError, match="--discretize"):
        auto_discretizer([x / 2 for x in range(21)])


@pytest.mark.parametrize("spec", ["threshold:nan", "threshold:inf", "bins:0,nan,10", "bins:0,4,inf"])
def test_non_finite_numbers_in_a_spec_are_refused(spec):
    with pytest.raises(DataError, match="Bad discretisation"):
        Discretizer.parse(spec)


def test_data_that_falls_into_one_class_is_an_error_naming_the_counts(tmp_path):
    from nlpzoo.machinery.discovery import get_zoo
    from nlpzoo.kinds import DataOptions, get_kind

    path = tmp_path / "all-high.csv"
    path.write_text("text,score\n" + "".join(f"نص رقم {i} جميل,9\n" for i in range(30)), "utf-8")
    with pytest.raises(DataError, match=r"only one class: high \(30 rows\).*--discretize"):
        get_kind("classifier").prepare(DataOptions(data=str(path), discretize="bins:0,4,7,10"), get_zoo())


# -- the edges of each rule, each of which changes the classes a run trains on -------------------------
def test_two_and_four_bins_have_names_and_more_bins_are_named_by_their_ranges():
    assert fitted("bins:0,5,10", [1]).class_names == ["low", "high"]
    assert fitted("bins:0,2,5,8,10", [1]).class_names == ["low", "medium-low", "medium-high", "high"]
    assert fitted("bins:0,2,4,6,8,10", [1]).class_names == ["very-low", "low", "medium", "high", "very-high"]


@pytest.mark.parametrize("spec", ["bins:0,5,5,10", "bins:0,6,5,10", "quantile:1", "bins:3"])
def test_edges_must_rise_strictly_and_quantiles_be_two_or_more(spec):
    with pytest.raises(DataError, match="Bad discretisation"):
        Discretizer.parse(spec)


def test_the_smallest_valid_specs_are_accepted_and_keep_their_spec():
    assert Discretizer.parse("bins:0,5,10").spec == "bins:0,5,10"
    assert Discretizer.parse("quantile:2").spec == "quantile:2"
    assert Discretizer.parse("threshold:5.5").spec == "threshold:5.5"
    assert Discretizer.parse("as-is").to_dict() == {"strategy": "as-is", "edges": None, "class_names": None,
                                                    "spec": "as-is"}


def test_a_discretizer_labels_nothing_before_it_is_fitted():
    with pytest.raises(RuntimeError, match="fit"):
        Discretizer.parse("threshold:5").label(3)


def test_as_is_classes_are_numbers_in_numeric_order_then_words():
    assert fitted("as-is", ["10", "2", "-1"]).class_names == ["-1", "2", "10"]
    assert fitted("as-is", ["neutral", "5", "-3", "bad"]).class_names == ["-3", "5", "bad", "neutral"]


def test_ten_distinct_scores_are_classes_eleven_are_too_many():
    assert auto_discretizer([str(i) for i in range(10)]).strategy == "as-is"
    with pytest.raises(DataError, match="11 distinct values"):
        auto_discretizer([str(i) for i in range(11)])
