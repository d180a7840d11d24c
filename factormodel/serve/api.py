"""The JSON API, version 1: routes under ``/api/v1``.

Every route is a thin call of :mod:`factormodel.serve.service`, which calls the
public factormodel functions; answers are exactly what those functions return,
as JSON (NaN and infinities as ``null``). Data-taking routes come in two forms:
a JSON body naming a dataset (``example`` or a file of the server's data
folder), and ``/upload`` with a multipart form holding the ``file`` and the same
options as a JSON string in the ``request`` field.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError

from factormodel.errors import DataError, UnknownIndicatorError
from factormodel.serve import schemas, service
from factormodel.serve.service import RequestError, Workspace

__all__ = ["router"]

M = TypeVar("M", bound=BaseModel)

router = APIRouter()

_UPLOAD_HELP = ("multipart form: 'file' (CSV or XLSX area data, long or wide) and 'request' "
                "(the options as a JSON string, as for the JSON route; 'dataset' is ignored)")


def _ws(request: Request) -> Workspace:
    return request.app.state.workspace


def _form_request(text: str, model: type[M]) -> M:
    try:
        return model.model_validate_json(text or "{}")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RequestError(422, "invalid_request",
                           f"request field {where or '(json)'}: {first['msg']}",
                           "body.request" + (f".{where}" if where else "")) from None


def _read_upload(request: Request, file: UploadFile) -> tuple[str | None, bytes]:
    limit = _ws(request).limits.max_upload_bytes
    content = file.file.read(limit + 1)
    return file.filename, content


def _profiled(request: Request, model: str, req: schemas.DataRequest,
              upload: tuple[str | None, bytes] | None) -> tuple[Any, Any, Any]:
    """Model, area data and profile, from an upload or a named dataset."""
    ws = _ws(request)
    if upload is None:
        return ws.named_profile(model, req.dataset, areas=req.areas, reference=req.reference,
                                year=req.year, level=req.level)
    m = ws.model(model)
    data = ws.read_upload(upload[0], upload[1], areas=req.areas)
    try:
        return m, data, service.area_profile(m, data, reference=req.reference, year=req.year,
                                             level=req.level)
    except (DataError, UnknownIndicatorError) as exc:  # the uploaded table does not fit
        raise RequestError.located(exc, "body.file") from None


# --------------------------------------------------------------------------- models


@router.get("/models", response_model=schemas.ModelList, summary="Models offered")
def list_models(request: Request) -> dict[str, Any]:
    """Bundled models and those of the server's models folder."""
    return {"models": _ws(request).models()}


@router.get("/models/{model}", response_model=schemas.ModelDetail, summary="One model")
def model_detail(request: Request, model: str) -> dict[str, Any]:
    """Metadata, summary, every node and every edge (with weight, strength, source)."""
    ws = _ws(request)
    m = ws.model(model)
    origin = dict(ws.model_names())[model]
    return service.model_detail_doc(m, origin)


@router.get("/models/{model}/validation", response_model=schemas.ValidationReport,
            summary="Validate a model")
def validate_model(request: Request, model: str) -> dict[str, Any]:
    """Every problem of an offered model (valid: its warnings). 200 either way."""
    ws = _ws(request)
    service.check_name(model, "model", "path.model")
    if model not in dict(ws.model_names()):
        ws.model(model)  # raises UnknownModelError with the names offered
    return service.validation_doc(lambda: ws.model(model), model)


@router.post("/validation", response_model=schemas.ValidationReport,
             summary="Validate an uploaded JSON model")
def validate_upload(request: Request,
                    file: Annotated[UploadFile, File(description="single-file JSON model")]
                    ) -> dict[str, Any]:
    """Check an uploaded single-file JSON model against the schema and every rule."""
    name, content = _read_upload(request, file)
    return service.validation_doc(lambda: _ws(request).read_model_upload(name, content),
                                  name or "model.json")


@router.get("/models/{model}/effects", response_model=schemas.Effects, summary="Total effects")
def effects(request: Request, model: str,
            target: Annotated[list[str] | None, Query(
                description="target node (repeatable); default: the outcomes")] = None,
            alpha: Annotated[float, Query(ge=0, description="per-hop attenuation")] = 1.0
            ) -> dict[str, Any]:
    """``T[source][target]``: the total effect of one SD of every node on the targets."""
    return service.effects_doc(_ws(request).model(model), alpha=alpha, targets=target)


