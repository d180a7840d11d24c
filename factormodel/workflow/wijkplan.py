"""The wijkplan: what a wijk agreed, saved so that next year can read it back.

Wijkprogrammering's steps five and six (*meten, bespreken, verbeteren*) need a record
of what was decided: the area, the model and the data the plan was made from, each
maatschappelijk resultaat (goal: baseline in the indicator's unit, target, horizon
year, group), each intervention with its partner, units, planned reach, the agreed
outputs and its expected effect per goal at the horizon (with an interval), the
partners' own signals and the assumptions. :class:`Wijkplan` is that record, a frozen
value; :func:`plan_from_portfolio` makes one from :func:`factormodel.analyse`.

File format: JSON, ``{"format": "factormodel-wijkplan", "format_version": 1, ...}``,
validated against the JSON Schema shipped as ``factormodel/schemas/wijkplan.schema.json``
(with ``jsonschema``, a dependency of the package); every violation is listed with its
place in the file. Editing (:meth:`Wijkplan.edit`) returns a new plan whose ``version``
is one higher and whose ``history`` holds the previous versions.

The expected effects are area-level predictions, not effects for individual children.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from importlib import resources
from os import PathLike
from pathlib import Path
from statistics import NormalDist
from typing import Any, cast

import numpy as np
import pandas as pd

from factormodel.analysis.uncertainty import held_effect_draws
from factormodel.core.effects import total_effects
from factormodel.core.model import FactorModel
from factormodel.core.units import Measures, to_units
from factormodel.errors import (
    DataError,
    InvalidParameterError,
    Message,
    ModelFileError,
    ModelValidationError,
    PlanMismatchError,
    Problem,
)
from factormodel.files.folders import load_model, model_hash
from factormodel.tables._json import json_safe
from factormodel.tables._results import Result
from factormodel.tables._safewrite import write_text
from factormodel.workflow.wijkanalyse import WijkAnalysis

__all__ = ["FORMAT", "FORMAT_VERSION", "PlanGoal", "PlanIntervention",
           "Signal", "Wijkplan", "check_plan", "expected_effects", "match_interventions",
           "plan_from_portfolio", "plan_path", "plan_schema"]

def plan_path(path: str | PathLike[str]) -> Path:
    """The file a wijkplan is written to: its name must end in ``.json``, as the plan is
    JSON (a plan written as ``plan.html`` would open as a page of JSON text); the
    wijkrapport (``factormodel wijkanalyse --out rapport.html``) is the plan's page.

    Raises
    ------
    InvalidParameterError
        When the name does not end in ``.json``, naming the file and the fix.

    Examples
    --------
    >>> plan_path("plan.html")
    Traceback (most recent call last):
    ...
    factormodel.errors.InvalidParameterError: a wijkplan is a JSON file: write it to a name
    ending in .json (e.g. plan.json), not 'plan.html'; for a page to read, write the
    wijkrapport (factormodel wijkanalyse --out rapport.html)
    """
    p = Path(path)
    if p.suffix.lower() != ".json":
        raise InvalidParameterError(
            f"a wijkplan is a JSON file: write it to a name ending in .json (e.g. "
            f"{p.stem or 'plan'}.json), not {str(p)!r}; for a page to read, write the "
            "wijkrapport (factormodel wijkanalyse --out rapport.html)",
            code="plan_not_json", fields={"path": str(p), "stem": p.stem or "plan"})
    return p


FORMAT = "factormodel-wijkplan"
FORMAT_VERSION = 1

#: Coverage of the expected-effect intervals (as the wijkanalyse's Monte Carlo).
INTERVAL = 0.9
#: The 97.5% point of the standard normal: an effect size's 95% interval is +- this many SD.
_Z95 = NormalDist().inv_cdf(0.975)


#: The plan's own assumptions, English -> Dutch.
PLAN_ASSUMPTIONS_NL = {
    "expected effects: the portfolio's effect sizes times the share of young people reached, "
    "through the model's total effects; interval: the "
    f"{INTERVAL:.0%} interval of one Monte Carlo that draws the weights and the effect size "
    "(within its interval) together":
        "verwachte effecten: de effectgroottes van het pakket maal het deel van de jongeren "
        "dat bereikt wordt, via de totale effecten van het model; interval: het "
        f"{INTERVAL:.0%}-interval van één Monte Carlo die de gewichten en de effectgrootte "
        "(binnen haar interval) samen trekt",
    "area-level predictions, not effects for individual children":
        "voorspellingen op wijkniveau, geen effecten voor individuele kinderen",
}


@dataclass(frozen=True)
class PlanGoal:
    """One maatschappelijk resultaat of a plan.

    ``baseline`` is the area's value in the indicator's own unit (``unit``) in the
    plan's data year, ``reference_baseline`` the reference's (the city's) value then,
    ``target`` the value aimed for in ``horizon`` (NaN: no size chosen), ``comparison``
    the baseline of the other areas at the same level (``(area, value)`` pairs), so that
    next year's evaluation can compare the area's change with theirs.
    """

    id: str
    node: str
    indicator: str
    unit: str
    baseline: float
    reference_baseline: float
    target: float
    horizon: int
    group: str = ""
    label_nl: str = ""
    comparison: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Effect:
    """The expected change of one goal at the plan's horizon from one intervention, in
    the goal indicator's unit, with its interval (``low`` <= ``expected`` <= ``high``)."""

    goal: str
    expected: float
    low: float
    high: float


@dataclass(frozen=True)
class PlanIntervention:
    """One chosen intervention: who carries it out, how much, and what was agreed.

    ``participants`` is the agreed number of young people reached over the plan,
    ``completion_rate`` the agreed share that completes (NaN: not agreed yet).
    """

    id: str
    name: str
    partner: str
    units: float
    participants: float
    completion_rate: float
    targets: tuple[str, ...]
    effect_evidence: str
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Signal:
    """What a partner sees in the wijk that the figures do not show, about a factor or
    goal (``about``: a node id). ``sees`` is ``better``, ``worse`` or '' (not said)."""

    partner: str
    about: str
    text: str
    sees: str = ""


@dataclass(frozen=True)
class Wijkplan(Result):
    """A saved wijkplan (see the module docstring).

    Examples
    --------
    >>> import factormodel as fm
    >>> a = fm.analyse("rotterdam-jeugd", fm.load_example_data(), "Oud-Crooswijk",
    ...                ["schoolverzuim:-2pp:3j:12-18"], budget=250_000,
    ...                options=fm.Options(n_draws=50, year=2021))
    >>> plan = fm.plan_from_portfolio(a, author="A. Adviseur", date="2021-11-01")
    >>> plan.goals[0].indicator, plan.goals[0].horizon
    ('verzuim_meldingen', 2024)
    >>> plan2 = plan.edit(author="B. Adviseur")
    >>> plan2.version, plan2.history[0].author
    (2, 'A. Adviseur')
    """

    area: str
    level: str
    reference: str
    model_name: str
    model_version: str
    model_hash: str
    data_file: str
    data_sha256: str
    data_year: int
    synthetic: bool
    goals: tuple[PlanGoal, ...]
    interventions: tuple[PlanIntervention, ...]
    signals: tuple[Signal, ...] = ()
    assumptions: tuple[str, ...] = ()
    author: str = ""
    date: str = ""
    version: int = 1
    history: tuple[Wijkplan, ...] = field(default=(), repr=False)

    # -- editing
    def edit(self, **changes: Any) -> Wijkplan:
        """A new plan with ``changes``, its ``version`` one higher and this plan (without
        its own history) appended to ``history``."""
        known = {f.name for f in fields(self)} - {"version", "history"}
        bad = sorted(set(changes) - known)
        if bad:
            raise InvalidParameterError(f"cannot edit {', '.join(bad)} of a wijkplan; "
                                        f"editable: {', '.join(sorted(known))}")
        for key in ("goals", "interventions", "signals", "assumptions"):
            if key in changes:
                changes[key] = tuple(changes[key])
        return replace(self, **changes, version=self.version + 1,
                       history=(*self.history, replace(self, history=())))

    def goal(self, goal_id: str) -> PlanGoal:
        for g in self.goals:
            if g.id == goal_id:
                return g
        raise InvalidParameterError(f"goal {goal_id!r} is not in the plan; its goals: "
                                    f"{', '.join(g.id for g in self.goals)}")

    @property
    def intervention_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.interventions)

    @property
    def horizon(self) -> int:
        """The last horizon year of the plan's goals."""
        return max((g.horizon for g in self.goals), default=self.data_year)

    # -- file form
    def to_dict(self) -> dict[str, Any]:
        """The plan's JSON document (the file format, see :func:`plan_schema`)."""
        return json_safe(_document(self))

    def to_frame(self) -> pd.DataFrame:
        """One row per intervention and goal: partner, participants, expected effect."""
        rows = [{"intervention": i.id, "name": i.name, "partner": i.partner,
                 "units": i.units, "participants": i.participants,
                 "completion_rate": i.completion_rate, "goal": e.goal,
                 "expected": e.expected, "low": e.low, "high": e.high}
                for i in self.interventions for e in (i.effects or (Effect("", *[math.nan] * 3),))]
        return pd.DataFrame(rows)

    def write(self, path: str | PathLike[str]) -> Path:
        """Write the plan as JSON (atomically) to a ``.json`` file (:func:`plan_path`)."""
        plan_path(path)
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1, allow_nan=False)
        write_text(path, text + "\n")
        return Path(path)

    @classmethod
    def read(cls, path: str | PathLike[str]) -> Wijkplan:
        """Read a plan file; every problem is listed with its place in the file."""
        p = Path(path)
        try:
            text = p.read_text("utf-8")
        except FileNotFoundError:
            raise ModelFileError(f"{p}: no such file", code="no_such_file",
                                 fields={"path": str(p)}) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelFileError(f"{p}: cannot read the wijkplan ({exc})") from None
        try:
            doc = json.loads(text, parse_int=_json_int, parse_constant=_no_constant)
        except ValueError as exc:
            if not isinstance(exc, json.JSONDecodeError):
                raise ModelFileError(f"{p}: {exc}") from None
            raise ModelFileError(f"{p} line {exc.lineno}, column {exc.colno}: not valid "
                                 f"JSON ({exc.msg})") from None
        except RecursionError:
            raise ModelFileError(f"{p}: JSON nested too deeply to be a wijkplan") from None
        return cls.from_dict(doc, source=str(p))

    @classmethod
    def from_dict(cls, doc: Any, *, source: str = "wijkplan") -> Wijkplan:
        """A plan from its JSON document (validated against the schema)."""
        if _depth(doc) > MAX_DEPTH:  # before any recursive walk (schema, finite check)
            raise ModelValidationError(
                [Problem(source, f"nested more than {MAX_DEPTH} levels deep; a wijkplan "
                         "document is a few levels deep")], source=source)
        problems = schema_problems(doc, source)
        if problems:
            raise ModelValidationError(problems, source=source)
        return _plan(doc)


