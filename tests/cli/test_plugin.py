"""`zoo plugin new` writes plugins that install and pass nlpzoo.testing; `zoo plugins --check`."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from nlpzoo import kind_names
from nlpzoo.cli import main

KINDS = list(kind_names())   # every kind has a skeleton (a new kind without one fails here)

MISSING_FACTORY = """
from nlpzoo import Component, hookimpl

@hookimpl
def register_classifiers(register):
    register(Component(name="ghost", description="factory module missing", factory="zoo_ghost_impl:build"))
"""


def test_every_skeleton_installs_and_passes_its_kinds_checks(tmp_path):
    for kind in KINDS:
        result = CliRunner().invoke(main, ["plugin", "new", f"my-{kind}", "--kind", kind, "--dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / f"zoo-my-{kind}" / f"zoo_my_{kind}.py").is_file()
    site = tmp_path / "site"
    for kind in KINDS:  # installed exactly as pip installs any distribution, entry point included
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                        "--target", str(site), str(tmp_path / f"zoo-my-{kind}")], check=True)
    tests = [str(tmp_path / f"zoo-my-{kind}" / "tests") for kind in KINDS]
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
                            capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"{len(KINDS)} passed" in result.stdout


def test_a_bad_plugin_name_or_an_existing_folder_is_refused(tmp_path):
    bad = CliRunner().invoke(main, ["plugin", "new", "My Plugin", "--kind", "classifier", "--dir", str(tmp_path)])
    assert bad.exit_code == 2 and "lower-case letters" in bad.output
    CliRunner().invoke(main, ["plugin", "new", "twice", "--kind", "preprocessor", "--dir", str(tmp_path)])
    again = CliRunner().invoke(main, ["plugin", "new", "twice", "--kind", "preprocessor", "--dir", str(tmp_path)])
    assert again.exit_code == 2 and "exists already" in again.output


def test_plugins_check_imports_every_factory(install_plugin):
    install_plugin("zoo-ghost", "ghost", "zoo_ghost_plugin", MISSING_FACTORY)
    result = CliRunner().invoke(main, ["plugins", "--check", "--json"])
    assert result.exit_code == 1
    rows = {r["component"]: r for r in json.loads(result.output)["components"]}
    assert rows["ghost"]["ok"] is False and "zoo_ghost_impl" in rows["ghost"]["error"]
    assert rows["bigru"]["ok"] and rows["causal-lm"]["ok"]
