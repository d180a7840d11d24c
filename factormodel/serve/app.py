"""The ASGI application: configuration, safety rules, error format, and the server.

:func:`create_app` builds a FastAPI app serving the JSON API under ``/api/v1``
(OpenAPI at ``/api/v1/openapi.json``, interactive docs at ``/api/v1/docs`` from
files shipped with ``fastapi-offline``, no CDN) and the web page at ``/``.

Safety: with a token every API route needs ``Authorization: Bearer <token>``
(401 otherwise; the OpenAPI description and the docs page stay readable) and
the web page asks for it in its form; request bodies larger than the upload
limit are refused with 413 while they stream in; CORS is off unless origins are
given. Every error is JSON ``{error, detail, location}`` with a 4xx status;
anything unexpected is a 500 with the same shape and no traceback (the
traceback goes to the server log).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from factormodel import __version__
from factormodel.errors import FactorModelError, InvalidParameterError, ModelValidationError
from factormodel.serve.http_errors import error_status
from factormodel.serve.limits import MAX_JSON_BYTES, Limits
from factormodel.serve.service import (
    REPORTS_WAITING,
    RequestError,
    Workspace,
    fields_doc,
    problem_doc,
)

__all__ = ["API_PREFIX", "OPTIONS_ENV", "create_app", "from_environment", "run"]

API_PREFIX = "/api/v1"
#: Form fields and multipart framing allowed on top of the upload limit.
_FORM_OVERHEAD = 64 * 1024
log = logging.getLogger("factormodel.serve")
_BEARER = HTTPBearer(auto_error=False, description="the server's --token")

def _error(status: int, error: str, detail: str, location: str | None = None,
           problems: list[dict[str, Any]] | None = None,
           headers: dict[str, str] | None = None,
           library: FactorModelError | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": error, "detail": detail, "location": location}
    if problems is not None:
        body["problems"] = problems
    if library is not None:  # the library error's code and fields, for client tools
        body["code"] = library.code
        body["fields"] = fields_doc(library.fields)
    return JSONResponse(body, status_code=status, headers=headers)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies above their limit (413), by header or while streaming.

    A form (multipart or urlencoded: uploads, and the page's form, which may carry a
    kept upload as base64 besides a new file) may have ``form_limit`` bytes; any
    other body (JSON) ``json_limit`` bytes (:data:`.limits.MAX_JSON_BYTES`).
    """

    def __init__(self, app: ASGIApp, form_limit: int, json_limit: int = MAX_JSON_BYTES,
                 upload_bytes: int | None = None) -> None:
        self.app = app
        self.form_limit = form_limit
        self.json_limit = json_limit
        self.upload_bytes = upload_bytes or form_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if kind in (b"multipart/form-data", b"application/x-www-form-urlencoded"):
            limit, code = self.form_limit, "upload_too_large"
            detail = (f"the request body is larger than this server accepts "
                      f"({self.upload_bytes:,} bytes of upload)")
        else:
            limit, code = self.json_limit, "body_too_large"
            detail = (f"the request body is larger than this server accepts "
                      f"({limit:,} bytes of JSON; send tables as an upload)")
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _error(413, code, detail, "body")(scope, receive, send)
            return
        seen = 0
        started = exceeded = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise _TooLarge  # stops the form parser; whatever it answers is replaced
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a cut-off body (e.g. 400) is replaced by 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if started:
                raise
        if exceeded and not started:
            await _error(413, code, detail, "body")(scope, receive, send)


#: The page's Content-Security-Policy: its own CSS and JS only (no inline script or style),
#: figures as data: images, forms posted to itself, never framed.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
#: The interactive API docs (Swagger UI from fastapi-offline) start with one inline script.
DOCS_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' "
            "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
            "frame-ancestors 'none'")
#: A downloaded wijkrapport is one self-contained file with inline CSS and no script.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'none'")


