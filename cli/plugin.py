"""``zoo plugin new NAME --kind KIND``: a ready-to-install plugin distribution, like llm's template.

The skeleton is a working component (it passes ``nlpzoo.testing``), a pyproject.toml with its entry
point, a test that runs the kit, and a README, written from the files in ``templates/``; replace the
model with your own.
"""
from __future__ import annotations

import keyword
import re
from pathlib import Path

import click

from . import main

# The distribution's files, one template each (str.format fields: {name}, {kind}, {ident}, {module},
# {description}, {params}, {api}, {zoo_version}). The plugin module's template is its kind's,
# kinds/KIND.py.tmpl, with kinds/KIND.check (when there is one) holding the extra arguments of the
# test's check_KIND call: a kind with a template is a kind `zoo plugin new` offers.
TEMPLATES = Path(__file__).parent / "templates"
KINDS = sorted(path.name.removesuffix(".py.tmpl") for path in (TEMPLATES / "kinds").glob("*.py.tmpl"))


def check_arguments(kind: str) -> str:
    path = TEMPLATES / "kinds" / f"{kind}.check"
    return path.read_text("utf-8").strip() if path.exists() else ""


def template(file: str, values: dict) -> str:
    return (TEMPLATES / f"{file}.tmpl").read_text("utf-8").format(**values)


@main.group("plugin")
def plugin_group():
    """Write plugins: zoo plugin new NAME --kind classifier."""


@plugin_group.command("new")
@click.argument("name")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="The kind of component.")
@click.option("--description", default="", help="One line for zoo list (default: a placeholder to replace).")
@click.option("--dir", "parent", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Where to create the zoo-NAME folder.")
def plugin_new_command(name, kind, description, parent):
    """Create zoo-NAME/: pyproject.toml with the entry point, the plugin module, a test, a README."""
    from nlpzoo import ZooError

    if not re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]", name):
        raise ZooError(f"Plugin name {name!r}: use lower-case letters, digits and '-', e.g. 'text-cnn'.")
    ident = name.replace("-", "_")
    module = f"zoo_{ident}"
    if keyword.iskeyword(ident):
        raise ZooError(f"Plugin name {name!r} is a Python keyword; choose another.")
    folder = Path(parent) / f"zoo-{name}"
    if folder.exists():
        raise ZooError(f"{folder} exists already; choose another name or --dir.")
    description = (description or f"A {kind} plugin (describe it here).").replace('"', "'")
    from nlpzoo import PLUGIN_API, __version__

    values = dict(name=name, kind=kind, ident=ident, module=module, description=description, params=check_arguments(kind),
                  api=PLUGIN_API, zoo_version=__version__)
    (folder / "tests").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(template("pyproject.toml", values), "utf-8")
    (folder / f"{module}.py").write_text(template(f"kinds/{kind}.py", values), "utf-8")
    (folder / "tests" / f"test_{ident}.py").write_text(template("test_plugin.py", values), "utf-8")
    (folder / "README.md").write_text(template("README.md", values), "utf-8")
    click.echo(f"Wrote {folder}/ ({module}.py, pyproject.toml, tests/, README.md). Next:\n"
               f"  cd {folder} && pip install -e '.[test]' && pytest\n  zoo info {name}")
