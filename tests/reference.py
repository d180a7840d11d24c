"""Independent, deliberately naive reference implementations used to cross-check
factormodel (and as baselines in benchmarks/). They share no code with the library."""

from __future__ import annotations

import itertools
import math
import warnings

import networkx as nx
import numpy as np
import pandas as pd

import factormodel as fm


def matrix_model(W: np.ndarray, names: list[str] | None = None) -> fm.FactorModel:
    """A model whose weight matrix is W (all nodes risk factors in setting 'kind')."""
    n = W.shape[0]
    names = names or [f"n{i}" for i in range(n)]
    nodes = [{"id": k, "kind": "risk", "setting": "kind", "label_nl": k, "label_en": k,
              "phases": "all", "modifiable": True} for k in names]
    src, dst = np.nonzero(W)
    edges = [{"source": names[i], "target": names[j], "weight": float(W[i, j]),
              "strength": "matig", "source_ref": "expert judgement"}
             for i, j in zip(src, dst, strict=True)]
    if not edges:
        raise ValueError("W has no edges")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fm.ModelWarning)
        return fm.FactorModel(nodes, edges, {"name": "matrix", "version": "1",
                                             "status": "illustrative"})


def random_dag(rng: np.random.Generator, n: int, p: float = 0.4) -> np.ndarray:
    W = np.triu(rng.uniform(-0.9, 0.9, (n, n)) * (rng.random((n, n)) < p), k=1)
    perm = rng.permutation(n)
    return W[np.ix_(perm, perm)]


def random_cyclic(rng: np.random.Generator, n: int, p: float = 0.35, rho: float = 0.8
                  ) -> np.ndarray:
    for _ in range(100):  # redraw a nearly nilpotent W: scaled to rho it would break the
        W = rng.uniform(-1, 1, (n, n)) * (rng.random((n, n)) < p)  # weight bound of 10
        np.fill_diagonal(W, 0)
        r = max(abs(np.linalg.eigvals(W)))
        if r == 0 or np.abs(W).max() * rho / r <= 10:
            break
    return W * (rho / r) if r > 0 else W


def total_effects_by_paths(W: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """T[i, j] by enumerating every path of a DAG (exponential; small graphs only)."""
    n = W.shape[0]
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from((i, j, W[i, j]) for i, j in zip(*np.nonzero(W), strict=True))
    T = np.eye(n)
    for i in range(n):
        for j in range(n):
            if i != j:
                T[i, j] = sum(alpha ** (len(p) - 1) * math.prod(G[a][b]["weight"]
                                                                for a, b in itertools.pairwise(p))
                              for p in nx.all_simple_paths(G, i, j))
    return T


def clamped_block_formula(W: np.ndarray, clamped: list[int], values: np.ndarray,
                          alpha: float = 1.0) -> np.ndarray:
    """Design notes §3: Δx_F = (I - α W_FF^T)^-1 (α W_CF^T Δx_C), dense."""
    n = W.shape[0]
    free = [k for k in range(n) if k not in clamped]
    out = np.zeros(n)
    out[clamped] = values
    A = np.eye(len(free)) - alpha * W[np.ix_(free, free)].T
    b = alpha * W[np.ix_(clamped, free)].T @ values
    out[free] = np.linalg.solve(A, b)
    return out


def fcm_loop(W: np.ndarray, initial: np.ndarray, clamped: dict[int, float], rule: str,
             transfer: str, lam: float, tol: float, max_iter: int) -> tuple[np.ndarray, int]:
    """Per-element Python FCM iteration (no numpy in the update)."""
    n = len(initial)
    Wl = W.tolist()
    held = [all(Wl[i][j] == 0 for i in range(n)) for j in range(n)]
    x = [float(v) for v in initial]
    for k, v in clamped.items():
        x[k] = v
    start = list(x)
    steps = 0
    for steps in range(1, max_iter + 1):  # noqa: B007 - steps is returned
        new = []
        for j in range(n):
            if j in clamped:
                new.append(clamped[j])
                continue
            if held[j]:
                new.append(start[j])
                continue
            if rule == "rescaled":
                s = (2 * x[j] - 1) + sum(Wl[i][j] * (2 * x[i] - 1) for i in range(n))
            else:
                s = sum(Wl[i][j] * x[i] for i in range(n))
                if rule == "modified-kosko":
                    s += x[j]
            if transfer == "sigmoid":
                new.append(1 / (1 + math.exp(-lam * s)))
            elif transfer == "tanh":
                new.append(math.tanh(lam * s))
            elif transfer == "bivalent":
                new.append(1.0 if s > 0 else 0.0)
            else:
                new.append(1.0 if s > 0 else (-1.0 if s < 0 else 0.0))
        change = max(abs(a - b) for a, b in zip(new, x, strict=True))
        x = new
        if change <= tol:
            break
    return np.array(x), steps


def propagate_row_by_row(model: fm.FactorModel, deltas: pd.DataFrame) -> pd.DataFrame:
    """Per-row loop: one dense clamped solve per scenario."""
    W = np.zeros((model.n_nodes, model.n_nodes))
    e = model.edges
    W[model.positions(e["source"]), model.positions(e["target"])] = e["weight"]
    clamped = list(model.positions(deltas.columns))
    rows = [clamped_block_formula(W, clamped, row) for row in deltas.to_numpy()]
    return pd.DataFrame(rows, index=deltas.index, columns=list(model.node_ids))


def monte_carlo_loop(model: fm.FactorModel, profile: pd.DataFrame, draws: np.ndarray
                     ) -> tuple[np.ndarray, list[int]]:
    """Predictions per draw with one plain propagate call per draw (no vectorising across
    draws); returns (draws x areas x nodes) and the indices of draws that diverged."""
    factors = profile.reindex(columns=list(model.factors))
    edges = model.edges[["source", "target"]]
    out, divergent = [], []
    for d, w in enumerate(draws):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fm.ModelWarning)
            m = model.with_weights(edges.assign(weight=w, sd=np.nan, low=np.nan, high=np.nan))
        try:
            out.append(fm.propagate(m, factors, missing="free").deltas.to_numpy())
        except fm.NotConvergentError:
            divergent.append(d)
            out.append(np.full((len(profile), model.n_nodes), np.nan))
    return np.array(out), divergent
