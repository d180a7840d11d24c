"""The wijkrapport: one self-contained HTML file a gebiedsadviseur can share with partners.

:func:`report` runs the library's public analyses for one area and the
maatschappelijke resultaten it chose, and writes everything into one HTML file
(figures inline as PNG, style inline, no scripts, no external files), Dutch by
default. Sections, in order:

1. ``profiel`` -- the area against its reference in the indicators' own units;
2. ``resultaten`` -- the chosen results (goals) and what drives them (the
   factors with the largest total effect, and the share of the strongest path);
3. ``aangrijpingspunten`` -- the recommended factors, with Monte Carlo
   intervals over the weights and the stability of their ranks;
4. ``interventies`` -- fitting interventions and, with a budget, an exact
   portfolio: what it buys in indicator units and what was left out and why;
5. ``niet-gemeten`` -- what the data do not measure;
6. ``kanttekeningen`` -- the caveats (reconstruction or official model, real or
   synthetic data, area-level associations are not individual effects, ...);
7. ``herkomst`` -- provenance (model, data, settings, date, library version).

With ``out`` ending in ``.pdf`` the same document is printed to PDF with
WeasyPrint (the optional extra ``factormodel[pdf]``).
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from factormodel.analysis.evidence import EvidenceSummary, evidence_summary
from factormodel.analysis.goals import (
    PLAUSIBLE_SD,
    Goal,
    RequiredChange,
    required_changes,
    resolve_goal,
)
from factormodel.analysis.indicators import (
    Profile,
    area_table,
    coverage,
    indicator_table,
    load_indicators,
    profile,
)
from factormodel.analysis.population import YoungPeople, ages_of, young_people
from factormodel.analysis.portfolio import DEFAULT_EFFECT, Portfolio
from factormodel.analysis.recommend import Recommendation
from factormodel.analysis.uncertainty import MonteCarloResult
from factormodel.core.effects import strongest_paths, total_effects
from factormodel.core.model import AREA_LEVEL, WEIGHTS_KIND_NL, FactorModel
from factormodel.errors import InvalidParameterError
from factormodel.files.folders import load_model, write_document
from factormodel.render.plot import detached, figure_png, plot_profile, plot_recommendation
from factormodel.text import numbers as fmt
from factormodel.text import words as L
from factormodel.workflow.wijkanalyse import DEFAULT_OPTIONS, Options, analyse

__all__ = ["SECTIONS", "report"]

#: Section ids of the report, in order (the same in every language).
SECTIONS = ("profiel", "resultaten", "aangrijpingspunten", "interventies", "niet-gemeten",
            "kanttekeningen", "herkomst")

_HEADINGS = {
    "nl": {"profiel": "1. De wijk tegenover {ref}",
           "resultaten": "2. Gekozen maatschappelijke resultaten en wat ze drijft",
           "aangrijpingspunten": "3. Aanbevolen aangrijpingspunten",
           "interventies": "4. Interventies en een portfolio binnen het budget",
           "niet-gemeten": "5. Wat niet gemeten is",
           "kanttekeningen": "6. Kanttekeningen",
           "herkomst": "7. Herkomst"},
    "en": {"profiel": "1. The area against {ref}",
           "resultaten": "2. Chosen outcomes (maatschappelijke resultaten) and their drivers",
           "aangrijpingspunten": "3. Recommended factors to target",
           "interventies": "4. Interventions and a portfolio within the budget",
           "niet-gemeten": "5. What is not measured",
           "kanttekeningen": "6. Caveats",
           "herkomst": "7. Provenance"},
}

#: The style sheet of the wijkrapport (shared by the voortgangsrapportage).
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#222;
max-width:1040px;margin:0 auto;padding:24px;line-height:1.45;font-size:15px}
h1{font-size:26px;margin-bottom:4px}h2{font-size:20px;margin-top:36px;
border-bottom:2px solid #2c7fb8;padding-bottom:4px}h3{font-size:16px;margin-top:22px}
.sub{color:#555;margin-top:0}
.warn{background:#fff3e0;border-left:6px solid #e66101;padding:10px 14px;margin:14px 0}
.note{background:#eef5fb;border-left:6px solid #2c7fb8;padding:10px 14px;margin:14px 0}
table{border-collapse:collapse;margin:10px 0 16px 0;font-size:13px;width:100%}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num,th.num{text-align:right;white-space:nowrap}
.worse{color:#b2182b;font-weight:600}.better{color:#1a7837;font-weight:600}
figure{margin:14px 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:13px;color:#555}
footer{margin-top:40px;font-size:12px;color:#777}
@media print{body{max-width:none;padding:0}h2{page-break-after:avoid}
figure,tr{page-break-inside:avoid}thead{display:table-header-group}}
"""


# --------------------------------------------------------------------------- goals


@dataclass(frozen=True)
class _GoalText:
    node: str
    priority: float
    goal: Any = None  # a goal object (fm.Goal) when one was given


def _goals(model: FactorModel, goals: Any) -> tuple[dict[str, float], list[_GoalText]]:
    """THE place where the report reads its goals: priorities per node, and the goals.

    Accepts a node id, a list of node ids, a mapping ``{node: priority}``, or a
    list of goal objects (anything with ``target`` and optionally ``priority``,
    ``change``, ``unit``, ``years``, ``group``, such as ``fm.Goal``).
    """
    if isinstance(goals, str | Goal):
        goals = [goals]
    if isinstance(goals, Mapping):
        items = [_GoalText(str(k), float(v)) for k, v in goals.items()]
    elif isinstance(goals, Iterable):
        items = []
        for g in goals:
            if isinstance(g, str):
                items.append(_GoalText(g, 1.0))
            elif isinstance(g, Goal):  # a target by id, label or indicator: resolved here
                items.append(_GoalText(resolve_goal(model, g).node, float(g.priority), g))
            elif hasattr(g, "target"):
                items.append(_GoalText(str(g.target), float(getattr(g, "priority", 1.0)), g))
            else:
                raise InvalidParameterError(f"a goal must be a node id or a goal object, got "
                                            f"{g!r}")
    else:
        raise InvalidParameterError(f"goals must be node ids, {{node: priority}} or goal "
                                    f"objects, got {type(goals).__name__}")
    if not items:
        raise InvalidParameterError("the report needs at least one goal (a node id)")
    model.positions([g.node for g in items])  # unknown nodes: UnknownNodeError with matches
    bad = [g for g in items if not np.isfinite(g.priority) or g.priority <= 0]
    if bad:
        raise InvalidParameterError("goal priorities must be numbers above 0; got "
                                    + ", ".join(f"{g.node}={g.priority}" for g in bad))
    return {g.node: g.priority for g in items}, items


# --------------------------------------------------------------------------- formatting


def _n(x: Any, lang: str, digits: int = 2, sign: bool = False,
       significant: bool = False) -> str:
    """A number as a reader of ``lang`` writes it (Dutch: 1.234,5; missing: ``–``)."""
    return fmt.number(x, digits, lang, sign=sign, significant=significant, missing="–")


def _money(x: float, lang: str) -> str:
    return fmt.money(x, lang, missing="–")


def _unit(unit: str, lang: str, difference: bool = False) -> str:
    if unit == "%":
        if difference:
            return "procentpunt" if lang == "nl" else "percentage points"
        return "%"
    if unit == "per 1000":
        return "per 1.000" if lang == "nl" else "per 1,000"
    return unit


def _value(x: float, unit: str, lang: str, *, sign: bool = False, difference: bool = False,
           digits: int = 1, significant: bool = False) -> str:
    if x is None or not np.isfinite(x):
        return "–"
    u = _unit(unit, lang, difference)
    joiner = "" if u == "%" else " "
    return f"{_n(x, lang, digits, sign, significant)}{joiner}{u}"


