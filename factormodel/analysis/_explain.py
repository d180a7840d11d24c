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

from functools import partial
from itertools import repeat
from typing import Any, cast

import numpy as np
import pandas as pd

from factormodel.analysis.indicators import Profile, load_indicators, reference_name
from factormodel.core import units
from factormodel.core.effects import strongest_paths
from factormodel.core.model import FactorModel

__all__ = ["citywide_explanations"]



#: What the evidence share is (and is not), in every explanation that gives it.
EVIDENCE_TEXT = {
    "nl": "padgewicht gewogen naar de sterkteklasse van de verbanden (een klasse, vaak "
          "aangenomen, geen gemeten effectgrootte), expertoordeel telt als zwak; hoe onzeker "
          "de gewichten zelf zijn, laten de Monte Carlo-intervallen zien",
    "en": "path weight weighted by the links' strength class (a class, often assumed, not "
          "a measured effect size), expert judgement counting as weak; how uncertain the "
          "weights themselves are, the Monte Carlo intervals show",
}

def _fixed(x: np.ndarray, digits: int, significant: bool = False) -> np.ndarray:
    """``f"{x:.{digits}f}"`` for every element (the same ``%`` formatting), as an object
    array of str; the formatting is mapped in C over the column. ``significant``: a
    value that is not zero but would show as zero gets one significant digit
    (``0.004`` instead of ``0.00``)."""
    values = np.asarray(x, dtype=float)
    text = np.fromiter(map(f"%.{digits}f".__mod__, values.tolist()), dtype=object,
                       count=len(values))
    if significant:
        tiny = np.flatnonzero((values != 0) & (np.abs(values) < 0.5 * 10.0 ** -digits))
        text[tiny] = list(map(partial(np.format_float_positional, precision=1, unique=False,
                                      fractional=False, trim="-"), values[tiny].tolist()))
    return text


def _nl(x: np.ndarray, digits: int = 2, significant: bool = False) -> np.ndarray:
    """Dutch decimal comma: ``f"{x:.{digits}f}".replace(".", ",")`` for every element."""
    text = _fixed(x, digits, significant)
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

    The same texts as ``recommend(..., area=a)`` gives its ranked rows: the area's gap,
    one sentence per chosen goal (the factor's total effect on it, in the goal
    indicator's unit, and how much the strongest path carries; or that it has no path,
    or is itself the goal), and the expected improvement with its strength of evidence.

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
        Indicator catalogue for the goals' units (default: the model's own, if any).

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
    >>> ranked = one.table[one.table["rank"].notna()]  # an area's table also lists unmeasured
    >>> t = rec.table
    >>> list(t.loc[t["area"] == "A", "explanation_en"]) == list(ranked["explanation_en"])
    True
    >>> print(t.loc[1, "explanation_en"][:62])
    positive parenting climate in A is 1.00 SD between children be
    """
    if indicators is None and "indicators" in model.table_names:
        indicators = load_indicators(model)  # without a catalogue: no indicator units
    distinct, f_code = np.unique(rows["factor"].to_numpy(dtype=object), return_inverse=True)
    factors = [str(f) for f in distinct]
    T = effects.loc[factors, goals].to_numpy(dtype=float)  # distinct factors x goals
    delta = rows["delta"].to_numpy(dtype=float)
    labels = model.nodes
    f_nl = _pick([str(labels.loc[f, "label_nl"]) for f in factors], f_code)
    f_en = _pick([str(labels.loc[f, "label_en"]) for f in factors], f_code)
    area = pd.Index(rows["area"]).astype(str).to_numpy(dtype=object)
    ref_nl, ref_en = reference_name(profile, "nl"), reference_name(profile, "en")
    up = delta > 0
    nl_parts: list[Any] = [
        "In ", area, " is de score op '", f_nl, "' ", _nl(np.abs(delta)), " SD tussen kinderen ",
        np.where(up, "hoger", "lager").astype(object), f" dan {ref_nl}."]
    en_parts: list[Any] = [
        f_en, " in ", area, " is ", _fixed(np.abs(delta), 2), " SD between children ",
        np.where(up, "above", "below").astype(object), f" {ref_en}."]
    goal_units = _goal_units(indicators, goals)
    for k, o in enumerate(goals):
        o_nl, o_en = str(labels.loc[o, "label_nl"]), str(labels.loc[o, "label_en"])
        nl_k = np.full(len(rows), "", dtype=object)
        en_k = nl_k.copy()
        effect = T[f_code, k]
        total = delta * effect
        none = np.abs(effect) < 1e-12  # no path in the model
        nl_k[none] = f"Op {o_nl} heeft het geen effect (geen pad in het model)."
        en_k[none] = f"It has no effect on {o_en} (no path in the model)."
        u_nl, u_en = _units(goal_units[k], total, profile, rows["area"].to_numpy())
        own = ~none & (f_code == (factors.index(o) if o in factors else -1))
        if own.any():  # the factor is itself a chosen goal: its own gap, no path
            gap_nl = np.char.replace(u_nl[own].astype(str), " (ongeveer",
                                     " (een gat van ongeveer").astype(object)
            gap_en = np.char.replace(u_en[own].astype(str), " (about",
                                     " (a gap of about").astype(object)
            nl_k[own] = "Het is zelf een gekozen doel" + gap_nl + "."
            en_k[own] = "It is itself a chosen goal" + gap_en + "."
        via_path = ~none & ~own
        if via_path.any():
            sel = np.flatnonzero(via_path)
            path_nl, path_en, product = _strongest(model, factors, o, f_code[sel], alpha)
            t, d = total[sel], delta[sel]
            via = d * product
            raises = t > 0
            nl_k[sel] = _join(len(sel), [
                "Dat ", np.where(raises, "verhoogt", "verlaagt").astype(object),
                f" {o_nl} met ", _nl(np.abs(t), significant=True), " SD", u_nl[sel],
                "; het sterkste pad is ",
                path_nl, " en draagt ", _nl(via, significant=True), " SD van het totaal van ",
                _nl(t, significant=True), " SD."])
            en_k[sel] = _join(len(sel), [
                "This ", np.where(raises, "raises", "lowers").astype(object), f" {o_en} by ",
                _fixed(np.abs(t), 2, significant=True), " SD", u_en[sel],
                "; the strongest path is ", path_en, " and carries ", _signed(via),
                " SD of the total ", _signed(t), " SD."])
        nl_parts += [" ", nl_k]
        en_parts += [" ", en_k]
    expected = rows["expected_improvement"].to_numpy(dtype=float)
    evidence = 100 * rows["evidence"].to_numpy(dtype=float)
    nl_parts += [f" Als deze factor terugkomt op {ref_nl}, verbeteren de gekozen resultaten naar "
                 "verwachting met ",
                 _nl(expected, significant=True), " SD, gewogen naar prioriteit (bewijssterkte ",
                 _nl(evidence, 0),
                 f"%: {EVIDENCE_TEXT['nl']})."]
    en_parts += [f" Bringing it back to {ref_en} would improve the chosen outcomes by an "
                 "expected ", _fixed(expected, 2, significant=True),
                 " SD, priority-weighted (strength of evidence ", _fixed(evidence, 0),
                 f"%: {EVIDENCE_TEXT['en']})."]
    return _join(len(rows), nl_parts), _join(len(rows), en_parts)


def _signed(x: np.ndarray) -> np.ndarray:
    """``f"{x:+.2f}"`` for every element; a value that is not zero but would show as zero
    gets one significant digit (``+0.004``), as :func:`_fixed` does."""
    text = _fixed(np.asarray(x, dtype=float) + 0.0, 2, significant=True)  # + 0.0: no -0
    return np.fromiter((t if t.startswith("-") else "+" + t for t in text), dtype=object,
                       count=len(text))


def _strongest(model: FactorModel, factors: list[str], goal: str, codes: np.ndarray,
               alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The strongest path from each coded factor to ``goal``: its nodes by their Dutch and
    English labels (``A → B → C``) and its product, searched once per distinct factor."""
    distinct, back = np.unique(codes, return_inverse=True)
    nl, en, products = [], [], []
    label_nl = model.nodes["label_nl"].astype(str).to_dict()
    label_en = model.nodes["label_en"].astype(str).to_dict()
    for c in distinct.tolist():
        best = strongest_paths(model, factors[c], goal, top=1, alpha=alpha)
        nodes = cast(list[str], best.loc[0, "nodes"]) if len(best) else []
        nl.append(" → ".join(label_nl[n] for n in nodes))
        en.append(" → ".join(label_en[n] for n in nodes))
        products.append(cast(float, best.loc[0, "product"]) if len(best) else 0.0)
    return _pick(nl, back), _pick(en, back), np.asarray(products, dtype=float)[back]