@router.post("/models/{model}/propagate", response_model=schemas.Propagation,
             summary="Propagate deltas")
def propagate(request: Request, model: str, body: schemas.PropagateRequest) -> dict[str, Any]:
    """Hold the given nodes at their deltas (SD) and predict every other node."""
    m = _ws(request).model(model)
    result = service.run_propagation(m, body.deltas, method=body.method, clamp=body.clamp,
                                     alpha=body.alpha, max_hops=body.max_hops)
    return service.propagation_doc(m, result)


# --------------------------------------------------------------------------- data


@router.get("/datasets", response_model=schemas.DatasetList, summary="Datasets offered")
def list_datasets(request: Request) -> dict[str, Any]:
    """``example`` (bundled, SYNTHETIC) and the files of the server's data folder."""
    return {"datasets": [{"name": n, "bundled": b, "synthetic": True if b else None}
                         for n, b in _ws(request).dataset_names()]}


@router.get("/datasets/{dataset}", response_model=schemas.DatasetDetail,
            summary="One dataset's years, areas and indicators")
def dataset_detail(request: Request, dataset: str,
                   areas: Annotated[str | None, Query(description="area registry")] = None
                   ) -> dict[str, Any]:
    data = _ws(request).dataset(dataset, areas=areas, location="path.dataset")
    levels = {str(lv): sorted(map(str, set(g))) for lv, g in data.groupby("level")["area"]}
    return {"name": dataset, "synthetic": service.is_synthetic(data),
            "years": sorted(int(y) for y in set(data["year"])), "levels": levels,
            "indicators": sorted(map(str, set(data["indicator"])))}


def _profile(request: Request, model: str, req: schemas.ProfileRequest,
             upload: tuple[str | None, bytes] | None) -> dict[str, Any]:
    m, _, prof = _profiled(request, model, req, upload)
    return service.profile_doc(m, prof, req.area)


@router.post("/models/{model}/profile", response_model=schemas.Profile,
             summary="Area profile from a named dataset")
def profile(request: Request, model: str, body: schemas.ProfileRequest) -> dict[str, Any]:
    """Deltas (SD against the reference) of every node, for one area or all areas."""
    return _profile(request, model, body, None)


@router.post("/models/{model}/profile/upload", response_model=schemas.Profile,
             summary="Area profile from an uploaded table", description=_UPLOAD_HELP)
def profile_upload(request: Request, model: str, file: Annotated[UploadFile, File()],
                   options: Annotated[str, Form(alias="request")] = "{}") -> dict[str, Any]:
    return _profile(request, model, _form_request(options, schemas.ProfileRequest),
                    _read_upload(request, file))


def _recommend(request: Request, model: str, req: schemas.RecommendRequest,
               upload: tuple[str | None, bytes] | None) -> dict[str, Any]:
    m, _, prof = _profiled(request, model, req, upload)
    rec = service.recommendation_frame(m, prof, req.outcomes, area=req.area, top=req.top,
                                       alpha=req.alpha, goals=req.goals)
    return service.recommendation_doc(m, rec, prof, req.area, req.outcomes, req.goals)


@router.post("/models/{model}/recommend", response_model=schemas.Recommendation,
             summary="Which factors to target (named dataset)")
def recommend(request: Request, model: str, body: schemas.RecommendRequest) -> dict[str, Any]:
    """Rank the modifiable factors for an area's chosen outcomes, with explanations."""
    return _recommend(request, model, body, None)


@router.post("/models/{model}/recommend/upload", response_model=schemas.Recommendation,
             summary="Which factors to target (uploaded table)", description=_UPLOAD_HELP)
def recommend_upload(request: Request, model: str, file: Annotated[UploadFile, File()],
                     options: Annotated[str, Form(alias="request")] = "{}") -> dict[str, Any]:
    return _recommend(request, model, _form_request(options, schemas.RecommendRequest),
                      _read_upload(request, file))


