"""How good is a model on a city's own areas? Out-of-sample validation against baselines.

:func:`validate` predicts every measured outcome indicator of every area from
the area's measured factors and compares the prediction with what was
observed, beside the baselines a sceptical analyst would try first, all
scored on the same held-out areas:

* ``model`` — the model's prediction: the training areas' city average of the
  outcome indicator plus the propagated outcome delta, back in the indicator's
  unit through its measurement model at that level (:func:`factormodel.units.to_units`);
* ``model (calibrated)`` — the same after :func:`factormodel.calibrate` on the
  training areas only (when ``calibrate=`` is given);
* ``city mean`` — every area at the training areas' city average
  (population-weighted when the data give populations, like the model's
  reference; no difference between areas);
* ``group mean`` — (when ``groups=`` is given, e.g. the gemeente of each wijk) the
  mean of the *other* areas of the same group among the training areas; an area
  whose group has no training area gets the ``city mean`` (the detail says how
  many);
* ``best indicator`` — an ordinary regression on the one measured factor
  indicator that correlates most strongly with the outcome *in the training
  areas* (chosen again in every fold);
* ``OLS`` — an ordinary regression (with intercept) on all measured factors
  upstream of the outcome in the model.

Scores per outcome indicator: correlation ``r`` of observed and predicted,
``r2 = 1 − SSE/SST`` (negative when worse than the mean of the observed
values), the calibration ``slope`` of observed on predicted (1 is ideal; below
1: the predicted spread is too large, above 1: too small), the ``rmse`` in the
indicator's own unit, and ``n`` areas. With two consecutive years the same is
done for year-on-year changes (``target = "change"``).

Out of sample by default: folds over areas (leave-one-area-out, or ``k``
seeded folds); every baseline and every calibration is fitted on the training
areas only, and the scores are computed over the pooled held-out predictions.
The model's deltas are taken against the reference of the training areas of
each fold (the city row when the data have one, else the mean of the training
areas, never of a held-out one), and a city row is the reference, never a
scored area, for every method.
The in-sample scores (fitted and scored on all areas) are reported in separate
rows labelled ``in-sample``.

All the fold arithmetic is vectorised: training sums are one matrix product of
the fold membership with the data, and the regressions of all folds are one
batched solve.

Area-level associations are not individual effects: a model that predicts
areas well says nothing about what happens to one child.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any, cast

import numpy as np
import pandas as pd

from factormodel.analysis.indicators import as_area_data, as_catalogue, data_catalogue, profile
from factormodel.core import units
from factormodel.core.effects import total_effects
from factormodel.core.model import INDIVIDUAL_LEVEL, FactorModel
from factormodel.core.propagate import propagate
from factormodel.errors import DataError, InvalidParameterError, close_matches
from factormodel.files.folders import load_areas
from factormodel.tables._cells import year_argument
from factormodel.tables._json import json_safe
from factormodel.tables._results import Result

__all__ = ["METHODS", "Validation", "validate"]

#: Methods in the order they are reported.
METHODS = ("model", "model (calibrated)", "city mean", "group mean", "best indicator", "OLS")
_SCORES = ("n", "r", "r2", "slope", "rmse")
CAVEAT = ("Area-level associations are not individual effects: these scores say how well "
          "differences between areas are predicted, not what happens to one child.")


@dataclass(frozen=True)
class Validation(Result):
    """Scores of a model and its baselines on observed area data.

    Attributes
    ----------
    scores : DataFrame
        One row per outcome indicator, target (``level``/``change``), sample
        (``out-of-sample``/``in-sample``) and method: ``node, indicator, unit,
        target, sample, method, n, r, r2, slope, rmse, detail``.
    predictions : DataFrame
        ``area, node, indicator, unit, target, sample, method, observed,
        predicted`` (indicator units).
    model : str
        Name of the model.
    folds : str
        How the areas were split (e.g. ``leave-one-area-out (67 folds)``).
    level, year : str, int
    data_status : str
        ``synthetic`` or ``real`` or as given in the data's ``status`` column.
    data_source : str
        Credit line of the data, when the data carry one.
    weights_kind : str
        What the model's weights describe (``FactorModel.weights_kind``); the
        calibrated rows are always area-level.
    notes : tuple of str
        What could not be scored and why.
    """

    scores: pd.DataFrame
    predictions: pd.DataFrame
    model: str
    folds: str
    level: str
    year: int
    data_status: str = ""
    data_source: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    weights_kind: str = INDIVIDUAL_LEVEL

    def to_frame(self, sample: str | None = None) -> pd.DataFrame:
        """The scores, one row per outcome indicator, target, sample and method.

        Parameters
        ----------
        sample : {"out-of-sample", "in-sample"}, optional
            Keep only these rows.
        """
        if sample is None:
            return self.scores.copy()
        if sample not in ("out-of-sample", "in-sample"):
            raise InvalidParameterError(f"sample must be 'out-of-sample' or 'in-sample', got "
                                        f"{sample!r}")
        return self.scores[self.scores["sample"] == sample].reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (NaN and infinities become ``None``): the scores and what they
        were measured on; the per-area predictions stay in :attr:`predictions`."""
        return json_safe({"model": self.model, "folds": self.folds, "level": self.level,
                          "year": int(self.year), "data_status": self.data_status,
                          "data_source": self.data_source, "notes": list(self.notes),
                          "weights_kind": self.weights_kind,
                          "caveat": CAVEAT, "scores": self.scores})

    def __repr__(self) -> str:
        out = self.to_frame("out-of-sample")
        head = (f"<Validation of {self.model!r} on {self.data_status or 'area'} data, level "
                f"{self.level or '-'}, {self.year}; {self.folds}: "
                f"{out['indicator'].nunique()} outcome indicator(s)>")
        return head

    def _repr_html_(self) -> str:
        out = self.to_frame("out-of-sample")
        wide = out.pivot_table(index=["indicator", "target"], columns="method",
                               values=["r", "rmse"], sort=False)
        status = self.data_status or "area"
        warn = (" <b style='color:#b35806'>SYNTHETIC data</b>"
                if "synthetic" in self.data_status else "")
        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes)
        credit = f"<br><small>{escape(self.data_source)}</small>" if self.data_source else ""
        return (f"<div style='font-family:sans-serif;font-size:12px'><b>Validation of "
                f"{escape(self.model)}</b> on {escape(status)} data{warn}, level "
                f"{escape(self.level or '-')}, {self.year}; {escape(self.folds)} "
                f"(out-of-sample scores; in-sample in <code>to_frame()</code>)"
                + wide.to_html(border=0, float_format="{:.3f}".format, na_rep="–")
                + (f"<ul>{notes}</ul>" if notes else "") + f"<small>{escape(CAVEAT)}</small>"
                + credit + "</div>")


