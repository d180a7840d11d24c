"""The web page at ``/``: a form and the results, server-rendered (Jinja2), Dutch by default.

A gebiedsadviseur picks a model, a dataset (the bundled SYNTHETIC example, a file
of the server's data folder, or an uploaded table), a wijk, the maatschappelijke
resultaten (outcomes) with their priorities, and optionally a budget; the page
shows the wijk's profile, what drives the chosen outcomes there, the recommended
factors and the portfolio, each with its figure and its table for download (CSV
and XLSX, embedded in the page, so nothing is kept on the server). Everything is
computed by the same service functions as the JSON API. ``?lang=en`` switches
to English. The page works without JavaScript; a few lines of vanilla JS refresh
the lists when the model or dataset changes.
"""

from __future__ import annotations

import base64
import io
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile

from .. import plot
from .._safewrite import guard_frame
from ..errors import FactorModelError
from ..model import FactorModel
from . import service
from .figures import figure_png, provenance_line
from .http_errors import error_status
from .service import RequestError, Workspace

__all__ = ["TEXT", "mount_static", "router"]

_HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(_HERE / "templates"))
router = APIRouter(include_in_schema=False)

#: Every text on the page, in Dutch and English.
TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Factorenmodel Jeugd – wijkanalyse",
        "intro": "Kies een model, gegevens en een wijk, en de maatschappelijke resultaten die "
                 "de wijk wil verbeteren. De pagina toont het profiel van de wijk, wat die "
                 "resultaten daar drijft, de factoren om op in te zetten en (met een budget) "
                 "een pakket interventies.",
        "caveat": "Uitkomsten op wijkniveau zijn geen effecten voor individuele jongeren.",
        "model": "Model", "dataset": "Gegevens", "upload": "Of upload een eigen tabel "
        "(CSV of XLSX)", "area": "Wijk", "outcomes": "Maatschappelijke resultaten "
        "(prioriteit)", "budget": "Budget in euro (optioneel)", "top": "Aantal factoren",
        "lang": "Taal", "token": "Toegangscode", "submit": "Analyseer", "refresh": "Bijwerken",
        "report": "Download wijkrapport (HTML)",
        "busy": "Bezig met rekenen …",
        "profile": "Profiel", "profile_note": "Afstand tot de referentie in standaarddeviaties "
        "(SD); index 100 = referentie, hoger = beter. De figuur toont de 15 grootste "
        "achterstanden, de tabel alle gemeten factoren. Niet-gemeten factoren staan er niet in.",
        "drivers": "Wat drijft de gekozen resultaten in deze wijk",
        "drivers_note": "De gemeten factoren van de wijk worden vastgehouden; het model "
        "voorspelt de rest. Elke balk is de bijdrage van één factor (SD).",
        "prediction": "Voorspeld verschil met de referentie, in de eenheid van de indicator",
        "ranking": "Factoren om op in te zetten",
        "ranking_note": "score = ruimte (SD achter op de referentie) × winst (verbetering van "
        "de gekozen resultaten per SD) × bewijs (aandeel sterke verbanden).",
        "portfolio": "Pakket interventies binnen het budget",
        "portfolio_note": "Exacte optimalisatie (MILP). Kosten en bereik zijn aannames uit de "
        "interventiecatalogus van het model.",
        "left_out": "Niet gekozen, met de reden", "download": "Download",
        "synthetic": "Let op: dit zijn SYNTHETISCHE gegevens voor echte wijknamen – geen "
        "metingen. Gebruik ze om te leren, niet als feiten over de wijk.",
        "reconstruction": "Het model {name} is een reconstructie uit openbare bronnen, niet "
        "het officiële Rotterdamse model.",
        "error": "Dat lukte niet", "none": "(geen)", "year": "jaar", "reference": "referentie",
        "cost": "Kosten", "improvement": "verwachte verbetering", "of": "van",
        "portfolio_effect": "Wat het pakket naar verwachting oplevert",
        "api": "JSON-API en documentatie",
        "rank": "rang", "factor": "factor", "score": "score", "room": "ruimte", "gain": "winst",
        "evidence": "bewijs", "explanation": "uitleg", "node": "factor of resultaat",
        "delta_sd": "verschil (SD)", "index": "index", "indicator": "indicator",
        "change": "verandering", "unit": "eenheid", "intervention": "interventie",
        "units": "eenheden", "value": "verbetering (SD)", "reason": "reden", "name": "naam",
        "outcome": "resultaat",
    },
    "en": {
        "title": "Factorenmodel Jeugd – area analysis",
        "intro": "Choose a model, data and a wijk (area), and the maatschappelijke resultaten "
                 "(outcomes) it wants to improve. The page shows the area's profile, what "
                 "drives those outcomes there, the factors to target and (with a budget) a "
                 "portfolio of interventions.",
        "caveat": "Area-level results are not effects for individual young people.",
        "model": "Model", "dataset": "Data", "upload": "Or upload your own table (CSV or XLSX)",
        "area": "Wijk (area)", "outcomes": "Maatschappelijke resultaten (priority)",
        "budget": "Budget in euro (optional)", "top": "Number of factors", "lang": "Language",
        "token": "Access token", "submit": "Analyse", "refresh": "Refresh",
        "report": "Download the wijkrapport (HTML)",
        "busy": "Computing …",
        "profile": "Profile", "profile_note": "Distance from the reference in standard "
        "deviations (SD); index 100 = reference, higher = better. The figure shows the 15 "
        "largest shortfalls, the table every measured factor. Unmeasured factors are left out.",
        "drivers": "What drives the chosen outcomes in this area",
        "drivers_note": "The area's measured factors are held; the model predicts the rest. "
        "Each bar is one factor's contribution (SD).",
        "prediction": "Predicted difference from the reference, in the indicator's unit",
        "ranking": "Factors to target",
        "ranking_note": "score = room (SD behind the reference) × gain (improvement of the "
        "chosen outcomes per SD) × evidence (share of strong links).",
        "portfolio": "Intervention portfolio within the budget",
        "portfolio_note": "Exact optimisation (MILP). Costs and reach are assumptions from the "
        "model's intervention catalogue.",
        "left_out": "Not chosen, with the reason", "download": "Download",
        "synthetic": "Note: these are SYNTHETIC data for real area names – not measurements. "
        "Use them to learn, not as facts about the area.",
        "reconstruction": "The model {name} is a reconstruction from public sources, not the "
        "official Rotterdam model.",
        "error": "That did not work", "none": "(none)", "year": "year",
        "reference": "reference", "cost": "Cost", "improvement": "expected improvement",
        "of": "of", "portfolio_effect": "What the portfolio is expected to achieve",
        "api": "JSON API and documentation",
        "rank": "rank", "factor": "factor", "score": "score", "room": "room", "gain": "gain",
        "evidence": "evidence", "explanation": "explanation", "node": "factor or outcome",
        "delta_sd": "difference (SD)", "index": "index", "indicator": "indicator",
        "change": "change", "unit": "unit", "intervention": "intervention", "units": "units",
        "value": "improvement (SD)", "reason": "reason", "name": "name", "outcome": "outcome",
    },
}
#: Units as the library writes them, in Dutch.
_UNITS_NL = {"percentage points": "procentpunt"}
_PREFERRED_MODEL = "rotterdam-jeugd"
_MAX_DRIVER_FIGURES = 3
#: Bars in the profile figure (the nodes furthest from the reference); the table has all.
_PROFILE_BARS = 15


