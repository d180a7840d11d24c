"""The wijkplan routes of the JSON API (``/api/v1/plans``): create a plan from a wijk
analysis, read, list, edit with an optimistic version check (409 with the current
version), record progress, evaluate against newer data, export and import.

Thin calls of the library (:func:`factormodel.plan_from_portfolio`,
:func:`factormodel.read_progress`, :func:`factormodel.evaluate_plan`) over the server's
:class:`~factormodel.serve.plans.PlanStore`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from factormodel.errors import FactorModelError, Message
from factormodel.render.voortgang import progress_report
from factormodel.serve.limits import MAX_DRAWS, MAX_ENTRIES, MAX_NAME, MIN_DRAWS
from factormodel.serve.plans import PlanStore, UnknownPlan, VersionConflict
from factormodel.serve.schemas import GoalText, Name
from factormodel.serve.service import RequestError, Workspace, goals_of
from factormodel.tables._json import json_safe
from factormodel.workflow.evaluation import evaluate_plan
from factormodel.workflow.progress import read_progress
from factormodel.workflow.wijkanalyse import DEFAULT_OPTIONS, analyse
from factormodel.workflow.wijkplan import (
    Signal,
    Wijkplan,
    match_interventions,
    plan_from_portfolio,
)

__all__ = ["NO_PLAN_STORE", "PlanCreate", "make_plan", "router", "store_of"]

router = APIRouter(tags=["wijkplan"])

Text = Annotated[str, Field(max_length=2000)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanCreate(_Body):
    model: Name = "rotterdam-jeugd"
    dataset: Name = Field("example", description="'example' (bundled, SYNTHETIC) or a file of "
                                                 "the server's data folder")
    areas: Name | None = None
    year: int | None = Field(None, description="the data year the plan starts from")
    level: Name | None = None
    area: Name = Field(examples=["Oud-Crooswijk"])
    goals: list[GoalText] = Field(default_factory=list, max_length=MAX_ENTRIES,
                                  examples=[["schoolverzuim:-2pp:3j:12-18"]])
    outcomes: dict[Name, float] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    budget: float = Field(ge=0)
    population: float | None = Field(default=None, gt=0)
    partners: dict[Name, Name] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    completion: dict[Name, float] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    author: Name = ""
    n_draws: int = Field(default=DEFAULT_OPTIONS.n_draws, ge=MIN_DRAWS, le=MAX_DRAWS)
    seed: int = DEFAULT_OPTIONS.seed


class SignalIn(_Body):
    partner: Name
    about: Name
    text: Text
    sees: Literal["", "better", "worse"] = ""


class PlanUpdate(_Body):
    version: int = Field(ge=1, description="the version this edit was made from")
    author: Name | None = None
    date: Name | None = None
    signals: list[SignalIn] | None = Field(None, max_length=MAX_ENTRIES)
    assumptions: list[Text] | None = Field(None, max_length=MAX_ENTRIES)
    partners: dict[Name, Name] | None = Field(None, max_length=MAX_ENTRIES)
    completion: dict[Name, float] | None = Field(None, max_length=MAX_ENTRIES)


class ProgressRows(_Body):
    rows: list[dict[Name, Any]] = Field(max_length=100_000, description=(
        "rows of the progress table: interventie, periode, eenheden, bereikt, afgerond, "
        "uitgevallen, reden_uitval, toelichting (or the English names)"))


class EvaluateRequest(_Body):
    dataset: Name = "example"
    areas: Name | None = None
    year: int | None = None


class PlanAnswer(BaseModel):
    id: int
    version: int
    plan: dict[str, Any]


class PlanRow(BaseModel):
    id: int
    area: str
    version: int
    created: str
    updated: str


class PlanList(BaseModel):
    plans: list[PlanRow]


def _ws(request: Request) -> Workspace:
    return request.app.state.workspace


#: Why a server without a data folder keeps no plans, and the fix (coded: the page words
#: it in Dutch).
NO_PLAN_STORE = Message("this server keeps no wijkplannen: start it with a data folder "
                        "(factormodel serve --data FOLDER)", "no_plan_store")


def store_of(request: Request) -> PlanStore:
    """The server's plan store (404 when it has no data folder)."""
    store = getattr(request.app.state, "plans", None)
    if store is None:
        raise RequestError(404, "no_plan_store", NO_PLAN_STORE, "path")
    return store


def _plan(request: Request, pid: int) -> Wijkplan:
    try:
        return store_of(request).get(pid)
    except UnknownPlan:
        raise RequestError(404, "unknown_plan", f"no wijkplan {pid}", "path.plan_id") from None


