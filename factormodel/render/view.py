"""The view model of a wijk analysis: display-ready values the wijkrapport and the page render.

:func:`build_view` turns one :class:`~factormodel.workflow.WijkAnalysis` into a tree of
frozen dataclasses in one language -- headings, sentences, tables of formatted cells,
figures as ``data:`` URIs, the caveats and the SYNTHETIC label. Numbers are formatted and
words are chosen here, once; the Jinja2 templates in ``factormodel/render/templates`` only
lay the values out (autoescaped). The wijkrapport (``wijkrapport.html``) and the web page's
results include the same partials (``_profile.html``, ``_goals.html``, ``_ranking.html``,
``_uncertainty.html``, ``_portfolio.html``, ``_unmeasured.html``, ``_caveats.html``), so
the same question shows the same figures in both.

Area-level results are not individual effects: every view says so in its caveats.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from factormodel.analysis.evidence import EvidenceSummary, evidence_summary
from factormodel.analysis.goals import PLAUSIBLE_SD, Goal, RequiredChange, resolve_goal
from factormodel.analysis.indicators import coverage, load_indicators
from factormodel.analysis.population import YoungPeople
from factormodel.analysis.portfolio import DEFAULT_EFFECT
from factormodel.core.effects import strongest_paths, total_effects
from factormodel.core.model import AREA_LEVEL, WEIGHTS_KIND_NL
from factormodel.errors import Message
from factormodel.render.plot import detached, figure_png, plot_profile, plot_recommendation
from factormodel.tables._spreadsheet import table_bytes
from factormodel.text import messages as M
from factormodel.text import numbers as N
from factormodel.text import words as L
from factormodel.text.numbers import in_unit
from factormodel.workflow.wijkanalyse import WijkAnalysis

__all__ = ["SECTIONS", "TEMPLATES", "Cell", "Downloads", "Figure", "GoalLine", "Table",
           "WijkView", "build_view", "downloads", "environment", "fmt", "in_unit", "money",
           "render"]

#: Where the templates and partials live (shipped in the wheel).
TEMPLATES = Path(__file__).resolve().parent / "templates"

#: Section ids of the wijkrapport, in order (the same in every language).
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


# --------------------------------------------------------------------------- formatting


def fmt(x: Any, lang: str, digits: int = 2, sign: bool = False,
        significant: bool = False) -> str:
    """A number as a reader of ``lang`` writes it (Dutch: 1.234,5); ``–`` for none.

    ``significant``: a number that is not zero but would round to zero gets as many
    more digits (up to 6) as it needs to show its first digit and its sign.

    Examples
    --------
    >>> fmt(1234.5, "nl", 1), fmt(-0.04, "nl", 1, sign=True), fmt(-0.0035, "en", 2, True, True)
    ('1.234,5', '+0,0', '-0.004')
    """
    return N.number(x, digits, lang, sign=sign, significant=significant, missing="–")


def money(x: float, lang: str) -> str:
    """An amount in euros: ``€ 250.000`` (Dutch), ``€250,000`` (English).

    Examples
    --------
    >>> money(250_000, "nl"), money(250_000, "en")
    ('€ 250.000', '€250,000')
    """
    return N.money(x, lang, missing="–")


# --------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Cell:
    """One table cell: its text and an optional style (``worse``, ``better``)."""

    text: str
    style: str = ""


@dataclass(frozen=True)
class Downloads:
    """A table's downloads as ``data:`` URIs: the page's language first, then the other
    CSV (``other`` names its language)."""

    key: str
    csv: str
    xlsx: str
    csv_other: str
    other: str
    words: str = "Download"
    other_words: str = ""


@dataclass(frozen=True)
class Table:
    """A table: headers, rows of formatted cells, which columns are numbers."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: frozenset[int] = frozenset()
    html_id: str = ""
    downloads: Downloads | None = None


@dataclass(frozen=True)
class Figure:
    """A figure as a PNG ``data:`` URI with its caption."""

    src: str
    caption: str
    html_id: str = ""


@dataclass(frozen=True)
class ProfileView:
    heading: str
    intro: str
    table: Table | None
    empty: str
    figure: Figure


@dataclass(frozen=True)
class NeededView:
    text: str
    table: Table
    out_of_reach: str
    assumptions: str


@dataclass(frozen=True)
class GoalView:
    heading: str
    text: str
    drivers: Table | None
    no_drivers: str
    needed: NeededView | None


@dataclass(frozen=True)
class GoalsView:
    heading: str
    intro: str
    goals: tuple[GoalView, ...]
    closing: str


@dataclass(frozen=True)
class UncertaintyView:
    """What the Monte Carlo draws say about the ranking."""

    kept: str
    divergent: str


@dataclass(frozen=True)
class RankingView:
    heading: str
    intro: str
    notes: tuple[str, ...]
    empty: str
    table: Table | None
    figure: Figure | None
    uncertainty: UncertaintyView


@dataclass(frozen=True)
class PortfolioView:
    heading: str
    no_catalogue: str
    fitting_title: str = ""
    fitting: Table | None = None
    fitting_empty: str = ""
    uncovered: str = ""
    no_budget: str = ""
    title: str = ""
    exact: str = ""
    young: str = ""
    effects_note: str = ""
    effects_all_default: bool = False
    unspent: str = ""
    chosen: Table | None = None
    chosen_empty: str = ""
    buys_title: str = ""
    outcomes: Table | None = None
    outcomes_text: str = ""
    expected: str = ""
    against: tuple[str, ...] = ()
    left_out_title: str = ""
    left_out: Table | None = None


@dataclass(frozen=True)
class UnmeasuredView:
    heading: str
    text: str
    goals_note: str
    potential_title: str
    potential: Table | None
    advice: str
    lists: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CaveatsView:
    heading: str
    items: tuple[str, ...]
    basis_title: str
    basis_text: str
    basis: Table | None


@dataclass(frozen=True)
class ProvenanceView:
    heading: str
    table: Table
    footer: str


@dataclass(frozen=True)
class WijkView:
    """Everything a document shows of one wijk analysis, display-ready, in ``lang``."""

    lang: str
    area: str
    title: str
    sub: str
    synthetic: bool
    synthetic_label: str
    synthetic_text: str
    status_warning: str
    profile: ProfileView
    goals: GoalsView
    ranking: RankingView
    portfolio: PortfolioView
    unmeasured: UnmeasuredView
    caveats: CaveatsView
    provenance: ProvenanceView
    sections: tuple[str, ...] = field(default=SECTIONS)


@dataclass(frozen=True)
class GoalLine:
    """A goal as the documents show it: its node, its priority and the goal as given
    (an :class:`~factormodel.Goal`, or any object with ``target``, ``change``, ``unit``,
    ``years``, ``group``)."""

    node: str
    priority: float
    goal: Any = None


# --------------------------------------------------------------------------- downloads

_CSV_URI = "data:text/csv;charset=utf-8;base64,"
_XLSX_URI = "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"
#: Columns added for display only (a label in the page's language).
_DISPLAY_LABELS = ("label", "indicator_label")