# --------------------------------------------------------------------------- file form

MAX_DEPTH = 32  # a plan document is about 5 levels deep


def _depth(doc: Any) -> int:
    """The nesting depth of a JSON document, walked without recursion."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if d > MAX_DEPTH:
            break
        if isinstance(node, dict):
            stack.extend((v, d + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, d + 1) for v in node)
    return deepest



def _document(plan: Wijkplan, with_history: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "version": plan.version,
        "area": plan.area, "level": plan.level, "reference": plan.reference,
        "model": {"name": plan.model_name, "version": plan.model_version,
                  "hash": plan.model_hash},
        "data": {"file": plan.data_file, "sha256": plan.data_sha256, "year": plan.data_year,
                 "synthetic": plan.synthetic},
        "goals": [{**{k: v for k, v in asdict(g).items() if k != "comparison"},
                   "comparison": [{"area": a, "value": v} for a, v in g.comparison]}
                  for g in plan.goals],
        "interventions": [{**{k: v for k, v in asdict(i).items()
                              if k not in ("targets", "effects")},
                           "targets": list(i.targets),
                           "effects": [asdict(e) for e in i.effects]}
                          for i in plan.interventions],
        "signals": [asdict(s) for s in plan.signals],
        "assumptions": list(plan.assumptions), "author": plan.author, "date": plan.date}
    if any(isinstance(a, Message) for a in plan.assumptions):  # their codes, for the Dutch
        doc["assumption_codes"] = [a.to_doc() if isinstance(a, Message) else None
                                   for a in plan.assumptions]
    if with_history:
        doc["history"] = [_document(h, with_history=False) for h in plan.history]
    return doc


def _json_int(literal: str) -> int | float:
    """A JSON integer; one too large for a float becomes inf (then refused as not finite)."""
    return int(literal) if len(literal) < 300 else float(literal)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows; write a finite number or null")


def _nonfinite(doc: Any, path: str = "") -> list[str]:
    """The places of every infinite or NaN number in a JSON document."""
    if isinstance(doc, float) and not math.isfinite(doc):
        return [path]
    if isinstance(doc, int) and not isinstance(doc, bool) and abs(doc) >= 2 ** 1023:
        return [path]
    if isinstance(doc, dict):
        return [p for k, v in doc.items() for p in _nonfinite(v, f"{path}.{k}".lstrip("."))]
    if isinstance(doc, list):
        return [p for i, v in enumerate(doc) for p in _nonfinite(v, f"{path}[{i}]")]
    return []


def _num(x: Any) -> float:
    return math.nan if x is None else float(x)


def _assumptions(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """A plan's assumptions, coded ones as :class:`~factormodel.errors.Message` again."""
    texts = list(doc.get("assumptions", []))
    codes = list(doc.get("assumption_codes", [])) or [None] * len(texts)
    return tuple(Message.from_doc(c) if c is not None and c.get("text") == t else t
                 for t, c in zip(texts, codes + [None] * (len(texts) - len(codes)),
                                 strict=False))


