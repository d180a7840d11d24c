"""Propagation speed (issue 3): batch propagation, FCM mode, large sparse total effects.

Run:  python benchmarks/propagation.py
Writes benchmarks/results/propagation.{json,md}. Every ratio is measured in the
same run against a baseline computing the same numbers, and agreement is checked.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import factormodel as fm  # noqa: E402
from benchmarks._harness import model_from_matrix, peak_memory, timed, write  # noqa: E402
from factormodel.core import _linalg  # noqa: E402
from factormodel.core.fcm import simulate  # noqa: E402
from tests.reference import clamped_block_formula, fcm_loop, random_cyclic  # noqa: E402


def batch_propagation(rows: int = 10_000, inputs: int = 45) -> dict:
    model = fm.load_model("rotterdam-jeugd")
    rng = np.random.default_rng(0)
    cols = list(rng.choice(model.factors, inputs, replace=False))
    D = pd.DataFrame(rng.normal(size=(rows, inputs)), columns=cols,
                     index=pd.Index([f"scenario{i}" for i in range(rows)], name="scenario"))
    fast_s, result = timed(lambda: fm.propagate(model, D).deltas, repeats=7)
    W = model.weight_matrix.toarray()
    idx = list(model.positions(cols))

    def loop() -> np.ndarray:
        return np.vstack([clamped_block_formula(W, idx, row) for row in D.to_numpy()])

    slow_s, slow = timed(loop, repeats=2)
    return {"case": f"rotterdam-jeugd, {rows:,} scenarios x {inputs} inputs, one call",
            "factormodel_s": fast_s, "baseline": "per-row loop of the same clamped solve",
            "baseline_s": slow_s, "speedup": slow_s / fast_s,
            "max_abs_diff": float(np.abs(result.to_numpy() - slow).max()),
            "target": "< 0.1 s and >= 100x",
            "met": bool(fast_s < 0.1 and slow_s / fast_s >= 100)}


def user_paths() -> list[dict]:
    """Issue 27 item 13: propagate with a dict against the same call with a Series, and
    recommend(area=...) against the same call with goal names already resolved (ids)."""
    model = fm.load_model("rotterdam-jeugd")
    given = dict.fromkeys(model.factors[:10], 0.5)
    as_dict_s, a = timed(lambda: fm.propagate(model, given).deltas, repeats=50)
    as_series_s, b = timed(lambda: fm.propagate(model, pd.Series(given)).deltas, repeats=50)
    prof = fm.profile(model, fm.load_example_data("rotterdam"), level="wijk")
    area = prof.deltas.index[3]
    goals = {"VSV": 1.0, "jeugdcriminaliteit": 0.5}  # a label and an id, as people type them
    named_s, r1 = timed(lambda: fm.recommend(model, prof, goals, area=area), repeats=10)
    ids_s, r2 = timed(lambda: fm.recommend(model, prof, {"vsv": 1.0,
                                                         "jeugdcriminaliteit": 0.5},
                                           area=area), repeats=10)
    same = float(np.nanmax(np.abs(r1["score"].to_numpy(float) - r2["score"].to_numpy(float))))
    return [{"case": "propagate rotterdam-jeugd, 10 given factors as a dict",
             "factormodel_s": as_dict_s, "baseline": "the same call with a Series",
             "baseline_s": as_series_s, "speedup": as_series_s / as_dict_s,
             "max_abs_diff": float(np.abs(a.to_numpy() - b.to_numpy()).max()),
             "target": "dict <= 2x Series", "met": bool(as_dict_s <= 2 * as_series_s)},
            {"case": "recommend(area=...) with goal names ('VSV', an id)",
             "factormodel_s": named_s, "baseline": "the same call with node ids",
             "baseline_s": ids_s, "speedup": ids_s / named_s, "max_abs_diff": same,
             "target": "names <= 1.2x ids", "met": bool(named_s <= 1.2 * ids_s)}]


FCM_OPTS = {"rule": "modified-kosko", "transfer_kind": "sigmoid", "lam": 1.0, "tol": 1e-6,
            "max_iter": 1000}


def _fcm_map(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    return random_cyclic(rng, n, p=0.1, rho=1.5), rng.uniform(0, 1, n)


def _loop(W: np.ndarray, init: np.ndarray, clamped: dict[int, float]) -> tuple[np.ndarray, int]:
    return fcm_loop(W, init, clamped, FCM_OPTS["rule"], FCM_OPTS["transfer_kind"],
                    FCM_OPTS["lam"], FCM_OPTS["tol"], FCM_OPTS["max_iter"])


def fcm_single(n: int = 100) -> dict:
    W, init = _fcm_map(n)
    fast_s, (states, status) = timed(lambda: simulate(W, init, **FCM_OPTS), repeats=25)
    slow_s, (ref, steps) = timed(lambda: _loop(W, init, {}), repeats=5)
    diff = float(np.abs(states[0] - ref).max())
    return {"case": f"FCM, {n}-node map, modified Kosko + sigmoid, one run to convergence "
                    f"({int(status.loc[0, 'iterations'])} steps)",
            "factormodel_s": fast_s, "baseline": "per-element Python loop, same rule",
            "baseline_s": slow_s, "speedup": slow_s / fast_s, "max_abs_diff": diff,
            "target": ">= 20x, identical results",
            "met": bool(slow_s / fast_s >= 20 and steps == status.loc[0, "iterations"]
                        and diff < 1e-12)}


def fcm_sweep(n: int = 100) -> dict:
    """Each concept clamped at 1 in turn: n scenarios, as in a Mental Modeler sweep."""
    W, init = _fcm_map(n)
    mask = np.eye(n, dtype=bool)
    fast_s, (states, status) = timed(lambda: simulate(W, np.tile(init, (n, 1)), clamp_mask=mask,
                                                      clamp_values=mask.astype(float),
                                                      **FCM_OPTS), repeats=7)

    def loop() -> tuple[np.ndarray, list[int]]:
        runs = [_loop(W, init, {k: 1.0}) for k in range(n)]
        return np.vstack([r[0] for r in runs]), [r[1] for r in runs]

    slow_s, (ref, steps) = timed(loop, repeats=1)
    diff = float(np.abs(states - ref).max())
    return {"case": f"FCM, {n}-node map, {n} scenarios (each concept clamped in turn)",
            "factormodel_s": fast_s, "baseline": "per-element Python loop per scenario",
            "baseline_s": slow_s, "speedup": slow_s / fast_s, "max_abs_diff": diff,
            "target": ">= 20x, identical results",
            "met": bool(slow_s / fast_s >= 20 and steps == status["iterations"].tolist()
                        and diff < 1e-12)}


def large_sparse(n: int = 10_000, out_edges: int = 4, rho: float = 0.9, targets: int = 10
                 ) -> tuple[dict, dict]:
    rng = np.random.default_rng(2)
    src = np.repeat(np.arange(n), out_edges)
    dst = rng.integers(0, n, n * out_edges)
    keep = src != dst
    W = sp.csr_matrix((rng.uniform(-1, 1, keep.sum()), (src[keep], dst[keep])), shape=(n, n))
    W.sum_duplicates()
    actual, _ = _linalg.spectral_radius(W)
    W = W * (rho / actual)
    build_s, model = timed(lambda: model_from_matrix(W, "sparse"), repeats=1)
    chosen = [model.node_ids[i] for i in rng.choice(n, targets, replace=False)]
    fast_s, T = timed(lambda: fm.total_effects(model, targets=chosen), repeats=3)
    peak, _ = peak_memory(lambda: fm.total_effects(model, targets=chosen))
    A = sp.identity(n, format="csr") - model.weight_matrix
    E = np.zeros((n, targets))
    E[model.positions(chosen), np.arange(targets)] = 1
    residual = float(np.abs(A @ T.to_numpy() - E).max())
    dense_bytes = n * n * 8
    row = {"case": f"total effects on {targets} targets, {n:,}-node sparse cyclic model "
                   f"({W.nnz:,} edges, spectral radius {rho})",
           "factormodel_s": fast_s, "baseline": "dense n x n matrix would need",
           "baseline_s": None, "speedup": None, "max_abs_diff": residual,
           "target": "< 2 s, no dense n x n",
           "met": bool(fast_s < 2 and peak < dense_bytes / 10),
           "peak_memory_MB": peak / 1e6, "dense_nxn_MB": dense_bytes / 1e6}
    build = {"case": f"building and validating that {n:,}-node model", "factormodel_s": build_s}
    return row, build


def main() -> Path:
    rows = [batch_propagation(), fcm_single(), fcm_sweep(), *user_paths()]
    sparse_row, build = large_sparse()
    rows.append(sparse_row)
    for r in rows:
        print(f"{r['case']}: {r['factormodel_s'] * 1000:.1f} ms"
              + (f", {r['speedup']:.0f}x faster than {r['baseline']}" if r["speedup"] else "")
              + f"; target {r['target']}: {'met' if r['met'] else 'NOT MET'}")
    print(f"{build['case']}: {build['factormodel_s']:.2f} s")
    notes = [
        "factormodel_s and baseline_s are medians of repeated runs after a warm-up run.",
        "max_abs_diff: largest difference from the baseline's numbers; for the sparse case, "
        "the largest residual |(I - W) T - E| of the computed columns.",
        f"peak_memory_MB: tracemalloc peak during the sparse call "
        f"({sparse_row['peak_memory_MB']:.1f} MB) against "
        f"{sparse_row['dense_nxn_MB']:.0f} MB for one dense n x n matrix.",
        f"Building and validating the {build['case'].split('that ')[1]}: "
        f"{build['factormodel_s']:.2f} s (not part of the timed call).",
    ]
    return write("propagation", "Propagation benchmarks (issue 3)", rows, notes)


if __name__ == "__main__":
    print(f"written: {main()}")
