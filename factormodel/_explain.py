"""Explanation texts for every row of a city-wide ranking at once (vectorised).

:func:`factormodel.recommend` with ``area=`` explains one area's ranked factors one
row at a time. For a city-wide ranking (every area, ``recommend(..., explain=True)``)
the same sentences are assembled here from whole columns: the numbers are formatted
column by column (the same ``%`` formatting as the per-area f-strings), the
per-goal and per-factor parts (labels, strongest paths, indicator units) are looked up
once and picked per row by integer codes, and the pieces are joined with one
``str.join`` per row over the column pieces (mapped in C). No Python loop runs over
areas or rows; one runs over the distinct (factor, goal) pairs in use, for their
strongest paths.

The texts are exactly those of the per-area explanations (``tests/test_national.py``
compares them in Dutch and English); a change to the wording in
``recommend._add_explanations`` must be made here too.
"""

from __future__ import annotations

from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd

from .effects import strongest_paths
from .indicators import load_indicators, reference_name
from .model import FactorModel

__all__ = ["citywide_explanations"]


def _fixed(x: np.ndarray, digits: int) -> np.ndarray:
    """``f"{x:.{digits}f}"`` for every element (the same ``%`` formatting), as an object
    array of str; the formatting is mapped in C over the column."""
    values = np.asarray(x, dtype=float).tolist()
    return np.fromiter(map(f"%.{digits}f".__mod__, values), dtype=object, count=len(values))


def _nl(x: np.ndarray, digits: int = 2) -> np.ndarray:
    """Dutch decimal comma: ``f"{x:.{digits}f}".replace(".", ",")`` for every element."""
    text = _fixed(x, digits)
    return np.fromiter(map(str.replace, text, repeat("."), repeat(",")), dtype=object,
                       count=len(text))


def _join(n: int, parts: list[Any]) -> np.ndarray:
    """Row-wise concatenation of whole columns (object arrays of str, length ``n``) and
    constant strings: one ``str.join`` per row, run by ``map`` in C, instead of one
    growing copy per piece as repeated array addition would make."""
    columns = [repeat(p) if isinstance(p, str) else p for p in parts]
    return np.fromiter(map("".join, zip(*columns, strict=False)), dtype=object, count=n)


def _pick(values: list[str], codes: np.ndarray) -> np.ndarray:
    """``values[code]`` for every code, as an object array of str."""
    return np.asarray(values, dtype=object)[codes]