def _plan(doc: Mapping[str, Any]) -> Wijkplan:
    goals = tuple(PlanGoal(
        id=g["id"], node=g["node"], indicator=g["indicator"], unit=g["unit"],
        baseline=_num(g["baseline"]), reference_baseline=_num(g["reference_baseline"]),
        target=_num(g["target"]), horizon=int(g["horizon"]), group=g.get("group", ""),
        label_nl=g.get("label_nl", ""),
        comparison=tuple((c["area"], _num(c["value"])) for c in g.get("comparison", [])))
        for g in doc["goals"])
    ivs = tuple(PlanIntervention(
        id=i["id"], name=i["name"], partner=i["partner"], units=float(i["units"]),
        participants=_num(i["participants"]), completion_rate=_num(i["completion_rate"]),
        targets=tuple(i["targets"]), effect_evidence=i["effect_evidence"],
        effects=tuple(Effect(e["goal"], _num(e["expected"]), _num(e["low"]), _num(e["high"]))
                      for e in i["effects"]))
        for i in doc["interventions"])
    return Wijkplan(
        area=doc["area"], level=doc["level"], reference=doc["reference"],
        model_name=doc["model"]["name"], model_version=doc["model"]["version"],
        model_hash=doc["model"]["hash"], data_file=doc["data"]["file"],
        data_sha256=doc["data"]["sha256"], data_year=int(doc["data"]["year"]),
        synthetic=bool(doc["data"]["synthetic"]), goals=goals, interventions=ivs,
        signals=tuple(Signal(**s) for s in doc.get("signals", [])),
        assumptions=_assumptions(doc), author=doc.get("author", ""),
        date=doc.get("date", ""), version=int(doc["version"]),
        history=tuple(_plan(h) for h in doc.get("history", [])))


