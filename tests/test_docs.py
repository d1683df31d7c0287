"""The documentation keeps up with the code: every hook is documented, CI runs the README's command."""
from __future__ import annotations

import ast
import inspect
import re
import typing

from nlpzoo.machinery import hookspecs
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


def _kind_page(name: str) -> str:
    return (ROOT / "docs" / "kinds" / f"{name}.md").read_text("utf-8")


def _documented_protocol(page: str, protocol: type) -> dict[str, ast.FunctionDef]:
    """The methods of the ``class <Protocol>(Protocol):`` block a kind page shows."""
    blocks = [b for b in re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
              if f"class {protocol.__name__}(Protocol):" in b]
    assert len(blocks) == 1, f"one python block shows class {protocol.__name__}(Protocol)"
    (definition,) = [n for n in ast.parse(blocks[0]).body if isinstance(n, ast.ClassDef)]
    return {n.name: n for n in definition.body if isinstance(n, ast.FunctionDef)}


def _shown_parameters(function: ast.FunctionDef) -> list[tuple[str, str, object]]:
    """(name, kind, default source) of each parameter after ``self``, as the page writes them."""
    args = function.args
    positional = args.posonlyargs + args.args
    defaults = [inspect.Parameter.empty] * (len(positional) - len(args.defaults)) + \
        [ast.unparse(d) for d in args.defaults]
    shown = [(a.arg, "positional", d) for a, d in zip(positional, defaults)][1:]
    shown += [(a.arg, "keyword", inspect.Parameter.empty if d is None else ast.unparse(d))
              for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    return shown


def _declared_parameters(signature: inspect.Signature) -> list[tuple[str, str, object]]:
    keyword = {inspect.Parameter.KEYWORD_ONLY: "keyword"}
    def source(default):  # a default as the page writes it: 50, 'cpu', None, print
        return default if default is inspect.Parameter.empty else getattr(default, "__name__", None) or repr(default)

    return [(p.name, keyword.get(p.kind, "positional"), source(p.default)) for p in signature.parameters.values()]


def test_each_kind_page_shows_its_protocol_method_for_method_and_argument_for_argument():
    from nlpzoo.kinds import all_kinds
    from nlpzoo.machinery.plugin_api import protocol_methods

    guide = (ROOT / "docs" / "plugins.md").read_text("utf-8")
    for name, kind in all_kinds().items():
        page = _kind_page(name)
        declared, shown = protocol_methods(kind.protocol), _documented_protocol(page, kind.protocol)
        assert set(shown) == set(declared), f"docs/kinds/{name}.md shows {sorted(shown)}, the kind declares" \
                                            f" {sorted(declared)}"
        for method, signature in declared.items():
            assert _shown_parameters(shown[method]) == _declared_parameters(signature), \
                f"docs/kinds/{name}.md: {method}{signature} is shown differently"
        assert f"`{kind.hook}(register)`" in page and f"docs/kinds/{name}.md" in guide
        assert typing.get_type_hints(getattr(kind.protocol, next(iter(declared))))  # signatures are typed


def _titles(text: str) -> list[str]:
    text = re.sub(r"\s*\([^)]*\)", "", " ".join(text.split()))  # asides in parentheses are not titles
    return [title.strip() for title in text.split(",")]


def test_each_trainable_kind_page_lists_its_bench_columns_and_what_tune_optimises():
    from nlpzoo.kinds import TrainableKind, all_kinds

    trainable = {n: k for n, k in all_kinds().items() if isinstance(k, TrainableKind)}
    assert set(trainable) == {"classifier", "regressor", "generator"}
    for name, kind in trainable.items():
        page = _kind_page(name)
        ((columns, sorted_by),) = re.findall(r"`zoo bench[^`]*` columns: (.*?); sorted by\s+([^.]*)", page,
                                             flags=re.DOTALL)
        assert _titles(columns) == [c.title for c in kind.columns], f"docs/kinds/{name}.md: bench columns"
        assert sorted_by.startswith(kind.columns[0].title), f"docs/kinds/{name}.md: sorted by {sorted_by!r}"
        verb = "maximises" if kind.validation_metric.higher_is_better else "minimises"
        assert f"`zoo tune` {verb} the {kind.validation_metric.title}" in " ".join(page.split()), name


def test_the_parameter_groups_on_the_kind_pages_are_the_code_s():
    import nlpzoo

    pages = " ".join(_kind_page(name) for name in ("classifier", "regressor")).split()
    text = " ".join(pages)
    listed = dict(re.findall(r"`([A-Z_]+_PARAMS)`: ((?:`\w+`(?:, )?)+)", text))
    assert {"VOCABULARY_PARAMS", "TRAINING_PARAMS", "CLASSIFICATION_PARAMS", "REGRESSION_PARAMS",
            "DISTILLATION_PARAMS"} <= set(listed)
    for group, names in listed.items():
        assert re.findall(r"`(\w+)`", names) == [p.name for p in getattr(nlpzoo, group)], f"{group} on the kind pages"
    composites = re.findall(r"`\*nlpzoo\.([A-Z_]+_PARAMS)` \((.*?)\)(?: to|\.)", text)
    assert {c for c, _ in composites} == {"NEURAL_PARAMS", "NEURAL_REGRESSION_PARAMS"}
    for composite, parts in composites:
        groups = re.findall(r"`([A-Z_]+_PARAMS)`", parts)
        assert [p.name for g in groups for p in getattr(nlpzoo, g)] == [p.name for p in getattr(nlpzoo, composite)], \
            f"{composite} is not {' + '.join(groups)}"


def test_the_kind_pages_point_plugin_authors_only_at_declared_names():
    import nlpzoo
    import nlpzoo.neural
    import nlpzoo.testing
    from nlpzoo.kinds import all_kinds

    surface = {"nlpzoo": set(nlpzoo.__all__), "nlpzoo.neural": set(nlpzoo.neural.__all__),
               "nlpzoo.testing": set(nlpzoo.testing.__all__), "nlpzoo.kinds": set(all_kinds())}
    for page in (ROOT / "docs" / "kinds").glob("*.md"):
        for dotted in re.findall(r"`\*?(nlpzoo(?:\.\w+)+)", page.read_text("utf-8")):
            module, _, name = dotted.rpartition(".")
            assert dotted in surface or name in surface.get(module, ()), \
                f"docs/kinds/{page.name} names {dotted}, which is not on the plugin surface (docs/plugins.md)"


def test_train_tokens_per_second_is_defined_once_in_the_guide_and_used_by_every_kind_page():
    guide = (ROOT / "docs" / "plugins.md").read_text("utf-8")
    assert guide.count("**Train tokens/s**") == 1
    for name in ("classifier", "generator"):
        assert "Train tok/s is defined in [docs/plugins.md](../plugins.md#the-kinds)" in " ".join(_kind_page(name).split())


def test_the_walkthrough_shows_the_example_text_cnn_exactly():
    walkthrough = (ROOT / "docs" / "walkthrough-text-cnn.md").read_text("utf-8")
    module = (ROOT / "examples" / "zoo-plugin-example" / "zoo_plugin_example" / "text_cnn.py").read_text("utf-8")
    assert f"```python\n{module}```" in walkthrough
    assert len(module.splitlines()) <= 60 and "from nlpzoo import" in module
    imports = re.findall(r"from (nlpzoo[\w.]*) import", module)
    assert set(imports) <= {"nlpzoo", "nlpzoo.neural", "nlpzoo.neural.params"}  # public names only


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
