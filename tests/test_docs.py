"""The documentation keeps up with the code: every hook is documented, CI runs the README's command."""
from __future__ import annotations

import re

from nlpzoo import hookspecs
from tests.conftest import ROOT

HOOKS = [name for name in dir(hookspecs) if name.startswith("register_")]


def test_every_hook_has_a_docstring_and_a_row_in_the_plugin_guide():
    guide = (ROOT / "docs" / "plugins.md").read_text("utf-8")
    assert len(HOOKS) == 4
    for name in HOOKS:
        assert getattr(hookspecs, name).__doc__.strip(), name
        assert f"`{name}(register)`" in guide, f"{name} is missing from docs/plugins.md"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = re.findall(r"^(python3 -m venv .*)$", readme, flags=re.MULTILINE)
    install_and_run, install_and_test = commands[0], commands[1]
    assert install_and_run.endswith("zoo run --classifier bigru")
    assert install_and_test.endswith("&& pytest")
    assert install_and_test in (ROOT / ".ci" / "run").read_text("utf-8")