def downloads(frame: pd.DataFrame, key: str, lang: str, nodes: pd.DataFrame | None = None
              ) -> Downloads:
    """A table's downloads, written by the library's one table writer.

    Dutch: ``csv-nl`` (``;``, decimal comma, Dutch headers, BOM) and a Dutch workbook,
    with the plain CSV (stable keys, ``,``, decimal point) as the other. English: the
    plain CSV and an English workbook, with ``csv-nl`` as the other. Display labels are
    left out when the library's own ``label_nl``/``label_en`` are there (in Dutch they
    would be more columns called ``omschrijving``, and such a table does not read back).

    Examples
    --------
    >>> import pandas as pd
    >>> d = downloads(pd.DataFrame({"factor": ["a"], "score": [0.5]}), "aanbeveling", "nl")
    >>> d.csv.startswith("data:text/csv"), d.other
    (True, 'en')
    """
    if {"label_nl", "label_en"} <= set(frame.columns):
        frame = frame.drop(columns=[c for c in _DISPLAY_LABELS if c in frame.columns])

    def uri(prefix: str, data: bytes) -> str:
        return prefix + base64.b64encode(data).decode("ascii")

    def labels(lang: str) -> dict[str, str] | None:  # a factor named by its label
        return None if nodes is None else {str(k): str(v) for k, v in
                                           nodes[f"label_{lang}"].items()}

    nl = table_bytes(L.translate_frame(frame, "nl", labels("nl")), "csv-nl")
    plain = table_bytes(frame, "csv")
    xlsx = table_bytes(L.translate_frame(frame, lang, labels(lang)), "xlsx", sheet=key)
    first, other = (nl, plain) if lang == "nl" else (plain, nl)
    return Downloads(key, uri(_CSV_URI, first), uri(_XLSX_URI, xlsx), uri(_CSV_URI, other),
                     "en" if lang == "nl" else "nl", "Download",
                     "CSV met Engelse kolomnamen en decimale punt" if lang == "nl" else
                     "CSV with Dutch headers, ; and decimal comma")


def _table(columns: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Iterable[int] = (),
           html_id: str = "", frame: pd.DataFrame | None = None, key: str = "",
           lang: str = "nl", nodes: pd.DataFrame | None = None) -> Table:
    """A :class:`Table`; plain strings become cells; with ``frame`` and ``key``, downloads
    (``nodes``: the model's, to name factors by their labels)."""
    cells = tuple(tuple(c if isinstance(c, Cell) else Cell(str(c)) for c in r) for r in rows)
    return Table(tuple(columns), cells, frozenset(numeric), html_id,
                 downloads(frame, key, lang, nodes) if frame is not None and key else None)


def _figure(ax: Any, caption: str, dpi: int, html_id: str = "") -> Figure:
    png = base64.b64encode(figure_png(ax, dpi=dpi)).decode("ascii")
    return Figure(f"data:image/png;base64,{png}", caption, html_id)


# --------------------------------------------------------------------------- building


@dataclass
class _Build:
    """What every part of the view reads: the analysis, the language and a few choices."""

    a: WijkAnalysis
    lang: str
    catalogue: pd.DataFrame | None
    goals: list[GoalLine]
    dpi: int
    with_downloads: bool

    @property
    def nl(self) -> bool:
        return self.lang == "nl"

    def t(self, nl: str, en: str) -> str:
        return nl if self.nl else en

    def label(self, node: str) -> str:
        return str(self.a.model.nodes.loc[node, f"label_{self.lang}"])

    @property
    def ref(self) -> str:
        return self.a.profile.reference_name(self.lang)

    def key(self, nl: str, en: str) -> str:
        """A download key, or '' (no downloads) when the document has none."""
        return (nl if self.nl else en) if self.with_downloads else ""


def goal_lines(analysis: WijkAnalysis) -> list[GoalLine]:
    """The analysis' goals, each with its node (as resolved) and priority."""
    nodes = analysis.resolved["node"].tolist() if len(analysis.resolved) else []
    return [GoalLine(str(node), float(g.priority), g)
            for node, g in zip(nodes, analysis.goals, strict=True)]


def build_view(analysis: WijkAnalysis, lang: str = "nl", *, dpi: int = 100,
               date: str = "", data_source: str = "", digest: str = "",
               young: YoungPeople | None = None, goals: Sequence[GoalLine] | None = None,
               catalogue: pd.DataFrame | None = None, with_downloads: bool = False) -> WijkView:
    """The view of a wijk analysis in ``lang``: what the wijkrapport and the page render.

    Parameters
    ----------
    analysis : WijkAnalysis
        From :func:`factormodel.analyse`.
    lang : {"nl", "en"}
    dpi : int
        Resolution of the figures.
    date, data_source, digest : str
        For the provenance: the report's date, the data in words, the first digits of
        the data file's SHA-256.
    young : YoungPeople, optional
        The young people the portfolio is for (number, age band, source), said with it.
    goals : sequence of GoalLine, optional
        The goals as given (default: the analysis' own).
    catalogue : DataFrame, optional
        The indicator catalogue (default: the profile's, else the model's).
    with_downloads : bool
        Give the tables CSV/XLSX downloads (the page; the report is one small file).

    Examples
    --------
    >>> import factormodel as fm
    >>> a = fm.analyse("rotterdam-jeugd", fm.load_example_data(), "Oud-Crooswijk", ["vsv"],
    ...                options=fm.Options(n_draws=50))
    >>> v = build_view(a, "nl")
    >>> v.title, v.synthetic, v.ranking.table.columns[:3]
    ('Wijkrapport Oud-Crooswijk', True, ('rang', 'factor', 'score'))
    """
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', got {lang!r}")
    model, prof = analysis.model, analysis.profile
    if catalogue is None:
        catalogue = prof.indicators if prof.indicators is not None else (
            load_indicators(model) if "indicators" in model.table_names else None)
    b = _Build(analysis, lang, catalogue, list(goals) if goals is not None
               else goal_lines(analysis), dpi, with_downloads)
    names = ", ".join(b.label(g.node) for g in b.goals)
    area = analysis.area
    where = f"{prof.level} {area}" if prof.level else str(area)  # never a guessed level
    sub = b.t(f"Factorenmodel-analyse voor {names} — {where}, "
              f"data {prof.year}, model {model.name} {model.metadata.version}, {date}",
              f"Factor model analysis for {names} — {where}, "
              f"data {prof.year}, model {model.name} {model.metadata.version}, {date}")
    with detached():  # Figure objects outside pyplot, closed on every path (threads, errors)
        profile_view = _profile(b)
        ranking_view = _ranking(b)
    return WijkView(
        lang=lang, area=area, title=b.t(f"Wijkrapport {area}", f"Area report {area}"),
        sub=sub, synthetic=bool(prof.synthetic),
        synthetic_label=b.t("SYNTHETISCHE DATA — geen metingen.",
                            "SYNTHETIC DATA — not measurements."),
        synthetic_text=b.t(
            f"De cijfers voor {area} zijn verzonnen voorbeeldwaarden bij echte "
            "gebiedsnamen. Lees dit rapport als een demonstratie van de werkwijze, niet "
            "als een uitspraak over de wijk.",
            f"The figures for {area} are made-up example values attached to real "
            "area names. Read this report as a demonstration of the method, not as a "
            "statement about the area."),
        status_warning="" if model.metadata.status == "official" else _status_text(b),
        profile=profile_view, goals=_goals(b), ranking=ranking_view, portfolio=_portfolio(b, young),
        unmeasured=_unmeasured(b), caveats=_caveats(b),
        provenance=_provenance(b, date, data_source, digest))


def _heading(b: _Build, key: str) -> str:
    return _HEADINGS[b.lang][key].format(ref=b.ref)