def _table(header: list[str], rows: list[list[str]], numeric: Iterable[int] = ()) -> str:
    """An HTML table; cells are escaped unless they are already marked-up ``_Raw``."""
    numeric = set(numeric)

    def cell(tag: str, k: int, value: Any) -> str:
        cls = ' class="num"' if k in numeric else ""
        text = value.html if isinstance(value, _Raw) else escape(str(value))
        return f"<{tag}{cls}>{text}</{tag}>"

    head = "".join(cell("th", k, h) for k, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", k, v) for k, v in enumerate(r)) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@dataclass(frozen=True)
class _Raw:
    html: str


def _figure(ax: Any, caption: str, dpi: int) -> str:
    png = base64.b64encode(figure_png(ax, dpi=dpi)).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{png}" alt="{escape(caption)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def _p(text: str, cls: str = "") -> str:
    return f'<p class="{cls}">{escape(text)}</p>' if cls else f"<p>{escape(text)}</p>"


def _h3(text: str) -> str:
    return f"<h3>{escape(text)}</h3>"


def _ul(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


# --------------------------------------------------------------------------- the report


@dataclass
class _Context:
    model: FactorModel
    prof: Profile
    area: Any
    lang: str
    long: pd.DataFrame
    catalogue: pd.DataFrame | None
    priorities: dict[str, float]
    goals: list[_GoalText]
    dpi: int

    @property
    def nl(self) -> bool:
        return self.lang == "nl"

    def t(self, nl: str, en: str) -> str:
        return nl if self.nl else en

    def label(self, node: str) -> str:
        return str(self.model.nodes.loc[node, f"label_{self.lang}"])

    @property
    def ref(self) -> str:
        return self.prof.reference_name(self.lang)


def report(model: FactorModel | str, data: Any, area: Any, goals: Any, *,
           budget: float | None = None, lang: str = "nl",
           out: str | PathLike[str] | None = None, reference: str = "city",
           year: int | None = None, level: str | None = None,
           targets: Mapping[str, float] | None = None, population: float | None = None,
           indicators: pd.DataFrame | None = None,
           interventions: pd.DataFrame | str | PathLike[str] | None = None,
           one_per_factor: bool = DEFAULT_OPTIONS.one_per_factor,
           top: int = DEFAULT_OPTIONS.top, n_draws: int = DEFAULT_OPTIONS.n_draws,
           seed: int = DEFAULT_OPTIONS.seed, alpha: float = DEFAULT_OPTIONS.alpha,
           dpi: int = 100, date: _dt.date | str | None = None,
           data_source: str | None = None,
           profile_options: Mapping[str, Any] | None = None,
           population_is_young: bool = False) -> str | Path:
    """Write the wijkrapport for ``area``: one self-contained HTML (or PDF) file.

    Parameters
    ----------
    model : FactorModel or str
        A model, or the name/path of one (:func:`factormodel.load_model`).
    data : DataFrame or path
        Area data (:func:`factormodel.read_area_data`): the area itself and
        what it is compared with (the other areas for ``reference="city"``).
    area : label
        The area the report is about.
    goals : node id, list of ids, mapping ``{id: priority}`` or :class:`~factormodel.Goal`
        The maatschappelijke resultaten the area chose: any node, outcome or
        factor (e.g. ``{"vsv": 2, "schoolverzuim": 1}``), or goals with a size
        (``fm.parse_goal("schoolverzuim:-2pp:3j")``); every section ranks and
        optimises for their nodes with their priorities.
    budget : float, optional
        Money available (euros, as the catalogue's costs); with it the report
        contains an exact portfolio within the budget.
    lang : {"nl", "en"}
        Language of every text, table and figure (Dutch by default).
    out : path, optional
        Where to write the report (``.html`` or ``.htm``, or ``.pdf`` with
        WeasyPrint installed; any other ending is refused). Without it the
        HTML is returned as a string.
    reference, year, level, targets, indicators
        As for :func:`factormodel.profile` (``indicators``: a catalogue other
        than the model's own, e.g. for real CBS data); ``profile_options``
        passes any further keyword to it.
    population : float, optional
        Young people in the area, for the portfolio (default: the data's column of young
        people; a column of all residents only with ``population_is_young``; see
        :func:`factormodel.population.young_people`). The report states the number used
        and where it came from.
    interventions : DataFrame or path, optional
        Intervention catalogue (default: the model's own).
    one_per_factor : bool
        The portfolio has at most one intervention per factor.
    top, n_draws, seed, alpha
        Factors ranked; weight draws and seed of the Monte Carlo analysis;
        per-hop attenuation.
    dpi : int
        Resolution of the inline figures.
    date : date or str, optional
        The date printed in the report (default: today).
    data_source : str, optional
        How the data are named under provenance (default: the file name, or
        "a table given in Python").
    population_is_young : bool
        The data's population column (e.g. ``inwoners``) counts the young people.

    Returns
    -------
    str or Path
        The HTML when ``out`` is None, otherwise the path written.

    Raises
    ------
    UnknownAreaError, UnknownNodeError, DataError, InvalidParameterError
        From the analyses it runs (an unknown area or goal, data without a
        population when a budget is given, ...), before anything is written;
        an ``out`` not ending in ``.html``, ``.htm`` or ``.pdf``.

    Examples
    --------
    >>> import factormodel as fm
    >>> html = fm.report("rotterdam-jeugd", fm.load_example_data("rotterdam"),
    ...                  "Oud-Crooswijk", {"vsv": 2, "schoolsucces": 1}, budget=250_000,
    ...                  n_draws=100)
    >>> html.startswith("<!DOCTYPE html>"), "SYNTHETISCHE DATA" in html
    (True, True)
    >>> [s in html for s in ('id="profiel"', 'id="herkomst"')]
    [True, True]
    """
    if lang not in ("nl", "en"):
        raise InvalidParameterError(f"lang must be 'nl' or 'en', got {lang!r}")
    if not isinstance(dpi, int) or not 30 <= dpi <= 300:
        raise InvalidParameterError(f"dpi must be a whole number from 30 to 300, got {dpi!r}")
    if out is not None and Path(out).suffix.lower() not in REPORT_SUFFIXES:
        raise InvalidParameterError(
            f"out={str(out)!r}: a report is written as HTML or PDF; give a file name ending "
            f"in {', '.join(REPORT_SUFFIXES)} (got {Path(out).suffix or 'no extension'})")
    if isinstance(model, str):
        model = load_model(model)
    priorities, goal_list = _goals(model, goals)
    options = dict(profile_options or {})
    # headers become indicator ids in one place (her column mapping, ids, labels), so every
    # section counts the same indicators
    long, _, named = area_table(model, data, indicators=indicators,
                                columns=options.get("columns"), year=year)
    prof = profile(model, long, indicators=indicators, reference=reference, year=year,
                   level=level, targets=targets,
                   **{k: v for k, v in options.items() if k != "columns"})  # applied above
    prof.row(area)  # an unknown area: UnknownAreaError with close matches, before any work
    catalogue = indicators if indicators is not None else named[0] if named else (
        load_indicators(model) if "indicators" in model.table_names else None)
    ctx = _Context(model, prof, area, lang, long, catalogue, priorities, goal_list, dpi)
    young = None
    if budget is not None:  # the young people the portfolio is for: asked, never guessed
        young = young_people(prof, area, number=population,
                             ages=ages_of(g.goal for g in goal_list),
                             column_is_young=population_is_young)
    # the one wijk analysis (workflow.analyse); the report only renders it
    analysis = analyse(
        model, long, area, [g.goal if isinstance(g.goal, Goal) else
                            Goal(g.node, priority=g.priority) for g in goal_list],
        budget=budget, population=None if young is None else young.number,
        indicators=catalogue, interventions=interventions, prof=prof,
        options=Options(one_per_factor=one_per_factor, top=top, n_draws=n_draws, seed=seed,
                        alpha=alpha, reference=reference, year=year, level=level))
    rec, mc, port, ivs = (analysis.ranking, analysis.uncertainty, analysis.portfolio,
                          analysis.interventions)
    if date is None:
        date = _dt.date.today()
    source = data_source or (Path(data).name if isinstance(data, str | PathLike) else
                             ctx.t("een tabel die in Python is meegegeven",
                                   "a table given in Python"))
    digest = _digest(data)
    with detached():  # Figure objects outside pyplot, closed on every path (threads, errors)
        parts = [
            _header(ctx, str(date)),
            _section(ctx, "profiel", _profile_section(ctx)),
            _section(ctx, "resultaten", _goals_section(ctx, alpha, _needed(ctx, alpha))),
            _section(ctx, "aangrijpingspunten", _recommendation_section(ctx, rec, mc)),
            _section(ctx, "interventies", _interventions_section(ctx, rec, ivs, port, budget,
                                                                   young)),
            _section(ctx, "niet-gemeten", _unmeasured_section(ctx, rec)),
            _section(ctx, "kanttekeningen", _caveats_section(ctx, ivs, port, mc)),
            _section(ctx, "herkomst", _provenance_section(
                ctx, str(date), source, digest, budget, n_draws, seed, alpha, port)),
        ]
    title = ctx.t(f"Wijkrapport {area}", f"Area report {area}")
    html = (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
            + "".join(parts) + "</body></html>\n")
    return html if out is None else save_document(html, out)


#: File name endings of a written report.
REPORT_SUFFIXES = (".html", ".htm", ".pdf")


def save_document(html: str, out: str | PathLike[str]) -> Path:
    """Write a finished HTML document to ``out``: PDF when its suffix is ``.pdf`` (the
    ``pdf`` extra), else the HTML itself, atomically. The one writer of the wijkrapport
    and the voortgangsrapportage."""
    path = Path(out)
    if path.suffix.lower() == ".pdf":
        write_pdf(html, path)
    else:
        write_document(path, html)
    return path


def write_pdf(html: str, path: Path) -> None:
    """Write ``html`` as a PDF with WeasyPrint (the ``pdf`` extra), atomically."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the system's Pango is missing
        raise InvalidParameterError(
            "a PDF report needs WeasyPrint (pip install 'factormodel[pdf]', and the Pango "
            f"libraries of your system); write .html instead ({exc})") from None
    write_document(path, lambda tmp: HTML(string=html).write_pdf(tmp))


def _digest(data: Any) -> str:
    """The first 12 hex digits of the SHA-256 of a data file ('' for a table)."""
    if isinstance(data, str | PathLike) and Path(data).is_file():
        return hashlib.sha256(Path(data).read_bytes()).hexdigest()[:12]
    return ""


def _section(ctx: _Context, key: str, body: str) -> str:
    heading = _HEADINGS[ctx.lang][key].format(ref=ctx.ref)
    return f'<section id="{key}"><h2>{escape(heading)}</h2>{body}</section>'


def _header(ctx: _Context, date: str) -> str:
    m, prof = ctx.model, ctx.prof
    names = ", ".join(ctx.label(g.node) for g in ctx.goals)
    sub = ctx.t(f"Factorenmodel-analyse voor {names} — {prof.level or 'gebied'} {ctx.area}, "
                f"data {prof.year}, model {m.name} {m.metadata.version}, {date}",
                f"Factor model analysis for {names} — {prof.level or 'area'} {ctx.area}, "
                f"data {prof.year}, model {m.name} {m.metadata.version}, {date}")
    out = [f"<header><h1>{escape(ctx.t('Wijkrapport ', 'Area report ') + str(ctx.area))}</h1>",
           _p(sub, "sub")]
    if prof.synthetic:
        out.append('<div class="warn"><b>' + escape(ctx.t(
            "SYNTHETISCHE DATA — geen metingen.", "SYNTHETIC DATA — not measurements."))
            + "</b> " + escape(ctx.t(
                f"De cijfers voor {ctx.area} zijn verzonnen voorbeeldwaarden bij echte "
                "gebiedsnamen. Lees dit rapport als een demonstratie van de werkwijze, niet "
                "als een uitspraak over de wijk.",
                f"The figures for {ctx.area} are made-up example values attached to real "
                "area names. Read this report as a demonstration of the method, not as a "
                "statement about the area.")) + "</div>")
    if m.metadata.status != "official":
        out.append('<div class="warn">' + escape(_status_text(ctx)) + "</div>")
    out.append("</header>")
    return "".join(out)


def _status_text(ctx: _Context) -> str:
    status = ctx.model.metadata.status
    if status == "reconstruction":
        return ctx.t(
            f"Model {ctx.model.name} is een reconstructie van het Factorenmodel Jeugd uit "
            "openbare bronnen, niet het officiële model van de gemeente Rotterdam: de "
            "volledige factorenlijst en eventuele gewichten van het officiële model zijn niet "
            "openbaar.",
            f"Model {ctx.model.name} is a reconstruction of the Factorenmodel Jeugd from "
            "public sources, not the official model of the City of Rotterdam: the official "
            "model's full factor list and any weights are not public.")
    return ctx.t(f"Model {ctx.model.name} heeft de status '{status}': geen officieel model.",
                 f"Model {ctx.model.name} has status '{status}': not an official model.")


# --------------------------------------------------------------------------- 1. profile


def _indicator_rows(ctx: _Context) -> pd.DataFrame:
    """The area's measured indicators with their reference values and differences (the
    one table, :func:`factormodel.indicator_table`)."""
    if ctx.catalogue is None:
        return pd.DataFrame()
    t = indicator_table(ctx.model, ctx.prof, ctx.area)
    if t.empty:
        return pd.DataFrame()
    return t.assign(label=t[f"label_{ctx.lang}"], z=t["sd_children"], among=t["sd_areas"],
                    better=t["better_sd"], ambiguous=t["verdict"] == "ambiguous")


def _profile_section(ctx: _Context) -> str:
    rows = _indicator_rows(ctx)
    prof = ctx.prof
    intro = ctx.t(
        f"Elke indicator van {ctx.area} in {prof.year} naast {ctx.ref}, in de eenheid van de "
        "indicator zelf, met een oordeel; daarna de afstand in standaarddeviaties tussen "
        "kinderen (de eenheid waarin het model rekent: een aandeel via het liability-model, "
        "Φ⁻¹ van het aandeel) en tussen wijken (hoe ongewoon de wijk is onder de wijken; de "
        "spreiding uit de catalogus) en het percentiel onder de wijken in de data (het deel "
        "met een lagere waarde). Slechtste eerst.",
        f"Each indicator of {ctx.area} in {prof.year} beside {ctx.ref}, in the indicator's "
        "own unit, with a verdict; then the distance in standard deviations between children "
        "(the unit the model computes in: a share through the liability model, Φ⁻¹ of the "
        "share) and between wijken (how unusual the wijk is among wijken; the catalogue's "
        "spread) and the percentile among the wijken in the data (the share with a lower "
        "value). Worst first.")
    out = [_p(intro)]
    if rows.empty:
        out.append(_p(ctx.t("Voor dit gebied zijn geen indicatoren uit de catalogus gemeten.",
                            "No catalogue indicators are measured for this area.")))
    else:
        body = []
        for r in rows.itertuples():
            if r.ambiguous:
                verdict = _Raw(escape(L.phrase("ambiguous", ctx.lang)))
            elif not np.isfinite(r.better):
                verdict = _Raw("–")
            elif r.verdict == "same":
                verdict = _Raw(escape(ctx.t("gelijk", "the same")))
            elif r.better < 0:
                verdict = _Raw(f'<span class="worse">{escape(ctx.t("slechter", "worse"))}</span>')
            else:
                verdict = _Raw(f'<span class="better">{escape(ctx.t("beter", "better"))}</span>')
            body.append([r.label, _value(r.value, r.unit, ctx.lang),
                         _value(r.reference, r.unit, ctx.lang),
                         _value(r.difference, r.unit, ctx.lang, sign=True, difference=True),
                         verdict, _n(r.z, ctx.lang, 2, sign=True),
                         _n(r.among, ctx.lang, 1, sign=True) if np.isfinite(r.among) else "–",
                         f"{r.percentile:.0f}" if np.isfinite(r.percentile) else "–"])
        out.append(_table([ctx.t("indicator", "indicator"), str(ctx.area),
                           ctx.t("referentie", "reference"), ctx.t("verschil", "difference"),
                           ctx.t("oordeel", "verdict"),
                           ctx.t("afstand (SD tussen kinderen)", "distance (SD between children)"),
                           ctx.t("afstand (SD tussen wijken)", "distance (SD between wijken)"),
                           ctx.t("percentiel onder de wijken", "percentile among wijken")],
                          body, numeric=(1, 2, 3, 5, 6, 7)))
    ax = plot_profile(ctx.model, prof, area=ctx.area, lang=ctx.lang, top=25)
    out.append(_figure(ax, ctx.t(
        f"Profiel van {ctx.area} per factor en resultaat (SD tegenover {ctx.ref}; "
        "rechts = beter).",
        f"Profile of {ctx.area} per factor and outcome (SD against {ctx.ref}; "
        "right = better)."), ctx.dpi))
    return "".join(out)


# --------------------------------------------------------------------------- 2. goals


def _goal_phrase(ctx: _Context, g: _GoalText) -> str:
    """What the area wants, in words (with a goal object's change, horizon and group)."""
    if isinstance(g.goal, Goal) and g.goal.change is not None:
        desired = ctx.model.desired_sign[g.node]
        better = ctx.t("lager is beter" if desired < 0 else "hoger is beter",
                       "lower is better" if desired < 0 else "higher is better")
        return f"{ctx.label(g.node)}: {g.goal.change_text(ctx.lang)} ({better})"
    parts = [ctx.label(g.node)]
    obj = g.goal
    change = getattr(obj, "change", None)
    if change is not None:
        unit = getattr(obj, "unit", "sd")
        unit_text = {"sd": "SD", "pp": ctx.t("procentpunt", "percentage points"),
                     "%": "%"}.get(str(unit), str(unit))
        parts.append(f"{_n(float(change), ctx.lang, 1, sign=True)} {unit_text}")
    years = getattr(obj, "years", None)
    if years:
        parts.append(ctx.t(f"binnen {years} jaar", f"within {years} years"))
    group = getattr(obj, "group", None)
    if group:
        parts.append(ctx.t(f"doelgroep {group}", f"target group {group}"))
    desired = ctx.model.desired_sign[g.node]
    parts.append(ctx.t("lager is beter" if desired < 0 else "hoger is beter",
                       "lower is better" if desired < 0 else "higher is better"))
    return f"{parts[0]} ({'; '.join(parts[1:])})"


def _needed(ctx: _Context, alpha: float
            ) -> dict[int, RequiredChange | str]:
    """For goals with a size (by ``id`` of the goal): the change of its strongest drivers
    that would reach it, or why it cannot be computed."""
    sized = [g.goal for g in ctx.goals if isinstance(g.goal, Goal) and g.goal.change is not None]
    if not sized:
        return {}
    levels = ctx.prof.area_levels(ctx.area)
    out: dict[int, RequiredChange | str] = {}
    for goal in sized:
        try:
            out[id(goal)] = required_changes(ctx.model, [goal], levels=levels, alpha=alpha,
                                             indicators=ctx.catalogue)[0]
        except InvalidParameterError as exc:  # e.g. no modifiable factor moves the goal
            out[id(goal)] = str(exc)
    return out


def _required_part(ctx: _Context, rc: RequiredChange) -> str:
    """How much the top factors would have to change to reach one goal, and if in reach."""
    t = rc.to_frame()
    way = {"alone": ctx.t("alleen", "alone"), "together": ctx.t("samen", "together")}
    rows = []
    for r in t.itertuples():
        if r.indicator and ctx.catalogue is not None and r.indicator in ctx.catalogue.index:
            indicator = str(ctx.catalogue.loc[r.indicator, f"label_{ctx.lang}"])
        else:
            indicator = str(r.indicator) if r.indicator else "–"
        unit = "%" if r.unit == "percentage points" else str(r.unit)
        rows.append([ctx.label(r.factor), way[r.way], indicator,
                     _value(r.change, unit, ctx.lang, sign=True, difference=True),
                     _n(r.change_sd, ctx.lang, 2, sign=True),
                     ctx.t("ja", "yes") if r.within_spread else
                     ctx.t(f"nee: meer dan {_n(PLAUSIBLE_SD, ctx.lang, 0)} SD",
                           f"no: more than {_n(PLAUSIBLE_SD, ctx.lang, 0)} SD")])
    out = [_p(ctx.t(
        f"Nodig om het doel te halen ({rc.goal.goal.change_text(ctx.lang)}, "
        f"{_n(rc.goal.change_sd, ctx.lang, 2, sign=True)} SD van "
        f"{ctx.label(rc.goal.node).lower()}): hoeveel de sterkste drijvende factoren elk "
        "alleen zouden moeten veranderen, en samen (elk evenveel SD in de goede richting).",
        f"Needed to reach the goal ({rc.goal.goal.change_text(ctx.lang)}, "
        f"{_n(rc.goal.change_sd, ctx.lang, 2, sign=True)} SD of "
        f"{ctx.label(rc.goal.node).lower()}): how much its strongest drivers would each have "
        "to change alone, and together (each by the same number of SD in its good "
        "direction).")),
        _table([ctx.t("factor", "factor"), ctx.t("route", "way"),
                ctx.t("indicator", "indicator"), ctx.t("verandering", "change"),
                ctx.t("in SD", "in SD"),
                ctx.t("binnen de spreiding tussen wijken", "within the spread between areas")],
               rows, numeric=(3, 4))]
    if not t["within_spread"].all():
        out.append(_p(ctx.t(
            f"Een verandering van meer dan {_n(PLAUSIBLE_SD, ctx.lang, 0)} SD ligt ver buiten "
            "de spreiding tussen wijken: langs die route is het doel buiten bereik.",
            f"A change of more than {_n(PLAUSIBLE_SD, ctx.lang, 0)} SD lies far outside the "
            "spread between areas: by that route the goal is out of reach."), "note"))
    own = [L.source(a, ctx.lang) for a in rc.goal.assumptions]
    out.append(_p(ctx.t(
        "Aannames: het model is lineair; de andere factoren blijven waar ze zijn; het gaat om "
        "de wijk als geheel, niet om individuele kinderen.",
        "Assumptions: the model is linear; every other factor stays where it is; this is "
        "about the area as a whole, not about individual children.")
        + "".join(f" {a[0].upper()}{a[1:]}." for a in own), "note"))
    return "".join(out)


def _goals_section(ctx: _Context, alpha: float, needed: dict[int, RequiredChange | str]
                   ) -> str:
    m = ctx.model
    out = [_p(ctx.t(
        "De maatschappelijke resultaten die de wijk koos, met hun prioriteit. Per resultaat de "
        "beïnvloedbare factoren met het grootste totale effect in het model (het effect van "
        "één SD verandering van de factor, over alle paden samen) en het sterkste pad.",
        "The outcomes the area chose, with their priority. For each, the modifiable factors "
        "with the largest total effect in the model (the effect of a one-SD change of the "
        "factor, over all paths together) and the strongest path."))]
    modifiable = m.node_values("modifiable")
    # a node chosen twice (a priority and a goal with a size) is one column of T
    T = total_effects(m, alpha=alpha, targets=list(dict.fromkeys(g.node for g in ctx.goals)))
    for g in ctx.goals:
        node = g.node
        delta = float(ctx.prof.row(ctx.area).get(node, np.nan))
        if not np.isfinite(delta):
            now = ctx.t(f"Niet gemeten in {ctx.area}.", f"Not measured in {ctx.area}.")
        elif round(delta, 2) == 0:
            now = ctx.t(f"{ctx.area} ligt op {ctx.ref}.", f"{ctx.area} is at {ctx.ref}.")
        else:
            better = delta * float(m.desired_sign[node]) > 0
            now = ctx.t(f"{ctx.area} ligt {_n(abs(delta), ctx.lang)} SD "
                        f"{'boven' if delta > 0 else 'onder'} {ctx.ref}: "
                        f"{'beter' if better else 'slechter'}.",
                        f"{ctx.area} is {_n(abs(delta), ctx.lang)} SD "
                        f"{'above' if delta > 0 else 'below'} {ctx.ref}: "
                        f"{'better' if better else 'worse'}.")
        out.append(f"<h3>{escape(_goal_phrase(ctx, g))}</h3>")
        out.append(_p(ctx.t(f"Prioriteit {_n(g.priority, ctx.lang, 1)}. ",
                            f"Priority {_n(g.priority, ctx.lang, 1)}. ") + now))
        effects = T[node].drop(node, errors="ignore")
        effects = effects[[bool(modifiable[f]) and f in m.factors for f in effects.index]]
        effects = effects[effects != 0]
        best = effects.reindex(effects.abs().sort_values(ascending=False).index).head(6)
        if best.empty:
            out.append(_p(ctx.t("Geen beïnvloedbare factor in het model drijft dit resultaat.",
                                "No modifiable factor in the model drives this outcome.")))
            continue
        rows = []
        for f, effect in best.items():
            path = strongest_paths(m, f, node, top=1, alpha=alpha)
            via = " → ".join(ctx.label(n) for n in path.loc[0, "nodes"]) if len(path) else ""
            share = (float(path.loc[0, "product"]) / effect) if len(path) and effect else np.nan
            rows.append([ctx.label(f), _n(effect, ctx.lang, 2, sign=True), via,
                         f"{_n(100 * share, ctx.lang, 0)}%" if np.isfinite(share) else "–"])
        out.append(_table([ctx.t("factor", "factor"), ctx.t("totaal effect (SD per SD)",
                                                            "total effect (SD per SD)"),
                           ctx.t("sterkste pad", "strongest path"),
                           ctx.t("deel via dat pad", "share via that path")], rows,
                          numeric=(1, 3)))
        rc = needed.get(id(g.goal))
        if isinstance(rc, RequiredChange):
            out.append(_required_part(ctx, rc))
        elif rc is not None:
            out.append(_p(ctx.t("De verandering die nodig is om het doel te halen, is niet te "
                                f"berekenen ({rc}).",
                                f"The change needed to reach the goal cannot be computed "
                                f"({rc})."), "note"))
    out.append(_p(ctx.t(
        f"Deze verbanden zijn die van model {m.name} en gelden voor elke wijk; wat de wijk "
        "onderscheidt, is hoe ver zij op elke factor van de referentie af ligt (paragraaf 3).",
        f"These links are those of model {m.name} and hold for every area; what sets the "
        "area apart is how far it is from the reference on each factor (section 3).")))
    return "".join(out)


# --------------------------------------------------------------------------- 3. ranking


def _recommendation_section(ctx: _Context, rec: Recommendation, mc: MonteCarloResult) -> str:
    out = [_p(ctx.t(
        "Per beïnvloedbare factor: ruimte om te verbeteren (hoe ver de wijk aan de verkeerde "
        f"kant van {ctx.ref} ligt, SD) × winst (verbetering van de gekozen resultaten per SD "
        "verbetering van de factor) × bewijssterkte (aandeel van het effect over sterke "
        f"verbanden). Het interval en de rangstabiliteit komen uit {mc.n_valid} trekkingen "
        "van de gewichten uit hun onzekerheid (Monte Carlo); een factor met een hoge "
        "rangstabiliteit blijft bovenaan, hoe de gewichten ook uitvallen.",
        "Per modifiable factor: room to improve (how far the area is on the wrong side of "
        f"{ctx.ref}, SD) × gain (improvement of the chosen outcomes per SD the factor "
        "improves) × strength of evidence (share of the effect over strong links). The "
        f"interval and rank stability come from {mc.n_valid} draws of the weights from their "
        "uncertainty (Monte Carlo); a factor with high rank stability stays at the top "
        "whatever the weights turn out to be."))]
    out += [_p(note[ctx.lang], "note") for note in rec.notes]
    ranked = rec.ranked
    if ranked.empty:
        out.append(_p(ctx.t(
            f"Geen gemeten factor ligt aan de verkeerde kant van {ctx.ref} en helpt de "
            "gekozen resultaten: er is niets aan te bevelen op grond van deze data.",
            f"No measured factor is on the wrong side of {ctx.ref} and helps the chosen "
            "outcomes: there is nothing to recommend from these data.")))
        return "".join(out)
    scores = mc.scores.xs(ctx.area, level="area")
    stability = mc.rank_stability.loc[ctx.area]
    rows = []
    for r in ranked.itertuples():
        lo, hi = scores.loc[r.factor, "low"], scores.loc[r.factor, "high"]
        rows.append([str(int(r.rank)), ctx.label(r.factor), _n(r.score, ctx.lang, 3),
                     f"{_n(lo, ctx.lang, 3)} – {_n(hi, ctx.lang, 3)}",
                     f"{_n(100 * stability[r.factor], ctx.lang, 0)}%",
                     getattr(r, f"explanation_{ctx.lang}")])
    pct = f"{mc.interval:.0%}"
    out.append(_table([ctx.t("rang", "rank"), "factor", "score",
                       ctx.t(f"{pct}-interval", f"{pct} interval"),
                       ctx.t(f"in top {mc.top}", f"in top {mc.top}"),
                       ctx.t("toelichting", "explanation")], rows, numeric=(0, 2, 3, 4)))
    top = [f for f in ranked["factor"][:mc.top] if f in stability.index]
    if top:  # the expected share of the top that stays there over the weight draws
        kept = 100 * float(stability[top].mean())
        out.append(_p(ctx.t(
            f"Over de gewichtstrekkingen blijft gemiddeld {_n(kept, ctx.lang, 0)}% van de top "
            f"{len(top)} in de top {mc.top}: zoveel van deze rangorde overleeft de onzekerheid "
            "van de gewichten.",
            f"Over the weight draws, on average {_n(kept, ctx.lang, 0)}% of the top {len(top)} "
            f"stays in the top {mc.top}: that much of this ranking survives the uncertainty of "
            "the weights.")))
    ax = plot_recommendation(rec, intervals=mc, area=ctx.area, lang=ctx.lang, reference=ctx.ref,
                             synthetic=ctx.prof.synthetic)
    out.append(_figure(ax, ctx.t(
        f"Aanbevolen factoren voor {ctx.area}, met het {pct}-interval van de score over de "
        "gewichtstrekkingen.",
        f"Recommended factors for {ctx.area}, with the {pct} interval of the score over the "
        "weight draws."), ctx.dpi))
    return "".join(out)


# --------------------------------------------------------------------------- 4. interventions

def _against_goals(ctx: _Context, port: Portfolio) -> list[str]:
    """For each goal with a size: what share of it the portfolio's predicted change covers
    (both in SD of the goal's node), and that the horizon is not modelled."""
    out = []
    for g in ctx.goals:
        goal = g.goal
        if not (isinstance(goal, Goal) and goal.change is not None) \
                or g.node not in port.outcome_changes.index:
            continue
        r = resolve_goal(ctx.model, goal, indicators=ctx.catalogue,
                         levels=ctx.prof.area_levels(ctx.area))
        if not np.isfinite(r.change_sd) or r.change_sd == 0:
            continue
        got = float(port.outcome_changes[g.node])
        share = got / r.change_sd
        horizon = ctx.t(f" De termijn ({goal.years:g} jaar) is niet doorgerekend: het model zegt "
                        "niet hoe snel de verandering komt.",
                        f" The horizon ({goal.years:g} years) is not modelled: the model does "
                        "not say how fast the change comes.") if goal.years else ""
        out.append(_p(ctx.t(
            f"Tegenover het doel {goal.change_text('nl')} voor {ctx.label(g.node)}: het "
            f"portfolio verandert het naar verwachting met "
            f"{_n(got, 'nl', 3, sign=True, significant=True)} SD, "
            f"{_n(100 * share, 'nl', 1, significant=True)}% van de "
            f"{_n(r.change_sd, 'nl', 2, sign=True)} SD die het doel vraagt.",
            f"Against the goal {goal.change_text('en')} for {ctx.label(g.node)}: the portfolio "
            f"is expected to change it by {_n(got, 'en', 3, sign=True, significant=True)} SD, "
            f"{_n(100 * share, 'en', 1, significant=True)}% of the "
            f"{_n(r.change_sd, 'en', 2, sign=True)} SD the goal asks for.") + horizon, "note"))
    return out


def _interventions_section(ctx: _Context, rec: Recommendation, ivs: pd.DataFrame | None,
                           port: Portfolio | None, budget: float | None,
                           young: YoungPeople | None = None) -> str:
    if ivs is None:
        return _p(ctx.t(f"Model {ctx.model.name} heeft geen interventiecatalogus.",
                        f"Model {ctx.model.name} has no intervention catalogue."))
    out = []
    ranked = rec.ranked["factor"].tolist()
    fitting = ivs[ivs["target"].isin(ranked)]
    out.append(_h3(ctx.t("Interventies die op de aanbevolen factoren aangrijpen",
                         "Interventions that target the recommended factors")))
    if fitting.empty:
        out.append(_p(ctx.t("Geen interventie in de catalogus richt zich op een van de "
                            "aanbevolen factoren.",
                            "No intervention in the catalogue targets any of the recommended "
                            "factors.")))
    else:
        rows = []
        for r in fitting.itertuples():
            effect = _n(r.effect, ctx.lang, 2) + (ctx.t(" (standaard)", " (default)")
                                                  if r.effect_is_default else "")
            rows.append([r.name, ctx.label(r.target), r.recognition, effect,
                         f"{_money(r.cost_per_unit, ctx.lang)} / {r.unit}",
                         ", ".join(r.phases) if not isinstance(r.phases, str) else r.phases])
        out.append(_table(["interventie" if ctx.nl else "intervention", "factor",
                           ctx.t("erkenning (NJi)", "recognition (NJi)"),
                           ctx.t("effect (SD)", "effect (SD)"),
                           ctx.t("kosten", "cost"), ctx.t("levensfase", "life phase")], rows,
                          numeric=(3, 4)))
    uncovered = [f for f in ranked if f not in set(ivs["target"])]
    if uncovered:
        out.append(_p(ctx.t(
            "Geen interventie in de catalogus richt zich op: "
            + ", ".join(ctx.label(f) for f in uncovered)
            + ". Een portfolio kan deze aanbevolen factoren dus niet bereiken; dat is een gat "
            "in de catalogus, geen oordeel over de factor.",
            "No intervention in the catalogue targets: "
            + ", ".join(ctx.label(f) for f in uncovered)
            + ". A portfolio therefore cannot reach these recommended factors; this is a gap "
            "in the catalogue, not a judgement on the factor."), "note"))
    if port is None:
        out.append(_p(ctx.t("Er is geen budget opgegeven; met een budget bevat dit rapport een "
                            "portfolio van interventies dat erin past.",
                            "No budget was given; with a budget this report contains a "
                            "portfolio of interventions that fits it.")))
        return "".join(out)
    out.append(_h3(ctx.t("Portfolio binnen ", "Portfolio within ")
                   + _money(port.budget, ctx.lang)))
    out.append(_p(ctx.t(
        f"Exact berekend (gemengd-geheeltallig programma): de combinatie van interventies "
        f"die de gekozen resultaten samen het meest verbetert binnen het budget. Kosten "
        f"{_money(port.total_cost, ctx.lang)} van {_money(port.budget, ctx.lang)}; verwachte "
        f"verbetering {_n(port.improvement, ctx.lang, 3)} SD (gewogen met de prioriteiten).",
        f"Computed exactly (mixed-integer programme): the combination of interventions that "
        f"improves the chosen outcomes most within the budget. Cost "
        f"{_money(port.total_cost, ctx.lang)} of {_money(port.budget, ctx.lang)}; expected "
        f"improvement {_n(port.improvement, ctx.lang, 3)} SD (weighted by the priorities).")))
    if young is not None:  # the number used and where it came from; the rule on tiny effects
        share = f"{port.constraints['min_share']:.0%}"
        out.append(_p(ctx.t(
            f"Het portfolio is voor {young.describe('nl')}. Over van het budget: "
            f"{_money(port.budget_left, 'nl')}. Een interventie die op zijn best minder dan "
            f"{share} van {L.threshold_of(port.constraints['threshold_of'], 'nl')} bereikt "
            f"({_n(port.constraints['threshold_sd'], 'nl', 3)} SD), krijgt geen geld.",
            f"The portfolio is for {young.describe('en')}. Budget left over: "
            f"{_money(port.budget_left, 'en')}. An intervention that at best brings less than "
            f"{share} of {L.threshold_of(port.constraints['threshold_of'], 'en')} "
            f"({_n(port.constraints['threshold_sd'], 'en', 3)} SD) gets no money.")))
    left = port.budget - port.total_cost
    if left >= 0.1 * port.budget and not port.left_out.empty:
        out.append(_p(ctx.t(
            f"{_money(left, 'nl')} van het budget blijft over: van de gekozen interventies kan "
            "niet meer worden ingezet (hun maximum aantal eenheden of het aantal jongeren is "
            "bereikt), en de andere interventies passen niet bij "
            "de regels van het portfolio of verbeteren de gekozen resultaten niet (zie 'Niet "
            "gekozen, en waarom').",
            f"{_money(left, 'en')} of the budget is left: no more of the chosen interventions "
            "can be used (their maximum number of units, or the number of young people, is "
            "reached), and the other interventions do not fit "
            "the portfolio's rules or do not improve the chosen outcomes (see 'Left out, and "
            "why')."), "note"))
    if port.chosen.empty:
        out.append(_p(ctx.t("Binnen dit budget past geen interventie die helpt.",
                            "No helpful intervention fits within this budget.")))
    else:
        rows = [[r.name, str(int(r.units)), _money(r.cost, ctx.lang), _n(r.reach, ctx.lang, 0),
                 ", ".join(ctx.label(f.strip()) for f in str(r.targets).split(",") if f.strip()),
                 _n(r.value, ctx.lang, 3)] for r in port.chosen.itertuples()]
        out.append(_table(["interventie" if ctx.nl else "intervention",
                           ctx.t("eenheden", "units"), ctx.t("kosten", "cost"),
                           ctx.t("bereik (jongeren)", "reach (young people)"),
                           ctx.t("grijpt aan op", "targets"),
                           ctx.t("verbetering (SD)", "improvement (SD)")], rows,
                          numeric=(1, 2, 3, 5)))
    out.append(_h3(ctx.t("Wat het portfolio oplevert", "What the portfolio buys")))
    units = port.outcome_units
    if units is not None and not units.empty:
        cat = ctx.catalogue
        rows = []
        for r in units.itertuples():
            unit = str(cat.loc[r.indicator, "unit"]) if cat is not None else ""
            rows.append([ctx.label(r.node), getattr(r, f"label_{ctx.lang}"),
                         _n(r.delta_sd, ctx.lang, 3, sign=True, significant=True),
                         _value(r.change, unit, ctx.lang, sign=True, difference=True, digits=2,
                                significant=True)])
        out.append(_table([ctx.t("resultaat", "outcome"), "indicator",
                           ctx.t("verandering (SD)", "change (SD)"),
                           ctx.t("in de eenheid van de indicator", "in the indicator's unit")],
                          rows, numeric=(2, 3)))
    else:
        out.append(_p(ctx.t("Voorspelde verandering (SD): ", "Predicted change (SD): ") + ", ".join(
            f"{ctx.label(o)} {_n(v, ctx.lang, 3, sign=True)}"
            for o, v in port.outcome_changes.items())))
    out.append(_p(ctx.t(
        "Dit is de verwachte verandering op wijkniveau als de interventies het gemiddelde "
        "effect halen dat de catalogus aanneemt, over het deel van de jongeren dat ze "
        "bereiken; geen belofte voor individuele jongeren.",
        "This is the expected change at area level if the interventions reach the average "
        "effect the catalogue assumes, over the share of young people they reach; not a "
        "promise for individual young people.")))
    out += _against_goals(ctx, port)
    if not port.left_out.empty:
        out.append(_h3(ctx.t("Niet gekozen, en waarom", "Left out, and why")))
        labels = ctx.model.nodes["label_nl"].to_dict()
        rows = [[r.name, L.reason(r.reason, ctx.lang, labels)]
                for r in port.left_out.itertuples()]
        out.append(_table(["interventie" if ctx.nl else "intervention",
                           ctx.t("reden", "reason")], rows))
    return "".join(out)


# --------------------------------------------------------------------------- 5. unmeasured


def _unmeasured_section(ctx: _Context, rec: Recommendation) -> str:
    m = ctx.model
    cov = coverage(m, ctx.prof).loc[ctx.area]
    out = [_p(ctx.t(
        f"In {ctx.area} zijn {cov['factors_measured']} van de {cov['factors_total']} factoren "
        f"en {cov['outcomes_measured']} van de {cov['outcomes_total']} resultaten gemeten. "
        "Wat niet gemeten is, telt in de aanbeveling niet mee als ruimte om te verbeteren "
        "(nooit als nul ingevuld); het model voorspelt het wel uit de gemeten factoren.",
        f"In {ctx.area}, {cov['factors_measured']} of {cov['factors_total']} factors and "
        f"{cov['outcomes_measured']} of {cov['outcomes_total']} outcomes are measured. What "
        "is not measured has no room to improve in the recommendation (never filled in as "
        "zero); the model does predict it from the measured factors."))]
    unmeasured_goals = [g.node for g in ctx.goals
                        if not np.isfinite(ctx.prof.row(ctx.area).get(g.node, np.nan))]
    if unmeasured_goals:
        out.append(_p(ctx.t("Gekozen resultaten zonder meting: ", "Chosen outcomes not measured: ")
                      + ", ".join(ctx.label(n) for n in unmeasured_goals) + ".", "note"))
    potential = rec.table[rec.table["status"] == "not measured"]
    if len(potential):
        out.append(_h3(ctx.t("Niet gemeten, maar mogelijk belangrijk",
                             "Not measured, but possibly important")))
        rows = [[ctx.label(r.factor), _n(r.gain, ctx.lang, 2),
                 f"{_n(100 * r.evidence, ctx.lang, 0)}%"] for r in potential.itertuples()]
        out.append(_table(["factor", ctx.t("winst per SD verbetering", "gain per SD improvement"),
                           ctx.t("bewijssterkte", "strength of evidence")], rows, numeric=(1, 2)))
        out.append(_p(ctx.t("Meet deze factoren in de wijk (of vraag partners wat zij zien) "
                            "voordat u ze uitsluit.",
                            "Measure these factors in the area (or ask partners what they see) "
                            "before ruling them out.")))
    for key, title in (("unmeasured_factors", ctx.t("Alle niet-gemeten factoren",
                                                    "All unmeasured factors")),
                       ("unmeasured_outcomes", ctx.t("Niet-gemeten resultaten",
                                                     "Unmeasured outcomes"))):
        ids = [s.strip() for s in str(cov[key]).split(",") if s.strip()]
        if ids:
            out.append(f"<h3>{escape(title)} ({len(ids)})</h3>"
                       + _p(", ".join(ctx.label(n) for n in ids) + "."))
    return "".join(out)


# --------------------------------------------------------------------------- 6. caveats


def _caveats_section(ctx: _Context, ivs: pd.DataFrame | None, port: Portfolio | None,
                     mc: MonteCarloResult) -> str:
    ev = evidence_summary(ctx.model)
    kind = ctx.model.weights_kind
    items = [
        _status_text(ctx) + " " + _basis_text(ctx, ev),
        ctx.t(f"Gewichten: {WEIGHTS_KIND_NL.get(kind, kind)}. "
              + ("Ze zijn geschat op verschillen tussen gebieden en beschrijven hoe gebieden "
                 "verschillen, niet wat een interventie voor een kind doet."
                 if kind == AREA_LEVEL else
                 "Ze komen uit studies (meest van individuen), niet uit deze gebieden."),
              f"Weights: {kind}. "
              + ("They were estimated from differences between areas and describe how areas "
                 "differ, not what an intervention does for one child."
                 if kind == AREA_LEVEL else
                 "They come from studies (mostly of individuals), not from these areas.")),
        ctx.t("De data zijn SYNTHETISCH: verzonnen voorbeeldwaarden bij echte gebiedsnamen, "
              "geen metingen. Geen enkele uitspraak in dit rapport gaat over de echte wijk.",
              "The data are SYNTHETIC: made-up example values attached to real area names, "
              "not measurements. No statement in this report is about the real area.")
        if ctx.prof.synthetic else
        ctx.t("De data zijn door de gebruiker aangeleverd; dit rapport controleert hun "
              "juistheid niet. Controleer bron, jaar en definitie van elke indicator.",
              "The data were supplied by the user; this report does not check that they are "
              "correct. Check the source, year and definition of each indicator."),
        ctx.t("Verbanden tussen wijken zijn geen effecten voor individuele jongeren: het "
              "model beschrijft gemiddelden van gebieden en groepen. Dat een factor in de wijk "
              "samenhangt met een resultaat, zegt niet dat het voor elke jongere zo werkt.",
              "Associations between areas are not effects for individual young people: the "
              "model describes averages of areas and groups. That a factor goes with an "
              "outcome in the area does not mean it works that way for every young person."),
        ctx.t("Het model is lineair en de gewichten zijn gestandaardiseerde effecten, "
              "onderling consistent gemaakt met een tabel van verbanden (zie hierboven hoeveel "
              f"daarvan gepubliceerd is). Het {mc.interval:.0%}-interval en de rangstabiliteit "
              "dekken alleen de onzekerheid van de gewichten, niet die van de data, van de "
              "indicatoren of van de structuur van het model.",
              "The model is linear and its weights are standardised effects made mutually "
              "consistent with a table of associations (see above how many are published). "
              f"The {mc.interval:.0%} interval and rank stability cover only the uncertainty "
              "of the weights, not that of the data, the indicators or the model's "
              "structure."),
        ctx.t(f"Alle afstanden zijn gemeten tegenover {ctx.ref}; een andere referentie geeft "
              "andere afstanden en kan een andere rangorde geven.",
              f"All distances are measured against {ctx.ref}; another reference gives other "
              "distances and may give another ranking."),
    ]
    if ctx.catalogue is not None:
        assumed = ctx.catalogue["basis"].astype(str).str.contains("assumption").sum()
        if assumed:
            items.append(ctx.t(
                f"Bij {assumed} van de {len(ctx.catalogue)} indicatoren in de catalogus zijn "
                "de spreiding tussen wijken en het typische niveau aannames, niet berekend "
                "uit echte data (de spreiding tussen wijken rekent niets om: het model rekent "
                "in SD tussen kinderen).",
                f"For {assumed} of the {len(ctx.catalogue)} indicators in the catalogue the "
                "spread between areas and the typical level are assumptions, not computed "
                "from real data (the spread between areas converts nothing: the model "
                "computes in SD between children)."))
    if ivs is not None:
        kinds = (ivs["effect_evidence"] if "effect_evidence" in ivs
                 else ivs["effect_is_default"].map({True: "stated default",
                                                    False: "published point"}))
        k = kinds.value_counts()
        pub = int(k.get("published with interval", 0) + k.get("published point", 0))
        items.append(ctx.t(
            f"Van de {len(ivs)} combinaties van interventie en doelfactor in de catalogus "
            f"hebben er {pub} een gepubliceerde effectgrootte (waarvan "
            f"{int(k.get('published with interval', 0))} met interval), "
            f"{int(k.get('published null', 0))} een gepubliceerd nuleffect (geen effect "
            "gevonden; telt als 0) en "
            f"{int(k.get('stated default', 0))} de standaardwaarde van "
            f"{_n(DEFAULT_EFFECT, ctx.lang)} SD, omdat er niets over bekend is. Erkenning zegt "
            "iets over de sterkte van het bewijs, niet over de grootte van het effect. Kosten "
            "zijn aannames uit de catalogus.",
            f"Of the {len(ivs)} intervention-target pairs in the catalogue, {pub} have a "
            f"published effect size ({int(k.get('published with interval', 0))} with an "
            f"interval), {int(k.get('published null', 0))} a published null (no effect found; "
            f"counted as 0) and {int(k.get('stated default', 0))} the stated default of "
            f"{_n(DEFAULT_EFFECT, ctx.lang)} SD because nothing is known. Recognition grades "
            "the strength of evidence, not the size of the effect. Costs are assumptions from "
            "the catalogue."))
    if mc.n_divergent:
        items.append(ctx.t(
            f"{mc.n_divergent} van de {mc.n_draws} gewichtstrekkingen gaven terugkoppelingen "
            "die niet convergeren; die zijn weggelaten uit de intervallen.",
            f"{mc.n_divergent} of {mc.n_draws} weight draws gave feedback loops that do not "
            "converge; they are left out of the intervals."))
    return _ul(items) + _basis_table(ctx, ev)


def _basis_text(ctx: _Context, ev: EvidenceSummary) -> str:
    """How many links rest on what (fm.evidence_summary), in one sentence."""
    c = ev.edges["edges"]
    total = int(c.sum())
    return ctx.t(
        f"Van de {total} verbanden hebben er {int(c['published with interval'])} een "
        f"gepubliceerde effectgrootte met interval en {int(c['published point'])} zonder "
        f"interval; {int(c['class default'])} hebben de standaardwaarde van hun sterkteklasse "
        "(de bron legt alleen het verband, niet de grootte) en "
        f"{int(c['expert judgement'])} rusten op expertoordeel"
        + (f"; bij {int(c['not recorded'])} is de onderbouwing niet vastgelegd"
           if c["not recorded"] else "") + ".",
        f"Of its {total} links, {int(c['published with interval'])} have a published effect "
        f"size with an interval and {int(c['published point'])} without one; "
        f"{int(c['class default'])} take their strength class's default (the source "
        f"establishes the link, not its size) and {int(c['expert judgement'])} rest on "
        "expert judgement"
        + (f"; for {int(c['not recorded'])} the basis is not recorded"
           if c["not recorded"] else "") + ".")


def _basis_table(ctx: _Context, ev: EvidenceSummary) -> str:
    """Per chosen outcome: the share of its effect resting on each basis."""
    goals = [g.node for g in ctx.goals if g.node in ev.outcomes.index]
    if not goals:
        return ""
    names = {"expert judgement": ctx.t("expertoordeel", "expert judgement"),
             "class default": ctx.t("standaardwaarde van de klasse", "class default"),
             "published point": ctx.t("gepubliceerd, zonder interval", "published point"),
             "published with interval": ctx.t("gepubliceerd, met interval",
                                              "published with interval"),
             "not recorded": ctx.t("niet vastgelegd", "not recorded")}
    cols = [b for b in ev.outcomes.columns if ev.edges.loc[b, "edges"] > 0]
    rows = [[ctx.label(o)] + [f"{_n(100 * ev.outcomes.loc[o, b], ctx.lang, 0)}%" for b in cols]
            for o in goals]
    return (_h3(ctx.t("Waarop het effect op de gekozen resultaten rust",
                      "What the effect on the chosen outcomes rests on"))
            + _p(ctx.t(
                "Aandeel van het ongetekende padgewicht naar elk resultaat, naar de zwakste "
                "onderbouwing op het pad (een keten is niet beter onderbouwd dan haar zwakste "
                "schakel).",
                "Share of the unsigned path weight into each outcome, by the weakest basis on "
                "the path (a chain is no better supported than its weakest link)."))
            + _table([ctx.t("resultaat", "outcome")] + [names[b] for b in cols], rows,
                     numeric=range(1, len(cols) + 1)))


# --------------------------------------------------------------------------- 7. provenance


def _provenance_section(ctx: _Context, date: str, source: str, digest: str,
                        budget: float | None, n_draws: int, seed: int, alpha: float,
                        port: Portfolio | None) -> str:
    from factormodel import __version__

    m, prof = ctx.model, ctx.prof
    md = m.metadata
    goals = ", ".join(f"{g.node} ({_n(g.priority, ctx.lang, 1)})" for g in ctx.goals)
    rows = [
        [ctx.t("model", "model"), f"{md.name} {md.version}"],
        [ctx.t("status van het model", "model status"),
         {"reconstruction": "reconstructie (niet het officiële model)",
          "illustrative": "illustratief", "official": "officieel"}.get(md.status, md.status)
         if ctx.nl else md.status],
        [ctx.t("citeren als (Engelstalige bronvermelding)", "cite as"),
         md.citation or "–"],
        [ctx.t("data", "data"), source + (f" (sha256 {digest}…)" if digest else "")],
        *([[ctx.t("bron en licentie van de data", "data source and licence"),
             prof.credit(ctx.lang)]] if getattr(prof, "source", "") else []),
        [ctx.t("soort data", "kind of data"),
         ctx.t("SYNTHETISCH (geen metingen)", "SYNTHETIC (not measurements)") if prof.synthetic
         else ctx.t("aangeleverd door de gebruiker", "supplied by the user")],
        ([ctx.t("gebied, niveau, jaar", "area, level, year"),
          f"{ctx.area}, {prof.level}, {prof.year}"] if prof.level else
         [ctx.t("gebied, jaar", "area, year"), f"{ctx.area}, {prof.year}"]),
        [ctx.t("referentie", "reference"), ctx.ref],
        [ctx.t("gekozen resultaten (prioriteit)", "chosen outcomes (priority)"), goals],
        [ctx.t("budget", "budget"), _money(budget, ctx.lang) if budget is not None else "–"],
        [ctx.t("Monte Carlo", "Monte Carlo"),
         ctx.t(f"{n_draws} trekkingen, seed {seed}, alpha {_n(alpha, ctx.lang, 2)}",
               f"{n_draws} draws, seed {seed}, alpha {_n(alpha, ctx.lang, 2)}")],
        [ctx.t("gemaakt op", "made on"), date],
        [ctx.t("software", "software"), f"factormodel {__version__}"],
    ]
    rules = []
    if port is not None and port.constraints.get("one_per_factor"):
        rules.append(ctx.t("hoogstens één interventie per factor",
                           "at most one intervention per factor"))
    if port is not None and port.constraints.get("phases"):
        ages = ", ".join(port.constraints["phases"])
        rules.append(ctx.t(f"alleen interventies voor de leeftijdsgroep van de doelen ({ages} "
                           "jaar)", f"only interventions for the goals' age group ({ages})"))
    if rules:
        rows.append([ctx.t("portfolio-regels", "portfolio rules"), "; ".join(rules)])
    return (_table([ctx.t("wat", "what"), ctx.t("waarde", "value")], rows)
            + "<footer>" + escape(ctx.t("Gemaakt met factormodel, open-source software.",
                                        "Made with factormodel, open-source software."))
            + "</footer>")
