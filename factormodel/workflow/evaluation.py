"""Evaluation of a wijkplan (Wijkprogrammering step 6, *bespreken en verbeteren*).

:func:`evaluate_plan` reads next year's data against a saved :class:`~factormodel.Wijkplan`
and the partners' progress (:func:`factormodel.read_progress`):

* per goal: baseline → observed now → target, in the indicator's unit;
* **the change the plan expected by now given the reach actually delivered**: each
  intervention's expected effect at the horizon times the share of its agreed
  participants reached (at most 1: more participants than agreed are not assumed to
  bring more than the plan computed) times the elapsed share of the goal's horizon
  (``(year − data year) / (horizon − data year)``). This assumes effects build up
  linearly over the years and in proportion to reach; the interval is the plan's
  interval scaled the same way;
* **difference in differences**: the area's change minus the mean change of the other
  areas at the same level over the same years (the change without this plan), both on
  the model's scale (SD between individuals, the probit of a share:
  :func:`factormodel.units.to_model`), where a common trend is the same for areas at
  different levels, and converted back to the indicator's unit at the area's baseline.
  The other areas are used rather than the city's own figure because the city's share is
  a mean of the areas' shares, whose probit does not move with theirs. The city's change
  is shown beside it (``reference_change``). The interval is a prediction interval from
  the other areas' spread (what an area changes without this plan), so a change smaller
  than ordinary year-to-year movement is not read as an effect;
* a **verdict** that never claims more than the intervals allow: ``achter`` when the
  delivery lags (less than half the participants expected by now) or the change is
  clearly below the least the plan expected; ``voor`` when it is clearly above the most;
  ``op koers`` when the change lies within the plan's interval and is clearly an
  improvement; ``niet te zeggen`` otherwise (too few comparison areas, an expected
  change smaller than the figures can show); ``niet te meten`` when the new data lack
  the goal's indicator (never a zero);
* per intervention: delivered against agreed, completion, drop-out reasons;
* points **te bespreken**: an intervention far behind its reach, completion far below
  the agreement, a goal moving the wrong way, a partner's signal that contradicts the
  figures.

Area-level results, not effects for individual children.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, cast

import numpy as np
import pandas as pd

from factormodel.analysis.indicators import profile
from factormodel.core.model import FactorModel
from factormodel.core.units import Measures, to_model, to_units
from factormodel.errors import DataError
from factormodel.tables._json import json_safe
from factormodel.tables._results import Result
from factormodel.text import numbers as fmt
from factormodel.workflow.progress import Progress, read_progress
from factormodel.workflow.wijkplan import INTERVAL, Wijkplan, check_plan

__all__ = ["BEHIND", "MIN_COMPARISON", "VERDICTS", "PlanEvaluation", "evaluate_plan"]

#: verdict -> English
VERDICTS = {"op koers": "on track", "achter": "behind", "voor": "ahead",
            "niet te zeggen": "cannot tell", "niet te meten": "cannot be measured"}
#: An intervention that reached less than this share of the participants expected by
#: now is behind (a point to discuss; for its goals the verdict is ``achter``).
BEHIND = 0.5
#: Fewer comparison areas than this: no interval for the difference in differences.
MIN_COMPARISON = 5
#: Completion this far (share) below the agreed rate is a point to discuss.
COMPLETION_GAP = 0.10
#: Spreads below this (SD between individuals) are treated as this: exact synthetic data
#: have none, and a rounding error must not read as a measured change.
TOLERANCE = 1e-6


#: The evaluation's assumptions, English -> Dutch (the first only without progress).
ASSUMPTIONS_NL = {
    "no progress given: delivery assumed as agreed":
        "geen voortgang opgegeven: aangenomen dat is geleverd zoals afgesproken",
    "expected change by now = expected effect at the horizon × share of the agreed "
    "participants reached (at most 1) × elapsed share of the horizon (effects assumed to "
    "build up linearly and in proportion to reach)":
        "verwachte verandering nu = verwacht effect op de horizon × deel van de afgesproken "
        "deelnemers dat bereikt is (hoogstens 1) × verstreken deel van de looptijd (aangenomen "
        "dat effecten gelijkmatig en naar rato van het bereik opbouwen)",
    "difference in differences against the mean change of the other areas at the same "
    "level, on the model's scale (probit of shares), converted to the indicator's unit at "
    f"the baseline; its {INTERVAL:.0%} interval from the spread of their changes":
        "verschil in verschillen tegenover de gemiddelde verandering van de andere wijken op "
        "hetzelfde niveau, op de schaal van het model (probit van aandelen), omgerekend naar "
        f"de eenheid van de indicator bij de beginwaarde; het {INTERVAL:.0%}-interval uit de "
        "spreiding van hun veranderingen",
    "area-level results, not effects for individual children":
        "uitkomsten op wijkniveau, geen effecten voor individuele kinderen",
}


@dataclass(frozen=True)
class PlanEvaluation(Result):
    """What happened against what the plan expected (:func:`evaluate_plan`).

    Attributes
    ----------
    plan : Wijkplan
    year : int
        The year of the new data.
    goals : DataFrame
        Per goal: ``goal, indicator, label_nl, unit, baseline, now, target, change,
        reference_change, did, did_low, did_high, expected, expected_low, expected_high,
        planned, planned_low, planned_high (as agreed, by now), elapsed, delivered_share,
        n_comparison, verdict, verdict_en, reason``.
    interventions : DataFrame
        Per intervention: ``intervention, name, partner, participants, expected_by_now,
        reached, delivered_share, completed, completion, completion_agreed, dropped_out,
        reasons, units, units_agreed``.
    discuss : list of dict
        Points to discuss: ``kind, about, nl, en``.
    assumptions, assumptions_nl : tuple of str
        In English and in Dutch.
    synthetic : bool
    """

    plan: Wijkplan
    year: int
    goals: pd.DataFrame
    interventions: pd.DataFrame
    discuss: list[dict[str, str]]
    assumptions: tuple[str, ...] = ()
    synthetic: bool = False
    assumptions_nl: tuple[str, ...] = ()
    progress: Progress | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        return self.goals.copy()

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
            "area": self.plan.area, "plan_version": self.plan.version,
            "data_year": self.plan.data_year, "year": self.year, "goals": self.goals,
            "interventions": self.interventions, "discuss": self.discuss,
            "assumptions": list(self.assumptions), "synthetic": self.synthetic,
            "interval": INTERVAL,
            "caveat": "area-level results, not effects for individual children"})

    def verdict(self, goal: str) -> str:
        return str(self.goals.set_index("goal").loc[goal, "verdict"])

    def summary(self, lang: str = "nl") -> str:
        nl = lang == "nl"
        parts = [f"Evaluatie van het wijkplan voor {self.plan.area} ({self.plan.data_year} → "
                 f"{self.year})." if nl else f"Evaluation of the wijkplan for "
                 f"{self.plan.area} ({self.plan.data_year} → {self.year})."]
        for r in self.goals.itertuples():
            parts.append(f"{r.goal!s}: {r.verdict if nl else r.verdict_en!s}.")
        if self.synthetic:
            parts.append("SYNTHETISCHE gegevens." if nl else "SYNTHETIC data.")
        return " ".join(parts)


def _progress_by_now(plan: Wijkplan, progress: Progress | None, year: int) -> pd.DataFrame:
    ids = list(plan.intervention_ids)
    cols = ["units", "reached", "completed", "dropped_out"]
    if progress is None:
        return pd.DataFrame(np.nan, index=ids, columns=cols)
    return progress.totals(until=year).reindex(ids).fillna(0.0)


def evaluate_plan(plan: Wijkplan, new_data: Any, progress: Progress | Any = None, *,
                  model: FactorModel | None = None, indicators: pd.DataFrame | None = None,
                  year: int | None = None, baseline_data: Any = None) -> PlanEvaluation:
    """Evaluate a plan against newer data and the partners' progress.

    Parameters
    ----------
    plan : Wijkplan
    new_data : DataFrame or path
        Area data of a later year (:func:`factormodel.read_area_data`), with the other
        areas of the plan's level for the comparison.
    progress : Progress, path or DataFrame, optional
        What the partners delivered (:func:`factormodel.read_progress`). Without it the
        delivery is unknown and the expectation assumes delivery as agreed (said in the
        assumptions).
    model : FactorModel, optional
        Default: the bundled model of the plan's name; it must be the plan's version and
        content (:func:`factormodel.check_plan`).
    indicators : DataFrame, optional
    year : int, optional
        The year of ``new_data`` to use (default its newest).
    baseline_data : path or DataFrame, optional
        The data the plan was made from: checked against the plan's SHA-256.

    Raises
    ------
    PlanMismatchError
        For another model version, changed model content or changed baseline data.
    DataError
        When the new data are not later than the plan's data year.

    Examples
    --------
    >>> import factormodel as fm
    >>> from factormodel.workflow.wijkplan import example_plan
    >>> ev = fm.evaluate_plan(example_plan(), fm.load_example_data(), year=2023)
    >>> ev.year, ev.goals["verdict"].iloc[0] in fm.evaluation.VERDICTS
    (2023, True)
    """
    model = check_plan(plan, model, data=baseline_data)
    if progress is not None and not isinstance(progress, Progress):
        progress = read_progress(progress, plan)
    prof = profile(model, new_data, indicators=indicators, reference=plan.reference,
                   year=year, level=plan.level)
    now_year = int(cast(int, prof.year))  # profile() of one year always has its year
    if now_year <= plan.data_year:
        raise DataError(f"the new data are of {now_year}, not later than the plan's data "
                        f"({plan.data_year}): give next year's data (year=)",
                        code="data_not_later", fields={"year": now_year,
                                                       "plan_year": plan.data_year})
    prof.row(plan.area)
    cat = prof.indicators
    done = _progress_by_now(plan, progress, now_year)
    span = max(1, plan.horizon - plan.data_year)
    plan_elapsed = min(1.0, (now_year - plan.data_year) / span)
    ivs = []
    share: dict[str, float] = {}
    for iv in plan.interventions:
        by_now = iv.participants * plan_elapsed
        reached = float(cast(float, done.loc[iv.id, "reached"]))
        s = math.nan if math.isnan(reached) else (
            min(1.0, reached / by_now) if by_now > 0 else 1.0)
        share[iv.id] = s
        completed = float(cast(float, done.loc[iv.id, "completed"]))
        ivs.append({"intervention": iv.id, "name": iv.name, "partner": iv.partner,
                    "participants": iv.participants, "expected_by_now": by_now,
                    "reached": reached, "delivered_share": s, "completed": completed,
                    "completion": completed / reached if reached > 0 else math.nan,
                    "completion_agreed": iv.completion_rate,
                    "dropped_out": float(cast(float, done.loc[iv.id, "dropped_out"])),
                    "reasons": progress.reasons_of(iv.id, until=now_year)
                    if progress is not None else {},
                    "units": float(cast(float, done.loc[iv.id, "units"])),
                    "units_agreed": iv.units})
    iv_frame = pd.DataFrame(ivs)
    z = NormalDist().inv_cdf((1 + INTERVAL) / 2)
    rows = []
    for g in plan.goals:
        rows.append(_goal_row(plan, g, prof, cat, now_year, share, z))
    goals = pd.DataFrame(rows)
    discuss = _discuss(plan, goals, iv_frame)
    assumptions = list(ASSUMPTIONS_NL)[1:]
    if progress is None:
        assumptions.insert(0, "no progress given: delivery assumed as agreed")
    nl = [ASSUMPTIONS_NL.get(a, a) for a in assumptions]
    return PlanEvaluation(plan=plan, year=now_year, goals=goals, interventions=iv_frame,
                          discuss=discuss, assumptions=tuple(assumptions),
                          assumptions_nl=tuple(nl),
                          synthetic=bool(prof.synthetic or plan.synthetic),
                          progress=progress)


def _goal_row(plan: Wijkplan, g: Any, prof: Any, cat: pd.DataFrame | None, now_year: int,
              share: dict[str, float], z: float) -> dict[str, Any]:
    area = plan.area
    row: dict[str, Any] = {"goal": g.id, "indicator": g.indicator, "label_nl": g.label_nl,
                           "unit": g.unit, "baseline": g.baseline, "target": g.target,
                           "horizon": g.horizon}
    elapsed = min(1.0, max(0.0, (now_year - plan.data_year)
                           / max(1, g.horizon - plan.data_year)))
    effects = [(iv.id, e) for iv in plan.interventions for e in iv.effects if e.goal == g.id]
    full = np.array([[e.expected, e.low, e.high] for _, e in effects]).reshape(-1, 3)
    planned = elapsed * full.sum(axis=0) if len(full) else np.zeros(3)
    frac = np.array([1.0 if math.isnan(share[i]) else share[i] for i, _ in effects])
    expected = elapsed * (frac[:, None] * full).sum(axis=0) if len(full) else np.zeros(3)
    row.update(expected=expected[0], expected_low=expected[1], expected_high=expected[2],
               planned=planned[0], planned_low=planned[1], planned_high=planned[2],
               elapsed=elapsed)
    ids = [i for i, _ in effects]
    known = [i for i in ids if not math.isnan(share[i])]
    agreed = {iv.id: iv.participants for iv in plan.interventions}
    delivered = (sum(share[i] * agreed[i] for i in known) / sum(agreed[i] for i in known)
                 if known and sum(agreed[i] for i in known) > 0 else math.nan)
    row["delivered_share"] = delivered
    nan = dict.fromkeys(("now", "change", "reference_change", "did", "did_low", "did_high"),
                        math.nan)
    measured = (cat is not None and g.indicator in cat.index
                and g.indicator in prof.values.columns)
    now = float(prof.values.loc[area, g.indicator]) if measured else math.nan
    if math.isnan(now) or cat is None:  # cat is None only when not measured
        row.update(nan, n_comparison=0, verdict="niet te meten",
                   reason=f"de nieuwe gegevens ({now_year}) hebben geen waarde van "
                          f"{g.indicator} voor {area}")
        return _verdict_en(row)
    m = Measures.of(cat.loc[[g.indicator]])
    ref_now = float(prof.references.loc[area, g.indicator]) \
        if g.indicator in prof.references else math.nan
    area_sd = to_model(m, np.array([now]), np.array([g.baseline]))[0]
    others = [(a, v) for a, v in g.comparison if a in prof.values.index and a != area]
    o_now = np.array([prof.values.loc[a, g.indicator] for a, _ in others], dtype=float)
    o_base = np.array([v for _, v in others], dtype=float)
    keep = np.isfinite(o_now) & np.isfinite(o_base)
    m_o = Measures.of(cat.loc[[g.indicator] * int(keep.sum())])
    o_sd = to_model(m_o, o_now[keep], o_base[keep]) if keep.any() else np.array([])
    o_sd = o_sd[np.isfinite(o_sd)]
    n = len(o_sd)
    # the change without the plan: the comparison areas' mean change; the interval is a
    # prediction interval for one more area (their spread, widened for the mean's error)
    did_sd = area_sd - float(o_sd.mean()) if n else math.nan
    spread = max(float(np.std(o_sd, ddof=1)), TOLERANCE) * math.sqrt(1 + 1 / n) \
        if n >= 2 else math.nan
    sd_ends = np.array([did_sd, did_sd - z * spread, did_sd + z * spread])
    conv = to_units(Measures.of(cat.loc[[g.indicator] * 3]), sd_ends, np.full(3, g.baseline))
    row.update(now=now, change=now - g.baseline,
               reference_change=ref_now - g.reference_baseline, did=float(conv[0]),
               did_low=float(np.nanmin(conv[1:])) if np.isfinite(spread) else math.nan,
               did_high=float(np.nanmax(conv[1:])) if np.isfinite(spread) else math.nan,
               n_comparison=n)
    o_did = o_sd
    # the desired direction: towards the target, else the direction the plan expects
    aim = g.target - g.baseline if not math.isnan(g.target) else planned[0]
    d = float(np.sign(aim))
    if not math.isnan(delivered) and delivered < BEHIND:
        row.update(verdict="achter", reason=(
            f"uitvoering achter: {fmt.number(100 * delivered, 0)}% van de deelnemers die nu "
            "verwacht werden is bereikt"))
        return _verdict_en(row)
    if d == 0 or not np.isfinite(spread) or len(o_did) < MIN_COMPARISON:
        row.update(verdict="niet te zeggen", reason=(
            "het plan verwacht geen verandering van dit doel" if d == 0 else
            f"te weinig vergelijkingsgebieden ({len(o_did)}, minstens {MIN_COMPARISON})"))
        return _verdict_en(row)
    g_mid = d * row["did"]
    g_lo, g_hi = sorted((d * row["did_low"], d * row["did_high"]))
    e_lo, e_hi = sorted((d * expected[1], d * expected[2]))
    if g_hi < e_lo:
        verdict, reason = "achter", ("de verandering tegenover de andere wijken blijft "
                                     "duidelijk onder het minste dat het plan nu verwachtte")
    elif g_lo > e_hi:
        verdict, reason = "voor", ("de verandering tegenover de andere wijken ligt duidelijk "
                                   "boven het meeste dat het plan nu verwachtte")
    elif e_lo <= g_mid <= e_hi and g_lo > 0:
        verdict, reason = "op koers", ("de verandering tegenover de andere wijken ligt binnen "
                                       "wat het plan verwachtte en is duidelijk een verbetering")
    else:
        verdict, reason = "niet te zeggen", (
            "de verandering tegenover de andere wijken is niet te onderscheiden van de gewone "
            "schommeling tussen wijken, of het verwachte effect is kleiner dan wat de "
            "cijfers van één wijk kunnen laten zien")
    row.update(verdict=verdict, reason=reason)
    return _verdict_en(row)


def _verdict_en(row: dict[str, Any]) -> dict[str, Any]:
    row["verdict_en"] = VERDICTS[row["verdict"]]
    return row


def _discuss(plan: Wijkplan, goals: pd.DataFrame, ivs: pd.DataFrame) -> list[dict[str, str]]:
    out = []
    for r in ivs.itertuples():
        # the frame's columns as built by evaluate_plan (its rows' fields are floats or str)
        iv_id, name, partner = str(r.intervention), str(r.name), str(r.partner)
        share, reached = cast(float, r.delivered_share), cast(float, r.reached)
        by_now, completion = cast(float, r.expected_by_now), cast(float, r.completion)
        agreed_rate = cast(float, r.completion_agreed)
        if not math.isnan(share) and share < BEHIND:
            out.append({"kind": "reach", "about": iv_id, "nl": (
                f"{name} ({partner}) ligt ver achter op het afgesproken bereik: "
                f"{fmt.count(reached)} van de {fmt.count(by_now)} deelnemers "
                "die nu verwacht werden."), "en": (
                f"{name} ({partner}) is far behind its agreed reach: "
                f"{fmt.count(reached, 'en')} of the {fmt.count(by_now, 'en')} "
                "participants expected by now.")})
        if (not math.isnan(completion) and not math.isnan(agreed_rate)
                and completion < agreed_rate - COMPLETION_GAP):
            out.append({"kind": "completion", "about": iv_id, "nl": (
                f"{name}: {fmt.number(100 * completion, 0)}% rondt af, afgesproken was "
                f"{fmt.number(100 * agreed_rate, 0)}%."), "en": (
                f"{name}: {100 * completion:.0f}% complete, {100 * agreed_rate:.0f}% "
                "was agreed.")})
    wrong = {}
    for q in goals.itertuples():
        # the goal rows of _goal_row: ids and words are str, the rest floats
        goal_id, verdict = str(q.goal), str(q.verdict)
        if verdict == "niet te meten":
            out.append({"kind": "unmeasured", "about": goal_id, "nl": (
                f"{goal_id} is niet te meten: {q.reason!s}."), "en": (
                f"{goal_id} cannot be measured: the new data lack {q.indicator!s}.")})
            continue
        g = plan.goal(goal_id)
        did, did_low, did_high = (cast(float, q.did), cast(float, q.did_low),
                                  cast(float, q.did_high))
        aim = g.target - g.baseline if not math.isnan(g.target) else cast(float, q.planned)
        d = float(np.sign(aim))
        label = q.label_nl or goal_id
        if d and not math.isnan(did_high) and max(d * did_low, d * did_high) < 0:
            wrong[goal_id] = True
            out.append({"kind": "wrong_way", "about": goal_id, "nl": (
                f"{label!s} beweegt de verkeerde kant op: "
                f"{fmt.number(did, 2, sign=True)} {g.unit} tegenover de andere wijken."), "en": (
                f"{goal_id} moves the wrong way: {did:+.2f} {g.unit} against the other areas.")})
        full = (sorted((d * cast(float, q.planned_low), d * cast(float, q.planned_high))) if d
                else [math.nan] * 2)
        if d and not math.isnan(did_low) and min(d * did_low, d * did_high) > full[1]:
            out.append({"kind": "unexplained", "about": goal_id, "nl": (
                f"{label!s} verbetert meer dan het plan kan verklaren, ook bij "
                "volledige uitvoering: wat gebeurt er nog meer in de wijk?"), "en": (
                f"{goal_id} improves more than the plan can explain, even if fully delivered: "
                "what else is happening in the area?")})
    by_node = {g.node: g.id for g in plan.goals}
    verdicts = dict(zip(goals["goal"], goals["verdict"], strict=True))
    for s in plan.signals:
        gid = s.about if s.about in verdicts else by_node.get(s.about)
        if gid is None or not s.sees:
            continue
        v = verdicts[gid]
        if (s.sees == "worse" and v in ("op koers", "voor")) or (
                s.sees == "better" and (v == "achter" or wrong.get(gid))):
            seen = "slechter" if s.sees == "worse" else "beter"
            out.append({"kind": "signal", "about": gid, "nl": (
                f"{s.partner} ziet het {seen} gaan met {gid} (\u201c{s.text}\u201d), de "
                f"cijfers zeggen \u2018{v}\u2019: bespreek wat de cijfers missen."), "en": (
                f"{s.partner} sees {gid} getting {s.sees} (\u201c{s.text}\u201d); the figures "
                f"say '{VERDICTS[v]}'.")})
    return out