def _status_text(b: _Build) -> str:
    model = b.a.model
    status = model.metadata.status
    if status == "reconstruction":
        return b.t(
            f"Model {model.name} is een reconstructie van het Factorenmodel Jeugd uit "
            "openbare bronnen, niet het officiële model van de gemeente Rotterdam: de "
            "volledige factorenlijst en eventuele gewichten van het officiële model zijn niet "
            "openbaar.",
            f"Model {model.name} is a reconstruction of the Factorenmodel Jeugd from "
            "public sources, not the official model of the City of Rotterdam: the official "
            "model's full factor list and any weights are not public.")
    return b.t(f"Model {model.name} heeft de status '{status}': geen officieel model.",
               f"Model {model.name} has status '{status}': not an official model.")


# --------------------------------------------------------------------------- 1. profile


def _verdict(b: _Build, r: Any) -> Cell:
    if r.verdict == "ambiguous":
        return Cell(L.phrase("ambiguous", b.lang))
    if not np.isfinite(r.better_sd):
        return Cell("–")
    if r.verdict == "same":
        return Cell(b.t("gelijk", "the same"))
    if r.better_sd < 0:
        return Cell(b.t("slechter", "worse"), "worse")
    return Cell(b.t("beter", "better"), "better")


def _profile(b: _Build) -> ProfileView:
    a, prof, area = b.a, b.a.profile, b.a.area
    intro = b.t(
        f"Elke indicator van {area} in {prof.year} naast {b.ref}, in de eenheid van de "
        "indicator zelf, met een oordeel; daarna de afstand in standaarddeviaties tussen "
        "kinderen (de eenheid waarin het model rekent; een percentage wordt daarvoor "
        "omgerekend op een normale schaal, zodat 1 procentpunt bij 2% zwaarder telt dan bij "
        "50%) en tussen wijken (hoe ongewoon de wijk is onder de wijken; de "
        "spreiding uit de catalogus) en het percentiel onder de wijken in de data (het deel "
        "met een lagere waarde). Slechtste eerst.",
        f"Each indicator of {area} in {prof.year} beside {b.ref}, in the indicator's "
        "own unit, with a verdict; then the distance in standard deviations between children "
        "(the unit the model computes in; a percentage is converted on a normal scale for it, "
        "so 1 percentage point at 2% weighs more than at 50%; the liability model, Φ⁻¹ of the "
        "share) and between wijken (how unusual the wijk is among wijken; the catalogue's "
        "spread) and the percentile among the wijken in the data (the share with a lower "
        "value). Worst first.")
    t = a.indicators if b.catalogue is not None else pd.DataFrame()
    table = None
    if not t.empty:
        rows = []
        for r in t.itertuples():
            # indicator_table's rows: the unit is str, the figures floats
            unit = cast(str, r.unit)
            value, reference, difference, sd_areas, percentile = (
                cast(float, x) for x in (r.value, r.reference, r.difference, r.sd_areas,
                                         r.percentile))
            rows.append([getattr(r, f"label_{b.lang}"), in_unit(value, unit, b.lang),
                         in_unit(reference, unit, b.lang),
                         in_unit(difference, unit, b.lang, sign=True, difference=True),
                         _verdict(b, r), fmt(r.sd_children, b.lang, 2, sign=True),
                         fmt(sd_areas, b.lang, 1, sign=True) if np.isfinite(sd_areas) else "–",
                         f"{percentile:.0f}" if np.isfinite(percentile) else "–"])
        table = _table([b.t("indicator", "indicator"), str(area), b.t("referentie", "reference"),
                        b.t("verschil", "difference"), b.t("oordeel", "verdict"),
                        b.t("afstand (SD tussen kinderen)", "distance (SD between children)"),
                        b.t("afstand (SD tussen wijken)", "distance (SD between wijken)"),
                        b.t("percentiel onder de wijken", "percentile among wijken")],
                       rows, (1, 2, 3, 5, 6, 7), "indicator-table", t,
                       b.key("indicatoren", "indicators"), b.lang)
    ax = plot_profile(a.model, prof, area=area, lang=b.lang, top=25)
    figure = _figure(ax, b.t(
        f"Profiel van {area} per factor en resultaat (SD tegenover {b.ref}; rechts = beter).",
        f"Profile of {area} per factor and outcome (SD against {b.ref}; right = better)."),
        b.dpi, "profile-figure")
    return ProfileView(_heading(b, "profiel"), intro, table,
                       b.t("Voor dit gebied zijn geen indicatoren uit de catalogus gemeten.",
                           "No catalogue indicators are measured for this area."), figure)


# --------------------------------------------------------------------------- 2. goals


def _better_words(b: _Build, node: str) -> str:
    desired = b.a.model.desired_sign[node]
    return b.t("lager is beter" if desired < 0 else "hoger is beter",
               "lower is better" if desired < 0 else "higher is better")


def _goal_phrase(b: _Build, g: GoalLine) -> str:
    """What the area wants, in words (with a goal's change, horizon and group)."""
    if isinstance(g.goal, Goal) and g.goal.change is not None:
        size = L.goal(g.goal, b.lang, target=False)
        return f"{b.label(g.node)}: {size} ({_better_words(b, g.node)})"
    parts = [b.label(g.node)]
    obj = g.goal
    change = getattr(obj, "change", None)
    if change is not None:
        unit = getattr(obj, "unit", "sd")
        unit_text = {"sd": "SD", "pp": b.t("procentpunt", "percentage points"),
                     "%": "%"}.get(str(unit), str(unit))
        parts.append(f"{fmt(float(change), b.lang, 1, sign=True)} {unit_text}")
    years = getattr(obj, "years", None)
    if years:
        parts.append(b.t(f"binnen {years} jaar", f"within {years} years"))
    group = getattr(obj, "group", None)
    if group:
        parts.append(b.t(f"doelgroep {group}", f"target group {group}"))
    parts.append(_better_words(b, g.node))
    return f"{parts[0]} ({'; '.join(parts[1:])})"


def _needed(b: _Build, rc: RequiredChange) -> NeededView:
    """How much the top factors would have to change to reach one goal, and if in reach."""
    t = rc.to_frame()
    way = {"alone": b.t("alleen", "alone"), "together": b.t("samen", "together")}
    cat = b.catalogue
    rows = []
    for r in t.itertuples():
        # RequiredChange.to_frame(): factor, way and indicator ('' without one) are str
        named, factor, change = str(r.indicator), str(r.factor), cast(float, r.change)
        if named and cat is not None and named in cat.index:
            indicator = str(cat.loc[named, f"label_{b.lang}"])
        else:
            indicator = named if named else "–"
        unit = "%" if r.unit == "percentage points" else str(r.unit)
        rows.append([b.label(factor), way[str(r.way)], indicator,
                     in_unit(change, unit, b.lang, sign=True, difference=True),
                     fmt(r.change_sd, b.lang, 2, sign=True),
                     b.t("ja", "yes") if r.within_spread else
                     b.t(f"nee: meer dan {fmt(PLAUSIBLE_SD, b.lang, 0)} SD",
                         f"no: more than {fmt(PLAUSIBLE_SD, b.lang, 0)} SD")])
    node = rc.goal.node
    goal_text = f"{b.label(node)}: {L.goal(rc.goal.goal, b.lang, target=False)}"
    text = b.t(
        f"Nodig om het doel te halen ({goal_text}): hoeveel de sterkste drijvende factoren "
        "elk alleen zouden moeten veranderen, en samen (elk evenveel SD in de goede "
        f"richting). Het doel is {fmt(rc.goal.change_sd, b.lang, 2, sign=True)} SD van "
        f"{b.label(node).lower()}.",
        f"Needed to reach the goal ({goal_text}): how much its strongest drivers would each "
        "have to change alone, and together (each by the same number of SD in its good "
        f"direction). The goal is {fmt(rc.goal.change_sd, b.lang, 2, sign=True)} SD of "
        f"{b.label(node).lower()}.")
    frame = t.assign(label=t["factor"].map(b.label)) if b.with_downloads else None
    table = _table([b.t("factor", "factor"), b.t("route", "way"), b.t("indicator", "indicator"),
                    b.t("verandering", "change"), b.t("in SD", "in SD"),
                    b.t("binnen de spreiding tussen wijken", "within the spread between areas")],
                   rows, (3, 4), "", frame, b.key("nodig", "needed"), b.lang)
    out_of_reach = "" if t["within_spread"].all() else b.t(
        f"Een verandering van meer dan {fmt(PLAUSIBLE_SD, b.lang, 0)} SD ligt ver buiten "
        "de spreiding tussen wijken: langs die route is het doel buiten bereik.",
        f"A change of more than {fmt(PLAUSIBLE_SD, b.lang, 0)} SD lies far outside the "
        "spread between areas: by that route the goal is out of reach.")
    own = [L.source(x, b.lang) for x in rc.goal.assumptions]
    assumptions = b.t(
        "Aannames: het model is lineair; de andere factoren blijven waar ze zijn; het gaat om "
        "de wijk als geheel, niet om individuele kinderen.",
        "Assumptions: the model is linear; every other factor stays where it is; this is "
        "about the area as a whole, not about individual children.") + "".join(
        f" {x[0].upper()}{x[1:]}." for x in own)
    return NeededView(text, table, out_of_reach, assumptions)


