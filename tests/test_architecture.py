"""The rules of the house (docs/architecture.md), checked on the source itself.

Each test fails when a change breaks a layering rule: an import cycle, file I/O or
analysis imports in the wrong layer, private state read across modules, or an
analysis that solves more often than it needs to.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pandas as pd
import pytest

import factormodel as fm
from factormodel.analysis import indicators, portfolio
from factormodel.core import _linalg
from factormodel.files import datasets as fm_datasets
from factormodel.files import folders as io

PACKAGE = Path(fm.__file__).parent


def _modules() -> dict[str, ast.Module]:
    out = {}
    for f in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(f.relative_to(PACKAGE.parent).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = ast.parse(f.read_text(encoding="utf-8"))
    return out


def _imports(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """Package modules imported anywhere in ``tree`` (also inside functions), except under
    ``if TYPE_CHECKING:``."""
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
            and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    is_pkg = name == "factormodel" or (PACKAGE / f"{name.split('.', 1)[-1]}").is_dir()
    package = name if is_pkg else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                for cand in (f"{base}.{alias.name}", base):
                    if cand in known and cand != name:
                        out.add(cand)
                        break
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known and a.name != name}
    return out - {"factormodel"}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {n: _imports(n, t, known) for n, t in mods.items() if n != "factormodel"}


def test_the_import_graph_has_no_cycle(graph):
    import networkx as nx

    G = nx.DiGraph([(a, b) for a, deps in graph.items() for b in deps])
    cycles = list(nx.simple_cycles(G))
    assert not cycles, f"import cycle(s): {cycles[:3]}"


def test_the_cycle_check_finds_a_cycle():
    """The checker above is not vacuous: it sees imports inside functions."""
    tree = ast.parse("def f():\n    from factormodel.core.model import FactorModel\n")
    assert _imports("factormodel.files.folders", tree, {"factormodel.core.model"}) == {
        "factormodel.core.model"}


#: The layers, lowest first (docs/architecture.md). A module imports only modules of its own
#: layer or of lower ones; imports inside functions count, ``if TYPE_CHECKING:`` ones do not.
LAYERS = ["base", "tables", "core", "files", "analysis", "estimation", "workflow", "text",
          "render", "top"]
#: ``text.numbers`` is the one number formatter (issue 22): a leaf that imports nothing of the
#: package, so every layer may write a number with it.
BASE = {"factormodel.errors", "factormodel.vocab", "factormodel.text.numbers"}
TOP = {"factormodel.cli", "factormodel.__main__", "factormodel.serve"}


def layer_of(module: str) -> int:
    if module in BASE:
        return LAYERS.index("base")
    parts = module.split(".")
    if module in TOP or parts[1] == "serve":
        return LAYERS.index("top")
    if len(parts) < 3 and parts[1] not in LAYERS:
        raise AssertionError(f"{module} sits in no layer: move it into a subpackage")
    return LAYERS.index(parts[1])


def upward_imports(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {(a, b) for a, deps in graph.items() for b in deps if layer_of(b) > layer_of(a)}


#: Upward imports that the text layer (issue 22, item 2) still has to remove. None are left:
#: the profile carries its reference as a code and fields (``Profile.reference_code``).
#: Nothing may be added here.
PENDING: set[tuple[str, str]] = set()


def test_every_module_sits_in_a_layer(graph):
    for name in graph:
        layer_of(name)


def test_imports_go_down_the_layers(graph):
    bad = upward_imports(graph) - PENDING
    assert not bad, sorted(bad)


def test_the_layer_check_finds_an_upward_import():
    """The checker above is not vacuous: a core module importing the analysis layer."""
    tree = ast.parse("def f():\n    from factormodel.analysis.recommend import recommend\n")
    known = {"factormodel.core.model", "factormodel.analysis.recommend"}
    graph = {"factormodel.core.model": _imports("factormodel.core.model", tree, known)}
    assert upward_imports(graph) == {("factormodel.core.model", "factormodel.analysis.recommend")}


def test_files_read_files_and_import_no_analysis(graph):
    bad = {m for name, deps in graph.items() if name.startswith("factormodel.files.")
           for m in deps if layer_of(m) > LAYERS.index("files")}
    assert not bad


def test_no_function_shadows_a_module():
    """``import factormodel.x.y`` gives the module, and ``fm.<name>`` a function never hides
    a module of the same dotted path."""
    import importlib

    for name in fm.__all__:
        value = getattr(fm, name)
        assert not (callable(value) and (PACKAGE / f"{name}.py").exists()), name
    for module in _modules():
        if module not in ("factormodel", "factormodel.__main__"):
            assert importlib.import_module(module).__name__ == module


def test_no_private_access_across_modules():
    problems = []
    modules = _modules()
    assert not any(isinstance(node, ast.ImportFrom) and node.level
                   for tree in modules.values() for node in ast.walk(tree)), \
        "relative import in the package: the package uses absolute imports"
    for name, tree in modules.items():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr in ("_nodes", "_edges", "_cache",
                                                                   "_tables", "_metadata")
                    and name != "factormodel.core.model"):
                problems.append(f"{name}: .{node.attr}")
            if (isinstance(node, ast.ImportFrom) and node.level == 0
                    and node.module in modules and node.module != name
                    and not (PACKAGE.parent / node.module.replace(".", "/")).is_dir()):
                problems += [f"{name}: imports {a.name} from {node.module}" for a in node.names
                             if a.name.startswith("_") and not a.name.startswith("__")]
    assert not problems, problems


@pytest.fixture
def fresh_rotterdam(tmp_path) -> fm.FactorModel:
    """A copy of the bundled model read from its own folder (nothing cached yet)."""
    folder = tmp_path / "rj"
    shutil.copytree(fm_datasets.bundled_model_path("rotterdam-jeugd"), folder)
    return fm.read_model(folder)


def test_recommend_with_a_budget_reads_each_catalogue_once_and_solves_twice(
        fresh_rotterdam, monkeypatch):
    """What one `factormodel recommend ... --budget` does, instrumented (issue 11)."""
    counts = {"solve": 0, "indicators": 0, "interventions": 0}

    def counting(method):
        def run(self, which):
            counts["solve"] += 1
            return method(self, which)
        return run

    monkeypatch.setattr(_linalg.System, "columns", counting(_linalg.System.columns))
    monkeypatch.setattr(_linalg.System, "rows", counting(_linalg.System.rows))
    for key, module, fn in (("indicators", indicators, "build_catalogue"),
                            ("interventions", portfolio, "build_interventions")):
        original = getattr(module, fn)

        def build(*args, _original=original, _key=key, **kwargs):
            counts[_key] += 1
            return _original(*args, **kwargs)
        monkeypatch.setattr(module, fn, build)
    reads = []
    monkeypatch.setattr(io, "read_table", lambda *a, **k: reads.append(a) or pytest.fail(
        "a catalogue was read from a file again"))

    m = fresh_rotterdam
    prof = fm.profile(m, fm.load_example_data("rotterdam"), level="wijk")
    goals = {"vsv": 2.0, "schoolsucces": 1.0}
    rec = fm.recommend(m, prof, goals, area="Oud-Crooswijk")
    port = fm.optimize_portfolio(m, prof, fm.load_interventions(m), budget=250_000,
                                 outcomes=goals, population=prof.population_of("Oud-Crooswijk"),
                                 area="Oud-Crooswijk")
    assert len(rec) and port.total_cost <= 250_000
    assert counts == {"solve": 2, "indicators": 1, "interventions": 1}


def test_results_share_to_frame_to_dict_and_html(toy):
    import json

    prof = fm.Profile(pd.DataFrame({"schoolverzuim": [0.5, 1.0], "opvoedklimaat": [-1.0, 0.2]},
                                   index=["A", "B"]), reference="city")
    results = [
        prof,
        fm.propagate(toy, {"armoede": 1.0}),
        fm.propagate(toy, {"armoede": 0.5}, method="fcm"),
        fm.monte_carlo(toy, prof, ["vsv"], n_draws=20, progress=False),
        fm.compare(toy, toy.with_weights({("armoede", "schoolprestaties"): -0.3})),
    ]
    for r in results:
        assert isinstance(r.to_frame(), pd.DataFrame), type(r)
        json.dumps(r.to_dict(), allow_nan=False)
        assert r._repr_html_().startswith("<div"), type(r)


def test_no_merge_conflict_markers_in_the_repository():
    root = Path(__file__).resolve().parent.parent  # the checkout these tests belong to
    found = []
    for pattern in ("*.py", "*.md", "*.csv", "*.json", "*.toml", "*.html", "*.js", "*.ipynb"):
        for f in root.rglob(pattern):
            if any(part.startswith(".") for part in f.relative_to(root).parts):
                continue
            text = f.read_text(encoding="utf-8", errors="replace")
            if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in text.splitlines()):
                found.append(str(f.relative_to(root)))
    assert not found, found


def test_one_version_source_and_type_hints_ship():
    """The build reads the version from factormodel/__init__.py (one source) and the
    package publishes its type hints (py.typed)."""
    from importlib.metadata import version
    from pathlib import Path

    import factormodel as fm

    assert version("factormodel") == fm.__version__
    assert (Path(fm.__file__).parent / "py.typed").is_file()


def _architecture_map():
    import importlib.util

    path = PACKAGE.parent / "scripts" / "architecture_map.py"
    if not path.exists():
        pytest.skip("scripts/ is not part of this installation")
    spec = importlib.util.spec_from_file_location("architecture_map", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_architecture_document_lists_every_module_where_it_is():
    amap = _architecture_map()
    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert amap.current_block(doc) == amap.module_map(), (
        "docs/architecture.md is out of date: run python scripts/architecture_map.py --write")
    layers = {layer for layer, _ in amap.LAYERS}
    assert layers == set(LAYERS)  # the document and the layer test agree on the layers


def test_the_module_map_sees_a_new_module(tmp_path, monkeypatch):
    amap = _architecture_map()
    fake = tmp_path / "factormodel"
    for layer, members in amap.LAYERS:
        if members is None:
            (fake / layer).mkdir(parents=True)
            (fake / layer / "__init__.py").write_text('"""A layer."""\n')
    (fake / "errors.py").write_text('"""Errors."""\n')
    (fake / "vocab.py").write_text('"""Vocabulary."""\n')
    (fake / "cli.py").write_text('"""CLI."""\n')
    (fake / "serve").mkdir()
    (fake / "serve" / "__init__.py").write_text('"""Serve."""\n')
    monkeypatch.setattr(amap, "PACKAGE", fake)
    before = amap.module_map()
    (fake / "core" / "newthing.py").write_text('"""A new numeric thing."""\n')
    after = amap.module_map()
    assert "factormodel/core/newthing.py` | A new numeric thing." in after
    assert before != after
