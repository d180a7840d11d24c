"""factormodel next to the tools people would otherwise use, and at national scale (issue 8).

Run:  python benchmarks/peers.py     (or python benchmarks/run.py for everything)
Writes benchmarks/results/peers.{json,md}. Peers run only when installed; the table
says which were skipped and why.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import factormodel as fm  # noqa: E402
from benchmarks._harness import (  # noqa: E402
    model_from_matrix,
    peak_memory,
    synthetic_buurten,
    timed,
    write,
)
from factormodel.core import _linalg  # noqa: E402
from factormodel.core.fcm import simulate  # noqa: E402
from factormodel.files.areas import normalize_area_data  # noqa: E402
from tests.reference import matrix_model, random_dag, total_effects_by_paths  # noqa: E402


def _row(case, fast_s, baseline, baseline_s, diff, note="") -> dict:
    return {"case": case, "factormodel_s": fast_s, "peer": baseline, "peer_s": baseline_s,
            "speedup": (baseline_s / fast_s) if baseline_s else None, "max_abs_diff": diff,
            "note": note}


def total_effects_rows() -> list[dict]:
    rows = []
    rng = np.random.default_rng(11)
    W = random_dag(rng, 12, p=0.45)
    small = matrix_model(W)
    fast_s, T = timed(lambda: fm.total_effects(small).to_numpy(), repeats=20)
    slow_s, ref = timed(lambda: total_effects_by_paths(W), repeats=3)
    rows.append(_row("total effects, random 12-node DAG (all pairs)", fast_s,
                     "networkx: enumerate every path", slow_s, float(np.abs(T - ref).max())))
    model = fm.load_model("rotterdam-jeugd")
    Wd = model.weight_matrix.toarray()
    fast_s, T = timed(lambda: fm.total_effects(model).to_numpy(), repeats=20)
    inv_s, ref = timed(lambda: np.linalg.inv(np.eye(model.n_nodes) - Wd), repeats=20)
    rows.append(_row("total effects, rotterdam-jeugd (72 x 72, one loop)", fast_s,
                     "numpy dense inverse", inv_s, float(np.abs(T - ref).max()),
                     "the inverse is the reference; factormodel also checks convergence "
                     "and zeroes effects no path carries"))
    return rows


def _quietly(fn):
    """Call ``fn`` with a peer's prints and warnings silenced."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


def fcm_rows() -> tuple[list[dict], list[str]]:
    try:
        FcmSimulator = _quietly(lambda: importlib.import_module("fcmpy")).FcmSimulator
    except Exception as exc:  # not installed, or its imports fail
        return [], [f"FCMpy: not importable ({type(exc).__name__}: {exc})"]
    rows = []
    rng = np.random.default_rng(5)
    n = 20
    W = rng.uniform(-1, 1, (n, n)) * (rng.random((n, n)) < 0.2)
    np.fill_diagonal(W, 0)
    names = [f"C{i}" for i in range(n)]
    frame = pd.DataFrame(W, index=names, columns=names)
    init = dict(zip(names, rng.uniform(0, 1, n), strict=True))
    x0 = np.array(list(init.values()))
    for ours, theirs in (("kosko", "kosko"), ("modified-kosko", "mKosko"),
                         ("rescaled", "rescaled")):
        for transfer in ("sigmoid", "tanh"):
            def run_fcmpy(theirs=theirs, transfer=transfer):
                return _quietly(lambda: FcmSimulator.simulate(
                    initial_state=init, weight_matrix=frame, transfer=transfer,
                    inference=theirs, thresh=0.001, iterations=100, l=1))
            slow_s, res = timed(run_fcmpy, repeats=3)
            fast_s, (state, status) = timed(
                lambda ours=ours, transfer=transfer: simulate(
                    W, x0, rule=ours, transfer_kind=transfer, lam=1.0, tol=0.001,
                    max_iter=100), repeats=10)
            diff = float(np.abs(res.iloc[-1].to_numpy(dtype=float) - state[0]).max())
            same_steps = int(status.loc[0, "iterations"]) == len(res) - 1
            rows.append(_row(f"FCM {n} concepts, {ours} + {transfer}, lambda 1", fast_s,
                             "FCMpy FcmSimulator", slow_s, diff,
                             "same number of steps" if same_steps else
                             f"steps differ: {int(status.loc[0, 'iterations'])} vs "
                             f"{len(res) - 1}"))
    return rows, []


def _source_deltas(model: fm.FactorModel, rows: int, seed: int) -> pd.DataFrame:
    """Random deltas on every node without incoming edges (the exogenous variables)."""
    sources = [n for n in model.nodes.index if n not in set(model.edges["target"])]
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.standard_normal((rows, len(sources))), columns=sources)