def _goals(b: _Build) -> GoalsView:
    a, m, area = b.a, b.a.model, b.a.area
    alpha = a.options.alpha
    modifiable = m.node_values("modifiable")
    # a node chosen twice (a priority and a goal with a size) is one column of T
    T = total_effects(m, alpha=alpha, targets=list(dict.fromkeys(g.node for g in b.goals)))
    needed = {id(rc.goal.goal): rc for rc in a.needed}
    row = a.profile.row(area)
    views = []
    for g in b.goals:
        node = g.node
        delta = float(row.get(node, np.nan))
        if not np.isfinite(delta):
            now = b.t(f"Niet gemeten in {area}.", f"Not measured in {area}.")
        elif round(delta, 2) == 0:
            now = b.t(f"{area} ligt op {b.ref}.", f"{area} is at {b.ref}.")
        else:
            better = delta * float(m.desired_sign[node]) > 0
            now = b.t(f"{area} ligt {fmt(abs(delta), b.lang)} SD "
                      f"{'boven' if delta > 0 else 'onder'} {b.ref}: "
                      f"{'beter' if better else 'slechter'}.",
                      f"{area} is {fmt(abs(delta), b.lang)} SD "
                      f"{'above' if delta > 0 else 'below'} {b.ref}: "
                      f"{'better' if better else 'worse'}.")
        text = b.t(f"Prioriteit {fmt(g.priority, b.lang, 1)}. ",
                   f"Priority {fmt(g.priority, b.lang, 1)}. ") + now
        effects = T[node].drop(node, errors="ignore")
        effects = effects[[bool(modifiable[f]) and f in m.factors for f in effects.index]]
        effects = effects[effects != 0]
        best = effects.reindex(effects.abs().sort_values(ascending=False).index).head(6)
        drivers = None
        if not best.empty:
            rows = []
            for f, effect in best.items():
                path = strongest_paths(m, f, node, top=1, alpha=alpha)
                # strongest_paths: nodes a tuple of ids, product a float
                nodes = cast("tuple[str, ...]", path.loc[0, "nodes"]) if len(path) else ()
                via = " → ".join(b.label(n) for n in nodes) if len(path) else ""
                share = (cast(float, path.loc[0, "product"]) / effect) if len(path) and effect \
                    else np.nan
                rows.append([b.label(f), fmt(effect, b.lang, 2, sign=True), via,
                             f"{fmt(100 * share, b.lang, 0)}%" if np.isfinite(share) else "–"])
            drivers = _table([b.t("factor", "factor"),
                              b.t("totaal effect (SD per SD)", "total effect (SD per SD)"),
                              b.t("sterkste pad", "strongest path"),
                              b.t("deel via dat pad", "share via that path")], rows, (1, 3))
        rc = needed.get(id(g.goal))
        views.append(GoalView(
            _goal_phrase(b, g), text, drivers,
            b.t("Geen beïnvloedbare factor in het model drijft dit resultaat.",
                "No modifiable factor in the model drives this outcome."),
            _needed(b, rc) if rc is not None and drivers is not None else None))
    intro = b.t(
        "De maatschappelijke resultaten die de wijk koos, met hun prioriteit. Per resultaat de "
        "beïnvloedbare factoren met het grootste totale effect in het model (het effect van "
        "één SD verandering van de factor, over alle paden samen) en het sterkste pad.",
        "The outcomes the area chose, with their priority. For each, the modifiable factors "
        "with the largest total effect in the model (the effect of a one-SD change of the "
        "factor, over all paths together) and the strongest path.")
    closing = b.t(
        f"Deze verbanden zijn die van model {m.name} en gelden voor elke wijk; wat de wijk "
        "onderscheidt, is hoe ver zij op elke factor van de referentie af ligt: dat staat in "
        "het profiel en bepaalt de aangrijpingspunten hieronder.",
        f"These links are those of model {m.name} and hold for every area; what sets the "
        "area apart is how far it is from the reference on each factor: the profile shows it, "
        "and it decides the factors to target below.")
    return GoalsView(_heading(b, "resultaten"), intro, tuple(views), closing)


# --------------------------------------------------------------------------- 3. ranking


def _uncertainty(b: _Build, ranked: pd.DataFrame) -> UncertaintyView:
    mc = b.a.uncertainty
    kept = ""
    if len(ranked):
        stability = mc.rank_stability.loc[b.a.area]
        top = [f for f in ranked["factor"][:mc.top] if f in stability.index]
        if top:  # the expected share of the top that stays there over the weight draws
            share = 100 * float(stability[top].mean())
            kept = b.t(
                f"Over de gewichtstrekkingen blijft gemiddeld {fmt(share, b.lang, 0)}% van de "
                f"top {len(top)} in de top {mc.top}: zoveel van deze rangorde overleeft de "
                "onzekerheid van de gewichten.",
                f"Over the weight draws, on average {fmt(share, b.lang, 0)}% of the top "
                f"{len(top)} stays in the top {mc.top}: that much of this ranking survives "
                "the uncertainty of the weights.")
    divergent = b.t(
        f"{mc.n_divergent} van de {mc.n_draws} gewichtstrekkingen gaven terugkoppelingen "
        "die niet convergeren; die zijn weggelaten uit de intervallen.",
        f"{mc.n_divergent} of {mc.n_draws} weight draws gave feedback loops that do not "
        "converge; they are left out of the intervals.") if mc.n_divergent else ""
    return UncertaintyView(kept, divergent)