def _answer(pid: int, plan: Wijkplan) -> dict[str, Any]:
    return {"id": pid, "version": plan.version, "plan": plan.to_dict()}


@router.post("/plans", status_code=201, response_model=PlanAnswer,
             summary="Make a wijkplan from a wijk analysis with a portfolio")
def create_plan(request: Request, body: PlanCreate) -> dict[str, Any]:
    """The analysis (:func:`factormodel.analyse` with the budget) of a named dataset, made
    into a plan (:func:`factormodel.plan_from_portfolio`) and stored as version 1."""
    pid, plan = make_plan(_ws(request), store_of(request), body)
    return _answer(pid, plan)


def make_plan(ws: Workspace, store: PlanStore, body: PlanCreate) -> tuple[int, Wijkplan]:
    """The analysis of a named dataset made into a plan and stored (API and page)."""
    m = ws.model(body.model, "body.model")
    data = ws.dataset(body.dataset, areas=body.areas)
    a = analyse(m, data, body.area, goals_of(body.outcomes, body.goals), budget=body.budget,
                population=body.population,
                options=DEFAULT_OPTIONS.with_(n_draws=body.n_draws, seed=body.seed,
                                              year=body.year, level=body.level))
    plan = plan_from_portfolio(a, partners=body.partners, completion=body.completion,
                               data=data, author=body.author)
    return store.create(plan), plan


@router.post("/plans/import", status_code=201, response_model=PlanAnswer,
             summary="Import a plan file (its JSON document, e.g. an export)")
