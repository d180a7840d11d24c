"""Calibrate a model's weights on a city's own area data, with the model's weights as prior.

Every edge weight of a model is a hypothesis taken from studies (mostly of
individuals). :func:`calibrate` combines it with the areas of one city: for
every node ``j`` with parents ``P`` in the model, the areas' node deltas are
standardised across the areas (mean 0, SD 1) and ``z_j`` is regressed on
``z_P``. With a normal prior ``β ~ N(b₀, D)`` (``b₀`` the model's weights,
``D = diag(s₀²)`` from each edge's own uncertainty) and a normal likelihood
with residual variance ``σ²`` (the least-squares residual variance, ``n − k − 1``
degrees of freedom as in :func:`factormodel.estimate_weights`), raised to the
power ``strength``, the posterior is normal with

    precision  Λ = strength · XᵀX / σ² + D⁻¹
    mean       β̂ = Λ⁻¹ (strength · Xᵀy / σ² + D⁻¹ b₀)
    sd         √diag(Λ⁻¹)

— ridge regression shrunk towards the prior instead of towards zero, in
closed form. ``strength → 0`` returns the prior; a flat prior (``s₀ → ∞``)
returns least squares, i.e. :func:`factormodel.estimate_weights`.

Area-level associations are not individual effects: a model calibrated on
areas predicts differences between areas, not what happens to one child.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from dataclasses import replace
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from factormodel.analysis.indicators import as_area_data, as_catalogue, data_catalogue, profile
from factormodel.analysis.uncertainty import DEFAULT_SD
from factormodel.core.model import AREA_LEVEL, FactorModel
from factormodel.errors import DataError, InvalidParameterError
from factormodel.estimation.sem import SEMFit, fit_sem, sem_record

__all__ = ["calibrate", "calibrate_sem", "calibration_table", "prior_sd"]

#: The calibration methods of :func:`calibrate`.
METHODS = ("regression", "sem")

#: Note on every calibrated model: what an area-level calibration can mean.
ECOLOGICAL_CAVEAT = ("Area-level associations are not individual effects: a model calibrated "
                     "on areas predicts differences between areas")


def prior_sd(model: FactorModel) -> pd.Series:
    """Each edge's prior SD: its ``sd``; else ``(high − low)/√12`` (uniform on the
    interval, as :func:`factormodel.draw_weights` draws it); else the SD of its
    strength class (:data:`factormodel.uncertainty.DEFAULT_SD`).

    Examples
    --------
    >>> import factormodel as fm
    >>> from factormodel.estimation.calibrate import prior_sd
    >>> prior_sd(fm.load_model("toy")).round(3).tolist()[:3]
    [0.1, 0.1, 0.1]
    """
    e = model.edges
    sd = e["sd"].astype(float).to_numpy().copy()
    interval = np.isnan(sd) & e["low"].notna().to_numpy() & e["high"].notna().to_numpy()
    sd[interval] = (e["high"].to_numpy()[interval] - e["low"].to_numpy()[interval]) / math.sqrt(12)
    rest = np.isnan(sd)
    sd[rest] = e.loc[rest, "strength"].map(DEFAULT_SD).to_numpy(dtype=float)
    return pd.Series(sd, index=pd.MultiIndex.from_frame(e[["source", "target"]]), name="prior_sd")


def _loop_nodes(model: FactorModel) -> set[str]:
    """Nodes on a feedback loop (a strongly connected component with more than one node,
    or a self-loop)."""
    G = nx.DiGraph(list(zip(model.edges["source"], model.edges["target"], strict=True)))
    out: set[str] = set()
    for comp in nx.strongly_connected_components(G):
        if len(comp) > 1:
            out |= set(comp)
    out |= {s for s, t in G.edges if s == t}
    return out


def node_data(model: FactorModel, data: Any, *, level: str | None = None,
              indicators: Any = None, years: Any = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Node deltas of every area and year (stacked), and where they came from.

    Returns
    -------
    (DataFrame, dict)
        Rows ``(area, year)``, columns node ids (NaN where not measured); and
        ``{"level", "years", "areas", "status", "source"}``.
    """
    long = as_area_data(data)  # a frame of text cells is read like the same CSV
    named = data_catalogue(model, long) if indicators is None else None
    cat = named[0] if named else as_catalogue(model, indicators)
    all_years = sorted(set(long["year"]))
    chosen = all_years if years is None else sorted({int(y) for y in np.atleast_1d(years)})
    missing = [y for y in chosen if y not in all_years]
    if missing:
        raise DataError(f"no data for year(s) {', '.join(map(str, missing))}; years in the "
                        f"data: {', '.join(map(str, all_years))}")
    frames, chosen_level = [], level
    for y in chosen:
        p = profile(model, long, indicators=cat, reference="city", year=y, level=level)
        chosen_level = chosen_level or p.level or None
        frames.append(p.deltas.assign(year=y).set_index("year", append=True))
    stacked = pd.concat(frames)
    info = {"level": chosen_level or "", "years": chosen,
            "areas": int(stacked.index.get_level_values(0).nunique()),
            "status": ", ".join(sorted(set(long["status"]))) if "status" in long.columns else "",
            "source": ", ".join(sorted(set(long["source"]) - {""}))
            if "source" in long.columns else ""}
    return stacked, info


