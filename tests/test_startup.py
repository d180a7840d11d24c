"""``import factormodel`` stays light: heavy libraries load only when used (issue 16)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import factormodel as fm

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ["matplotlib", "scipy.stats", "scipy.optimize", "networkx", "jsonschema", "openpyxl"]
# also kept out of the command line's path for one wijk (each costs 40-100 ms of start-up):
# models up to 128 nodes are solved densely, so scipy is not imported at all
CORE_PATH_HEAVY = [*HEAVY, "scipy", "scipy.sparse", "scipy.special", "scipy.linalg",
                   "scipy.sparse.csgraph"]


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


def test_the_command_line_answers_for_one_wijk_without_scipy():
    for command in (["propagate", "rotterdam-jeugd", "--data", "example", "--area",
                     "Oud-Crooswijk"],
                    ["recommend", "rotterdam-jeugd", "example", "--area", "Oud-Crooswijk",
                     "--goal", "vsv"],
                    ["effects", "rotterdam-jeugd", "--outcome", "vsv"],
                    # issue 27, item 13: the budgeted portfolio's MILP (core.milp, highspy)
                    ["recommend", "rotterdam-jeugd", "example", "--area", "Oud-Crooswijk",
                     "--goal", "vsv", "--budget", "250000", "--population", "2000"]):
        loaded = _loaded_after(
            "import contextlib, io\n"
            "from factormodel.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            f"    code = main({command!r})\n"
            "assert code in (0, None) and len(out.getvalue()) > 100, out.getvalue()")
        assert "scipy" not in loaded, command


def test_a_budgeted_recommendation_as_json_has_nothing_else_on_stdout():
    # highspy.Highs() prints HiGHS's banner on stdout when it is made (ERGO-Code/HiGHS#2749);
    # core.milp avoids it, so a tool reading the JSON gets JSON only
    out = subprocess.run([sys.executable, "-m", "factormodel", "recommend", "rotterdam-jeugd",
                          "example", "--area", "Oud-Crooswijk", "--goal", "vsv", "--budget",
                          "250000", "--population", "2000", "--format", "json"], cwd=ROOT,
                         check=True, capture_output=True, text=True)
    doc = json.loads(out.stdout)
    assert "HiGHS" not in out.stdout + out.stderr
    assert doc["portfolio"]["chosen"], doc.keys()


def test_large_models_still_use_sparse_matrices():
    import numpy as np

    from factormodel.core import _linalg
    from tests.reference import matrix_model

    rng = np.random.default_rng(3)
    n = 300
    W = np.zeros((n, n))
    W[np.arange(n), (np.arange(n) + 1) % n] = 0.5  # a ring: cyclic
    W[rng.integers(0, n, 600), rng.integers(0, n, 600)] = rng.uniform(-0.1, 0.1, 600)
    np.fill_diagonal(W, 0)
    m = matrix_model(W)
    solver = _linalg.system(m)
    assert not isinstance(solver.W, np.ndarray)  # CSR above SMALL_GRAPH nodes
    T = solver.columns(np.arange(3))
    np.testing.assert_allclose(T, np.linalg.inv(np.eye(n) - W)[:, :3], atol=1e-12)


def test_public_names_unchanged():
    assert set(fm.__all__) <= set(dir(fm))
    for name in fm.__all__:
        assert getattr(fm, name) is not None
    assert callable(fm.propagate) and fm.propagate.__module__ == "factormodel.core.propagate"
    assert callable(fm.recommend) and fm.recommend.__name__ == "recommend"
    assert fm.exchange.__name__ == "factormodel.files.exchange"  # submodules stay submodules