def _ranking(b: _Build) -> RankingView:
    a, rec, mc, area = b.a, b.a.ranking, b.a.uncertainty, b.a.area
    intro = b.t(
        "Per beïnvloedbare factor: ruimte om te verbeteren (hoe ver de wijk aan de verkeerde "
        f"kant van {b.ref} ligt, SD) × winst (verbetering van de gekozen resultaten per SD "
        "verbetering van de factor) × bewijssterkte (aandeel van het effect over sterke "
        f"verbanden). Het interval en de rangstabiliteit komen uit {mc.n_valid} trekkingen "
        "van de gewichten uit hun onzekerheid (Monte Carlo); een factor met een hoge "
        "rangstabiliteit blijft bovenaan, hoe de gewichten ook uitvallen.",
        "Per modifiable factor: room to improve (how far the area is on the wrong side of "
        f"{b.ref}, SD) × gain (improvement of the chosen outcomes per SD the factor "
        "improves) × strength of evidence (share of the effect over strong links). The "
        f"interval and rank stability come from {mc.n_valid} draws of the weights from their "
        "uncertainty (Monte Carlo); a factor with high rank stability stays at the top "
        "whatever the weights turn out to be.")
    notes = tuple(str(n[b.lang]) for n in rec.notes)
    ranked = rec[rec["status"] == "recommended"]
    empty = b.t(
        f"Geen gemeten factor ligt aan de verkeerde kant van {b.ref} en helpt de "
        "gekozen resultaten: er is niets aan te bevelen op grond van deze data.",
        f"No measured factor is on the wrong side of {b.ref} and helps the chosen "
        "outcomes: there is nothing to recommend from these data.")
    table = figure = None
    if len(ranked):
        scores = mc.scores.xs(area, level="area")
        stability = mc.rank_stability.loc[area]
        rows = []
        for r in ranked.itertuples():
            lo, hi = scores.loc[r.factor, "low"], scores.loc[r.factor, "high"]
            rows.append([str(int(r.rank)), b.label(r.factor),
                         fmt(r.score, b.lang, 3, significant=True),
                         f"{fmt(lo, b.lang, 3)} – {fmt(hi, b.lang, 3)}",
                         f"{fmt(100 * stability[r.factor], b.lang, 0)}%",
                         getattr(r, f"explanation_{b.lang}")])
        pct = f"{mc.interval:.0%}"
        table = _table([b.t("rang", "rank"), "factor", "score",
                        b.t(f"{pct}-interval", f"{pct} interval"),
                        b.t(f"in top {mc.top}", f"in top {mc.top}"),
                        b.t("toelichting", "explanation")], rows, (0, 2, 3, 4), "ranking",
                       rec.table, b.key("aanbeveling", "recommendation"), b.lang,
                       b.a.model.nodes)  # its strongest paths by their labels
        ax = plot_recommendation(rec, intervals=mc, area=area, lang=b.lang, reference=b.ref,
                                 synthetic=a.profile.synthetic)
        figure = _figure(ax, b.t(
            f"Aanbevolen factoren voor {area}, met het {pct}-interval van de score over de "
            "gewichtstrekkingen.",
            f"Recommended factors for {area}, with the {pct} interval of the score over the "
            "weight draws."), b.dpi, "ranking-figure")
    return RankingView(_heading(b, "aangrijpingspunten"), intro, notes, empty, table, figure,
                       _uncertainty(b, ranked))


# --------------------------------------------------------------------------- 4. portfolio


def _against_goals(b: _Build) -> tuple[str, ...]:
    """For each goal with a size: what share of it the portfolio's predicted change covers
    (both in SD of the goal's node), and that the horizon is not modelled."""
    port = b.a.portfolio
    out = []
    for g in b.goals:
        goal = g.goal
        if port is None or not (isinstance(goal, Goal) and goal.change is not None) \
                or g.node not in port.outcome_changes.index:
            continue
        r = resolve_goal(b.a.model, goal, indicators=b.catalogue,
                         levels=b.a.profile.area_levels(b.a.area))
        if not np.isfinite(r.change_sd) or r.change_sd == 0:
            continue
        got = float(port.outcome_changes[g.node])
        share = got / r.change_sd
        lang = b.lang
        horizon = b.t(f" De termijn ({goal.years:g} jaar) is niet doorgerekend: het model zegt "
                      "niet hoe snel de verandering komt.",
                      f" The horizon ({goal.years:g} years) is not modelled: the model does "
                      "not say how fast the change comes.") if goal.years else ""
        size_nl, size_en = L.goal(goal, "nl", target=False), L.goal(goal, "en", target=False)
        out.append(b.t(
            f"Tegenover het doel {size_nl} voor {b.label(g.node)}: het "
            f"portfolio verandert het naar verwachting met "
            f"{fmt(got, lang, 3, sign=True, significant=True)} SD, "
            f"{fmt(100 * share, lang, 1, significant=True)}% van de "
            f"{fmt(r.change_sd, lang, 2, sign=True)} SD die het doel vraagt.",
            f"Against the goal {size_en} for {b.label(g.node)}: the portfolio "
            f"is expected to change it by {fmt(got, lang, 3, sign=True, significant=True)} SD, "
            f"{fmt(100 * share, lang, 1, significant=True)}% of the "
            f"{fmt(r.change_sd, lang, 2, sign=True)} SD the goal asks for.") + horizon)
    return tuple(out)


