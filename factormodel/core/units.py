"""One unit inside the model: each indicator's measurement model, in both directions.

Weights are standardised effects *between individuals*, so inside the model every
delta is in the node's SD between individuals (children, young people,
households). Under the linear model area *means* propagate with the same
coefficients. This module is the one place where an indicator's values cross
into or out of that unit; nothing else converts.

Each row of an indicator catalogue declares its **measurement model**:

``measure``
    ``share`` -- a share of persons in % (0-100); ``rate`` -- persons per 1,000
    (0-1,000); ``mean`` -- a mean score with the instrument's SD between persons
    (``sd_individual``, from its norm tables); ``index`` -- a score without a known
    individual SD: ``sd_individual`` is then an *assumption*, repeated by every
    output built from it.
``link``
    For shares and rates, ``probit`` (the default, the liability model): the node
    is standard normal between individuals within an area and the share is the
    part above a threshold, so

    * in: ``delta = direction × (Φ⁻¹(p_area) − Φ⁻¹(p_ref))``
    * out: a node change ``δ`` at level ``p₀`` is ``Φ(Φ⁻¹(p₀) + direction·δ) − p₀``

    -- non-linear, and never outside 0-100 %. ``linear`` uses the Bernoulli SD
    ``√(p(1 − p))`` at the level converted at (the reference going in, the given
    level coming out). Means and indices are always linear:
    ``delta = direction × (value − ref) / sd_individual``.

The catalogue's ``scale`` is the spread of the indicator **across areas**. It says
how unusual an area is among areas (:func:`among_areas`) and never converts units:
converting with it predicts data simulated from individuals under the model with
about three times too little spread (see ``tests/test_units.py``).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from factormodel.core import units
>>> cat = pd.DataFrame({"unit": ["%"], "direction": [1], "measure": ["share"],
...                     "link": ["probit"], "sd_individual": [np.nan]}, index=["vsv"])
>>> m = units.Measures.of(cat)
>>> d = units.to_model(m, np.array([20.0]), np.array([10.0]))   # 20% against 10%
>>> round(float(d[0]), 4)
0.4399
>>> round(float(units.to_units(m, d, np.array([10.0]))[0]), 6)   # back: +10 pp
10.0
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["LINKS", "MEASURES", "PER", "Measures", "among_areas", "change_to_model",
           "current_levels", "default_measure", "impossible", "looks_like_fractions", "ndtr",
           "ndtri", "to_model", "to_units", "unit_name"]

#: What an indicator's value is (see the module docstring).
MEASURES = ("share", "rate", "mean", "index")
#: How a share or rate is tied to the node's individual-level SD.
LINKS = ("probit", "linear")
#: A % column whose values are all at most 1 and whose typical (median) value lies this
#: many times below the catalogue's typical level reads as fractions (0,041 for 4,1 %).
FRACTION_RATIO = 20.0
#: A typical level from which "every value at most 1" alone reads as fractions.
FRACTION_TYPICAL = 5.0
#: The value of a share or rate that means "everyone".
PER = {"share": 100.0, "rate": 1000.0}

_RATE_UNITS = ("per 1000", "per 1.000", "per 1,000", "‰", "per duizend")


def default_measure(unit: str) -> str:
    """The measure a catalogue's ``unit`` implies (``%`` → share, per 1,000 → rate), or
    ``""`` when the unit does not say (a score, an index, euros: the catalogue must).

    Examples
    --------
    >>> default_measure("%"), default_measure("per 1000"), default_measure("score")
    ('share', 'rate', '')
    """
    u = str(unit).strip().lower()
    if u == "%":
        return "share"
    if u in _RATE_UNITS:
        return "rate"
    return ""


def unit_name(unit: str, lang: str = "en") -> str:
    """How a change of an indicator in ``unit`` is named: percentage points for ``%``.

    Examples
    --------
    >>> unit_name("%"), unit_name("%", "nl"), unit_name("per 1000")
    ('percentage points', 'procentpunt', 'per 1000')
    """
    if str(unit).strip() == "%":
        return "procentpunt" if lang == "nl" else "percentage points"
    return str(unit)


@dataclass(frozen=True)
class Measures:
    """The measurement model of indicators as arrays (one entry per indicator).

    Build it from catalogue rows with :meth:`of`; :meth:`take` repeats entries for
    per-row work (``codes`` into the indicators), so a national table converts in
    one vectorised call. ``probit`` (True where the probit (liability) link applies),
    ``bernoulli`` (True for a share or rate on the linear link) and ``share`` (True for
    a share) are worked out once per indicator and repeated with the rest.
    """

    measure: np.ndarray
    link: np.ndarray
    direction: np.ndarray
    sd: np.ndarray
    per: np.ndarray
    probit: np.ndarray
    bernoulli: np.ndarray
    share: np.ndarray

    @classmethod
    def of(cls, cat: pd.DataFrame) -> Measures:
        """From catalogue rows (``unit``, ``direction`` and, where given, ``measure``,
        ``link``, ``sd_individual``; the defaults follow the unit)."""
        n = len(cat)
        unit = cat["unit"].astype(str).to_numpy() if "unit" in cat else np.full(n, "")
        given = cat["measure"].fillna("").astype(str).to_numpy() if "measure" in cat \
            else np.full(n, "")
        measure = np.array([g or default_measure(u) or "mean"
                            for g, u in zip(given, unit, strict=True)], dtype=object)
        link = cat["link"].fillna("").astype(str).to_numpy() if "link" in cat \
            else np.full(n, "")
        share = np.isin(measure, ("share", "rate"))
        link = np.where(share, np.where(link == "", "probit", link), "linear").astype(object)
        sd = cat["sd_individual"].to_numpy(dtype=float) if "sd_individual" in cat \
            else np.full(n, np.nan)
        per = np.where(measure == "share", PER["share"],
                       np.where(measure == "rate", PER["rate"], np.nan))
        return cls(measure, link, cat["direction"].to_numpy(dtype=float), sd, per,
                   probit=np.asarray(link == "probit", dtype=bool),
                   bernoulli=np.asarray((link == "linear") & np.isfinite(per), dtype=bool),
                   share=np.asarray(measure == "share", dtype=bool))

    def take(self, codes: np.ndarray) -> Measures:
        """Entries repeated by ``codes`` (e.g. the indicator of each row of a long table)."""
        return Measures(*(getattr(self, f.name)[codes] for f in fields(self)))


#: Up to this many values, Φ and Φ⁻¹ come from the standard library (``math.erfc``,
#: ``statistics.NormalDist``, both accurate to a few units in the last place), so that
#: one wijk's answer never imports scipy (0.1 s of a command line's start-up); larger
#: arrays use ``scipy.special`` (the same functions, vectorised).
SMALL = 4096
_erfc = np.frompyfunc(math.erfc, 1, 1)
_inv = np.frompyfunc(NormalDist().inv_cdf, 1, 1)


def _vectorised(x: np.ndarray) -> bool:
    return x.size > SMALL or "scipy.special" in sys.modules


def ndtr(x: np.ndarray) -> np.ndarray:
    """Φ, the standard normal distribution function, elementwise (NaN stays NaN)."""
    x = np.asarray(x, dtype=float)
    if _vectorised(x):
        from scipy.special import ndtr as scipy_ndtr

        return scipy_ndtr(x)
    with np.errstate(invalid="ignore"):
        return np.asarray(0.5 * _erfc(-x / math.sqrt(2.0)), dtype=float)


def ndtri(p: np.ndarray) -> np.ndarray:
    """Φ⁻¹, the standard normal quantile, elementwise; NaN outside (0, 1)."""
    p = np.asarray(p, dtype=float)
    if _vectorised(p):
        from scipy.special import ndtri as scipy_ndtri

        out = np.asarray(scipy_ndtri(p))  # NaN outside [0, 1]; -inf and inf at 0 and 1
        out[np.isinf(out)] = np.nan
        return out
    inside = (p > 0) & (p < 1)
    out = np.full(p.shape, np.nan)
    if inside.any():
        out[inside] = _inv(p[inside]).astype(float)
    return out


def _fraction(m: Measures, value: np.ndarray) -> np.ndarray:
    return np.asarray(value, dtype=float) / np.where(np.isfinite(m.per), m.per, 1.0)


def to_model(m: Measures, value: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Deltas in the node's SD between individuals: ``direction × (g(value) − g(ref))``.

    ``g`` is the probit of the share for the probit link, the value over the
    Bernoulli SD at the reference for a linear share, the value over
    ``sd_individual`` for a mean or index. A share of exactly 0 or 100 % has no
    finite probit: NaN (callers say so; see :func:`impossible`). A direction of 0
    (ambiguous) gives NaN.
    """
    value = np.asarray(value, dtype=float)
    ref = np.asarray(ref, dtype=float)
    p, q = _fraction(m, value), _fraction(m, ref)
    with np.errstate(divide="ignore", invalid="ignore"):
        probit = ndtri(p) - ndtri(q)
        bernoulli = (p - q) / np.sqrt(q * (1 - q))
        linear = (value - ref) / m.sd
    raw = np.where(m.probit, probit, np.where(m.bernoulli, bernoulli, linear))
    direction = np.where(m.direction == 0, np.nan, m.direction)
    return direction * raw