def _report(request: Request, model: str, req: schemas.ReportRequest,
            upload: tuple[str | None, bytes] | None) -> HTMLResponse:
    m, data, prof = _profiled(request, model, req, upload)
    prof.row(req.area)
    html = service.wijkrapport(m, data, req.area, req.outcomes, req.goals, budget=req.budget,
                               lang=req.lang, reference=req.reference, year=req.year,
                               level=req.level, n_draws=req.n_draws,
                               data_source=None if upload is None else upload[0])
    name = service.report_filename(req.area)
    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/models/{model}/report", response_class=HTMLResponse,
             summary="The wijkrapport as one self-contained HTML file (named dataset)")
def wijkrapport(request: Request, model: str, body: schemas.ReportRequest) -> HTMLResponse:
    """Profile, goals and drivers, recommended factors with Monte Carlo intervals, a
    portfolio within the budget, what is not measured, caveats and provenance
    (:func:`factormodel.report`), Dutch by default."""
    return _report(request, model, body, None)


@router.post("/models/{model}/report/upload", response_class=HTMLResponse,
             summary="The wijkrapport (uploaded table)", description=_UPLOAD_HELP)
def wijkrapport_upload(request: Request, model: str, file: Annotated[UploadFile, File()],
                       options: Annotated[str, Form(alias="request")] = "{}") -> HTMLResponse:
    return _report(request, model, _form_request(options, schemas.ReportRequest),
                   _read_upload(request, file))


def _analyse(request: Request, model: str, req: schemas.AnalyseRequest,
             upload: tuple[str | None, bytes] | None) -> dict[str, Any]:
    m, data, prof = _profiled(request, model, req, upload)
    prof.row(req.area)
    return service.wijkanalyse_doc(m, data, prof, req.area, req.outcomes, req.goals,
                                   budget=req.budget, population=req.population,
                                   one_per_factor=req.one_per_factor, top=req.top,
                                   alpha=req.alpha, n_draws=req.n_draws, seed=req.seed,
                                   reference=req.reference, year=req.year, level=req.level)


@router.post("/models/{model}/analyse", summary="The whole wijk analysis as one JSON document")
def wijkanalyse(request: Request, model: str, body: schemas.AnalyseRequest) -> dict[str, Any]:
    """What the wijkrapport shows, as data (:func:`factormodel.analyse`): her figures,
    the goals at the area's own levels, the predicted outcomes in units, the ranking,
    gap effects, required changes, the portfolio (with a budget) and Monte Carlo
    intervals, with the one set of defaults (``fm.Options``)."""
    return _analyse(request, model, body, None)


@router.post("/models/{model}/analyse/upload",
             summary="The whole wijk analysis (uploaded table)", description=_UPLOAD_HELP)
def wijkanalyse_upload(request: Request, model: str, file: Annotated[UploadFile, File()],
                       options: Annotated[str, Form(alias="request")] = "{}") -> dict[str, Any]:
    return _analyse(request, model, _form_request(options, schemas.AnalyseRequest),
                    _read_upload(request, file))


def _portfolio(request: Request, model: str, req: schemas.PortfolioRequest,
               upload: tuple[str | None, bytes] | None) -> dict[str, Any]:
    m, _, prof = _profiled(request, model, req, upload)
    p = service.run_portfolio(m, prof, req.outcomes, area=req.area, budget=req.budget,
                              population=req.population, one_per_factor=req.one_per_factor,
                              required_phases=req.required_phases,
                              required_settings=req.required_settings,
                              cap_at_room=req.cap_at_room, alpha=req.alpha, goals=req.goals,
                              population_is_young=req.population_is_young)
    return service.portfolio_doc(m, p, prof, req.outcomes, req.goals)


@router.post("/models/{model}/portfolio", response_model=schemas.Portfolio,
             summary="Budgeted intervention portfolio (named dataset)")
def portfolio(request: Request, model: str, body: schemas.PortfolioRequest) -> dict[str, Any]:
    """The optimal interventions within the budget (exact MILP), and what was left out."""
    return _portfolio(request, model, body, None)


@router.post("/models/{model}/portfolio/upload", response_model=schemas.Portfolio,
             summary="Budgeted intervention portfolio (uploaded table)",
             description=_UPLOAD_HELP)
def portfolio_upload(request: Request, model: str, file: Annotated[UploadFile, File()],
                     options: Annotated[str, Form(alias="request")] = "{}") -> dict[str, Any]:
    return _portfolio(request, model, _form_request(options, schemas.PortfolioRequest),
                      _read_upload(request, file))