def _portfolio(b: _Build, young: YoungPeople | None) -> PortfolioView:
    a, lang = b.a, b.lang
    heading = _heading(b, "interventies")
    ivs, port, rec = a.interventions, a.portfolio, a.ranking
    if ivs is None:
        return PortfolioView(heading, b.t(f"Model {a.model.name} heeft geen interventiecatalogus.",
                                          f"Model {a.model.name} has no intervention catalogue."))
    ranked = rec.loc[rec["status"] == "recommended", "factor"].tolist()
    fitting = ivs[ivs["target"].isin(ranked)]
    fitting_table = None
    if not fitting.empty:
        rows = []
        for r in fitting.itertuples():
            effect = fmt(r.effect, lang, 2) + (b.t(" (standaard)", " (default)")
                                                if r.effect_is_default else "")
            rows.append([r.name, b.label(r.target), r.recognition, effect,
                         f"{money(r.cost_per_unit, lang)} / {r.unit}",
                         ", ".join(r.phases) if not isinstance(r.phases, str) else r.phases])
        fitting_table = _table([b.t("interventie", "intervention"), "factor",
                                b.t("erkenning (NJi)", "recognition (NJi)"),
                                b.t("effect (SD)", "effect (SD)"), b.t("kosten", "cost"),
                                b.t("levensfase", "life phase")], rows, (3, 4))
    uncovered = [f for f in ranked if f not in set(ivs["target"])]
    view: dict[str, Any] = {
        "heading": heading, "no_catalogue": "",
        "fitting_title": b.t("Interventies die op de aanbevolen factoren aangrijpen",
                          "Interventions that target the recommended factors"),
        "fitting": fitting_table,
        "fitting_empty": b.t("Geen interventie in de catalogus richt zich op een van de "
                          "aanbevolen factoren.",
                          "No intervention in the catalogue targets any of the recommended "
                          "factors."),
        "uncovered": b.t(
            "Geen interventie in de catalogus richt zich op: "
            + ", ".join(b.label(f) for f in uncovered)
            + ". Een portfolio kan deze aanbevolen factoren dus niet bereiken; dat is een gat "
            "in de catalogus, geen oordeel over de factor.",
            "No intervention in the catalogue targets: "
            + ", ".join(b.label(f) for f in uncovered)
            + ". A portfolio therefore cannot reach these recommended factors; this is a gap "
            "in the catalogue, not a judgement on the factor.") if uncovered else ""}
    if port is None:
        return PortfolioView(**view, no_budget=b.t(
            "Er is geen budget opgegeven; met een budget bevat dit rapport een portfolio van "
            "interventies dat erin past.",
            "No budget was given; with a budget this report contains a portfolio of "
            "interventions that fits it."))
    view["title"] = b.t("Portfolio binnen ", "Portfolio within ") + money(port.budget, lang)
    view["exact"] = b.t(
        f"Exact berekend (gemengd-geheeltallig programma): de combinatie van interventies "
        f"die de gekozen resultaten samen het meest verbetert binnen het budget. Kosten "
        f"{money(port.total_cost, lang)} van {money(port.budget, lang)}; verwachte "
        f"verbetering {fmt(port.improvement, lang, 3)} SD (gewogen met de prioriteiten).",
        f"Computed exactly (mixed-integer programme): the combination of interventions that "
        f"improves the chosen outcomes most within the budget. Cost "
        f"{money(port.total_cost, lang)} of {money(port.budget, lang)}; expected "
        f"improvement {fmt(port.improvement, lang, 3)} SD (weighted by the priorities).")
    if young is not None:  # the number used and where it came from; the rule on tiny effects
        share = f"{port.constraints['min_share']:.0%}"
        view["young"] = b.t(
            f"Het portfolio is voor {young.describe('nl')}. Over van het budget: "
            f"{money(port.budget_left, 'nl')}. Een interventie waarvan het effect op zijn best "
            f"kleiner is dan {share} van "
            f"{L.threshold_of(port.constraints['threshold_of'], 'nl')} "
            f"({fmt(port.constraints['threshold_sd'], 'nl', 3, significant=True)} SD), krijgt "
            "geen geld.",
            f"The portfolio is for {young.describe('en')}. Budget left over: "
            f"{money(port.budget_left, 'en')}. An intervention that at best brings less than "
            f"{share} of {L.threshold_of(port.constraints['threshold_of'], 'en')} "
            f"({fmt(port.constraints['threshold_sd'], 'en', 3, significant=True)} SD) gets no "
            "money.")
    chosen = port.chosen
    if len(chosen):  # which effect sizes are published and which are assumed defaults
        n_default, k = int(chosen["effect_is_default"].sum()), len(chosen)
        view["effects_all_default"] = n_default == k
        d = fmt(DEFAULT_EFFECT, "nl")
        view["effects_note"] = b.t(
            (f"Let op: {n_default} van de {k} gekozen interventies "
             f"{'heeft' if n_default == 1 else 'hebben'} geen gepubliceerde effectgrootte. "
             if k > 1 else "Let op: de gekozen interventie heeft geen gepubliceerde "
             "effectgrootte. ")
            + f"Het model rekent dan met een voorzichtige standaardwaarde ({d} SD, voor elk "
            "NJi-erkenningsniveau dezelfde) – een aanname, geen meting. Erkenning zegt iets "
            "over de sterkte van het bewijs, niet over de grootte van het effect.",
            (f"Note: {n_default} of the {k} chosen interventions "
             f"{'has' if n_default == 1 else 'have'} no published effect size. " if k > 1
             else "Note: the chosen intervention has no published effect size. ")
            + f"The model then uses a cautious default ({fmt(DEFAULT_EFFECT, 'en')} SD, the "
            "same for every NJi recognition level) – an assumption, not a measurement. "
            "Recognition grades the strength of evidence, not the size of the effect.") \
            if n_default else b.t(
            f"Alle {k} gekozen interventies hebben een gepubliceerde effectgrootte uit de "
            "catalogus." if k > 1 else "De gekozen interventie heeft een gepubliceerde "
            "effectgrootte uit de catalogus.",
            f"All {k} chosen interventions have a published effect size from the catalogue."
            if k > 1 else "The chosen intervention has a published effect size from the "
            "catalogue.")
    left = port.budget - port.total_cost
    if left >= 0.1 * port.budget and not port.left_out.empty:
        view["unspent"] = b.t(
            f"{money(left, 'nl')} van het budget blijft over: van de gekozen interventies kan "
            "niet meer worden ingezet (hun maximum aantal eenheden of het aantal jongeren is "
            "bereikt), en de andere interventies passen niet bij "
            "de regels van het portfolio of verbeteren de gekozen resultaten niet (zie 'Niet "
            "gekozen, en waarom').",
            f"{money(left, 'en')} of the budget is left: no more of the chosen interventions "
            "can be used (their maximum number of units, or the number of young people, is "
            "reached), and the other interventions do not fit "
            "the portfolio's rules or do not improve the chosen outcomes (see 'Left out, and "
            "why').")
    view["chosen_empty"] = b.t("Binnen dit budget past geen interventie die helpt.",
                               "No helpful intervention fits within this budget.")
    if len(chosen):
        basis = chosen["effect_is_default"].map(
            {True: b.t("standaardwaarde (aanname)", "default (assumption)"),
             False: b.t("gepubliceerd", "published")})
        rows = [[r.name, str(int(cast(float, r.units))), fmt(r.cost, lang, 0),
                 fmt(r.reach, lang, 0),
                 ", ".join(b.label(f.strip()) for f in str(r.targets).split(",") if f.strip()),
                 fmt(r.value, lang, 3, significant=True), basis.iloc[i]]
                for i, r in enumerate(chosen.itertuples())]
        frame = chosen.assign(targets=chosen.get("targets", ""), effect_basis=basis) \
            if b.with_downloads else None
        view["chosen"] = _table([b.t("interventie", "intervention"), b.t("eenheden", "units"),
                                 b.t("kosten (€)", "cost (€)"),
                                 b.t("bereik (jongeren)", "reach (young people)"),
                                 b.t("grijpt aan op", "targets"),
                                 b.t("verbetering (SD)", "improvement (SD)"),
                                 b.t("effectgrootte", "effect size")], rows, (1, 2, 3, 5),
                                "portfolio-table", frame, b.key("pakket", "portfolio"), lang)
    view["buys_title"] = b.t("Wat het portfolio oplevert", "What the portfolio buys")
    units = port.outcome_units
    if units is not None and not units.empty:
        cat = b.catalogue
        rows = []
        for r in units.itertuples():
            # the portfolio's outcome rows: node and indicator ids, the change a float
            unit = str(cat.loc[cast(str, r.indicator), "unit"]) if cat is not None else ""
            note = getattr(r, "note", "")  # e.g. converted at an assumed level (coded)
            rows.append([b.label(cast(str, r.node)), getattr(r, f"label_{lang}"),
                         fmt(r.delta_sd, lang, 3, sign=True, significant=True),
                         in_unit(cast(float, r.change), unit, lang, sign=True, difference=True,
                                 digits=2, significant=True)
                         + (f" ({M.render(note.code, note.fields, lang)})"
                            if isinstance(note, Message) else "")])
        frame = units.assign(label=units["node"].map(b.label)) if b.with_downloads else None
        view["outcomes"] = _table([b.t("resultaat", "outcome"), "indicator",
                                   b.t("verandering (SD)", "change (SD)"),
                                   b.t("in de eenheid van de indicator",
                                       "in the indicator's unit")], rows, (2, 3), "", frame,
                                  b.key("pakket_resultaten", "portfolio_outcomes"), lang)
    else:
        view["outcomes_text"] = b.t("Voorspelde verandering (SD): ",
                                    "Predicted change (SD): ") + ", ".join(
            f"{b.label(str(o))} {fmt(v, lang, 3, sign=True)}"
            for o, v in port.outcome_changes.items())
    view["expected"] = b.t(
        "Dit is de verwachte verandering op wijkniveau als de interventies het gemiddelde "
        "effect halen dat de catalogus aanneemt, over het deel van de jongeren dat ze "
        "bereiken; geen belofte voor individuele jongeren.",
        "This is the expected change at area level if the interventions reach the average "
        "effect the catalogue assumes, over the share of young people they reach; not a "
        "promise for individual young people.")
    view["against"] = _against_goals(b)
    if not port.left_out.empty:
        view["left_out_title"] = b.t("Niet gekozen, en waarom", "Left out, and why")
        labels = cast("dict[str, str]", a.model.nodes[f"label_{lang}"].to_dict())  # id -> label
        rows = [[r.name, L.reason(r.reason, lang, labels)]
                for r in port.left_out.itertuples()]
        view["left_out"] = _table([b.t("interventie", "intervention"), b.t("reden", "reason")],
                                  rows, (), "left-out", port.left_out,
                                  b.key("niet_gekozen", "left_out"), lang, a.model.nodes)
    return PortfolioView(**view)


