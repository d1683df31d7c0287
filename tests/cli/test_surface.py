"""The command line is a thin layer over the public API: cli/ imports nothing of the zoo except
``nlpzoo``'s declared names, ``nlpzoo.api`` and the neural toolkit (whose process group ``zoo run
--nproc`` starts)."""
from __future__ import annotations

import ast
from pathlib import Path

import nlpzoo
import nlpzoo.api
import nlpzoo.neural
from tests.conftest import ROOT

PUBLIC = {"nlpzoo": set(nlpzoo.__all__) | {"api"}, "nlpzoo.api": set(nlpzoo.api.__all__),
          "nlpzoo.neural": set(nlpzoo.neural.__all__)}


def private_uses(path: Path) -> list[str]:
    """Every import of the zoo in ``path`` that is not a public name, and every ``api.NAME`` that
    ``nlpzoo.api`` does not declare."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "nlpzoo":
            if node.module.startswith("nlpzoo.cli"):
                continue
            if node.module not in PUBLIC:
                found.append(f"{path.name}:{node.lineno} from {node.module} import ...")
            else:
                found += [f"{path.name}:{node.lineno} {node.module}.{a.name}" for a in node.names
                          if a.name not in PUBLIC[node.module]]
        elif isinstance(node, ast.Import):
            found += [f"{path.name}:{node.lineno} import {a.name}" for a in node.names
                      if a.name.split(".")[0] == "nlpzoo" and a.name not in PUBLIC]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "api"
              and node.attr not in PUBLIC["nlpzoo.api"]):
            found.append(f"{path.name}:{node.lineno} api.{node.attr}")
    return found


def test_the_command_line_uses_only_the_public_api():
    modules = sorted((ROOT / "cli").glob("*.py"))
    assert len(modules) >= 10
    problems = [p for module in modules for p in private_uses(module)]
    assert problems == [], "cli/ reaches past the public API:\n" + "\n".join(problems)


def test_the_check_itself_catches_a_private_import(tmp_path):
    command = tmp_path / "command.py"
    command.write_text("from nlpzoo import ZooError, api\nfrom nlpzoo.workflows.runs import read_record\n"
                       "from nlpzoo.api import load, _private\nimport nlpzoo.kinds\n"
                       "from .output import print_table\napi.train\napi.read_record\n", "utf-8")
    assert sorted(private_uses(command)) == ["command.py:2 from nlpzoo.workflows.runs import ...", "command.py:3 nlpzoo.api._private",
                                     "command.py:4 import nlpzoo.kinds", "command.py:7 api.read_record"]