def _goal_units(indicators: pd.DataFrame | None, goals: list[str]) -> list[Any]:
    """Per goal: (indicator id, its measurement model, the catalogue, Dutch unit and label,
    English unit and label) of its first indicator in the catalogue, or None."""
    out: list[Any] = []
    nodes = set(indicators["node"]) if indicators is not None else set()
    for o in goals:
        if o not in nodes:
            out.append(None)
            continue
        ind = indicators[indicators["node"] == o].iloc[0]  # type: ignore[index]
        percent = ind["unit"] == "%"
        lab_nl, lab_en = (str(ind[k]).removeprefix("% ") if percent else ind[k]
                          for k in ("label_nl", "label_en"))
        out.append((ind.name, units.Measures.of(ind.to_frame().T), indicators,
                    f" {units.unit_name(ind['unit'], 'nl')} {lab_nl})",
                    f" {units.unit_name(ind['unit'], 'en')} {lab_en})"))
    return out


def _units(unit: Any, total: np.ndarray, profile: Any, areas: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """' (ongeveer 0,20 procentpunt <label>)' / English per row, or '' without a unit.

    ``total`` is what the factor's gap contributes to the goal today (SD); shown is the
    change that closing it brings, ``to_units(-total)`` from the area's own level of the
    goal's indicator (the profile's value, else its reference, else the catalogue's typical
    level): the number :func:`factormodel.gap_effects` gives, and for a goal that is itself
    the factor exactly the area's value minus its reference. (Converting ``+total`` from the
    area's level would move it further from the reference: on the probit link that is a
    different, larger number.)"""
    if unit is None:
        empty = np.full(len(total), "", dtype=object)
        return empty, empty.copy()
    ind, measures, cat, tail_nl, tail_en = unit
    level, _ = units.current_levels(cat, np.full(len(total), ind, dtype=object), areas,
                              profile if isinstance(profile, Profile) else None)
    change = np.abs(units.to_units(measures.take(np.zeros(len(total), dtype=int)), -total,
                                   level))
    known = np.isfinite(change)
    nl = np.full(len(total), "", dtype=object)
    en = nl.copy()
    if known.any():
        shown = change[known]
        nl[known] = _join(int(known.sum()), [" (ongeveer ", _nl(shown, significant=True),
                                             tail_nl])
        en[known] = _join(int(known.sum()), [" (about ", _fixed(shown, 2, significant=True),
                                             tail_en])
    return nl, en