def _nodes_of(model: FactorModel, data: Any, level: str | None, indicators: Any, years: Any
              ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Node deltas of the data (a table of node deltas passes as it is)."""
    if isinstance(data, pd.DataFrame) and set(data.columns) <= set(model.node_ids) \
            and len(data.columns):
        return data.astype(float), {"level": level or "", "years": [], "areas": len(data),
                                    "status": "", "source": ""}
    return node_data(model, data, level=level, indicators=indicators, years=years)


def _check_strength(strength: Any) -> None:
    if not (isinstance(strength, int | float) and math.isfinite(strength) and strength >= 0):
        raise InvalidParameterError(f"strength must be a number >= 0, got {strength!r}")


def calibrate_sem(model: FactorModel, data: Any, *, strength: float = 1.0,
                  level: str | None = None, indicators: Any = None, years: Any = None,
                  data_name: str | None = None, prior: str = "model",
                  max_iter: int = 2000) -> SEMFit:
    """Calibrate with unmeasured nodes latent: a structural-equation fit (:mod:`factormodel.sem`).

    Parameters are those of :func:`calibrate`, plus ``prior`` (``"model"`` or
    ``"flat"``: maximum likelihood without the model's prior) and ``max_iter``.

    Returns
    -------
    SEMFit
        The fit (prior, posterior mean and SD of every edge, which edges the
        data did not inform) with ``model`` the calibrated model: weights are
        posterior means, ``sd`` the Laplace posterior SDs; edges the data did
        not inform say so in their ``note``.

    Raises
    ------
    DataError, TooFewAreasError, CovarianceNotPositiveDefiniteError, CollinearIndicatorsError
        When the data cannot carry the fit (see :func:`factormodel.sem.fit_sem`).
    CalibrationConvergenceError
        When the optimiser does not converge or the fitted weights diverge.

    Examples
    --------
    Three of the toy model's nodes measured in 300 simulated areas, the rest latent:

    >>> import numpy as np, pandas as pd
    >>> import factormodel as fm
    >>> from factormodel.core.coherence import standardised_solution
    >>> toy = fm.load_model("toy")
    >>> A, psi = standardised_solution(toy.weight_array)
    >>> x = np.random.default_rng(0).standard_normal((300, toy.n_nodes)) * np.sqrt(psi) @ A.T
    >>> data = pd.DataFrame(x, columns=list(toy.node_ids))[["armoede", "schoolverzuim", "vsv"]]
    >>> fit = fm.calibrate_sem(toy, data)
    >>> fit.measured
    ('armoede', 'schoolverzuim', 'vsv')
    >>> sorted(fm.calibration_table(fit.model)["status"].unique())
    ['calibrated', 'not informed by the data']
    >>> fit.model.metadata.extra["weights_kind"]
    'area-level (calibrated)'
    """
    _check_strength(strength)
    nodes, info = _nodes_of(model, data, level, indicators, years)
    name = data_name or (str(data) if not isinstance(data, pd.DataFrame) else "area data")
    fit = fit_sem(model, nodes, prior_sd(model).to_numpy(), strength=strength, prior=prior,
                  max_iter=max_iter)
    t = fit.edges
    status = t["status"].to_numpy(dtype=object)
    reason = np.where(t["informed"], "", "not informed by the data (posterior sd "
                      + t["sd_ratio"].map("{:.2f}".format) + " of the prior sd)")
    new = _calibrated_model(model, t["weight"].to_numpy(), t["sd"].to_numpy(), status, reason,
                            np.where(t["informed"], fit.n_areas, 0), info, name, strength,
                            method="sem", extra=sem_record(fit))
    return replace(fit, model=new)


def calibrate(model: FactorModel, data: Any, *, strength: float = 1.0, level: str | None = None,
              indicators: Any = None, years: Any = None, data_name: str | None = None,
              method: str = "regression") -> FactorModel:
    """A new model whose weights combine the model's weights (prior) with area data.

    Parameters
    ----------
    model : FactorModel
        The prior: each edge's weight, with its ``sd`` (or ``low``/``high``, or
        its strength class's default SD) as the prior's SD.
    data : DataFrame or path
        Area data (see :func:`factormodel.read_area_data`), or a table of node
        deltas with one row per observation and node ids as columns.
    strength : float, default 1.0
        Power of the likelihood: 0 returns the prior, 1 is ordinary Bayesian
        updating, larger values trust the data more.
    level : str, optional
        Area level (default: the finest in the data).
    indicators : DataFrame or path, optional
        Indicator catalogue (see :func:`factormodel.as_catalogue`); by default
        the bundled one of ``model``.
    years : int or list of int, optional
        Years to pool (default all); each year's deltas are against that
        year's city average.
    data_name : str, optional
        Name of the data for the provenance (default: the file name, or
        ``"area data"``).
    method : {"regression", "sem"}
        ``"regression"`` regresses each node on its parents (a node needs itself
        and every parent measured); ``"sem"`` fits all weights at once with the
        unmeasured nodes latent (:func:`calibrate_sem`, which also returns the
        fit), so it runs whenever two measured nodes are connected.

    Returns
    -------
    FactorModel
        Same structure; weights are posterior means, ``sd`` posterior SDs,
        ``low``/``high`` the 95% posterior interval. ``source_ref`` and
        ``note`` of each edge say whether it was calibrated (with data, level,
        years, n and date) or kept its prior and why; ``low``/``high`` are
        cleared (the posterior is normal, its ``sd`` says it all). The
        metadata's description says the weights were calibrated, and its extra
        field ``calibration`` (JSON) holds the provenance, the prior, and the
        nodes that kept their prior with the reason (read it with
        :func:`calibration_table`).

    Raises
    ------
    InvalidParameterError
        For a negative or non-finite strength.
    DataError
        When no node with parents is measured together with all its parents.

    Notes
    -----
    Nodes on a feedback loop keep their prior: per-node regression is biased
    when a node also causes its parent (simultaneity), so the function does
    not pretend to calibrate them and says so. Nodes without data, or with a
    parent without data, keep their prior too.

    Examples
    --------
    >>> import factormodel as fm
    >>> m = fm.load_model("rotterdam-jeugd")
    >>> data = fm.load_example_data("rotterdam")      # SYNTHETIC data
    >>> cal = fm.calibrate(m, data, years=2023)
    >>> t = fm.calibration_table(cal)
    >>> sorted(t["status"].unique())
    ['calibrated', 'prior kept']
    >>> bool((t.loc[t["status"] == "calibrated", "sd"] < t.loc[t["status"] == "calibrated",
    ...                                                        "prior_sd"]).all())
    True
    """
    if method not in METHODS:
        raise InvalidParameterError(f"method must be one of {', '.join(METHODS)}, got "
                                    f"{method!r}")
    if method == "sem":
        return calibrate_sem(model, data, strength=strength, level=level,
                             indicators=indicators, years=years, data_name=data_name).model
    _check_strength(strength)
    nodes, info = _nodes_of(model, data, level, indicators, years)
    name = data_name or (str(data) if not isinstance(data, pd.DataFrame) else "area data")
    e = model.edges
    b0 = e["weight"].to_numpy(dtype=float)
    s0 = prior_sd(model).to_numpy()
    loops = _loop_nodes(model)
    post_mean, post_sd = b0.copy(), s0.copy()
    status = np.array(["prior kept"] * len(e), dtype=object)
    reason = np.array([""] * len(e), dtype=object)
    n_used = np.zeros(len(e), dtype=int)
    for node in model.node_ids:
        rows = np.flatnonzero(e["target"].to_numpy() == node)
        if not len(rows):
            continue
        parents = e["source"].to_numpy()[rows].tolist()
        if node in loops:
            reason[rows] = "on a feedback loop: per-node regression would be biased"
            continue
        absent = [c for c in [node, *parents] if c not in nodes.columns
                  or nodes[c].isna().all()]
        if absent:
            reason[rows] = "not measured: " + ", ".join(absent)
            continue
        complete = nodes[[node, *parents]].dropna()
        n, k = len(complete), len(parents)
        if n <= k + 1:
            reason[rows] = f"too few areas with {node} and all its parents measured ({n})"
            continue
        sd = complete.std(ddof=1)
        flat = [c for c in complete.columns if not sd[c] > 0]
        if flat:
            reason[rows] = "no variation across areas: " + ", ".join(flat)
            continue
        z = (complete - complete.mean()) / sd
        X, y = z[parents].to_numpy(), z[node].to_numpy()
        XtX, Xty = X.T @ X, X.T @ y
        beta_ols = np.linalg.lstsq(X, y, rcond=None)[0]
        resid = y - X @ beta_ols
        sigma2 = float(resid @ resid) / (n - k - 1)
        if not sigma2 > 0:
            sigma2 = np.finfo(float).eps  # a perfect fit: the data dominate any prior
        prec0 = 1.0 / s0[rows] ** 2
        Lam = strength * XtX / sigma2 + np.diag(prec0)
        cov = np.linalg.inv(Lam)
        post_mean[rows] = cov @ (strength * Xty / sigma2 + prec0 * b0[rows])
        post_sd[rows] = np.sqrt(np.diag(cov))
        status[rows] = "calibrated"
        n_used[rows] = n
    if not (status == "calibrated").any():
        raise DataError("no node could be calibrated: " + "; ".join(
            sorted({f"{t}: {r}" for t, r in zip(e["target"], reason, strict=True)})[:8])
            + ". Remedy: method='sem' fits the weights with unmeasured nodes latent")
    return _calibrated_model(model, post_mean, post_sd, status, reason, n_used, info, name,
                             strength, method="regression")


def _calibrated_model(model: FactorModel, post_mean: np.ndarray, post_sd: np.ndarray,
                      status: np.ndarray, reason: np.ndarray, n_used: np.ndarray,
                      info: dict[str, Any], name: str, strength: float, *, method: str,
                      extra: dict[str, Any] | None = None) -> FactorModel:
    """The model with the posterior weights, the provenance in each edge and the record."""
    e = model.edges
    b0 = e["weight"].to_numpy(dtype=float)
    s0 = prior_sd(model).to_numpy()
    date = _dt.date.today().isoformat()
    years_text = ", ".join(map(str, info["years"])) or "as given"
    prov = (f"{name}; level {info['level'] or 'as given'}; years {years_text}; "
            f"strength {strength:g}; method {method}; calibrated {date}")
    calibrated = status == "calibrated"
    table = pd.DataFrame({
        "source": e["source"], "target": e["target"], "weight": post_mean, "sd": post_sd,
        "low": np.nan, "high": np.nan,  # the posterior is normal: sd replaces any interval
        "source_ref": np.where(
            calibrated,
            [f"calibrated on {prov}; n = {k} area-years; prior: {r}" for k, r in
             zip(n_used, e["source_ref"], strict=True)], e["source_ref"]),
        "note": np.where(calibrated, "posterior (normal prior = model weight and sd)",
                         ["prior kept: " + r for r in reason]),
    })
    keys = [f"{s} -> {t}" for s, t in zip(e["source"], e["target"], strict=True)]
    if method == "sem":  # per edge: the data inform some edges into a node and not others
        kept: list[str] = []
    else:
        kept = sorted({t for t, s in zip(e["target"], status, strict=True) if s != "calibrated"})
    record = {"data": name, "level": info["level"], "years": info["years"],
              "n_areas": info["areas"], "data_status": info["status"],
              "data_source": info["source"], "strength": strength, "date": date,
              "calibrated_nodes": sorted({t for t, s in zip(e["target"], status, strict=True)
                                          if s == "calibrated"}),
              "prior_kept": {t: r for t, r in zip(e["target"], reason, strict=True)
                             if t in kept},
              "prior_weight": dict(zip((f"{s} -> {t}" for s, t in zip(e["source"], e["target"],
                                                                       strict=True)),
                                       b0.tolist(), strict=True)),
              "prior_sd": dict(zip((f"{s} -> {t}" for s, t in zip(e["source"], e["target"],
                                                                   strict=True)),
                                   s0.tolist(), strict=True)),
              "n": dict(zip((f"{s} -> {t}" for s, t in zip(e["source"], e["target"],
                                                            strict=True)),
                            n_used.tolist(), strict=True)),
              "caveat": ECOLOGICAL_CAVEAT, "method": method,
              "edge_status": dict(zip(keys, status.tolist(), strict=True)),
              "edge_reason": dict(zip(keys, reason.tolist(), strict=True)),
              **(extra or {})}
    new = model.with_weights(table)
    meta = new.metadata
    what = (f"{int(calibrated.sum())} of {len(e)} edges informed by the data, the others keep "
            "(nearly) their prior" if method == "sem" else
            f"{len(record['calibrated_nodes'])} nodes; the others keep the prior")
    desc = (f"{meta.description} Weights calibrated on {prov} ({what}). "
            f"{ECOLOGICAL_CAVEAT}.").strip()
    return new.with_metadata(description=desc, weights_kind=AREA_LEVEL,
                             calibration=json.dumps(record, ensure_ascii=False))


def calibration_table(model: FactorModel) -> pd.DataFrame:
    """The calibration of a model made by :func:`calibrate`, one row per edge.

    Columns ``source, target, prior, prior_sd, weight, sd, n, status, reason``.

    Raises
    ------
    InvalidParameterError
        When the model was not made by :func:`calibrate`.

    Examples
    --------
    >>> import factormodel as fm
    >>> fm.calibration_table(fm.load_model("toy"))
    Traceback (most recent call last):
    ...
    factormodel.errors.InvalidParameterError: model 'toy' was not calibrated ...
    """
    raw = model.metadata.extra.get("calibration")
    if raw is None:
        raise InvalidParameterError(f"model {model.name!r} was not calibrated (no "
                                    "'calibration' in its metadata); use fm.calibrate")
    rec = json.loads(raw)
    e = model.edges
    keys = [f"{s} -> {t}" for s, t in zip(e["source"], e["target"], strict=True)]
    kept = rec["prior_kept"]
    if "edge_status" in rec:
        return pd.DataFrame({
            "source": e["source"], "target": e["target"],
            "prior": [rec["prior_weight"][k] for k in keys],
            "prior_sd": [rec["prior_sd"][k] for k in keys],
            "weight": e["weight"], "sd": e["sd"], "n": [rec["n"][k] for k in keys],
            "status": [rec["edge_status"][k] for k in keys],
            "reason": [rec["edge_reason"][k] for k in keys]})
    return pd.DataFrame({
        "source": e["source"], "target": e["target"],
        "prior": [rec["prior_weight"][k] for k in keys],
        "prior_sd": [rec["prior_sd"][k] for k in keys],
        "weight": e["weight"], "sd": e["sd"], "n": [rec["n"][k] for k in keys],
        "status": ["prior kept" if t in kept else "calibrated" for t in e["target"]],
        "reason": [kept.get(t, "") for t in e["target"]]})