class SecurityHeaders:
    """Add Content-Security-Policy, X-Frame-Options, X-Content-Type-Options and
    Referrer-Policy to every response (page, API, static files, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = DOCS_CSP if path == f"{API_PREFIX}/docs" else \
            REPORT_CSP if path.endswith(("/report", "/report/upload", "/evaluate",
                                          "/evaluate/upload", "/rapport")) else PAGE_CSP

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in ((b"content-security-policy", csp.encode()),
                                   (b"x-frame-options", b"DENY"),
                                   (b"x-content-type-options", b"nosniff"),
                                   (b"referrer-policy", b"no-referrer")):
                    if key not in present:
                        headers.append((key, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class Unexpected:
    """Answer an unexpected exception with a 500 JSON error (no traceback; that goes to
    the server log) and *handle* it: the exception does not reach the server, which
    would close the connection, so the client's next request on it works."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except _TooLarge:
            raise  # BodyLimit's own signal, answered there
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise  # half an answer was sent: only closing the connection is honest
            await _error(500, "internal_error",
                         "an unexpected error occurred; the server log has the details",
                         None)(scope, receive, send)


def create_app(models_dir: str | Path | None = None, data_dir: str | Path | None = None,
               token: str | None = None, max_upload_bytes: int = 10_000_000,
               max_rows: int = 100_000, cors_origins: Sequence[str] = (),
               reports_waiting: int = REPORTS_WAITING) -> FastAPI:
    """Build the web service.

    Parameters
    ----------
    models_dir : path, optional
        Folder of extra models (model folders or ``.json`` files), offered by name.
    data_dir : path, optional
        Folder of area data files (CSV/XLSX), offered by file name.
    token : str, optional
        If given, every API call needs ``Authorization: Bearer <token>``.
    max_upload_bytes, max_rows : int
        Upload limits (413 / 422 beyond them).
    cors_origins : sequence of str
        Origins allowed to call the API from a browser; none by default.
    reports_waiting : int
        Wijkrapporten that may wait while one is rendered; beyond them a report request
        is answered 503 with ``Retry-After`` at once (:mod:`.renders`).

    Returns
    -------
    FastAPI

    Examples
    --------
    >>> from fastapi.testclient import TestClient
    >>> client = TestClient(create_app())
    >>> [m["name"] for m in client.get("/api/v1/models").json()["models"]]
    ['ctc', 'rotterdam-jeugd', 'toy']
    >>> r = client.get("/api/v1/models/nope")
    >>> r.status_code, r.json()["error"], r.json()["location"]
    (404, 'UnknownModelError', 'path.model')
    """
    from factormodel.serve import api, plans_api, web
    from factormodel.serve.plans import PlanStore

    if token is not None and not token.strip():
        raise InvalidParameterError("the token is empty; give a secret or no token")
    workspace = Workspace(models_dir, data_dir, Limits(max_upload_bytes, max_rows),
                          reports_waiting=reports_waiting)
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        workspace.renders.close()  # its render process, if one was started

    app = FastAPIOffline(
        lifespan=lifespan,
        title="factormodel", version=__version__,
        description="Rotterdam's Factorenmodel Jeugd (bundled: a reconstruction from public "
                    "sources, not the official model) as a JSON API: models, total effects, "
                    "propagation, area profiles, recommendations, portfolios, validation.",
        openapi_url=f"{API_PREFIX}/openapi.json", docs_url=f"{API_PREFIX}/docs",
        redoc_url=None, static_url=f"{API_PREFIX}/docs-static")
    app.state.workspace = workspace
    app.state.token = token
    # wijkplannen live in the data folder (SQLite); a server without one keeps none
    app.state.plans = PlanStore(workspace.data_dir) if workspace.data_dir is not None else None

    def authorised(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                          Depends(_BEARER)]) -> None:
        if token is None:
            return
        if credentials is None or credentials.scheme.lower() != "bearer" or \
                not secrets.compare_digest(credentials.credentials.encode(), token.encode()):
            raise RequestError(401, "unauthorized",
                               "this server needs 'Authorization: Bearer <token>'",
                               "header.Authorization")

    app.include_router(api.router, prefix=API_PREFIX, dependencies=[Depends(authorised)],
                       responses={400: {"model": _error_model()}, 401: {"model": _error_model()},
                                  404: {"model": _error_model()}, 413: {"model": _error_model()},
                                  422: {"model": _error_model()}})
    app.include_router(plans_api.router, prefix=API_PREFIX, dependencies=[Depends(authorised)],
                       responses={400: {"model": _error_model()}, 401: {"model": _error_model()},
                                  404: {"model": _error_model()}, 413: {"model": _error_model()},
                                  422: {"model": _error_model()}})
    app.include_router(web.router)
    web.mount_static(app)
    _add_error_handlers(app)
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins),
                           allow_methods=["GET", "POST", "PUT"],
                           allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(Unexpected)  # inside the next two: its 500 gets their headers too
    # a form may carry a new file and the kept upload (base64, 4/3 of its size) at once
    app.add_middleware(BodyLimit, form_limit=max_upload_bytes * 7 // 3 + _FORM_OVERHEAD,
                       upload_bytes=max_upload_bytes)
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, a 413 included
    return app