# --------------------------------------------------------------------------- 5. unmeasured


def _unmeasured(b: _Build) -> UnmeasuredView:
    a, m, area, lang = b.a, b.a.model, b.a.area, b.lang
    cov = coverage(m, a.profile).loc[area]
    text = b.t(
        f"In {area} zijn {cov['factors_measured']} van de {cov['factors_total']} factoren "
        f"en {cov['outcomes_measured']} van de {cov['outcomes_total']} resultaten gemeten. "
        "Wat niet gemeten is, telt in de aanbeveling niet mee als ruimte om te verbeteren "
        "(nooit als nul ingevuld); het model voorspelt het wel uit de gemeten factoren.",
        f"In {area}, {cov['factors_measured']} of {cov['factors_total']} factors and "
        f"{cov['outcomes_measured']} of {cov['outcomes_total']} outcomes are measured. What "
        "is not measured has no room to improve in the recommendation (never filled in as "
        "zero); the model does predict it from the measured factors.")
    row = a.profile.row(area)
    unmeasured_goals = [g.node for g in b.goals if not np.isfinite(row.get(g.node, np.nan))]
    goals_note = (b.t("Gekozen resultaten zonder meting: ", "Chosen outcomes not measured: ")
                  + ", ".join(b.label(n) for n in unmeasured_goals) + ".") \
        if unmeasured_goals else ""
    potential = a.ranking[a.ranking["status"] == "not measured"]
    table = None
    if len(potential):
        rows = [[b.label(r.factor), fmt(r.gain, lang, 2), f"{fmt(100 * r.evidence, lang, 0)}%"]
                for r in potential.itertuples()]
        table = _table(["factor", b.t("winst per SD verbetering", "gain per SD improvement"),
                        b.t("bewijssterkte", "strength of evidence")], rows, (1, 2),
                       "not-measured")
    lists = []
    for key, title in (("unmeasured_factors", b.t("Alle niet-gemeten factoren",
                                                  "All unmeasured factors")),
                       ("unmeasured_outcomes", b.t("Niet-gemeten resultaten",
                                                   "Unmeasured outcomes"))):
        ids = [s.strip() for s in str(cov[key]).split(",") if s.strip()]
        if ids:
            lists.append((f"{title} ({len(ids)})", ", ".join(b.label(n) for n in ids) + "."))
    return UnmeasuredView(
        _heading(b, "niet-gemeten"), text, goals_note,
        b.t("Niet gemeten, maar mogelijk belangrijk", "Not measured, but possibly important"),
        table, b.t("Meet deze factoren in de wijk (of vraag partners wat zij zien) voordat u ze "
                   "uitsluit.",
                   "Measure these factors in the area (or ask partners what they see) before "
                   "ruling them out."), tuple(lists))


# --------------------------------------------------------------------------- 6. caveats


def _caveats(b: _Build) -> CaveatsView:
    a, m, lang = b.a, b.a.model, b.lang
    ev = evidence_summary(m, targets=[*m.outcomes, *(g.node for g in b.goals
                                                   if g.node in m.factors)])
    kind = m.weights_kind
    mc, ivs = a.uncertainty, a.interventions
    items = [
        _status_text(b) + " " + _basis_text(b, ev),
        b.t(f"Gewichten: {WEIGHTS_KIND_NL.get(kind, kind)}. "
            + ("Ze zijn geschat op verschillen tussen gebieden en beschrijven hoe gebieden "
               "verschillen, niet wat een interventie voor een kind doet."
               if kind == AREA_LEVEL else
               "Ze komen uit studies (meest van individuen), niet uit deze gebieden."),
            f"Weights: {kind}. "
            + ("They were estimated from differences between areas and describe how areas "
               "differ, not what an intervention does for one child."
               if kind == AREA_LEVEL else
               "They come from studies (mostly of individuals), not from these areas.")),
        b.t("De data zijn SYNTHETISCH: verzonnen voorbeeldwaarden bij echte gebiedsnamen, "
            "geen metingen. Geen enkele uitspraak in dit rapport gaat over de echte wijk.",
            "The data are SYNTHETIC: made-up example values attached to real area names, "
            "not measurements. No statement in this report is about the real area.")
        if a.profile.synthetic else
        b.t("De data zijn door de gebruiker aangeleverd; dit rapport controleert hun "
            "juistheid niet. Controleer bron, jaar en definitie van elke indicator.",
            "The data were supplied by the user; this report does not check that they are "
            "correct. Check the source, year and definition of each indicator."),
        b.t("Verbanden tussen wijken zijn geen effecten voor individuele jongeren: het "
            "model beschrijft gemiddelden van gebieden en groepen. Dat een factor in de wijk "
            "samenhangt met een resultaat, zegt niet dat het voor elke jongere zo werkt.",
            "Associations between areas are not effects for individual young people: the "
            "model describes averages of areas and groups. That a factor goes with an "
            "outcome in the area does not mean it works that way for every young person."),
        b.t("Het model is lineair en de gewichten zijn gestandaardiseerde effecten, "
            "onderling consistent gemaakt met een tabel van verbanden (zie hierboven hoeveel "
            f"daarvan gepubliceerd is). Het {mc.interval:.0%}-interval en de rangstabiliteit "
            "dekken alleen de onzekerheid van de gewichten, niet die van de data, van de "
            "indicatoren of van de structuur van het model.",
            "The model is linear and its weights are standardised effects made mutually "
            "consistent with a table of associations (see above how many are published). "
            f"The {mc.interval:.0%} interval and rank stability cover only the uncertainty "
            "of the weights, not that of the data, the indicators or the model's "
            "structure."),
        b.t(f"Alle afstanden zijn gemeten tegenover {b.ref}; een andere referentie geeft "
            "andere afstanden en kan een andere rangorde geven.",
            f"All distances are measured against {b.ref}; another reference gives other "
            "distances and may give another ranking."),
    ]
    cat = b.catalogue
    if cat is not None:
        assumed = cat["basis"].astype(str).str.contains("assumption").sum()
        if assumed:
            items.append(b.t(
                f"Bij {assumed} van de {len(cat)} indicatoren in de catalogus zijn "
                "de spreiding tussen wijken en het typische niveau aannames, niet berekend "
                "uit echte data (de spreiding tussen wijken rekent niets om: het model rekent "
                "in SD tussen kinderen).",
                f"For {assumed} of the {len(cat)} indicators in the catalogue the "
                "spread between areas and the typical level are assumptions, not computed "
                "from real data (the spread between areas converts nothing: the model "
                "computes in SD between children)."))
    if ivs is not None:
        kinds = (ivs["effect_evidence"] if "effect_evidence" in ivs
                 else ivs["effect_is_default"].map({True: "stated default",
                                                    False: "published point"}))
        k = kinds.value_counts()
        pub = int(k.get("published with interval", 0) + k.get("published point", 0))
        items.append(b.t(
            f"Van de {len(ivs)} combinaties van interventie en doelfactor in de catalogus "
            f"hebben er {pub} een gepubliceerde effectgrootte (waarvan "
            f"{int(k.get('published with interval', 0))} met interval), "
            f"{int(k.get('published null', 0))} een gepubliceerd nuleffect (geen effect "
            "gevonden; telt als 0) en "
            f"{int(k.get('stated default', 0))} de standaardwaarde van "
            f"{fmt(DEFAULT_EFFECT, lang)} SD, omdat er niets over bekend is. Erkenning zegt "
            "iets over de sterkte van het bewijs, niet over de grootte van het effect. Kosten "
            "zijn aannames uit de catalogus.",
            f"Of the {len(ivs)} intervention-target pairs in the catalogue, {pub} have a "
            f"published effect size ({int(k.get('published with interval', 0))} with an "
            f"interval), {int(k.get('published null', 0))} a published null (no effect found; "
            f"counted as 0) and {int(k.get('stated default', 0))} the stated default of "
            f"{fmt(DEFAULT_EFFECT, lang)} SD because nothing is known. Recognition grades "
            "the strength of evidence, not the size of the effect. Costs are assumptions from "
            "the catalogue."))
    # draws that did not converge are said with the ranking (_uncertainty.html)
    return CaveatsView(
        _heading(b, "kanttekeningen"), tuple(items),
        b.t("Waarop het effect op de gekozen resultaten rust",
            "What the effect on the chosen outcomes rests on"),
        b.t("Aandeel van het ongetekende padgewicht naar elk resultaat, naar de zwakste "
            "onderbouwing op het pad (een keten is niet beter onderbouwd dan haar zwakste "
            "schakel).",
            "Share of the unsigned path weight into each outcome, by the weakest basis on "
            "the path (a chain is no better supported than its weakest link)."),
        _basis_table(b, ev))


