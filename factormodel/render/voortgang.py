"""The voortgangsrapportage: a wijkplan's evaluation as one Dutch HTML page (or PDF).

For the partners' meeting (Wijkprogrammering step 6): per goal where it started, where
it is, where it should go and the verdict with its reason; per intervention what was
delivered against what was agreed; the points to discuss; the partners' signals; and
the same honesty rules as the wijkrapport: synthetic data stamped on the page and in
every table, the assumptions listed, area-level results not individual effects, the
bundled model named a reconstruction.
"""

from __future__ import annotations

import math
from html import escape
from os import PathLike
from pathlib import Path
from typing import cast

from factormodel.render.report import CSS, save_document
from factormodel.text import numbers as fmt
from factormodel.text import words as L
from factormodel.workflow.evaluation import PlanEvaluation
from factormodel.workflow.progress import DROPOUT_REASONS
from factormodel.workflow.wijkplan import INTERVAL, PLAN_ASSUMPTIONS_NL

__all__ = ["progress_report"]

_VERDICT_CSS = {"op koers": "better", "voor": "better", "achter": "worse"}


def _n(x: float, digits: int = 2, sign: bool = False) -> str:
    return fmt.number(x, digits, "nl", sign=sign)


def _c(x: float) -> str:
    """A signed change: two decimals, three for a small one (never ``-0,00``)."""
    return _n(x, 3 if abs(x) < 0.05 else 2, True)


def _interval(lo: float, hi: float) -> str:
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return "geen interval"
    return f"{_c(lo)} tot {_c(hi)}"


def _nl(text: str) -> str:
    """An assumption in Dutch where the library knows it (else as written)."""
    return PLAN_ASSUMPTIONS_NL.get(text) or L.source(text, "nl")


