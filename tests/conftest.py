"""Shared fixtures: installed test plugins, the example third-party plugin, the shared data."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nlpzoo.machinery import discovery

pytest_plugins = ["nlpzoo.testing"]  # the fixtures plugin authors get: tiny_classification_data, tiny_texts, local_site

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
EXAMPLE_PLUGIN = ROOT / "examples" / "zoo-plugin-example"
PLUGIN_0_1 = ROOT / "tests" / "plugins" / "zoo_plugin_0_1"   # a plugin written against nlp-zoo 0.1
collect_ignore = [str(PLUGIN_0_1)]   # its own tests run against it once it is installed (tests/plugins/test_plugin_0_1.py)


@pytest.fixture(scope="session")
def seeded_cache(tmp_path_factory) -> Path:
    """A download cache already holding the registry's URL datasets whose files sit in ../shared/data
    (byte-identical to the published ones, as their sha256 shows), so no test needs the network."""
    from nlpzoo.data.datasets import cached_path
    from nlpzoo.machinery.registry import load_registry

    root = tmp_path_factory.mktemp("zoo-cache")
    files = {"restaurants": "restaurant_reviews_qaym.csv", "products": "product_reviews_souq.csv"}
    old = os.environ.get("ZOO_CACHE_DIR")
    os.environ["ZOO_CACHE_DIR"] = str(root)
    try:
        for name, file in files.items():
            entry = load_registry().datasets[name]
            if (SHARED_DATA / file).is_file():
                target = cached_path(entry)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes((SHARED_DATA / file).read_bytes())
    finally:
        os.environ.pop("ZOO_CACHE_DIR") if old is None else os.environ.__setitem__("ZOO_CACHE_DIR", old)
    return root


@pytest.fixture(autouse=True)
def fresh_zoo(monkeypatch, seeded_cache):
    """Every test sees plugins as installed now, without a user registry or disabled plugins, and a
    download cache seeded from ../shared/data."""
    monkeypatch.delenv("ZOO_REGISTRY", raising=False)
    monkeypatch.delenv("ZOO_DISABLE_PLUGINS", raising=False)
    monkeypatch.setenv("ZOO_CACHE_DIR", str(seeded_cache))
    discovery.reset()
    yield
    discovery.reset()


@pytest.fixture
def install_plugin(tmp_path, monkeypatch):
    """Install a plugin distribution the way pip would lay it out: a module plus a dist-info
    folder whose entry_points.txt names it in the ``nlpzoo`` group, on sys.path."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def install(distribution: str, plugin: str, module: str, source: str, version: str = "1.0") -> Path:
        (site / f"{module}.py").write_text(textwrap.dedent(source), "utf-8")
        info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(f"[nlpzoo]\n{plugin} = {module}\n")
        sys.modules.pop(module, None)
        discovery.reset()
        return site

    yield install
    for path in site.glob("*.py"):
        sys.modules.pop(path.stem, None)


def pip_install_target(distribution: Path, target: Path) -> Path:
    """``distribution`` really built and installed by pip into the folder ``target``."""
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(distribution)], check=True)
    return target


def forget_modules(package: str) -> None:
    for name in [m for m in sys.modules if m.split(".")[0] == package]:
        del sys.modules[name]


def use_site(site: Path, package: str, monkeypatch) -> Path:
    """Put an installed ``site`` folder on sys.path, with ``package`` imported afresh and plugins found again."""
    monkeypatch.syspath_prepend(str(site))
    forget_modules(package)
    discovery.reset()
    return site


@pytest.fixture(scope="session")
def example_plugin_site(tmp_path_factory) -> Path:
    """The example third-party plugin, installed by pip."""
    return pip_install_target(EXAMPLE_PLUGIN, tmp_path_factory.mktemp("example-plugin-site"))


@pytest.fixture(scope="session")
def plugin_0_1_site(tmp_path_factory) -> Path:
    """The nlp-zoo 0.1 plugin, installed by pip."""
    return pip_install_target(PLUGIN_0_1, tmp_path_factory.mktemp("plugin-0.1-site"))


@pytest.fixture
def plugin_0_1(plugin_0_1_site, monkeypatch):
    yield use_site(plugin_0_1_site, "zoo_legacy_0_1", monkeypatch)
    forget_modules("zoo_legacy_0_1")


def forget_example_modules() -> None:
    forget_modules("zoo_plugin_example")


@pytest.fixture
def example_plugin(example_plugin_site, monkeypatch):
    yield use_site(example_plugin_site, "zoo_plugin_example", monkeypatch)
    forget_example_modules()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the shared review datasets are not at {SHARED_DATA} (they sit beside the project "
                    "in CI and in the development checkout, not in a user's clone)")
    return SHARED_DATA


def run_zoo(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real `zoo` console script in a fresh process."""
    zoo = Path(sys.executable).with_name("zoo")
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([str(zoo), *args], capture_output=True, text=True, env=full_env, cwd=cwd or ROOT)
