"""Words of the command line's tables and messages in Dutch and English (private).

Dutch is the default language of the command line (``--lang nl``). JSON and
plain ``csv`` keep the stable English column keys (programs read them); the
table, ``csv-nl`` and ``xlsx`` outputs, which people read, use these headers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

__all__ = ["HEADERS", "header", "money", "number", "phrase", "reason", "source",
           "translate_frame"]

#: Column headers: key -> (Dutch, English).
HEADERS: dict[str, tuple[str, str]] = {
    "area": ("gebied", "area"),
    "node": ("knoop", "node"),
    "kind": ("soort", "kind"),
    "delta_sd": ("verschil (SD)", "difference (SD)"),
    "index": ("index", "index"),
    "measured": ("gemeten", "measured"),
    "label": ("omschrijving", "label"),
    "rank": ("rang", "rank"),
    "factor": ("factor", "factor"),
    "status": ("status", "status"),
    "score": ("score", "score"),
    "expected_improvement": ("verwachte verbetering (SD)", "expected improvement (SD)"),
    "room": ("ruimte (SD)", "room (SD)"),
    "gain": ("winst per SD", "gain per SD"),
    "evidence": ("bewijssterkte", "strength of evidence"),
    "delta": ("verschil (SD)", "difference (SD)"),
    "label_nl": ("omschrijving", "label (Dutch)"),
    "label_en": ("omschrijving (Engels)", "label"),
    "explanation_nl": ("toelichting", "explanation (Dutch)"),
    "explanation_en": ("toelichting (Engels)", "explanation"),
    "intervention": ("interventie", "intervention"),
    "name": ("naam", "name"),
    "units": ("aantal eenheden", "units"),
    "cost": ("kosten (€)", "cost (€)"),
    "reach": ("bereik (jeugdigen)", "reach (young people)"),
    "value": ("waarde (SD verbetering, gewogen)", "value (SD improvement, weighted)"),
    "targets": ("doelfactoren", "target factors"),
    "effect": ("effect", "effect"),
    "effect_is_default": ("effectgrootte is standaardwaarde", "effect size is the default"),
    "effect_basis": ("effectgrootte", "effect size"),
    "chosen": ("gekozen", "chosen"),
    "reason": ("reden", "reason"),
    "value_per_unit": ("waarde per eenheid (SD)", "value per unit (SD)"),
    "cost_per_unit": ("kosten per eenheid (€)", "cost per unit (€)"),
    "indicator": ("indicator", "indicator"),
    "change": ("verandering", "change"),
    "change_unit": ("eenheid", "unit"),
    "unit": ("eenheid", "unit"),
    "predicted_sd": ("voorspeld (SD)", "predicted (SD)"),
    "observed_sd": ("gemeten (SD)", "observed (SD)"),
    "goal": ("doel", "goal"),
    "way": ("hoe", "way"),
    "change_sd": ("verandering (SD)", "change (SD)"),
    "why_nl": ("waarom samen anders is", "why together differs (Dutch)"),
    "why_en": ("waarom samen anders is (Engels)", "why together differs"),
    "effect_per_sd": ("effect per SD", "effect per SD"),
    "table": ("tabel", "table"),
    "ranking": ("ranglijst", "ranking"),
    "effects": ("effecten", "effects"),
    "portfolio": ("portfolio", "portfolio"),
    "data": ("gegevens", "data"),
    "within_spread": ("binnen 2 SD", "within 2 SD"),
    "role": ("rol", "role"),
    "scenario": ("scenario", "scenario"),
    "source": ("bron", "source"),
    "severity": ("ernst", "severity"),
    "where": ("waar", "where"),
    "message": ("melding", "message"),
}

#: Cell values that are words: (Dutch, English).
_VALUES: dict[str, tuple[str, str]] = {
    "recommended": ("aanbevolen", "recommended"),
    "not measured": ("niet gemeten", "not measured"),
    "does not help the chosen outcomes": ("helpt de gekozen resultaten niet",
                                          "does not help the chosen outcomes"),
    "at or better than the reference": ("op of beter dan de referentie",
                                        "at or better than the reference"),
    "alone": ("alleen deze factor", "alone"),
    "sum of alone": ("som van de afzonderlijke effecten", "sum of alone"),
    "together": ("alle factoren samen", "together"),
    "risk": ("risicofactor", "risk factor"),
    "protective": ("beschermende factor", "protective factor"),
    "outcome": ("resultaat", "outcome"),
    "percentage points": ("procentpunt", "percentage points"),
    "True": ("ja", "yes"),
    "False": ("nee", "no"),
    "measured, clamped": ("gemeten, vastgehouden", "measured, clamped"),
    "not measured, predicted": ("niet gemeten, voorspeld", "not measured, predicted"),
}

#: Sentences and phrases: key -> (Dutch, English), with str.format fields.
_PHRASES: dict[str, tuple[str, str]] = {
    "profile_head": ("{area}: profiel {year} ten opzichte van {ref} (SD; index 100 = referentie, "
                     "hoger = beter){note}",
                     "{area}: profile {year} against {ref} (SD; index 100 = reference, "
                     "higher = better){note}"),
    "reference_source": ("referentie: {source}", "reference: {source}"),
    "assumption": ("AANNAME: {text}", "ASSUMPTION: {text}"),
    "measured": ("gemeten: {f}/{ft} factoren, {o}/{ot} resultaten",
                 "measured: {f}/{ft} factors, {o}/{ot} outcomes"),
    "not_measured": ("niet gemeten: {names}", "not measured: {names}"),
    "profile_all": ("profiel {year} ({level}) ten opzichte van {ref}{note}; gebruik --area voor "
                    "één gebied", "profile {year} ({level}) against {ref}{note}; use --area for "
                    "one area"),
    "synthetic": (" -- SYNTHETISCHE voorbeelddata, geen metingen",
                  " -- SYNTHETIC example data, not measurements"),
    "real": (" -- ECHTE data{source}", " -- REAL data{source}"),
    "ambiguous": ("n.v.t. (richting onduidelijk)", "n/a (direction ambiguous)"),
    "default_effect": ("standaard*", "default*"),
    "published": ("gepubliceerd", "published"),
    "default_note": ("* geen gepubliceerde effectgrootte: de genoemde voorzichtige standaard van "
                     "{effect} SD per doelfactor (sd {sd}) is gebruikt; het erkenningsniveau zegt "
                     "iets over het bewijs, niet over de grootte van het effect",
                     "* no published effect size: the stated conservative default {effect} SD "
                     "per target factor (sd {sd}) is used; the recognition level is evidence, "
                     "not effect"),
    "rec_head": ("{area}: factoren om op in te zetten voor {goals} -- {model} [{status}]{note}",
                 "{area}: factors to target for {goals} -- {model} [{status}]{note}"),
    "rec_reference": ("verschillen ten opzichte van {ref}; score = ruimte × winst × bewijssterkte",
                      "differences against {ref}; score = room × gain × evidence"),
    "rec_line": ("{rank}. {factor}: score {score} = ruimte {room} × winst {gain} × bewijs "
                 "{evidence}",
                 "{rank}. {factor}: score {score} = room {room} × gain {gain} × evidence "
                 "{evidence}"),
    "rec_other": (" - {factor} ({status}; winst {gain} per SD)",
                  " - {factor} ({status}; gain {gain} per SD)"),
    "effects_head": ("Wat levert het sluiten van de gaten op? (per doel; alleen = één factor terug "
                     "naar de referentie, samen = alle aanbevolen factoren tegelijk)",
                     "What does closing the gaps achieve? (per goal; alone = one factor back to "
                     "the reference, together = all recommended factors at once)"),
    "required_head": ("Nodig om het doel {goal} te halen (verandering van de factoren, in hun "
                      "indicatoren):",
                      "Needed to reach the goal {goal} (change of the factors, in their "
                      "indicators):"),
    "required_assumptions": ("aannames: lineair model; andere factoren blijven gelijk; "
                             "effecten op gebiedsniveau, niet voor individuele kinderen",
                             "assumptions: linear model; other factors held where they are; "
                             "area-level effects, not individual ones"),
    "portfolio_rules": ("  regels: {rules}", "  rules: {rules}"),
    "one_per_factor": ("hoogstens één interventie per factor",
                       "at most one intervention per factor"),
    "age_group": ("alleen interventies voor de leeftijdsgroep van de doelen ({ages} jaar)",
                  "only interventions for the goals' age group ({ages})"),
    "portfolio_head": ("Portfolio binnen {budget}: kosten {cost}, verwachte verbetering "
                       "{improvement} SD (gewogen som over de doelen)",
                       "Portfolio within {budget}: cost {cost}, expected improvement "
                       "{improvement} SD (weighted sum over the goals)"),
    "portfolio_units": ("Voorspelde verandering van de doelen:",
                        "Predicted change of the goals:"),
    "left_out": ("Niet gekozen:", "Left out:"),
    "mismatch": ("Het portfolio volgt de ranglijst niet helemaal: voor {factors} staat geen "
                 "interventie in de catalogus, dus kiest het interventies op andere factoren "
                 "met effect op de doelen.",
                 "The portfolio does not follow the ranking entirely: the catalogue has no "
                 "intervention for {factors}, so it chooses interventions on other factors "
                 "that move the goals."),
    "out_of_reach": ("Een verandering van meer dan 2 SD (binnen 2 SD = False) ligt ver buiten de "
                     "spreiding tussen wijken: langs die weg alleen is het doel niet haalbaar.",
                     "A change of more than 2 SD (within 2 SD = False) lies far outside the "
                     "spread between areas: the goal is out of reach by that route alone."),
    "none_chosen": ("(geen interventie gekozen)", "(no intervention chosen)"),
    "propagate_head": ("{area}, {year}: verschillen in de resultaten t.o.v. {ref}, voorspeld door "
                       "{model} [{status}] uit de gemeten factoren van het gebied{note}",
                       "{area}, {year}: outcome differences from {ref} predicted by {model} "
                       "[{status}] from the area's measured factors{note}"),
    "propagate_counts": ("gemeten en vastgehouden factoren: {m}; niet gemeten, voorspeld: {p}",
                         "factors measured and clamped: {m}; not measured, predicted: {p}"),
    "predicted": ("  voorspeld: {names}", "  predicted: {names}"),
    "nothing": ("(niets)", "(nothing)"),
}

#: Reasons in a portfolio's left-out table (English from the library) in Dutch: the one
#: translation, used by the command line and the wijkrapport.
_REASONS = (
    ("does not improve the chosen outcomes", "verbetert de gekozen resultaten niet"),
    ("its target factors have no room left to improve",
     "de factoren waarop het zich richt hebben geen ruimte meer om te verbeteren"),
    ("less improvement per euro than the chosen portfolio",
     "minder verbetering per euro dan het gekozen portfolio"),
)
_SERVED_REASON = re.compile(r"its target factor (\S+) is already served by (.+) \(one "
                            r"intervention per factor\)")
_PHASE_REASON = re.compile(r"does not serve the goals' age group \((.+)\)")
_BUDGET_REASON = re.compile(r"does not fit the remaining budget \(([\d,.]+) left, one unit "
                            r"costs ([\d,.]+)\)")


def header(key: str, lang: str) -> str:
    """The column header of ``key`` in ``lang`` (the key itself when unknown)."""
    if key.startswith("path_"):
        goal = key[len("path_"):]
        return f"sterkste pad naar {goal}" if lang == "nl" else f"strongest path to {goal}"
    nl, en = HEADERS.get(key, (key, key))
    return nl if lang == "nl" else en


def phrase(key: str, lang: str, **fields: object) -> str:
    """A sentence of the command line in ``lang``."""
    nl, en = _PHRASES[key]
    return (nl if lang == "nl" else en).format(**fields)


def number(x: float, digits: int = 2, lang: str = "nl", sign: bool = False) -> str:
    """``x`` with a decimal comma in Dutch (``'n.v.t.'``/``'n/a'`` for NaN)."""
    if x is None or pd.isna(x):
        return "n.v.t." if lang == "nl" else "n/a"
    s = f"{x:{'+' if sign else ''}.{digits}f}"
    return s.replace(".", ",") if lang == "nl" else s


def money(x: float, lang: str = "nl") -> str:
    """An amount in euros: ``€ 250.000`` (Dutch) or ``€250,000`` (English)."""
    s = f"{x:,.0f}"
    return "€ " + s.replace(",", ".") if lang == "nl" else "€" + s


def reason(text: str, lang: str, labels: Mapping[str, str] | None = None) -> str:
    """A portfolio's reason for leaving an intervention out, in ``lang``.

    ``labels`` (node id -> Dutch label) names a factor by its label instead of its id.

    Examples
    --------
    >>> reason("does not fit the remaining budget (12,500 left, one unit costs 20,000)", "nl")
    'past niet in het resterende budget (€ 12.500 over, één eenheid kost € 20.000)'
    """
    if lang != "nl":
        return text
    for en, nl in _REASONS:
        if text == en:
            return nl
    served = _SERVED_REASON.fullmatch(text)
    if served:
        factor = (labels or {}).get(served.group(1), served.group(1))
        return (f"een gekozen interventie ({served.group(2)}) richt zich al op {factor} "
                "(één interventie per factor)")
    phase = _PHASE_REASON.fullmatch(text)
    if phase:
        return f"richt zich niet op de leeftijdsgroep van de doelen ({phase.group(1)} jaar)"
    budget = _BUDGET_REASON.fullmatch(text)
    if budget:
        left, cost = (float(x.replace(",", "")) for x in budget.groups())
        return (f"past niet in het resterende budget ({money(left)} over, één eenheid kost "
                f"{money(cost)})")
    return text  # a reason not known here: shown as the library gives it


_SOURCES = (
    (r"^the reference is the mean of only (\d+) areas in the data, not the whole city: add a "
     r"city row, or give the city's figures as reference values$",
     r"de referentie is het gemiddelde van maar \1 gebieden in de data, niet van de hele stad: "
     r"voeg een stadsrij toe, of geef de cijfers van de stad als referentiewaarden"),
    (r"^the city row '(.*)' in the data", r"de stadsrij '\1' in de data"),
    (r" \(mean of (\d+) areas for (.*)\)$", r" (gemiddelde van \1 gebieden voor \2)"),
    (r"^the mean of (\d+) areas in the data$", r"het gemiddelde van \1 gebieden in de data"),
    (r"^the population-weighted mean of (\d+) areas in the data$",
     r"het naar bevolking gewogen gemiddelde van \1 gebieden in de data"),
    (r"^the given reference values$", "de opgegeven referentiewaarden"),
    (r"^the reference values in (.*)$", r"de referentiewaarden in \1"),
    (r"^the catalogue's targets$", "de doelwaarden uit de catalogus"),
    (r"^the catalogue's typical levels$", "de typische niveaus uit de catalogus"),
    (r"^the areas' own values in (\d+)$", r"de eigen waarden van de gebieden in \1"),
    (r"^relative change of (\S+) taken from the catalogue's typical level (.*) \(an assumption; "
     r"give the area's own level\)$", r"relatieve verandering van \1 berekend op het typische "
     r"niveau \2 uit de catalogus (een aanname; geef het eigen niveau van het gebied)"),
    (r"^the goal moves (\S+) against its usual desired direction$",
     r"het doel beweegt \1 tegen de gebruikelijke gewenste richting in"),
    (r"^the reference is the catalogue's typical level of each indicator: an assumption, not "
     r"a measurement of the city$", "de referentie is het typische niveau van elke indicator "
     "uit de catalogus: een aanname, geen meting van de stad"),
)


def source(text: str, lang: str) -> str:
    """Where a profile's reference came from (or an assumption of it), in ``lang``."""
    if lang != "nl":
        return text
    for pattern, repl in _SOURCES:
        text = re.sub(pattern, repl, text)
    return text


def translate_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with headers and word cells in ``lang`` (for people: table, csv-nl, xlsx)."""
    out = frame.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].map(lambda v: (_VALUES[v][0] if lang == "nl" else _VALUES[v][1])
                                if isinstance(v, str) and v in _VALUES else v)
    if "reason" in out.columns:
        out["reason"] = out["reason"].map(lambda v: reason(v, lang) if isinstance(v, str) else v)
    return out.rename(columns={c: header(str(c), lang) for c in out.columns})
