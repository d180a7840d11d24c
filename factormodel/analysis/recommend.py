"""Which factors should interventions in an area target, for the outcomes it chose?

Each modifiable factor gets a **gain** (improvement of the chosen goals per SD
that the factor moves in its good direction), a **room** to improve (how far the
area is on the wrong side of its reference), an **evidence** share (how much of
the path weight runs over strong edges), an **expected improvement** ``room ·
max(gain, 0)`` and a **score** ``expected improvement · evidence``; the one
definition of each lives in :mod:`factormodel._scoring`.

Non-modifiable factors (context such as household poverty) are never
recommended, but they stay in the model and shape every total effect.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from factormodel.analysis import _scoring
from factormodel.analysis._explain import EVIDENCE_TEXT, citywide_explanations
from factormodel.analysis._scoring import EVIDENCE, EVIDENCE_DAMPING
from factormodel.analysis.indicators import (
    Profile,
    area_deltas,
    check_profile,
    deltas_frame,
    label_pair,
    load_indicators,
)
from factormodel.core import units
from factormodel.core.effects import check_alpha, strongest_paths, total_effects
from factormodel.core.model import FactorModel
from factormodel.core.propagate import propagate
from factormodel.errors import InvalidParameterError, Message
from factormodel.tables._html import frame_html
from factormodel.tables._json import json_safe
from factormodel.tables._results import Result, check_lang, provenance_of
from factormodel.text import numbers as fmt


def _score(x: float, lang: str) -> str:
    return fmt.number(x, 3, lang, significant=True)


__all__ = ["EVIDENCE", "EVIDENCE_DAMPING", "Recommendation", "factor_gains", "gap_effects",
           "recommend", "sparse_outcome_notes"]


@dataclass(frozen=True, repr=False)
class Recommendation(Result):
    """The ranking of target factors from :func:`recommend`, with what it rests on.

    The table is the result; the notes, provenance and assumptions say how to read it.
    The read-only DataFrame idioms of the table work on the result itself
    (``rec["factor"]``, ``rec[rec["status"] == "recommended"]``, ``rec.loc[0, "rank"]``,
    ``rec.iloc[0]``, ``len(rec)``, ``rec.columns``, ``rec.head()``, ``rec.itertuples()``);
    anything else goes through ``rec.table`` (or ``rec.to_frame()``, a copy).

    Attributes
    ----------
    table : DataFrame
        The ranked factors (columns: see :func:`recommend`); city-wide (``area`` None)
        one block of rows per area with an ``area`` column.
    model : FactorModel
    area : str or None
        The area ranked; None for a city-wide ranking of every area.
    goals : dict
        Goal node -> priority, as the ranking used them.
    top : int
    alpha : float
    notes : list of dict
        Disclosures with ``"nl"`` and ``"en"`` texts: a chosen outcome with few incoming
        links (:func:`sparse_outcome_notes`, e.g. the ctc model's depression & anxiety) and
        a chosen goal that is itself a factor (not ranked as its own lever).
    provenance : dict
        What the ranking was computed from: area, year, reference, synthetic data
        (:meth:`factormodel.Profile.provenance`); empty for plain deltas.
    assumptions : list of str
        The profile's assumptions (e.g. which indicator catalogue was used).

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> prof = pd.Series({"opvoedklimaat": -1.0, "schoolverzuim": 0.5})
    >>> rec = fm.recommend(fm.load_model("toy"), prof, {"vsv": 1.0}, area="A")
    >>> rec.ranked["factor"].tolist(), rec.area, rec.goals
    (['schoolverzuim', 'opvoedklimaat'], 'A', {'vsv': 1.0})
    >>> rec["status"].tolist()[-1]  # the table's columns, read from the result
    'not measured'
    >>> print(rec.summary("en"))  # doctest: +NORMALIZE_WHITESPACE
    Ranking of target factors for A (goals: early school leaving), model toy: 1. school
    absenteeism (score 0.061), 2. positive parenting climate (score 0.016). 1 factor that
    would help is not measured.
    """

    table: pd.DataFrame
    model: FactorModel = field(repr=False)
    area: str | None
    goals: dict[str, float]
    top: int
    alpha: float
    notes: list[dict[str, str]] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)

    # ---- the table's read-only idioms (a Recommendation is not a DataFrame)
    def __getitem__(self, key: Any) -> Any:
        return self.table[key]

    def __len__(self) -> int:
        return len(self.table)

    @property
    def loc(self) -> Any:
        """``table.loc``."""
        return self.table.loc

    @property
    def iloc(self) -> Any:
        """``table.iloc``."""
        return self.table.iloc

    @property
    def columns(self) -> pd.Index:
        """``table.columns``."""
        return self.table.columns

    @property
    def empty(self) -> bool:
        """True when nothing was ranked or flagged."""
        return self.table.empty

    def head(self, n: int = 5) -> pd.DataFrame:
        """The first ``n`` rows of the table."""
        return self.table.head(n)

    def itertuples(self, index: bool = True, name: str | None = "Pandas") -> Iterator[Any]:
        """``table.itertuples``."""
        return self.table.itertuples(index=index, name=name)

    # ---- result protocol
    @property
    def ranked(self) -> pd.DataFrame:
        """The rows with status ``recommended`` (city-wide: every row)."""
        if "status" not in self.table:
            return self.table
        return self.table[self.table["status"] == "recommended"]

    @property
    def synthetic(self) -> bool:
        """True when the ranking was computed from synthetic data."""
        return bool(self.provenance.get("synthetic", False))

    def to_frame(self) -> pd.DataFrame:
        """The ranking table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the ranking as ``factors`` (records), goals, notes, provenance and
        assumptions."""
        return json_safe({"model": self.model.name, "area": self.area, "goals": self.goals,
                          "top": self.top, "alpha": self.alpha, "factors": self.table,
                          "notes": self.notes, "provenance": self.provenance,
                          "assumptions": self.assumptions, "synthetic": self.synthetic})

    def summary(self, lang: str = "nl") -> str:
        """The ranking in one or two sentences in Dutch (``"nl"``) or English (``"en"``),
        with its notes and a SYNTHETIC warning."""
        nl = check_lang(lang) == "nl"
        labels = self.model.nodes[f"label_{lang}"]
        goals = ", ".join(str(labels.get(g, g)) for g in self.goals)
        if self.area is None:
            areas = self.table["area"].nunique() if "area" in self.table else 0
            head = (f"Rangorde van aangrijpingspunten voor {areas} gebieden (doelen: {goals}), "
                    f"model {self.model.name}" if nl else
                    f"Ranking of target factors for {areas} areas (goals: {goals}), model "
                    f"{self.model.name}")
            firsts = self.table[self.table["rank"] == 1]["factor"].value_counts()
            if len(firsts):
                f = firsts.index[0]
                head += (f": {labels.get(f, f)} staat in {firsts.iloc[0]} gebieden bovenaan."
                         if nl else f": {labels.get(f, f)} comes first in {firsts.iloc[0]} "
                         "areas.")
            else:
                head += ": geen factor verbetert de doelen." if nl else \
                    ": no factor improves the goals."
            out = [head]
        else:
            ranked = self.ranked
            ref = self.provenance.get(f"reference_{lang}")
            against = "" if not ref else (f" tegenover {ref}" if nl else f" against {ref}")
            head = (f"Rangorde van aangrijpingspunten voor {self.area}{against} (doelen: "
                    f"{goals}), model {self.model.name}" if nl else
                    f"Ranking of target factors for {self.area}{against} (goals: {goals}), "
                    f"model {self.model.name}")
            if len(ranked):
                items = ", ".join(f"{rank}. {labels.get(f, f)} (score {_score(score, lang)})"
                                  for rank, f, score in zip(
                                      ranked["rank"].astype(int).tolist(),
                                      ranked["factor"].astype(str).tolist(),
                                      ranked["score"].astype(float).tolist(), strict=True))
                out = [f"{head}: {items}."]
            else:
                out = [f"{head}: geen factor ligt aan de verkeerde kant van de referentie en "
                       "helpt de doelen." if nl else f"{head}: no factor is on the wrong side "
                       "of the reference and helps the goals."]
            unmeasured = int((self.table["status"] == "not measured").sum())
            if unmeasured:
                one = unmeasured == 1
                out.append(("1 factor die zou helpen is niet gemeten." if one else
                            f"{unmeasured} factoren die zouden helpen zijn niet gemeten.") if nl
                           else ("1 factor that would help is not measured." if one else
                                 f"{unmeasured} factors that would help are not measured."))
        out += [n[lang] for n in self.notes]
        if self.synthetic:
            out.append("SYNTHETISCHE gegevens, geen metingen." if nl else
                       "SYNTHETIC data, not measurements.")
        return " ".join(out)

    def __repr__(self) -> str:
        where = "every area" if self.area is None else repr(self.area)
        return (f"<Recommendation for {where} with {self.model.name}: {len(self.ranked)} "
                f"ranked row(s), {len(self.table)} in all, {len(self.notes)} note(s)"
                f"{', SYNTHETIC data' if self.synthetic else ''}>")

    def _repr_html_(self) -> str:
        return frame_html(repr(self).strip("<>"), self.table,
                          " ".join(n["en"] for n in self.notes))

def factor_gains(model: FactorModel, outcomes: Mapping[str, float] | Iterable[str], *,
                 alpha: float = 1.0) -> pd.DataFrame:
    """Gain and evidence of every factor for the chosen outcomes (see module docstring).

    Returns
    -------
    DataFrame
        Indexed by factor: ``gain``, ``evidence``, ``modifiable``, and one
        column ``gain_<outcome>`` per chosen outcome. A factor that is itself
        a chosen outcome gets no gain for that outcome (it is not its own lever;
        ``_scoring.own_goal``).

    Examples
    --------
    >>> import factormodel as fm
    >>> g = fm.factor_gains(fm.load_model("toy"), {"vsv": 1.0})
    >>> print(g[["gain", "evidence"]].round(4))  # e.g. one SD less verzuim: 0.5 SD less VSV
                      gain  evidence
    factor
    armoede           0.18    0.0645
    opvoedklimaat     0.20    0.0815
    schoolverzuim     0.50    0.2444
    schoolprestaties  0.40    0.3333
    """
    return _gain_table(model, _scoring.gains(model, outcomes, alpha=check_alpha(alpha)))


def _gain_table(model: FactorModel, g: _scoring.Gains) -> pd.DataFrame:
    """Gain per factor for the ranking, without a goal's term for itself
    (:func:`factormodel._scoring.own_goal`)."""
    own = _scoring.own_goal(np.arange(model.n_nodes), model.positions(list(g.goals)))
    per_goal = np.where(own, 0.0, g.per_goal)
    out = pd.DataFrame({"gain": per_goal.sum(axis=1), "evidence": g.evidence,
                        "modifiable": model.node_values("modifiable").to_numpy(dtype=bool)},
                       index=pd.Index(model.node_ids, name="factor"))
    for k, o in enumerate(g.goals):
        out[f"gain_{o}"] = per_goal[:, k]
    return out.loc[list(model.factors)]


def goal_factor_notes(model: FactorModel, goals: Iterable[str]) -> list[dict[str, str]]:
    """Notes for chosen goals that are themselves factors (not ranked as their own lever)."""
    goals = list(goals)
    out = []
    for o in goals:
        if o in model.factors:
            nl, en = str(model.nodes.loc[o, "label_nl"]), str(model.nodes.loc[o, "label_en"])
            if len(goals) > 1:  # it may be ranked, for its effect on the other goals only
                out.append({
                    "nl": f"'{nl}' is zelf een gekozen doel: in de rangorde telt het niet als "
                          "hefboom voor zichzelf; staat het erin, dan om zijn effect op de "
                          "andere doelen.",
                    "en": f"'{en}' is itself a chosen goal: the ranking does not count it as a "
                          "lever for itself; where it is ranked, that is for its effect on the "
                          "other goals."})
            else:
                out.append({
                    "nl": f"'{nl}' is zelf het gekozen doel: de rangorde toont de factoren die "
                          "het beïnvloeden, niet het doel zelf.",
                    "en": f"'{en}' is itself the chosen goal: the ranking shows the factors that "
                          "move it, not the goal itself."})
    return out


def recommend(model: FactorModel, profile: Profile | pd.DataFrame | pd.Series,
              outcomes: Any, *, area: Any = None, top: int = 5,
              alpha: float = 1.0, indicators: pd.DataFrame | None = None,
              explain: bool = False) -> Recommendation:
    """Rank the modifiable factors an area's interventions should target.

    Parameters
    ----------
    model : FactorModel
    profile : DataFrame (areas x nodes) or Series (one area)
        From :func:`factormodel.profile`; deltas in SD against a reference.
    outcomes : list of Goal, mapping node -> priority, or list of nodes
        The goals (maatschappelijke resultaten) the area chose: any node,
        outcome or factor (e.g. schoolverzuim), or indicator, by id or label;
        a :class:`~factormodel.Goal` with a change sets the direction by its
        sign, otherwise it comes from the node.
    area : label, optional
        The area (row of ``profile``). Without it and with a DataFrame, every
        area is ranked at once (city-wide mode, no explanations).
    top : int
        How many ranked factors to return (per area); unmeasured factors with
        a positive gain are listed after them (at most ``top``), flagged.
    alpha : float
        Per-hop attenuation.
    indicators : DataFrame, optional
        Indicator catalogue, to state outcome contributions in indicator units
        in the explanations (by default the model's bundled catalogue, if any).
    explain : bool
        City-wide mode only: also give every ranked row its ``delta`` and the
        explanations ``explanation_nl`` / ``explanation_en``, the same texts as
        ``recommend(..., area=a)`` gives, built for all areas at once (an area's
        own ranking always has them).

    Returns
    -------
    Recommendation
        Its ``table``: ``rank`` (whole numbers; ``<NA>`` for unmeasured factors), ``factor,
        status, score, expected_improvement, room, gain, evidence, delta,
        label_nl, label_en``, the strongest path to each chosen
        outcome (``path_<outcome>``) and ``explanation_nl`` / ``explanation_en``
        (one sentence per goal: the factor's total effect on it, in the goal
        indicator's unit, and how much of that total the strongest path carries).
        City-wide mode: ``area, rank, factor, score, expected_improvement,
        room, gain, evidence`` (with ``explain=True`` also ``delta``,
        ``explanation_nl``, ``explanation_en``). Its ``notes`` disclose sparse
        outcomes and goals that are factors; ``provenance`` and ``assumptions`` say
        what it was computed from.

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> toy = fm.load_model("toy")
    >>> prof = pd.Series({"opvoedklimaat": -1.0, "schoolverzuim": 0.5, "schoolprestaties": 0.2})
    >>> rec = fm.recommend(toy, prof, {"vsv": 1.0}, area="Oud-Crooswijk")
    >>> print(rec.table[["rank", "factor", "room", "gain", "evidence", "score"]].round(4))
       rank         factor  room  gain  evidence   score
    0     1  schoolverzuim   0.5   0.5    0.2444  0.0611
    1     2  opvoedklimaat   1.0   0.2    0.0815  0.0163
    >>> print(rec.table.loc[0, "explanation_en"])  # doctest: +NORMALIZE_WHITESPACE
    school absenteeism in Oud-Crooswijk is 0.50 SD between children above the reference. This
    raises early school leaving by 0.25 SD (about 1.19 percentage points new early school
    leavers); the
    strongest path is school absenteeism → early school leaving and carries +0.15 SD of the
    total +0.25 SD.
    Bringing it back to the reference would improve the chosen outcomes by an expected
    0.25 SD, priority-weighted (strength of evidence 24%: path weight weighted by the links'
    strength class (a class, often assumed, not a measured effect size), expert judgement
    counting as weak; how uncertain the weights themselves are, the Monte Carlo intervals
    show).

    A plain Series does not say what its deltas are measured against; a
    :class:`~factormodel.Profile` from :func:`factormodel.profile` does, and the
    explanations then name it (e.g. "the city average").
    """
    if not isinstance(top, int) or top < 1:
        raise InvalidParameterError(f"top must be a whole number >= 1, got {top!r}")
    check_profile(model, profile)  # transposed or without node columns: said, not empty
    g = _scoring.gains(model, outcomes, alpha=check_alpha(alpha))
    gains = _gain_table(model, g)
    mod = gains[gains["modifiable"]]
    sign = model.desired_sign.loc[mod.index].to_numpy(dtype=float)
    goals = list(g.goals)
    notes = sparse_outcome_notes(model, goals) + goal_factor_notes(model, goals)
    assumptions = list(profile.assumptions) if isinstance(profile, Profile) else []

    def made(table: pd.DataFrame, where: str | None) -> Recommendation:
        return Recommendation(table=table, model=model, area=where, goals=dict(g.goals), top=top,
                              alpha=float(alpha), notes=notes,
                              provenance=_provenance(profile, where), assumptions=assumptions)

    if not isinstance(profile, pd.Series) and area is None and len(deltas_frame(profile)) != 1:
        frame = deltas_frame(profile)
        ranking = _citywide(model, frame, mod, sign, top)
        if explain:
            at = (frame.index.get_indexer(pd.Index(ranking["area"])),
                  frame.columns.get_indexer(pd.Index(ranking["factor"])))
            ranking["delta"] = frame.to_numpy(dtype=float)[at]
            effects = pd.DataFrame(g.effects, index=model.node_ids, columns=list(g.goals))
            ranking["explanation_nl"], ranking["explanation_en"] = citywide_explanations(
                model, ranking, list(g.goals), effects, profile, alpha=check_alpha(alpha),
                indicators=indicators)
        return made(ranking, None)
    row, area = area_deltas(profile, area)
    delta = row.reindex(mod.index).astype(float)
    room = _scoring.room(sign, delta.to_numpy())
    gain = mod["gain"].to_numpy()
    expected = _scoring.expected_improvement(room, gain)
    score = _scoring.score(expected, mod["evidence"].to_numpy())
    status = np.select(
        [np.isnan(delta.to_numpy()), gain <= 0, room == 0],
        ["not measured", "does not help the chosen outcomes", "at or better than the reference"],
        default="recommended")
    nodes = model.nodes
    table = pd.DataFrame({
        "factor": mod.index, "status": status, "score": score, "expected_improvement": expected,
        "room": room, "gain": gain, "evidence": mod["evidence"].to_numpy(),
        "delta": delta.to_numpy(), "label_nl": nodes.loc[mod.index, "label_nl"].to_numpy(),
        "label_en": nodes.loc[mod.index, "label_en"].to_numpy()})
    ranked = table[table["status"] == "recommended"].sort_values("score", ascending=False,
                                                                kind="stable").head(top)
    ranked.insert(0, "rank", pd.array(np.arange(1, len(ranked) + 1), dtype="Int64"))
    unmeasured = table[(table["status"] == "not measured") & (table["gain"] > 0)] \
        .assign(potential=lambda t: t["gain"] * t["evidence"]) \
        .sort_values("potential", ascending=False, kind="stable").head(top) \
        .drop(columns="potential")
    unmeasured.insert(0, "rank", pd.array([pd.NA] * len(unmeasured), dtype="Int64"))
    out = pd.concat([ranked, unmeasured], ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")  # whole numbers; <NA> = not ranked (unmeasured)
    effects = pd.DataFrame(g.effects, index=model.node_ids, columns=list(g.goals))
    _add_paths(model, out, list(g.goals), check_alpha(alpha))
    _add_explanations(model, out, list(g.goals), str(area), profile, effects, indicators,
                      check_alpha(alpha))
    return made(out, str(area))


def _provenance(profile: Profile | pd.DataFrame | pd.Series, area: Any) -> dict[str, Any]:
    """What a recommendation was computed from (see ``Profile.provenance``)."""
    about = profile.provenance(area) if isinstance(profile, Profile) else provenance_of(profile)
    if area is None:  # city-wide: every area
        about.pop("area", None)
        return about
    return about | {"area": area}


def sparse_outcome_notes(model: FactorModel, outcomes: Iterable[str]) -> list[dict[str, str]]:
    """Disclosures for chosen outcomes with few incoming links (``{"nl": ..., "en": ...}``).

    An outcome with at most a third of the median number of incoming edges of the model's
    outcomes is *sparse*: factors without a link to it look irrelevant, while the link may
    only be unverified (the ctc model's depression & anxiety column keeps 2 verified cells).
    :func:`recommend` gives these as ``Recommendation.notes``; the CLI and
    :func:`factormodel.plot_recommendation` show them.

    Examples
    --------
    >>> import factormodel as fm
    >>> sparse_outcome_notes(fm.load_model("ctc"), ["depressie_angst"])[0]["en"][:42]
    'depressie_angst has only 2 incoming links '
    """
    e = model.edges
    counts = e[e["target"].isin(model.outcomes)].groupby("target").size() \
        .reindex(list(model.outcomes), fill_value=0)
    limit = counts.median() / 3
    notes = []
    for o in outcomes:
        n = int(counts.get(o, 0))
        if o in counts.index and n <= limit:
            notes.append({
                "nl": f"Let op: {o} heeft maar {n} inkomende verbinding{'en' if n != 1 else ''} "
                      f"(mediaan van de resultaten: {counts.median():g}). Factoren zonder "
                      "verbinding lijken onbelangrijk voor dit resultaat, maar een ontbrekende "
                      "verbinding betekent 'niet geverifieerd', niet 'geen effect'.",
                "en": f"{o} has only {n} incoming link{'s' if n != 1 else ''} (median of the "
                      f"outcomes: {counts.median():g}). Factors without a link look irrelevant "
                      "to it, but a missing link means 'not verified', not 'no effect'."})
    return notes


def _citywide(model: FactorModel, profile: pd.DataFrame, mod: pd.DataFrame, sign: np.ndarray,
              top: int) -> pd.DataFrame:
    """Scores for every area at once: (areas x factors) arrays, ranked per row."""
    delta = profile.reindex(columns=mod.index).to_numpy(dtype=float)
    room = _scoring.room(sign[None, :], delta)  # NaN stays NaN: unmeasured
    gain = mod["gain"].to_numpy()
    expected = _scoring.expected_improvement(room, gain[None, :])
    score = _scoring.score(expected, mod["evidence"].to_numpy()[None, :])
    usable = np.where(np.isnan(score) | (score <= 0), -np.inf, score)
    order = np.argsort(-usable, axis=1, kind="stable")[:, :top]
    rows = np.repeat(np.arange(len(profile)), order.shape[1])
    cols = order.ravel()
    keep = np.isfinite(usable[rows, cols])
    rows, cols = rows[keep], cols[keep]
    rank = (np.arange(order.shape[1])[None, :].repeat(len(profile), axis=0).ravel() + 1)[keep]
    return pd.DataFrame({
        "area": profile.index.to_numpy()[rows], "rank": rank,
        "factor": mod.index.to_numpy()[cols], "score": score[rows, cols],
        "expected_improvement": expected[rows, cols], "room": room[rows, cols],
        "gain": gain[cols], "evidence": mod["evidence"].to_numpy()[cols]})


def _add_paths(model: FactorModel, table: pd.DataFrame, outs: list[str], alpha: float) -> None:
    for o in outs:
        texts = []
        for f in table["factor"]:
            best = strongest_paths(model, f, o, top=1, alpha=alpha)
            texts.append(f"{best['path'].iloc[0]} ({float(best['product'].iloc[0]):+.3f})"
                         if len(best) else "")
        table[f"path_{o}"] = texts


def _nl(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def _add_explanations(model: FactorModel, table: pd.DataFrame, outs: list[str], area: str,
                      profile: Any, T: pd.DataFrame,
                      indicators: pd.DataFrame | None, alpha: float) -> None:
    """One sentence per chosen goal, so every goal is named in every explanation; path
    sentences say how much of the total the strongest path carries. Ranked rows use
    the one wording of :func:`factormodel._explain.citywide_explanations`."""
    if indicators is None and "indicators" in model.table_names:
        indicators = load_indicators(model)  # without a catalogue: no indicator units
    measured = (table["status"] != "not measured").to_numpy()
    nl = np.empty(len(table), dtype=object)
    en = np.empty(len(table), dtype=object)
    if measured.any():  # the one wording of ranked rows, shared with city-wide mode
        nl[measured], en[measured] = citywide_explanations(
            model, table[measured].assign(area=area), outs, T, profile,
            alpha=alpha, indicators=indicators)
    for i in np.flatnonzero(~measured):
        r = table.iloc[i]
        nl[i] = (f"{r.label_nl} is in {area} niet gemeten. Per SD verbetering zou het de "
                 f"gekozen resultaten naar verwachting met {_nl(r.gain)} SD verbeteren "
                 f"({_ev_nl(r.evidence)}).")
        en[i] = (f"{r.label_en} is not measured in {area}. Each SD of improvement would "
                 f"improve the chosen outcomes by an expected {r.gain:.2f} SD "
                 f"({_ev_en(r.evidence)}).")
    table["explanation_nl"] = list(nl)
    table["explanation_en"] = list(en)


def _ev_nl(evidence: float) -> str:
    return f"bewijssterkte {_nl(100 * evidence, 0)}%: {EVIDENCE_TEXT['nl']}"


def _ev_en(evidence: float) -> str:
    return f"strength of evidence {100 * evidence:.0f}%: {EVIDENCE_TEXT['en']}"


def gap_effects(model: FactorModel, profile: Profile | pd.DataFrame | pd.Series, goals: Any,
                factors: Any, *, area: Any = None, alpha: float = 1.0,
                indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """What closing each factor's gap does to each goal, alone and all together.

    *Alone*: the factor is brought back to the reference (held there) and
    nothing else is held: one clamped :func:`factormodel.propagate` per factor
    (``−delta_f · T[f, goal]`` when the factor is on no loop; on a loop, held
    at the reference it does not feed back on itself). *Together*:
    every listed factor is brought back at once (one clamped
    :func:`factormodel.propagate`). Together is not the sum of alone when one
    listed factor acts through another: held at its reference, the second one
    no longer passes on the first one's effect, so that route counts once, not
    twice. The ``why`` column says which factors overlap (a coded message: English text,
    worded in Dutch by the text layer).

    Parameters
    ----------
    factors : list of str, or a Recommendation from :func:`recommend`
        The factors whose gaps are closed (a recommendation: its ranked ones).

    Returns
    -------
    DataFrame
        Per goal: one row per factor (``way="alone"``), one ``"sum of alone"``
        and one ``"together"``: ``goal, way, factor, change_sd, change,
        unit, indicator, why``.

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> toy = fm.load_model("toy")
    >>> prof = pd.Series({"opvoedklimaat": -1.0, "schoolverzuim": 0.5})
    >>> t = fm.gap_effects(toy, prof, ["vsv"], ["schoolverzuim", "opvoedklimaat"])
    >>> t[["way", "factor", "change_sd"]].round(3)
                way         factor  change_sd
    0         alone  schoolverzuim      -0.25
    1         alone  opvoedklimaat      -0.20
    2  sum of alone                     -0.45
    3      together                     -0.25
    """
    if isinstance(factors, Recommendation):
        factors = factors.table
    if isinstance(factors, pd.DataFrame):
        factors = factors.loc[factors["status"] == "recommended", "factor"].tolist()
    factors = [str(f) for f in factors]
    if not factors:
        raise InvalidParameterError("gap_effects needs at least one factor")
    model.positions(factors)
    g = _scoring.gains(model, goals, alpha=check_alpha(alpha))
    row, area = area_deltas(profile, area)
    delta = row.reindex(factors).astype(float)
    missing = [f for f in factors if np.isnan(delta[f])]
    if missing:
        raise InvalidParameterError(f"not measured in {area}: {', '.join(missing)}; "
                                    "a gap can only be closed where it is known")
    closed = {f: -float(delta[f]) for f in factors}
    # one scenario (a mapping): a Series of every node's change
    together = cast(pd.Series, propagate(model, closed, alpha=alpha).deltas)
    # alone: the same clamped solve with only that factor held (one scenario per factor), so
    # a factor on a loop is held at its reference alone too, not left to feed back on itself
    each = pd.DataFrame(np.diag([closed[f] for f in factors]), index=factors, columns=factors
                        ).where(np.eye(len(factors), dtype=bool))
    alone_all = propagate(model, each, alpha=alpha, missing="free").deltas
    if indicators is None and "indicators" in model.table_names:
        indicators = load_indicators(model)
    labels = model.nodes
    between = total_effects(model, alpha=alpha, targets=factors)
    overlap = [(a, b) for a in factors for b in factors
               if a != b and abs(float(between.loc[a, b])) > 1e-12]
    rows = []
    for o in g.goals:
        alone = {f: float(alone_all.loc[f, o]) for f in factors}
        total = sum(alone.values())
        joint = float(together.loc[o])
        # without an overlap the clamped solves add up exactly (up to rounding)
        if not overlap or abs(total - joint) <= 1e-9 * max(1.0, abs(joint)):
            why = Message("together equals the sum here: none of the factors acts through "
                          "another", "gap_sum")
        else:
            pairs = [Message(f"{labels.loc[a, 'label_en']} acts (partly) through "
                             f"{labels.loc[b, 'label_en']}", "gap_acts_through",
                             {"factor": [label_pair(labels, a)], "via": [label_pair(labels, b)]})
                     for a, b in overlap[:3]]
            more = (Message(f" (and {len(overlap) - 3} more)", "gap_and_more",
                            {"n": len(overlap) - 3}) if len(overlap) > 3 else "")
            why = Message(f"together is not the sum: {'; '.join(pairs)}{more}. Closing the gaps "
                          "together holds the second factor at the reference, so the route "
                          "through it counts once, not twice", "gap_not_sum",
                          {"pairs": pairs, "more": more})
        for way, factor, sd in [*[("alone", f, alone[f]) for f in factors],
                                ("sum of alone", "", total), ("together", "", joint)]:
            rows.append({"goal": o, "way": way, "factor": factor, "change_sd": sd,
                         "why": why if way == "together" else ""})
    out = pd.DataFrame(rows)
    # in the goal indicator's unit, at the area's own level (the one conversion)
    first = (indicators.reset_index().drop_duplicates("node").set_index("node")["id"]
             if indicators is not None else pd.Series(dtype=object))
    ind = out["goal"].map(first).astype(object).fillna("").to_numpy(dtype=object)
    out.insert(4, "change", np.nan)
    out.insert(5, "unit", "")
    out.insert(6, "indicator", ind)
    has = ind != ""
    if indicators is not None and has.any():  # a catalogue gave the goals indicators
        cat = indicators.loc[ind[has]]
        level, _ = units.current_levels(indicators, ind[has], np.full(int(has.sum()), area, object),
                                  profile if isinstance(profile, Profile) else None)
        out.loc[has, "change"] = units.to_units(units.Measures.of(cat),
                                                out.loc[has, "change_sd"].to_numpy(float), level)
        out.loc[has, "unit"] = [units.unit_name(u) for u in cat["unit"]]
    return out

