"""Words of the people-facing tables and sentences (command line, wijkrapport, web page).

English is the source; Dutch comes from the gettext catalogue
(``locale/nl/LC_MESSAGES/factormodel.po``) through :func:`~factormodel.text.catalogue.tr`.
Dutch is the default language of the command line (``--lang nl``). JSON and plain ``csv``
keep the stable English column keys (programs read them); the table, ``csv-nl`` and
``xlsx`` outputs, which people read, use these headers.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from factormodel.analysis.goals import Goal
from factormodel.analysis.indicators import REFERENCE_NAMES
from factormodel.errors import Message
from factormodel.text import messages
from factormodel.text import numbers as fmt
from factormodel.text.catalogue import N_, NC_, tr

__all__ = ["HEADERS", "goal", "header", "phrase", "reason", "source", "status",
           "threshold_of", "translate_frame"]

#: Column headers, phrases, cell words and statuses: key -> English source.
HEADERS: dict[str, str] = {
    'area': N_('area'),
    'node': N_('node'),
    'kind': N_('kind'),
    'delta_sd': N_('difference (SD)'),
    'index': N_('index'),
    'measured': N_('measured'),
    'label': NC_('headers:label', 'label'),
    'rank': N_('rank'),
    'factor': N_('factor'),
    'status': N_('status'),
    'score': N_('score'),
    'expected_improvement': N_('expected improvement (SD)'),
    'room': N_('room (SD)'),
    'gain': N_('gain per SD'),
    'evidence': N_('strength of evidence'),
    'delta': N_('difference (SD)'),
    'label_nl': N_('label (Dutch)'),
    'label_en': NC_('headers:label_en', 'label'),
    'explanation_nl': N_('explanation (Dutch)'),
    'explanation_en': N_('explanation'),
    'intervention': N_('intervention'),
    'name': N_('name'),
    'units': N_('units'),
    'cost': N_('cost (€)'),
    'reach': N_('reach (young people)'),
    'value': N_('value (SD improvement, weighted)'),
    'targets': N_('target factors'),
    'effect': N_('effect'),
    'effect_basis': N_('effect size'),
    'chosen': N_('chosen'),
    'reason': N_('reason'),
    'reason_code': N_('reason code'),
    'value_per_unit': N_('value per unit (SD)'),
    'cost_per_unit': N_('cost per unit (€)'),
    'indicator': N_('indicator'),
    'note': N_('note'),
    'change': N_('change'),
    'change_unit': N_('unit'),
    'unit': N_('unit'),
    'predicted_sd': N_('predicted (SD)'),
    'observed_sd': N_('observed (SD)'),
    'goal': N_('goal'),
    'way': N_('way'),
    'change_sd': N_('change (SD)'),
    'why': N_('why together differs'),
    'effect_per_sd': N_('effect per SD'),
    'table': N_('table'),
    'ranking': N_('ranking'),
    'effects': N_('effects'),
    'portfolio': N_('portfolio'),
    'data': N_('data'),
    'within_spread': N_('within 2 SD'),
    'role': N_('role'),
    'scenario': N_('scenario'),
    'source': N_('source'),
    'severity': N_('severity'),
    'where': N_('where'),
    'message': N_('message'),
    'effect_is_default': N_('effect size assumed (default)'),
    'effect_evidence': N_('effect evidence'),
}

_VALUES: dict[str, str] = {
    'recommended': N_('recommended'),
    'not measured': N_('not measured'),
    'does not help the chosen outcomes': N_('does not help the chosen outcomes'),
    'at or better than the reference': N_('at or better than the reference'),
    'alone': N_('alone'),
    'sum of alone': N_('sum of alone'),
    'together': N_('together'),
    'risk': N_('risk factor'),
    'protective': N_('protective factor'),
    'outcome': N_('outcome'),
    'percentage points': N_('percentage points'),
    'per 1000': N_('per 1000'),
    'True': N_('yes'),
    'False': N_('no'),
    'measured, clamped': N_('measured, clamped'),
    'not measured, predicted': N_('not measured, predicted'),
    'published with interval': N_('published with interval'),
    'published point': N_('published point'),
    'published null': N_('published null'),
    'given, source not recorded': N_('given, source not recorded'),
    'stated default': N_('stated default'),
}

_PHRASES: dict[str, str] = {
    'profile_head': N_('{area}: profile {year} against {ref}{note}'),
    'her_figures': N_('Measured indicators, worst first (value in {area} against {ref}):'),
    'per_factor': N_("Per factor and outcome (SD between children, the model's unit; index 100 = "
                     "reference, higher = better):"),
    'meaning': N_("What this means: from {area}'s measured factors the model expects '{label}' at"
                  " {new} against {ref} ({refname}; {change}). The largest predicted difference; "
                  "the others are in the table."),
    'meaning_caveat': N_("These are differences between areas under a reconstruction of the "
                         "model, not effects for individual children."),
    'next_step': N_("Next step: which factors to target? factormodel recommend {model} {data} "
                    '--area "{area}" --goal vsv --lang en  (or the whole wijkrapport: factormodel'
                    ' wijkanalyse {model} {data} --area "{area}" --goal vsv --out report.html '
                    "--lang en)"),
    'verdict_better': N_('better'),
    'verdict_worse': N_('worse'),
    'verdict_same': N_('the same'),
    'verdict_ambiguous': N_('direction ambiguous'),
    'reference_source': N_('reference: {source}'),
    'assumption': N_('ASSUMPTION: {text}'),
    'measured': N_('measured: {f}/{ft} factors, {o}/{ot} outcomes'),
    'not_measured': N_('not measured: {names}'),
    'profile_all': N_('profile {year} ({level}) against {ref}{note}; use --area for one area'),
    'synthetic': N_(' -- SYNTHETIC example data, not measurements'),
    'real': N_(' -- REAL data{source}'),
    'ambiguous': N_('n/a (direction ambiguous)'),
    'default_effect': N_('default*'),
    'published': N_('published'),
    'default_note': N_("* nothing is known about the effect: the stated default {effect} SD per "
                       "target factor (sd {sd}) is used, an assumption; the recognition level is "
                       "evidence, not effect"),
    'rec_head': N_('{area}: factors to target for {goals} -- {model} [{status}]{note}'),
    'rec_reference': N_('differences against {ref}; score = room × gain × evidence'),
    'rec_line': N_("{rank}. {factor}: score {score} = room {room} × gain {gain} × evidence "
                   "{evidence}"),
    'rec_other': N_(' - {factor} ({status}; gain {gain} per SD)'),
    'effects_head': N_("What does closing the gaps achieve? (per goal; alone = one factor back to"
                       " the reference, together = all recommended factors at once)"),
    'required_head': N_("Needed to reach the goal {goal} (change of the factors, in their "
                        "indicators):"),
    'required_assumptions': N_("assumptions: linear model; other factors held where they are; "
                               "area-level effects, not individual ones"),
    'portfolio_rules': N_('  rules: {rules}'),
    'one_per_factor': N_('at most one intervention per factor'),
    'age_group': N_("only interventions for the goals' age group ({ages})"),
    'portfolio_head': N_("Portfolio within {budget}: cost {cost}, expected improvement "
                         "{improvement} SD (weighted sum over the goals)"),
    'budget_left': N_("  budget left over: {left}; an intervention that cannot bring {share} of "
                      "{of} ({threshold} SD) gets no money"),
    'young_people': N_('  for {who}'),
    'goals_read': N_('Your goals, as read:'),
    'portfolio_units': N_('Predicted change of the goals:'),
    'left_out': N_('Left out:'),
    'mismatch': N_("The portfolio does not follow the ranking entirely: the catalogue has no "
                   "intervention for {factors}, so it chooses interventions on other factors that"
                   " move the goals."),
    'out_of_reach': N_("A change of more than 2 SD (within 2 SD = no) lies far outside the spread"
                       " between areas: the goal is out of reach by that route alone."),
    'none_chosen': N_('(no intervention chosen)'),
    'propagate_head': N_("{area}, {year}: outcome differences from {ref} predicted by {model} "
                         "[{status}] from the area's measured factors{note}"),
    'propagate_counts': N_('factors measured and clamped: {m}; not measured, predicted: {p}'),
    'predicted': N_('  predicted: {names}'),
    'nothing': N_('(nothing)'),
    'published with interval': N_('published with interval'),
    'published point': N_('published point'),
    'published null': N_('published null'),
    'stated default': N_('stated default'),
    'given, source not recorded': N_('given, source not recorded'),
}

_STATUS: dict[str, str] = {
    'reconstruction': N_('reconstruction, not the official model'),
    'illustrative': N_('illustrative'),
    'official': N_('official'),
}

_THRESHOLD_OF = {"goals": N_("the goals"),
                 "best intervention": N_("what the best intervention brings")}


def header(key: str, lang: str, labels: Mapping[str, str] | None = None) -> str:
    """The column header of ``key`` in ``lang`` (the key itself when unknown); ``labels``
    (node id -> label in ``lang``) name the goal of a ``path_<goal>`` column.

    Examples
    --------
    >>> header("cost", "nl"), header("path_vsv", "en"), header("unknown", "nl")
    ('kosten (€)', 'strongest path to vsv', 'unknown')
    >>> header("path_vsv", "nl", {"vsv": "voortijdig schoolverlaten"})
    'sterkste pad naar voortijdig schoolverlaten'
    """
    if key.startswith("path_"):
        goal = key[len("path_"):]
        return tr(N_("strongest path to {goal}"), lang).format(
            goal=(labels or {}).get(goal, goal))
    return tr(HEADERS[key], lang) if key in HEADERS else key


def phrase(key: str, lang: str, **fields: object) -> str:
    """A sentence of the command line or a document in ``lang``, its fields filled in.

    Examples
    --------
    >>> phrase("nothing", "nl"), phrase("reference_source", "en", source="the city row")
    ('(niets)', 'reference: the city row')
    """
    return tr(_PHRASES[key], lang).format(**fields)


def threshold_of(key: str, lang: str) -> str:
    """What the "no money for nothing" threshold is a share of, in words.

    Examples
    --------
    >>> threshold_of("goals", "nl"), threshold_of("best intervention", "en")
    ('de doelen', 'what the best intervention brings')
    """
    return tr(_THRESHOLD_OF[key], lang) if key in _THRESHOLD_OF else key


def reason(value: object, lang: str, labels: Mapping[str, str] | None = None) -> str:
    """A portfolio's reason for leaving an intervention out (its ``reason`` cell, a
    :class:`~factormodel.errors.Message` with a ``left_out_*`` code), in ``lang``.

    ``labels`` (node id -> label in ``lang``) names a factor by its label instead of its id,
    in English too. A reason without a known code (e.g. read back from a CSV file) is shown
    as it is.

    Examples
    --------
    >>> from factormodel.errors import Message
    >>> why = Message("does not fit the remaining budget (12,500 left, one unit costs "
    ...               "20,000)", "left_out_budget", {"left": 12500.0, "cost": 20000.0})
    >>> reason(why, "nl")
    'past niet in het resterende budget (€ 12.500 over, één eenheid kost € 20.000)'
    >>> reason(why, "en") == why, reason("something new", "nl")
    (True, 'something new')
    """
    if not isinstance(value, Message) or value.code not in messages.CODES:
        return str(value)
    fields = dict(value.fields)
    if "factor" in fields and labels:
        fields["factor"] = labels.get(str(fields["factor"]), fields["factor"])
    elif lang == "en":
        return str(value)
    return messages.render(value.code, fields, lang)


def source(text: str, lang: str) -> str:
    """Where a profile's reference came from (or an assumption of it), in ``lang``: a
    coded :class:`~factormodel.errors.Message` worded from its code and fields; any other
    text as it is.

    Examples
    --------
    >>> source(Message("the given reference values", "reference_given"), "nl")
    'de opgegeven referentiewaarden'
    >>> source(Message("the mean of 3 areas in the data", "reference_mean", {"n": 3}), "nl")
    'het gemiddelde van 3 gebieden in de data'
    >>> source("something new", "nl")
    'something new'
    """
    if isinstance(text, Message) and text.code in REFERENCE_NAMES:  # a computed city mean
        nl, en = REFERENCE_NAMES[text.code]
        return (nl if lang == "nl" else en).format(**text.fields)
    if isinstance(text, Message) and text.code in messages.CODES:
        return messages.render(text.code, text.fields, lang)
    return str(text)


def goal(value: Goal, lang: str, *, target: bool = True) -> str:
    """A goal in words in ``lang`` (its :meth:`~factormodel.Goal.message`); without
    ``target`` only its size, horizon and group.

    Examples
    --------
    >>> import factormodel as fm
    >>> g = fm.parse_goal("schoolverzuim:-2,5pp:3j:12-18")
    >>> goal(g, "nl"), goal(g, "en", target=False)
    ('schoolverzuim -2,5 procentpunt in 3 jaar, 12-18-jarigen', '-2.5 pp in 3 years, ages 12-18')
    """
    m = value.message() if target else value.size_message()
    return messages.render(m.code, m.fields, lang)


def status(value: str, lang: str) -> str:
    """A model's status in words (``reconstruction`` -> ``reconstructie, niet het officiële
    model``); an unknown status as it is.

    Examples
    --------
    >>> status("reconstruction", "nl"), status("draft", "nl")
    ('reconstructie, niet het officiële model', 'draft')
    """
    return tr(_STATUS[value], lang) if value in _STATUS else value


def _word(v: object, lang: str) -> object:
    if isinstance(v, (bool, np.bool_)):
        v = str(bool(v))
    if isinstance(v, str) and v in _VALUES:
        return tr(_VALUES[v], lang)
    return v


def translate_frame(frame: pd.DataFrame, lang: str, labels: Mapping[str, str] | None = None
                    ) -> pd.DataFrame:
    """``frame`` with headers and word cells in ``lang`` (for people: table, csv-nl, xlsx):
    booleans as ja/nee (yes/no), a strongest path's nodes by their labels and its product as
    ``lang`` writes numbers, a portfolio's left-out reasons in words (``labels``: node id ->
    label in ``lang``, to name a node by its label; see :func:`reason`).

    Examples
    --------
    >>> t = translate_frame(pd.DataFrame({"effect_is_default": [True, False],
    ...                                   "path_vsv": ["a → vsv (-0.039)", ""]}), "nl",
    ...                     {"vsv": "voortijdig schoolverlaten"})
    >>> t.to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'effectgrootte aangenomen (standaard)': ['ja', 'nee'],
     'sterkste pad naar voortijdig schoolverlaten': ['a → voortijdig schoolverlaten (-0,039)',
                                                     '']}
    """
    out = frame.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].map(lambda v: _word(v, lang)).astype(object)
        if c != "reason" and out[c].map(lambda v: isinstance(v, Message)).any():  # coded
            out[c] = out[c].map(lambda v: messages.render(v.code, v.fields, lang)
                                if isinstance(v, Message) else v)
        if str(c).startswith("path_"):
            out[c] = out[c].map(lambda v: _path(v, lang, labels) if isinstance(v, str) else v)
    if "reason" in out.columns:
        out["reason"] = out["reason"].map(lambda v: reason(v, lang, labels)
                                          if isinstance(v, str) else v)
    return out.rename(columns={c: header(str(c), lang, labels) for c in out.columns})


def _path(text: str, lang: str, labels: Mapping[str, str] | None) -> str:
    """A ranking's ``path_<goal>`` cell (``"a → vsv (-0.039)"``, as recommend writes it) with
    its nodes by their labels and its product as ``lang`` writes it; any other text as is."""
    body, sep, product = text.rpartition(" (")
    try:
        value = float(product.removesuffix(")")) if sep and product.endswith(")") else None
    except ValueError:
        value = None
    if value is None:
        return text
    names = " → ".join((labels or {}).get(n, n) for n in body.split(" → "))
    return f"{names} ({fmt.number(value, 3, lang, sign=True, grouping=False)})"