def _error_model() -> Any:
    from factormodel.serve.schemas import ErrorResponse

    return ErrorResponse


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestError)
    def _request_error(request: Request, exc: RequestError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else exc.headers
        return _error(exc.status, exc.error, exc.detail, exc.location, exc.problems,
                      headers=headers, library=exc.original)

    @app.exception_handler(FactorModelError)
    def _library_error(request: Request, exc: FactorModelError) -> JSONResponse:
        status, where = error_status(exc)
        problems = None
        detail = str(exc)
        if isinstance(exc, ModelValidationError):
            problems = [problem_doc(p) for p in exc.problems]
            where = exc.source
        return _error(status, type(exc).__name__, detail, where, problems, library=exc)

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        problems = [{"where": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                    for e in errors]
        first = problems[0] if problems else {"where": "", "message": "invalid request"}
        detail = "; ".join(f"{p['where']}: {p['message']}" for p in problems)
        return _error(422, "invalid_request", detail, first["where"] or None, problems)

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed"}
        return _error(exc.status_code, codes.get(exc.status_code, "http_error"),
                      str(exc.detail), request.url.path, headers=getattr(exc, "headers", None))



#: The environment variable through which :func:`run` hands its options to the worker
#: processes (each builds its own app from them with :func:`from_environment`).
OPTIONS_ENV = "FACTORMODEL_SERVE_OPTIONS"


def run(host: str = "127.0.0.1", port: int = 8000, workers: int = 1, **options: Any) -> None:
    """Serve :func:`create_app` (``options``) with uvicorn until interrupted.

    With ``workers`` above 1, uvicorn starts that many worker processes on the same
    socket; each builds its own app (its own caches and render queue; wijkplannen are
    shared through their SQLite database). The options are checked here first, so a bad
    one stops the server before any worker starts.
    """
    import uvicorn

    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise InvalidParameterError(f"workers must be a whole number >= 1, got {workers!r}")
    app = create_app(**options)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="info")
        return
    os.environ[OPTIONS_ENV] = json.dumps({k: list(v) if isinstance(v, tuple) else v
                                          for k, v in options.items()})
    uvicorn.run("factormodel.serve.app:from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="info")


def from_environment() -> FastAPI:
    """:func:`create_app` with the options :func:`run` left in ``FACTORMODEL_SERVE_OPTIONS``
    (how each worker process of ``factormodel serve --workers N`` builds its app).

    Examples
    --------
    >>> import os
    >>> os.environ[OPTIONS_ENV] = '{"max_rows": 500}'
    >>> from_environment().state.workspace.limits.max_rows
    500
    >>> del os.environ[OPTIONS_ENV]
    """
    return create_app(**json.loads(os.environ.get(OPTIONS_ENV) or "{}"))
