"""Stratified, seeded, deterministic splits."""
from __future__ import annotations

import pytest

from nlpzoo.foundations.errors import DataError
from nlpzoo.data.split import Split, stratified_split

LABELS = [0] * 50 + [1] * 30 + [2] * 20


def test_same_seed_same_split_other_seed_other_split():
    a, b = stratified_split(LABELS, seed=13), stratified_split(LABELS, seed=13)
    assert a == b
    assert stratified_split(LABELS, seed=14).test != a.test


def test_parts_are_disjoint_complete_and_stratified():
    s = stratified_split(LABELS, seed=1, test_fraction=0.2, validation_fraction=0.1)
    assert sorted(s.train + s.validation + s.test) == list(range(100))
    assert [sum(LABELS[i] == k for i in s.test) for k in range(3)] == [10, 6, 4]
    assert [sum(LABELS[i] == k for i in s.validation) for k in range(3)] == [5, 3, 2]


def test_round_trip():
    s = stratified_split(LABELS, seed=2)
    assert Split.from_dict(s.to_dict()) == s


def test_too_few_rows_in_a_class_names_it():
    with pytest.raises(DataError, match="class 'rare' has 2 row"):
        stratified_split([0, 0, 0, 0, 1, 1], class_names=["common", "rare"])


def test_the_split_of_a_seed_is_fixed_across_releases():
    """Runs and benches compare models on the rows a seed gives: the same labels and seed must give
    these rows in every release (numpy's PCG64, each class shuffled in label order)."""
    split = stratified_split([0] * 5 + [1] * 5, 13, 0.2, 0.2)
    assert (split.train, split.validation, split.test) == ([1, 3, 4, 7, 8, 9], [2, 6], [0, 5])


@pytest.mark.parametrize("size, test_fraction, validation_fraction, parts", [
    (10, 0.2, 0.1, (7, 1, 2)),    # each class cut by the fractions of the whole
    (3, 0.2, 0.1, (1, 1, 1)),     # at least one row in test and in validation
    (2, 0.3, 0.0, (1, 0, 1)),     # no validation part asked for: two rows are enough
    (4, 0.5, 0.4, (2, 1, 1)),     # the fractions would leave no training row: one each instead
    (2, 0.9, 0.0, (1, 0, 1)),     # ... and without a validation part, still none there
    (20, 0.25, 0.15, (12, 3, 5)),
])
def test_each_part_has_the_rows_its_fraction_asks_for(size, test_fraction, validation_fraction, parts):
    split = stratified_split([0] * size, 13, test_fraction, validation_fraction)
    assert (len(split.train), len(split.validation), len(split.test)) == parts
    assert sorted(split.train + split.validation + split.test) == list(range(size))


def test_a_class_of_two_rows_is_refused_only_when_a_validation_part_is_asked_for():
    with pytest.raises(DataError, match="class 'rare' has 2 row.*at least 3"):
        stratified_split([0, 0, 0, 1, 1], 13, 0.3, 0.2, ["common", "rare"], "reviews.csv")
    assert len(stratified_split([0, 0, 0, 1, 1], 13, 0.3, 0.0).test) == 2


@pytest.mark.parametrize("test_fraction, validation_fraction", [(0, 0.1), (1, 0), (0.2, -0.1), (0.2, 1), (0.5, 0.5),
                                                                 (0.7, 0.4)])
def test_fractions_that_leave_no_part_or_no_training_rows_are_refused(test_fraction, validation_fraction):
    with pytest.raises(DataError, match="Split fractions"):
        stratified_split(LABELS, 13, test_fraction, validation_fraction)


def test_fractions_just_inside_the_limits_are_accepted():
    split = stratified_split(LABELS, 13, 0.5, 0.45)
    assert split.train and split.validation and split.test
    assert stratified_split(LABELS, 13, 0.2, 0.0).validation == []


# -- reading a saved split back ---------------------------------------------------------------------
def _saved(tmp_path, **parts):
    import json

    (tmp_path / "split.json").write_text(json.dumps({"train": [0, 1, 2], "validation": [3], "test": [4], **parts}))
    return tmp_path


def test_a_saved_split_reads_back_as_written(tmp_path):
    from nlpzoo.data.split import read_split

    split = stratified_split([0] * 6 + [1] * 6, 13)
    import json

    (tmp_path / "split.json").write_text(json.dumps(split.to_dict()))
    assert read_split(tmp_path, 12) == split.to_dict()
    assert read_split(_saved(tmp_path), 5)["test"] == [4]   # the last row is inside


@pytest.mark.parametrize("parts", [{"test": [5]}, {"test": [-1]}, {"test": [2]}, {"validation": [3, 3]},
                                   {"train": [0, True]}, {"train": "0,1"}, {"test": [4.0]}])
def test_a_saved_split_naming_rows_outside_the_data_or_twice_is_refused(tmp_path, parts):
    from nlpzoo.data.split import read_split
    from nlpzoo.foundations.errors import RunDirError

    with pytest.raises(RunDirError, match="split.json: '(train|validation|test)'") as refused:
        read_split(_saved(tmp_path, **parts), 5)
    assert "must be a list" in str(refused.value) or "outside 0..4 " in str(refused.value)


def test_an_unreadable_split_file_says_to_train_again(tmp_path):
    from nlpzoo.data.split import read_split
    from nlpzoo.foundations.errors import RunDirError

    (tmp_path / "split.json").write_text("{not json")
    with pytest.raises(RunDirError, match="cannot be read.*train the run again"):
        read_split(tmp_path, 5)
    with pytest.raises(RunDirError, match="cannot be read"):
        read_split(tmp_path / "missing", 5)
    (tmp_path / "split.json").write_text("[1, 2]")
    with pytest.raises(RunDirError, match="'train' must be a list"):
        read_split(tmp_path, 5)
