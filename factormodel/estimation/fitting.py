"""Direct effects fitted to pooled correlations (meta-analytic SEM, stage 2).

Published meta-analyses report *bivariate* associations: a pooled correlation r
between two constructs, with a confidence interval, the number of studies k and
the total N. A bivariate r is a total association; the model's edge weights are
*direct* effects. :func:`fit_to_correlations` estimates the direct effects whose
standardised solution reproduces the known correlations as closely as possible,
as stage 2 of a two-stage meta-analytic SEM does (Cheung & Chan 2005; the R
package metaSEM), with weighted least squares on the pairs that are known:

    minimise  Σ_p  v_p (r_p − σ_p(θ))²,     v_p = 1 / var(r_p)

where ``σ_p(θ)`` is the model-implied correlation of pair p: ``Σ = A Ψ Aᵀ`` with
``A = (I − Wᵀ)⁻¹`` and residual variances ``ψ`` chosen so that ``diag(Σ) = 1``
(see :mod:`factormodel.coherence`). The Jacobian is analytic (tested against finite
differences). Standard errors come from ``(Jᵀ V J)⁻¹``, inflated by χ²/df when the
model does not reproduce the correlations (never deflated).

Conversions (named, because each assumes something):

* ``d → r``: ``r = d / √(d² + 4)`` (two groups of equal size);
* ``OR → d``: ``d = ln(OR) · √3 / π`` (logistic distribution; Hasselblad & Hedges 1995);
* ``OR → r``: the two in turn.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.linalg as sla
from scipy import optimize

from factormodel.core import _linalg
from factormodel.core.coherence import implied_r2, standardised_solution
from factormodel.errors import (
    DataError,
    InvalidParameterError,
    NotConvergentError,
    UnknownNodeError,
    close_matches,
)
from factormodel.tables._json import json_safe

if TYPE_CHECKING:
    from factormodel.core.model import FactorModel

__all__ = ["CONVERSIONS", "CorrelationFit", "d_to_r", "fit_to_correlations",
           "implied_pair_correlations", "odds_ratio_to_d", "odds_ratio_to_r",
           "to_correlations"]

_Z95 = 1.959963984540054

#: How each effect measure becomes a correlation (the text stored with a converted row).
CONVERSIONS = {
    "r": "none (r as published)",
    "d": "d -> r = d / sqrt(d^2 + 4) (equal group sizes)",
    "or": "OR -> d = ln(OR) * sqrt(3) / pi (Hasselblad & Hedges 1995), "
          "then d -> r = d / sqrt(d^2 + 4)",
}


def d_to_r(d: float | np.ndarray) -> float | np.ndarray:
    """Cohen's d to a point-biserial correlation, ``r = d / √(d² + 4)`` (equal groups).

    Examples
    --------
    >>> round(d_to_r(0.5), 4)
    0.2425
    >>> d_to_r(0.0)
    0.0
    """
    d = np.asarray(d, dtype=float)
    out = d / np.sqrt(d * d + 4.0)
    return float(out) if out.ndim == 0 else out


def odds_ratio_to_d(odds_ratio: float | np.ndarray) -> float | np.ndarray:
    """An odds ratio to Cohen's d, ``d = ln(OR) · √3 / π`` (Hasselblad & Hedges 1995).

    Examples
    --------
    >>> round(odds_ratio_to_d(3.0), 4)
    0.6057
    >>> odds_ratio_to_d(1.0)
    0.0
    """
    o = np.asarray(odds_ratio, dtype=float)
    if np.any(~(o > 0)):
        raise InvalidParameterError(f"an odds ratio must be above 0, got {odds_ratio!r}")
    out = np.log(o) * math.sqrt(3.0) / math.pi
    return float(out) if out.ndim == 0 else out


def odds_ratio_to_r(odds_ratio: float | np.ndarray) -> float | np.ndarray:
    """An odds ratio to r via d: ``d = ln(OR)·√3/π``, then ``r = d/√(d²+4)``.

    Examples
    --------
    >>> round(odds_ratio_to_r(3.0), 4)
    0.2898
    """
    return d_to_r(odds_ratio_to_d(odds_ratio))


_CONVERT = {"r": lambda x: np.asarray(x, dtype=float), "d": d_to_r, "or": odds_ratio_to_r}


def to_correlations(associations: pd.DataFrame) -> pd.DataFrame:
    """Normalise a table of published associations into correlations with a variance.

    Parameters
    ----------
    associations : DataFrame
        One row per pair with columns ``a``, ``b`` (node ids), ``measure`` (``r``,
        ``d`` or ``or``; default ``r``), ``value`` (the published estimate), and for
        the weight of the row either ``low`` and ``high`` (its 95% confidence
        interval, same measure) or ``n`` (total sample size). Other columns are kept.

    Returns
    -------
    DataFrame
        The input columns plus ``r``, ``r_low``, ``r_high`` (converted), ``var_r`` (the
        sampling variance of r: from the interval on Fisher's z scale when given, else
        ``(1 − r²)² / (n − 1)``), ``weight_from`` (``ci`` or ``n``) and ``conversion``.

    Raises
    ------
    DataError
        Naming every row and column with a problem (unknown measure, missing or
        non-numeric value, no interval and no n, an interval not around the value,
        a correlation outside (−1, 1)).

    Examples
    --------
    >>> import pandas as pd
    >>> t = to_correlations(pd.DataFrame({"a": ["x", "x"], "b": ["y", "z"],
    ...                                   "measure": ["r", "or"], "value": [0.3, 3.0],
    ...                                   "low": [0.2, None], "high": [0.4, None],
    ...                                   "n": [None, 400]}))
    >>> t[["r", "weight_from"]].round(3).to_dict("list")
    {'r': [0.3, 0.29], 'weight_from': ['ci', 'n']}
    """
    t = associations.copy().reset_index(drop=True)
    for col in ("measure", "low", "high", "n"):
        if col not in t.columns:
            t[col] = "r" if col == "measure" else np.nan
    problems: list[str] = []
    for col in ("a", "b", "value"):
        if col not in t.columns:
            problems.append(f"missing required column {col!r}")
    if problems:
        raise DataError("associations table: " + "; ".join(problems))
    measure = t["measure"].fillna("r").astype(str).str.strip().str.lower()
    num = {c: pd.to_numeric(t[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
           for c in ("value", "low", "high", "n")}
    r = np.full(len(t), np.nan)
    lo = np.full(len(t), np.nan)
    hi = np.full(len(t), np.nan)
    var = np.full(len(t), np.nan)
    source = np.empty(len(t), dtype=object)
    for i in range(len(t)):
        where = f"associations row {i + 1} ({t['a'].iloc[i]} ~ {t['b'].iloc[i]})"
        m = measure[i]
        if m not in _CONVERT:
            problems.append(f"{where}, column 'measure': {m!r} is not r, d or or")
            continue
        not_number = False
        for c in ("value", "low", "high", "n"):
            raw = t[c].iloc[i]
            if not (pd.isna(raw) or str(raw).strip() == "") and math.isnan(num[c][i]):
                problems.append(f"{where}, column {c!r}: {raw!r} is not a number")
                not_number = True
        if not_number:
            continue
        v = num["value"][i]
        if math.isnan(v):
            problems.append(f"{where}, column 'value': missing")
            continue
        if m == "or" and v <= 0:
            problems.append(f"{where}, column 'value': an odds ratio must be above 0")
            continue
        r[i] = _CONVERT[m](v)
        if not -1 < r[i] < 1:
            problems.append(f"{where}, column 'value': r = {r[i]} is outside (-1, 1)")
            continue
        has_ci = not (math.isnan(num["low"][i]) or math.isnan(num["high"][i]))
        if has_ci:
            if not num["low"][i] < v < num["high"][i] or (m == "or" and num["low"][i] <= 0):
                problems.append(f"{where}, columns 'low'/'high': the interval "
                                f"[{num['low'][i]}, {num['high'][i]}] must contain {v}")
                continue
            lo[i], hi[i] = _CONVERT[m](num["low"][i]), _CONVERT[m](num["high"][i])
            if not -1 < lo[i] < hi[i] < 1:
                problems.append(f"{where}, columns 'low'/'high': converted interval "
                                f"[{lo[i]:.3f}, {hi[i]:.3f}] is not inside (-1, 1)")
                continue
            se_z = (np.arctanh(hi[i]) - np.arctanh(lo[i])) / (2 * _Z95)
            var[i] = (1 - r[i] ** 2) ** 2 * se_z ** 2
            source[i] = "ci"
        elif num["n"][i] > 1:
            var[i] = (1 - r[i] ** 2) ** 2 / (num["n"][i] - 1)
            source[i] = "n"
        else:
            problems.append(f"{where}: neither a 95% interval (low, high) nor a sample size "
                            "n above 1 is given; one is needed to weigh the row")
    if problems:
        raise DataError(f"associations table has {len(problems)} problem"
                        f"{'s' if len(problems) != 1 else ''}:\n  - " + "\n  - ".join(problems))
    t["r"], t["r_low"], t["r_high"], t["var_r"] = r, lo, hi, var
    t["weight_from"] = source
    t["conversion"] = [CONVERSIONS[m] for m in measure]
    return t


# ------------------------------------------------------------------------ model maths


def _sigma(W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    A, psi = standardised_solution(W)
    return A, psi, (A * psi) @ A.T


def _jacobian(A: np.ndarray, psi: np.ndarray, S: np.ndarray, src: np.ndarray, dst: np.ndarray,
              pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """d σ(pa[p], pb[p]) / d W[src[e], dst[e]] for every pair p and free edge e.

    With ``dA = A[:, t] A[s, :]``: ``(A∘dA) ψ = A[:, t] ∘ Σ[:, s]``, so
    ``dψ = −2 (A∘A)⁻¹ (A[:, t] ∘ Σ[:, s])`` and
    ``dΣ_ab = A_at Σ_sb + Σ_as A_bt + Σ_k A_ak A_bk dψ_k``.
    """
    M = A * A
    dpsi = -2.0 * sla.solve(M, A[:, dst] * S[:, src])           # n x E
    J = A[pa][:, dst] * S[src][:, pb].T + S[pa][:, src] * A[pb][:, dst]
    J += (A[pa] * A[pb]) @ dpsi
    return J


def implied_pair_correlations(model: FactorModel, pairs: Iterable[tuple[str, str]]
                              ) -> np.ndarray:
    """Model-implied correlations of the given node pairs (standardised solution).

    Examples
    --------
    >>> import factormodel as fm
    >>> implied_pair_correlations(fm.load_model("toy"), [("armoede", "armoede")]).tolist()
    [1.0]
    """
    pairs = list(pairs)
    pa = model.positions([p[0] for p in pairs])
    pb = model.positions([p[1] for p in pairs])
    W = model.weight_matrix
    _linalg.raise_if_divergent(W, 1.0, model.node_ids, f"model {model.name!r}")
    _, _, S = _sigma(W.toarray())
    return S[pa, pb]


# ------------------------------------------------------------------------ result


@dataclass(frozen=True)
class CorrelationFit:
    """Result of :func:`fit_to_correlations`.

    Attributes
    ----------
    model : FactorModel
        The model with the fitted weights (``sd`` = standard error) on the free edges.
    edges : DataFrame
        One row per edge: ``source, target, free, start, weight, se, low, high``
        (95% Wald interval; fixed edges have ``se`` NaN).
    fit : DataFrame
        One row per association: ``a, b, observed, implied, residual, weight``
        (``1 / var(r)``) and the input columns.
    srmr : float
        Root mean square of ``observed − implied`` over the known pairs.
    chi2 : float
        The weighted sum of squared residuals at the optimum.
    df : int
        Known pairs minus free edges.
    r2 : DataFrame
        :func:`factormodel.implied_r2` of the fitted model.
    """

    model: FactorModel
    edges: pd.DataFrame
    fit: pd.DataFrame
    srmr: float
    chi2: float
    df: int
    r2: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The edge table (fitted weights and standard errors)."""
        return self.edges.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary: edges, fit per pair, SRMR, χ², df."""
        return json_safe({"srmr": self.srmr, "chi2": self.chi2, "df": self.df,
                          "edges": self.edges, "fit": self.fit})

    def weights_table(self) -> pd.DataFrame:
        """``source, target, weight, sd`` for the free edges (for ``with_weights``)."""
        e = self.edges[self.edges["free"]]
        return pd.DataFrame({"source": e["source"], "target": e["target"],
                             "weight": e["weight"], "sd": e["se"]}).reset_index(drop=True)


# ------------------------------------------------------------------------ fitting


def _free_mask(model: FactorModel, edges: pd.DataFrame,
               free: Iterable[tuple[str, str]] | None) -> np.ndarray:
    mask = np.zeros(len(edges), dtype=bool)
    mask[model.edge_rows(free) if free is not None else slice(None)] = True
    return mask


# A free direction whose singular value is below this share of the largest is not
# identified: its standard error would be ~1/ratio times the others' (1e6 at 1e-6).
_IDENTIFIED = 1e-6


def fit_to_correlations(model: FactorModel, associations: pd.DataFrame, *,
                        free: Iterable[tuple[str, str]] | None = None,
                        start: str = "model") -> CorrelationFit:
    """Estimate the model's direct effects from pooled correlations of some node pairs.

    Weighted least squares on the known pairs, each weighted by ``1 / var(r)``
    (from its 95% interval, else from n; see :func:`to_correlations`). The implied
    correlations are those of the standardised solution, ``Σ = A Ψ Aᵀ`` with
    ``diag(Σ) = 1``. Edges not in ``free`` keep their weight.

    Parameters
    ----------
    model : FactorModel
    associations : DataFrame
        Columns ``a``, ``b``, ``value`` and optionally ``measure`` (``r``, ``d``,
        ``or``), ``low``, ``high``, ``n`` (see :func:`to_correlations`). A pair may
        appear once.
    free : iterable of (source, target), optional
        The edges to estimate (default: every edge). Every free edge must be
        identified by the known pairs.
    start : {"model", "zero"}
        Starting values: the model's current weights, or zero.

    Returns
    -------
    CorrelationFit

    Raises
    ------
    UnknownNodeError
        If an association names a node that is not in the model.
    DataError
        For a bad association row (all are listed), or a pair given twice.
    InvalidParameterError
        If a free edge is not identified (no known pair depends on it, edges
        trade off against each other, or the Jacobian of the known correlations
        is nearly singular: smallest/largest singular value below 1e-6, where
        standard errors would be ~1e6 times the others); the message names them.
    NotConvergentError
        If the optimiser fails or the fitted weights make total effects diverge.

    Examples
    --------
    >>> import pandas as pd
    >>> import factormodel as fm
    >>> toy = fm.load_model("toy")
    >>> S = fm.implied_correlations(toy)
    >>> pairs = [("armoede", "vsv"), ("schoolverzuim", "vsv"), ("armoede", "schoolverzuim"),
    ...          ("armoede", "opvoedklimaat"), ("opvoedklimaat", "schoolverzuim"),
    ...          ("schoolprestaties", "vsv"), ("armoede", "schoolprestaties"),
    ...          ("schoolprestaties", "schoolsucces"), ("schoolverzuim", "schoolprestaties")]
    >>> assoc = pd.DataFrame({"a": [a for a, _ in pairs], "b": [b for _, b in pairs],
    ...                       "value": [S.loc[a, b] for a, b in pairs], "n": 1000})
    >>> res = fm.fit_to_correlations(toy, assoc, start="zero")
    >>> round(res.srmr, 6)
    0.0
    >>> bool((res.edges["weight"] - toy.edges["weight"]).abs().max() < 1e-6)
    True
    """
    if start not in ("model", "zero"):
        raise InvalidParameterError(f"start must be 'model' or 'zero', got {start!r}")
    table = to_correlations(associations)
    ids = set(model.node_ids)
    bad = sorted({str(x) for x in pd.concat([table["a"], table["b"]]) if str(x) not in ids})
    if bad:
        raise UnknownNodeError(f"associations name {len(bad)} node(s) not in model "
                               f"{model.name!r}: {', '.join(map(repr, bad))}; "
                               f"{close_matches(bad[0], model.node_ids)}")
    keys = [tuple(sorted((str(a), str(b)))) for a, b in zip(table["a"], table["b"], strict=True)]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    same = [k for k in keys if k[0] == k[1]]
    if dup or same:
        raise DataError("associations: each pair of two different nodes may appear once; "
                        f"repeated: {dup or '-'}; a node with itself: {same or '-'}")
    edges = model.edges
    mask = _free_mask(model, edges, free)
    src_all = model.positions(edges["source"])
    dst_all = model.positions(edges["target"])
    src, dst = src_all[mask], dst_all[mask]
    pa = model.positions(table["a"].astype(str))
    pb = model.positions(table["b"].astype(str))
    r_obs = table["r"].to_numpy(float)
    sw = 1.0 / np.sqrt(table["var_r"].to_numpy(float))
    n = model.n_nodes
    W0 = np.zeros((n, n))
    W0[src_all, dst_all] = edges["weight"].to_numpy(float)
    theta0 = W0[src, dst].copy() if start == "model" else np.zeros(mask.sum())

    def weights_of(theta: np.ndarray) -> np.ndarray:
        W = W0.copy()
        W[src, dst] = theta
        return W

    def residuals(theta: np.ndarray) -> np.ndarray:
        _, _, S = _sigma(weights_of(theta))
        return sw * (r_obs - S[pa, pb])

    def jac(theta: np.ndarray) -> np.ndarray:
        A, psi, S = _sigma(weights_of(theta))
        return -sw[:, None] * _jacobian(A, psi, S, src, dst, pa, pb)

    free_names = [f"{s} -> {t}" for s, t, keep in zip(edges["source"], edges["target"], mask,
                                                      strict=True) if keep]
    if len(theta0) > len(r_obs):
        raise InvalidParameterError(
            f"{len(theta0)} free edges cannot be identified by {len(r_obs)} known pairs; fix "
            "some edges (pass free=[...]) or add associations")
    J0 = jac(theta0 + 0.01)  # away from zero, where a product of paths has a zero gradient
    dead = np.flatnonzero(np.all(np.abs(J0) < 1e-12, axis=0))
    if len(dead):
        raise InvalidParameterError(
            f"{len(dead)} free edge(s) are not identified: no known pair's implied "
            f"correlation depends on them: {', '.join(free_names[i] for i in dead)}. Add "
            "associations or keep these edges fixed (leave them out of free=...)")
    try:
        sol = optimize.least_squares(residuals, theta0, jac=jac, method="lm", xtol=1e-12,
                                     ftol=1e-12, gtol=1e-12, max_nfev=2000)
    except NotConvergentError as exc:
        raise NotConvergentError(f"fitting {model.name!r} to correlations failed: {exc}"
                                 ) from None
    if sol.status <= 0:
        raise NotConvergentError(f"fitting {model.name!r} to correlations did not converge: "
                                 f"{sol.message}")
    theta = sol.x
    J = sol.jac
    sv, vt = np.linalg.svd(J, full_matrices=True)[1:]
    ratio = sv / sv[0] if len(sv) and sv[0] > 0 else np.zeros(len(theta))
    rank = int(np.sum(ratio > _IDENTIFIED))
    if rank < len(theta):
        null = vt[rank:]
        involved = np.flatnonzero(np.abs(null).max(axis=0) > 1e-3)
        smallest = abs(float(ratio[-1])) if len(ratio) == len(theta) else 0.0
        raise InvalidParameterError(
            f"the free edges are not identified by the known pairs ({len(theta) - rank} "
            f"direction(s) of the weights leave every known correlation (almost) unchanged: "
            f"smallest/largest singular value of the Jacobian {smallest:.1e}, below "
            f"{_IDENTIFIED:.0e}, so standard errors would be meaningless); edges involved: "
            f"{', '.join(free_names[i] for i in involved)}. Add associations or fix some of "
            "these edges")
    chi2 = float(np.sum(sol.fun ** 2))
    df = len(r_obs) - len(theta)
    scale = max(1.0, chi2 / df) if df > 0 else 1.0
    se = np.sqrt(np.diag(sla.inv(J.T @ J) * scale))
    fitted = model.with_weights(pd.DataFrame({
        "source": edges["source"][mask].to_numpy(), "target": edges["target"][mask].to_numpy(),
        "weight": theta, "sd": se}))
    _linalg.raise_if_divergent(fitted.weight_matrix, 1.0, model.node_ids,
                               f"fitted model {model.name!r}")
    est = edges[["source", "target"]].copy()
    est["free"] = mask
    est["start"] = np.where(mask, W0[src_all, dst_all] if start == "model" else 0.0,
                            edges["weight"].to_numpy(float))
    est["weight"] = weights_of(theta)[src_all, dst_all]
    est["se"] = np.nan
    est.loc[mask, "se"] = se
    est["low"] = est["weight"] - _Z95 * est["se"]
    est["high"] = est["weight"] + _Z95 * est["se"]
    _, _, S = _sigma(weights_of(theta))
    implied = S[pa, pb]
    fit = table.copy()
    fit.insert(2, "observed", r_obs)
    fit.insert(3, "implied", implied)
    fit.insert(4, "residual", r_obs - implied)
    fit.insert(5, "weight", sw ** 2)
    return CorrelationFit(model=fitted, edges=est.reset_index(drop=True), fit=fit,
                          srmr=float(np.sqrt(np.mean((r_obs - implied) ** 2))), chi2=chi2,
                          df=df, r2=implied_r2(fitted))
