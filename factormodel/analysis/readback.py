"""A goal she can read back: her words refused when ambiguous, echoed in units when not.

"2% minder schoolverzuim" has two readings that differ many times over: 2 procentpunt
(8,4% → 6,4%) or 2% of the current level (8,4% → 8,2%). :func:`ambiguous_goal` finds
such a goal written in words (``2% minder``, ``2 procent minder``, ``min 2%``,
``-2 procent``) and :func:`read_goal` refuses it, spelling out both readings as goals
she can type (``-2pp`` or ``-2%``); ``-2%`` itself is a relative change of the current
level and ``-2pp`` percentage points (:func:`factormodel.parse_goal`).

:func:`echo_goal` says an accepted goal back in her words and in units: indicator,
current value in her wijk, target value, horizon and group, e.g.
``verzuim_meldingen 12-18: 8,4% → 6,4% in 2029 (−2 procentpunt)``. The sizes come from
:func:`factormodel.resolve_goal` (the one conversion between units and SD).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from factormodel.analysis.goals import Goal, parse_goal, resolve_goal
from factormodel.core.model import FactorModel
from factormodel.errors import AmbiguousNameError
from factormodel.tables._json import json_safe

__all__ = ["GoalEcho", "ambiguous_goal", "echo_goal", "read_goal"]

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_WORDS = [  # (pattern, sign) of a change written in words
    (re.compile(rf"^{_NUMBER}\s*(?:%|procent)\s*(minder|lager|omlaag|less|lower)$", re.I), -1),
    (re.compile(rf"^{_NUMBER}\s*(?:%|procent)\s*(meer|hoger|omhoog|more|higher)$", re.I), 1),
    (re.compile(rf"^(min|minus)\s*{_NUMBER}\s*(?:%|procent)$", re.I), -1),
    (re.compile(rf"^(plus)\s*{_NUMBER}\s*(?:%|procent)$", re.I), 1),
    (re.compile(rf"^([+-])\s*{_NUMBER}\s*procent$", re.I), 0),
]


def ambiguous_goal(text: str) -> tuple[str, str] | None:
    """The two readings (``(in percentage points, relative)`` as goal texts) of a goal whose
    change is written in words such as ``2% minder``; None when it is not ambiguous.

    Examples
    --------
    >>> ambiguous_goal("schoolverzuim:2% minder:3j:12-18")
    ('schoolverzuim:-2pp:3j:12-18', 'schoolverzuim:-2%:3j:12-18')
    >>> ambiguous_goal("schoolverzuim:-2%:3j") is None   # -2% is relative: not ambiguous
    True
    """
    raw = str(text).strip()
    body, sep, priority = raw.rpartition("=") if "=" in raw else (raw, "", "")
    parts = body.split(":")
    for k, part in enumerate(parts[1:], start=1):
        for pattern, sign in _WORDS:
            m = pattern.match(part.strip())
            if not m:
                continue
            groups = m.groups()
            number = next(g for g in groups if g and re.match(r"\d", g))
            if sign == 0:
                sign = -1 if groups[0] == "-" else 1
            change = ("-" if sign < 0 else "+") + number
            tail = (sep + priority) if sep else ""
            pp = ":".join([*parts[:k], change + "pp", *parts[k + 1:]]) + tail
            rel = ":".join([*parts[:k], change + "%", *parts[k + 1:]]) + tail
            return pp, rel
    return None


def read_goal(text: str) -> Goal:
    """:func:`factormodel.parse_goal`, refusing an ambiguous change in words.

    Raises
    ------
    AmbiguousNameError
        For ``2% minder`` and the like, naming both readings.

    Examples
    --------
    >>> read_goal("schoolverzuim:2% minder")
    Traceback (most recent call last):
    ...
    factormodel.errors.AmbiguousNameError: goal 'schoolverzuim:2% minder' is ambiguous: \
