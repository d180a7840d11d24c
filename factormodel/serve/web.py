"""The web page at ``/``: a form and the results, server-rendered (Jinja2), Dutch by default.

A gebiedsadviseur picks a model, a dataset (the bundled SYNTHETIC example, a file
of the server's data folder, or an uploaded table), a wijk, the maatschappelijke
resultaten (outcomes) with their priorities and/or goals typed as on the command
line (``schoolverzuim:-2pp:3j:12-18``), and optionally a budget (``250.000``) and
the number of young people (when the data have no population column); the page
shows the wijk's profile, what drives the chosen outcomes there, the recommended
factors and the portfolio (saying which effect sizes are assumed defaults), each
with its figure and its table for download (``csv-nl`` and XLSX on the Dutch page,
embedded in the page, so nothing is kept on the server). The page explains the
upload format and offers a template CSV from the model's indicator catalogue
(``/template.csv``).

An uploaded file travels back in the form (base64, never stored on the server), so
the next "Analyseer" or "Download wijkrapport" uses exactly that file, and the
results and the report name it; when the form says "the uploaded file" but no
longer carries it, the request is refused -- never answered from other data.

Everything is computed by the same service functions as the JSON API.
``?lang=en`` switches to English. The page works without JavaScript; a few lines
of vanilla JS refresh the lists when the model or dataset changes.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile

from factormodel.analysis.indicators import Profile, load_indicators
from factormodel.analysis.population import young_people
from factormodel.analysis.readback import read_goal
from factormodel.analysis.words import parse_number
from factormodel.core.model import WEIGHTS_KIND_NL, FactorModel
from factormodel.errors import DataError, FactorModelError, Message
from factormodel.files.areas import near_miss_areas
from factormodel.render import plot
from factormodel.render.view import (
    Cell,
    Downloads,
    Table,
    build_view,
    downloads,
    environment,
)
from factormodel.serve import service
from factormodel.serve.figures import figure_png, provenance_line
from factormodel.serve.http_errors import error_status
from factormodel.serve.limits import MAX_ENTRIES, MAX_GOAL, MAX_NAME
from factormodel.serve.service import RequestError, Workspace
from factormodel.tables._spreadsheet import table_bytes
from factormodel.text import messages as M
from factormodel.text import numbers as fmt
from factormodel.text import words as L

__all__ = ["TEXT", "mount_static", "router"]

_HERE = Path(__file__).resolve().parent
#: The page's templates and the partials it shares with the wijkrapport (one environment:
#: autoescaping on, the same whitespace rules, so a partial renders the same in both).
templates = Jinja2Templates(env=environment(_HERE / "templates"))
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
        "budget_help": "bijvoorbeeld 250.000 of € 247.500",
        "population": "Aantal jongeren voor het pakket (optioneel)",
        "population_help": "de jongeren voor wie het pakket is (de leeftijdsgroep van de "
        "doelen); nodig als de gegevens geen kolom jongeren hebben. Een kolom inwoners telt "
        "iedereen en wordt hiervoor niet gebruikt",
        "goals": "Doelen met grootte, termijn en groep (optioneel, één per regel)",
        "goals_help": "zoals op de opdrachtregel: factor of resultaat:verandering:termijn:groep, "
        "bijvoorbeeld schoolverzuim:-2pp:3j:12-18 of vsv:-10%:4j of "
        "startkwalificatie_18_22:+3pp=2 (=2 is de prioriteit). De termijn wordt genoemd, niet "
        "doorgerekend; een leeftijdsgroep (12-18) beperkt het pakket tot interventies voor "
        "die leeftijd.",
        "format_title": "Hoe ziet een eigen bestand eruit?",
        "format_text": "Eén regel per wijk, jaar en indicator, met de kolommen wijk, jaar, "
        "indicator en waarde (CSV met ; of , of een Excel-bestand; een decimale komma mag, "
        "ook 9,1%). Zet er een regel met de wijk Rotterdam bij: dat is de stedelijke "
        "referentie. Een kolom jongeren geeft het aantal jongeren voor het pakket (een kolom "
        "inwoners telt iedereen en wordt daarvoor niet gebruikt). "
        "Indicator is het id of de omschrijving uit de indicatorcatalogus van het model.",
        "template": "Download een sjabloon met alle indicatoren van dit model",
        "kept": "Uw bestand {name} blijft gekozen (kies een nieuw bestand om het te vervangen)",
        "data_of": "gegevens", "upload_option": "uw bestand: {name}",
        "effect": "effectgrootte",
        "lang": "Taal", "token": "Toegangscode", "login": "Openen", "submit": "Analyseer",
        "refresh": "Bijwerken",
        "report": "Download wijkrapport (HTML)",
        "busy": "Bezig met rekenen …",
        "no_goal": "kies minstens één maatschappelijk resultaat of typ een doel",
        "no_drivers": "De gekozen doelen zijn factoren, geen maatschappelijke resultaten van "
        "het model; vink een resultaat aan om te zien wat het in deze wijk drijft.",
        "within_spread": "binnen de spreiding tussen wijken",
        "change_sd": "verandering (SD)",
        "her_figures": "Gemeten indicatoren",
        "difference": "verschil",
        "verdict": "oordeel",
        "profile": "Profiel", "profile_note": "Afstand tot de referentie in standaarddeviaties "
        "tussen kinderen (SD); index 100 = referentie, hoger = beter. De tabel toont alle "
        "gemeten factoren en resultaten. Niet-gemeten factoren staan er niet in.",
        "goals_title": "Gekozen resultaten en wat ze drijft in het model",
        "unmeasured": "Wat niet gemeten is", "caveats": "Kanttekeningen",
        "drivers": "Wat drijft de gekozen resultaten in deze wijk",
        "drivers_note": "De gemeten factoren van de wijk worden vastgehouden; het model "
        "voorspelt de rest. Elke balk is de bijdrage van één factor (SD).",
        "prediction": "Voorspeld verschil met de referentie, in de eenheid van de indicator",
        "ranking": "Factoren om op in te zetten",
        "portfolio": "Pakket interventies binnen het budget",
        "left_out": "Niet gekozen, met de reden",
        "synthetic": "Let op: dit zijn SYNTHETISCHE gegevens voor echte wijknamen – geen "
        "metingen. Gebruik ze om te leren, niet als feiten over de wijk.",
        "reconstruction": "Het model {name} is een reconstructie uit openbare bronnen, niet "
        "het officiële Rotterdamse model.",
        "weights_kind": "Gewichten: {kind}.",
        "error": "Dat lukte niet", "year": "jaar", "reference": "referentie",
        "assumption": "Aanname",
        "cost": "kosten (€)",
        "api": "JSON-API en documentatie",
        "rank": "rang", "factor": "factor", "score": "score", "gain": "winst",
        "evidence": "bewijs", "node": "factor of resultaat",
        "delta_sd": "verschil (SD)", "index": "index", "indicator": "indicator",
        "change": "verandering", "unit": "eenheid", "intervention": "interventie",
        "units": "eenheden", "value": "verbetering (SD)", "reason": "reden", "name": "naam",
        "outcome": "resultaat",
        "area_data": "Gegevens van deze wijk en van de stad (leest terug als eigen bestand)",
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
        "budget_help": "for example 250,000 or 250000",
        "population": "Number of young people for the portfolio (optional)",
        "population_help": "the young people the portfolio is for (the goals' age group); "
        "needed when the data have no column jongeren. A column inwoners counts every "
        "resident and is not used for this",
        "goals": "Goals with size, horizon and group (optional, one per line)",
        "goals_help": "as on the command line: factor or outcome:change:horizon:group, "
        "e.g. schoolverzuim:-2pp:3j:12-18 or vsv:-10%:4j or startkwalificatie_18_22:+3pp=2 "
        "(=2 is the priority). The horizon is stated, not modelled; an age group (12-18) "
        "limits the portfolio to interventions for that age.",
        "format_title": "What does your own file look like?",
        "format_text": "One row per area, year and indicator, with the columns wijk (area), "
        "jaar (year), indicator and waarde (value) (CSV with ; or , or an Excel file; a "
        "decimal comma is fine, also 9,1%). Add a row for the area Rotterdam: that is the "
        "city reference. A column jongeren gives the number of young people for the "
        "portfolio (a column inwoners counts every resident and is not used for it). "
        "Indicator is the id or label from the model's indicator catalogue.",
        "template": "Download a template with every indicator of this model",
        "kept": "Your file {name} stays chosen (choose a new file to replace it)",
        "data_of": "data", "upload_option": "your file: {name}",
        "effect": "effect size",
        "token": "Access token", "login": "Open", "submit": "Analyse", "refresh": "Refresh",
        "report": "Download the wijkrapport (HTML)",
        "busy": "Computing …",
        "no_goal": "choose at least one outcome or type a goal",
        "no_drivers": "The chosen goals are factors, not outcomes of the model; tick an "
        "outcome to see what drives it in this area.",
        "within_spread": "within the spread between areas",
        "change_sd": "change (SD)",
        "her_figures": "Measured indicators",
        "difference": "difference",
        "verdict": "verdict",
        "profile": "Profile", "profile_note": "Distance from the reference in standard "
        "deviations between children (SD); index 100 = reference, higher = better. The table "
        "shows every measured factor and outcome. Unmeasured factors are left out.",
        "goals_title": "Chosen outcomes and what drives them in the model",
        "unmeasured": "What is not measured", "caveats": "Caveats",
        "drivers": "What drives the chosen outcomes in this area",
        "drivers_note": "The area's measured factors are held; the model predicts the rest. "
        "Each bar is one factor's contribution (SD).",
        "prediction": "Predicted difference from the reference, in the indicator's unit",
        "ranking": "Factors to target",
        "portfolio": "Intervention portfolio within the budget",
        "left_out": "Not chosen, with the reason",
        "synthetic": "Note: these are SYNTHETIC data for real area names – not measurements. "
        "Use them to learn, not as facts about the area.",
        "reconstruction": "The model {name} is a reconstruction from public sources, not the "
        "official Rotterdam model.",
        "weights_kind": "Weights: {kind}.",
        "error": "That did not work", "year": "year",
        "reference": "reference", "assumption": "Assumption", "cost": "cost (€)",
        "api": "JSON API and documentation",
        "rank": "rank", "factor": "factor", "score": "score", "gain": "gain",
        "evidence": "evidence", "node": "factor or outcome",
        "delta_sd": "difference (SD)", "index": "index", "indicator": "indicator",
        "change": "change", "unit": "unit", "intervention": "intervention", "units": "units",
        "value": "improvement (SD)", "reason": "reason", "name": "name", "outcome": "outcome",
        "area_data": "Data of this area and of the city (reads back as your own file)",
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
    goals: list[str] = field(default_factory=list)
    population: float | None = None
    budget_text: str = ""
    population_text: str = ""
    #: The uploaded file (base64), carried in the form so that the next "Analyseer" or
    #: "Download wijkrapport" uses exactly the same data; never kept on the server.
    kept: str = ""
    data_areas: list[str] = field(default_factory=list)

    @property
    def goals_text(self) -> str:
        """The goals as typed, one per line."""
        return "\n".join(self.goals)

    def data_source(self) -> str:
        """The data in words, for the results and the wijkrapport's provenance."""
        if self.filename:
            return self.filename
        if self.dataset == service.EXAMPLE_DATASET:
            return {"nl": "het SYNTHETISCHE voorbeeld (example) dat met factormodel wordt "
                          "meegeleverd",
                    "en": "the SYNTHETIC example (example) shipped with factormodel"}[self.lang]
        return self.dataset


