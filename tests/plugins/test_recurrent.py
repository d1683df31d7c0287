"""The recurrent family: six named variants registered from one table, each a classifier and a
regressor of the same name, built with its own cell and direction."""
from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from nlpzoo.machinery.discovery import get_zoo
from nlpzoo.plugins.recurrent import VARIANTS
from tests.helpers import TINY


def test_every_variant_of_the_table_is_an_entry_point_naming_its_object_there():
    points = {ep.name: ep.value for ep in entry_points(group="nlpzoo") if ep.value.startswith("nlpzoo.plugins.recurrent")}
    assert points == {name: f"nlpzoo.plugins.recurrent:{name}" for name in VARIANTS}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_registers_a_classifier_and_a_regressor_with_its_cell_and_direction(name):
    cell, bidirectional, what = VARIANTS[name]
    zoo = get_zoo()
    for kind, noun in (("classifier", "classifier"), ("regressor", "regressor")):
        component = zoo.get(kind, name)
        assert component.description.startswith(f"{what} text {noun}")   # a regressor never says classifier
        assert (component.capabilities["cell"], component.capabilities["bidirectional"]) == (cell, bidirectional)
        model = zoo.create(kind, name, **TINY)
        assert (model.module_builder.cell, model.module_builder.bidirectional) == (cell, bidirectional)