def to_units(m: Measures, delta: np.ndarray, level: np.ndarray) -> np.ndarray:
    """The change in the indicator's own unit of moving its node by ``delta`` SD from
    ``level`` (the area's current value, in the indicator's unit).

    Percentage points for a share, per 1,000 for a rate. Under the probit link the
    new level stays inside 0-100 %; the change depends on the level (a share near 50 %
    moves most per SD).
    """
    delta = np.asarray(delta, dtype=float)
    level = np.asarray(level, dtype=float)
    direction = np.where(m.direction == 0, np.nan, m.direction)
    step = direction * delta
    p = _fraction(m, level)
    inside = (p > 0) & (p < 1)
    with np.errstate(invalid="ignore"):
        probit = (ndtr(ndtri(p) + step) - p) * m.per
        bernoulli = step * np.sqrt(np.where(inside, p * (1 - p), np.nan)) * m.per
    return np.where(m.probit, probit, np.where(m.bernoulli, bernoulli, step * m.sd))


def change_to_model(m: Measures, change: np.ndarray, level: np.ndarray) -> np.ndarray:
    """The node change (SD between individuals) that moves the indicator by ``change``
    of its own unit from ``level``: the inverse of :func:`to_units`.

    NaN where the change is impossible (a share would leave 0-100 %; see
    :func:`impossible`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from factormodel.core import units
    >>> cat = pd.DataFrame({"unit": ["%"], "direction": [1]}, index=["x"])
    >>> m = units.Measures.of(cat)
    >>> d = units.change_to_model(m, np.array([-2.0]), np.array([8.4]))
    >>> round(float(units.to_units(m, d, np.array([8.4]))[0]), 9)
    -2.0
    >>> units.change_to_model(m, np.array([-9.0]), np.array([8.4]))   # below 0 %
    array([nan])
    """
    level = np.asarray(level, dtype=float)
    return to_model(m, level + np.asarray(change, dtype=float), level)


