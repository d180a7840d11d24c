"""Every example script and notebook runs from top to bottom."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def run_script(name: str, *args: str, cwd: Path) -> str:
    # the package of this checkout, not whichever copy happens to be installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    result = subprocess.run([sys.executable, str(ROOT / "examples" / name), *args],
                            capture_output=True, text=True, cwd=cwd, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_without_arguments(script, tmp_path):
    assert run_script(script.name, cwd=tmp_path).strip()


def test_inspect_model_writes_both_forms(tmp_path):
    out = run_script("inspect_model.py", "rotterdam-jeugd", str(tmp_path), cwd=tmp_path)
    assert "round trip checked" in out
    assert (tmp_path / "rotterdam-jeugd" / "edges.csv").is_file()


def test_propagate_scenario_reports_vsv(tmp_path):
    out = run_script("propagate_scenario.py", "rotterdam-jeugd", cwd=tmp_path)
    assert "Strongest paths to vsv" in out and "schoolverzuim → vsv" in out
    assert "Tarwewijk" in out


def _run_notebooks_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_notebooks",
                                                  ROOT / "scripts" / "run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_with_current_outputs(notebook):
    """Stored outputs belong to the stored code: the code cells' hash written by
    scripts/run_notebooks.py still matches, and every code cell was executed in order."""
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(notebook, as_version=4)
    stored = nb.metadata.get("factormodel", {}).get("code_sha256")
    assert stored, "stored without outputs: run python scripts/run_notebooks.py"
    assert stored == _run_notebooks_script().code_sha256(nb), \
        "the code changed since the outputs were made: run python scripts/run_notebooks.py"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert notebook.stat().st_size < 400_000, "outputs too large for the repository"


def test_stale_notebook_is_detected():
    """The hash check is not vacuous: changing one character of code changes it."""
    nbformat = pytest.importorskip("nbformat")
    script = _run_notebooks_script()
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    before = script.code_sha256(nb)
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.source += " "
    assert script.code_sha256(nb) != before
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("prose does not count"))
    cell.source = cell.source[:-1]
    assert script.code_sha256(nb) == before


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(notebook, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel imports this checkout's package
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    for cell in code:
        cell.outputs, cell.execution_count = [], None
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert sum(len(c.outputs) for c in nb.cells if c.cell_type == "code") >= len(code) // 2


def test_notebooks_end_with_a_conclusion():
    nbformat = pytest.importorskip("nbformat")
    for notebook in NOTEBOOKS:
        if notebook.name.startswith(("01", "02", "04")):
            last = nbformat.read(notebook, as_version=4).cells[-1]
            assert last.cell_type == "markdown", notebook.name
            assert last.source.startswith(("## Conclusion", "## Conclusie")), notebook.name


def test_examples_exist():
    assert EXAMPLES and len(NOTEBOOKS) >= 5


def test_wijk_profile_example(tmp_path):
    out = run_script("wijk_profile.py", "Tarwewijk", cwd=tmp_path)
    assert "Tarwewijk (2023, SYNTHETIC data)" in out and "percentage points" in out


def test_recommend_portfolio_example(tmp_path):
    out = run_script("recommend_portfolio.py", "Tarwewijk", "100000", cwd=tmp_path)
    assert "1. " in out and "Portfolio within 100,000" in out and "vsv_nieuw" in out


def test_plot_figures_example(tmp_path):
    out = run_script("plot_figures.py", str(tmp_path / "figs"), cwd=tmp_path)
    files = sorted((tmp_path / "figs").glob("*.png"))
    assert len(files) == 7 and "vsv_drivers.png" in out and "validation_vsv.png" in out
    assert all(f.stat().st_size > 10_000 for f in files)