def mount_static(app: FastAPI) -> None:
    """Serve the page's CSS and JS (shipped inside the package) under ``/static``."""
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")


@dataclass
class Table:
    """A table for the page: header, formatted rows, and its downloads."""

    key: str
    columns: list[str]
    rows: list[list[str]]
    csv: str = ""
    xlsx: str = ""
    html_id: str = ""


@dataclass
class Choices:
    """What the form offers and what was chosen."""

    lang: str = "nl"
    model: str = ""
    dataset: str = service.EXAMPLE_DATASET
    area: str = ""
    outcomes: dict[str, float] = field(default_factory=dict)
    budget: float | None = None
    top: int = 5
    filename: str | None = None


def _lang(value: Any) -> str:
    return value if value in TEXT else "nl"


def _downloads(frame: pd.DataFrame, key: str) -> tuple[str, str]:
    frame = guard_frame(frame)  # a spreadsheet opening the download runs no formula
    csv = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    buf = io.BytesIO()
    frame.to_excel(buf, index=False, sheet_name=key[:31])
    return ("data:text/csv;charset=utf-8;base64," + base64.b64encode(csv).decode("ascii"),
            "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"
            + base64.b64encode(buf.getvalue()).decode("ascii"))


def _fmt(value: Any, digits: int = 2, lang: str = "nl") -> str:
    if value is None or (isinstance(value, float | np.floating) and not np.isfinite(value)):
        return "–"
    if isinstance(value, float | np.floating):
        text = f"{value:,.{digits}f}"
        return text.translate(str.maketrans(",.", ".,")) if lang == "nl" else text
    return str(value)


