"""Alternative weight sets: compare two models, and combine several experts' tables.

A weight table has ``source, target, weight`` and optionally ``sd`` (or
``low``/``high``), ``strength``, ``source_ref``, ``note``; read one with
:func:`factormodel.read_weight_table` and apply it with
:meth:`FactorModel.with_weights` (which refuses edges the model does not have).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from factormodel.core.effects import total_effects
from factormodel.core.model import FactorModel
from factormodel.errors import DataError, InvalidParameterError
from factormodel.tables._cells import TableSource, listing, parse_numbers, require_columns, text
from factormodel.tables._results import Result

__all__ = ["AGGREGATIONS", "Comparison", "aggregate_weights", "compare"]

AGGREGATIONS = ("mean", "median", "mean_nonzero")


@dataclass(frozen=True)
class Comparison(Result):
    """How two weight sets of the same model differ, and what that changes.

    Attributes
    ----------
    edges : DataFrame
        Edges whose weight differs: ``source, target, weight_a, weight_b, difference``.
    effects : DataFrame
        Total effect of every factor on every outcome under both: ``factor,
        outcome, effect_a, effect_b, difference``, largest change first.
    predictions : DataFrame or None
        With a profile: predicted outcome deltas per area under both.
    rankings : DataFrame or None
        With a profile: each area's top targets under both, whether the first is the
        same (``same_first``) and their ``overlap``; an area with no targets under
        either weight set is unchanged (``same_first`` true, ``overlap`` 1).
    """

    edges: pd.DataFrame
    effects: pd.DataFrame
    predictions: pd.DataFrame | None
    rankings: pd.DataFrame | None

    def to_frame(self) -> pd.DataFrame:
        """The total effects under both weight sets, largest change first."""
        return self.effects.copy()

    def __repr__(self) -> str:
        text = f"<Comparison: {len(self.edges)} edge weight(s) differ"
        if len(self.effects):
            top = self.effects.iloc[0]
            text += (f"; largest change of a total effect {top['difference']:+.3f} "
                     f"({top['factor']} → {top['outcome']})")
        if self.rankings is not None:
            same = int(self.rankings["same_first"].astype(bool).sum())
            text += f"; first target unchanged in {same} of {len(self.rankings)} area(s)"
        return text + ">"


def _same_structure(a: FactorModel, b: FactorModel) -> None:
    if set(a.node_ids) != set(b.node_ids):
        only = sorted(set(a.node_ids) ^ set(b.node_ids))
        raise DataError(f"the models have different nodes: {', '.join(only[:10])}")
    ea = set(zip(a.edges["source"], a.edges["target"], strict=True))
    eb = set(zip(b.edges["source"], b.edges["target"], strict=True))
    if ea != eb:
        differ = sorted(ea ^ eb)
        raise DataError("the models have different edges (compare weight sets of one "
                        "structure): " + ", ".join(f"{s} -> {t}" for s, t in differ[:10]))


def compare(model_a: FactorModel, model_b: FactorModel, data: Any = None, *,
            outcomes: Mapping[str, float] | Iterable[str] | None = None,
            top: int = 5, mixed_kinds: bool = False) -> Comparison:
    """Compare two weight sets of the same model structure.

    Parameters
    ----------
    model_a, model_b : FactorModel
        Same nodes and edges, different weights (e.g. ``m`` and
        ``m.with_weights(table)``).
    data : DataFrame, optional
        A profile (areas x nodes, from :func:`factormodel.profile`) or area
        data (profiled with ``model_a``'s catalogue). Adds predictions and
        rankings per area.
    outcomes : mapping or list, optional
        Outcomes for the rankings (default: all, priority 1).
    top : int
        Length of the compared top lists.
    mixed_kinds : bool, default False
        Allow comparing a model calibrated on areas with one whose weights come from
        the literature (``model.weights_kind``): their weights mean different things
        (how areas differ, against what a factor does for one child), so by default
        that raises.

    Raises
    ------
    DataError
        For different structures.
    InvalidParameterError
        For models of different weights kinds without ``mixed_kinds=True``.

    Examples
    --------
    >>> import factormodel as fm
    >>> toy = fm.load_model("toy")
    >>> c = fm.compare(toy, toy.with_weights({("schoolverzuim", "vsv"): 0.6}))
    >>> c.edges[["source", "target", "difference"]].to_dict("records")
    [{'source': 'schoolverzuim', 'target': 'vsv', 'difference': 0.3}]
    >>> float(c.effects.set_index(["factor", "outcome"]).loc[("schoolverzuim", "vsv"),
    ...                                                      "difference"].round(6))
    0.3
    """
    from factormodel.analysis.indicators import deltas_frame
    from factormodel.analysis.indicators import profile as make_profile
    from factormodel.analysis.recommend import recommend
    from factormodel.core.propagate import propagate

    _same_structure(model_a, model_b)
    if model_a.weights_kind != model_b.weights_kind and not mixed_kinds:
        raise InvalidParameterError(
            f"model {model_a.name!r} has {model_a.weights_kind} weights and the other "
            f"{model_b.weights_kind} weights: area-level weights describe how areas differ, "
            "not what a factor does for one child, so the difference is not a correction of "
            "the literature. Pass mixed_kinds=True to compare them anyway (and say so)")
    ea = model_a.edges.set_index(["source", "target"])["weight"]
    eb = model_b.edges.set_index(["source", "target"])["weight"].reindex(ea.index)
    diff = (eb - ea).round(15)
    edges = pd.DataFrame({"weight_a": ea, "weight_b": eb, "difference": diff})
    edges = edges[edges["difference"] != 0].reset_index()
    outs = list(model_a.outcomes)
    factors = list(model_a.factors)
    Ta = total_effects(model_a, targets=outs).loc[factors]
    Tb = total_effects(model_b, targets=outs).loc[factors, outs]
    effects = paired_long(Ta, Tb, ("factor", "outcome"), ("effect_a", "effect_b"))
    effects = effects.iloc[np.argsort(-effects["difference"].abs().to_numpy(), kind="stable")]
    effects = effects.reset_index(drop=True)
    predictions = rankings = None
    if data is not None:
        prof = deltas_frame(data) if "year" not in getattr(data, "columns", []) else \
            make_profile(model_a, data).deltas
        factor_cols = [f for f in factors if f in prof.columns]
        given = prof.reindex(columns=factor_cols)
        # a frame of areas in: a frame of areas out
        pa = cast(pd.DataFrame, propagate(model_a, given, missing="free").outcomes)
        pb = cast(pd.DataFrame, propagate(model_b, given, missing="free").outcomes)
        predictions = paired_long(pa, pb, ("area", "outcome"), ("delta_a", "delta_b"))
        chosen = outcomes if outcomes is not None else outs
        ra = recommend(model_a, prof, chosen, top=top)
        rb = recommend(model_b, prof, chosen, top=top)
        lists_a = ra.table.groupby("area", sort=False)["factor"].agg(list)
        lists_b = rb.table.groupby("area", sort=False)["factor"].agg(list)
        areas = list(prof.index)
        a_lists = [lists_a.get(x, []) for x in areas]
        b_lists = [lists_b.get(x, []) for x in areas]
        rankings = pd.DataFrame({
            "area": areas, "top_a": [", ".join(x) for x in a_lists],
            "top_b": [", ".join(x) for x in b_lists],
            # an area with no targets under either weight set has not changed
            "same_first": [(not x and not y) or (bool(x) and bool(y) and x[0] == y[0])
                           for x, y in zip(a_lists, b_lists, strict=True)],
            "overlap": [1.0 if not x and not y else len(set(x) & set(y)) / max(len(x), 1)
                        for x, y in zip(a_lists, b_lists, strict=True)]})
    return Comparison(edges=edges, effects=effects, predictions=predictions, rankings=rankings)


def paired_long(a: pd.DataFrame, b: pd.DataFrame, names: tuple[str, str],
          values: tuple[str, str]) -> pd.DataFrame:
    """Two tables of the same shape side by side in long form, with their difference."""
    def melt(frame: pd.DataFrame, value: str) -> pd.DataFrame:
        return frame.rename_axis(index=names[0], columns=names[1]).reset_index().melt(
            id_vars=names[0], var_name=names[1], value_name=value)

    out = melt(a, values[0]).merge(melt(b, values[1]), on=list(names))
    out["difference"] = out[values[1]] - out[values[0]]
    return out


def aggregate_weights(tables: Mapping[str, pd.DataFrame], method: str = "mean"
                      ) -> pd.DataFrame:
    """Combine several experts' weight tables and show how much they disagree.

    An edge an expert did not rate is left out of that edge's statistics (not
    counted as zero); a rated zero counts, except for ``mean_nonzero``.

    Parameters
    ----------
    tables : mapping expert -> DataFrame
        Each with ``source, target, weight``.
    method : {"mean", "median", "mean_nonzero"}

    Returns
    -------
    DataFrame
        ``source, target, weight`` (aggregated), ``n`` (experts who rated
        it), ``sd`` (their spread; usable as the weight's uncertainty),
        ``min``, ``max``, ``sign_agreement`` (share of the raters with the
        majority sign), and one column per expert.

    Examples
    --------
    >>> import pandas as pd, factormodel as fm
    >>> a = pd.DataFrame({"source": ["x"], "target": ["y"], "weight": [0.2]})
    >>> b = pd.DataFrame({"source": ["x"], "target": ["y"], "weight": [0.4]})
    >>> c = pd.DataFrame({"source": ["x"], "target": ["y"], "weight": [-0.3]})
    >>> agg = fm.aggregate_weights({"a": a, "b": b, "c": c})
    >>> print(agg[["weight", "n", "sd", "sign_agreement"]].round(3).to_string(index=False))
     weight  n     sd  sign_agreement
        0.1  3  0.361           0.667
    """
    if method not in AGGREGATIONS:
        raise InvalidParameterError(f"method must be one of {', '.join(AGGREGATIONS)}, got "
                                    f"{method!r}")
    if not tables:
        raise InvalidParameterError("give at least one weight table")
    columns = {}
    problems: list[str] = []
    for expert, table in tables.items():
        src = TableSource(f"weight table of {expert!r}")
        cols, _, missing = require_columns(table.columns, ("source", "target", "weight"), src)
        if missing:
            problems += [str(p) for p in missing]
            continue
        values = {}
        weights, _, errors = parse_numbers(table[cols["weight"]])
        for i, (s, t) in enumerate(zip(table[cols["source"]], table[cols["target"]],
                                       strict=True)):
            if errors[i]:
                problems.append(f"{src.where(i, 'weight')} (edge {text(s)} -> {text(t)}): "
                                f"{errors[i]}")
            key = (text(s), text(t))
            if key in values:
                problems.append(f"weight table of {expert!r} lists {key[0]} -> {key[1]} twice")
            values[key] = weights[i]
        columns[expert] = pd.Series(values, dtype=float)
    if problems:
        raise DataError(listing(problems))
    wide = pd.DataFrame(columns)
    wide.index = wide.index.set_names(["source", "target"])
    rated = wide.notna()
    use = wide.where(wide != 0) if method == "mean_nonzero" else wide
    weight = use.median(axis=1) if method == "median" else use.mean(axis=1)
    signs = np.sign(wide)
    positive = (signs > 0).sum(axis=1)
    negative = (signs < 0).sum(axis=1)
    n = rated.sum(axis=1)
    agreement = np.maximum(positive, negative) / n.where(n > 0)
    out = pd.DataFrame({"weight": weight.fillna(0.0) if method == "mean_nonzero" else weight,
                        "n": n, "sd": wide.std(axis=1, ddof=1), "min": wide.min(axis=1),
                        "max": wide.max(axis=1), "sign_agreement": agreement})
    return pd.concat([out, wide], axis=1).reset_index()