def sem_rows(rows: int = 1000) -> tuple[list[dict], list[str]]:
    """Propagated deltas vs semopy and pgmpy with the same fixed weights.

    Both peers predict the missing (endogenous) variables as a conditional mean given the
    exogenous ones, which for a linear model is ``x (I - W)^-1`` restricted to the sources:
    the same numbers ``propagate`` computes.
    """
    out, skipped = [], []
    try:
        semopy = _quietly(lambda: importlib.import_module("semopy"))
    except Exception as exc:
        semopy = None
        skipped.append(f"semopy: not importable ({type(exc).__name__}: {exc})")
    if semopy is not None:
        model = fm.load_model("rotterdam-jeugd")
        desc = "\n".join(f"{t} ~ " + " + ".join(f"{w!r}*{s}" for s, w in
                                                 zip(g["source"], g["weight"], strict=True))
                         for t, g in model.edges.groupby("target"))
        ids = list(model.nodes.index)
        W = model.weight_matrix.toarray()
        rng = np.random.default_rng(3)
        data = pd.DataFrame(np.linalg.solve((np.eye(len(ids)) - W).T,
                                            rng.standard_normal((len(ids), 2000))).T,
                            columns=ids)
        sem = semopy.Model(desc)
        _quietly(lambda: sem.fit(data))  # only the variances are free; weights are fixed
        deltas = _source_deltas(model, rows, seed=4)
        peer_s, theirs = timed(lambda: _quietly(lambda: sem.predict(deltas)), repeats=5)
        fast_s, ours = timed(lambda: fm.propagate(model, deltas).deltas, repeats=5)
        out.append(_row(f"propagate {rows:,} scenarios, rotterdam-jeugd (with its loop)",
                        fast_s, "semopy Model.predict, weights fixed", peer_s,
                        float(np.abs(theirs[ids].to_numpy() - ours[ids].to_numpy()).max()),
                        "semopy conditions on the exogenous variables; variances fitted "
                        "to simulated data first (not timed)"))
    try:
        pgm = _quietly(lambda: importlib.import_module("pgmpy.models"))
        continuous = _quietly(lambda: importlib.import_module("pgmpy.factors.continuous"))
        cpd_cls = continuous.LinearGaussianCPD
    except Exception as exc:
        skipped.append(f"pgmpy: not importable ({type(exc).__name__}: {exc})")
        return out, skipped
    model = fm.load_model("ctc")
    edges = model.edges
    net = pgm.LinearGaussianBayesianNetwork(list(zip(edges["source"], edges["target"],
                                                     strict=True)))
    net.add_nodes_from(model.nodes.index)
    net.add_cpds(*[cpd_cls(v, [0.0, *edges.loc[edges["target"] == v, "weight"]], 1.0,
                           list(edges.loc[edges["target"] == v, "source"]))
                   for v in model.nodes.index])
    deltas = _source_deltas(model, rows, seed=5)
    peer_s, theirs = timed(lambda: _quietly(lambda: net.predict(deltas)), repeats=5)
    fast_s, ours = timed(lambda: fm.propagate(model, deltas).deltas, repeats=5)
    cols = list(theirs.columns)
    out.append(_row(f"propagate {rows:,} scenarios, ctc (a DAG)", fast_s,
                    "pgmpy LinearGaussianBayesianNetwork.predict", peer_s,
                    float(np.abs(theirs[cols].to_numpy() - ours[cols].to_numpy()).max()),
                    "pgmpy needs a DAG, so rotterdam-jeugd (one feedback loop) cannot be "
                    "expressed in it"))
    return out, skipped


