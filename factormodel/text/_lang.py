"""Words of the command line's tables and messages in Dutch and English (private).

Dutch is the default language of the command line (``--lang nl``). JSON and
plain ``csv`` keep the stable English column keys (programs read them); the
table, ``csv-nl`` and ``xlsx`` outputs, which people read, use these headers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["HEADERS", "error", "header", "money", "number", "phrase", "problem", "reason",
           "source", "status", "translate_frame", "warning"]

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
    "effect_is_default": ("effectgrootte aangenomen (standaard)", "effect size assumed (default)"),
    "effect_evidence": ("onderbouwing effect", "effect evidence"),
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
    "profile_head": ("{area}: profiel {year} ten opzichte van {ref}{note}",
                     "{area}: profile {year} against {ref}{note}"),
    "her_figures": ("Gemeten indicatoren, slechtste eerst (waarde in {area} tegen {ref}):",
                    "Measured indicators, worst first (value in {area} against {ref}):"),
    "per_factor": ("Per factor en resultaat (SD tussen kinderen, de eenheid van het model; "
                   "index 100 = referentie, hoger = beter):",
                   "Per factor and outcome (SD between children, the model's unit; "
                   "index 100 = reference, higher = better):"),
    "meaning": ("Wat dit betekent: uit de gemeten factoren van {area} verwacht het model voor "
                "'{label}' {new} tegen {ref} ({refname}; {change}). Het grootste voorspelde "
                "verschil; de andere staan in de tabel.",
                "What this means: from {area}'s measured factors the model expects "
                "'{label}' at {new} against {ref} ({refname}; {change}). The largest "
                "predicted difference; the others are in the table."),
    "meaning_caveat": ("Dit zijn verschillen tussen gebieden volgens een reconstructie van het "
                       "model, geen effecten voor individuele kinderen.",
                       "These are differences between areas under a reconstruction of the "
                       "model, not effects for individual children."),
    "next_step": ("Volgende stap: welke factoren aanpakken? factormodel recommend {model} "
                  "{data} --area \"{area}\" --goal vsv  (of het hele wijkrapport: factormodel "
                  "wijkanalyse {model} {data} --area \"{area}\" --goal vsv --out rapport.html)",
                  "Next step: which factors to target? factormodel recommend {model} {data} "
                  "--area \"{area}\" --goal vsv --lang en  (or the whole wijkrapport: "
                  "factormodel wijkanalyse {model} {data} --area \"{area}\" --goal vsv "
                  "--out report.html --lang en)"),
    "verdict_better": ("beter", "better"),
    "verdict_worse": ("slechter", "worse"),
    "verdict_same": ("gelijk", "the same"),
    "verdict_ambiguous": ("richting onduidelijk", "direction ambiguous"),
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
    "default_note": ("* over het effect is niets bekend: de genoemde standaardwaarde van "
                     "{effect} SD per doelfactor (sd {sd}) is gebruikt, een aanname; het "
                     "erkenningsniveau zegt iets over het bewijs, niet over de grootte van het "
                     "effect",
                     "* nothing is known about the effect: the stated default {effect} SD per "
                     "target factor (sd {sd}) is used, an assumption; the recognition level is "
                     "evidence, not effect"),
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
    "budget_left": ("  over van het budget: {left}; een interventie die minder dan {share} van "
                    "{of} kan bereiken ({threshold} SD), krijgt geen geld",
                    "  budget left over: {left}; an intervention that cannot bring {share} of "
                    "{of} ({threshold} SD) gets no money"),
    "young_people": ("  voor {who}", "  for {who}"),
    "goals_read": ("Uw doelen, zoals gelezen:", "Your goals, as read:"),
    "portfolio_units": ("Voorspelde verandering van de doelen:",
                        "Predicted change of the goals:"),
    "left_out": ("Niet gekozen:", "Left out:"),
    "mismatch": ("Het portfolio volgt de ranglijst niet helemaal: voor {factors} staat geen "
                 "interventie in de catalogus, dus kiest het interventies op andere factoren "
                 "met effect op de doelen.",
                 "The portfolio does not follow the ranking entirely: the catalogue has no "
                 "intervention for {factors}, so it chooses interventions on other factors "
                 "that move the goals."),
    "out_of_reach": ("Een verandering van meer dan 2 SD (binnen 2 SD = nee) ligt ver buiten de "
                     "spreiding tussen wijken: langs die weg alleen is het doel niet haalbaar.",
                     "A change of more than 2 SD (within 2 SD = no) lies far outside the "
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
    "published with interval": ("gepubliceerd, met interval", "published with interval"),
    "published point": ("gepubliceerd, zonder interval", "published point"),
    "published null": ("gepubliceerd: geen effect gevonden", "published null"),
    "stated default": ("aangenomen (standaardwaarde)", "stated default"),
    "given, source not recorded": ("opgegeven, bron niet vastgelegd",
                                   "given, source not recorded"),
}

#: Reasons in a portfolio's left-out table (English from the library) in Dutch: the one
#: translation, used by the command line and the wijkrapport.
_REASONS = (
    ("does not improve the chosen outcomes", "verbetert de gekozen resultaten niet"),
    ("no effect found in its effectiveness study (published null)",
     "geen effect gevonden in het effectonderzoek (gepubliceerd nuleffect)"),
    ("its target factors have no room left to improve",
     "de factoren waarop het zich richt hebben geen ruimte meer om te verbeteren"),
    ("less improvement per euro than the chosen portfolio",
     "minder verbetering per euro dan het gekozen portfolio"),
)
_SERVED_REASON = re.compile(r"its target factor (\S+) is already served by (.+) \(one "
                            r"intervention per factor\)")
_TINY_REASON = re.compile(r"its expected effect on the chosen goals \(([\d.]+) SD at most\) is "
                          r"below the threshold of (\d+)% of the (goals|best intervention) "
                          r"\(([\d.]+) SD\)")
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


def count(x: float, lang: str = "nl") -> str:
    """A whole number with thousands grouping: ``2.000`` (Dutch) or ``2,000`` (English)."""
    if x is None or pd.isna(x):
        return "n.v.t." if lang == "nl" else "n/a"
    s = f"{x:,.0f}"
    return s.replace(",", ".") if lang == "nl" else s


def money(x: float, lang: str = "nl") -> str:
    """An amount in euros: ``€ 250.000`` (Dutch) or ``€250,000`` (English)."""
    s = f"{x:,.0f}"
    return "€ " + s.replace(",", ".") if lang == "nl" else "€" + s


def threshold_of(key: str, lang: str) -> str:
    """What the "no money for nothing" threshold is a share of, in words."""
    nl, en = {"goals": ("de doelen", "the goals"),
              "best intervention": ("wat de beste interventie bereikt",
                                    "what the best intervention brings")}.get(key, (key, key))
    return nl if lang == "nl" else en


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
    tiny = _TINY_REASON.fullmatch(text)
    if tiny:
        best, share, of, limit = tiny.groups()
        of = "de doelen" if of == "goals" else "wat de beste interventie bereikt"
        return (f"verwacht effect op de gekozen doelen ({best.replace('.', ',')} SD op zijn "
                f"best) is kleiner dan de drempel van {share}% van {of} "
                f"({limit.replace('.', ',')} SD): geen geld voor niets")
    budget = _BUDGET_REASON.fullmatch(text)
    if budget:
        left, cost = (float(x.replace(",", "")) for x in budget.groups())
        return (f"past niet in het resterende budget ({money(left)} over, één eenheid kost "
                f"{money(cost)})")
    return text  # a reason not known here: shown as the library gives it


_SOURCES = (
    (r"^the SD between persons of (.*) is an assumption \(an index without norm tables\)$",
     r"de SD tussen personen van \1 is een aanname (een index zonder normtabel)"),
    (r"^the reference is the mean of only (\d+) areas in the data, not the whole city: add a "
     r"city row, or give the city's figures as reference values$",
     r"de referentie is het gemiddelde van maar \1 gebieden in de data, niet van de hele stad: "
     r"voeg een stadsrij toe, of geef de cijfers van de stad als referentiewaarden"),
    (r"^indicator catalogue: the one shipped with example data '(.*)' "
     r"\((fm\.load_example_indicators\('.*'\))\), named by the data's 'catalogue' column$",
     r"indicatorcatalogus: die van de voorbeelddata '\1' (\2), genoemd in de kolom "
     r"'catalogue' van de data"),
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
    # a column read through her column mapping (columns.ColumnMapping.notes)
    (r"^column '(.+)' read as (\S+) \(", r"kolom '\1' gelezen als \2 ("),
    (r"^(kolom '.+' gelezen als .*)\(as is", r"\1(zoals gegeven"),
    (r"^(kolom '.+' gelezen als .*)fraction → %", r"\1fractie → %"),
    (r"^(kolom '.+' gelezen als .*)per 1,000", r"\1per 1.000"),
    (r"^(kolom '.+' gelezen als .*); its definition: ", r"\1; definitie: "),
    (r"^(kolom '.+' gelezen als .*); year (\d{4})\)$", r"\1; jaar \2)"),
)


def source(text: str, lang: str) -> str:
    """Where a profile's reference came from (or an assumption of it), in ``lang``."""
    if lang != "nl":
        return text
    for pattern, repl in _SOURCES:
        text = re.sub(pattern, repl, text)
    return text


