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

import datetime as _dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from factormodel.analysis.goals import Goal, resolve_goal
from factormodel.analysis.indicators import area_table, load_indicators, profile
from factormodel.analysis.population import ages_of, young_people
from factormodel.core.model import FactorModel
from factormodel.errors import InvalidParameterError
from factormodel.files.folders import load_model, write_document
from factormodel.render.view import (
    SECTIONS,
    GoalLine,
    build_view,
    fmt,
    in_unit,
    money,
    render,
)
from factormodel.workflow.wijkanalyse import DEFAULT_OPTIONS, Options, analyse

__all__ = ["CSS", "SECTIONS", "report", "save_document"]

# the number formats of the wijkrapport (one place: factormodel.render.view)
_n, _money, _value = fmt, money, in_unit

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
th{background:#f3f3f3}td.num{text-align:right;white-space:nowrap}th.num{text-align:right}
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


# --------------------------------------------------------------------------- the report


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
        suffix = Path(out).suffix
        raise InvalidParameterError(
            f"out={str(out)!r}: a report is written as HTML or PDF; give a file name ending "
            f"in {', '.join(REPORT_SUFFIXES)} (got {suffix or 'no extension'})",
            code="report_suffix" if suffix else "report_no_suffix",
            fields={"out": str(out), "suffixes": list(REPORT_SUFFIXES),
                    **({"suffix": suffix} if suffix else {})})
    if isinstance(model, str):
        model = load_model(model)
    _, goal_list = _goals(model, goals)
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
    if date is None:
        date = _dt.date.today()
    source = data_source or (Path(data).name if isinstance(data, str | PathLike) else
                             "een tabel die in Python is meegegeven" if lang == "nl" else
                             "a table given in Python")
    view = build_view(analysis, lang, dpi=dpi, date=str(date), data_source=source,
                      digest=_digest(data), young=young, catalogue=catalogue,
                      goals=[GoalLine(g.node, g.priority, g.goal) for g in goal_list])
    html = render("wijkrapport.html", view=view, css=CSS)
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