def _pattern_groups(present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows grouped by coverage pattern cheaply: each row's bits packed into bytes and read as
    one opaque value, so grouping is a 1-D sort instead of ``np.unique(axis=0)`` (which
    compares rows column by column and took 65-90% of the old baseline)."""
    packed = np.ascontiguousarray(np.packbits(present, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, which = np.unique(keys, return_index=True, return_inverse=True)
    return present[first], which.ravel()


def _bare_clamped(W: np.ndarray, fpos: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Design notes §3 in tight plain numpy, all rows of one coverage pattern at once:
    Δx_F = (I - W_FF^T)^-1 W_CF^T Δx_C, given nodes keep their values; one LU per pattern."""
    n = W.shape[0]
    out = np.zeros((values.shape[0], n))
    patterns, which = _pattern_groups(~np.isnan(values))
    order = np.argsort(which, kind="stable")
    bounds = np.searchsorted(which[order], np.arange(len(patterns) + 1))
    for k, pattern in enumerate(patterns):
        rows = order[bounds[k]:bounds[k + 1]]
        given = np.flatnonzero(pattern)
        clamped = fpos[given]
        free = np.setdiff1d(np.arange(n), clamped)
        A = np.eye(len(free)) - W[np.ix_(free, free)].T
        x = values[np.ix_(rows, given)]
        out[np.ix_(rows, clamped)] = x
        out[np.ix_(rows, free)] = np.linalg.solve(A, W[np.ix_(clamped, free)].T @ x.T).T
    return out


def scale_rows() -> list[dict]:
    rows = []
    model = fm.load_model("rotterdam-jeugd")
    rng = np.random.default_rng(8)
    n_areas = 14_500  # about the number of Dutch buurten
    factors = list(model.factors)
    deltas = synthetic_buurten(model, n_areas, rng)  # coverage patterns as in real data
    values = deltas.to_numpy()
    wide = deltas.round(4).reset_index(names="code").assign(year=2023)
    read_s, long = timed(lambda: normalize_area_data(wide), repeats=1)
    back = long.pivot(index="area", columns="indicator", values="value").loc[deltas.index,
                                                                             factors]
    rows.append(_row(f"area data: normalise a wide table of {n_areas:,} synthetic buurten x "
                     f"{len(factors)} indicator columns ({len(long):,} cells)", read_s, None, None,
                     float(np.nanmax(np.abs(back.to_numpy() - wide[factors].to_numpy()))),
                     "parse, resolve areas and check duplicates and populations; "
                     "max_abs_diff: values read back against the table"))
    # the same table as a Dutch CSV gives it: text cells, decimal commas, CBS '.' for missing
    text = wide.copy()
    for c in factors:
        text[c] = [("." if np.isnan(v) else repr(float(v)).replace(".", ",")) for v in wide[c]]
    text_s, text_long = timed(lambda: normalize_area_data(text), repeats=1)
    rows.append(_row(f"area data: the same table as text cells with decimal commas and '.' "
                     f"({len(text_long):,} cells)", text_s, None, None,
                     float(np.nanmax(np.abs(text_long["value"].to_numpy()
                                            - long["value"].to_numpy()))),
                     "every cell through the one cell parser, once per distinct value; "
                     "max_abs_diff: against the numeric table"))
    fast_s, result = timed(lambda: fm.propagate(model, deltas, missing="free"), repeats=3)
    peak, _ = peak_memory(lambda: fm.propagate(model, deltas, missing="free"))
    Wd = model.weight_matrix.toarray()
    fpos = model.positions(factors)
    bare_s, bare = timed(lambda: _bare_clamped(Wd, fpos, values), repeats=3)
    rows.append(_row(f"rotterdam-jeugd for {n_areas:,} synthetic buurten, one propagate call "
                     "(4 coverage patterns)", fast_s,
                     "tight numpy: rows grouped by packed coverage bits, one solve per "
                     "pattern, unlabelled", bare_s,
                     float(np.abs(result.deltas.to_numpy() - bare).max()),
                     f"peak memory {peak / 1e6:.0f} MB; output {result.deltas.shape}"))
    n = 50_000
    src = np.repeat(np.arange(n), 4)
    dst = rng.integers(0, n, 4 * n)
    keep = src != dst
    W = sp.csr_matrix((rng.uniform(-1, 1, keep.sum()), (src[keep], dst[keep])), shape=(n, n))
    W.sum_duplicates()
    rho, _ = _linalg.spectral_radius(W)
    W = W * (0.9 / rho)
    build_s, big = timed(lambda: model_from_matrix(W, "national"), repeats=1)
    targets = list(big.node_ids[:10])
    fast_s, T = timed(lambda: fm.total_effects(big, targets=targets), repeats=3)
    peak, _ = peak_memory(lambda: fm.total_effects(big, targets=targets))
    A = sp.identity(n, format="csr") - big.weight_matrix
    E = np.zeros((n, 10))
    E[big.positions(targets), np.arange(10)] = 1
    residual = float(np.abs(A @ T.to_numpy() - E).max())
    rows.append(_row(f"total effects on 10 targets, {n:,}-node sparse cyclic model "
                     f"({W.nnz:,} edges, spectral radius 0.9)", fast_s, None, None, residual,
                     f"peak memory {peak / 1e6:.0f} MB (a dense n x n matrix: "
                     f"{n * n * 8 / 1e9:.0f} GB); building and validating the model took "
                     f"{build_s:.1f} s; max_abs_diff is the residual |(I - W) T - E|"))
    return rows


def main() -> Path:
    rows, skipped = total_effects_rows(), []
    for part in (sem_rows, fcm_rows):
        more, why = part()
        rows += more
        skipped += why
    rows += scale_rows()
    for r in rows:
        peer = (f" vs {r['peer']} {r['peer_s']:.4g} s ({r['speedup']:.2g}x)"
                if r["peer"] else "")
        diff = "" if r["max_abs_diff"] is None else f", max diff {r['max_abs_diff']:.2g}"
        print(f"{r['case']}: {r['factormodel_s']:.4g} s{peer}{diff}")
    for s in skipped:
        print("skipped:", s)
    notes = ["Times are medians over repeated runs after a warm-up run; ratios are measured "
             "in the same run.", *[f"Skipped: {s}" for s in skipped]]
    return write("peers", "factormodel next to peer tools, and at national scale (issue 8)",
                 rows, notes)


if __name__ == "__main__":
    print(f"written: {main()}")
