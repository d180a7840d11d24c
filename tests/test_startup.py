"""``import factormodel`` stays light: heavy libraries load only when used (issue 16)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import factormodel as fm

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ["matplotlib", "scipy.stats", "scipy.optimize", "networkx", "jsonschema", "openpyxl"]
# also kept out of the command line's path for one wijk (each costs 40-70 ms of start-up)
CORE_PATH_HEAVY = [*HEAVY, "scipy.special", "scipy.linalg", "scipy.sparse.csgraph"]


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_loads_no_heavy_library():
    loaded = _loaded_after("import factormodel")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_propagating_a_wijk_loads_no_plotting_statistics_or_optimisation():
    loaded = _loaded_after(
        "import factormodel as fm\n"
        "m = fm.load_model('rotterdam-jeugd')\n"
        "p = fm.profile(m, fm.load_example_data()).loc['Oud-Crooswijk', list(m.factors)]\n"
        "fm.propagate(m, p.dropna()).contributions_to('vsv')")
    assert not loaded & set(CORE_PATH_HEAVY), loaded & set(CORE_PATH_HEAVY)


def test_public_names_unchanged():
    assert set(fm.__all__) <= set(dir(fm))
    for name in fm.__all__:
        assert getattr(fm, name) is not None
    import factormodel.propagate  # loading the submodules must not shadow the functions
    import factormodel.recommend  # noqa: F401
    assert callable(fm.propagate) and fm.propagate.__module__ == "factormodel.propagate"
    assert callable(fm.recommend) and fm.recommend.__name__ == "recommend"
    assert fm.exchange.__name__ == "factormodel.exchange"  # submodules stay submodules