def _lang(value: Any) -> str:
    return value if value in TEXT else "nl"


_CSV_URI = "data:text/csv;charset=utf-8;base64,"
_XLSX_URI = "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"

#: Headers of the area data download, as the area data reader reads them back.
_AREA_DATA_NL = {"area": "gebied", "year": "jaar", "indicator": "indicator",
                 "value": "waarde", "population": "jongeren", "flag": "flag",
                 "status": "status"}


def area_data_downloads(data: pd.DataFrame, area: str, lang: str) -> Downloads:
    """The rows of ``data`` the wijk's profile is computed from (the wijk and the city
    rows, every year) as downloads that :func:`factormodel.read_area_data` reads back:
    ``csv-nl`` and XLSX with the reader's Dutch headers (``gebied``, ``jaar``, ``waarde``,
    ...), and the plain CSV with its keys.

    Examples
    --------
    >>> import factormodel as fm
    >>> t = area_data_downloads(fm.load_example_data("rotterdam"), "Bloemhof", "nl")
    >>> t.key, t.csv.startswith("data:text/csv")
    ('gegevens', True)
    """
    rows = data[(data["area"] == area) | (data["level"] == "gemeente")]
    frame = rows[[c for c in _AREA_DATA_NL if c in rows.columns]].reset_index(drop=True)
    dutch = frame.rename(columns=_AREA_DATA_NL)
    nl, plain = table_bytes(dutch, "csv-nl"), table_bytes(frame, "csv")
    book = table_bytes(dutch if lang == "nl" else frame, "xlsx", sheet="gegevens")
    first, other = (nl, plain) if lang == "nl" else (plain, nl)
    d = downloads(frame, "gegevens" if lang == "nl" else "data", lang)

    def uri(prefix: str, data: bytes) -> str:
        return prefix + base64.b64encode(data).decode("ascii")

    return dataclasses.replace(d, csv=uri(_CSV_URI, first), xlsx=uri(_XLSX_URI, book),
                               csv_other=uri(_CSV_URI, other))


