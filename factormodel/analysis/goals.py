"""Maatschappelijke resultaten as goals: on any node or indicator, in the user's units.

A gebiedsadviseur agrees with the wijk's partners on results such as "over drie
jaar 2 procentpunt minder schoolverzuim onder 12-18-jarigen". A :class:`Goal`
says that: a target (any node, factor or outcome, or an indicator; by id or by
Dutch/English label), a desired change in SD, percentage points (``pp``), a
relative ``%`` or the indicator's own unit, an optional horizon and target
group, and a priority. :func:`factormodel.recommend` and
:func:`factormodel.optimize_portfolio` rank the factors upstream of each goal;
the goal's sign sets its direction (a node's own desired direction when no
change is given). :func:`required_change` answers the inverse question: which
change of the chosen factors would reach the goal.

Units: a change of ``c`` in an indicator's own unit is converted into SD between
individuals of its node by :func:`factormodel.units.change_to_model` at the
indicator's current level (for a share on the probit link
``direction × (Φ⁻¹(p₀ + c) − Φ⁻¹(p₀))``; a change that would leave 0-100 % is
refused as impossible); a relative change of ``c`` % is ``c/100 × level``. The
level is the area's own level given, or the catalogue's ``typical`` level, flagged
as an assumption.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from factormodel.analysis.words import indicator_lexicon, node_lexicon, parse_number
from factormodel.core import units
from factormodel.core.model import FactorModel
from factormodel.errors import (
    AmbiguousNameError,
    InvalidParameterError,
    Message,
    UnknownIndicatorError,
    UnknownNodeError,
    close_matches,
)
from factormodel.tables._cells import parse_number as parse_cell
from factormodel.tables._json import json_safe
from factormodel.tables._results import Result

__all__ = ["GOAL_UNITS", "PLAUSIBLE_SD", "Goal", "RequiredChange", "ResolvedGoal", "as_goals",
           "goal_phases", "parse_goal", "required_change", "required_changes", "resolve_goal"]

#: Units of a goal's change: SD of the node, percentage points of a ``%``
#: indicator, relative per cent, or the indicator's own unit.
GOAL_UNITS = ("sd", "pp", "%", "own")


@dataclass(frozen=True)
class Goal:
    """A maatschappelijk resultaat: a desired change of a node or indicator.

    Parameters
    ----------
    target : str
        Any node id or indicator id, or a Dutch/English label of one.
    change : float, optional
        The desired change in ``unit``; its sign is the direction (negative:
        less of it). ``None``: the node's own desired direction, no size.
    unit : {"sd", "pp", "%", "own"}
        SD of the node; percentage points of a ``%`` indicator; relative per
        cent of the indicator's level; the indicator's own unit.
    years : float, optional
        Horizon (e.g. 3 for "over drie jaar"); stated, not modelled.
    group : str, optional
        Target group (e.g. ``"12-18"``). Not modelled in the effects; an age
        range selects the life phases whose interventions a portfolio may use
        (:meth:`phases`).
    priority : float
        Weight of this goal among the chosen goals (above 0).

    Examples
    --------
    >>> import factormodel as fm
    >>> fm.Goal("schoolverzuim", -2, unit="pp", years=3, group="12-18")
    Goal(target='schoolverzuim', change=-2.0, unit='pp', years=3.0, group='12-18', priority=1.0)
    """

    target: str
    change: float | None = None
    unit: str = "sd"
    years: float | None = None
    group: str | None = None
    priority: float = 1.0

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.target, str) or not self.target.strip():
            problems.append(f"target must be a node or indicator name, got {self.target!r}")
        unit = str(self.unit).strip().lower()
        if unit not in GOAL_UNITS:
            problems.append(f"unit must be one of {', '.join(GOAL_UNITS)}, got {self.unit!r}")
        object.__setattr__(self, "unit", unit)
        for name, positive in (("change", False), ("years", True), ("priority", True)):
            value = getattr(self, name)
            if value is None and name != "priority":
                continue
            x, _, err = parse_cell(value)  # the one cell parser: '0,5' too, never True
            if err or not math.isfinite(x) or (positive and x <= 0) \
                    or (name == "change" and x == 0):
                problems.append(f"{name} must be a finite number"
                                + (" above 0" if positive else " other than 0")
                                + f", got {value!r}")
            else:
                object.__setattr__(self, name, x)
        if problems:
            raise InvalidParameterError(f"goal {self.target!r}: " + "; ".join(problems))

    @property
    def direction(self) -> int | None:
        """+1 (more), -1 (less), or None (the node's own desired direction)."""
        return None if self.change is None else (1 if self.change > 0 else -1)

    def phases(self) -> tuple[str, ...]:
        """The model's life phases an age-range group overlaps (empty without one).

        Examples
        --------
        >>> import factormodel as fm
        >>> fm.parse_goal("schoolverzuim:-2pp:3j:12-18").phases()
        ('12-18',)
        >>> fm.Goal("vsv", group="15-22").phases()
        ('12-18', '18-23')
        >>> fm.Goal("vsv", group="ouders").phases()
        ()
        """
        from factormodel import vocab

        m = re.fullmatch(r"\s*(\d+)\s*[-–]\s*(\d+)\s*(?:jaar|j|years?)?\s*", self.group or "")
        if not m:
            return ()
        low, high = int(m.group(1)), int(m.group(2))
        out = []
        for phase in vocab.PHASES:
            span = re.fullmatch(r"(\d+)-(\d+)", phase)
            if span and int(span.group(1)) < max(high, low + 1) and low < int(span.group(2)):
                out.append(phase)
        return tuple(out)

    def describe(self, lang: str = "en") -> str:
        """The goal in words, e.g. ``schoolverzuim -2 pp in 3 years, ages 12-18``.

        The analysis words a goal in English only (:meth:`message`, a coded
        :class:`~factormodel.errors.Message`); the text layer words it in another language
        (``factormodel.text.words.goal(goal, "nl")``).

        Parameters
        ----------
        lang : str
            ``"en"``; another language warns (``DeprecationWarning``) and gives the English:
            word it with ``factormodel.text.words.goal``.
        """
        _english_only("describe", lang)
        return str(self.message())

    def change_text(self, lang: str = "en") -> str:
        """The goal's size, horizon and group in words, without its target (English; see
        :meth:`describe`).

        Examples
        --------
        >>> import factormodel as fm
        >>> fm.parse_goal("schoolverzuim:-2pp:3j:12-18").change_text()
        '-2 pp in 3 years, ages 12-18'
        """
        _english_only("change_text", lang)
        return str(self.size_message())

    def message(self) -> Message:
        """The goal in words as a coded :class:`~factormodel.errors.Message` (English; the
        text layer words it from its code and fields).

        Examples
        --------
        >>> import factormodel as fm
        >>> m = fm.parse_goal("schoolverzuim:-2pp:3j:12-18").message()
        >>> m, m.code
        ('schoolverzuim -2 pp in 3 years, ages 12-18', 'goal_described')
        """
        size = self.size_message()
        if not size:
            return Message(self.target, "goal_target", {"target": self.target})
        return Message(f"{self.target} {size}", "goal_described",
                       {"target": self.target, "size": size})

    def size_message(self) -> Message:
        """The goal's size, horizon and group as a coded Message (empty without any)."""
        parts = []
        if self.change is not None:
            code, unit = _CHANGE_WORDS[self.unit]
            parts.append(Message(f"{self.change:+g}{unit}", code, {"change": self.change}))
        if self.years is not None:
            parts.append(Message(f"in {self.years:g} years", "goal_horizon",
                                 {"years": self.years}))
        size = " ".join(parts)
        group = None
        if self.group:
            ages = re.fullmatch(r"\s*(\d+)\s*[-–]\s*(\d+)\s*(?:jaar|j|years?)?\s*", self.group)
            group = (Message(f"ages {ages.group(1)}-{ages.group(2)}", "goal_ages",
                             {"low": ages.group(1), "high": ages.group(2)}) if ages
                     else Message(f"group {self.group}", "goal_group", {"group": self.group}))
        if group is not None and parts:
            return Message(f"{size}, {group}", "goal_size_group",
                           {"parts": parts, "group": group})
        return group if group is not None else Message(size, "goal_size", {"parts": parts})


#: The code and English unit of a goal's change, by the goal's unit.
_CHANGE_WORDS = {"sd": ("goal_change_sd", " SD"), "pp": ("goal_change_pp", " pp"),
                 "%": ("goal_change_relative", "%"), "own": ("goal_change_own", "")}


def _english_only(method: str, lang: str) -> None:
    if lang != "en":
        warnings.warn(f"Goal.{method}({lang!r}) gives English; word a goal in another language "
                      "with factormodel.text.words.goal(goal, lang)", DeprecationWarning,
                      stacklevel=3)


_YEARS = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(j|jr|jaar|y|yr|yrs|year|years)$", re.I)
_CHANGE = re.compile(r"^([+-]?\s*[\d.,]+)\s*(sd|pp|procentpunt(?:en)?|%)?$", re.I)
_GROUP = re.compile(r"^\d+\s*[-–]\s*\d+(\s*(jaar|j|years?))?$", re.I)  # an age range


def parse_goal(text: str) -> Goal:
    """A goal from the command line: ``TARGET[:CHANGE][:YEARS][:GROUP][=PRIORITY]``.

    ``CHANGE`` is a number with a unit: ``sd``, ``pp`` (or ``procentpunt``),
    ``%`` (relative), or none (the indicator's own unit); Dutch decimal commas
    are read. ``YEARS`` is e.g. ``3j``, ``3jaar`` or ``3y``; ``GROUP`` anything
    else (e.g. ``12-18``). ``vsv=2`` is the old ``--outcome vsv=2``.

    Examples
    --------
    >>> parse_goal("schoolverzuim:-2pp:3j")
    Goal(target='schoolverzuim', change=-2.0, unit='pp', years=3.0, group=None, priority=1.0)
    >>> parse_goal("lid_sportvereniging:+5%:3j:10-18")
    Goal(target='lid_sportvereniging', change=5.0, unit='%', years=3.0, group='10-18', priority=1.0)
    >>> parse_goal("vsv=2")
    Goal(target='vsv', change=None, unit='sd', years=None, group=None, priority=2.0)
    >>> parse_goal("vsv:-0,5sd")
    Goal(target='vsv', change=-0.5, unit='sd', years=None, group=None, priority=1.0)
    """
    raw = str(text).strip()
    body, priority = raw, 1.0
    head, sep, tail = raw.rpartition("=")
    if sep:
        priority = parse_number(tail.strip(), what=_goal_part(raw, "priority"),
                                grouping=False)
        body = head
    parts = [p.strip() for p in body.split(":")]
    if not parts[0]:
        raise InvalidParameterError(f"--goal {raw!r}: expected TARGET[:CHANGE][:YEARS][:GROUP]"
                                    "[=PRIORITY], e.g. schoolverzuim:-2pp:3j",
                                    code="goal_syntax", fields={"raw": raw})
    change: float | None = None
    unit, years, group = "sd", None, None
    for part in parts[1:]:
        if not part:
            continue
        m_years, m_change = _YEARS.match(part), _CHANGE.match(part)
        if m_years and years is None:
            years = parse_number(m_years.group(1), what=_goal_part(raw, "years"),
                                 grouping=False)
        elif m_change and change is None and re.search(r"\d", m_change.group(1)) \
                and (m_change.group(1).strip()[0] in "+-" or m_change.group(2)):
            change = parse_number(m_change.group(1).replace(" ", ""),
                                  what=_goal_part(raw, "change"), grouping=False)
            suffix = (m_change.group(2) or "").lower()
            unit = {"sd": "sd", "%": "%", "": "own"}.get(suffix, "pp")
        elif (group is None and part[0] not in "+-" and not re.fullmatch(r"[\d.,\s]+\D*", part)) \
                or (group is None and _GROUP.match(part)):
            group = part  # a word or an age range; a signed or numeric field is a change
        else:
            raise InvalidParameterError(
                f"--goal {raw!r}: cannot read {part!r}; expected a change with a sign and "
                "unit (-2pp, +5%, -0,3sd, -2), a horizon (3j) and a target group (12-18)",
                code="goal_part_unreadable", fields={"raw": raw, "part": part})
    return Goal(parts[0], change, unit=unit, years=years, group=group, priority=priority)


@dataclass(frozen=True)
class ResolvedGoal:
    """A goal tied to the model: its node, indicator, direction and size in SD.

    Attributes
    ----------
    goal : Goal
    node : str
        The node whose change the goal asks for.
    indicator : str
        The indicator the change is stated in (``""`` for a goal in SD on a node).
    sign : int
        +1 if the goal wants the node higher, -1 lower.
    change_sd : float
        The desired change of the node in SD (NaN when the goal gives no size).
    change_units : float
        The desired change in the indicator's own unit (NaN without indicator).
    unit : str
        The indicator's unit (``%`` means percentage points here), or ``SD``.
    assumptions : tuple of str
        What the conversion assumed (e.g. the catalogue's typical level).
    """

    goal: Goal
    node: str
    indicator: str
    sign: int
    change_sd: float
    change_units: float
    unit: str
    assumptions: tuple[str, ...] = ()


def _catalogue(model: FactorModel, indicators: pd.DataFrame | None) -> pd.DataFrame | None:
    if indicators is not None:
        return indicators
    if "indicators" not in model.table_names:
        return None
    from factormodel.analysis.indicators import load_indicators

    return load_indicators(model)


def _find_target(model: FactorModel, goal: Goal, cat: pd.DataFrame | None
                 ) -> tuple[str, str]:
    """(node, indicator or '') named by the goal's target."""
    found: dict[str, str] = {}
    errors: list[Exception] = []
    lexicons = (("node", node_lexicon(model)),
                ("indicator", indicator_lexicon(cat) if cat is not None else None))
    for kind, lex in lexicons:  # exact ids and labels first: fuzzy matching only on a miss
        if lex is None:
            continue
        try:
            hit = lex.find(goal.target)
        except AmbiguousNameError as exc:
            errors.append(exc)
            continue
        if hit is not None:
            found[kind] = hit
    for kind, lex in lexicons if not found and not errors else ():
        if lex is None:
            continue
        try:
            found[kind] = lex.resolve(goal.target)
        except (UnknownNodeError, UnknownIndicatorError, AmbiguousNameError) as exc:
            errors.append(exc)
    if not found:
        ambiguous = [e for e in errors if isinstance(e, AmbiguousNameError)]
        if ambiguous:
            raise ambiguous[0]
        ids = list(model.node_ids) + (list(map(str, cat.index)) if cat is not None else [])
        hint = close_matches(goal.target, ids)
        raise UnknownNodeError(f"goal {goal.target!r} is neither a node nor an indicator of "
                               f"model {model.name!r} (by id or Dutch/English label); {hint}",
                               code="goal_not_in_model",
                               fields={"name": goal.target, "model": model.name, "hint": hint})
    if "indicator" in found:
        ind = found["indicator"]
        node = str(cat.loc[ind, "node"])  # type: ignore[union-attr]
        if "node" in found and found["node"] != node:
            raise AmbiguousNameError(
                f"goal {goal.target!r} names node {found['node']!r} and indicator {ind!r} "
                f"(of node {node!r}); use the id of the one you mean",
                code="goal_node_or_indicator", fields={
                    "name": goal.target, "node": found["node"], "indicator": ind,
                    "of": node})
        if "node" not in found or goal.unit != "sd":
            return node, ind
    return found["node"], ""


def _indicator_of(model: FactorModel, node: str, goal: Goal, cat: pd.DataFrame | None) -> str:
    if cat is None:
        raise InvalidParameterError(f"goal {goal.message()}: a change in {goal.unit} needs "
                                    f"an indicator catalogue; model {model.name!r} has none "
                                    "(give the change in sd)", code="goal_needs_catalogue",
                                    fields={"goal": goal.message(), "unit": goal.unit,
                                            "model": model.name})
    mine = cat[cat["node"] == node]
    if goal.unit == "pp":
        mine = mine[mine["unit"] == "%"]
    if len(mine) == 1:
        return str(mine.index[0])
    if mine.empty:
        pp = goal.unit == "pp"
        raise InvalidParameterError(
            f"goal {goal.message()}: node {node!r} has no {'percentage ' if pp else ''}"
            "indicator in the catalogue; give the change in sd or name an indicator",
            code="goal_node_no_percentage" if pp else "goal_node_no_indicator",
            fields={"goal": goal.message(), "node": node})
    indicators = ", ".join(f"{i} [{u}]" for i, u in mine["unit"].items())
    example = f"{mine.index[0]}:{goal.change:+g}{'pp' if goal.unit == 'pp' else goal.unit}"
    raise AmbiguousNameError(
        f"goal {goal.message()}: node {node!r} has {len(mine)} indicators ({indicators}); "
        f"name the indicator as the goal's target, e.g. {example}",
        code="goal_node_indicators", fields={"goal": goal.message(), "node": node,
                                             "n": len(mine), "indicators": indicators,
                                             "example": example})


def _goal_part(raw: str, part: str) -> Message:
    """A part of a typed goal (``--goal 'vsv=x': priority``), named for a message."""
    return Message(f"--goal {raw!r}: {part}", f"goal_{part}", {"raw": raw})


def resolve_goal(model: FactorModel, goal: Goal | str, *, indicators: pd.DataFrame | None = None,
                 level: float | None = None,
                 levels: Mapping[str, float] | None = None) -> ResolvedGoal:
    """Tie a goal to the model: node, indicator, direction and the change in SD.

    Parameters
    ----------
    goal : Goal or str
        A string is read with :func:`parse_goal`.
    indicators : DataFrame, optional
        Indicator catalogue; by default the model's own.
    level : float, optional
        The indicator's current level (the area's own): a relative (``%``) goal is a
        share of it, and a change converts into SD at it; without it the
        catalogue's ``typical`` level is used and flagged as an assumption.
    levels : mapping indicator -> value, optional
        The area's current levels (:meth:`factormodel.Profile.area_levels`); the
        goal's indicator is looked up in it when ``level`` is not given.

    Examples
    --------
    >>> import factormodel as fm
    >>> m = fm.load_model("rotterdam-jeugd")
    >>> r = resolve_goal(m, "Schoolverzuim:-2pp:3j")
    >>> r.node, r.indicator, r.sign, round(r.change_sd, 3)
    ('schoolverzuim', 'verzuim_meldingen', -1, -0.196)
    """
    if isinstance(goal, str):
        goal = parse_goal(goal)
    if not isinstance(goal, Goal):
        raise InvalidParameterError(f"a goal must be a Goal or a string, got {goal!r}")
    cat = _catalogue(model, indicators)
    node, ind = _find_target(model, goal, cat)
    if goal.unit != "sd" and not ind:
        ind = _indicator_of(model, node, goal, cat)
    if level is None and levels and ind:
        level = levels.get(ind)
    assumptions: list[str] = []
    desired = int(model.desired_sign[node])
    if goal.change is None:
        return ResolvedGoal(goal, node, ind, desired, math.nan, math.nan,
                            "SD" if not ind else str(cat.loc[ind, "unit"]))  # type: ignore
    base = math.nan
    if ind:
        info = cat.loc[ind]  # type: ignore[union-attr]
        unit = str(info["unit"])
        measures = units.Measures.of(cat.loc[[ind]])  # type: ignore[union-attr]
        base = float(info["typical"]) if level is None else float(level)
        if level is None and math.isfinite(base) and (goal.unit == "%" or measures.probit[0]
                                                       or goal.unit == "sd"):
            assumptions.append(Message(
                f"{ind} converted at the catalogue's typical level {base:g} {unit} (an "
                "assumption; give the area's own level)", "converted_at_typical_level",
                {"indicator": ind, "level": base, "unit": unit}))
    if goal.unit == "sd":
        change_sd = goal.change
        change_units = math.nan
        unit = "SD"
        if ind:
            unit = str(info["unit"])
            change_units = float(units.to_units(measures, np.array([change_sd]),
                                                np.array([base]))[0])
    else:
        if goal.unit == "pp" and unit != "%":
            raise InvalidParameterError(f"goal {goal.message()}: percentage points need a "
                                        f"% indicator; {ind!r} is in {unit!r}",
                                        code="goal_pp_needs_percent", fields={
                                            "goal": goal.message(), "indicator": ind,
                                            "unit": unit})
        if not math.isfinite(base) and (goal.unit == "%" or (not measures.bernoulli[0]
                                        and measures.probit[0])):
            raise InvalidParameterError(
                f"goal {goal.message()}: the change needs the current level of {ind!r}; "
                "give level=... (the catalogue has no typical level)",
                code="goal_needs_level", fields={"goal": goal.message(), "indicator": ind})
        change_units = goal.change if goal.unit != "%" else goal.change / 100.0 * base
        change_sd = float(units.change_to_model(measures, np.array([change_units]),
                                                 np.array([base]))[0])
        if not math.isfinite(change_sd):
            raise InvalidParameterError(
                f"goal {goal.message()}: from {base:g} {unit} a change of "
                f"{change_units:+g} would leave the range of {ind!r} (a share lies between "
                "0 and 100 %): the goal is impossible as stated", code="goal_impossible",
                fields={"goal": goal.message(), "level": base, "unit": unit,
                        "change": change_units, "indicator": ind})
    sign = 1 if change_sd > 0 else -1
    if sign != desired:
        assumptions.append(Message(f"the goal moves {node} against its usual desired "
                                   "direction", "goal_against_direction", {"node": node}))
    return ResolvedGoal(goal, node, ind, sign, float(change_sd), float(change_units), unit,
                        tuple(assumptions))


def as_goals(model: FactorModel, goals: Any) -> list[ResolvedGoal]:
    """Any accepted form of goals as resolved goals: a Goal, a list of Goals / strings /
    ids, or ``{id: priority}``.

    Raises
    ------
    InvalidParameterError
        For no goal, a priority that is not above 0, or two goals on one node
        in opposite directions.
    """
    if isinstance(goals, Goal | str):
        goals = [goals]
    if isinstance(goals, Mapping):
        items: list[Goal | str] = []
        for k, v in goals.items():
            try:
                items.append(Goal(str(k), priority=v))
            except InvalidParameterError:
                raise InvalidParameterError(
                    f"priorities must be numbers above 0: {k}={v!r}") from None
    else:
        items = list(goals) if isinstance(goals, Iterable) else [goals]
    if not items:
        raise InvalidParameterError("choose at least one goal (maatschappelijk resultaat)")
    out = [resolve_goal(model, g if isinstance(g, Goal) else Goal(str(g)))
           if isinstance(g, Goal | str) else _bad(g) for g in items]
    seen: dict[str, ResolvedGoal] = {}
    for r in out:
        if r.node in seen and seen[r.node].sign != r.sign:
            raise InvalidParameterError(f"two goals on {r.node!r} ask for opposite directions",
                                        code="goals_opposite", fields={"node": r.node})
        seen[r.node] = r
    return out


def _bad(g: Any) -> ResolvedGoal:
    raise InvalidParameterError(f"a goal must be a Goal, a node/indicator name or "
                                f"{{name: priority}}; got {g!r}")


def goal_weights(model: FactorModel, goals: Any) -> tuple[dict[str, float], dict[str, int]]:
    """``({node: priority}, {node: sign})`` for scoring; goals on one node add priorities."""
    prio: dict[str, float] = {}
    sign: dict[str, int] = {}
    for r in as_goals(model, goals):
        prio[r.node] = prio.get(r.node, 0.0) + float(r.goal.priority)
        sign[r.node] = r.sign
    return prio, sign


# --------------------------------------------------------------------------- inverse


@dataclass(frozen=True)
class RequiredChange(Result):
    """Which change of the chosen factors would reach a goal (:func:`required_change`).

    Attributes
    ----------
    goal : ResolvedGoal
    table : DataFrame
        One row per factor and way (``alone``: only this factor moves;
        ``together``: all chosen factors move by the same number of SD in
        their good direction): ``factor, way, change_sd, indicator, change,
        unit, effect_per_sd`` (SD of the goal's node per SD of the factor),
        ``within_spread`` (False when the change exceeds :data:`PLAUSIBLE_SD`
        standard deviations: far outside the spread between areas, so the goal
        is out of reach by that route).
    assumptions : tuple of str
        The model's assumptions behind the numbers, stated with every answer.
    """

    goal: ResolvedGoal
    table: pd.DataFrame
    assumptions: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the goal, the table and the assumptions."""
        g = self.goal
        return json_safe({"goal": {"target": g.goal.target, "node": g.node,
                                   "indicator": g.indicator, "change_sd": g.change_sd,
                                   "change_units": g.change_units, "unit": g.unit,
                                   "years": g.goal.years, "group": g.goal.group},
                          "table": self.table, "assumptions": list(self.assumptions)})


#: A change of more than this many SD of a factor lies far outside the spread between
#: areas; :func:`required_change` flags it (``within_spread`` False).
PLAUSIBLE_SD = 2.0

ASSUMPTIONS = (
    "linear model: effects add up along paths and scale with the change",
    "every other factor is held where it is",
    "area-level relationships: a change of a wijk's rate, not of any one child",
)


def required_change(model: FactorModel, goal: Goal | str, factors: Sequence[str] | None = None,
                    *, alpha: float = 1.0, indicators: pd.DataFrame | None = None,
                    level: float | None = None, top: int = 3,
                    levels: Mapping[str, float] | None = None) -> RequiredChange:
    """Which change of ``factors`` would reach ``goal``, in their indicators' units.

    For each factor alone: ``change = goal change / effect`` where ``effect`` is
    the change of the goal's node per SD of the factor when the factor is held
    there (:func:`factormodel.propagate`, clamped). Together: every chosen factor
    moves the same number of SD in its good direction; the joint effect is one
    clamped propagation of all of them (paths through another chosen factor are
    then counted once, so together is not the sum of alone).

    Parameters
    ----------
    goal : Goal or str
        Must give a size (``change``).
    factors : list of str, optional
        Factor ids or labels; by default the ``top`` modifiable factors with the
        largest effect on the goal's node.
    level : float, optional
        Current level of the goal's indicator (a relative ``%`` goal, and the level
        a share's change converts at); by default ``levels`` of that indicator.
    levels : mapping indicator -> value, optional
        The area's current levels: each factor's change in its indicators' units
        converts at them (else at the catalogue's typical level, an assumption).

    Raises
    ------
    InvalidParameterError
        A goal without a size, or factors that cannot move the goal (no path).

    Examples
    --------
    >>> import factormodel as fm
    >>> toy = fm.load_model("toy")
    >>> rc = fm.required_change(toy, fm.Goal("vsv_nieuw", -0.2, unit="pp"), ["schoolverzuim"])
    >>> print(rc.to_frame()[["factor", "way", "change_sd", "indicator", "change", "unit"]]
    ...       .to_string())
              factor    way  change_sd          indicator    change               unit
    0  schoolverzuim  alone  -0.068469  verzuim_meldingen -0.773126  percentage points
    1  schoolverzuim  alone  -0.068469  langdurig_verzuim -0.906980           per 1000
    """
    from factormodel.core.propagate import propagate

    r = resolve_goal(model, goal, indicators=indicators, level=level, levels=levels)
    if math.isnan(r.change_sd):
        raise InvalidParameterError(f"goal {r.goal.message()} gives no size; required_change "
                                    "needs a change, e.g. Goal('vsv', -0.5, unit='pp')")
    lex = node_lexicon(model)
    modifiable = model.node_values("modifiable")

    def moved(given: dict[str, float]) -> float:
        """The goal node's predicted change when ``given`` is held (one scenario)."""
        return float(cast(pd.Series, propagate(model, given, alpha=alpha).deltas)[r.node])

    if factors is None:
        ranked = []
        for f in model.factors:
            if f == r.node or not bool(modifiable[f]):
                continue
            e = moved({f: 1.0})
            if abs(e) > 1e-12:
                ranked.append((abs(e), f))
        factors = [f for _, f in sorted(ranked, reverse=True)[:top]]
    else:
        factors = [lex.resolve(f) for f in factors]
    if not factors:
        raise InvalidParameterError(f"no modifiable factor moves {r.node!r}")
    sign = model.desired_sign
    effects = {f: moved({f: 1.0}) for f in factors}
    dead = [f for f, e in effects.items() if abs(e) < 1e-12]
    if dead:
        raise InvalidParameterError(f"{', '.join(dead)} cannot move {r.node!r}: no path in "
                                    f"model {model.name!r}")
    joint = moved({f: float(sign[f]) for f in factors})
    cat = _catalogue(model, indicators)
    rows = []

    def add(f: str, way: str, sd: float, per_sd: float) -> None:
        mine = cat[cat["node"] == f] if cat is not None else pd.DataFrame()
        if cat is None or mine.empty:
            rows.append({"factor": f, "way": way, "change_sd": sd, "indicator": "",
                         "level": np.nan, "change": np.nan, "unit": "",
                         "effect_per_sd": per_sd})
            return
        # each indicator at the area's own level where given (the one conversion)
        at, _ = units.current_levels(cat, mine.index.to_numpy(dtype=object),
                               np.full(len(mine), "", dtype=object), levels=levels)
        change = units.to_units(units.Measures.of(mine), np.full(len(mine), sd), at)
        for k, ind in enumerate(mine.index):
            rows.append({"factor": f, "way": way, "change_sd": sd, "indicator": ind,
                         "level": at[k], "change": change[k],
                         "unit": units.unit_name(mine.loc[ind, "unit"]),
                         "effect_per_sd": per_sd})

    for f in factors:
        add(f, "alone", r.change_sd / effects[f], effects[f])
    if len(factors) > 1:
        if abs(joint) < 1e-12:
            raise InvalidParameterError("the chosen factors' effects cancel out together")
        t = r.change_sd / joint
        for f in factors:
            add(f, "together", t * float(sign[f]), joint)
    notes = [*ASSUMPTIONS, *r.assumptions]
    table = pd.DataFrame(rows)
    table["within_spread"] = table["change_sd"].abs() <= PLAUSIBLE_SD
    if not table["within_spread"].all():
        notes.append(f"a change of more than {PLAUSIBLE_SD:g} SD lies far outside the spread "
                     "between areas: the goal is out of reach by that route alone")
    return RequiredChange(r, table, tuple(notes))


def required_changes(model: FactorModel, goals: Iterable[Goal], *,
                     levels: Mapping[str, float] | None = None, alpha: float = 1.0,
                     indicators: pd.DataFrame | None = None, top: int = 3
                     ) -> list[RequiredChange]:
    """:func:`required_change` for every goal with a size, through its strongest drivers.

    For each goal, the ``top`` modifiable factors with the largest effect on the
    goal's node, each alone and together. The one rule the command line and the
    wijkrapport use. (The factors an area's ranking puts first can move one goal
    only a little -- they are ranked for all goals and for the area's room -- so
    they are not the ones asked to carry a goal.)

    Parameters
    ----------
    goals : iterable of Goal
        Goals without a size are skipped.
    levels : mapping, optional
        The area's current value per indicator id (for relative ``%`` goals).

    Examples
    --------
    >>> import factormodel as fm
    >>> toy = fm.load_model("toy")
    >>> needed = fm.required_changes(toy, [fm.parse_goal("vsv_nieuw:-0.2pp"),
    ...                                    fm.parse_goal("vsv")])
    >>> [(rc.goal.node, len(rc.table)) for rc in needed]
    [('vsv', 8)]
    """
    out = []
    for goal in goals:
        if goal.change is None:
            continue
        out.append(required_change(model, goal, None, alpha=alpha, indicators=indicators,
                                   top=top, levels=levels))
    return out


def goal_phases(goals: Iterable[Any]) -> tuple[str, ...]:
    """The life phases a portfolio for these goals may serve: the union of the goals'
    age groups (:meth:`Goal.phases`) when every goal names one, else none (no limit).

    The one rule the command line, the wijkrapport and the web page use.

    Examples
    --------
    >>> import factormodel as fm
    >>> fm.goal_phases([fm.parse_goal("schoolverzuim:-2pp:3j:12-18")])
    ('12-18',)
    >>> fm.goal_phases([fm.parse_goal("schoolverzuim:-2pp:3j:12-18"), fm.parse_goal("vsv")])
    ()
    """
    from factormodel import vocab

    goals = list(goals)
    found: set[str] = set()
    for goal in goals:
        mine = goal.phases() if isinstance(goal, Goal) else ()
        if not mine:
            return ()
        found |= set(mine)
    return tuple(p for p in vocab.PHASES if p in found)
