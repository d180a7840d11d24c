"""SEM calibration at national scale (issue 25): rotterdam-jeugd on 342 gemeenten.

Run:  python benchmarks/calibration.py     (or python benchmarks/run.py for everything)
Writes benchmarks/results/calibration.{json,md}. Baselines measured in the same run:

* the same maximum-a-posteriori fit with scipy's finite-difference gradient instead of the
  analytic one (same optimiser, same start; the weights must agree);
* ``fm.validate`` without calibration on the same folds, so the ratio is what calibrating
  inside every fold costs.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
from scipy import optimize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import factormodel as fm  # noqa: E402
from benchmarks._harness import load, timed, write  # noqa: E402
from factormodel.estimation import sem  # noqa: E402
from factormodel.estimation.calibrate import node_data, prior_sd  # noqa: E402

MODEL = "rotterdam-jeugd"
DATA = "cbs_jeugdzorg_gemeenten_2022"


def _quiet(fn):
    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sign and zero-count warnings: not timed issues
            return fn()
    return run


def _numeric_gradient_fit(model: fm.FactorModel, nodes, s0: np.ndarray) -> np.ndarray:
    """The same posterior mode with scipy's finite-difference gradient (the baseline)."""
    fit = sem.fit_sem(model, nodes, s0)  # for the measured set and the start values only
    obs = model.positions(list(fit.measured))
    z = nodes[list(fit.measured)]
    S, n = sem._standardised_covariance(z)
    e = model.edges
    k = model.n_nodes
    W0 = np.zeros((k, k))
    src, dst = model.positions(e["source"]), model.positions(e["target"])
    b0 = e["weight"].to_numpy(float)
    W0[src, dst] = b0
    problem = sem._Problem(W0, src, dst, obs, S, n, 1.0, b0, 1.0 / s0 ** 2)
    theta0 = np.concatenate([b0, np.log(np.diag(S) * 0.5)])
    sol = optimize.minimize(lambda t: problem.value(t, grad=False), theta0, method="L-BFGS-B",
                            options={"maxiter": 20000, "maxfun": 10 ** 6, "ftol": 1e-13,
                                     "gtol": 1e-7})
    return sol.x[:len(b0)]


def calibration_row(repeats: int = 5) -> dict:
    model = fm.load_model(MODEL)
    data = fm.load_example_data(DATA)
    nodes, info = _quiet(lambda: node_data(model, data))()
    s0 = prior_sd(model).to_numpy()
    fast_s, fit = timed(_quiet(lambda: fm.calibrate_sem(model, data)), repeats=repeats)
    slow_s, w_num = timed(_quiet(lambda: _numeric_gradient_fit(model, nodes, s0)), repeats=1)
    diff = float(np.abs(fit.edges["weight"].to_numpy() - w_num).max())
    return {"case": f"calibrate_sem, {MODEL} on {info['areas']} gemeenten "
                    f"({len(fit.measured)} measured nodes, {len(fit.edges)} edges)",
            "factormodel_s": fast_s, "baseline": "same fit, finite-difference gradient",
            "baseline_s": slow_s, "speedup": float(slow_s) / float(fast_s),
            "max_abs_diff": diff, "informed_edges": int(fit.edges["informed"].sum())}


def validation_row(repeats: int = 1, folds: int = 10) -> dict:
    model = fm.load_model(MODEL)
    data = fm.load_example_data(DATA)
    cal_s, _ = timed(_quiet(lambda: fm.validate(model, data, folds=folds, calibrate=1.0,
                                                calibration="sem")), repeats=repeats)
    plain_s, _ = timed(_quiet(lambda: fm.validate(model, data, folds=folds)), repeats=repeats)
    return {"case": f"validate, {folds} folds, calibrated (SEM) inside every fold",
            "factormodel_s": cal_s, "baseline": "validate without calibration",
            "baseline_s": plain_s, "speedup": float(plain_s) / float(cal_s),
            "max_abs_diff": None,
            "informed_edges": None}


def main() -> Path:
    start = load()
    rows = [calibration_row(), validation_row()]
    notes = ["Targets of issue 25: calibration well under 10 s, a 10-fold validation with "
             "calibration under a minute. `speedup` = baseline time / factormodel time "
             "(below 1 for the validation row: calibration is the extra cost). Data: the "
             "bundled REAL CBS gemeenten (CC BY 4.0)."]
    return write("calibration", "SEM calibration at national scale", rows, notes,
                 start_load=start)


if __name__ == "__main__":
    print(main().read_text(encoding="utf-8"))