def _table(head: list[str], rows: list[list[str]], caption: str, num: set[int]) -> str:
    th = "".join(f'<th{" class=num" if i in num else ""}>{escape(h)}</th>'
                 for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td{" class=num" if i in num else ""}>{c}</td>'
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return (f"<table><caption>{escape(caption)}</caption><thead><tr>{th}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def progress_report(evaluation: PlanEvaluation, out: str | PathLike[str] | None = None
                    ) -> str | Path:
    """The voortgangsrapportage (Dutch) of an evaluation: HTML text, or written to
    ``out`` (``.html``, or ``.pdf`` with the ``pdf`` extra).

    Examples
    --------
    >>> import factormodel as fm
    >>> from factormodel.workflow.wijkplan import example_plan
    >>> ev = fm.evaluate_plan(example_plan(), fm.load_example_data(), year=2023)
    >>> html = fm.progress_report(ev)
    >>> "Voortgangsrapportage" in html and "SYNTHETISCH" in html
    True
    """
    ev, plan = evaluation, evaluation.plan
    stamp = " — SYNTHETISCHE gegevens, geen metingen" if ev.synthetic else ""
    parts = [f"<h1>Voortgangsrapportage wijkplan {escape(plan.area)}</h1>",
             f'<p class="sub">Wijkplan versie {plan.version} ({escape(plan.date)}'
             f"{', ' + escape(plan.author) if plan.author else ''}), gemaakt met de cijfers "
             f"van {plan.data_year}; geëvalueerd met de cijfers van {ev.year}.</p>"]
    if ev.synthetic:
        parts.append('<p class="warn"><strong>SYNTHETISCHE gegevens.</strong> De cijfers in '
                     "deze rapportage zijn gemaakt om de werkwijze te tonen en te testen; ze "
                     "zeggen niets over de wijk.</p>")
    parts.append('<p class="note">Dit zijn uitkomsten op wijkniveau, geen effecten voor '
                 "individuele kinderen of jongeren. Een oordeel zegt nooit meer dan de "
                 f"intervallen ({INTERVAL:.0%}) toelaten.</p>")
    # goals
    rows = []
    for r in ev.goals.itertuples():
        # evaluate_plan's goal rows: the words are str, the horizon an int, figures floats
        verdict, label = str(r.verdict), str(r.label_nl or r.goal)
        baseline, now, target, change, did, did_low, did_high, expected, low, high = (
            cast(float, x) for x in (r.baseline, r.now, r.target, r.change, r.did, r.did_low,
                                     r.did_high, r.expected, r.expected_low, r.expected_high))
        cls = _VERDICT_CSS.get(verdict, "")
        rows.append([
            escape(label) + f"<br><small>{escape(str(r.indicator))}</small>",
            _n(baseline), "niet te meten" if math.isnan(now) else _n(now),
            "geen streefwaarde" if math.isnan(target) else f"{_n(target)} in {r.horizon!s}",
            _c(change), _c(did) + f"<br><small>{_interval(did_low, did_high)}</small>",
            _c(expected) + f"<br><small>{_interval(low, high)}</small>",
            f'<span class="{cls}">{escape(verdict)}</span><br><small>{escape(str(r.reason))}'
            "</small>"])
    unit_note = ", ".join(sorted({f"{g.indicator}: {g.unit}" for g in plan.goals}))
    parts.append("<section><h2>1. Maatschappelijke resultaten</h2>"
                 + _table(["doel", "beginwaarde", "nu", "streefwaarde", "verandering",
                           "verschil met andere wijken", "verwacht nu (bij geleverd bereik)",
                           "oordeel"], rows,
                          f"Doelen van het wijkplan, in de eenheid van de indicator "
                          f"({unit_note}){stamp}", {1, 2, 3, 4, 5, 6})
                 + "<p>‘Verschil met andere wijken’ is de verandering van de wijk min de "
                   "gemiddelde verandering van de andere wijken in dezelfde jaren (verschil "
                   "in verschillen). ‘Verwacht nu’ is het verwachte effect van het plan, "
                   "naar rato van het bereik dat de partners echt leverden en van de "
                   "verstreken tijd.</p></section>")
    # interventions
    rows = []
    for q in ev.interventions.itertuples():
        # evaluate_plan's intervention rows: reasons a dict reason -> count, figures floats
        given = cast("dict[str, int]", q.reasons)
        reached, share, completion, agreed, dropped = (
            cast(float, x) for x in (q.reached, q.delivered_share, q.completion,
                                     q.completion_agreed, q.dropped_out))
        reasons = "; ".join(f"{DROPOUT_REASONS[k][0]}: {v}" for k, v in given.items()) \
            if given else ""
        rows.append([escape(str(q.name)), escape(str(q.partner)), fmt.count(q.participants),
                     fmt.count(q.expected_by_now), "onbekend" if math.isnan(reached)
                     else fmt.count(reached),
                     "onbekend" if math.isnan(share) else f"{_n(100 * share, 0)}%",
                     "–" if math.isnan(completion) else f"{_n(100 * completion, 0)}%",
                     "niet afgesproken" if math.isnan(agreed) else f"{_n(100 * agreed, 0)}%",
                     "onbekend" if math.isnan(dropped) else fmt.count(dropped),
                     escape(reasons)])
    parts.append("<section><h2>2. Wat de partners leverden</h2>"
                 + _table(["interventie", "partner", "afgesproken deelnemers",
                           "verwacht tot nu", "bereikt", "geleverd", "afgerond",
                           "afgesproken afronding", "uitgevallen", "redenen van uitval"], rows,
                          f"Geleverd tegenover afgesproken, tot en met {ev.year}{stamp}",
                          {2, 3, 4, 5, 6, 7, 8})
                 + "</section>")
    # discuss
    items = "".join(f"<li>{escape(d['nl'])}</li>" for d in ev.discuss) or \
        "<li>Geen bijzondere punten uit de cijfers.</li>"
    parts.append(f"<section><h2>3. Te bespreken</h2><ul>{items}</ul></section>")
    sig = "".join(f"<li><strong>{escape(s.partner)}</strong> over {escape(s.about)}: "
                  f"{escape(s.text)}</li>" for s in plan.signals) or \
        "<li>Geen signalen vastgelegd.</li>"
    parts.append("<section><h2>4. Signalen van partners</h2><p>Wat partners in de wijk zien "
                 f"dat de cijfers niet laten zien.</p><ul>{sig}</ul></section>")
    assumptions = "".join(f"<li>{escape(a)}</li>" for a in (
        *ev.assumptions_nl, *(_nl(a) for a in plan.assumptions)))
    model_note = (" Het model rotterdam-jeugd is een reconstructie, niet het officiële "
                  "Rotterdamse model." if plan.model_name == "rotterdam-jeugd" else "")
    parts.append("<section><h2>5. Aannames en herkomst</h2><ul>" + assumptions + "</ul>"
                 f"<p>Model {escape(plan.model_name)} versie {escape(plan.model_version)} "
                 f"(inhoud sha256 {escape(plan.model_hash[:12])}…).{model_note} Gegevens van "
                 f"het plan: {escape(plan.data_file or 'een tabel')}"
                 f"{' (sha256 ' + escape(plan.data_sha256[:12]) + '…)' if plan.data_sha256 else ''}"
                 f", {plan.data_year}.</p></section>")
    parts.append("<footer>Gemaakt met factormodel. Uitkomsten op wijkniveau, geen effecten "
                 "voor individuele kinderen." + (" SYNTHETISCHE gegevens." if ev.synthetic
                                                 else "") + "</footer>")
    title = f"Voortgangsrapportage wijkplan {plan.area}"
    html = ('<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}caption{{text-align:left;"
            "font-size:12px;color:#555}th.num{white-space:normal}td:last-child{min-width:190px}"
            "</style></head><body>" + "".join(parts)
            + "</body></html>\n")
    return html if out is None else save_document(html, out)
