"""Every example script and notebook runs from top to bottom."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    result = subprocess.run([sys.executable, str(script), "rotterdam-jeugd", str(tmp_path)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "round trip checked" in result.stdout
    assert (tmp_path / "rotterdam-jeugd" / "edges.csv").is_file()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs_and_runs(notebook, tmp_path, monkeypatch):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a notebook without code"
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None, "stored with outputs"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__notebook__"}
    for cell in code:
        exec(compile("".join(cell["source"]), f"{notebook.name}", "exec"), namespace)


def test_examples_exist():
    assert EXAMPLES and NOTEBOOKS