@functools.cache
def _schema_text() -> str:
    return (resources.files("factormodel") / "schemas" / "wijkplan.schema.json").read_text(
        "utf-8")


def plan_schema() -> dict[str, Any]:
    """The JSON Schema of a wijkplan file.

    Examples
    --------
    >>> import factormodel as fm
    >>> fm.plan_schema()["properties"]["format"]
    {'const': 'factormodel-wijkplan'}
    """
    return json.loads(_schema_text())


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(_schema_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_problems(doc: Any, where: str) -> list[Problem]:
    """Every JSON Schema violation of a plan document, each with its place
    (``plan.json: goals[0].baseline``), plus the checks a schema cannot say (goal ids
    named by effects exist, ids are unique)."""
    out = [Problem(f"{where}: {p}" if p else where, "must be a finite number")
           for p in _nonfinite(doc)]
    for err in sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.path))):
        shown = "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                        for p in err.absolute_path).lstrip(".")
        out.append(Problem(f"{where}: {shown}" if shown else where, err.message))
    if out:
        return out
    goal_ids = [g["id"] for g in doc["goals"]]
    for what, ids in (("goals", goal_ids), ("interventions",
                                             [i["id"] for i in doc["interventions"]])):
        seen: set[str] = set()
        for k, i in enumerate(ids):
            if i in seen:
                out.append(Problem(f"{where}: {what}[{k}].id", f"id {i!r} appears twice"))
            seen.add(i)
    for k, iv in enumerate(doc["interventions"]):
        for j, e in enumerate(iv["effects"]):
            if e["goal"] not in goal_ids:
                out.append(Problem(f"{where}: interventions[{k}].effects[{j}].goal",
                                   f"goal {e['goal']!r} is not one of the plan's goals "
                                   f"({', '.join(goal_ids)})"))
            elif not e["low"] <= e["expected"] <= e["high"]:
                out.append(Problem(f"{where}: interventions[{k}].effects[{j}]",
                                   "expected effect must lie within its interval "
                                   "(low <= expected <= high)"))
    return out


