"""Every Python block in README.md runs as written, in order, in a fresh folder."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


@pytest.mark.filterwarnings("ignore::factormodel.errors.ModelWarning")
def test_readme_python_blocks_run(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    assert len(BLOCKS) >= 6
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for i, block in enumerate(BLOCKS):
        try:
            exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)
        except Exception as exc:  # name the block that failed
            raise AssertionError(f"README python block {i + 1} failed: {exc!r}\n{block}") from exc
        finally:
            plt.close("all")