def impossible(m: Measures, value: np.ndarray) -> np.ndarray:
    """True where a share or rate ``value`` lies at or beyond 0 or everyone (100 %, 1,000):
    a level no area can have on the probit link (and no reference may have)."""
    p = _fraction(m, value)
    return np.isfinite(m.per) & ~((p > 0) & (p < 1)) & ~np.isnan(np.asarray(value, float))


def among_areas(value: np.ndarray, ref: np.ndarray, scale: np.ndarray,
                direction: np.ndarray) -> np.ndarray:
    """How unusual an area is **among areas**: ``direction × (value − ref) / scale`` in
    SD *across areas* (the catalogue's ``scale``). For the profile plot and
    percentiles only -- never a delta of the model (that is :func:`to_model`).

    Examples
    --------
    >>> import numpy as np
    >>> among_areas(np.array([14.0]), np.array([10.0]), np.array([4.0]), np.array([1]))
    array([1.])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(direction) == 0, np.nan,
                        np.asarray(direction) * (np.asarray(value, float) - ref) / scale)


def current_levels(cat: pd.DataFrame, indicators: np.ndarray, areas: np.ndarray,
                   profile: Any = None, levels: Mapping[str, float] | None = None, *,
                   at: str = "area") -> tuple[np.ndarray, np.ndarray]:
    """The level each (area, indicator) converts at, and where it came from.

    The one order of choice. ``at="area"`` (a change from where the area is now):
    the area's own value in ``profile`` (``"area"``), ``levels`` (``"given"``), the
    area's reference (``"reference"``), the catalogue's typical level (``"typical
    (assumption)"``). ``at="reference"`` (a difference from the reference): the
    area's reference, ``levels``, the typical level. NaN and ``""`` when none.
    ``profile`` is a :class:`~factormodel.Profile` (its ``values``, ``references``
    and ``reference_values``). Used by :func:`~factormodel.to_indicator_units`,
    explanations, gap effects and goals.

    Examples
    --------
    >>> import factormodel as fm, numpy as np
    >>> from factormodel.core.units import current_levels
    >>> cat = fm.load_indicators(fm.load_model("toy"))
    >>> current_levels(cat, np.array(["vsv_nieuw"]), np.array(["A"]), levels={"vsv_nieuw": 3.1})
    (array([3.1]), array(['given'], dtype=object))
    """
    if at not in ("area", "reference"):
        raise ValueError(f"at must be 'area' or 'reference', got {at!r}")
    indicators = np.asarray(indicators, dtype=object)
    level = np.full(len(indicators), np.nan)
    source = np.full(len(indicators), "", dtype=object)

    def fill(values: np.ndarray, what: str) -> None:
        take = np.isnan(level) & ~np.isnan(values)
        level[take] = values[take]
        source[take] = what

    def grid_values(grid: pd.DataFrame) -> np.ndarray:
        r = grid.index.get_indexer(pd.Index(np.asarray(areas, dtype=object)))
        c = grid.columns.get_indexer(pd.Index(indicators))
        ok = (r >= 0) & (c >= 0)
        out = np.full(len(indicators), np.nan)
        out[ok] = grid.to_numpy(dtype=float)[r[ok], c[ok]]
        return out

    ind = pd.Series(indicators)

    def reference() -> None:
        if profile is None:
            return
        refs = getattr(profile, "references", pd.DataFrame())
        if not refs.empty:
            fill(grid_values(refs), "reference")
        fill(ind.map(profile.reference_values).to_numpy(dtype=float), "reference")

    if at == "area" and profile is not None and not profile.values.empty:
        fill(grid_values(profile.values), "area")
    if at == "reference":
        reference()
    if levels:
        fill(ind.map(dict(levels)).to_numpy(dtype=float), "given")
    if at == "area":
        reference()
    fill(ind.map(cat["typical"]).to_numpy(dtype=float), "typical (assumption)")
    return level, source


def looks_like_fractions(values: Any, typical: float) -> bool:
    """Whether the values of one ``%`` indicator look like fractions (a spreadsheet cell
    formatted as a percentage stores 4,1 % as 0,041): THE rule, for the column proposal
    and the check of the area data.

    Every value is at most 1 and either the catalogue's typical level is
    :data:`FRACTION_TYPICAL` % or more, or the median of the non-zero values lies
    :data:`FRACTION_RATIO` times or more below the typical level (VSV: 0,041 against a
    typical 2,6 % is 1/63; a real small share, 0,5 % against 2,6 %, is 1/5). Without a
    typical level (NaN) or a value: False.

    Examples
    --------
    >>> looks_like_fractions([0.029, 0.041, 0.048], 2.6)   # VSV as fractions
    True
    >>> looks_like_fractions([0.3, 0.5, 0.9], 2.6)         # real small percentages
    False
    >>> looks_like_fractions([0.091, 0.068], 9.0)          # typical 9 %: all <= 1 is enough
    True
    """
    x = np.abs(np.asarray(values, dtype=float).ravel())
    x = x[np.isfinite(x)]
    if not len(x) or not np.isfinite(typical) or x.max() > 1:
        return False
    if typical >= FRACTION_TYPICAL:
        return True
    positive = x[x > 0]
    return bool(len(positive)) and float(np.median(positive)) * FRACTION_RATIO <= typical