def _fmt(value: Any, digits: int = 2, lang: str = "nl") -> str:
    if isinstance(value, float | np.floating):
        return fmt.number(value, digits, lang, missing="–")
    return str(value)


def _with_unit(value: float, unit: str, lang: str) -> str:
    """``31,9%`` or ``27,4 per 1000`` (one decimal)."""
    return _fmt(float(value), 1, lang) + ("%" if unit == "%" else f" {unit}")


def _unit_words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``change_unit`` in the page's language."""
    if lang != "nl" or "change_unit" not in frame:
        return frame
    return frame.assign(change_unit=frame["change_unit"].replace(_UNITS_NL))


def _table(frame: pd.DataFrame, key: str, columns: dict[str, tuple[str, int | None]],
           lang: str, html_id: str = "") -> Table:
    """Format ``frame``'s ``columns`` ({column: (text key, digits)}) for the page, with the
    table's downloads (a :class:`factormodel.render.view.Table`, as the shared partials)."""
    t = TEXT[lang]
    shown = frame[list(columns)]
    rows = [[Cell(_fmt(v, d or 0, lang) if d is not None else _fmt(v, lang=lang))
             for v, (_, d) in zip(r, columns.values(), strict=True)]
            for r in shown.itertuples(index=False)]
    numeric = {k for k, (_, d) in enumerate(columns.values()) if d is not None}
    return Table(tuple(t.get(k, k) for k, _ in columns.values()),
                 tuple(tuple(r) for r in rows), frozenset(numeric), html_id,
                 downloads(frame, key, lang))


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
    if c.data_areas:
        areas = c.data_areas
    else:  # the page is shown only to who may see it (_authorised)
        try:
            data = ws.dataset(c.dataset)
            finest = data["level"].value_counts().index[0] if len(data) else None
            areas = sorted(map(str, set(data.loc[data["level"] == finest, "area"])))
        except (FactorModelError, RequestError):
            pass
    return {"request": request, "t": t, "lang": c.lang, "choices": c,
            "models": ws.model_names(), "datasets": ws.dataset_names(),
            "outcome_choices": outcome_choices, "areas": areas,
            "login": False, "max_upload_mb": ws.limits.max_upload_bytes / 1e6,
            "api_docs": "/api/v1/docs", **extra}


@router.get("/", response_class=HTMLResponse)
def page(request: Request, lang: str = "nl", model: str | None = None,
         dataset: str = service.EXAMPLE_DATASET) -> HTMLResponse:
    """The form (no results yet); with a token and no session, only the token field."""
    ws: Workspace = request.app.state.workspace
    if not _authorised(request):
        return _login(request, _lang(lang))
    c = Choices(lang=_lang(lang), model=model or _default_model(ws), dataset=dataset)
    return templates.TemplateResponse(request, "index.html", _context(request, ws, c))


#: The cookie that keeps a page session after the token was typed once.
SESSION_COOKIE = "factormodel_session"


def _session_value(token: str) -> str:
    """The session cookie's value: derived from the token, never the token itself."""
    return hmac.new(token.encode(), b"factormodel page session", hashlib.sha256).hexdigest()