_STATUS = {"reconstruction": ("reconstructie, niet het officiële model",
                              "reconstruction, not the official model"),
           "illustrative": ("illustratief", "illustrative"),
           "official": ("officieel", "official")}


def status(value: str, lang: str) -> str:
    """A model's status in words (``reconstruction`` -> ``reconstructie, niet het officiële
    model``); an unknown status as it is."""
    nl, en = _STATUS.get(value, (value, value))
    return nl if lang == "nl" else en


def _word(v: object, lang: str) -> object:
    if isinstance(v, (bool, np.bool_)):
        v = str(bool(v))
    if isinstance(v, str) and v in _VALUES:
        return _VALUES[v][0] if lang == "nl" else _VALUES[v][1]
    return v


def translate_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with headers and word cells in ``lang`` (for people: table, csv-nl, xlsx):
    booleans as ja/nee (yes/no), numbers inside Dutch path texts with a decimal comma.

    Examples
    --------
    >>> t = translate_frame(pd.DataFrame({"effect_is_default": [True, False],
    ...                                   "path_vsv": ["a → vsv (-0.039)", ""]}), "nl")
    >>> t.to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'effectgrootte aangenomen (standaard)': ['ja', 'nee'],
     'sterkste pad naar vsv': ['a → vsv (-0,039)', '']}
    """
    out = frame.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].map(lambda v: _word(v, lang)).astype(object)
        if lang == "nl" and str(c).startswith("path_"):
            out[c] = out[c].map(lambda v: re.sub(r"\(([+-]?\d+)\.(\d+)\)", r"(\1,\2)", v)
                                if isinstance(v, str) else v)
    if "reason" in out.columns:
        out["reason"] = out["reason"].map(lambda v: reason(v, lang) if isinstance(v, str) else v)
    return out.rename(columns={c: header(str(c), lang) for c in out.columns})


# --------------------------------------------------------------------------- errors
#
# The library raises English FactorModelErrors (for programs and logs); the command line
# prints them in --lang. A message is translated only when ALL of it matches the rules
# below (a rule's ``t_`` groups are translated recursively, ``g_`` groups are goal
# descriptions, ``w_`` groups are places such as "file.csv line 3, column 'x'"); anything
# else stays English rather than being half translated or mistranslated.

def _rules(*pairs: tuple[str, str]) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(p, re.S), t) for p, t in pairs]


_NAME = r"'[^']*'|\"[^\"]*\""  # a quoted name as repr() writes it

_ERROR_RULES = _rules(
    # percentages given as fractions (indicators._check_fractions)
    (r"(?P<n>\d+) percentage indicator\(s\) look like fractions \(0\.091 instead of 9\.1\): "
     r"(?P<l_items>.+)\. A spreadsheet cell formatted as a percentage stores a fraction; write "
     r"the percentages as numbers \(9\.1\), or multiply the column by 100",
     "{n} percentage-indicator(en) lijken breuken (0,091 in plaats van 9,1): {items}. Een "
     "spreadsheetcel met percentageopmaak bewaart een breuk; schrijf de percentages als "
     "getallen (9,1), of vermenigvuldig de kolom met 100"),
    (r"(?P<ind>\S+) \(largest value (?P<d_v>[-\d.e]+); typical level (?P<d_t>[-\d.e]+)%\)",
     "{ind} (grootste waarde {v}; gebruikelijk niveau {t}%)"),
    # a name measuring the opposite is never suggested plainly (words.Lexicon.resolve)
    (rf"(?P<t_hint>.+); (?P<name>{_NAME}) measures the opposite: if your column is its "
     r"complement \(100 - x\), say so in a column mapping \(factormodel kolommen\)",
     "{hint}; {name} meet het tegendeel: is uw kolom het complement (100 − x), zeg dat dan "
     "in een kolomkoppeling (factormodel kolommen)"),
    # a goal in words with two readings (readback.read_goal)
    (rf"goal (?P<goal>{_NAME}) is ambiguous: (?P<part>{_NAME}) is either (?P<n>[\d.,]+) "
     r"percentage points (?P<w>less|more) \((?P<pp>'[^']*')\) or (?P=n)% (?P=w) than the "
     r"current level \((?P<rel>'[^']*')\); write the one you mean",
     "doel {goal} is dubbelzinnig: {part} is óf {n} procentpunt (--goal {pp}), óf {n}% van "
     "het huidige niveau (--goal {rel}); schrijf wat u bedoelt"),
    # the young people of a portfolio (population.young_people)
    (rf"the data's column (?P<col>{_NAME}) counts all residents of (?P<area>{_NAME}) "
     r"\((?P<n>\d+)\), not the young people a portfolio is for; give their number "
     r"\(population=\.\.\. in Python, --population on the command line, the field 'aantal "
     r"jongeren' on the web page\), or say that this column counts the young people "
     r"\(column_is_young=True, --population-is-young\)",
     "de kolom {col} van de data telt alle inwoners van {area} ({n}), niet de jongeren voor "
     "wie het pakket is; geef hun aantal (--jongeren AANTAL, op de webpagina het veld "
     "'aantal jongeren'), of zeg dat deze kolom de jongeren telt (--inwoners-zijn-jongeren)"),
    # hints of errors.close_matches
    (r"did you mean (?P<names>.+)\?", "bedoelde u {names}?"),  # names: ' or ' -> ' of '
    (r"closest valid values: (?P<names>.+?)(?: \(and (?P<more>\d+) more\))?",
     "dichtstbijzijnde geldige waarden: {names}{more}"),
    (r"no close match; valid values: (?P<names>.+)",
     "geen geldige waarde lijkt erop; geldige waarden: {names}"),
    (r"no close match among (?P<n>\d+) valid values",
     "geen van de {n} geldige waarden lijkt erop"),
    (r"no close match among the (?P<n>\d+) node ids and their labels",
     "geen van de {n} knopen lijkt erop (id of omschrijving)"),
    (r"no close match among the (?P<n>\d+) indicator ids and their labels",
     "geen van de {n} indicatoren lijkt erop (id of omschrijving)"),
    # unknown names (words.Lexicon, resolve_indicators, goals, profile rows)
    (rf"(?:(?P<w_where>[^:]+): )?unknown indicator (?P<name>{_NAME}); (?P<t_hint>.*)",
     "{where}onbekende indicator {name}; {hint}"),
    (rf"(?:(?P<w_where>[^:]+): )?unknown node (?P<name>{_NAME}); (?P<t_hint>.*)",
     "{where}onbekende knoop (factor of resultaat) {name}; {hint}"),
    (r"(?:(?P<w_where>[^:]+): )?(?P<n>\d+) indicator name\(s\) not understood: (?P<l_items>.*)",
     "{where}{n} indicatornaam/-namen niet begrepen: {items}"),
    (r"(?P<n>\d+) indicator\(s\) not in the catalogue: (?P<l_items>.*)",
     "{n} indicator(en) niet in de catalogus: {items}"),
    (rf"(?P<name>{_NAME}) \((?P<t_hint>(?:did you mean|closest valid values|no close "
     r"match).*)\)",
     "{name} ({hint})"),
    (rf"(?:(?P<w_where>[^:]+): )?(?:indicator|node) name (?P<name>{_NAME}) is ambiguous: it "
     r"fits (?P<fits>.*); use the id",
     "{where}de naam {name} is dubbelzinnig: hij past bij {fits}; gebruik de id"),
    (rf"no area (?P<name>{_NAME}) in the profile(?: \(level (?P<level>[^)]*)\))?; "
     r"(?P<t_hint>.*)", "geen gebied {name} in de data{level}; {hint}"),
    (rf"no area (?P<name>{_NAME}) in the profile(?: \(level (?P<level>[^)]*)\))?; ",
     "geen gebied {name} in de data{level}"),
    (r"(?:(?P<w_where>[^:]+): )?(?P<n>\d+) area\(s\) not in the area registry: "
     r"(?P<l_items>.*)", "{where}{n} gebied(en) niet in het gebiedenregister: {items}"),
    (rf"goal (?P<name>{_NAME}) is neither a node nor an indicator of model (?P<model>{_NAME}) "
     r"\(by id or Dutch/English label\); (?P<t_hint>.*)",
     "doel {name} is geen factor, resultaat of indicator van model {model} (id of "
     "Nederlandse/Engelse omschrijving); {hint}"),
    (rf"goal (?P<g_goal>.+?): node (?P<node>{_NAME}) has (?P<n>\d+) indicators \((?P<list>.*)\);"
     r" name the indicator as the goal's target, e\.g\. (?P<example>\S+)",
     "doel {goal}: {node} heeft {n} indicatoren ({list}); noem de indicator als doel, "
     "bijvoorbeeld --goal {example}"),
    (rf"--goal (?P<raw>{_NAME}): expected TARGET\[:CHANGE\]\[:YEARS\]\[:GROUP\]"
     r"\[=PRIORITY\], e\.g\. (?P<ex>\S+)",
     "--goal {raw}: verwacht DOEL[:VERANDERING][:JAREN][:GROEP][=PRIORITEIT], bijvoorbeeld "
     "{ex}"),
    (rf"--goal (?P<raw>{_NAME}): (?P<field>priority|years) (?P<value>{_NAME}) is not a number "
     r"\((?P<t_why>.*)\)", "--goal {raw}: {field} {value} is geen getal ({why})"),
    # a profile's assumption (indicators.profile)
    (r"the SD between persons of (?P<list>.+) is an assumption \(an index without norm "
     r"tables\)", "de SD tussen personen van {list} is een aanname (een index zonder "
     "normtabellen)"),
    # a wijkplan's progress table (progress.read_progress) and plan checks (wijkplan)
    (rf"intervention (?P<name>{_NAME}) is not in the plan \(its interventions: "
     r"(?P<ids>.*)\)", "interventie {name} staat niet in het plan (de interventies van het "
     "plan: {ids})"),
    (r"completed \((?P<d_a>[\d.e+]+)\) is more than reached \((?P<d_b>[\d.e+]+)\)",
     "afgerond ({a}) is meer dan bereikt ({b})"),
    (r"completed plus dropped out \((?P<d_a>[\d.e+]+) \+ (?P<d_b>[\d.e+]+)\) is more than "
     r"reached \((?P<d_c>[\d.e+]+)\)", "afgerond plus uitgevallen ({a} + {b}) is meer dan "
     "bereikt ({c})"),
    (rf"period (?P<p>{_NAME}) lies outside the plan \((?P<a>\d+)-(?P<b>\d+)\)",
     "periode {p} valt buiten het plan ({a}-{b})"),
    (rf"period (?P<p>{_NAME}) is not a year \(2022\), a half \(2022-H1\) or a quarter "
     r"\(2022-Q3\)", "periode {p} is geen jaar (2022), halfjaar (2022-H1) of kwartaal "
     "(2022-Q3)"),
    (rf"(?P<col>{_NAME}) must be a number >= 0, got "
     rf"(?P<v>{_NAME})", "kolom {col} moet een getal van 0 of meer zijn, niet {v}"),
    (rf"(?P<col>{_NAME}) must be a whole number of young people, got "
     rf"(?P<v>{_NAME})", "kolom {col} moet een heel aantal jongeren zijn, niet {v}"),
    (r"(?P<n>\d+) dropped out without a reason; choose from (?P<list>.*)",
     "{n} uitgevallen zonder reden; kies uit {list}"),
    (rf"drop-out reason (?P<k>{_NAME}) is not on the list \((?P<list>.*)\); explain others "
     r"with 'anders' and a note", "reden van uitval {k} staat niet op de lijst ({list}); "
     "geef een andere reden als 'anders' met een toelichting"),
    (r"drop-out reason 'anders' needs a note \(toelichting\)",
     "reden van uitval 'anders' vraagt een toelichting"),
    (rf"intervention (?P<iv>{_NAME}) and period (?P<p>{_NAME}) appear twice \(also "
     r"(?P<w_also>.*)\)", "interventie {iv} en periode {p} staan er twee keer in (ook "
     "{also})"),
    (rf"the plan was made with version (?P<a>\S+) of model (?P<m>{_NAME}); this is version "
     r"(?P<b>\S+): the expected effects were computed with other weights\. Make a new plan "
     r"with this model and data, or use the ones the plan was made with\.",
     "het plan is gemaakt met versie {a} van model {m}; dit is versie {b}: de verwachte "
     "effecten zijn met andere gewichten berekend. Maak een nieuw plan met dit model en deze "
     "cijfers, of gebruik die waarmee het plan is gemaakt."),
    (rf"model (?P<m>{_NAME}) (?P<v>\S+) has changed since the plan was made \(its content "
     r"hash differs\): the expected effects were computed with other weights\. Make a new "
     r"plan with this model and data, or use the ones the plan was made with\.",
     "model {m} {v} is veranderd sinds het plan is gemaakt (de inhoudshash verschilt): de "
     "verwachte effecten zijn met andere gewichten berekend. Maak een nieuw plan met dit model "
     "en deze cijfers, of gebruik die waarmee het plan is gemaakt."),
    (r"the data file (?P<f>.+?) differs from the one the plan was made from \((?P<g>.+?), "
     r"sha256 (?P<h>[0-9a-f]+)…\): the baselines may not be these figures\. Make a new plan "
     r"with this model and data, or use the ones the plan was made with\.",
     "het gegevensbestand {f} verschilt van het bestand waarmee het plan is gemaakt ({g}, "
     "sha256 {h}…): de beginwaarden zijn misschien niet deze cijfers. Maak een nieuw plan met "
     "dit model en deze cijfers, of gebruik die waarmee het plan is gemaakt."),
    (r"the new data are of (?P<a>\d+), not later than the plan's data \((?P<b>\d+)\): give "
     r"next year's data \(year=\)", "de nieuwe cijfers zijn van {a}, niet later dan die van "
     "het plan ({b}): geef de cijfers van een later jaar (--year)"),
    (rf"(?P<name>{_NAME}) is neither a bundled model nor an existing file or folder; bundled "
     r"models: (?P<models>[^;]*); (?P<t_hint>.*)",
     "{name} is geen meegeleverd model en geen bestaand bestand of map; meegeleverde modellen: "
     "{models}; {hint}"),
    (rf"(?P<name>{_NAME}) is neither a bundled model nor an existing file or folder; bundled "
     r"models: (?P<models>[^;]*)",
     "{name} is geen meegeleverd model en geen bestaand bestand of map; meegeleverde modellen: "
     "{models}"),
    # the city average and other references
    (rf"the city average would be computed from a single area \((?P<area>{_NAME})\), so every "
     r"delta would be 0\..*",
     "het stedelijk gemiddelde zou berekend worden uit één gebied ({area}), dus elk verschil "
     "zou 0 zijn. Voeg een stadsrij toe aan de data (een gebied met de naam 'Rotterdam', "
     "'stad' of 'GM0599' met de cijfers van de stad; een andere naam geeft u met --city NAAM), "
     "geef de cijfers van de stad zelf met --reference-values BESTAND (kolommen "
     "indicator;waarde), of vergelijk met de typische niveaus uit de catalogus met "
     "--reference typical (een aanname)"),
    (r"the data has more than one city row \((?P<names>[^)]*)\); keep one",
     "de data heeft meer dan één stadsrij ({names}); houd er één over"),
    (r"no data for year (?P<year>\d+); years in the data: (?P<years>.*)",
     "geen data voor het jaar {year}; jaren in de data: {years} (kies met --year)"),
    (r"no data at level (?P<level>'[^']*'); levels in the data: (?P<levels>.*)",
     "geen data op niveau {level}; niveaus in de data: {levels} (kies met --level)"),
    (r"the data has no rows(?P<city> other than the city's)?",
     "de data heeft geen rijen{city}"),
    # populations
    (rf"no population for (?P<area>{_NAME}) in the data; give it yourself .*",
     "geen aantal jongeren voor {area} in de data; geef het met --population AANTAL, of zet "
     "een kolom 'jongeren' in het bestand (een kolom 'inwoners' telt iedereen en wordt "
     "daarvoor niet gebruikt)"),
    # numbers typed on the command line
    (rf"(?P<what>--[\w-]+) (?P<value>{_NAME}) is not a number \((?P<t_why>.*)\)",
     "{what} {value} is geen getal ({why})"),
    (rf"(?P<what>--[\w-]+ {_NAME}): (?P<value>{_NAME}) is not a number \((?P<t_why>.*)\)",
     "{what}: {value} is geen getal ({why})"),
    (rf"(?P<what>--[\w-]+ {_NAME}): (?P<value>{_NAME}) is not a number",
     "{what}: {value} is geen getal"),
    (rf"--outcome (?P<item>{_NAME}): priority (?P<value>{_NAME}) is not a number",
     "--outcome {item}: prioriteit {value} is geen getal"),
    (rf"--delta (?P<item>{_NAME}): expected ID=VALUE, e\.g\. --delta (?P<ex>\S+)",
     "--delta {item}: verwacht ID=WAARDE, bijvoorbeeld --delta {ex}"),
    (rf"expected a (?P<finite>finite )?number, got (?P<value>{_NAME}|\S+)",
     "verwacht een {finite}getal, niet {value}"),
    (rf"(?P<value>{_NAME}) is ambiguous: (?P<a>\S+) \(',' separating thousands\) or "
     r"(?P<b>\S+) \(',' as decimal mark\); write (?P<c>\S+) for the first, (?P<d>\S+) for "
     r"the second", "{value} is dubbelzinnig: {a} (',' scheidt duizendtallen) of {b} (',' als "
     "decimaalteken); schrijf {c} voor het eerste, {d} voor het tweede"),
    # problems inside an area data file (areas.read_area_data)
    (r"(?P<w_where>.+?): (?P<p_items>\d+ (?:unreadable year|value|population)\(s\).*)",
     "{where}: {items}"),
    (r"(?P<n>\d+) unreadable year\(s\) \(expected e\.g\. 2022, 2022JJ00 or 2022\*\): "
     r"(?P<items>.*)", "{n} onleesbare jaartal(len) (verwacht bijvoorbeeld 2022, 2022JJ00 of "
     "2022*): {items}"),
    (r"(?P<n>\d+) value\(s\) are not numbers or CBS symbols: (?P<items>.*)",
     "{n} waarde(n) zijn geen getal of CBS-symbool: {items}"),
    (r"(?P<n>\d+) population\(s\) are not numbers: (?P<items>.*)",
     "{n} aantal(len) jongeren/inwoners zijn geen getal: {items}"),
    (r"(?P<w_where>[^:]+): no data rows \(only a header: (?P<cols>.*)\)",
     "{where}: geen gegevensrijen (alleen een kopregel: {cols})"),
    (r"(?P<w_where>[^:]+): (?P<n>\d+) rows share an area, year and indicator, e\.g\. "
     r"(?P<items>.*)", "{where}: {n} rijen hebben hetzelfde gebied, jaar en dezelfde "
     "indicator, bijvoorbeeld {items}"),
    # columns (_cells.require_columns)
    (r"(?:(?P<w_where>[^:]+): )?missing required column (?P<col>'year') \(or one of "
     r"(?P<aliases>.*?); found: (?P<found>.*)\) \(give the year of a table without a year "
     r"column: year=2023 in Python, --year 2023 on the command line\)",
     "{where}verplichte kolom {col} ontbreekt (of een van {aliases}; gevonden: {found}); "
     "geef het jaar van een tabel zonder jaarkolom met --year, bijvoorbeeld --year 2023"),
    (r"(?:(?P<w_where>[^:]+): )?missing required column (?P<col>'[^']*') \(or one of "
     r"(?P<aliases>.*?); found: (?P<found>.*)\)",
     "{where}verplichte kolom {col} ontbreekt (of een van {aliases}; gevonden: {found})"),
    (r"(?:(?P<w_where>[^:]+): )?missing required column (?P<col>'[^']*') \(found: "
     r"(?P<found>.*)\)", "{where}verplichte kolom {col} ontbreekt (gevonden: {found})"),
    (r"column (?P<col>'[^']*') appears more than once", "kolom {col} komt meer dan eens voor"),
    # files
    (r"out=(?P<path>'[^']*'): a report is written as HTML or PDF; give a file name ending in "
     r"\.html, \.htm, \.pdf \(got no extension\)",
     "--out {path}: een rapport wordt als HTML of PDF geschreven; geef een bestandsnaam die "
     "eindigt op .html, .htm of .pdf (deze heeft geen extensie)"),
    (r"out=(?P<path>'[^']*'): a report is written as HTML or PDF; give a file name ending in "
     r"\.html, \.htm, \.pdf \(got (?P<got>\.[^)]*)\)",
     "--out {path}: een rapport wordt als HTML of PDF geschreven; geef een bestandsnaam die "
     "eindigt op .html, .htm of .pdf (niet {got})"),
    (r"(?P<path>.+): no such file", "{path}: bestand niet gevonden"),
    (r"(?P<path>.+): no such file or folder", "{path}: bestand of map niet gevonden"),
    (r"(?P<path>.+): cannot decode as UTF-8 or Windows-1252 (?P<rest>.*)",
     "{path}: niet te lezen als UTF-8 of Windows-1252 {rest}; sla het bestand op als CSV "
     "UTF-8"),
    (r"(?P<path>.+): not a readable Excel workbook \(\.xlsx\): (?P<rest>.*)",
     "{path}: geen leesbare Excel-werkmap (.xlsx): {rest}"),
    (r"(?P<path>.+): expected a model folder or a \.json file; .*",
     "{path}: verwacht een modelmap of een .json-bestand (een map met nodes.csv en edges.csv); "
     "een databestand controleert u met het commando waarin u het gebruikt"),
    (r"has (?P<n>\d+) fields?, the header has (?P<m>\d+)",
     "heeft {n} velden, de kopregel heeft er {m}"),
    (r"the file is empty; expected a header row",
     "het bestand is leeg; verwacht een kopregel"),
    (r"duplicate column header", "dubbele kolomnaam"),
    # warnings
    (r"no reference value \((?P<ref>\w+)\) for (?P<n>\d+) indicator\(s\), left unmeasured: "
     r"(?P<names>.*)", "geen referentiewaarde ({ref}) voor {n} indicator(en), die daarom als "
     "niet gemeten tellen: {names}"),
    (r"no target for (?P<n>\d+) indicator\(s\), left unmeasured: (?P<names>.*)",
     "geen doelwaarde voor {n} indicator(en), die daarom als niet gemeten tellen: {names}"),
    # the command line's own messages
    (r"(?P<cmd>\w+) needs --area \(e\.g\. --area (?P<ex>[^)]*)\)",
     "{cmd} heeft --area nodig (bijvoorbeeld --area {ex})"),
    (r"--data needs --area \(e\.g\. --area (?P<ex>[^)]*)\)",
     "--data heeft --area nodig (bijvoorbeeld --area {ex})"),
    (r"recommend needs at least one --goal \(or --outcome\).*",
     "recommend heeft minstens één --goal (of --outcome) nodig, bijvoorbeeld --goal "
     "'schoolverzuim:-2pp:3j' of --outcome vsv"),
    (r"--area goes with --data", "--area hoort bij --data"),
    (r"--format xlsx needs --out FILE\.xlsx", "--format xlsx heeft --out BESTAND.xlsx nodig"),
)

_WHERE = _rules(
    (r"(?P<file>.+?) line (?P<line>\d+), column (?P<col>'[^']*')",
     "{file} regel {line}, kolom {col}"),
    (r"(?P<file>.+?) line (?P<line>\d+)", "{file} regel {line}"),
    (r"(?P<file>.+?) column (?P<col>'[^']*'|\d+)", "{file} kolom {col}"),
    (r"area data", "gebiedsdata"),
    (r"(?P<file>[^ ]+)", "{file}"),
)

_PLACE = re.compile(r"\((line|row) (\d+)(?=[,)])")  # inside listed area-data problems
_PLACES = re.compile(r"\((lines|rows) ([\d, ]+ and \d+(?: more)?)\)")  # several rows at once
_CELL = re.compile(rf": expected a (finite )?number, got ({_NAME})(?=; |$)")


def _goal_nl(text: str) -> str:
    """A goal described in English (Goal.describe('en')) in Dutch."""
    text = re.sub(r"\bin (\S+) years?\b", r"in \1 jaar", text)
    return re.sub(r"(?<=\d) pp\b", " procentpunt", text)


def _split_items(text: str, problems: bool = False) -> list[str] | None:
    """``"a; b; ... and 3 more"`` split at the top-level ``; `` (not inside quotes or
    brackets); None when a quote or bracket is left open."""
    items, depth, quote, start = [], 0, "", 0
    for i, c in enumerate(text):
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"" and (i == 0 or not text[i - 1].isalnum()):
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == ";" and depth == 0 and text[i + 1:i + 2] == " ":
            items.append(text[start:i])
            start = i + 2
    if quote or depth:
        return None
    items.append(text[start:])
    joined: list[str] = []
    for item in items:  # "unknown x 'y'; did you mean ...": one item
        if joined and (item.startswith(("did you mean", "closest valid values",
                                        "no close match"))
                       or " measures the opposite: if your column is " in item
                       or (problems and not item[:1].isdigit())):
            joined[-1] += "; " + item
        else:
            joined.append(item)
    return joined


def _translate(text: str, rules: list[tuple[re.Pattern[str], str]] = _ERROR_RULES
               ) -> str | None:
    """``text`` in Dutch by the first rule that matches all of it, or None."""
    for pattern, template in rules:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        fields: dict[str, str] = {}
        for key, value in m.groupdict().items():
            value = value or ""
            name = key[2:] if key[1:2] == "_" else key
            if key.startswith("t_") and value:
                value = _translate(value)
            elif key.startswith("w_") and value:
                value = _translate(value, _WHERE)
                value = value and value + (": " if name == "where" and
                                           not template.startswith("{where}:") else "")
            elif key.startswith("g_"):
                value = _goal_nl(value)
            elif key.startswith("d_"):  # a number: decimal comma
                value = value.replace(".", ",")
            elif key.startswith(("l_", "p_")):
                parts = _split_items(value, key.startswith("p_"))
                more = parts and re.fullmatch(r"\.\.\. and (\d+) more|\.\.\.", parts[-1])
                if more:
                    parts = parts[:-1]
                done = [_translate(p) for p in parts] if parts is not None else [None]
                if any(d is None for d in done):
                    value = None
                else:
                    tail = ("; ... en nog " + more.group(1) if more and more.group(1)
                            else "; ..." if more else "")
                    value = "; ".join(done) + tail  # type: ignore[arg-type]
            elif key == "names":
                value = re.sub(r"(?<=')\s+or\s+(?=')", " of ", value)
            elif key == "ref":
                value = {"city": "stad", "typical": "typisch niveau", "target": "doel",
                         "previous_year": "vorig jaar", "values": "opgegeven"}.get(value, value)
            elif key == "field":
                value = {"priority": "prioriteit", "years": "aantal jaren"}[value]
            elif key == "finite" and value:
                value = "eindig "
            elif key == "level" and value:
                value = f" (niveau {value})"
            elif key == "more" and value:
                value = f" (en nog {value})"
            elif key == "city" and value:
                value = " behalve die van de stad"
            elif key == "items":
                value = _PLACE.sub(lambda p: f"({'regel' if p[1] == 'line' else 'rij'} {p[2]}",
                                   value).replace(" in column ", " in kolom ")
                value = _PLACES.sub(lambda p: "({} {})".format(
                    "regels" if p[1] == "lines" else "rijen",
                    re.sub(r" and (\d+) more$", r" en nog \1", p[2]).replace(" and ", " en ")),
                    value)
                value = re.sub(r"; \.\.\. and (\d+) more$", r"; ... en nog \1", value)
                value = _CELL.sub(lambda p: f": verwacht een {'eindig ' if p[1] else ''}getal, "
                                            f"niet {p[2]}", value)
            if value is None:
                return None
            fields[name] = value
        return template.format(**fields)
    return None


def problem(where: str, message: str, lang: str) -> str:
    """One validation problem (``where: message``) in ``lang``; English when unknown.

    Examples
    --------
    >>> problem("short.csv line 26", "has 3 fields, the header has 4", "nl")
    'short.csv regel 26: heeft 3 velden, de kopregel heeft er 4'
    """
    if lang == "nl":
        place = _translate(where, _WHERE) if where else ""
        said = _translate(message)
        if place is not None and said is not None:
            return f"{place}: {said}" if place else said
    return f"{where}: {message}" if where else message


def warning(text: str, lang: str) -> str:
    """A library warning's message in ``lang`` (English when not known here).

    Examples
    --------
    >>> print(warning("no reference value (city) for 1 indicator(s), left unmeasured: x", "nl"))
    geen referentiewaarde (stad) voor 1 indicator(en), die daarom als niet gemeten tellen: x
    """
    return (_translate(text) or text) if lang == "nl" else text


def error(exc: BaseException, lang: str) -> str:
    """The message of a library error for people, in ``lang``.

    The library's errors are English (for programs and logs); at the command line they are
    shown in the user's language. A message that the rules here do not cover completely
    stays English: better English than a wrong translation.

    Examples
    --------
    >>> from factormodel.errors import DataError, UnknownAreaError
    >>> error(UnknownAreaError("no area 'Blomhof' in the profile; did you mean 'Bloemhof'?"),
    ...       "nl")
    "geen gebied 'Blomhof' in de data; bedoelde u 'Bloemhof'?"
    >>> error(DataError("something new"), "nl")
    'something new'
    """
    text = str(exc) or type(exc).__name__
    if lang != "nl":
        return text
    problems = getattr(exc, "problems", None)
    if problems is not None:
        n = len(problems)
        head = f"{getattr(exc, 'source', 'model')} heeft {n} " \
               f"{'probleem' if n == 1 else 'problemen'}:"
        return "\n".join([head, *(f"  - {problem(p.where, p.message, lang)}" for p in problems)])
    lines = text.splitlines()
    done = _translate(lines[0]) if lines else None
    return text if done is None else "\n".join([done, *lines[1:]])
