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

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import _scoring
from ._explain import citywide_explanations
from ._scoring import EVIDENCE, EVIDENCE_DAMPING
from .effects import check_alpha, strongest_paths
from .errors import InvalidParameterError
from .indicators import Profile, area_deltas, deltas_frame, load_indicators, reference_name
from .model import FactorModel

__all__ = ["EVIDENCE", "EVIDENCE_DAMPING", "factor_gains", "recommend", "sparse_outcome_notes"]

def factor_gains(model: FactorModel, outcomes: Mapping[str, float] | Iterable[str], *,
                 alpha: float = 1.0) -> pd.DataFrame:
    """Gain and evidence of every factor for the chosen outcomes (see module docstring).

    Returns
    -------
    DataFrame
        Indexed by factor: ``gain``, ``evidence``, ``modifiable``, and one
        column ``gain_<outcome>`` per chosen outcome.

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
    out = pd.DataFrame({"gain": g.gain, "evidence": g.evidence,
                        "modifiable": model.node_values("modifiable").to_numpy(dtype=bool)},
                       index=pd.Index(model.node_ids, name="factor"))
    for k, o in enumerate(g.goals):
        out[f"gain_{o}"] = g.per_goal[:, k]
    return out.loc[list(model.factors)]


def recommend(model: FactorModel, profile: Profile | pd.DataFrame | pd.Series,
              outcomes: Mapping[str, float] | Iterable[str], *, area: Any = None, top: int = 5,
              alpha: float = 1.0, indicators: pd.DataFrame | None = None,
              explain: bool = False) -> pd.DataFrame:
    """Rank the modifiable factors an area's interventions should target.

    Parameters
    ----------
    model : FactorModel
    profile : DataFrame (areas x nodes) or Series (one area)
        From :func:`factormodel.profile`; deltas in SD against a reference.
    outcomes : mapping node -> priority, or list of nodes
        The goals (maatschappelijke resultaten) the area chose: any node,
        outcome or factor (e.g. schoolverzuim); the desired direction comes from
        the node.
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
    DataFrame
        ``rank, factor, status, score, expected_improvement, room, gain,
        evidence, delta, label_nl, label_en``, the strongest path to each chosen
        outcome (``path_<outcome>``) and ``explanation_nl`` / ``explanation_en``.
        City-wide mode: ``area, rank, factor, score, expected_improvement,
        room, gain, evidence`` (with ``explain=True`` also ``delta``,
        ``explanation_nl``, ``explanation_en``).

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> toy = fm.load_model("toy")
    >>> prof = pd.Series({"opvoedklimaat": -1.0, "schoolverzuim": 0.5, "schoolprestaties": 0.2})
    >>> rec = fm.recommend(toy, prof, {"vsv": 1.0}, area="Oud-Crooswijk")
    >>> print(rec[["rank", "factor", "room", "gain", "evidence", "score"]].round(4))
       rank         factor  room  gain  evidence   score
    0   1.0  schoolverzuim   0.5   0.5    0.2444  0.0611
    1   2.0  opvoedklimaat   1.0   0.2    0.0815  0.0163
    >>> print(rec.loc[0, "explanation_en"])  # doctest: +NORMALIZE_WHITESPACE
    school absenteeism in Oud-Crooswijk is 0.50 SD above the reference. Via schoolverzuim
    → vsv this raises early school leaving by 0.25 SD (about 0.20 percentage points % new early
    school leavers). Bringing it back to the reference would improve the chosen outcomes by
    an expected 0.25 SD (strength of evidence 24%: path weight weighted by strength class,
    expert judgement counting as weak).

    A plain Series does not say what its deltas are measured against; a
    :class:`~factormodel.Profile` from :func:`factormodel.profile` does, and the
    explanations then name it (e.g. "the city average").
    """
    if not isinstance(top, int) or top < 1:
        raise InvalidParameterError(f"top must be a whole number >= 1, got {top!r}")
    g = _scoring.gains(model, outcomes, alpha=check_alpha(alpha))
    gains = _gain_table(model, g)
    mod = gains[gains["modifiable"]]
    sign = model.desired_sign.loc[mod.index].to_numpy(dtype=float)
    if not isinstance(profile, pd.Series) and area is None and len(deltas_frame(profile)) != 1:
        frame = deltas_frame(profile)
        ranking = _citywide(model, frame, mod, sign, top)
        if explain:
            at = (frame.index.get_indexer(ranking["area"]),
                  frame.columns.get_indexer(ranking["factor"]))
            ranking["delta"] = frame.to_numpy(dtype=float)[at]
            effects = pd.DataFrame(g.effects, index=model.node_ids, columns=list(g.goals))
            ranking["explanation_nl"], ranking["explanation_en"] = citywide_explanations(
                model, ranking, list(g.goals), effects, profile, alpha=check_alpha(alpha),
                indicators=indicators)
        return ranking
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
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1, dtype=float))
    unmeasured = table[(table["status"] == "not measured") & (table["gain"] > 0)] \
        .assign(potential=lambda t: t["gain"] * t["evidence"]) \
        .sort_values("potential", ascending=False, kind="stable").head(top) \
        .drop(columns="potential")
    unmeasured.insert(0, "rank", np.nan)
    out = pd.concat([ranked, unmeasured], ignore_index=True)
    effects = pd.DataFrame(g.effects, index=model.node_ids, columns=list(g.goals))
    _add_paths(model, out, list(g.goals), check_alpha(alpha))
    _add_explanations(model, out, list(g.goals), str(area), profile, effects, indicators)
    out.attrs["notes"] = sparse_outcome_notes(model, list(g.goals))
    return out


def sparse_outcome_notes(model: FactorModel, outcomes: Iterable[str]) -> list[dict[str, str]]:
    """Disclosures for chosen outcomes with few incoming links (``{"nl": ..., "en": ...}``).

    An outcome with at most a third of the median number of incoming edges of the model's
    outcomes is *sparse*: factors without a link to it look irrelevant, while the link may
    only be unverified (the ctc model's depression & anxiety column keeps 2 verified cells).
    :func:`recommend` stores these in ``attrs["notes"]``; the CLI and
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
            texts.append(f"{best.loc[0, 'path']} ({best.loc[0, 'product']:+.3f})"
                         if len(best) else "")
        table[f"path_{o}"] = texts


def _nl(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def _add_explanations(model: FactorModel, table: pd.DataFrame, outs: list[str], area: str,
                      profile: Any, T: pd.DataFrame,
                      indicators: pd.DataFrame | None) -> None:
    ref_nl, ref_en = reference_name(profile, "nl"), reference_name(profile, "en")
    if indicators is None and "indicators" in model.table_names:
        indicators = load_indicators(model)  # without a catalogue: no indicator units
    labels = model.nodes
    nl, en = [], []
    for r in table.itertuples():
        f = r.factor
        if r.status == "not measured":
            nl.append(f"{r.label_nl} is in {area} niet gemeten. Per SD verbetering zou het de "
                      f"gekozen resultaten naar verwachting met {_nl(r.gain)} SD verbeteren "
                      f"({_ev_nl(r.evidence)}).")
            en.append(f"{r.label_en} is not measured in {area}. Each SD of improvement would "
                      f"improve the chosen outcomes by an expected {r.gain:.2f} SD "
                      f"({_ev_en(r.evidence)}).")
            continue
        side_nl = "boven" if r.delta > 0 else "onder"
        side_en = "above" if r.delta > 0 else "below"
        contrib = {o: r.delta * T.loc[f, o] for o in outs}
        o = max(contrib, key=lambda k: abs(contrib[k]))
        path = getattr(r, f"path_{o}").rsplit(" (", 1)[0]
        unit_nl = unit_en = ""
        if indicators is not None and o in set(indicators["node"]):
            ind = indicators[indicators["node"] == o].iloc[0]
            change = contrib[o] * ind["scale"] * ind["direction"]
            u_en = "percentage points" if ind["unit"] == "%" else ind["unit"]
            u_nl = "procentpunt" if ind["unit"] == "%" else ind["unit"]
            unit_nl = f" (ongeveer {_nl(abs(change))} {u_nl} {ind['label_nl']})"
            unit_en = f" (about {abs(change):.2f} {u_en} {ind['label_en']})"
        verb_nl = "verhoogt" if contrib[o] > 0 else "verlaagt"
        verb_en = "raises" if contrib[o] > 0 else "lowers"
        o_nl, o_en = labels.loc[o, "label_nl"], labels.loc[o, "label_en"]
        nl.append(f"{r.label_nl} ligt in {area} {_nl(abs(r.delta))} SD {side_nl} {ref_nl}. Via "
                  f"{path} {verb_nl} dit {o_nl} met {_nl(abs(contrib[o]))} SD{unit_nl}. Terug "
                  f"naar {ref_nl} verbetert de gekozen resultaten naar verwachting met "
                  f"{_nl(r.expected_improvement)} SD ({_ev_nl(r.evidence)}).")
        en.append(f"{r.label_en} in {area} is {abs(r.delta):.2f} SD {side_en} {ref_en}. Via "
                  f"{path} this {verb_en} {o_en} by {abs(contrib[o]):.2f} SD{unit_en}. Bringing "
                  f"it back to {ref_en} would improve the chosen outcomes by an expected "
                  f"{r.expected_improvement:.2f} SD ({_ev_en(r.evidence)}).")
    table["explanation_nl"] = nl
    table["explanation_en"] = en


def _ev_nl(evidence: float) -> str:
    return (f"bewijssterkte {_nl(100 * evidence, 0)}%: padgewicht gewogen naar sterkteklasse, "
            "expertoordeel telt als zwak")


def _ev_en(evidence: float) -> str:
    return (f"strength of evidence {100 * evidence:.0f}%: path weight weighted by strength "
            "class, expert judgement counting as weak")
