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