# --------------------------------------------------------------------------- making a plan


def data_digest(data: Any) -> tuple[str, str]:
    """``(file name, sha256)`` of the data a plan is made from: the file's bytes, or
    for a table its CSV text (file name '')."""
    if isinstance(data, str | PathLike) and Path(data).is_file():
        return Path(data).name, hashlib.sha256(Path(data).read_bytes()).hexdigest()
    if isinstance(data, pd.DataFrame):
        text = data.to_csv(index=False)
        return "", hashlib.sha256(text.encode("utf-8")).hexdigest()
    return "", ""


def expected_effects(model: FactorModel, factor_changes: pd.DataFrame,
                     goals: Mapping[str, tuple[str, pd.DataFrame, float]], *,
                     n_draws: int = 200, seed: int = 0) -> dict[str, dict[str, Effect]]:
    """Expected change of each goal from each intervention, with an interval.

    Parameters
    ----------
    factor_changes : DataFrame
        Columns ``intervention, factor, effect, low, high``: the change of one factor an
        intervention brings (SD between individuals, reach applied) at its effect size
        and at both ends of the effect size's 95% interval.
    goals : mapping goal id -> (node, one-row indicator catalogue, baseline level)

    Returns
    -------
    dict intervention -> goal -> Effect
        In the goal indicator's unit, converted at the baseline level. Each factor change
        is a shock carried by the model's total effects (one factor clamped at a time,
        which equals the shock where no feedback loop runs through it); an intervention's
        changes of several factors add up. The interval is the :data:`INTERVAL` interval of
        one joint Monte Carlo: in each draw the weights (:func:`held_effect_draws`) and the
        intervention's effect size (a split normal whose 2.5% and 97.5% points are the ends
        of its interval; one draw per intervention for all its factors: an intervention
        that works better, works better on each of them), the factor changes summed in the
        draw. Not the sum of the factors' separate intervals at the worst end of the effect
        size, which for SWPBS (three factors) was about three times as wide.
    """
    nodes = sorted({n for n, _, _ in goals.values()})
    factors = list(dict.fromkeys(factor_changes["factor"].astype(str)))
    held, valid = held_effect_draws(model, factors, nodes, n_draws=n_draws, seed=seed)
    held = held[valid]
    own = total_effects(model, targets=list(dict.fromkeys([*nodes, *factors])))
    self_effect = np.diag(own.loc[factors, factors].to_numpy(dtype=float))
    # factors x nodes with the model's own weights, each factor held (T[f, o] / T[f, f])
    central = own.loc[factors, nodes].to_numpy(dtype=float) / self_effect[:, None]
    which = np.array([factors.index(str(f)) for f in factor_changes["factor"]], dtype=int)
    effect, low, high = (factor_changes[c].to_numpy(dtype=float) for c in
                         ("effect", "low", "high"))
    ivs = list(dict.fromkeys(factor_changes["intervention"]))
    # effect sizes: their own stream of the seed, one standard normal per intervention
    z = np.random.default_rng([seed, 1]).standard_normal((n_draws, len(ivs)))[valid]
    z = z[:, [ivs.index(i) for i in factor_changes["intervention"]]]  # draws x rows
    size = effect + np.where(z > 0, z * (high - effect), z * (effect - low)) / _Z95
    q = [(1 - INTERVAL) / 2, (1 + INTERVAL) / 2]
    out: dict[str, dict[str, Effect]] = {}
    for iv in ivs:
        ks = np.flatnonzero((factor_changes["intervention"] == iv).to_numpy())
        out[iv] = {}
        for gid, (node, cat, level) in goals.items():
            j = nodes.index(node)
            cen = float(effect[ks] @ central[which[ks], j])
            draws = (size[:, ks] * held[:, which[ks], j]).sum(axis=1)
            lo, hi = (np.quantile(draws, q, method="closest_observation") if len(draws)
                      else (math.nan, math.nan))
            vals = to_units(Measures.of(cat.loc[[cat.index[0]] * 3]),
                            np.array([cen, lo, hi]), np.full(3, level))
            e = float(vals[0])
            out[iv][gid] = Effect(gid, e, float(min(np.nanmin(vals), e)),
                                  float(max(np.nanmax(vals), e)))
    return out