# --------------------------------------------------------------------------- folds


def _fold_matrices(areas: np.ndarray, folds: Any, seed: int) -> tuple[np.ndarray, str]:
    """Test membership (n × F) of each area in each fold, and a description."""
    distinct = np.array(sorted(set(areas.tolist())))
    code = np.searchsorted(distinct, areas)
    n_areas = len(distinct)
    if isinstance(folds, Mapping | pd.Series):
        groups = pd.Series(folds).astype(str)
        if groups.index.has_duplicates:
            dup = sorted(set(groups.index[groups.index.duplicated()]))
            raise InvalidParameterError(f"folds: area(s) listed twice: {', '.join(dup[:8])}")
        lacking = [a for a in distinct if a not in groups.index or groups[a] in ("", "nan")]
        if lacking:
            raise InvalidParameterError(
                f"folds: {len(lacking)} area(s) have no group: {', '.join(lacking[:8])}"
                + (" ..." if len(lacking) > 8 else ""))
        labels = groups.reindex(distinct).to_numpy()
        names, assign = np.unique(labels, return_inverse=True)
        if len(names) < 2:
            raise InvalidParameterError("folds: all areas are in one group; leave-one-group-"
                                        "out needs at least two")
        k, text = len(names), f"leave-one-group-out ({len(names)} groups of areas)"
    elif isinstance(folds, str) and folds.lower() in ("loo", "leave-one-out"):
        k, text = n_areas, f"leave-one-area-out ({n_areas} folds)"
        assign = np.arange(n_areas)
    elif isinstance(folds, int | np.integer) and not isinstance(folds, bool) and folds >= 2:
        if folds > n_areas:
            raise InvalidParameterError(f"folds={folds} but there are only {n_areas} areas")
        k = int(folds)
        perm = np.random.default_rng(seed).permutation(n_areas)
        assign = np.empty(n_areas, dtype=int)
        assign[perm] = np.arange(n_areas) % k
        text = f"{k} folds over {n_areas} areas (seed {seed})"
    else:
        raise InvalidParameterError(f"folds must be 'loo', a whole number >= 2, 'parent' or a "
                                    f"mapping area -> group, got {folds!r}")
    test = np.zeros((len(areas), k))
    test[np.arange(len(areas)), assign[code]] = 1.0
    return test, text


