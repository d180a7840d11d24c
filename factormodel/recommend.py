"""Which factors should interventions in an area target, for the outcomes it chose?

For the chosen outcomes ``o`` with priorities ``p_o`` and desired signs ``s_o``
(+1 if higher is better, -1 if lower is better), and a modifiable factor ``f``
with desired sign ``d_f`` (-1 for a risk factor, +1 for a protective one):

* **gain** ``= d_f · Σ_o p_o · s_o · T[f, o]`` -- the priority-weighted
  improvement of the chosen outcomes (SD) per SD that ``f`` moves in its good
  direction (the *leverage*, turned the right way). ``T`` = total effects.
* **room** ``= max(0, −d_f · Δ_f)`` -- how far the area is on the wrong side
  of its reference (SD), from its profile. NaN when ``f`` is not measured there:
  flagged, never guessed.
* **evidence** ``= Σ_o p_o T_E[f, o] / Σ_o p_o T_|W|[f, o]`` -- the share of the
  factor's unsigned path weight to the chosen outcomes that survives discounting
  every edge by its strength class (sterk 1, matig 2/3, zwak 1/3); an edge whose
  source is ``expert judgement`` counts as zwak whatever its class. 1 when every
  path runs over ``sterk`` edges with a published source.
* **expected improvement** ``= room · max(gain, 0)`` -- what closing the gap to
  the reference would do for the chosen outcomes, in SD.
* **score** ``= expected improvement · evidence``.

Non-modifiable factors (context such as household poverty) are never
recommended, but they stay in the model and shape every total effect.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import _linalg, vocab
from .effects import check_alpha
from .errors import InvalidParameterError, UnknownAreaError, close_matches
from .model import FactorModel
from .propagate import _strongest_paths

__all__ = ["EVIDENCE", "factor_gains", "recommend", "sparse_outcome_notes"]

#: Evidence value of an edge per strength class; an expert-judgement edge counts as zwak.
EVIDENCE = {"sterk": 1.0, "matig": 2.0 / 3.0, "zwak": 1.0 / 3.0}


_REFERENCE_NL = {"city": "het stedelijk gemiddelde", "previous_year": "vorig jaar",
                 "target": "de doelwaarde"}
_REFERENCE_EN = {"city": "the city average", "previous_year": "last year",
                 "target": "the target"}


def _priorities(model: FactorModel, outcomes: Mapping[str, float] | Iterable[str]
                ) -> dict[str, float]:
    prio = ({str(k): float(v) for k, v in outcomes.items()} if isinstance(outcomes, Mapping)
            else dict.fromkeys(map(str, outcomes), 1.0))
    if not prio:
        raise InvalidParameterError("choose at least one outcome")
    model.positions(list(prio))
    kind = model._nodes["kind"]
    not_outcomes = [k for k in prio if kind[k] != "outcome"]
    if not_outcomes:
        raise InvalidParameterError(f"not outcomes: {', '.join(not_outcomes)}; choose from "
                                    f"{', '.join(model.outcomes)}")
    bad = [k for k, v in prio.items() if not (math.isfinite(v) and v > 0)]
    if bad:
        raise InvalidParameterError(f"priorities must be numbers above 0: {', '.join(bad)}")
    return prio


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
    alpha = check_alpha(alpha)
    prio = _priorities(model, outcomes)
    cols = model.positions(list(prio))
    W = _linalg.weights(model)
    what = f"total effects of model {model.name!r}"
    _linalg.check_convergence(W, alpha, model.node_ids, what)
    T = _linalg.total_effect_columns(W, alpha, cols, (model.node_ids, what))
    p = np.array(list(prio.values()))
    s = model.desired_sign.to_numpy(dtype=float)
    d = s  # a factor's desired sign comes from its kind, like an outcome's
    per_outcome = d[:, None] * (T * (p * s[cols])[None, :])
    absW = abs(W).tocsr()
    strength = np.where(model._edges["source_ref"] == vocab.EXPERT_JUDGEMENT, EVIDENCE["zwak"],
                        model._edges["strength"].map(EVIDENCE).to_numpy())
    src = model.positions(model._edges["source"])
    dst = model.positions(model._edges["target"])
    E = sp.csr_matrix((np.abs(model._edges["weight"].to_numpy()) * strength, (src, dst)),
                      shape=W.shape)
    _linalg.check_convergence(absW, alpha, model.node_ids, "unsigned path weights")
    T_abs = _linalg.total_effect_columns(absW, alpha, cols, (model.node_ids, what)) @ p
    T_e = _linalg.total_effect_columns(E, alpha, cols, (model.node_ids, what)) @ p
    with np.errstate(invalid="ignore", divide="ignore"):
        evidence = np.where(T_abs > 0, T_e / T_abs, np.nan)
    out = pd.DataFrame({"gain": per_outcome.sum(axis=1), "evidence": evidence,
                        "modifiable": model._nodes["modifiable"].to_numpy()},
                       index=pd.Index(model.node_ids, name="factor"))
    for k, o in enumerate(prio):
        out[f"gain_{o}"] = per_outcome[:, k]
    return out.loc[list(model.factors)]


def _row(profile: pd.DataFrame | pd.Series, area: Any) -> tuple[pd.Series, Any]:
    if isinstance(profile, pd.Series):
        return profile, area if area is not None else profile.name
    if area not in profile.index:
        raise UnknownAreaError(f"no area {area!r} in the profile; "
                               f"{close_matches(str(area), [str(a) for a in profile.index])}")
    return profile.loc[area], area


def recommend(model: FactorModel, profile: pd.DataFrame | pd.Series,
              outcomes: Mapping[str, float] | Iterable[str], *, area: Any = None, top: int = 5,
              alpha: float = 1.0, indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rank the modifiable factors an area's interventions should target.

    Parameters
    ----------
    model : FactorModel
    profile : DataFrame (areas x nodes) or Series (one area)
        From :func:`factormodel.profile`; deltas in SD against a reference.
    outcomes : mapping outcome -> priority, or list of outcomes
        The maatschappelijke resultaten the area chose; the desired direction
        comes from each outcome.
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

    Returns
    -------
    DataFrame
        ``rank, factor, status, score, expected_improvement, room, gain,
        evidence, delta, label_nl, label_en``, the strongest path to each chosen
        outcome (``path_<outcome>``) and ``explanation_nl`` / ``explanation_en``.
        City-wide mode: ``area, rank, factor, score, expected_improvement,
        room, gain, evidence``.

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
    school absenteeism in Oud-Crooswijk is 0.50 SD above the city average. Via schoolverzuim
    → vsv this raises early school leaving by 0.25 SD (about 0.20 percentage points % new early
    school leavers). Bringing it back to the city average would improve the chosen outcomes by
    an expected 0.25 SD (strength of evidence 24%: path weight weighted by strength class,
    expert judgement counting as weak).
    """
    if not isinstance(top, int) or top < 1:
        raise InvalidParameterError(f"top must be a whole number >= 1, got {top!r}")
    gains = factor_gains(model, outcomes, alpha=alpha)
    mod = gains[gains["modifiable"]]
    sign = model.desired_sign.loc[mod.index].to_numpy(dtype=float)
    if isinstance(profile, pd.DataFrame) and area is None:
        return _citywide(model, profile, mod, sign, top)
    row, area = _row(profile, area)
    delta = row.reindex(mod.index).astype(float)
    room = np.maximum(0.0, -sign * delta.to_numpy())
    gain = mod["gain"].to_numpy()
    expected = room * np.maximum(gain, 0.0)
    score = expected * np.nan_to_num(mod["evidence"].to_numpy())
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
    prio = _priorities(model, outcomes)
    _add_paths(model, out, list(prio), alpha)
    _add_explanations(model, out, list(prio), str(area), getattr(profile, "attrs", {}),
                      alpha, indicators)
    out.attrs["notes"] = sparse_outcome_notes(model, list(prio))
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
    room = np.maximum(0.0, -sign[None, :] * delta)  # NaN stays NaN: unmeasured
    gain = mod["gain"].to_numpy()
    expected = room * np.maximum(gain, 0.0)[None, :]
    score = expected * np.nan_to_num(mod["evidence"].to_numpy())[None, :]
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
    W = _linalg.weights(model)
    names = model.node_ids
    for o in outs:
        target = int(model.positions([o])[0])
        texts = []
        for f in table["factor"]:
            best = _strongest_paths(W, alpha, int(model.positions([f])[0]), target, 1, None)
            texts.append(" → ".join(names[i] for i in best[0][0]) + f" ({best[0][1]:+.3f})"
                         if best else "")
        table[f"path_{o}"] = texts


def _nl(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def _add_explanations(model: FactorModel, table: pd.DataFrame, outs: list[str], area: str,
                      attrs: Mapping[str, Any], alpha: float,
                      indicators: pd.DataFrame | None) -> None:
    ref = attrs.get("reference", "city")
    ref_nl, ref_en = _REFERENCE_NL.get(ref, ref), _REFERENCE_EN.get(ref, ref)
    if indicators is None:
        try:
            from .io import load_indicators

            indicators = load_indicators(model)
        except Exception:  # no catalogue: explanations without indicator units
            indicators = None
    T = pd.DataFrame(_linalg.total_effect_columns(_linalg.weights(model), alpha,
                                                  model.positions(outs)),
                     index=model.node_ids, columns=outs)
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
