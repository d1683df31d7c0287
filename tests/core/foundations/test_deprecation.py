"""The module paths of 0.2 keep working for one release: each one imports, warns once with the new path,
and is the new module itself (so patches and pickles of it act on the real code)."""
from __future__ import annotations

import json
import subprocess
import sys

from nlpzoo.foundations.deprecation import MOVED_MODULES, RETIRED_MODULES

PROBE = r"""
import importlib, json, sys, warnings
from nlpzoo.foundations.deprecation import MOVED_MODULES

results = {}
for old, new in MOVED_MODULES.items():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        __import__(old)   # as an import statement does
    module = sys.modules[old]
    results[old] = {"is_new": module is importlib.import_module(new), "spec": module.__spec__.name,
                    "warnings": [str(w.message) for w in caught if w.category is DeprecationWarning],
                    "where": [w.filename for w in caught]}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from nlpzoo.data import read_inputs
import nlpzoo.data.tables
results["nlpzoo.data.read_inputs"] = {"is_new": read_inputs is nlpzoo.data.tables.read_inputs,
                                      "warnings": [str(w.message) for w in caught], "where": [w.filename for w in caught]}
print(json.dumps(results))
"""


def test_every_moved_path_is_its_new_module_with_a_warning_that_names_it(tmp_path):
    script = tmp_path / "user_code.py"
    script.write_text(PROBE, "utf-8")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    found = json.loads(result.stdout)
    assert len(MOVED_MODULES) >= 28
    for old, new in MOVED_MODULES.items():
        row = found[old]
        assert row["is_new"] and row["spec"] == new, (old, row)
        assert row["warnings"] == [f"the module {old} is deprecated since nlp-zoo 0.3.0 and will be removed in 0.4.0;"
                                   f" use {new}"], (old, row)
        assert row["where"] == [str(script)], "the warning points at the user's import line"
    moved_name = found["nlpzoo.data.read_inputs"]
    assert moved_name["is_new"] and moved_name["warnings"] and "nlpzoo.data.tables.read_inputs" in moved_name["warnings"][0]
    assert set(moved_name["where"]) == {str(script)}


def test_no_old_path_is_a_real_module_and_every_new_one_is():
    import importlib.machinery
    import importlib.util

    import nlpzoo

    for new in MOVED_MODULES.values():
        assert importlib.util.find_spec(new).origin.endswith(".py"), new
    for old in [*MOVED_MODULES, *RETIRED_MODULES]:
        # the table's finder is the only one that knows an old path: no stray file still defines it
        assert importlib.machinery.PathFinder.find_spec(old, nlpzoo.__path__) is None, old