def _unit_words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``change_unit`` in the page's language."""
    if lang != "nl" or "change_unit" not in frame:
        return frame
    return frame.assign(change_unit=frame["change_unit"].replace(_UNITS_NL))


def _table(frame: pd.DataFrame, key: str, columns: dict[str, tuple[str, int | None]],
           lang: str, html_id: str = "") -> Table:
    """Format ``frame``'s ``columns`` ({column: (text key, digits)}) for the page."""
    t = TEXT[lang]
    shown = frame[list(columns)]
    rows = [[_fmt(v, d or 0, lang) if d is not None else _fmt(v, lang=lang)
             for v, (_, d) in zip(r, columns.values(), strict=True)]
            for r in shown.itertuples(index=False)]
    csv, xlsx = _downloads(frame, key)
    return Table(key, [t.get(k, k) for k, _ in columns.values()], rows, csv, xlsx, html_id)


def _default_model(ws: Workspace) -> str:
    names = [n for n, _ in ws.model_names()]
    return _PREFERRED_MODEL if _PREFERRED_MODEL in names else names[0]


def _context(request: Request, ws: Workspace, c: Choices, **extra: Any) -> dict[str, Any]:
    """Everything the template needs to draw the form (lists follow the chosen model/data)."""
    t = TEXT[c.lang]
    outcome_choices: list[tuple[str, str]] = []
    areas: list[str] = []
    model: FactorModel | None = None
    try:
        model = ws.model(c.model)
        labels = model.nodes[f"label_{c.lang}"]
        outcome_choices = [(o, str(labels[o])) for o in model.outcomes]
    except (FactorModelError, RequestError):
        pass
    token_needed = request.app.state.token is not None
    if c.dataset == service.EXAMPLE_DATASET or not token_needed:
        try:
            data = ws.dataset(c.dataset)
            finest = data["level"].value_counts().index[0] if len(data) else None
            areas = sorted(map(str, set(data.loc[data["level"] == finest, "area"])))
        except (FactorModelError, RequestError):
            pass
    return {"request": request, "t": t, "lang": c.lang, "choices": c,
            "models": ws.model_names(), "datasets": ws.dataset_names(),
            "outcome_choices": outcome_choices, "areas": areas,
            "token_needed": token_needed, "max_upload_mb": ws.limits.max_upload_bytes / 1e6,
            "api_docs": "/api/v1/docs", **extra}


@router.get("/", response_class=HTMLResponse)
def page(request: Request, lang: str = "nl", model: str | None = None,
         dataset: str = service.EXAMPLE_DATASET) -> HTMLResponse:
    """The form (no results yet)."""
    ws: Workspace = request.app.state.workspace
    c = Choices(lang=_lang(lang), model=model or _default_model(ws), dataset=dataset)
    return templates.TemplateResponse(request, "index.html", _context(request, ws, c))


@router.post("/", response_class=HTMLResponse)
async def analyse(request: Request) -> HTMLResponse:
    """Read the form (with an optional upload), compute, and show the results."""
    ws: Workspace = request.app.state.workspace
    form = await request.form()
    c = Choices(lang=_lang(form.get("lang")), model=str(form.get("model") or _default_model(ws)),
                dataset=str(form.get("dataset") or service.EXAMPLE_DATASET),
                area=str(form.get("area") or "").strip())
    status = 200
    try:
        _check_token(request, form.get("token"))
        c.top = _whole(form.get("top") or "5", "top")
        c.budget = _number(form.get("budget"), "budget")
        c.outcomes = {str(o): _number(form.get(f"priority_{o}") or "1", f"priority_{o}") or 1.0
                      for o in form.getlist("outcome")}
        upload = form.get("file")
        content = None
        if isinstance(upload, UploadFile) and upload.filename:
            c.filename = upload.filename
            content = upload.file.read(ws.limits.max_upload_bytes + 1)
        # the analysis is CPU-bound: run it off the event loop
        from starlette.concurrency import run_in_threadpool

        if form.get("action") == "report":
            html = await run_in_threadpool(_report, ws, c, content)
            name = service.report_filename(c.area)
            return HTMLResponse(html, headers={
                "Content-Disposition": f'attachment; filename="{name}"'})
        results = await run_in_threadpool(_results, ws, c, content)
        extra: dict[str, Any] = {"results": results}
    except RequestError as exc:
        status, extra = exc.status, {"error": exc.detail}
    except FactorModelError as exc:
        status, extra = error_status(exc)[0], {"error": str(exc)}
    return templates.TemplateResponse(request, "index.html", _context(request, ws, c, **extra),
                                      status_code=status)


