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


def test_readme_numbers_next_to_the_code_are_what_the_code_gives():
    import factormodel as fm

    text = README.read_text(encoding="utf-8")
    m = fm.load_model("rotterdam-jeugd")
    cat = fm.load_indicators(m)
    claim = re.search(r"catalogue has (\d+) indicators\s+for (\d+) factors and all (\d+) outcomes",
                      text)
    nodes = set(cat["node"])
    assert claim and [int(x) for x in claim.groups()] == [
        len(cat), len(nodes & set(m.factors)), len(m.outcomes)]
    assert set(m.outcomes) <= nodes
    prof = fm.profile(m, fm.load_example_data("rotterdam"), level="wijk")
    r = fm.propagate(m, prof.row("Oud-Crooswijk")[list(m.factors)], missing="free")
    units = fm.to_indicator_units(m, r.outcomes, profile=prof).set_index("indicator")
    said = re.search(r"# e\.g\. ([+-][\d.]+) percentage points VSV", text).group(1)
    assert f"{units.loc['vsv_nieuw', 'change']:.2f}" == said
    rec = fm.recommend(m, prof, {"vsv": 2, "schoolsucces": 1}, area="Oud-Crooswijk")
    said = re.search(r"de score op \.\.\. (\d,\d\d) SD tussen kinderen lager", text).group(1)
    assert f" {said} SD tussen kinderen lager" in rec.loc[0, "explanation_nl"]
