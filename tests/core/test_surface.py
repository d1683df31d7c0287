"""The declared plugin surface: nlpzoo's __all__, nlpzoo.neural's and nlpzoo.testing's. Built-in plugins,
the example distribution and `zoo plugin new`'s skeletons import nothing else, and docs/plugins.md lists
every declared name."""
from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from click.testing import CliRunner

import nlpzoo
from nlpzoo.cli import main
from tests.conftest import EXAMPLE_PLUGIN, ROOT

SURFACE = ("nlpzoo", "nlpzoo.neural", "nlpzoo.testing")


def declared(module: str) -> set[str]:
    return set(importlib.import_module(module).__all__)


def undeclared_imports(path: Path, own_package: str) -> list[str]:
    """Every import of the zoo in ``path`` that is not a declared name of a surface module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "nlpzoo":
            if node.module.startswith(own_package):
                continue
            if node.module not in SURFACE:
                found.append(f"{path.name}: from {node.module} import ...")
                continue
            found += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name not in declared(node.module)]
        elif isinstance(node, ast.Import):
            found += [f"{path.name}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] == "nlpzoo" and a.name not in SURFACE]
    return found


def test_every_declared_name_resolves():
    for module in SURFACE:
        for name in declared(module):
            assert hasattr(importlib.import_module(module), name), f"{module}.{name} is declared but missing"


def test_built_in_plugins_import_only_the_declared_surface():
    modules = sorted((ROOT / "plugins").glob("*.py"))
    assert len(modules) > 20
    problems = [p for m in modules for p in undeclared_imports(m, "nlpzoo.plugins")]
    assert problems == [], "built-in plugins reach past the declared surface:\n" + "\n".join(problems)


def test_the_example_distribution_and_its_tests_import_only_the_declared_surface():
    files = sorted(EXAMPLE_PLUGIN.glob("zoo_plugin_example/*.py")) + sorted(EXAMPLE_PLUGIN.glob("tests/*.py"))
    assert files
    assert [p for f in files for p in undeclared_imports(f, "zoo_plugin_example")] == []


def test_every_skeleton_of_zoo_plugin_new_imports_only_the_declared_surface(tmp_path):
    for kind in nlpzoo.kind_names():
        result = CliRunner().invoke(main, ["plugin", "new", f"s-{kind}", "--kind", kind, "--dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        module = tmp_path / f"zoo-s-{kind}" / f"zoo_s_{kind}.py"
        assert undeclared_imports(module, "zoo_s") == []
        assert f"NLPZOO_PLUGIN_API = {nlpzoo.PLUGIN_API}" in module.read_text("utf-8")


def test_the_check_itself_catches_an_undeclared_import(tmp_path):
    plugin = tmp_path / "p.py"
    plugin.write_text("from nlpzoo.neural.training import train_module\nfrom nlpzoo import Component, hookimpl\n"
                      "from nlpzoo import distributed\nimport nlpzoo.workflows.runs\n", "utf-8")
    assert undeclared_imports(plugin, "zoo_p") == ["p.py: from nlpzoo.neural.training import ...", "p.py: nlpzoo.distributed",
                                                   "p.py: import nlpzoo.workflows.runs"]


def test_docs_plugins_md_lists_every_declared_name_and_no_other():
    text = (ROOT / "docs" / "plugins.md").read_text("utf-8")
    section = text.split("## The plugin surface", 1)[1].split("\n## ", 1)[0]
    for module in SURFACE:
        listed = re.search(rf"^- `{re.escape(module)}`[^\n]*\n((?:  [^\n]*\n)+)", section, re.M)
        assert listed, f"docs/plugins.md's surface section has no list for {module}"
        names = set(re.findall(r"`([A-Za-z_][\w]*)`", listed.group(1)))
        assert names == declared(module) - {"__version__"}, (
            f"{module}: documented but not declared {sorted(names - declared(module))},"
            f" declared but not documented {sorted(declared(module) - names - {'__version__'})}")


def test_a_lazy_name_is_always_its_modules_current_value(monkeypatch):
    """A cached copy went stale: a test patching nlpzoo.data.scraping.extract was not seen by the scraper's
    `from nlpzoo import extract`, or the patched function outlived the patch."""
    from nlpzoo.data import scraping

    original = scraping.extract
    assert nlpzoo.extract is original
    monkeypatch.setattr(scraping, "extract", lambda *a, **k: None)
    assert nlpzoo.extract is scraping.extract
    monkeypatch.undo()
    assert nlpzoo.extract is original


def test_importing_the_surface_for_listing_needs_no_torch():
    code = ("import sys, nlpzoo\nfrom nlpzoo import NEURAL_PARAMS, Component, ItemSink, WordwiseStep, write_json\n"
            "print('torch' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_the_declared_python_versions_are_the_ones_the_package_runs_on():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    low = tuple(int(x) for x in re.fullmatch(r">=(\d+)\.(\d+)", project["requires-python"]).groups())
    assert sys.version_info[:2] >= low
    listed = {tuple(map(int, c.rsplit(" ", 1)[1].split("."))) for c in project["classifiers"]
              if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    assert min(listed) == low and sys.version_info[:2] in listed
    # tomllib, which three core modules import, arrived in Python 3.11
    uses_tomllib = [p.name for p in (ROOT / "core").rglob("*.py") if re.search(r"^\s*import tomllib", p.read_text("utf-8"), re.M)]
    assert not uses_tomllib or low >= (3, 11), uses_tomllib


def test_the_version_is_said_once_and_the_changelog_has_its_section():
    assert tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"] == nlpzoo.__version__
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert f"## {nlpzoo.__version__}" in changelog and "### For plugin authors" in changelog