def plan_from_portfolio(analysis: WijkAnalysis, *, goals: Iterable[str] | None = None,
                        partners: Mapping[str, str] | None = None,
                        completion: Mapping[str, float] | None = None,
                        signals: Iterable[Signal | Mapping[str, str]] = (),
                        data: Any = None, author: str = "", date: str | None = None,
                        n_draws: int | None = None) -> Wijkplan:
    """A wijkplan from a wijk analysis with a portfolio (:func:`factormodel.analyse`
    with ``budget=``).

    Parameters
    ----------
    analysis : WijkAnalysis
    goals : ids, optional
        Which of the analysis' goals (their ``target`` as given) the plan keeps;
        default all that have an indicator.
    partners : mapping intervention id -> partner, optional
        Who carries each intervention out; an intervention without one reads
        ``nog af te spreken`` (to be agreed).
    completion : mapping intervention id -> share, optional
        The agreed completion rate (0-1); NaN where not agreed.
    signals : Signal or mappings (``partner, about, text, sees``)
    data : path or DataFrame, optional
        The data the analysis was made from, for its name and SHA-256 in the plan.
    author, date : str
        ``date`` defaults to today (ISO).
    n_draws : int, optional
        Weight draws for the effect intervals (default the analysis' own).
    """
    if not isinstance(analysis, WijkAnalysis):
        raise InvalidParameterError("plan_from_portfolio needs a WijkAnalysis "
                                    "(fm.analyse(..., budget=...)), got "
                                    f"{type(analysis).__name__}")
    port = analysis.portfolio
    if port is None:
        raise InvalidParameterError("the analysis has no portfolio: give analyse a budget= "
                                    "to choose interventions for the plan")
    model, prof, area = analysis.model, analysis.profile, analysis.area
    cat = prof.indicators
    if cat is None:
        raise DataError("the analysis has no indicator catalogue: a plan needs the goals' "
                        "indicators")
    levels = prof.area_levels(area)
    wanted = None if goals is None else [str(g) for g in goals]
    plan_goals: list[PlanGoal] = []
    for r in analysis.resolved.itertuples():
        # the rows of analyse(): target, node and indicator ('' without one) are str
        node, named = str(r.node), str(r.indicator)
        if wanted is not None and r.target not in wanted:
            continue
        ind = named or _first_indicator(cat, node, levels)
        if not ind:
            continue
        level = levels.get(ind, math.nan)
        ref = (float(cast(float, prof.references.loc[area, ind])) if ind in prof.references
               else math.nan)
        horizon = cast("float | None", r.years)  # Goal.years: None or NaN when not given
        years = 3 if horizon is None or pd.isna(horizon) else int(horizon)
        change = cast(float, r.change_units) if named else math.nan
        group = cast("str | None", r.group)
        others = prof.values[ind].drop(index=area, errors="ignore").dropna()
        plan_goals.append(PlanGoal(
            id=str(r.target), node=node, indicator=ind, unit=str(cat.loc[ind, "unit"]),
            baseline=float(level), reference_baseline=ref,
            target=float(level + change) if not pd.isna(change) else math.nan,
            horizon=int(cast(int, prof.year)) + years,
            group="" if pd.isna(group) else str(group),
            label_nl=str(cat.loc[ind, "label_nl"]),
            comparison=tuple((str(a), float(v)) for a, v in others.items())))
    if wanted is not None:
        missing = sorted(set(wanted) - {g.id for g in plan_goals})
        if missing:
            raise InvalidParameterError(f"goal(s) {', '.join(missing)} are not goals of the "
                                        "analysis with a measured indicator; its goals: "
                                        f"{', '.join(map(str, analysis.resolved['target']))}")
    if not plan_goals:
        raise DataError(f"none of the goals has an indicator measured in {area}: a plan "
                        "needs goals it can measure")
    ivs = cast(pd.DataFrame, analysis.interventions)  # the portfolio was chosen from them
    population = float(port.young_people.number) if port.young_people else \
        float(analysis.population or 0)
    rows = []
    for ch in port.chosen.itertuples():
        part = ivs[ivs["intervention"] == ch.intervention]
        cover = min(1.0, float(part["reach_per_unit"].iloc[0]) / population)
        for t in part.itertuples():
            # the catalogue's rows: the target factor's id, effects as floats (NaN: none)
            factor, effect = cast(str, t.target), cast(float, t.effect)
            # towards the factor's desired side, as the portfolio counts it
            scale = cover * float(cast(float, ch.units)) * float(model.desired_sign.loc[factor])
            ends = [effect if pd.isna(x) else cast(float, x)
                    for x in (t.effect_low, t.effect_high)]
            rows.append({"intervention": ch.intervention, "factor": factor,
                         "effect": effect * scale, "low": ends[0] * scale,
                         "high": ends[1] * scale})
    frame = pd.DataFrame(rows, columns=["intervention", "factor", "effect", "low", "high"])
    goal_cat = {g.id: (g.node, cat.loc[[g.indicator]], g.baseline) for g in plan_goals}
    effects = expected_effects(model, frame, goal_cat, n_draws=n_draws or
                               analysis.options.n_draws, seed=analysis.options.seed) \
        if len(frame) else {}
    chosen = dict(zip(map(str, port.chosen["intervention"]), map(str, port.chosen["name"]),
                      strict=True))
    completion = match_interventions(completion or {}, chosen)
    partners = match_interventions(partners or {}, chosen)
    plan_ivs = []
    for ch in port.chosen.itertuples():
        iv_id = cast(str, ch.intervention)  # the catalogue's ids (joined as str above)
        plan_ivs.append(PlanIntervention(
            id=iv_id, name=str(ch.name), partner=partners.get(iv_id, "nog af te spreken"),
            units=float(cast(float, ch.units)), participants=float(cast(float, ch.reach)),
            completion_rate=float(completion.get(iv_id, math.nan)),
            targets=tuple(t.strip() for t in str(ch.targets).split(",")),
            effect_evidence=str(ch.effect_evidence),
            effects=tuple(effects.get(iv_id, {}).values())))
    file, sha = data_digest(data)
    sigs = tuple(s if isinstance(s, Signal) else Signal(**s) for s in signals)
    assumptions = (*prof.assumptions, *PLAN_ASSUMPTIONS_NL)
    return Wijkplan(
        area=area, level=str(prof.level), reference=str(prof.reference),
        model_name=model.name, model_version=str(model.metadata.version),
        model_hash=model_hash(model), data_file=file, data_sha256=sha,
        data_year=int(cast(int, prof.year)), synthetic=bool(prof.synthetic),
        goals=tuple(plan_goals), interventions=tuple(plan_ivs), signals=sigs,
        assumptions=tuple(assumptions), author=author,
        date=date or _dt.date.today().isoformat())