# --------------------------------------------------------------------------- scoring


def _scores(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    ok = np.isfinite(pred)
    y, pred = y[ok], pred[ok]
    n = len(y)
    out = {"n": n, "r": np.nan, "r2": np.nan, "slope": np.nan, "rmse": np.nan}
    if n == 0:
        return out
    err = y - pred
    out["rmse"] = float(np.sqrt(np.mean(err**2)))
    if n < 2:
        return out
    yc, pc = y - y.mean(), pred - pred.mean()
    sst, vp = float(yc @ yc), float(pc @ pc)
    if sst > 0:
        out["r2"] = 1.0 - float(err @ err) / sst
    if vp > 1e-12 * max(1.0, float(pred @ pred)) and sst > 0:
        out["r"] = float(yc @ pc) / math.sqrt(sst * vp)
        out["slope"] = float(yc @ pc) / vp
    return out


def _mean_offsets(y: np.ndarray, w: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Weighted training mean of y per fold (F,)."""
    return (train.T @ (w * y)) / (train.T @ w)


def _group_means(y: np.ndarray, group: np.ndarray, train: np.ndarray, fold_of: np.ndarray,
                 fallback: np.ndarray) -> tuple[np.ndarray, int]:
    """Per held-out area: the mean of y over the training areas of its own group (its
    fold's), else ``fallback``; and how many areas needed the fallback."""
    codes, _ = pd.factorize(pd.Series(group, dtype=object))
    G = np.zeros((len(y), codes.max() + 1))
    G[np.arange(len(y)), codes] = 1.0
    sums = G.T @ (train * y[:, None])                             # groups x F
    counts = G.T @ train
    # in-sample (one fold of every area): leave the area itself out of its group's mean
    own = train[np.arange(len(y)), fold_of] > 0
    s = sums[codes, fold_of] - np.where(own, y, 0.0)
    c = counts[codes, fold_of] - own
    with np.errstate(invalid="ignore", divide="ignore"):
        pred = np.where(c > 0, s / np.where(c > 0, c, 1.0), fallback)
    return pred, int((c <= 0).sum())


def _best_indicator(y: np.ndarray, X: np.ndarray, train: np.ndarray, test: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per fold: the column of X most correlated with y in the training rows, then a
    simple regression on it. Returns held-out predictions (n,) and the choice (F,)."""
    cnt = train.sum(axis=0)[:, None]                              # F x 1
    sx, sy = train.T @ X, (train.T @ y)[:, None]                  # F x p, F x 1
    sxx, sxy, syy = train.T @ (X * X), train.T @ (X * y[:, None]), (train.T @ (y * y))[:, None]
    cxx, cxy, cyy = sxx - sx**2 / cnt, sxy - sx * sy / cnt, syy - sy**2 / cnt
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cxy / np.sqrt(cxx * cyy)
    r = np.where(np.isfinite(r), np.abs(r), -1.0)
    choice = r.argmax(axis=1)                                      # F
    f = np.arange(len(choice))
    with np.errstate(invalid="ignore", divide="ignore"):
        b = cxy[f, choice] / cxx[f, choice]
    a = (sy[:, 0] - b * sx[f, choice]) / cnt[:, 0]
    fold_of = test.argmax(axis=1)
    pred = a[fold_of] + b[fold_of] * X[np.arange(len(y)), choice[fold_of]]
    return pred, choice


def _ols(y: np.ndarray, X: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Per fold: least squares with intercept on the training rows (one batched solve);
    held-out predictions (n,), NaN where a fold has too few rows for the regressors."""
    Z = np.column_stack([np.ones(len(y)), X])
    q = Z.shape[1]
    A = np.einsum("nf,ni,nj->fij", train, Z, Z)                   # F x q x q
    c = np.einsum("nf,ni,n->fi", train, Z, y)                     # F x q
    enough = train.sum(axis=0) > q
    beta = np.full(c.shape, np.nan)
    if enough.any():
        beta[enough] = np.einsum("fij,fj->fi", np.linalg.pinv(A[enough]), c[enough])
    fold_of = test.argmax(axis=1)
    return np.einsum("ni,ni->n", Z, beta[fold_of])


# --------------------------------------------------------------------------- public


def validate(model: FactorModel, data: Any, *, outcomes: Any = None, level: str | None = None,
             reference: str = "city", folds: Any = "loo", seed: int = 0,
             areas: pd.DataFrame | str = "rotterdam",
             indicators: Any = None, year: int | None = None,
             calibrate: float | None = None, calibration: str = "regression",
             groups: Mapping[str, str] | pd.Series | None = None) -> Validation:
    """Score the model's predictions of measured outcomes against simple baselines.

    Parameters
    ----------
    model : FactorModel
    data : DataFrame or path
        Area data (see :func:`factormodel.read_area_data`): measured factor and
        outcome indicators per area.
    outcomes : str or list, optional
        Outcome node ids or outcome indicator ids to validate (default: every
        outcome indicator in the data).
    level : str, optional
        Area level (default: the finest in the data).
    reference : {"city", "previous_year"}
        ``city``: validate differences between areas in ``year`` (and, when
        the previous year is in the data, year-on-year changes too);
        ``previous_year``: only the changes.
    folds : "loo", int, "parent" or mapping
        Leave-one-area-out (default); ``k`` folds over areas, seeded;
        ``"parent"``: leave one parent area out (e.g. a gebied with all its
        wijken; parents from the registry ``areas``); or a mapping area ->
        group for any other leave-one-group-out. Grouping keeps neighbouring
        areas from being on both sides of a split.
    areas : DataFrame or registry name
        Area registry for ``folds="parent"`` (default the bundled
        ``rotterdam``; see :func:`factormodel.load_areas`).
    seed : int
        Seed of the fold assignment.
    indicators : DataFrame or path, optional
        Indicator catalogue (see :func:`factormodel.as_catalogue`); by default
        the one the data name (:func:`factormodel.indicators.data_catalogue`),
        else the model's bundled one.
    year : int, optional
        The year validated (default: the latest in the data).
    calibrate : float, optional
        Also score the model calibrated on the training areas of each fold
        (:func:`factormodel.calibrate` with this ``strength``).
    calibration : {"regression", "sem"}
        The calibration method (see :func:`factormodel.calibrate`); ``"sem"``
        also calibrates with unmeasured nodes (most real data).
    groups : mapping area -> group, optional
        Adds the ``group mean`` baseline: the mean of the other training areas
        of the same group (e.g. the gemeente of each wijk).

    Returns
    -------
    Validation

    Raises
    ------
    DataError
        When the data have no outcome indicator of the model (e.g. context
        data only), no factor indicator, or too few areas.

    Examples
    --------
    >>> import factormodel as fm
    >>> v = fm.validate(fm.load_model("rotterdam-jeugd"), fm.load_example_data("rotterdam"),
    ...                 outcomes="vsv", folds=5)
    >>> v.data_status
    'synthetic'
    >>> t = v.to_frame("out-of-sample")
    >>> t[t["target"] == "level"]["method"].tolist()
    ['model', 'city mean', 'best indicator', 'OLS']
    >>> bool(t.set_index(["target", "method"]).loc[("level", "model"), "r"] > 0.5)
    True
    """
    if reference not in ("city", "previous_year"):
        raise InvalidParameterError(f"reference must be 'city' or 'previous_year', got "
                                    f"{reference!r}")
    if calibrate is not None and not (isinstance(calibrate, int | float)
                                      and math.isfinite(calibrate) and calibrate >= 0):
        raise InvalidParameterError(f"calibrate must be a strength >= 0 or None, got "
                                    f"{calibrate!r}")
    if calibration not in ("regression", "sem"):
        raise InvalidParameterError(f"calibration must be 'regression' or 'sem', got "
                                    f"{calibration!r}")
    long = as_area_data(data)  # a frame of text cells is read like the same CSV
    named = data_catalogue(model, long) if indicators is None else None
    cat = named[0] if named else as_catalogue(model, indicators)
    years = sorted(set(long["year"]))
    if not years:
        raise DataError("the data has no rows")
    given_year = year_argument(year)  # None stays None
    year = years[-1] if given_year is None else given_year
    prof_now = profile(model, long, indicators=cat, reference="city", year=year, level=level)
    now = prof_now.deltas
    level = level or prof_now.level or ""
    at_level = long[long["level"] == level] if level else long
    status = ", ".join(sorted(set(long["status"]))) if "status" in long.columns else ""
    source = (", ".join(sorted(set(long["source"].astype(str)) - {""}))
              if "source" in long.columns else "")
    outs = set(model.outcomes)
    in_data = set(at_level["indicator"])
    out_inds = [k for k in cat.index if cat.loc[k, "node"] in outs and k in in_data]
    if outcomes is not None:
        wanted = [outcomes] if isinstance(outcomes, str) else list(outcomes)
        chosen = []
        for w in wanted:
            hit = [k for k in out_inds if k == w or cat.loc[k, "node"] == w]
            if not hit:
                raise DataError(f"no measured outcome indicator for {w!r}; outcome indicators "
                                f"in the data: {', '.join(out_inds) or '(none)'}; "
                                f"{close_matches(w, [*out_inds, *model.outcomes])}")
            chosen += [k for k in hit if k not in chosen]
        out_inds = chosen
    if not out_inds:
        raise DataError(
            "the data have no indicator of any outcome of model " f"{model.name!r} at level "
            f"{level or '(any)'}: nothing to validate (outcome indicators in the catalogue: "
            + (", ".join(k for k in cat.index if cat.loc[k, "node"] in outs)[:300] or "none")
            + ")")
    factor_inds = [k for k in cat.index if cat.loc[k, "node"] not in outs and k in in_data]
    if not factor_inds:
        raise DataError("the data have no factor indicator: the model has nothing to predict "
                        "from")
    if isinstance(folds, str) and folds.lower() == "parent":
        registry = load_areas(areas) if isinstance(areas, str) else areas
        rows = registry[(registry["parent"] != "") & (registry["level"] == level)]
        if rows.empty:
            raise DataError(f"folds='parent': the area registry has no {level or 'area'} with "
                            "a parent; pass folds as a mapping area -> group")
        folds = rows.set_index("area")["parent"]
    ancestors = total_effects(model, targets=sorted({cat.loc[k, "node"] for k in out_inds}))
    targets = [("level", year)] if reference == "city" else []
    if year - 1 in years:
        targets.append(("change", year))
    elif reference == "previous_year":
        raise DataError(f"reference='previous_year' needs data for {year - 1}; years in the "
                        f"data: {', '.join(map(str, years))}")
    rows, preds, notes = [], [], []
    for target, _ in targets:
        block = _target_block(model, long, at_level, cat, year, level, target, now)
        for ind in out_inds:
            r, p, nt = _validate_indicator(model, block, cat, ind, target, ancestors, folds,
                                           seed, calibrate, long, level, year, calibration,
                                           groups)
            rows += r
            preds.append(p)
            notes += nt
    scores = pd.DataFrame(rows, columns=["node", "indicator", "unit", "target", "sample",
                                         "method", *_SCORES, "detail"])
    fold_text = _fold_matrices(np.asarray(now.index, dtype=str), folds, seed)[1]
    return Validation(scores=scores, predictions=pd.concat(preds, ignore_index=True),
                      model=model.name, folds=fold_text, level=level, year=year,
                      data_status=status, data_source=source, notes=tuple(notes),
                      weights_kind=model.weights_kind)


def _wide(at_level: pd.DataFrame, year: int) -> pd.DataFrame:
    sub = at_level[at_level["year"] == year]
    return sub.pivot_table(index="area", columns="indicator", values="value", aggfunc="first",
                           dropna=False)


def _target_block(model: FactorModel, long: pd.DataFrame, at_level: pd.DataFrame,
                  cat: pd.DataFrame, year: int, level: str, target: str,
                  now: pd.DataFrame) -> dict[str, Any]:
    """Observed indicator values (or changes), node deltas and model predictions (SD).

    Only the areas the profile scores are scored: a city row is the reference, never an
    area (it would be scored by the baselines and not by the model)."""
    values = _wide(at_level, year)
    before = pd.DataFrame()
    values = values[values.index.isin(now.index)]
    if target == "level":
        deltas = now
    else:
        before = _wide(at_level, year - 1).reindex(index=values.index, columns=values.columns)
        values = values - before
        deltas = profile(model, long, indicators=cat, reference="previous_year", year=year,
                         level=level or None).deltas
    factors = deltas.reindex(columns=list(model.factors))
    factors = factors.loc[:, factors.notna().any()]
    predicted = propagate(model, factors, missing="free").outcomes
    pop = at_level[at_level["year"] == year].groupby("area")["population"].first()
    return {"values": values, "deltas": deltas, "predicted": predicted, "population": pop,
            "catalogue": cat, "calibrated": {}, "folds": {}, "reference": None,
            "fold_reference": target == "level", "before": before}


def _validate_indicator(model: FactorModel, block: dict[str, Any], cat: pd.DataFrame, ind: str,
                        target: str, ancestors: pd.DataFrame, folds: Any, seed: int,
                        calibrate: float | None, long: pd.DataFrame, level: str, year: int,
                        calibration: str = "regression", groups: Any = None
                        ) -> tuple[list[dict[str, Any]], pd.DataFrame, list[str]]:
    node, unit = cast(str, cat.loc[ind, "node"]), cast(str, cat.loc[ind, "unit"])
    measures = units.Measures.of(cat.loc[[ind]])
    values, deltas = block["values"], block["deltas"]
    y_all = values[ind].dropna()
    areas = y_all.index.to_numpy(dtype=str)
    notes: list[str] = []
    y = y_all.to_numpy(dtype=float)
    d = block["predicted"].reindex(areas)[node].to_numpy(dtype=float)
    # baselines' regressors: measured in every one of these areas
    fvals = values.reindex(areas)
    cand = [k for k in fvals.columns if k in cat.index and cat.loc[k, "node"] not in
            model.outcomes and fvals[k].notna().all() and fvals[k].std() > 0]
    up = ancestors[node]
    fnodes = [f for f in model.factors if f in deltas.columns and up.get(f, 0.0) != 0.0
              and deltas.reindex(areas)[f].notna().all() and deltas.reindex(areas)[f].std() > 0]
    pop = block["population"].reindex(areas).to_numpy(dtype=float)
    w = pop if (target == "level" and np.isfinite(pop).all() and (pop > 0).all()) \
        else np.ones(len(y))
    n = len(y)
    if n < 3:
        notes.append(f"{ind} ({target}): only {n} area(s) measured; not scored")
        return [], pd.DataFrame(), notes
    test_oos, _ = _fold_matrices(areas, folds, seed)
    ones = np.ones((n, 1))
    samples = {"out-of-sample": (1.0 - test_oos, test_oos), "in-sample": (ones, ones)}
    rows: list[dict[str, Any]] = []
    frames = []
    each = measures.take(np.zeros(n, dtype=int))
    for sample, (train, test) in samples.items():
        fold_of = test.argmax(axis=1)
        d = _fold_predictions(model, block, long, level, year, areas, train, fold_of, node)
        offset = _mean_offsets(y, w, train)[fold_of] if target == "level" else 0.0
        # back in the indicator's unit through its measurement model (units.to_units): at
        # the training areas' level, or for a change at the area's own level a year before
        at = offset if target == "level" else block["before"].reindex(areas)[ind].to_numpy(
            dtype=float)

        def unit_change(delta_sd: np.ndarray, at: Any = at) -> np.ndarray:
            return units.to_units(each, delta_sd, np.broadcast_to(at, (n,)))

        methods: dict[str, tuple[np.ndarray, str]] = {
            "model": (offset + unit_change(d), "")}
        if calibrate is not None:
            methods["model (calibrated)"] = (
                offset + unit_change(_calibrated_predictions(
                    model, block, long, level, year, areas, train, fold_of, node, calibrate,
                    target, calibration)), f"{calibration}, strength {calibrate:g}")
        city = (_mean_offsets(y, np.ones(n), train)[fold_of] if target == "change"
                else _mean_offsets(y, w, train)[fold_of])
        methods["city mean"] = (city, "training-area mean" + (" change" if target == "change"
                                                              else ""))
        if groups is not None:
            group = pd.Series(groups).reindex(areas).fillna("").astype(str).to_numpy()
            pred, alone = _group_means(y, group, train, fold_of, city)
            methods["group mean"] = (pred, "other training areas of the same group"
                                     + (f"; {alone} area(s) without one: city mean"
                                        if alone else ""))
        if cand:
            X = fvals[cand].to_numpy(dtype=float)
            pred, choice = _best_indicator(y, X, train, test)
            counts = pd.Series(np.asarray(cand)[choice]).value_counts()
            detail = f"{counts.index[0]} ({counts.iloc[0]}/{len(choice)} folds)" \
                if len(choice) > 1 else counts.index[0]
            methods["best indicator"] = (pred, detail)
        elif sample == "out-of-sample":
            notes.append(f"{ind} ({target}): no factor indicator measured in all "
                         f"{n} areas; no best-indicator baseline")
        if fnodes:
            Xf = deltas.reindex(areas)[fnodes].to_numpy(dtype=float)
            pred = _ols(y, Xf, train, test)
            detail = f"{len(fnodes)} factor(s)"
            if np.isnan(pred).all():
                detail += f": too few areas ({n}) for {len(fnodes) + 1} coefficients"
            methods["OLS"] = (pred, detail)
        for method, (pred, detail) in methods.items():
            s = _scores(y, np.asarray(pred, dtype=float))
            if method == "city mean":  # no difference between areas: r and slope undefined
                s["r"] = s["slope"] = np.nan  # (held-out means anti-correlate by construction)
            rows.append({"node": node, "indicator": ind, "unit": unit, "target": target,
                         "sample": sample, "method": method, **s, "detail": detail})
            frames.append(pd.DataFrame({"area": areas, "node": node, "indicator": ind,
                                        "unit": unit, "target": target, "sample": sample,
                                        "method": method, "observed": y, "predicted": pred}))
    return rows, pd.concat(frames, ignore_index=True), notes


def _fold_deltas(model: FactorModel, block: dict[str, Any], long: pd.DataFrame, level: str,
                 year: int, keep: frozenset[str]) -> pd.DataFrame:
    """Node deltas of every area against the reference of the training areas ``keep`` only.

    The reference is what :func:`factormodel.profile` takes for the training data (the
    city row when there is one, else the mean of the training areas), so no held-out area
    moves another held-out area's prediction. When it does not depend on the training
    set (a city row with every indicator), the deltas of all areas are used as they are.
    """
    cache = block["folds"]
    if not block["fold_reference"] or block["reference"] is False:
        return block["deltas"]
    if keep not in cache:
        scored = set(block["deltas"].index)
        sub = long[(long["year"] == year) & (long["area"].isin(keep) | ~long["area"].isin(scored))]
        ref = profile(model, sub, indicators=block["catalogue"], reference="city", year=year,
                      level=level or None).reference_values
        if block["reference"] is None:  # first fold: does the training set matter at all?
            whole = profile(model, long, indicators=block["catalogue"], reference="city",
                            year=year, level=level or None).reference_values
            if ref.reindex(whole.index).equals(whole):
                block["reference"] = False
                return block["deltas"]
            block["reference"] = True
        cache[keep] = profile(model, long[long["year"] == year], indicators=block["catalogue"],
                              reference_values=cast(dict[str, float], ref.dropna().to_dict()),
                              year=year,
                              level=level or None).deltas
    return cache[keep]


def _fold_predictions(model: FactorModel, block: dict[str, Any], long: pd.DataFrame,
                      level: str, year: int, areas: np.ndarray, train: np.ndarray,
                      fold_of: np.ndarray, node: str) -> np.ndarray:
    """Per fold: the model's outcome delta (SD) of each held-out area, with the reference
    taken from that fold's training areas (:func:`_fold_deltas`)."""
    whole = block["predicted"].reindex(areas)[node].to_numpy(dtype=float)
    if train.shape[1] == 1 and train.all():  # in-sample: one fold of all areas
        return whole
    out = np.full(len(areas), np.nan)
    for f in range(train.shape[1]):
        rows = fold_of == f
        if not rows.any():
            continue
        deltas = _fold_deltas(model, block, long, level, year, frozenset(areas[train[:, f] > 0]))
        if deltas is block["deltas"]:
            return whole
        factors = deltas.reindex(index=areas[rows], columns=list(model.factors))
        factors = factors.loc[:, factors.notna().any()]
        out[rows] = propagate(model, factors, missing="free").outcomes[node].to_numpy(float)
    return out


def _calibrated_predictions(model: FactorModel, block: dict[str, Any], long: pd.DataFrame,
                            level: str, year: int, areas: np.ndarray, train: np.ndarray,
                            fold_of: np.ndarray, node: str, strength: float, target: str,
                            method: str = "regression") -> np.ndarray:
    """Per fold: calibrate on the training areas only, predict the held-out ones (SD)."""
    from factormodel.estimation.calibrate import calibrate

    out = np.full(len(areas), np.nan)
    cache = block["calibrated"]
    in_sample = train.shape[1] == 1 and bool(train.all())
    for f in range(train.shape[1]):
        keep = frozenset(areas[train[:, f] > 0])
        if keep not in cache:
            sub = long[long["area"].isin(keep) & (long["year"] == year)]
            cache[keep] = calibrate(model, sub, strength=strength, level=level or None,
                                    years=[year], indicators=block["catalogue"],
                                    method=method)
        fitted = cache[keep]
        rows = fold_of == f
        deltas = block["deltas"] if in_sample else _fold_deltas(model, block, long, level,
                                                                 year, keep)
        factors = deltas.reindex(index=areas[rows], columns=list(model.factors))
        factors = factors.loc[:, factors.notna().any()]
        out[rows] = propagate(fitted, factors, missing="free").outcomes[node].to_numpy()
    return out