def _check_token(request: Request, given: Any) -> None:
    token = request.app.state.token
    if token is None:
        return
    if not isinstance(given, str) or not secrets.compare_digest(given.encode(), token.encode()):
        raise RequestError(401, "unauthorized", "wrong or missing access token", "form.token")


def _number(value: Any, name: str) -> float | None:
    if value is None or not str(value).strip():
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise RequestError(422, "invalid_request", f"{name}: {value!r} is not a number",
                           f"form.{name}") from None
    if not np.isfinite(number) or number < 0:
        raise RequestError(422, "invalid_request", f"{name}: expected a number >= 0, got "
                           f"{value!r}", f"form.{name}")
    return number


def _whole(value: Any, name: str) -> int:
    number = _number(value, name)
    if number is None or number != int(number) or not 1 <= number <= 100:
        raise RequestError(422, "invalid_request", f"{name}: expected a whole number from 1 "
                           f"to 100, got {value!r}", f"form.{name}")
    return int(number)


def _report(ws: Workspace, c: Choices, content: bytes | None) -> str:
    """The wijkrapport for the form's choices (:func:`factormodel.report`)."""
    model, data = _chosen_data(ws, c, content)
    if not c.area or not c.outcomes:
        raise RequestError(422, "invalid_request",
                           {"nl": "kies een wijk en minstens één maatschappelijk resultaat",
                            "en": "choose a wijk and at least one outcome"}[c.lang], "form.area")
    return service.wijkrapport(model, data, c.area, c.outcomes, budget=c.budget, lang=c.lang,
                               data_source=c.filename)


def _chosen_data(ws: Workspace, c: Choices, content: bytes | None
                 ) -> tuple[FactorModel, pd.DataFrame]:
    if content is not None:
        return ws.model(c.model, "form.model"), ws.read_upload(c.filename, content)
    model, data, _ = ws.named_profile(c.model, c.dataset, model_location="form.model",
                                      data_location="form.dataset")
    return model, data


