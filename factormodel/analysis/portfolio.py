"""Which evidence-based interventions fit an area's budget? An exact mixed-integer programme.

An intervention ``i`` delivered in ``n_i`` units (classes, families, groups)
at ``cost_i`` each reaches ``reach_i`` young people per unit. For each target
factor ``f`` it improves participants by ``effect_if`` SD: a published effect size
(with its source and interval) where the catalogue gives one, otherwise the
stated default :data:`DEFAULT_EFFECT` (sd :data:`DEFAULT_EFFECT_SD`), flagged in
``effect_is_default`` and in the portfolio. The NJi recognition level grades the
strength of evidence, not the size of an effect, and is kept as its own column. In an
area of ``population`` young people, one unit moves the area's factor by

    a_if = effect_if × min(1, reach_i / population)  SD   (in its good direction)

For a selective or indicated intervention ``reach_i`` counts the selected children a unit
serves (one child, one family), and ``effect_if`` applies to them only: the catalogue's
``population`` and ``reach_counts`` columns say which. What each effect rests on is the
catalogue's ``effect_evidence`` (:data:`EVIDENCE_KINDS`): a published effect with its interval, a
published point estimate, a **published null** (no effect found: centred at zero with its
interval, so it brings nothing) or the stated default where nothing is known. Every row
records where its effect comes from (:data:`EVIDENCE_COLUMNS`): design, comparison, study
setting (efficacy trial, effectiveness trial or routine practice), population, country,
follow-up, the outcome measured and the caveat of mapping it onto the target node, the
source with its table or page, and how sure the figure is. The chosen interventions carry
that ``effect_evidence`` in every output.

and the chosen outcomes improve by ``gain_f`` SD per SD of ``f`` (see
:mod:`factormodel.recommend`). The programme maximises

    Σ_i n_i Σ_f gain_f · a_if      subject to   Σ_i cost_i n_i ≤ budget,
    0 ≤ n_i ≤ U_i y_i,  n_i ≥ y_i,  n_i integer,  y_i ∈ {0, 1}

with ``U_i`` the smaller of the catalogue's ``max_units`` and the units needed
to reach everyone, and optionally: at most one intervention per factor
(Σ_{i ∋ f} y_i ≤ 1), at least one chosen intervention for each required life
phase or setting, and each factor's improvement capped at the area's room to
improve (Σ_i a_if n_i ≤ room_f). It is solved exactly by HiGHS
(:mod:`factormodel.core.milp`) -- not greedily.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any, cast

import numpy as np
import pandas as pd

from factormodel import vocab
from factormodel.analysis import _scoring
from factormodel.analysis.goals import Goal
from factormodel.analysis.indicators import Profile, area_deltas, check_profile, to_indicator_units
from factormodel.analysis.population import YoungPeople
from factormodel.core import milp
from factormodel.core.model import FactorModel
from factormodel.errors import (
    DataError,
    InvalidParameterError,
    Message,
    ModelValidationError,
    Problem,
    close_matches,
)
from factormodel.files.folders import load_catalogue
from factormodel.tables._cells import (
    TableSource,
    parse_number,
    require_columns,
    table_decimal_mark,
    text,
)
from factormodel.tables._html import euros, portfolio_html, small
from factormodel.tables._json import json_safe
from factormodel.tables._results import Result, check_lang, provenance_of
from factormodel.tables._tables import parse_phases
from factormodel.text import numbers as fmt

__all__ = ["DEFAULT_EFFECT", "DEFAULT_EFFECT_SD", "EVIDENCE_COLUMNS", "EVIDENCE_KINDS",
           "EVIDENCE_VOCABULARY", "RECOGNITION_LEVELS", "Portfolio", "build_interventions",
           "load_interventions", "optimize_portfolio"]

#: NJi Databank recognition levels (strength of evidence, not effect size).
RECOGNITION_LEVELS = (
    "effectief - sterke aanwijzingen",
    "effectief - goede aanwijzingen",
    "effectief - eerste aanwijzingen",
    "goed onderbouwd",
    "niet geverifieerd",
)
#: Effect (SD improvement of a target factor among participants) assumed where nothing is
#: known about an intervention's effect, whatever the recognition level: small (Durlak et
#: al. 2011 report about 0.22 for universal SEL programmes on conduct problems), with an
#: sd as large as the effect itself so that one SD reaches zero. An assumption, flagged;
#: not conservative for a programme whose effectiveness study found nothing: record that
#: as ``evidence = published null`` instead.
DEFAULT_EFFECT = 0.05
DEFAULT_EFFECT_SD = 0.05
#: What an effect rests on (the ``evidence`` column of a validated catalogue).
EVIDENCE_KINDS = ("published with interval", "published point", "published null",
                  "given, source not recorded", "stated default")
#: Allowed values of the evidence columns (lower case; ``confidence`` never 'recalled').
EVIDENCE_VOCABULARY = {
    "design": ("rct", "cluster rct", "quasi-experiment", "meta-analysis", "review",
               "ecological"),
    "comparison": ("wait-list", "no treatment", "care as usual", "other treatment", "mixed",
                   "not reported"),
    "study_setting": ("efficacy trial", "effectiveness trial", "routine practice", "mixed"),
    "population": ("universal", "selective", "indicated", "treatment", "mixed"),
    "confidence": ("seen", "seen (abstract)", "secondary"),
}
#: Columns every published effect (or published null) must fill, beside its source.
EVIDENCE_COLUMNS = ("design", "comparison", "study_setting", "population", "reach_counts",
                    "country", "follow_up", "outcome_measured", "mapping_caveat",
                    "effect_source", "effect_location", "confidence")
_INTERVENTION_COLS = ("name", "recognition", "phases", "setting", "unit", "cost_per_unit",
                      "reach_per_unit", "max_units", "source")
_REQUIRED = ("intervention", "target", *_INTERVENTION_COLS)


def build_interventions(raw: pd.DataFrame, model: FactorModel, src: TableSource) -> pd.DataFrame:
    """Validate an intervention catalogue (one row per intervention and target factor).

    Empty ``effect`` cells take the stated default :data:`DEFAULT_EFFECT` (sd
    :data:`DEFAULT_EFFECT_SD`) and are marked in ``effect_is_default``; a given effect keeps
    its optional ``effect_low``/``effect_high`` (published interval, both or neither, around
    the effect). A catalogue without any evidence column (a quick what-if table) has its
    given effects marked ``given, source not recorded``. ``effect_status = published
    null`` records a study that found no effect: the effect is 0 and, without a published
    interval, 0 ± 1.96 × :data:`DEFAULT_EFFECT_SD`
    (an assumption, said in ``interval_assumed``). A published effect or null must fill
    every column of :data:`EVIDENCE_COLUMNS`, the controlled ones from
    :data:`EVIDENCE_VOCABULARY`. The result has ``effect_evidence`` (:data:`EVIDENCE_KINDS`) and
    ``effectiveness`` (True for care as usual in routine practice) per row.
    Intervention-level columns must agree across an intervention's rows.
    Every problem is reported at once.
    """
    cols, _, problems = require_columns(raw.columns, _REQUIRED, src)
    if problems or raw.empty:
        raise ModelValidationError(problems or [Problem(src.where(), "no interventions",
                                                        code="iv_none")],
                                   src.file or src.table)
    get = {c: raw[cols[c]].tolist() for c in cols}
    mark = table_decimal_mark(get[c] for c in ("cost_per_unit", "reach_per_unit",
                                                     "max_units", "effect") if c in cols)
    # a catalogue with evidence columns must fill them for every published effect; one
    # without (a quick what-if table) has its effects marked 'given, source not recorded'
    documented = "effect_status" in cols or any(c in cols for c in EVIDENCE_COLUMNS
                                                if c != "effect_source")
    rows = []
    first: dict[str, tuple[int, dict]] = {}
    seen_pairs: set[tuple[str, str]] = set()

    def bad(i: int, c: str, msg: str, code: str = "", **fields: object) -> None:
        """A problem of cell ``(i, c)``: ``msg`` in English with the ``code`` and ``fields``
        the text layer words it from (a Message brings its own)."""
        if isinstance(msg, Message):
            code, fields = msg.code, msg.fields
        problems.append(Problem(src.where(i, c), msg, code=code, fields=dict(fields)))

    for i in range(len(raw)):
        iid, target = text(get["intervention"][i]), text(get["target"][i])
        row: dict[str, Any] = {"intervention": iid, "target": target}
        if not iid:
            bad(i, "intervention", "missing intervention id", "iv_missing_id")
        if target not in model:
            hint = close_matches(target, model.factors)
            bad(i, "target", f"unknown factor {target!r}; {hint}", "iv_unknown_target",
                target=target, hint=hint)
        elif target in model.outcomes:
            bad(i, "target", f"{target!r} is an outcome; interventions target factors",
                "iv_target_outcome", target=target)
        elif not model.node_values("modifiable")[target]:
            bad(i, "target", f"{target!r} is not modifiable (context); it cannot be a target",
                "iv_target_context", target=target)
        if (iid, target) in seen_pairs:
            bad(i, "target", f"intervention {iid!r} lists target {target!r} twice",
                "iv_target_twice", intervention=iid, target=target)
        seen_pairs.add((iid, target))
        recognition = text(get["recognition"][i]).lower()
        if recognition not in RECOGNITION_LEVELS:
            levels = ", ".join(RECOGNITION_LEVELS)
            bad(i, "recognition", f"unknown recognition level {recognition!r}; expected one of "
                f"{levels}", "iv_unknown_recognition", value=recognition, allowed=levels)
        row["recognition"] = recognition
        phases, err = parse_phases(get["phases"][i])
        if err:
            bad(i, "phases", err)  # a coded Message
        row["phases"] = phases
        setting = text(get["setting"][i]).lower()
        if setting not in vocab.FACTOR_SETTINGS:
            settings = ", ".join(vocab.FACTOR_SETTINGS)
            bad(i, "setting", f"unknown setting {setting!r}; expected one of {settings}",
                "iv_unknown_setting", value=setting, allowed=settings)
        row["setting"] = setting
        for c, positive in (("cost_per_unit", False), ("reach_per_unit", True),
                            ("max_units", True)):
            parsed, _, err = parse_number(get[c][i], grouping=True,  # money and counts
                                          decimal=mark)
            x = None if np.isnan(parsed) else parsed
            if err:
                bad(i, c, err)
            elif positive and (x is None or x <= 0):
                bad(i, c, f"{c} must be a number above 0", "iv_above_zero", column=c)
            elif x is None or x < 0:
                bad(i, c, f"{c} must be a number of at least 0", "iv_at_least_zero", column=c)
            row[c] = x
        if row.get("max_units") is not None and not float(row["max_units"]).is_integer():
            bad(i, "max_units", "max_units must be a whole number", "iv_whole_units")
        effect = get["effect"][i] if "effect" in cols else None
        parsed, _, err = parse_number(effect, decimal=mark)
        x = None if np.isnan(parsed) else parsed
        if err:
            bad(i, "effect", err)
        status = text(get["effect_status"][i]).lower() if "effect_status" in cols else ""
        if status not in ("", "published", "published null"):
            bad(i, "effect_status", f"unknown effect_status {status!r}; expected 'published', "
                "'published null' or empty (no effect known: the stated default)",
                "iv_unknown_effect_status", value=status)
        null = status == "published null"
        if null and x not in (None, 0.0):
            bad(i, "effect", f"a published null has effect 0 (or empty), got {x:g}",
                "iv_null_not_zero", effect=x)
        if status == "published" and x is None and not err:
            bad(i, "effect", "effect_status is 'published' but no effect is given",
                "iv_published_no_effect")
        row["effect_is_default"] = x is None and not err and not null
        row["effect"] = 0.0 if null else DEFAULT_EFFECT if x is None else x
        for c in ("effect_low", "effect_high"):
            y, _, err = (parse_number(get[c][i], decimal=mark) if c in cols
                         else (np.nan, "", None))
            if err:
                bad(i, c, err)
            row[c] = y
        has_low, has_high = not np.isnan(row["effect_low"]), not np.isnan(row["effect_high"])
        if has_low != has_high:
            bad(i, "effect_low" if has_high else "effect_high",
                "give both ends of the interval (effect_low and effect_high) or neither",
                "iv_interval_one_end")
        elif has_low and not row["effect_low"] <= row["effect"] <= row["effect_high"]:
            low, high, eff = row["effect_low"], row["effect_high"], row["effect"]
            bad(i, "effect_low", f"the interval [{low:g}, {high:g}] must contain the effect "
                f"{eff:g}", "iv_interval_outside", low=low, high=high, effect=eff)
        if row["effect_is_default"] and (has_low or has_high):
            bad(i, "effect_low", "an interval without an effect: give the published effect",
                "iv_interval_no_effect")
        row["interval_assumed"] = bool(row["effect_is_default"] or (null and not has_low))
        if row["interval_assumed"]:
            row["effect_low"] = row["effect"] - 1.96 * DEFAULT_EFFECT_SD
            row["effect_high"] = row["effect"] + 1.96 * DEFAULT_EFFECT_SD
        row["effect_evidence"] = (
            "stated default" if row["effect_is_default"] else "published null" if null
            else "given, source not recorded" if not documented
            else "published with interval" if has_low else "published point")
        for c in EVIDENCE_COLUMNS:
            row[c] = text(get[c][i]) if c in cols else ""
            if c in EVIDENCE_VOCABULARY:
                row[c] = row[c].lower()
        if documented and not row["effect_is_default"]:
            for c in EVIDENCE_COLUMNS:
                allowed = EVIDENCE_VOCABULARY.get(c)
                listed = ", ".join(allowed or ())
                if not row[c] and allowed:
                    bad(i, c, f"missing {c}: a published effect says where it comes from "
                        f"({listed})", "iv_missing_evidence_of", column=c, allowed=listed)
                elif not row[c]:
                    bad(i, c, f"missing {c}: a published effect says where it comes from",
                        "iv_missing_evidence", column=c)
                elif allowed and row[c] not in allowed and c == "confidence":
                    bad(i, c, f"unknown {c} {row[c]!r}; expected one of {listed} (a recalled "
                        "figure is not entered)", "iv_unknown_confidence", column=c,
                        value=row[c], allowed=listed)
                elif allowed and row[c] not in allowed:
                    bad(i, c, f"unknown {c} {row[c]!r}; expected one of {listed}",
                        "iv_unknown_value", column=c, value=row[c], allowed=listed)
        row["effectiveness"] = (not row["effect_is_default"]
                                and row["comparison"] == "care as usual"
                                and row["study_setting"] == "routine practice")
        for c in ("name", "unit", "source", "effect_basis", "cost_basis", "recognition_note"):
            row[c] = text(get[c][i]) if c in cols else ""
        for c in ("name", "source"):
            if not row[c]:
                bad(i, c, f"missing {c}", "iv_missing", column=c)
        shared = {c: row[c] for c in _INTERVENTION_COLS}
        if iid in first:
            j, ref = first[iid]
            for c in _INTERVENTION_COLS:
                if shared[c] != ref[c]:
                    bad(i, c, f"{c} of {iid!r} differs from {src.where(j)}", "iv_differs",
                        column=c, intervention=iid, place=src.where(j))
        else:
            first[iid] = (i, shared)
        rows.append(row)
    if problems:
        raise ModelValidationError(problems, src.file or src.table)
    return pd.DataFrame(rows)


def load_interventions(model: FactorModel, path: str | PathLike[str] | None = None
                       ) -> pd.DataFrame:
    """The intervention catalogue of ``model`` (one row per intervention and target factor).

    By default the ``interventions`` table the model was loaded with (its
    folder's ``interventions.csv``), validated once per model; or a CSV at
    ``path``. Empty effects take the stated default :data:`DEFAULT_EFFECT` whatever the
    recognition level, marked in ``effect_is_default``; a published null (PAD in Dutch
    routine practice) is an effect of 0 (see :func:`build_interventions`).

    Raises
    ------
    UnknownTableError
        If the model carries no intervention catalogue and no path is given.

    Examples
    --------
    >>> import factormodel as fm
    >>> cat = fm.load_interventions(fm.load_model("rotterdam-jeugd"))
    >>> cat["intervention"].nunique() >= 15
    True
    >>> row = cat.set_index(["intervention", "target"]).loc[
    ...     ("pad", "sociaal_emotionele_vaardigheden")]
    >>> row["recognition"], float(row["effect"]), bool(row["effect_is_default"])
    ('effectief - sterke aanwijzingen', 0.0, False)
    >>> row["effect_evidence"], row["study_setting"], row["comparison"]
    ('published null', 'routine practice', 'care as usual')
    """
    return load_catalogue(model, "interventions", build_interventions, path)


#: An intervention whose expected effect on the chosen goals, at the most units the budget
#: and its reach allow, is below this share of the goals' size is left out (no money for
#: nothing); see :func:`negligible_effect`.
MIN_SHARE = 0.01


def goals_size(model: FactorModel, outcomes: Any) -> float | None:
    """The size of the chosen goals in SD, weighted by priority (``Σ priority × |change|``),
    when every goal has a size; None when one has none.

    Examples
    --------
    >>> import factormodel as fm
    >>> m = fm.load_model("rotterdam-jeugd")
    >>> goals_size(m, {"vsv": 2}) is None
    True
    >>> goals_size(m, [fm.Goal("vsv", -0.5, priority=2)])
    1.0
    """
    from factormodel.analysis.goals import as_goals

    resolved = as_goals(model, outcomes)
    if not all(math.isfinite(r.change_sd) for r in resolved):
        return None
    return float(sum(float(r.goal.priority) * abs(r.change_sd) for r in resolved))


def negligible_effect(value_per_unit: np.ndarray, most_units: np.ndarray, size: float,
                      share: float = MIN_SHARE) -> tuple[np.ndarray, np.ndarray, float]:
    """THE rule "no money for nothing": which interventions cannot bring ``share`` of the
    goals' ``size`` (SD) even at their ``most_units``; returns (mask, their largest effect,
    threshold in SD).

    >>> negligible_effect(np.array([0.0001, 0.2]), np.array([3, 1]), 1.0)[0].tolist()
    [True, False]
    """
    best = value_per_unit * most_units
    threshold = share * size
    return best < threshold, best, threshold


@dataclass(frozen=True)
class Portfolio(Result):
    """An optimal set of interventions for one area and budget.

    Attributes
    ----------
    chosen : DataFrame
        ``intervention, name, units, cost, reach, value`` (improvement of the
        chosen outcomes it brings, SD), ``targets`` and ``effect_is_default`` (True when
        an effect size is the stated default :data:`DEFAULT_EFFECT`, not published) and
        ``effect_evidence`` (the weakest of :data:`EVIDENCE_KINDS` behind the effects it
        brings), one row per chosen intervention.
    left_out : DataFrame
        ``intervention, name, reason, reason_code`` for every intervention not chosen: the
        reason in English (a :class:`~factormodel.errors.Message` carrying its code and
        fields, which the text layer words in Dutch) and its code for programs.
    factor_changes : Series
        Predicted change of each targeted factor (SD, signed: negative for a
        risk factor going down).
    outcome_changes : Series
        Predicted change of each chosen outcome (SD).
    outcome_units : DataFrame
        The same in the outcome indicators' units (empty without a catalogue).
    total_cost, budget, improvement : float
        Cost of the portfolio, the budget, and the objective (weighted
        improvement of the chosen outcomes, SD).
    constraints : dict
        The optional constraints that were applied (with ``min_share``, the
        threshold in SD and how the goals' size was found).
    young_people : YoungPeople
        The number of young people the portfolio is for, their age band and where
        the number came from (:func:`factormodel.population.young_people`).
    budget_left : float
        The budget not spent (said in every output: money is never put into an
        intervention that cannot bring :data:`MIN_SHARE` of the goals).
    synthetic : bool
        True when the profile came from synthetic data (named in the repr and
        the notebook summary).
    """

    area: str
    chosen: pd.DataFrame
    left_out: pd.DataFrame
    factor_changes: pd.Series
    outcome_changes: pd.Series
    outcome_units: pd.DataFrame
    total_cost: float
    budget: float
    improvement: float
    constraints: dict
    synthetic: bool = False
    young_people: YoungPeople | None = None

    @property
    def budget_left(self) -> float:
        """The budget not spent."""
        return float(self.budget - self.total_cost)

    def _repr_html_(self) -> str:
        return portfolio_html(self)

    def __repr__(self) -> str:
        defaults = int(self.chosen["effect_is_default"].astype(bool).sum()) \
            if "effect_is_default" in self.chosen else 0
        return (f"<Portfolio for {self.area!r}: {len(self.chosen)} intervention(s) chosen, "
                f"{len(self.left_out)} left out; cost {euros(self.total_cost)} of "
                f"{euros(self.budget)} ({euros(self.budget_left)} left); expected improvement "
                f"{small(self.improvement)} SD"
                f"{f'; {defaults} default effect size(s)' if defaults else ''}"
                f"{', SYNTHETIC data' if self.synthetic else ''}>")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: budget, cost, improvement, chosen and left-out interventions, changes."""
        return json_safe({
            "area": self.area, "budget": self.budget, "total_cost": self.total_cost,
            "budget_left": self.budget_left,
            "young_people": self.young_people.to_dict() if self.young_people else None,
            "improvement_sd": self.improvement, "chosen": self.chosen,
            "outcome_changes_sd": self.outcome_changes,
            "factor_changes_sd": self.factor_changes,
            "outcome_changes_units": self.outcome_units, "left_out": self.left_out,
            "constraints": self.constraints, "synthetic": self.synthetic})

    def summary(self, lang: str = "nl") -> str:
        """What the portfolio buys, in a few sentences in Dutch (``"nl"``) or English.

        Examples
        --------
        >>> import factormodel as fm
        >>> m = fm.load_model("rotterdam-jeugd")
        >>> prof = fm.profile(m, fm.load_example_data(), level="wijk")
        >>> p = fm.optimize_portfolio(m, prof, fm.load_interventions(m), budget=250_000,
        ...                           outcomes={"vsv": 1}, population=4000, area="Oud-Crooswijk")
        >>> p.summary().startswith("Pakket voor Oud-Crooswijk: ")
        True
        """
        nl = check_lang(lang) == "nl"
        n = len(self.chosen)
        def euro(x: float) -> str:
            return fmt.money(x, lang)

        gain = fmt.number(self.improvement, 3, lang, significant=True)
        out = [f"Pakket voor {self.area}: {n} interventie{'' if n == 1 else 's'} voor "
               f"{euro(self.total_cost)} van {euro(self.budget)} ({euro(self.budget_left)} "
               f"over); verwachte verbetering van de doelen {gain} "
               "SD tussen kinderen." if nl else
               f"Portfolio for {self.area}: {n} intervention{'' if n == 1 else 's'} for "
               f"{euro(self.total_cost)} of {euro(self.budget)} ({euro(self.budget_left)} "
               f"left); expected improvement of the goals {gain} "
               "SD between children."]
        if n:
            names = ", ".join(f"{r.name} ({fmt.count(r.units, lang)}x)"
                              for r in self.chosen.itertuples())
            out.append(f"Gekozen: {names}." if nl else f"Chosen: {names}.")
        if len(self.left_out):
            out.append(f"{len(self.left_out)} niet gekozen (redenen in left_out)." if nl else
                       f"{len(self.left_out)} left out (reasons in left_out).")
        defaults = int(self.chosen["effect_is_default"].astype(bool).sum()) \
            if "effect_is_default" in self.chosen else 0
        if defaults:
            out.append(f"{defaults} met de aangenomen standaard-effectgrootte, niet gepubliceerd."
                       if nl else f"{defaults} with the stated default effect size, not "
                       "published.")
        if self.synthetic:
            out.append("SYNTHETISCHE gegevens, geen metingen." if nl else
                       "SYNTHETIC data, not measurements.")
        return " ".join(out)

    def to_frame(self) -> pd.DataFrame:
        """Chosen and left-out interventions in one table."""
        return pd.concat([self.chosen.assign(chosen=True),
                          self.left_out.assign(chosen=False)], ignore_index=True)


def _problem_data(model: FactorModel, catalogue: pd.DataFrame, gains: pd.Series,
                  population: float) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Per intervention: attributes, per-unit factor improvements A (interventions x
    factors), per-unit value v."""
    interventions = catalogue.drop_duplicates("intervention").set_index("intervention")
    if "effect_evidence" in catalogue:
        null = catalogue["effect_evidence"].eq("published null").groupby(catalogue["intervention"])
        interventions = interventions.assign(all_null=null.all())
    ids = interventions.index.tolist()
    factors = sorted(set(catalogue["target"]), key=model.node_ids.index)
    coverage = np.minimum(1.0, interventions["reach_per_unit"].to_numpy() / population)
    A = np.zeros((len(ids), len(factors)))
    pos_i = {k: j for j, k in enumerate(ids)}
    pos_f = {k: j for j, k in enumerate(factors)}
    for r in catalogue.itertuples():
        A[pos_i[r.intervention], pos_f[r.target]] = cast(float, r.effect)
    A *= coverage[:, None]
    v = A @ gains.reindex(factors).to_numpy()
    return interventions.assign(coverage=coverage, factors=[
        [f for f in factors if A[pos_i[i], pos_f[f]] > 0] for i in ids]), A, v


def optimize_portfolio(model: FactorModel, profile: Profile | pd.DataFrame | pd.Series,
                       catalogue: pd.DataFrame, *, budget: float,
                       outcomes: Mapping[str, float] | Iterable[str | Goal],
                       population: float | YoungPeople,
                       area: Any = None, one_per_factor: bool = False,
                       required_phases: Sequence[str] = (), phases: Sequence[str] = (),
                       required_settings: Sequence[str] = (), cap_at_room: bool = False,
                       alpha: float = 1.0, indicators: pd.DataFrame | None = None,
                       min_share: float = MIN_SHARE) -> Portfolio:
    """Choose interventions (and units) that maximise the chosen outcomes' improvement.

    Parameters
    ----------
    model, profile, outcomes, area, alpha
        As for :func:`factormodel.recommend`.
    catalogue : DataFrame
        Intervention catalogue (:func:`factormodel.load_interventions`).
    budget : float
        Money available (same currency as the catalogue's costs).
    population : float or YoungPeople
        Young people in the area (the target population of the interventions); a
        :class:`~factormodel.population.YoungPeople` (from
        :func:`~factormodel.population.young_people`) also says their age band and
        where the number came from, and the portfolio repeats it.
    one_per_factor : bool
        At most one intervention per target factor.
    required_phases, required_settings : sequences
        At least one chosen intervention must serve each listed life phase /
        setting.
    phases : sequence
        Only interventions that serve at least one of these life phases (e.g.
        the goals' age group, :meth:`factormodel.Goal.phases`); the others are
        left out with that reason.
    cap_at_room : bool
        No factor is improved beyond the area's room to improve (unmeasured
        factors are not capped; the result says so).
    min_share : float
        An intervention whose expected effect on the chosen goals, at the most
        units the budget and its reach allow, is below this share (default 1%) of
        the goals' size (:func:`goals_size`, when every goal has a size) or else
        of what the best single intervention brings, is left out with that reason
        (:func:`negligible_effect`); 0 switches the rule off.

    Raises
    ------
    InvalidParameterError
        For a negative budget or population, or unknown phases/settings.
    DataError
        If the constraints cannot be met; the message names the constraint.

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> toy = fm.load_model("toy")
    >>> cat = pd.DataFrame({"intervention": ["a", "b", "c"], "name": ["A", "B", "C"],
    ...     "target": ["schoolverzuim", "opvoedklimaat", "schoolverzuim"],
    ...     "effect": [0.4, 0.4, 0.2], "recognition": "goed onderbouwd", "phases": "4-12",
    ...     "setting": "school", "unit": "klas", "cost_per_unit": [1000, 500, 100],
    ...     "reach_per_unit": 100, "max_units": 1, "source": "example"})
    >>> from factormodel.tables._cells import TableSource
    >>> cat = fm.portfolio.build_interventions(cat, toy, TableSource("cat"))
    >>> p = fm.optimize_portfolio(toy, pd.Series({"schoolverzuim": 1.0}), cat, budget=1100,
    ...                           outcomes={"vsv": 1}, population=100, area="A")
    >>> p.chosen["intervention"].tolist(), p.total_cost
    (['a', 'c'], 1100.0)
    """
    young: YoungPeople | None = None
    if isinstance(population, YoungPeople):
        young, population = population, population.number
    for name, number in (("budget", budget), ("population", population)):
        if not (isinstance(number, int | float | np.number) and math.isfinite(number)
                and number >= 0):
            raise InvalidParameterError(f"{name} must be a number >= 0, got {number!r}")
    if population <= 0:
        raise InvalidParameterError("population must be above 0")
    if young is None:
        young = YoungPeople(float(population), "", "given")
    bad_phase = [p for p in [*required_phases, *phases] if p not in vocab.PHASES]
    bad_setting = [s for s in required_settings if s not in vocab.FACTOR_SETTINGS]
    if bad_phase or bad_setting:
        raise InvalidParameterError(
            f"unknown required phase(s) {bad_phase} / setting(s) {bad_setting}; phases: "
            f"{', '.join(vocab.PHASES)}; settings: {', '.join(vocab.FACTOR_SETTINGS)}")
    check_profile(model, profile)
    row, area = area_deltas(profile, area)
    g = _scoring.gains(model, outcomes, alpha=alpha)
    prio = g.goals
    gains = pd.Series(g.gain, index=model.node_ids)
    info, A, v = _problem_data(model, catalogue, gains, float(population))
    ids = info.index.tolist()
    k = len(ids)
    upper = np.minimum(info["max_units"].to_numpy(),
                       np.maximum(1.0, np.ceil(population / info["reach_per_unit"].to_numpy())))
    cost = info["cost_per_unit"].to_numpy(dtype=float)
    factors = sorted(set(catalogue["target"]), key=model.node_ids.index)
    sign = model.desired_sign.loc[factors].to_numpy(dtype=float)
    delta = row.reindex(factors).to_numpy(dtype=float)
    room = _scoring.room(sign, delta)

    # variables: n (k integers) then y (k binaries)
    rows_A, lo, hi, names = [], [], [], []

    def add(coef_n: np.ndarray, coef_y: np.ndarray, low: float, high: float, name: str) -> None:
        rows_A.append(np.concatenate([coef_n, coef_y]))
        lo.append(low)
        hi.append(high)
        names.append(name)

    add(cost, np.zeros(k), -np.inf, float(budget), "budget")
    for j in range(k):  # link units and choice: y <= n <= U y
        e = np.eye(k)[j]
        add(e, -upper[j] * e, -np.inf, 0.0, "link")
        add(e, -e, 0.0, np.inf, "link")
    outside = np.array([bool(phases) and not set(phases) & set(info.loc[i, "phases"])
                        for i in ids], dtype=bool)
    for j in np.flatnonzero(outside).tolist():  # not for the goals' age group: no units
        add(np.eye(k)[j], np.zeros(k), -np.inf, 0.0, "phases")
    if not (isinstance(min_share, int | float) and 0 <= min_share < 1):
        raise InvalidParameterError(f"min_share must be a number from 0 to below 1, got "
                                    f"{min_share!r}")
    size = goals_size(model, outcomes)
    affordable = np.where(cost > 0, np.floor(float(budget) / np.where(cost > 0, cost, 1.0)),
                          upper)
    most = np.minimum(upper, np.maximum(1.0, affordable))  # one unit that does not fit: budget
    # without a size for every goal, "the goal" is what the best single intervention brings
    size_how = "goals" if size is not None else "best intervention"
    if size is None:
        size = float(np.max(np.where(outside, 0.0, v * most), initial=0.0))
    tiny, best_effect, threshold = negligible_effect(v, most, size, min_share)
    tiny &= ~outside
    for j in np.flatnonzero(tiny).tolist():  # money for nothing: no units
        add(np.eye(k)[j], np.zeros(k), -np.inf, 0.0, "negligible effect")
    if one_per_factor:
        for f in factors:
            member = np.array([f in info.loc[i, "factors"] for i in ids], dtype=float)
            if member.sum() > 1:
                add(np.zeros(k), member, -np.inf, 1.0, f"one intervention for {f}")
    requirements = [("phase", p, np.array([p in info.loc[i, "phases"] for i in ids], float))
                    for p in required_phases]
    requirements += [("setting", s, (info["setting"].to_numpy() == s).astype(float))
                     for s in required_settings]
    for kind, value, member in requirements:
        if not member.any():
            raise DataError(f"required {kind} {value!r} cannot be met: no intervention in the "
                            f"catalogue serves it")
        cheapest = cost[member > 0].min()
        if cheapest > budget:
            raise DataError(f"required {kind} {value!r} cannot be met within the budget of "
                            f"{budget:,.0f}: the cheapest intervention serving it costs "
                            f"{cheapest:,.0f}")
        add(np.zeros(k), member, 1.0, np.inf, f"required {kind} {value!r}")
    capped = []
    if cap_at_room:
        for j, f in enumerate(factors):
            if np.isnan(room[j]):
                continue  # unmeasured: no known room, not capped (reported)
            add(A[:, j], np.zeros(k), -np.inf, room[j], f"room of {f}")
            capped.append(f)
    c = np.concatenate([-v, np.zeros(k)])
    c[:k] += 1e-9 * cost / max(float(budget), 1.0)  # among equal optima, the cheaper one
    res = milp.solve(c, np.array(rows_A), np.array(lo), np.array(hi), np.zeros(2 * k),
                     np.concatenate([upper, np.ones(k)]), np.ones(2 * k, dtype=bool))
    if res.status == "infeasible":
        raise DataError(_diagnose(names, requirements, one_per_factor, cap_at_room, budget))
    if res.x is None:  # pragma: no cover - HiGHS limits; not expected at this size
        raise DataError(f"the portfolio optimisation stopped: {res.message}")
    units = np.round(res.x[:k]).astype(int)
    chosen_mask = units > 0
    improvement = float(units @ v)
    factor_improvement = units @ A
    factor_changes = pd.Series(sign * factor_improvement, index=factors, name="delta")
    T = g.effects[model.positions(factors)]
    outcome_changes = pd.Series(factor_changes.to_numpy() @ T, index=list(prio),
                                name="delta")
    chosen = pd.DataFrame({
        "intervention": np.array(ids)[chosen_mask], "name": info["name"].to_numpy()[chosen_mask],
        "units": units[chosen_mask], "cost": (units * cost)[chosen_mask],
        "reach": (units * info["reach_per_unit"].to_numpy())[chosen_mask],
        "value": (units * v)[chosen_mask],
        "targets": [", ".join(f) for f in info["factors"].to_numpy()[chosen_mask]],
        "effect_is_default": [bool(catalogue.loc[catalogue["intervention"] == i,
                                                 "effect_is_default"].any())
                              for i in np.array(ids)[chosen_mask]],
        "effect_evidence": [_evidence_of(catalogue, i) for i in np.array(ids)[chosen_mask]]})
    left = _left_out(info, ids, units, v, cost, float(budget), one_per_factor, cap_at_room,
                     room, factors, A, outside, tuple(phases), tiny, best_effect, threshold,
                     min_share, size_how)
    units_table = _in_units(model, outcome_changes.rename(area), indicators,
                            profile if isinstance(profile, Profile) else None)
    uncapped = [f for j, f in enumerate(factors) if np.isnan(room[j])]
    return Portfolio(area=str(area), chosen=chosen, left_out=left,
                     synthetic=bool(provenance_of(profile).get("synthetic", False)),
                     factor_changes=factor_changes[factor_changes != 0], young_people=young,
                     outcome_changes=outcome_changes, outcome_units=units_table,
                     total_cost=float(units @ cost), budget=float(budget),
                     improvement=improvement,
                     constraints={"one_per_factor": one_per_factor,
                                  "required_phases": list(required_phases),
                                  "phases": list(phases),
                                  "required_settings": list(required_settings),
                                  "cap_at_room": capped if cap_at_room else False,
                                  "min_share": float(min_share),
                                  "threshold_sd": float(threshold), "threshold_of": size_how,
                                  "not_capped_unmeasured": uncapped if cap_at_room else []})


def _evidence_of(catalogue: pd.DataFrame, intervention: str) -> str:
    """The weakest evidence behind the effects an intervention brings (its targets with a
    non-zero effect): ``published with interval`` > ``published point`` > ``stated default``;
    ``published null`` when none of its effects is above zero."""
    rows = catalogue[catalogue["intervention"] == intervention]
    if "effect_evidence" not in rows:
        return "stated default" if rows["effect_is_default"].any() else "published point"
    kinds = set(rows.loc[rows["effect"] > 0, "effect_evidence"])
    for kind in ("stated default", "given, source not recorded", "published point",
                 "published with interval"):
        if kind in kinds:
            return kind
    return "published null"


def _in_units(model: FactorModel, changes: pd.Series, indicators: pd.DataFrame | None,
              profile: Profile | None) -> pd.DataFrame:
    """A portfolio's effects in units: changes from where the area is now, so each
    indicator converts at the area's own current level (units.current_levels)."""
    if indicators is None and "indicators" not in model.table_names and profile is None:
        return pd.DataFrame()  # no catalogue for this model: SD only
    return to_indicator_units(model, changes, indicators=indicators, profile=profile,
                              at="area")


def _left_out(info: pd.DataFrame, ids: list[str], units: np.ndarray, v: np.ndarray,
              cost: np.ndarray, budget: float, one_per_factor: bool, cap_at_room: bool,
              room: np.ndarray, factors: list[str], A: np.ndarray, outside: np.ndarray,
              phases: tuple[str, ...], tiny: np.ndarray, best: np.ndarray, threshold: float,
              share: float, size_how: str) -> pd.DataFrame:
    spent = float(units @ cost)
    served_by = {f: cast(str, info.loc[i, "name"]) for i, n in zip(ids, units, strict=True)
                 if n > 0 for f in _factors(info, i)}
    used = units @ A
    rows = []
    for j, i in enumerate(ids):
        if units[j] > 0:
            continue
        mine = _factors(info, i)
        fields: dict[str, object] = {}
        if outside[j]:
            code, fields = "left_out_age_group", {"ages": ", ".join(phases)}
        elif v[j] <= 0 and _all_null(info, i):
            code = "left_out_published_null"
        elif v[j] <= 0:
            code = "left_out_no_improvement"
        elif tiny[j]:
            code = "left_out_below_threshold"
            fields = {"best": float(best[j]), "share": float(share), "limit": float(threshold),
                      "of": Message(size_how, "threshold_of_" + size_how.replace(" ", "_")),
                      "digits": _telling_digits(float(best[j]), float(threshold))}
        elif cap_at_room and all(used[factors.index(f)] >= room[factors.index(f)] - 1e-12
                                 for f in mine if not np.isnan(room[factors.index(f)])) \
                and all(not np.isnan(room[factors.index(f)]) for f in mine):
            code = "left_out_no_room"
        elif one_per_factor and set(served_by) & set(mine):
            f = next(f for f in mine if f in served_by)
            code, fields = "left_out_factor_served", {"factor": f, "by": served_by[f]}
        elif cost[j] > budget - spent:
            code = "left_out_budget"
            fields = {"left": float(budget - spent), "cost": float(cost[j])}
        else:
            code = "left_out_per_euro"
        reason = Message(_REASONS[code].format(**fields), code, fields)
        rows.append({"intervention": i, "name": info.loc[i, "name"], "reason": reason,
                     "reason_code": code, "value_per_unit": v[j], "cost_per_unit": cost[j]})
    return pd.DataFrame(rows, columns=["intervention", "name", "reason", "reason_code",
                                       "value_per_unit", "cost_per_unit"])


#: The English of each reason for leaving an intervention out (``reason_code -> template``;
#: the text layer registers the same templates and words them in Dutch).
_REASONS = {
    "left_out_age_group": "does not serve the goals' age group ({ages})",
    "left_out_published_null": "no effect found in its effectiveness study (published null)",
    "left_out_no_improvement": "does not improve the chosen outcomes",
    "left_out_below_threshold": "its expected effect on the chosen goals "
                                "({best:.{digits}f} SD at most) is below the threshold of "
                                "{share:.0%} of the {of} ({limit:.{digits}f} SD)",
    "left_out_no_room": "its target factors have no room left to improve",
    "left_out_factor_served": "its target factor {factor} is already served by {by} (one "
                              "intervention per factor)",
    "left_out_budget": "does not fit the remaining budget ({left:,.0f} left, one unit costs "
                       "{cost:,.0f})",
    "left_out_per_euro": "less improvement per euro than the chosen portfolio",
}


def _telling_digits(a: float, b: float) -> int:
    """The decimals (4 to 9) that write ``a`` and ``b`` as two different numbers: a reason
    never reads "0.0003 SD is below the threshold (0.0003 SD)"."""
    for digits in range(4, 9):
        if round(a, digits) != round(b, digits):
            return digits
    return 9


def _factors(info: pd.DataFrame, intervention: str) -> list[str]:
    """The target factors an intervention improves (the list in its ``factors`` cell)."""
    return cast(list[str], info.loc[intervention, "factors"])


def _all_null(info: pd.DataFrame, intervention: str) -> bool:
    return bool(info.loc[intervention, "all_null"]) if "all_null" in info else False


def _diagnose(names: list[str], requirements: list, one_per_factor: bool, cap_at_room: bool,
              budget: float) -> str:
    needs = [f"{kind} {value!r}" for kind, value, _ in requirements]
    parts = [f"the required {', '.join(needs)} cannot all be met within the budget of "
             f"{budget:,.0f}"] if needs else []
    if one_per_factor and needs:
        parts.append("or not with at most one intervention per factor")
    if cap_at_room and needs:
        parts.append("or not without improving a factor beyond its room")
    return ("no portfolio satisfies the constraints: " + " ".join(parts)
            if parts else "no portfolio satisfies the constraints")
