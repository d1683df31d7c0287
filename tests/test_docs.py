"""The documentation keeps up with the code: every hook is documented, CI runs the README's command."""
from __future__ import annotations

import re

from nlpzoo import hookspecs
from tests.conftest import ROOT

HOOKS = [name for name in dir(hookspecs) if name.startswith("register_")]


def test_every_hook_has_a_docstring_and_a_row_in_the_plugin_guide():
    guide = (ROOT / "docs" / "plugins.md").read_text("utf-8")
    assert len(HOOKS) == 5
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


def test_every_kind_has_a_page_naming_each_method_of_its_contract():
    import typing

    from nlpzoo.kinds import all_kinds

    for name, kind in all_kinds().items():
        page = (ROOT / "docs" / "kinds" / f"{name}.md").read_text("utf-8")
        methods = [m for m in vars(kind.protocol) if not m.startswith("_") and callable(getattr(kind.protocol, m))]
        assert methods, name
        for method in methods:
            assert f"def {method}(" in page, f"docs/kinds/{name}.md does not show {method}'s signature"
        assert f"docs/kinds/{name}.md" in (ROOT / "docs" / "plugins.md").read_text("utf-8")
        assert typing.get_type_hints(getattr(kind.protocol, methods[0]))  # signatures are typed


def test_the_walkthrough_shows_the_example_text_cnn_exactly():
    walkthrough = (ROOT / "docs" / "walkthrough-text-cnn.md").read_text("utf-8")
    module = (ROOT / "examples" / "zoo-plugin-example" / "zoo_plugin_example" / "text_cnn.py").read_text("utf-8")
    assert f"```python\n{module}```" in walkthrough
    assert len(module.splitlines()) <= 60 and "from nlpzoo import" in module
    imports = re.findall(r"from (nlpzoo[\w.]*) import", module)
    assert set(imports) <= {"nlpzoo", "nlpzoo.neural", "nlpzoo.neural_params"}  # public names only


def test_docs_do_not_promise_what_only_a_source_checkout_does():
    for page in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]:
        text = page.read_text("utf-8")
        assert "checks your plugin too" not in text, page
        assert "see plugins/causal_lm_model.py" not in text.lower(), page


def test_the_api_guide_runs_as_written(tmp_path):
    """docs/api.md's Python blocks, in order, in a fresh process: the examples never go stale."""
    import subprocess
    import sys

    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "api.md").read_text("utf-8"), flags=re.S)
    assert len(blocks) >= 6
    script = tmp_path / "guide.py"
    script.write_text("\n".join(blocks), "utf-8")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "<nlpzoo.Run bigru (classifier)" in result.stdout


def test_the_quickstart_notebook_runs(tmp_path):
    """examples/quickstart.ipynb, executed by a real Jupyter kernel (nbclient)."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(ROOT / "examples" / "quickstart.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the confusion matrices were drawn
    assert any("macro_f1" in str(o.get("data", {})) for o in outputs)
    assert len(list((tmp_path / "runs").iterdir())) == 1 and (tmp_path / "bench-out").is_dir()
