"""core/'s subpackages are its layers (docs/architecture.md): a module imports from its own layer or the
layers below it. The few imports that reach up are listed here, each with its reason; a new one fails."""
from __future__ import annotations

import ast
from pathlib import Path

import nlpzoo

CORE = Path(nlpzoo.__file__).parent
# bottom to top; the Python API and the contract kit are the top floor, side by side
LAYERS = {"foundations": 0, "machinery": 1, "data": 2, "kinds": 3, "neural": 4, "workflows": 5, "api": 6, "testing": 6}
REACHING_UP = {
    ("nlpzoo.machinery.discovery", "nlpzoo.kinds"): "one hook per kind: discovery asks the kinds for their hooks",
    ("nlpzoo.machinery.plugin_api", "nlpzoo.kinds"): "the contract check compares an object with its kind's Protocol",
    ("nlpzoo.machinery.registry", "nlpzoo.kinds"): "a preset's kind is checked against the kinds' names",
    ("nlpzoo.kinds.generator", "nlpzoo.neural.distributed"): "only rank 0 of a torchrun job writes the generator's files",
    ("nlpzoo.neural.distillation", "nlpzoo.workflows.runs"): "a student reads its teacher's run folder",
}


def module_name(path: Path) -> list[str]:
    parts = ["nlpzoo", *path.relative_to(CORE).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def resolve(package: list[str], level: int, module: str | None) -> str:
    """The absolute name of ``from {'.' * level}{module} import ...`` written in ``package``."""
    base = package[: len(package) - level + 1] if level else []
    return ".".join(base + ([module] if module else []))


def imports_of(path: Path) -> list[tuple[str, str]]:
    """(importing module, imported module) for every ``from ... import`` of the zoo in ``path``."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name[:-1]
    targets = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            target = resolve(package, node.level, node.module)
            folder = CORE.joinpath(*target.split(".")[1:])
            # from ..neural import distributed imports the module nlpzoo.neural.distributed
            targets += [f"{target}.{a.name}" if (folder / f"{a.name}.py").exists() or (folder / a.name).is_dir()
                        else target for a in node.names]
    return [(".".join(name), target) for target in targets if target.split(".")[0] == "nlpzoo"]


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def upward(edges) -> dict[tuple[str, str], None]:
    seen = {}
    for source, target in edges:
        low, high = layer(source), layer(target)
        if low is None or high is None or high > low:
            if source.count(".") == 0 or source == "nlpzoo.__main__":
                continue          # nlpzoo itself is the surface: it may name any layer
            seen[(source, target)] = None
    return seen


def test_every_module_of_core_is_in_a_layer():
    loose = [p.name for p in CORE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert loose == [], f"modules outside the layer subpackages: {loose}"
    assert {p.name for p in CORE.iterdir() if (p / "__init__.py").exists()} == set(LAYERS)


def test_modules_import_only_their_own_layer_and_the_layers_below():
    edges = [edge for path in sorted(CORE.rglob("*.py")) for edge in imports_of(path)]
    reaching = {(source, target) for source, target in upward(edges)
                if not any(source == s and (target == t or target.startswith(t + ".")) for s, t in REACHING_UP)}
    assert reaching == set(), "imports that reach up a layer:\n" + "\n".join(f"{s} -> {t}" for s, t in sorted(reaching))
    # and the list holds no reason that the code no longer needs
    used = {(s, t) for s, t in REACHING_UP if any(source == s and (target == t or target.startswith(t + "."))
                                                  for source, target in upward(edges))}
    assert used == set(REACHING_UP)


def test_the_check_itself_sees_a_module_reaching_up():
    kinds = ["nlpzoo", "kinds"]
    targets = [resolve(kinds, 2, "workflows.runs"), resolve(kinds, 2, "data.split"), resolve(kinds, 2, None)]
    assert targets == ["nlpzoo.workflows.runs", "nlpzoo.data.split", "nlpzoo"]
    assert list(upward([("nlpzoo.kinds.classifier", t) for t in targets])) == [
        ("nlpzoo.kinds.classifier", "nlpzoo.workflows.runs"), ("nlpzoo.kinds.classifier", "nlpzoo")]
