"""Weights from data: standardised path coefficients for the model's fixed structure,
and a backtest of the model's predictions against year-on-year changes.

**Estimation.** For every node ``j`` with parents ``P_j`` in the model, the
observations (areas × years) where ``j`` and all of ``P_j`` are measured are
standardised (mean 0, SD 1 over those observations) and ``z_j`` is regressed on
``z_{P_j}`` without intercept:

    β = (XᵀX + λI)^-1 Xᵀ y,   Cov(β) = σ² (XᵀX + λI)^-1 XᵀX (XᵀX + λI)^-1,

with ``σ² = RSS / (n − p − 1)``, and a t-interval with ``n − p − 1`` degrees of
freedom: standardising estimated every variable's mean, which costs one degree of
freedom beyond the ``p`` slopes. The standard errors are those of an ordinary
regression *with* an intercept on the same standardised data (statsmodels
``OLS(z_j, add_constant(z_P))``; the intercept is 0), and the t statistics are
those of the regression on the raw data. A regression without intercept on the
standardised data (statsmodels ``OLS(z_j, z_P)``) counts ``n − p`` degrees of
freedom and so understates the standard errors by ``√((n−p−1)/(n−p))``. For
``λ = 0`` the estimates are ordinary least squares; in a recursive (acyclic)
path model with uncorrelated errors they equal maximum likelihood (what SEM
software such as semopy reports). With
feedback loops per-node least squares is biased (simultaneity); the result
says so.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from factormodel.core.model import FactorModel
from factormodel.errors import DataError, InvalidParameterError
from factormodel.tables._results import Result

__all__ = ["Backtest", "Estimate", "backtest", "estimate_weights"]


@dataclass(frozen=True)
class Estimate(Result):
    """Estimated edge weights and the fit per node.

    Attributes
    ----------
    edges : DataFrame
        ``source, target, prior`` (the model's weight), ``estimate, se, low,
        high, n``.
    fit : DataFrame
        Per node with parents: ``n`` observations used, ``dropped`` (rows with a
        missing value), ``r2``.
    cyclic : bool
        True when the model has feedback loops (estimates then biased).
    """

    edges: pd.DataFrame
    fit: pd.DataFrame
    cyclic: bool
    ridge: float
    confidence: float

    def to_frame(self) -> pd.DataFrame:
        """The estimated edges (``source, target, prior, estimate, se, low, high, n``)."""
        return self.edges.copy()

    def weights_table(self) -> pd.DataFrame:
        """The estimates as a weight table (weight and sd = se) for ``with_weights``."""
        est = self.edges.dropna(subset=["estimate"])
        return pd.DataFrame({"source": est["source"], "target": est["target"],
                             "weight": est["estimate"], "sd": est["se"],
                             "source_ref": "estimated from data (factormodel.estimate_weights)"})


def estimate_weights(model: FactorModel, data: pd.DataFrame, *, ridge: float = 0.0,
                     confidence: float = 0.95, level: float | None = None) -> Estimate:
    """Estimate the weights of the model's edges from observations of its nodes.

    Parameters
    ----------
    model : FactorModel
        Gives the structure (which parents each node has).
    data : DataFrame
        Observations x node ids (e.g. profiles of all areas and years
        stacked). Missing values drop that observation for the equations that
        need it; the counts are reported.
    ridge : float
        Ridge penalty λ on the standardised coefficients (0: least squares).
    confidence : float
        Confidence level of the intervals (``low``/``high``).
    level : float, optional
        Deprecated name of ``confidence`` (``level`` means an area level
        elsewhere in the library).

    Examples
    --------
    >>> import numpy as np, pandas as pd, factormodel as fm
    >>> rng = np.random.default_rng(0)
    >>> a = rng.standard_normal(5000)
    >>> b = 0.6 * a + 0.8 * rng.standard_normal(5000)
    >>> toy2 = fm.FactorModel(
    ...     [dict(id=i, kind="risk", setting="kind", label_nl=i, label_en=i, phases="all",
    ...           modifiable=True) for i in "ab"],
    ...     [dict(source="a", target="b", weight=0.3, strength="matig",
    ...           source_ref="expert judgement")])
    >>> est = fm.estimate_weights(toy2, pd.DataFrame({"a": a, "b": b}))
    >>> e = est.edges.loc[0]
    >>> bool(e["low"] < 0.6 < e["high"]), round(float(e["se"]), 3)   # the true weight is 0.6
    (True, 0.011)
    """
    if not (math.isfinite(ridge) and ridge >= 0):
        raise InvalidParameterError(f"ridge must be a number >= 0, got {ridge!r}")
    if level is not None:
        warnings.warn("estimate_weights(level=...) is deprecated: use confidence=...",
                      DeprecationWarning, stacklevel=2)
        confidence = level
    if not 0 < confidence < 1:
        raise InvalidParameterError(f"confidence must be between 0 and 1, got {confidence!r}")
    unknown = [c for c in data.columns if c not in model]
    if unknown:
        model.positions(unknown)  # raises UnknownNodeError with close matches
    edges = model.edges
    rows, fits = [], []
    for node in model.node_ids:
        parents = edges.loc[edges["target"] == node, "source"].tolist()
        if not parents:
            continue
        needed = [node, *parents]
        missing_cols = [c for c in needed if c not in data.columns]
        prior = edges[edges["target"] == node].set_index("source")["weight"]
        if missing_cols:
            fits.append({"node": node, "n": 0, "dropped": len(data), "r2": np.nan,
                         "note": "not in the data: " + ", ".join(missing_cols)})
            rows += [{"source": p, "target": node, "prior": prior[p], "estimate": np.nan,
                      "se": np.nan, "low": np.nan, "high": np.nan, "n": 0} for p in parents]
            continue
        sub = data[needed].astype(float)
        complete = sub.dropna()
        n, k = len(complete), len(parents)
        if n <= k + 1:
            fits.append({"node": node, "n": n, "dropped": len(sub) - n, "r2": np.nan,
                         "note": f"too few complete observations ({n}) for {k} parents"})
            rows += [{"source": p, "target": node, "prior": prior[p], "estimate": np.nan,
                      "se": np.nan, "low": np.nan, "high": np.nan, "n": n} for p in parents]
            continue
        z = (complete - complete.mean()) / complete.std(ddof=1)
        if z.isna().any().any():
            constant = [c for c in needed if complete[c].std(ddof=1) == 0]
            raise DataError(f"cannot standardise {', '.join(constant)} for {node!r}: no "
                            "variation in the data")
        X, y = z[parents].to_numpy(), z[node].to_numpy()
        XtX = X.T @ X
        A = XtX + ridge * np.eye(k)
        beta = np.linalg.solve(A, X.T @ y)
        resid = y - X @ beta
        dof = n - k - 1  # the slopes and the mean that standardising removed
        sigma2 = float(resid @ resid) / dof
        Ainv = np.linalg.inv(A)
        se = np.sqrt(np.diag(sigma2 * Ainv @ XtX @ Ainv))
        t = stats.t.ppf((1 + confidence) / 2, dof)
        r2 = 1 - float(resid @ resid) / float(y @ y)
        fits.append({"node": node, "n": n, "dropped": len(sub) - n, "r2": r2, "note": ""})
        rows += [{"source": p, "target": node, "prior": prior[p], "estimate": b, "se": s,
                  "low": b - t * s, "high": b + t * s, "n": n}
                 for p, b, s in zip(parents, beta, se, strict=True)]
    return Estimate(edges=pd.DataFrame(rows), fit=pd.DataFrame(fits),
                    cyclic=not model.structure.acyclic, ridge=ridge,
                    confidence=confidence)


@dataclass(frozen=True)
class Backtest(Result):
    """Predicted against observed year-on-year outcome changes.

    Attributes
    ----------
    pairs : DataFrame
        ``area, year, outcome, predicted, observed`` (SD, change from the
        previous year).
    summary : DataFrame
        Per outcome: ``n, rmse, mae, correlation, mean_observed,
        mean_predicted``.
    """

    pairs: pd.DataFrame
    summary: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The summary per outcome (``n, rmse, mae, correlation, ...``)."""
        return self.summary.copy()


def backtest(model: FactorModel, data: pd.DataFrame, *, level: str | None = None,
             indicators: pd.DataFrame | None = None) -> Backtest:
    """Predict each area's year-on-year outcome changes from its factor changes.

    For every year with a previous year in the data, the profile against the
    previous year gives each area's factor changes (clamped where measured) and
    its observed outcome changes; the model predicts the outcome changes from
    the factor changes alone.

    Examples
    --------
    >>> import factormodel as fm
    >>> bt = fm.backtest(fm.load_model("rotterdam-jeugd"), fm.load_example_data("rotterdam"),
    ...                  level="gebied")
    >>> sorted(bt.summary.columns)
    ['correlation', 'mae', 'mean_observed', 'mean_predicted', 'n', 'rmse']
    """
    from factormodel.analysis.indicators import as_area_data, profile
    from factormodel.core.propagate import propagate
    from factormodel.estimation.weights import paired_long

    data = as_area_data(data)
    years = sorted(set(data["year"]))
    pairs = []
    outs = list(model.outcomes)
    for year in years[1:]:
        if year - 1 not in years:
            continue
        change = profile(model, data, reference="previous_year", year=year, level=level,
                         indicators=indicators)
        change = change.deltas
        factors = change.reindex(columns=list(model.factors))
        predicted = propagate(model, factors, missing="free").outcomes
        observed = change.reindex(columns=outs)
        long = paired_long(predicted, observed, ("area", "outcome"), ("predicted", "observed"))
        long = long.drop(columns="difference").dropna()
        long.insert(1, "year", year)
        pairs.append(long)
    if not pairs:
        raise DataError("a backtest needs at least two consecutive years in the data; years: "
                        + ", ".join(map(str, years)))
    table = pd.concat(pairs, ignore_index=True)
    err = table["predicted"] - table["observed"]
    grouped = table.assign(err=err, abs_err=err.abs(), sq=err**2).groupby("outcome", sort=False)
    summary = pd.DataFrame({
        "n": grouped.size(), "rmse": np.sqrt(grouped["sq"].mean()),
        "mae": grouped["abs_err"].mean(),
        "correlation": grouped.apply(lambda g: g["predicted"].corr(g["observed"]),
                                     include_groups=False),
        "mean_observed": grouped["observed"].mean(), "mean_predicted": grouped["predicted"].mean()})
    return Backtest(pairs=table, summary=summary)