def match_interventions(given: Mapping[str, Any], chosen: Mapping[str, str]) -> dict[str, Any]:
    """``given`` (partners, completion rates) keyed by the chosen interventions' ids; a key
    may be an id or a name in any letter case, or a name's part before `` (`` (``SWPBS``
    for ``SWPBS (Schoolwide Positive Behavior Support)``).

    Raises
    ------
    InvalidParameterError
        Naming the keys that are no chosen intervention and the chosen ones by name.
    """
    keys: dict[str, str] = {}
    for iv, name in chosen.items():
        for key in (name.split(" (")[0], name, iv):  # an id wins over a name
            keys[key.strip().casefold()] = iv
    out: dict[str, Any] = {}
    unknown: list[str] = []
    for key, value in given.items():
        hit = keys.get(str(key).strip().casefold())
        if hit is None:
            unknown.append(str(key))
        else:
            out[hit] = value
    if unknown:
        names = ", ".join(map(repr, unknown))
        listed_ = "; ".join(f"{name} ({iv})" for iv, name in chosen.items())
        raise InvalidParameterError(
            f"intervention(s) {names} are not in the portfolio; give a chosen one by its name "
            f"or id: {listed_}", code="plan_unknown_interventions",
            fields={"names": names, "chosen": listed_})
    return out