def _basis_text(b: _Build, ev: EvidenceSummary) -> str:
    """How many links rest on what (fm.evidence_summary), in one sentence."""
    c = ev.edges["edges"]
    total = int(c.sum())
    return b.t(
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


def _basis_table(b: _Build, ev: EvidenceSummary) -> Table | None:
    """Per chosen outcome: the share of its effect resting on each basis."""
    goals = list(dict.fromkeys(g.node for g in b.goals if g.node in ev.outcomes.index))
    if not goals:
        return None
    names = {"expert judgement": b.t("expertoordeel", "expert judgement"),
             "class default": b.t("standaardwaarde van de klasse", "class default"),
             "published point": b.t("gepubliceerd, zonder interval", "published point"),
             "published with interval": b.t("gepubliceerd, met interval",
                                            "published with interval"),
             "not recorded": b.t("niet vastgelegd", "not recorded")}
    # edges: a count per basis; outcomes: a share per outcome and basis
    cols = [c for c in ev.outcomes.columns if cast(int, ev.edges.loc[c, "edges"]) > 0]
    rows = [[b.label(o)] + [f"{fmt(100 * cast(float, ev.outcomes.loc[o, c]), b.lang, 0)}%"
                            for c in cols] for o in goals]
    return _table([b.t("doel", "goal")] + [names[c] for c in cols], rows,
                  range(1, len(cols) + 1))


# --------------------------------------------------------------------------- 7. provenance


def _provenance(b: _Build, date: str, source: str, digest: str) -> ProvenanceView:
    from factormodel import __version__

    a, m, prof, lang = b.a, b.a.model, b.a.profile, b.lang
    md, o, port = m.metadata, a.options, a.portfolio
    goals = ", ".join(f"{g.node} ({fmt(g.priority, lang, 1)})" for g in b.goals)
    rows = [
        [b.t("model", "model"), f"{md.name} {md.version}"],
        [b.t("status van het model", "model status"),
         {"reconstruction": "reconstructie (niet het officiële model)",
          "illustrative": "illustratief", "official": "officieel"}.get(md.status, md.status)
         if b.nl else md.status],
        [b.t("citeren als (Engelstalige bronvermelding)", "cite as"), md.citation or "–"],
        [b.t("data", "data"), source + (f" (sha256 {digest}…)" if digest else "")],
        *([[b.t("bron en licentie van de data", "data source and licence"),
            prof.credit(lang)]] if getattr(prof, "source", "") else []),
        [b.t("soort data", "kind of data"),
         b.t("SYNTHETISCH (geen metingen)", "SYNTHETIC (not measurements)") if prof.synthetic
         else b.t("aangeleverd door de gebruiker", "supplied by the user")],
        ([b.t("gebied, niveau, jaar", "area, level, year"),
          f"{a.area}, {prof.level}, {prof.year}"] if prof.level else
         [b.t("gebied, jaar", "area, year"), f"{a.area}, {prof.year}"]),
        [b.t("referentie", "reference"), b.ref],
        [b.t("gekozen resultaten (prioriteit)", "chosen outcomes (priority)"), goals],
        [b.t("budget", "budget"), money(a.budget, lang) if a.budget is not None else "–"],
        [b.t("Monte Carlo", "Monte Carlo"),
         b.t(f"{o.n_draws} trekkingen, seed {o.seed}, alpha {fmt(o.alpha, lang, 2)}",
             f"{o.n_draws} draws, seed {o.seed}, alpha {fmt(o.alpha, lang, 2)}")],
        [b.t("gemaakt op", "made on"), date],
        [b.t("software", "software"), f"factormodel {__version__}"],
    ]
    rules = []
    if port is not None and port.constraints.get("one_per_factor"):
        rules.append(b.t("hoogstens één interventie per factor",
                         "at most one intervention per factor"))
    if port is not None and port.constraints.get("phases"):
        ages = ", ".join(port.constraints["phases"])
        rules.append(b.t(f"alleen interventies voor de leeftijdsgroep van de doelen ({ages} "
                         "jaar)", f"only interventions for the goals' age group ({ages})"))
    if rules:
        rows.append([b.t("portfolio-regels", "portfolio rules"), "; ".join(rules)])
    return ProvenanceView(_heading(b, "herkomst"),
                          _table([b.t("wat", "what"), b.t("waarde", "value")], rows),
                          b.t("Gemaakt met factormodel, open-source software.",
                              "Made with factormodel, open-source software."))


# --------------------------------------------------------------------------- rendering


def environment(*more: str | Path) -> Any:
    """The Jinja2 environment of the documents: the partials here, then ``more`` folders
    (the page's own templates); autoescaping on for every template.

    Examples
    --------
    >>> environment().autoescape
    True
    """
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([*map(str, more), str(TEMPLATES)]), autoescape=True,
        trim_blocks=True, lstrip_blocks=True)


_ENV: Any = None


def render(template: str, **context: Mapping[str, Any] | Any) -> str:
    """Render one of the templates here (``wijkrapport.html``, a partial) with ``context``.

    Examples
    --------
    >>> from factormodel.render.view import Cell, Table, render
    >>> html = render("_table.html", table=Table(("a",), ((Cell("<b>"),),)))
    >>> "&lt;b&gt;" in html and "<b>" not in html
    True
    """
    global _ENV
    if _ENV is None:
        _ENV = environment()
    return str(_ENV.get_template(template).render(**context))