def _results(ws: Workspace, c: Choices, content: bytes | None) -> dict[str, Any]:
    """Compute profile, drivers, ranking and portfolio for the page."""
    lang, t = c.lang, TEXT[c.lang]
    if not c.area:
        raise RequestError(422, "invalid_request", {"nl": "kies een wijk",
                                                    "en": "choose a wijk (area)"}[lang],
                           "form.area")
    if not c.outcomes:
        raise RequestError(422, "invalid_request",
                           {"nl": "kies minstens één maatschappelijk resultaat",
                            "en": "choose at least one outcome"}[lang], "form.outcome")
    if content is not None:
        model = ws.model(c.model, "form.model")
        data = ws.read_upload(c.filename, content)
        prof = service.area_profile(model, data, reference="city", year=None, level=None)
    else:
        model, data, prof = ws.named_profile(c.model, c.dataset, model_location="form.model",
                                             data_location="form.dataset")
    synthetic = bool(prof.synthetic)
    row = prof.row(c.area)
    label = model.nodes[f"label_{lang}"]
    kind = model.nodes["kind"]

    def fig(draw: Any, **size: Any) -> str:
        return figure_png(draw, model=model, synthetic=synthetic, lang=lang, **size)

    # profile
    index = service.profile_index_row(model, prof, c.area)
    measured = row.dropna()
    prof_frame = pd.DataFrame({"node": measured.index, "label": label[measured.index].to_numpy(),
                               "kind": kind[measured.index].to_numpy(),
                               "delta_sd": measured.to_numpy(),
                               "index": index[measured.index].to_numpy()})
    prof_frame = prof_frame.sort_values("index", kind="stable")
    profile_table = _table(prof_frame, "profiel" if lang == "nl" else "profile",
                           {"label": ("node", None), "delta_sd": ("delta_sd", 2),
                            "index": ("index", 0)}, lang, "profile-table")
    profile_fig = fig(lambda ax: plot.plot_profile(model, prof, area=c.area, ax=ax, lang=lang,
                                                   top=_PROFILE_BARS))

    # drivers: the area's measured factors held, outcomes predicted
    result, units = service.outcome_prediction(model, row)
    chosen = [o for o in c.outcomes if o in model.outcomes]
    driver_figs = [fig(lambda ax, o=o: plot.plot_contributions(result, o, ax=ax, lang=lang))
                   for o in chosen[:_MAX_DRIVER_FIGURES]]
    units = _unit_words(units[units["node"].isin(chosen)].assign(
        label=lambda u: u["node"].map(label), indicator_label=lambda u: u[f"label_{lang}"]),
        lang)
    prediction_table = _table(units, "voorspelling" if lang == "nl" else "prediction",
                              {"label": ("outcome", None), "delta_sd": ("delta_sd", 2),
                               "change": ("change", 2), "change_unit": ("unit", None),
                               "indicator_label": ("indicator", None)}, lang)

    # ranking
    rec = service.recommendation_frame(model, prof, c.outcomes, area=c.area, top=c.top,
                                       alpha=1.0)
    rec_shown = rec.assign(rank=rec["rank"].map(lambda r: "–" if pd.isna(r) else str(int(r))),
                           label=rec[f"label_{lang}"])
    ranking_table = _table(rec_shown, "aanbeveling" if lang == "nl" else "recommendation",
                           {"rank": ("rank", None), "label": ("factor", None),
                            "score": ("score", 3), "room": ("room", 2), "gain": ("gain", 2),
                            "evidence": ("evidence", 2),
                            f"explanation_{lang}": ("explanation", None)}, lang, "ranking")
    has_ranked = bool((rec["status"] == "recommended").any())
    ranking_fig = fig(lambda ax: plot.plot_recommendation(rec, ax=ax, lang=lang)) \
        if has_ranked else None

    # portfolio
    portfolio = None
    if c.budget is not None:
        p = service.run_portfolio(model, prof, c.outcomes, area=c.area, budget=c.budget,
                                  population=None, one_per_factor=True, required_phases=[],
                                  required_settings=[], cap_at_room=False, alpha=1.0)
        chosen_frame = p.chosen.assign(targets=p.chosen.get("targets", ""))
        portfolio = {
            "summary": f"{t['cost']}: € {_fmt(p.total_cost, 0, lang)} {t['of']} € "
                       f"{_fmt(p.budget, 0, lang)}; {t['improvement']}: "
                       f"{_fmt(p.improvement, 3, lang)} SD",
            "chosen": _table(chosen_frame, "pakket" if lang == "nl" else "portfolio",
                             {"name": ("intervention", None), "units": ("units", 0),
                              "cost": ("cost", 0), "value": ("value", 3)}, lang,
                             "portfolio-table"),
            "outcomes": _table(_unit_words(p.outcome_units.assign(
                label=lambda u: u["node"].map(label)), lang) if len(p.outcome_units) else
                pd.DataFrame(columns=["label", "delta_sd", "change", "change_unit"]),
                "pakket_resultaten" if lang == "nl" else "portfolio_outcomes",
                {"label": ("outcome", None), "delta_sd": ("delta_sd", 3),
                 "change": ("change", 3), "change_unit": ("unit", None)}, lang),
            "left_out": _table(p.left_out, "niet_gekozen" if lang == "nl" else "left_out",
                               {"name": ("intervention", None), "reason": ("reason", None)},
                               lang)}
    ref = prof.reference_name(lang)
    return {"area": c.area, "model": model.name, "status": model.metadata.status,
            "synthetic": synthetic, "year": prof.year, "reference": ref,
            "provenance": provenance_line(model, synthetic, lang),
            "outcome_labels": [str(label[o]) for o in c.outcomes],
            "profile": {"table": profile_table, "figure": profile_fig},
            "drivers": {"figures": driver_figs, "table": prediction_table},
            "ranking": {"table": ranking_table, "figure": ranking_fig},
            "portfolio": portfolio}