def _authorised(request: Request, form_token: Any = None) -> bool:
    """True without a token, or with the token in the form, a Bearer header or the
    session cookie set when it was typed."""
    token = request.app.state.token
    if token is None:
        return True
    if isinstance(form_token, str) and form_token and \
            secrets.compare_digest(form_token.encode(), token.encode()):
        return True
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer " and \
            secrets.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return bool(cookie) and secrets.compare_digest(cookie.encode(),
                                                   _session_value(token).encode())


def _login(request: Request, lang: str, error: str | None = None) -> HTMLResponse:
    """401: the page with only the token field; it names no model, dataset or area."""
    return templates.TemplateResponse(
        request, "index.html", {"request": request, "t": TEXT[lang], "lang": lang,
                                "login": True, "error": error, "api_docs": "/api/v1/docs"},
        status_code=401, headers={"WWW-Authenticate": "Bearer"})


def _keep_session(request: Request, response: Response, form_token: Any) -> Response:
    """Set the session cookie when the token came in the form (HttpOnly, SameSite=Strict)."""
    token = request.app.state.token
    if token is not None and isinstance(form_token, str) and form_token:
        response.set_cookie(SESSION_COOKIE, _session_value(token), httponly=True,
                            samesite="strict", secure=request.url.scheme == "https")
    return response


#: The dataset choice that means "the file uploaded before, carried in the form".
UPLOADED = "upload"


@router.get("/template.csv")
def template(request: Request, model: str | None = None, lang: str = "nl") -> Response:
    """A CSV template of area data for ``model``: one row per indicator of its catalogue
    for an own wijk and for the city row ``Rotterdam``, with empty values to fill in
    (``csv-nl`` on the Dutch page, plain CSV on the English one)."""
    ws: Workspace = request.app.state.workspace
    lang = _lang(lang)
    if not _authorised(request):
        return Response("this server needs its access token: open the page and type it",
                        status_code=401, media_type="text/plain",
                        headers={"WWW-Authenticate": "Bearer"})
    if model is not None and len(model) > MAX_NAME:
        return Response(f"model: a name of at most {MAX_NAME} characters", status_code=422,
                        media_type="text/plain")
    try:
        m = ws.model(model or _default_model(ws), "query.model")
        body = template_csv(m, lang)
    except RequestError as exc:
        return Response(exc.detail, status_code=exc.status, media_type="text/plain")
    except FactorModelError as exc:
        return Response(str(exc), status_code=error_status(exc)[0], media_type="text/plain")
    name = f"{'sjabloon' if lang == 'nl' else 'template'}-{m.name}.csv"
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def template_csv(model: FactorModel, lang: str = "nl") -> bytes:
    """The bytes of the upload template of ``model`` (see :func:`template`).

    Examples
    --------
    >>> import factormodel as fm
    >>> text = template_csv(fm.load_model("toy")).decode("utf-8-sig")
    >>> text.splitlines()[0]
    'wijk;jaar;indicator;waarde;jongeren;omschrijving;eenheid'
    """
    cat = load_indicators(model)
    year = datetime.date.today().year - 1
    rows = [{"wijk": area, "jaar": year, "indicator": str(i), "waarde": "", "jongeren": "",
             "omschrijving": str(r[f"label_{lang}"]), "eenheid": str(r["unit"])}
            for area in ("Mijnwijk" if lang == "nl" else "Myarea", "Rotterdam")
            for i, r in cat.iterrows()]
    frame = pd.DataFrame(rows)
    if lang == "nl":
        return table_bytes(frame, "csv-nl")  # headers already Dutch: no translation
    frame.columns = ["area", "year", "indicator", "value", "population", "label", "unit"]
    return table_bytes(frame, "csv")