'2% minder' is either 2 percentage points less ('schoolverzuim:-2pp') or 2% less than the \
current level ('schoolverzuim:-2%'); write the one you mean
    """
    readings = ambiguous_goal(text)
    if readings is None:
        return parse_goal(text)
    pp, rel = readings
    part = next(p for p, q in zip(str(text).split(":"), pp.split(":"), strict=False) if p != q)
    number = re.search(r"\d+(?:[.,]\d+)?", part).group(0)  # type: ignore[union-attr]
    less = rel.split(":")[1].startswith("-") if ":" in rel else True
    word = "less" if less else "more"
    goal, part = str(text).strip(), part.strip()
    raise AmbiguousNameError(
        f"goal {goal!r} is ambiguous: {part!r} is either {number} percentage points {word} "
        f"({pp!r}) or {number}% {word} than the current level ({rel!r}); write the one you "
        "mean", code=f"ambiguous_goal_{word}",
        fields={"goal": goal, "part": part, "number": number, "pp": pp, "rel": rel})


def _num(x: float, lang: str, digits: int = 1, sign: bool = False) -> str:
    s = f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"
    s = s.replace("-", "−")
    return s.replace(".", ",") if lang == "nl" else s


@dataclass(frozen=True)
class GoalEcho:
    """A goal said back in units (:func:`echo_goal`).

    Attributes
    ----------
    goal : Goal
    indicator : str
        The indicator the goal is measured by (``""`` for a goal in SD on a node).
    unit : str
    current, target : float
        The value in her wijk now and the value the goal asks for (NaN when not known).
    year : int or None
        The year of the horizon (this year + the goal's years).
    change_sd : float
        The goal's size in the model's SD (from :func:`factormodel.resolve_goal`).
    """

    goal: Goal
    indicator: str
    unit: str
    current: float
    target: float
    year: int | None
    change_sd: float

    def text(self, lang: str = "nl") -> str:
        """E.g. ``verzuim_meldingen 12-18: 8,4% → 6,4% in 2029 (−2 procentpunt)``."""
        g = self.goal
        name = self.indicator or g.target
        head = f"{name} {g.group}" if g.group else name
        pct = self.unit == "%"
        unit = "%" if pct else f" {self.unit}" if self.unit and self.unit != "SD" else ""
        when = f" in {self.year}" if self.year else ""
        if g.change is None:
            return f"{head}: {'richting van het model' if lang == 'nl' else 'the model direction'}"
        if g.unit == "pp":
            size = f"{_num(g.change, lang, 1, True)} {'procentpunt' if lang == 'nl' else 'pp'}"
        elif g.unit == "%":
            size = (f"{_num(g.change, lang, 1, True)}% "
                    + ("van het huidige niveau" if lang == "nl" else "of the current level"))
        elif g.unit == "sd":
            size = f"{_num(g.change, lang, 2, True)} SD"
        else:
            size = f"{_num(g.change, lang, 1, True)}{unit}"
        if math.isfinite(self.current) and math.isfinite(self.target):
            return (f"{head}: {_num(self.current, lang)}{unit} → {_num(self.target, lang)}{unit}"
                    f"{when} ({size})")
        return f"{head}: {size}{when}"

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"target": self.goal.target, "indicator": self.indicator,
                          "unit": self.unit, "current": self.current, "target_value":
                          self.target, "year": self.year, "change": self.goal.change,
                          "change_unit": self.goal.unit, "change_sd": self.change_sd,
                          "group": self.goal.group, "text_nl": self.text("nl"),
                          "text_en": self.text("en")})


def echo_goal(model: FactorModel, goal: Goal | str, *, level: float | None = None,
              indicators: pd.DataFrame | None = None,
              today: _dt.date | None = None) -> GoalEcho:
    """Say ``goal`` back in units: her wijk's current ``level`` of its indicator, the
    target value, the horizon year and the group.

    Examples
    --------
    >>> import factormodel as fm, datetime
    >>> m = fm.load_model("rotterdam-jeugd")
    >>> e = echo_goal(m, "verzuim_meldingen:-2pp:3j:12-18", level=8.4,
    ...               today=datetime.date(2026, 12, 6))
    >>> e.text("nl")
    'verzuim_meldingen 12-18: 8,4% → 6,4% in 2029 (−2,0 procentpunt)'
    >>> echo_goal(m, "verzuim_meldingen:-2%:3j", level=8.4,
    ...           today=datetime.date(2026, 12, 6)).text("en")
    'verzuim_meldingen: 8.4% → 8.2% in 2029 (−2.0% of the current level)'
    """
    if isinstance(goal, str):
        goal = read_goal(goal)
    r = resolve_goal(model, goal, indicators=indicators, level=level)
    current = float(level) if level is not None else math.nan
    target = current + r.change_units if math.isfinite(r.change_units) else math.nan
    year = None
    if goal.years is not None:
        year = (today or _dt.date.today()).year + round(goal.years)
    return GoalEcho(goal, r.indicator, r.unit, current, target, year, float(r.change_sd))