def _first_indicator(cat: pd.DataFrame, node: str, levels: Mapping[str, float]) -> str:
    """The node's first catalogue indicator measured in the area ('' without one)."""
    for ind in cat.index[cat["node"] == node]:
        if not pd.isna(levels.get(ind, math.nan)):
            return str(ind)
    return ""


# --------------------------------------------------------------------------- checks


def check_plan(plan: Wijkplan, model: FactorModel | None = None, *,
               data: Any = None) -> FactorModel:
    """The plan's model, after checking that it is the model (and, with ``data``, the
    data file) the plan was made from.

    Raises
    ------
    PlanMismatchError
        Saying what changed (version, content) and what it means.
    """
    if model is None:
        model = load_model(plan.model_name)
    problems: list[Message] = []

    def mismatch(code: str, template: str, **fields: object) -> None:
        problems.append(Message(template.format(**fields), code, fields))

    if model.name != plan.model_name:
        mismatch("plan_other_model", "the plan was made with model {plan_model!r}, not "
                 "{model!r}", plan_model=plan.model_name, model=model.name)
    elif str(model.metadata.version) != plan.model_version:
        mismatch("plan_other_version", "the plan was made with version {plan_version} of "
                 "model {model!r}; this is version {version}: the expected effects were "
                 "computed with other weights", plan_version=plan.model_version,
                 model=plan.model_name, version=str(model.metadata.version))
    elif model_hash(model) != plan.model_hash:
        mismatch("plan_model_changed", "model {model!r} {version} has changed since the plan "
                 "was made (its content hash differs): the expected effects were computed "
                 "with other weights", model=plan.model_name, version=plan.model_version)
    if data is not None:
        file, sha = data_digest(data)
        if plan.data_sha256 and sha and sha != plan.data_sha256:
            mismatch("plan_other_data", "the data file {file} differs from the one the plan "
                     "was made from ({plan_file}, sha256 {sha}…): the baselines may not be "
                     "these figures", file=file or "(table)",
                     plan_file=plan.data_file or "(table)", sha=plan.data_sha256[:12])
    if problems:
        raise PlanMismatchError("; ".join(problems) + ". Make a new plan with this model "
                                "and data, or use the ones the plan was made with.",
                                code="plan_mismatch", fields={"items": problems})
    return model


def example_plan() -> Wijkplan:
    """A small hand-made plan for Oud-Crooswijk with the rotterdam-jeugd model, for
    documentation and tests: its figures are SYNTHETIC (taken from the example data's
    style, not measured), its expected effects are illustrations.

    Examples
    --------
    >>> from factormodel.workflow.wijkplan import example_plan
    >>> p = example_plan()
    >>> p.intervention_ids, p.horizon, p.synthetic
    (('swpbs', 'schoolweigering_behandeling'), 2024, True)
    """
    model = load_model("rotterdam-jeugd")
    goal = PlanGoal(id="schoolverzuim", node="schoolverzuim", indicator="verzuim_meldingen",
                    unit="%", baseline=7.2, reference_baseline=5.0, target=5.2, horizon=2024,
                    group="12-18", label_nl="% leerplichtigen met een verzuimmelding")
    ivs = (PlanIntervention("swpbs", "SWPBS (Schoolwide Positive Behavior Support)",
                            "CJG Rijnmond", 6.0, 1800.0, 0.8,
                            ("antisociaal_gedrag", "schoolklimaat"), "stated default",
                            (Effect("schoolverzuim", -0.17, -0.5, 0.1),)),
           PlanIntervention("schoolweigering_behandeling",
                            "Psychosociale behandeling bij schoolweigering", "Jeugdzorg",
                            48.0, 48.0, math.nan, ("schoolverzuim",),
                            "published with interval",
                            (Effect("schoolverzuim", -0.08, -0.13, -0.03),)))
    return Wijkplan(area="Oud-Crooswijk", level="wijk", reference="city",
                    model_name=model.name, model_version=str(model.metadata.version),
                    model_hash=model_hash(model), data_file="", data_sha256="",
                    data_year=2021, synthetic=True, goals=(goal,), interventions=ivs,
                    assumptions=("SYNTHETIC example plan",), author="voorbeeld",
                    date="2021-11-01")