def citywide_explanations(model: FactorModel, rows: pd.DataFrame, goals: list[str],
                          effects: pd.DataFrame, profile: Any, *, alpha: float,
                          indicators: pd.DataFrame | None = None
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Dutch and English explanations of ranked (measured) rows of many areas.

    Parameters
    ----------
    model : FactorModel
    rows : DataFrame
        One row per (area, factor): ``area, factor, delta, expected_improvement,
        evidence`` (the city-wide ranking of :func:`factormodel.recommend`).
    goals : list of str
        The chosen goals (node ids), in the order the per-area explanations use.
    effects : DataFrame
        Total effects, nodes x goals.
    profile : Profile or DataFrame
        What the deltas are measured against (see :func:`factormodel.indicators.reference_name`).
    alpha : float
        Per-hop attenuation for the strongest paths.
    indicators : DataFrame, optional
        Indicator catalogue for the goal's units (default: the model's own, if any).

    Returns
    -------
    (ndarray, ndarray)
        ``explanation_nl`` and ``explanation_en``, object arrays of str, one per row.

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> toy = fm.load_model("toy")
    >>> prof = pd.DataFrame({"schoolverzuim": [0.5, -0.4], "opvoedklimaat": [-1.0, 0.3]},
    ...                     index=["A", "B"])
    >>> rec = fm.recommend(toy, prof, {"vsv": 1.0}, explain=True)
    >>> one = fm.recommend(toy, prof, {"vsv": 1.0}, area="A")
    >>> ranked = one[one["rank"].notna()]  # an area's table also lists unmeasured factors
    >>> list(rec.loc[rec["area"] == "A", "explanation_en"]) == list(ranked["explanation_en"])
    True
    >>> print(rec.loc[1, "explanation_en"][:62])
    positive parenting climate in A is 1.00 SD below the reference
    """
    if indicators is None and "indicators" in model.table_names:
        indicators = load_indicators(model)  # without a catalogue: no indicator units
    factors, f_code = np.unique(rows["factor"].to_numpy(dtype=object), return_inverse=True)
    factors = [str(f) for f in factors]
    T = effects.loc[factors, goals].to_numpy(dtype=float)  # distinct factors x goals
    delta = rows["delta"].to_numpy(dtype=float)
    contrib = delta[:, None] * T[f_code]  # rows x goals
    o_code = np.argmax(np.abs(contrib), axis=1)  # the first goal with the largest effect
    c = contrib[np.arange(len(rows)), o_code]
    # per (factor, goal): the strongest path, as the per-area table's path_<goal> column
    # gives it before its " (product)" suffix
    pairs, pair_code = np.unique(f_code * len(goals) + o_code, return_inverse=True)
    paths = []
    for pair in pairs.tolist():
        best = strongest_paths(model, factors[pair // len(goals)], goals[pair % len(goals)],
                               top=1, alpha=alpha)
        paths.append(best.loc[0, "path"] if len(best) else "")
    path = _pick(paths, pair_code)
    # per goal: label and, through its first indicator, the unit of the change
    labels = model.nodes
    o_nl = _pick([labels.loc[o, "label_nl"] for o in goals], o_code)
    o_en = _pick([labels.loc[o, "label_en"] for o in goals], o_code)
    unit_nl = np.full(len(rows), "", dtype=object)
    unit_en = unit_nl.copy()
    nodes_with_units = set(indicators["node"]) if indicators is not None else set()
    for k, o in enumerate(goals):
        if o not in nodes_with_units:
            continue
        ind = indicators[indicators["node"] == o].iloc[0]  # type: ignore[index]
        mine = o_code == k
        change = np.abs(c[mine] * ind["scale"] * ind["direction"])
        u_en = "percentage points" if ind["unit"] == "%" else ind["unit"]
        u_nl = "procentpunt" if ind["unit"] == "%" else ind["unit"]
        unit_nl[mine] = " (ongeveer " + _nl(change) + f" {u_nl} {ind['label_nl']})"
        unit_en[mine] = " (about " + _fixed(change, 2) + f" {u_en} {ind['label_en']})"
    f_nl = _pick([labels.loc[f, "label_nl"] for f in factors], f_code)
    f_en = _pick([labels.loc[f, "label_en"] for f in factors], f_code)
    area = pd.Index(rows["area"]).astype(str).to_numpy(dtype=object)
    side_nl = np.where(delta > 0, "boven", "onder").astype(object)
    side_en = np.where(delta > 0, "above", "below").astype(object)
    verb_nl = np.where(c > 0, "verhoogt", "verlaagt").astype(object)
    verb_en = np.where(c > 0, "raises", "lowers").astype(object)
    ref_nl, ref_en = reference_name(profile, "nl"), reference_name(profile, "en")
    expected = rows["expected_improvement"].to_numpy(dtype=float)
    evidence = 100 * rows["evidence"].to_numpy(dtype=float)
    nl = _join(len(rows), [
        f_nl, " ligt in ", area, " ", _nl(np.abs(delta)), " SD ", side_nl, f" {ref_nl}. Via ",
        path, " ", verb_nl, " dit ", o_nl, " met ", _nl(np.abs(c)), " SD", unit_nl,
        f". Terug naar {ref_nl} verbetert de gekozen resultaten naar verwachting met ",
        _nl(expected), " SD (bewijssterkte ", _nl(evidence, 0), "%: padgewicht gewogen naar "
        "sterkteklasse, expertoordeel telt als zwak)."])
    en = _join(len(rows), [
        f_en, " in ", area, " is ", _fixed(np.abs(delta), 2), " SD ", side_en, f" {ref_en}. Via ",
        path, " this ", verb_en, " ", o_en, " by ", _fixed(np.abs(c), 2), " SD", unit_en,
        f". Bringing it back to {ref_en} would improve the chosen outcomes by an expected ",
        _fixed(expected, 2), " SD (strength of evidence ", _fixed(evidence, 0), "%: path "
        "weight weighted by strength class, expert judgement counting as weak)."])
    return nl, en