def import_plan(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    plan = Wijkplan.from_dict(body, source="body")
    return _answer(store_of(request).create(plan), plan)


@router.get("/plans", response_model=PlanList, summary="The stored plans")
def list_plans(request: Request, area: Annotated[str | None, Query(max_length=MAX_NAME)] = None
               ) -> dict[str, Any]:
    return {"plans": store_of(request).list(area)}


@router.get("/plans/{plan_id}", response_model=PlanAnswer, summary="One plan")
def get_plan(request: Request, plan_id: int,
             version: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
    if version is None:
        return _answer(plan_id, _plan(request, plan_id))
    try:
        return _answer(plan_id, store_of(request).get(plan_id, version))
    except UnknownPlan:
        raise RequestError(404, "unknown_plan", f"no version {version} of wijkplan {plan_id}",
                           "query.version") from None


@router.get("/plans/{plan_id}/export", summary="The plan file (JSON), for a backup")
def export_plan(request: Request, plan_id: int) -> JSONResponse:
    plan = _plan(request, plan_id)
    name = f"wijkplan-{plan_id}-v{plan.version}.json"
    return JSONResponse(plan.to_dict(),
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.put("/plans/{plan_id}", response_model=PlanAnswer,
            responses={409: {"description": "the plan changed since 'version': the answer "
                                            "holds the current version and plan"}},
            summary="Edit a plan (a new version; the previous ones are kept)")
def update_plan(request: Request, plan_id: int, body: PlanUpdate) -> Any:
    store = store_of(request)
    current = _plan(request, plan_id)
    changes: dict[str, Any] = {}
    if body.author is not None:
        changes["author"] = body.author
    if body.date is not None:
        changes["date"] = body.date
    if body.signals is not None:
        changes["signals"] = tuple(Signal(**s.model_dump()) for s in body.signals)
    if body.assumptions is not None:
        changes["assumptions"] = tuple(body.assumptions)
    if body.partners is not None or body.completion is not None:
        changes["interventions"] = _agreed(current, body.partners or {},
                                           body.completion or {})
    try:
        new = store.update(plan_id, body.version, changes)
    except VersionConflict as exc:
        return JSONResponse(status_code=409, content=json_safe({
            "error": "version_conflict",
            "detail": f"wijkplan {plan_id} is at version {exc.current}, not {body.version}: "
                      "someone else changed it; read it again and redo the edit",
            "location": "body.version", "current_version": exc.current,
            "plan": exc.plan.to_dict()}))
    except UnknownPlan:
        raise RequestError(404, "unknown_plan", f"no wijkplan {plan_id}",
                           "path.plan_id") from None
    return _answer(plan_id, new)


def _agreed(plan: Wijkplan, partners: dict[str, str], completion: dict[str, float]
            ) -> tuple[Any, ...]:
    from dataclasses import replace

    named = {i.id: i.name for i in plan.interventions}
    try:  # by id or name, as when the plan was made
        partners = match_interventions(partners, named)
        completion = match_interventions(completion, named)
    except FactorModelError:
        unknown = sorted((set(partners) | set(completion)) - set(plan.intervention_ids))
        raise RequestError(422, "unknown_intervention",
                           f"intervention(s) {', '.join(unknown)} are not in the plan; its "
                           f"interventions: {', '.join(plan.intervention_ids)}", "body"
                           ) from None
    bad = sorted(k for k, v in completion.items() if not 0 <= v <= 1)
    if bad:
        raise RequestError(422, "invalid_completion", f"completion of {', '.join(bad)} must "
                           "be a share between 0 and 1", "body.completion")
    return tuple(replace(i, partner=partners.get(i.id, i.partner),
                         completion_rate=float(completion.get(i.id, i.completion_rate)))
                 for i in plan.interventions)


def _record(request: Request, plan_id: int, source: Any) -> dict[str, Any]:
    plan = _plan(request, plan_id)
    progress = read_progress(source, plan)
    n = store_of(request).record_progress(plan_id, progress)
    stored = store_of(request).progress(plan_id)
    return json_safe({"id": plan_id, "rows_recorded": n,
                      "totals": stored.totals().reset_index() if stored else []})


@router.post("/plans/{plan_id}/progress", summary="Record progress (rows as JSON)")
def record_progress(request: Request, plan_id: int, body: ProgressRows) -> dict[str, Any]:
    import pandas as pd

    if len(body.rows) > _ws(request).limits.max_rows:
        raise RequestError(422, "too_many_rows", f"{len(body.rows):,} rows; this server "
                           f"accepts at most {_ws(request).limits.max_rows:,}", "body.rows")
    return _record(request, plan_id, pd.DataFrame(body.rows))


@router.post("/plans/{plan_id}/progress/upload",
             summary="Record progress (the partners' CSV/XLSX table)")
def record_progress_upload(request: Request, plan_id: int,
                           file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    return _with_upload(request, file, lambda path: _record(request, plan_id, path))


@router.get("/plans/{plan_id}/progress", summary="The progress recorded so far")
def get_progress(request: Request, plan_id: int) -> dict[str, Any]:
    _plan(request, plan_id)
    p = store_of(request).progress(plan_id)
    return {"id": plan_id, "progress": None if p is None else p.to_dict()}


def _with_upload(request: Request, file: UploadFile, use: Any) -> Any:
    limits = _ws(request).limits
    content = file.file.read(limits.max_upload_bytes + 1)
    if len(content) > limits.max_upload_bytes:
        raise RequestError(413, "upload_too_large", f"the upload has more than "
                           f"{limits.max_upload_bytes:,} bytes", "body.file")
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise RequestError(415, "unsupported_file_type", f"{file.filename or 'the upload'}: "
                           "expected a .csv or .xlsx progress table", "body.file")
    with tempfile.TemporaryDirectory(prefix="factormodel-progress-") as tmp:
        path = Path(tmp) / f"voortgang{suffix}"
        path.write_bytes(content)
        try:
            return use(path)
        except FactorModelError as exc:
            raise RequestError.located(exc, "body.file") from None


def _evaluate(request: Request, plan_id: int, data: Any, year: int | None, fmt: str) -> Any:
    plan = _plan(request, plan_id)
    ev = evaluate_plan(plan, data, store_of(request).progress(plan_id), year=year,
                       model=_ws(request).model(plan.model_name, "plan.model"))
    if fmt == "html":
        return HTMLResponse(str(progress_report(ev)))
    return {"id": plan_id, "version": plan.version, **ev.to_dict()}


@router.post("/plans/{plan_id}/evaluate",
             summary="Evaluate the plan against newer data and its recorded progress")
def evaluate(request: Request, plan_id: int, body: EvaluateRequest,
             format: Annotated[Literal["json", "html"], Query()] = "json") -> Any:
    """:func:`factormodel.evaluate_plan`; ``format=html`` answers the Dutch
    voortgangsrapportage."""
    data = _ws(request).dataset(body.dataset, areas=body.areas)
    return _evaluate(request, plan_id, data, body.year, format)


@router.post("/plans/{plan_id}/evaluate/upload",
             summary="Evaluate the plan against uploaded newer data")
def evaluate_upload(request: Request, plan_id: int, file: Annotated[UploadFile, File()],
                    options: Annotated[str, Form(alias="request")] = "{}",
                    format: Annotated[Literal["json", "html"], Query()] = "json") -> Any:
    try:
        req = EvaluateRequest.model_validate_json(options or "{}")
    except ValueError as exc:
        raise RequestError(422, "invalid_request", f"request field: {exc}",
                           "body.request") from None
    content = file.file.read(_ws(request).limits.max_upload_bytes + 1)
    data = _ws(request).read_upload(file.filename, content, areas=req.areas)
    return _evaluate(request, plan_id, data, req.year, format)