@router.post("/", response_class=HTMLResponse)
async def analyse(request: Request) -> Response:
    """Read the form (with an optional upload), compute, and show the results."""
    ws: Workspace = request.app.state.workspace
    # the uploaded file travels back in a form field: allow a field as large as an upload
    form = await request.form(max_part_size=ws.limits.max_upload_bytes * 4 // 3 + 4096)
    c = Choices(lang=_lang(form.get("lang")), model=str(form.get("model") or _default_model(ws)),
                dataset=str(form.get("dataset") or service.EXAMPLE_DATASET),
                area=str(form.get("area") or "").strip(),
                budget_text=str(form.get("budget") or "").strip(),
                population_text=str(form.get("population") or "").strip(),
                goals=[g.strip() for g in str(form.get("goals") or "").splitlines()
                       if g.strip()])
    status, headers = 200, None
    token = form.get("token")
    if not _authorised(request, token):
        return _login(request, c.lang, {"nl": "verkeerde of ontbrekende toegangscode",
                                        "en": "wrong or missing access token"}[c.lang])
    try:
        _check_sizes(c)
        content = _uploaded(form, c, ws)
        if form.get("action") == "refresh":  # another model, the uploaded file kept
            return _keep_session(request, templates.TemplateResponse(
                request, "index.html", _context(request, ws, c)), token)
        c.top = _whole(form.get("top") or "5", "top")
        problems = []
        for name in ("budget", "population"):
            try:
                setattr(c, name, _amount(getattr(c, f"{name}_text"), name, c.lang))
            except RequestError as exc:
                problems.append(exc.detail)
        for i, text in enumerate(c.goals, 1):
            try:
                read_goal(text)
            except FactorModelError as exc:
                problems.append(("doel" if c.lang == "nl" else "goal")
                                + f" {i} ({text!r}): {M.error(exc, c.lang)}")
        try:
            c.outcomes = {str(o): _number(form.get(f"priority_{o}") or "1", f"priority_{o}")
                          or 1.0 for o in form.getlist("outcome") if str(o).strip()}
        except RequestError as exc:
            problems.append(exc.detail)
        if problems:
            raise RequestError(422, "invalid_request", "; ".join(problems), "form")
        # the analysis is CPU-bound: run it off the event loop
        from starlette.concurrency import run_in_threadpool

        if form.get("action") == "report":
            html = await run_in_threadpool(_report, ws, c, content)
            name = service.report_filename(c.area)
            return _keep_session(request, HTMLResponse(html, headers={
                "Content-Disposition": f'attachment; filename="{name}"'}), token)
        results = await run_in_threadpool(_results, ws, c, content)
        extra: dict[str, Any] = {"results": results}
    except RequestError as exc:
        status, headers = exc.status, exc.headers  # a busy server's Retry-After
        extra = {"error": exc.detail if exc.original is None else M.error(exc.original, c.lang)}
    except FactorModelError as exc:
        status, extra = error_status(exc)[0], {"error": M.error(exc, c.lang)}
    return _keep_session(request, templates.TemplateResponse(
        request, "index.html", _context(request, ws, c, **extra), status_code=status,
        headers=headers), token)


def _uploaded(form: Any, c: Choices, ws: Workspace) -> bytes | None:
    """The bytes of the uploaded table: a new file, else the file carried in the form when
    the dataset choice is still the upload; ``None`` for a named dataset.

    Raises
    ------
    RequestError
        422 when the form says "the uploaded file" but does not carry it (the page never
        falls back to another dataset).
    """
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        c.filename = upload.filename
        content = upload.file.read(ws.limits.max_upload_bytes + 1)
    elif c.dataset == UPLOADED:
        name, kept = form.get("upload_name"), form.get("upload_data")
        if not isinstance(name, str) or not name or not isinstance(kept, str) or not kept:
            raise RequestError(422, "upload_missing", {
                "nl": "het eerder geüploade bestand zit niet meer in het formulier; upload het "
                      "opnieuw of kies andere gegevens",
                "en": "the file uploaded before is no longer in the form; upload it again or "
                      "choose other data"}[c.lang], "form.upload_data")
        try:
            content = base64.b64decode(kept, validate=True)
        except (binascii.Error, ValueError):
            raise RequestError(422, "upload_missing", {
                "nl": f"het eerder geüploade bestand {name!r} is beschadigd; upload het opnieuw",
                "en": f"the file uploaded before, {name!r}, is damaged; upload it again"}[c.lang],
                "form.upload_data") from None
        c.filename = name
    else:
        return None
    c.dataset = UPLOADED
    if len(content) <= ws.limits.max_upload_bytes:
        c.kept = base64.b64encode(content).decode("ascii")
    return content


def _check_sizes(c: Choices) -> None:
    """The form's names and goals within the service's bounds (:mod:`.limits`)."""
    if len(c.area) > MAX_NAME:
        raise RequestError(422, "invalid_request", {
            "nl": f"wijk: een naam van hoogstens {MAX_NAME} tekens",
            "en": f"wijk (area): a name of at most {MAX_NAME} characters"}[c.lang], "form.area")
    long = [i for i, g in enumerate(c.goals, 1) if len(g) > MAX_GOAL]
    if len(c.goals) > MAX_ENTRIES or long:
        raise RequestError(422, "invalid_request", {
            "nl": f"doelen: hoogstens {MAX_ENTRIES} regels van hoogstens {MAX_GOAL} tekens",
            "en": f"goals: at most {MAX_ENTRIES} lines of at most {MAX_GOAL} characters"
        }[c.lang], "form.goals")


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


_FIELD = {"budget": {"nl": "budget", "en": "budget"},
          "population": {"nl": "aantal jongeren", "en": "number of young people"}}


def _amount(text: str, name: str, lang: str) -> float | None:
    """A whole amount typed in the form (``250.000``, ``€ 247.500``, ``250000``), read by
    the library's one number parser with Dutch thousands; ``None`` when empty."""
    if not text:
        return None
    field_name = _FIELD[name][lang]
    try:
        number = parse_number(text, what=field_name, grouping=True)
    except FactorModelError:
        number = None
    if number is None or not np.isfinite(number) or number <= 0 or number != int(number):
        raise RequestError(422, "invalid_request", {
            "nl": f"{field_name}: {text!r} is geen heel bedrag of aantal boven 0 (bijvoorbeeld "
                  "250.000 of 250000)",
            "en": f"{field_name}: {text!r} is not a whole amount or count above 0 (for "
                  "example 250,000 or 250000)"}[lang], f"form.{name}")
    return number


def _whole(value: Any, name: str) -> int:
    number = _number(value, name)
    if number is None or number != int(number) or not 1 <= number <= 100:
        raise RequestError(422, "invalid_request", f"{name}: expected a whole number from 1 "
                           f"to 100, got {value!r}", f"form.{name}")
    return int(number)


def _need_goal(c: Choices) -> None:
    if not c.area:
        raise RequestError(422, "invalid_request", {"nl": "kies een wijk",
                                                    "en": "choose a wijk (area)"}[c.lang],
                           "form.area")
    if not c.outcomes and not c.goals:
        raise RequestError(422, "invalid_request", TEXT[c.lang]["no_goal"], "form.outcome")


def _population(prof: Profile, c: Choices) -> float:
    """The young people for the portfolio: the form's field, else the data's column of young
    people (never a column of all residents, :func:`factormodel.population.young_people`);
    refuses in the page's language, naming the field."""
    if c.population is not None:
        return c.population
    try:
        return young_people(prof, c.area).number
    except DataError:
        column = prof.population_column
        why = {"nl": (f"de kolom '{column}' telt alle inwoners, niet de jongeren" if column
                      else f"{c.data_source()} geeft dat niet"),
               "en": (f"the column '{column}' counts all residents, not the young people"
                      if column else f"{c.data_source()} does not give it")}
        raise RequestError(422, "no_population", {
            "nl": f"voor een pakket interventies is het aantal jongeren van {c.area} nodig "
                  f"(de doelgroep van de interventies), en {why['nl']}. Vul het veld "
                  f"'{TEXT['nl']['population']}' in, of geef het bestand een kolom 'jongeren'",
            "en": f"a portfolio needs the number of young people of {c.area} (the "
                  f"interventions' target group), and {why['en']}. Fill in the field "
                  f"'{TEXT['en']['population']}', or give the file a column 'jongeren'"}[c.lang],
            "form.population") from None


def _chosen(ws: Workspace, c: Choices, content: bytes | None
            ) -> tuple[FactorModel, pd.DataFrame, Profile]:
    """Model, data and profile of exactly the data the form names (never another set)."""
    if content is not None:
        model = ws.model(c.model, "form.model")
        data = ws.read_upload(c.filename, content, location="form.file")
        level = data["level"].value_counts().index[0] if len(data) else None
        c.data_areas = sorted(map(str, set(data.loc[data["level"] == level, "area"])))
        return model, data, service.area_profile(model, data, reference="city", year=None,
                                                 level=None)
    return ws.named_profile(c.model, c.dataset, model_location="form.model",
                            data_location="form.dataset")


def _report(ws: Workspace, c: Choices, content: bytes | None) -> str:
    """The wijkrapport for the form's choices (:func:`factormodel.report`)."""
    model, data, prof = _chosen(ws, c, content)
    _need_goal(c)
    prof.row(c.area)
    if c.budget is not None:
        _population(prof, c)  # refuses on the page, in its language, when there is none
    # the form's number if she gave one; else the report reads the data's column itself, so
    # it says where the number came from (it said "door u opgegeven" for the column's)
    return service.wijkrapport(model, data, c.area, c.outcomes, c.goals, budget=c.budget,
                               lang=c.lang, data_source=c.data_source(),
                               population=c.population, queue=ws.renders)


def _results(ws: Workspace, c: Choices, content: bytes | None) -> dict[str, Any]:
    """The one wijk analysis for the form (:func:`factormodel.analyse`, as every face), its
    view (:func:`factormodel.render.view.build_view`, as the wijkrapport) and the page's own
    parts: the profile per node, the area's data and the outcomes' drivers."""
    lang = c.lang
    model, data, prof = _chosen(ws, c, content)
    _need_goal(c)
    synthetic = bool(prof.synthetic)
    row = prof.row(c.area)
    label = model.nodes[f"label_{lang}"]
    kind = model.nodes["kind"]
    if c.budget is not None:
        _population(prof, c)  # refuses on the page, in its language, when there is none
    analysis, young = service.wijkanalyse(model, prof, c.area, c.outcomes, c.goals,
                                          budget=c.budget, population=c.population,
                                          top=c.top)
    view = build_view(analysis, lang, young=young, with_downloads=True)

    def fig(draw: Any, **size: Any) -> str:
        return figure_png(draw, model=model, synthetic=synthetic, lang=lang, **size)

    # the profile per node (factors and outcomes; the indicators are in the view)
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

    # drivers: the area's measured factors held, outcomes predicted (the analysis' prediction)
    goals = service.goals_of({}, c.goals) if c.goals else []
    chosen = list(dict.fromkeys([o for o in c.outcomes if o in model.outcomes]
                                + [g.target for g in goals if g.target in model.outcomes]))
    result, units = analysis.prediction, analysis.prediction_units
    driver_figs = [fig(lambda ax, o=o: plot.plot_contributions(result, o, ax=ax, lang=lang))
                   for o in chosen[:_MAX_DRIVER_FIGURES]]
    if len(units):
        units = _unit_words(units[units["node"].isin(chosen)].assign(
            label=lambda u: u["node"].map(label),
            indicator_label=lambda u: u[f"label_{lang}"]), lang)
    else:
        units = pd.DataFrame(columns=["label", "delta_sd", "change", "change_unit",
                                      "indicator_label"])
    prediction_table = _table(units, "voorspelling" if lang == "nl" else "prediction",
                              {"label": ("outcome", None), "delta_sd": ("delta_sd", 2),
                               "change": ("change", 2), "change_unit": ("unit", None),
                               "indicator_label": ("indicator", None)}, lang)
    ref = prof.reference_name(lang)
    return {"area": c.area, "model": model.name, "status": model.metadata.status,
            "weights_kind": (WEIGHTS_KIND_NL.get(model.weights_kind, model.weights_kind)
                             if lang == "nl" else model.weights_kind),
            "data_source": c.data_source(), "uploaded": c.filename is not None,
            "synthetic": synthetic, "year": prof.year, "reference": ref,
            "assumptions": [L.source(a, lang) for a in prof.assumptions],
            "near_misses": [{"nl": f"Wijk {name!r} ({len(rows)} regel(s)) lijkt een tikfout "
                                   f"voor {meant!r}: bedoelt u {meant!r}? Zoals het er staat, "
                                   f"is {name!r} een aparte wijk en mist {meant!r} die "
                                   "waarden; verbeter de naam in het bestand.",
                             "en": f"Area {name!r} ({len(rows)} row(s)) looks like a typo of "
                                   f"{meant!r}: did you mean {meant!r}? As written, {name!r} "
                                   f"is a separate area and {meant!r} lacks those values; "
                                   "correct the name in the file."}[lang]
                            for name, meant, rows in near_miss_areas(data)],
            "provenance": provenance_line(model, synthetic, lang),
            "outcome_labels": [str(label[o]) for o in c.outcomes]
            + [L.goal(g, lang) for g in goals],
            "driver_labels": [str(label[o]) for o in chosen],
            "profile": {"table": profile_table,
                        "data": area_data_downloads(data, c.area, lang)},
            "drivers": {"figures": driver_figs, "table": prediction_table},
            "portfolio": analysis.portfolio is not None,
            "view": view}


# --------------------------------------------------------------------------- wijkplan page


def _plan_page(request: Request, status: int = 200, **ctx: Any) -> HTMLResponse:
    from factormodel.serve.plans_api import NO_PLAN_STORE
    from factormodel.workflow.progress import DROPOUT_REASONS

    ws: Workspace = request.app.state.workspace
    no_store = getattr(request.app.state, "plans", None) is None  # serve without --data
    base = {"request": request, "models": [n for n, _ in ws.model_names()],
            "datasets": [n for n, _ in ws.dataset_names()],
            "reasons": ", ".join(DROPOUT_REASONS), "problems": [],
            "no_store": M.render(NO_PLAN_STORE.code, NO_PLAN_STORE.fields, "nl")
            if no_store else ""}
    return templates.TemplateResponse(request, "wijkplan.html", {**base, **ctx},
                                      status_code=status)


def _plan_error(request: Request, exc: Exception, **ctx: Any) -> HTMLResponse:
    """A refused request on the wijkplan page: the message and every located problem."""
    if isinstance(exc, RequestError):
        status, text = exc.status, exc.detail
        if isinstance(text, Message) and text.code in M.CODES:  # a coded detail: in Dutch
            text = M.render(text.code, text.fields, "nl")
        problems = [f"{p['where']}: {p['message']}" for p in exc.problems or []]
    else:
        status = error_status(exc)[0] if isinstance(exc, FactorModelError) else 422
        text = M.error(exc, "nl")
        problems = []
    return _plan_page(request, status, error=text, problems=problems, **ctx)


@router.get("/wijkplan", response_class=HTMLResponse)
def plans_page(request: Request, model: str = "", dataset: str = service.EXAMPLE_DATASET,
               area: str = "", goals: str = "", budget: str = "", year: str = ""
               ) -> HTMLResponse:
    """The stored plans and the form that makes one (prefilled from the analysis page)."""
    from factormodel.serve.plans_api import store_of

    if not _authorised(request):
        return _plan_page(request, 401, login=True)
    ws: Workspace = request.app.state.workspace
    form = {"model": model or _default_model(ws), "dataset": dataset, "area": area[:MAX_NAME],
            "goals": goals[:MAX_GOAL * 10], "budget": budget[:MAX_NAME], "year": year[:8],
            "auteur": "", "partners": ""}
    if getattr(request.app.state, "plans", None) is None:  # said before the form is filled
        return _plan_page(request, form=form)
    try:
        plans = store_of(request).list()
    except RequestError as exc:
        return _plan_error(request, exc, form=form)
    return _plan_page(request, plans=plans, form=form)


@router.post("/wijkplan/login", response_class=HTMLResponse)
async def plans_login(request: Request) -> Response:
    form = await request.form()
    token = form.get("token")
    if not _authorised(request, token):
        return _plan_page(request, 401, login=True, error="onjuiste toegangscode")
    response = Response(status_code=303, headers={"Location": "/wijkplan"})
    return _keep_session(request, response, token)


def _year(text: str) -> int | None:
    """A year typed in the wijkplan form ('' for none)."""
    from factormodel.tables._cells import year_argument

    if not text:
        return None
    try:
        return year_argument(text, "jaar")
    except FactorModelError:
        raise RequestError(422, "invalid_form", f"jaar: {text!r} is geen jaar", "form.year"
                           ) from None


def _lines(text: str, what: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise RequestError(422, "invalid_form", f"{what}: regel {line.strip()!r} is niet "
                               "interventie=partner", "form")
        out[key.strip()[:MAX_NAME]] = value.strip()[:MAX_NAME]
    return out


@router.post("/wijkplan", response_class=HTMLResponse)
async def make_plan_page(request: Request) -> Response:
    from factormodel.serve.plans_api import PlanCreate, make_plan, store_of

    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in
              ("model", "dataset", "area", "year", "budget", "auteur", "goals", "partners")}
    if not _authorised(request, form.get("token")):
        return _plan_page(request, 401, login=True)
    ws: Workspace = request.app.state.workspace
    try:
        budget = _amount(values["budget"], "budget", "nl")
        if budget is None:
            raise RequestError(422, "invalid_form", "geef een budget (bijv. 250.000)",
                               "form.budget")
        goals = [g.strip() for g in values["goals"].splitlines() if g.strip()][:MAX_ENTRIES]
        body = PlanCreate(model=values["model"] or _default_model(ws),
                          dataset=values["dataset"] or service.EXAMPLE_DATASET,
                          area=values["area"], goals=goals, budget=budget,
                          year=_year(values["year"]),
                          partners=_lines(values["partners"], "partners"),
                          author=values["auteur"][:MAX_NAME])
        pid, _ = make_plan(ws, store_of(request), body)
    except (RequestError, FactorModelError, ValueError) as exc:
        return _plan_error(request, exc, form=values, plans=[])
    return _keep_session(request, Response(status_code=303,
                                           headers={"Location": f"/wijkplan/{pid}"}),
                         form.get("token"))


def _plan_context(request: Request, plan_id: int) -> dict[str, Any]:
    """What the page of a stored plan shows: the plan, its goals and its interventions
    (with the reach recorded so far). Raises ``UnknownPlan`` for an id not stored."""
    from factormodel.serve.plans_api import store_of

    store = store_of(request)
    plan = store.get(plan_id)
    progress = store.progress(plan_id)
    reached = progress.totals()["reached"] if progress is not None else None
    goals = [{"label": g.label_nl or g.id, "indicator": g.indicator,
              "baseline": f"{fmt.number(g.baseline, 2)} {g.unit}",
              "target": "geen" if np.isnan(g.target) else f"{fmt.number(g.target, 2)} {g.unit}",
              "horizon": g.horizon} for g in plan.goals]
    ivs = [{"name": i.name, "partner": i.partner, "units": fmt.count(i.units),
            "participants": fmt.count(i.participants),
            "reached": fmt.count(float(reached.get(i.id, 0))) if reached is not None else "–",
            "effects": "; ".join(f"{e.goal}: {fmt.number(e.expected, 3, sign=True)} "
                                 f"({fmt.number(e.low, 2, sign=True)} tot "
                                 f"{fmt.number(e.high, 2, sign=True)})" for e in i.effects)}
           for i in plan.interventions]
    return {"plan": plan, "plan_id": plan_id, "goals": goals, "interventions": ivs}


def _plan_view(request: Request, plan_id: int, status: int = 200, **extra: Any
               ) -> HTMLResponse:
    """The page of a stored plan; a 404 page that lists the stored plans for an unknown id."""
    from factormodel.serve.plans import UnknownPlan
    from factormodel.serve.plans_api import store_of

    try:
        context = _plan_context(request, plan_id)
    except UnknownPlan:
        return _plan_page(request, 404, error=f"geen wijkplan {plan_id}",
                          plans=store_of(request).list(), form={})
    return _plan_page(request, status, **context, **extra)


def _plan_refused(request: Request, plan_id: int, exc: Exception) -> HTMLResponse:
    """A refused request about a stored plan: its page with the message and problems, or
    the 404 page when there is no such plan."""
    from factormodel.serve.plans import UnknownPlan

    try:
        context = _plan_context(request, plan_id)
    except UnknownPlan:
        return _plan_view(request, plan_id)
    return _plan_error(request, exc, **context)


@router.get("/wijkplan/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, plan_id: int) -> HTMLResponse:
    if not _authorised(request):
        return _plan_page(request, 401, login=True)
    return _plan_view(request, plan_id)


@router.get("/wijkplan/{plan_id}/sjabloon.xlsx")
def plan_template(request: Request, plan_id: int) -> Response:
    from factormodel.serve.plans_api import store_of
    from factormodel.workflow.progress import progress_template

    if not _authorised(request):
        return _plan_page(request, 401, login=True)
    plan = store_of(request).get(plan_id)
    data = table_bytes(progress_template(plan), "xlsx", sheet="voortgang")
    return Response(data, media_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet",
                    headers={"Content-Disposition":
                             f'attachment; filename="voortgang-wijkplan-{plan_id}.xlsx"'})


async def _form_file(request: Request, form: Any) -> tuple[str | None, bytes] | None:
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return None
    limit = request.app.state.workspace.limits.max_upload_bytes
    content = await file.read(limit + 1)
    return file.filename, content


@router.post("/wijkplan/{plan_id}/voortgang", response_class=HTMLResponse)
async def plan_progress(request: Request, plan_id: int) -> HTMLResponse:
    import tempfile

    from factormodel.serve.plans import UnknownPlan
    from factormodel.serve.plans_api import store_of
    from factormodel.workflow.progress import read_progress

    ws: Workspace = request.app.state.workspace
    form = await request.form(max_part_size=ws.limits.max_upload_bytes + 4096)
    if not _authorised(request, form.get("token")):
        return _plan_page(request, 401, login=True)
    store = store_of(request)
    try:
        upload = await _form_file(request, form)
        if upload is None:
            raise RequestError(422, "no_file", "kies de ingevulde voortgangstabel", "form.file")
        name, content = upload
        if len(content) > ws.limits.max_upload_bytes:
            raise RequestError(413, "upload_too_large", "het bestand is te groot", "form.file")
        suffix = Path(name or "").suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise RequestError(415, "unsupported_file_type", f"{name}: verwacht .csv of .xlsx",
                               "form.file")
        with tempfile.TemporaryDirectory(prefix="factormodel-progress-") as tmp:
            path = Path(tmp) / (name or f"voortgang{suffix}")
            path.write_bytes(content)
            n = store.record_progress(plan_id, read_progress(path, store.get(plan_id)))
    except (RequestError, FactorModelError, UnknownPlan) as exc:
        return _plan_refused(request, plan_id, exc)
    return _plan_view(request, plan_id, notice=f"{n} regel(s) voortgang opgeslagen")


@router.post("/wijkplan/{plan_id}/rapport", response_class=HTMLResponse)
async def plan_report(request: Request, plan_id: int) -> HTMLResponse:
    from factormodel.render.voortgang import progress_report
    from factormodel.serve.plans import UnknownPlan
    from factormodel.serve.plans_api import store_of
    from factormodel.workflow.evaluation import evaluate_plan

    ws: Workspace = request.app.state.workspace
    form = await request.form(max_part_size=ws.limits.max_upload_bytes + 4096)
    if not _authorised(request, form.get("token")):
        return _plan_page(request, 401, login=True)
    store = store_of(request)
    try:
        plan = store.get(plan_id)
        upload = await _form_file(request, form)
        data = ws.read_upload(*upload) if upload else \
            ws.dataset(str(form.get("dataset") or service.EXAMPLE_DATASET))
        year_text = str(form.get("year") or "").strip()
        ev = evaluate_plan(plan, data, store.progress(plan_id),
                           year=_year(year_text),
                           model=ws.model(plan.model_name, "plan.model"))
    except (RequestError, FactorModelError, UnknownPlan) as exc:
        return _plan_refused(request, plan_id, exc)
    return HTMLResponse(str(progress_report(ev)))
