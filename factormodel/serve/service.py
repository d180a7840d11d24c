"""What the HTTP service computes, without HTTP: safe lookup of models and data, and
JSON-safe answers built from the public factormodel API.

Nothing here imports a web framework, so the rules (which names may be asked for,
how large an upload may be, how results become JSON) are tested directly and shared
by the JSON API and the web page.

A request can never name a server file path: models are asked for by a bundled
name or by the name of an entry in the configured models folder, datasets by the
name ``example`` (the bundled SYNTHETIC data) or by a file name in the configured
data folder -- the name must be one of the listed names, so path separators and
``..`` never reach the file system. Uploads are written into a fresh temporary
directory that is removed before the request ends; model files and uploads are
read as tables or JSON, never executed.

Examples
--------
>>> ws = Workspace()
>>> [m["name"] for m in ws.models()]
['ctc', 'rotterdam-jeugd', 'toy']
>>> json_safe({"a": float("nan"), "b": [1.5, float("inf")]})
{'a': None, 'b': [1.5, None]}
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from factormodel.analysis.goals import Goal, goal_phases
from factormodel.analysis.indicators import (
    Profile,
    coverage,
    profile,
    profile_index,
)
from factormodel.analysis.population import YoungPeople, ages_of, young_people
from factormodel.analysis.portfolio import Portfolio, load_interventions, optimize_portfolio
from factormodel.analysis.readback import read_goal
from factormodel.analysis.recommend import Recommendation, recommend
from factormodel.core.effects import total_effects
from factormodel.core.fcm import FCMResult
from factormodel.core.model import FactorModel
from factormodel.core.propagate import PropagationResult, propagate
from factormodel.errors import (
    FactorModelError,
    InvalidParameterError,
    Message,
    ModelValidationError,
    Problem,
    UnknownModelError,
    close_matches,
)
from factormodel.files import datasets
from factormodel.files.folders import (
    load_areas,
    load_example_data,
    load_model,
    read_area_data,
    read_model,
)
from factormodel.render.report import report
from factormodel.serve.http_errors import error_status
from factormodel.serve.limits import (
    Limits,
    RowLimitExceeded,
    UnreadableUpload,
    text_rows,
    xlsx_rows,
)
from factormodel.serve.renders import Busy, RenderQueue
from factormodel.tables._json import json_safe
from factormodel.workflow.wijkanalyse import DEFAULT_OPTIONS, WijkAnalysis, analyse

__all__ = ["EXAMPLE_DATASET", "REPORTS_WAITING", "UPLOAD_TYPES", "Limits", "RequestError",
           "Workspace",
           "effects_doc", "fields_doc", "model_detail_doc", "portfolio_doc", "problem_doc",
           "profile_doc",
           "propagation_doc", "recommendation_doc", "validation_doc"]

#: Wijkrapporten that may wait in a worker process while one is rendered (:mod:`.renders`).
REPORTS_WAITING = 1
#: The name under which the bundled SYNTHETIC example data are offered.
EXAMPLE_DATASET = "example"
#: File types accepted as area data (uploads and the data folder).
UPLOAD_TYPES = (".csv", ".txt", ".xlsx")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,119}")


class RequestError(Exception):
    """A request the service refuses, with the HTTP status and where the problem is.

    Parameters
    ----------
    status : int
        HTTP status (400, 401, 404, 413, 415, 422).
    error : str
        Short machine-readable code, e.g. ``"upload_too_large"``.
    detail : str
        What is wrong and what was expected.
    location : str, optional
        The part of the request, e.g. ``"path.model"`` or ``"body.file"``.
    problems : list of dict, optional
        Every problem (``where``, ``message``) when there are several.
    headers : dict, optional
        HTTP headers of the answer (``Retry-After`` of a 503).
    """

    def __init__(self, status: int, error: str, detail: str, location: str | None = None,
                 problems: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.location = location
        self.problems = problems
        self.headers = headers
        #: The library error this answers, if any.
        self.original: FactorModelError | None = None

    @classmethod
    def located(cls, exc: FactorModelError, location: str) -> RequestError:
        """A library error, answered as usual, but located in the request (e.g. an
        uploaded file's problems at ``body.file``)."""
        problems = [problem_doc(p) for p in exc.problems] \
            if isinstance(exc, ModelValidationError) else None
        out = cls(error_status(exc)[0], type(exc).__name__, str(exc), location, problems)
        out.original = exc  # the web page words it in its language
        return out


# --------------------------------------------------------------------------- JSON


# --------------------------------------------------------------------------- names


def check_name(name: str, what: str, location: str) -> str:
    """Refuse names that could reach the file system as a path.

    Examples
    --------
    >>> check_name("wijkdata.csv", "dataset", "body.dataset")
    'wijkdata.csv'
    >>> check_name("../etc/passwd", "dataset", "body.dataset")
    Traceback (most recent call last):
    ...
    factormodel.serve.service.RequestError: dataset name '../etc/passwd' ...
    """
    if not isinstance(name, str) or ".." in name or not _NAME.fullmatch(name):
        raise RequestError(422, "invalid_name",
                           f"{what} name {name!r} is not allowed: give the name of a listed "
                           f"{what} (letters, digits, '.', '_', '-', space; no path "
                           "separators or '..')", location)
    return name


@functools.lru_cache(maxsize=32)
def _read_model_cached(path: str, mtime_ns: int) -> FactorModel:
    return read_model(path)


@functools.lru_cache(maxsize=8)
def _example_data() -> pd.DataFrame:
    return load_example_data("rotterdam")


@functools.lru_cache(maxsize=16)
def _read_data_cached(path: str, mtime_ns: int, registry: str | None) -> pd.DataFrame:
    return read_area_data(path, areas=_registry(registry))


def _registry(name: str | None) -> pd.DataFrame | None:
    if name is None:
        return None
    check_name(name, "area registry", "body.areas")
    try:
        path = datasets.data_path(f"{name}_areas.csv")
    except UnknownModelError:
        raise RequestError(404, "UnknownAreaRegistry",
                           f"no bundled area registry {name!r}; bundled: rotterdam",
                           "body.areas") from None
    return load_areas(path)


def _mtime(path: Path) -> int:
    if path.is_dir():
        return max((p.stat().st_mtime_ns for p in path.iterdir()), default=0)
    return path.stat().st_mtime_ns


class Workspace:
    """The models and datasets a server offers, and how uploads are read.

    Parameters
    ----------
    models_dir : path, optional
        A folder of model folders (with ``nodes.csv``) and single-file ``.json``
        models, offered besides the bundled models under their folder name or
        file stem.
    data_dir : path, optional
        A folder of area data files (``.csv``, ``.txt``, ``.xlsx``), offered
        under their file name.
    limits : Limits
    reports_waiting : int
        Wijkrapporten that may wait while one is rendered (:mod:`.renders`); a request
        beyond them is answered 503 with ``Retry-After`` at once.

    Raises
    ------
    InvalidParameterError
        If a folder does not exist, a model in ``models_dir`` has the name
        of a bundled model (the name would be ambiguous), or ``reports_waiting``
        is not a whole number >= 0.
    """

    def __init__(self, models_dir: str | Path | None = None,
                 data_dir: str | Path | None = None, limits: Limits | None = None,
                 reports_waiting: int = REPORTS_WAITING) -> None:
        self.models_dir = self._folder(models_dir, "models")
        self.data_dir = self._folder(data_dir, "data")
        self.limits = limits or Limits()
        if not isinstance(reports_waiting, int) or isinstance(reports_waiting, bool) \
                or reports_waiting < 0:
            raise InvalidParameterError(f"reports_waiting must be a whole number >= 0, got "
                                        f"{reports_waiting!r}")
        #: The wijkrapporten rendered (one at a time) and waiting in this process.
        self.renders = RenderQueue(waiting=reports_waiting, process=True)
        self._profiles: OrderedDict[tuple, Profile] = OrderedDict()
        self._lock = threading.Lock()
        clash = sorted(set(self._folder_models()) & set(datasets.list_models()))
        if clash:
            raise InvalidParameterError(
                f"models folder {self.models_dir}: {', '.join(clash)} also "
                f"{'is a bundled model' if len(clash) == 1 else 'are bundled models'}; "
                "rename them so that every name means one model")

    @staticmethod
    def _folder(path: str | Path | None, what: str) -> Path | None:
        if path is None:
            return None
        folder = Path(path).expanduser().resolve()
        if not folder.is_dir():
            raise InvalidParameterError(f"--{what} {path}: not an existing folder")
        return folder

    # ----------------------------------------------------------------- models

    def _folder_models(self) -> dict[str, Path]:
        if self.models_dir is None:
            return {}
        found: dict[str, Path] = {}
        for p in sorted(self.models_dir.iterdir()):
            if p.is_dir() and (p / "nodes.csv").is_file() and _NAME.fullmatch(p.name):
                found[p.name] = p
            elif p.is_file() and p.suffix.lower() == ".json" and _NAME.fullmatch(p.stem):
                found.setdefault(p.stem, p)
        return found

    def model_names(self) -> list[tuple[str, str]]:
        """``(name, origin)`` of every model offered; origin ``bundled`` or ``folder``."""
        return [(n, "bundled") for n in datasets.list_models()] + \
            [(n, "folder") for n in self._folder_models()]

    def model(self, name: str, location: str = "path.model") -> FactorModel:
        """The model called ``name`` (bundled, or from the models folder).

        Raises
        ------
        RequestError
            422 for a name that could be a path.
        UnknownModelError
            For a name that is not offered; lists the names that are.
        ModelValidationError
            If the folder's model has problems.
        """
        check_name(name, "model", location)
        if name in datasets.list_models():
            return load_model(name)
        folder = self._folder_models()
        if name in folder:
            path = folder[name]
            return _read_model_cached(str(path), _mtime(path))
        names = [n for n, _ in self.model_names()]
        hint = close_matches(name, names, list_all=False)
        raise UnknownModelError(f"no model {name!r}; models offered: {', '.join(names)}"
                                + (f"; {hint}" if hint else ""))

    def models(self) -> list[dict[str, Any]]:
        """One row per model: name, origin, status, version, sizes, description; a model
        that does not load is listed with status ``invalid`` and its first problem."""
        rows = []
        for name, origin in self.model_names():
            try:
                m = self.model(name)
            except FactorModelError as exc:
                rows.append({"name": name, "origin": origin, "status": "invalid",
                             "version": "", "nodes": 0, "factors": 0, "outcomes": 0,
                             "edges": 0, "description": str(exc).splitlines()[0]})
                continue
            rows.append({"name": name, "origin": origin, "status": m.metadata.status,
                         "version": m.metadata.version, "nodes": m.n_nodes,
                         "factors": len(m.factors), "outcomes": len(m.outcomes),
                         "edges": m.n_edges, "description": m.metadata.description})
        return rows

    # ----------------------------------------------------------------- data

    def _folder_data(self) -> dict[str, Path]:
        if self.data_dir is None:
            return {}
        return {p.name: p for p in sorted(self.data_dir.iterdir())
                if p.is_file() and p.suffix.lower() in UPLOAD_TYPES and _NAME.fullmatch(p.name)
                and p.name != EXAMPLE_DATASET}

    def dataset_names(self) -> list[tuple[str, bool]]:
        """``(name, bundled)`` of every dataset offered; ``example`` first."""
        return [(EXAMPLE_DATASET, True)] + [(n, False) for n in self._folder_data()]

    def dataset(self, name: str, areas: str | None = None,
                location: str = "body.dataset") -> pd.DataFrame:
        """Area data by name: ``example`` (bundled, SYNTHETIC) or a file of the data folder.

        ``areas`` names a bundled area registry (``rotterdam``) that resolves
        area names and CBS codes; it is ignored for ``example``, whose areas are
        resolved already.
        """
        check_name(name, "dataset", location)
        if areas is not None:
            check_name(areas, "area registry", "body.areas")
        if name == EXAMPLE_DATASET:
            return _example_data()
        files = self._folder_data()
        if name not in files:
            names = [n for n, _ in self.dataset_names()]
            hint = close_matches(name, names, list_all=False)
            raise RequestError(404, "UnknownDatasetError",
                               f"no dataset {name!r}; datasets offered: {', '.join(names)}"
                               + (f"; {hint}" if hint else ""), location)
        path = files[name]
        return _read_data_cached(str(path), _mtime(path), areas)

    def _stamp(self, model: str, dataset: str) -> tuple[int, int]:
        """Modification stamps of a model and a dataset (0 for the bundled example)."""
        folder = self._folder_models()
        model_path = folder[model] if model in folder else datasets.bundled_model_path(model)
        data_path = self._folder_data().get(dataset)
        return _mtime(model_path), 0 if data_path is None else _mtime(data_path)

    def named_profile(self, model: str, dataset: str, *, areas: str | None = None,
                      reference: str = "city", year: int | None = None,
                      level: str | None = None, model_location: str = "path.model",
                      data_location: str = "body.dataset"
                      ) -> tuple[FactorModel, pd.DataFrame, Profile]:
        """Model, data and :func:`factormodel.profile` for a named model and dataset.

        Profiles of named datasets are kept (the last 32, keyed by the names, the
        files' modification times and the options), because recommending for
        one wijk needs the profile of every area at its level; uploads are never
        kept.
        """
        m = self.model(model, model_location)
        data = self.dataset(dataset, areas=areas, location=data_location)
        key = (model, dataset, areas, reference, year, level, self._stamp(model, dataset))
        with self._lock:
            prof = self._profiles.get(key)
            if prof is not None:
                self._profiles.move_to_end(key)
                return m, data, prof
        prof = area_profile(m, data, reference=reference, year=year, level=level)
        with self._lock:
            self._profiles[key] = prof
            while len(self._profiles) > 32:
                self._profiles.popitem(last=False)
        return m, data, prof

    def read_upload(self, filename: str | None, content: bytes, areas: str | None = None,
                    location: str = "body.file") -> pd.DataFrame:
        """Read uploaded area data within the limits; the bytes live in a temporary
        directory that is removed before this returns.

        Raises
        ------
        RequestError
            413 beyond ``max_upload_bytes``, 415 for a file type other than
            CSV/XLSX, 422 beyond ``max_rows`` or for an empty file.
        """
        limits = self.limits
        if len(content) > limits.max_upload_bytes:
            raise RequestError(413, "upload_too_large",
                               f"the upload has {len(content):,} bytes; this server accepts at "
                               f"most {limits.max_upload_bytes:,}", location)
        suffix = Path(filename or "").suffix.lower()
        if suffix not in UPLOAD_TYPES:
            raise RequestError(415, "unsupported_file_type",
                               f"{filename or 'the upload'}: expected a file ending in "
                               f"{', '.join(UPLOAD_TYPES)}", location)
        if not content.strip():
            raise RequestError(422, "empty_upload", f"{filename}: the file is empty", location)
        with tempfile.TemporaryDirectory(prefix="factormodel-upload-") as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(content)
            too_many = _data_rows(path, content, limits, location)
            if too_many:
                raise RequestError(422, "too_many_rows",
                                   f"{filename}: {too_many}; this server accepts at most "
                                   f"{limits.max_rows:,}", location)
            try:
                return read_area_data(path, areas=_registry(areas))
            except FactorModelError as exc:
                raise RequestError.located(_renamed(exc, str(path), filename or "upload"),
                                           location) from None

    def read_model_upload(self, filename: str | None, content: bytes,
                          location: str = "body.file") -> FactorModel:
        """Read an uploaded single-file JSON model (never executed; schema-checked)."""
        if len(content) > self.limits.max_upload_bytes:
            raise RequestError(413, "upload_too_large",
                               f"the upload has {len(content):,} bytes; this server accepts at "
                               f"most {self.limits.max_upload_bytes:,}", location)
        if Path(filename or "").suffix.lower() != ".json":
            raise RequestError(415, "unsupported_file_type",
                               f"{filename or 'the upload'}: expected a single-file model "
                               "ending in .json", location)
        with tempfile.TemporaryDirectory(prefix="factormodel-upload-") as tmp:
            path = Path(tmp) / "model.json"
            path.write_bytes(content)
            try:
                return read_model(path)
            except FactorModelError as exc:
                raise _renamed(exc, str(path), filename or "model.json") from None


def _renamed(exc: FactorModelError, tmp_path: str, name: str) -> FactorModelError:
    """The same error with the temporary file's path replaced by the uploaded name."""
    def swap(value: Any) -> Any:  # keeps the codes of messages and places
        if isinstance(value, Message):
            return Message(value.replace(tmp_path, name), value.code, swap(value.fields))
        if isinstance(value, str):
            return value.replace(tmp_path, name)
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    if isinstance(exc, ModelValidationError):
        return ModelValidationError([dataclasses.replace(p, where=swap(p.where),
                                                         fields=swap(p.fields))
                                     for p in exc.problems], exc.source.replace(tmp_path, name))
    out = type(exc)(str(exc).replace(tmp_path, name))
    out.code, out.fields = exc.code, swap(exc.fields)
    return out


def _data_rows(path: Path, content: bytes, limits: Limits, location: str) -> str | None:
    """How many data rows an uploaded table has, in words, when more than allowed (else
    None), counted while reading it (:mod:`.limits`): lines after the header, or a
    worksheet's rows below its header row for XLSX (counting stops at the limit)."""
    if path.suffix != ".xlsx":
        rows = text_rows(content)
        return f"{rows:,} data rows" if rows > limits.max_rows else None
    try:
        xlsx_rows(path, limits)
    except RowLimitExceeded:
        return f"more than {limits.max_rows:,} data rows (counting stopped there)"
    except UnreadableUpload as exc:
        raise RequestError(422, "unreadable_file", f"the upload: {exc.reason}",
                           location) from None
    return None


# --------------------------------------------------------------------------- answers


def is_synthetic(data: pd.DataFrame) -> bool:
    """True if any row of ``data`` is marked ``synthetic`` in a ``status`` column."""
    return bool("status" in data.columns and data["status"].eq("synthetic").any())


def problem_doc(p: Problem, severity: str | None = None) -> dict[str, Any]:
    """One validation problem as JSON: its place and English message, and its ``code`` and
    ``fields`` for client tools (``code`` empty when the problem has none).

    Examples
    --------
    >>> from factormodel.errors import Problem
    >>> problem_doc(Problem("w.csv", "duplicate column header", code="duplicate_header"))
    {'where': 'w.csv', 'message': 'duplicate column header', 'code': 'duplicate_header', \
'fields': {}}
    """
    doc: dict[str, Any] = {} if severity is None else {"severity": severity}
    return doc | {"where": str(p.where), "message": p.message, "code": p.code,
                  "fields": fields_doc(p.fields)}


def fields_doc(fields: dict[str, object]) -> dict[str, Any]:
    """The ``fields`` of an error or problem as JSON for client tools: numbers, strings,
    booleans, lists and None as they are, anything else (a place, a path) as its text.

    Examples
    --------
    >>> from pathlib import Path
    >>> fields_doc({"name": "X", "n": 2, "path": Path("w.csv"), "x": float("nan")})
    {'name': 'X', 'n': 2, 'path': 'w.csv', 'x': None}
    """
    return json_safe({k: v if isinstance(v, int | float | str | bool | list | None) else str(v)
                      for k, v in fields.items()})


def model_detail_doc(model: FactorModel, origin: str) -> dict[str, Any]:
    """Model metadata, summary, nodes and edges as JSON values."""
    nodes = model.nodes.reset_index()
    return json_safe({"name": model.name, "origin": origin,
                     "metadata": model.metadata.to_dict(), "summary": model.summary(),
                     "nodes": nodes, "edges": model.edges,
                     "warnings": [problem_doc(p) for p in model.warnings]})


def validation_doc(load: Any, name: str) -> dict[str, Any]:
    """Load a model with ``load()`` and report validity with every problem or warning."""
    import warnings

    from factormodel.errors import ModelWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)  # reported from model.warnings
            model = load()
    except ModelValidationError as exc:
        return {"name": name, "valid": False, "source": exc.source,
                "problems": [problem_doc(p, "error") for p in exc.problems]}
    return {"name": name, "valid": True, "source": model.name,
            "problems": [problem_doc(p, "warning") for p in model.warnings]}


def effects_doc(model: FactorModel, *, alpha: float, targets: list[str] | None
                ) -> dict[str, Any]:
    """Total effects ``T[source, target]`` as ``{source: {target: value}}``."""
    T = total_effects(model, alpha=alpha, targets=targets or list(model.outcomes))
    return {"model": model.name, "status": model.metadata.status, "alpha": alpha,
            "units": "SD of target per SD of source",
            "targets": [str(c) for c in T.columns],
            "effects": {str(s): json_safe(row) for s, row in T.iterrows()}}


def propagation_doc(model: FactorModel, result: PropagationResult | FCMResult
                    ) -> dict[str, Any]:
    """A propagation as the CLI's ``--format json`` gives it, plus ``deltas`` and
    ``outcomes`` as ``{node: value}``."""
    status = result.status.reset_index() if isinstance(result, FCMResult) else None
    doc: dict[str, Any] = {
        "model": model.name, "status": model.metadata.status, **result.settings,
        "deltas": result.deltas, "outcomes": result.outcomes, "nodes": result.to_frame(),
        "fcm_status": status}
    return json_safe(doc)


def run_propagation(model: FactorModel, deltas: Mapping[str, float], *, method: str,
                    clamp: bool, alpha: float, max_hops: int | None
                    ) -> PropagationResult | FCMResult:
    """:func:`factormodel.propagate` with the options the API exposes."""
    if method == "fcm":
        return propagate(model, dict(deltas), method="fcm")
    return propagate(model, dict(deltas), clamp=clamp, alpha=alpha, max_hops=max_hops)


def area_profile(model: FactorModel, data: pd.DataFrame, *, reference: str,
                 year: int | None, level: str | None) -> Profile:
    """:func:`factormodel.profile` (areas x nodes, SD, with its reference)."""
    return profile(model, data, reference=reference, year=year, level=level)


def _head(model: FactorModel, prof: Profile) -> dict[str, Any]:
    return {"model": model.name, "status": model.metadata.status, "year": prof.year,
            "reference": prof.reference, "level": prof.level,
            "synthetic_data": bool(prof.synthetic)}


def profile_doc(model: FactorModel, prof: Profile, area: str | None) -> dict[str, Any]:
    """A profile as JSON: one area (deltas, index, coverage) or all areas (deltas)."""
    head = {**_head(model, prof),
            "units": "SD against the reference; index 100 = reference, higher = better"}
    if area is None:
        return json_safe({**head, "area": None, "areas": [str(a) for a in prof.index],
                          "deltas": {str(a): row for a, row in prof.deltas.iterrows()},
                          "index": None, "coverage": None})
    row = prof.row(area)
    return json_safe({**head, "area": area, "areas": [area], "deltas": {area: row},
                      "index": {area: profile_index(model, prof).loc[area]},
                      "coverage": {area: coverage(model, prof).loc[area]}})


def profile_index_row(model: FactorModel, prof: Profile, area: str) -> pd.Series:
    """:func:`factormodel.profile_index` of one area (100 = reference, higher = better)."""
    return profile_index(model, prof).loc[area]


def goals_of(outcomes: Mapping[str, float], goals: Sequence[str] = ()) -> list[Goal]:
    """The request's goals: ``'node:change…'`` texts (as on the command line) and
    ``{node: priority}``, as :class:`factormodel.Goal` objects for the library."""
    out = [read_goal(text) for text in goals]  # '2% minder' is asked, not guessed
    out += [Goal(str(k), priority=v) for k, v in outcomes.items()]
    if not out:
        raise InvalidParameterError("choose at least one goal: 'outcomes' {node: priority} "
                                    "or 'goals' ['node:change…']")
    return out


def recommendation_frame(model: FactorModel, prof: Profile, outcomes: Mapping[str, float],
                         *, area: str, top: int, alpha: float, goals: Sequence[str] = ()
                         ) -> Recommendation:
    """:func:`factormodel.recommend` for one area."""
    prof.row(area)
    return recommend(model, prof, goals_of(outcomes, goals), area=area, top=top, alpha=alpha)


def recommendation_doc(model: FactorModel, rec: Recommendation, prof: Profile, area: str,
                       outcomes: Mapping[str, float], goals: Sequence[str] = ()
                       ) -> dict[str, Any]:
    """A recommendation as JSON: the ranked (and flagged unmeasured) factors."""
    return json_safe({**_head(model, prof), "area": area,
                      "outcomes": {str(k): float(v) for k, v in outcomes.items()},
                      "goals": list(goals), "factors": rec.table})


def run_portfolio(model: FactorModel, prof: Profile, outcomes: Mapping[str, float], *,
                  area: str, budget: float, population: float | None, one_per_factor: bool,
                  required_phases: list[str], required_settings: list[str],
                  cap_at_room: bool, alpha: float, goals: Sequence[str] = (),
                  population_is_young: bool = False) -> Portfolio:
    """:func:`factormodel.optimize_portfolio` with the model's own intervention catalogue;
    the population comes from the data unless given. As on the command line and in the
    wijkrapport, a goal's age group limits the portfolio to interventions for those life
    phases (:func:`factormodel.goal_phases`)."""
    chosen = goals_of(outcomes, goals)
    young = young_people(prof, area, number=population, ages=ages_of(chosen),
                         column_is_young=population_is_young)  # never a guess
    return optimize_portfolio(model, prof, load_interventions(model), budget=budget,
                              outcomes=chosen, population=young, area=area,
                              one_per_factor=one_per_factor, required_phases=required_phases,
                              required_settings=required_settings, cap_at_room=cap_at_room,
                              alpha=alpha, phases=goal_phases(chosen))


#: Rendered wijkrapporten kept in memory (about 0.2 MB each), by what they are made of.
REPORT_CACHE_SIZE = 32
_REPORTS: OrderedDict[tuple, str] = OrderedDict()
_REPORTS_LOCK = threading.Lock()
#: Reports being rendered, by the same key: a request for one of them waits for it.
_RENDERING: dict[tuple, Future] = {}


def _data_digest(data: pd.DataFrame) -> str:
    """SHA-256 of a table's cells, index, columns and attributes (its content, not its id)."""
    h = hashlib.sha256(pd.util.hash_pandas_object(data, index=True).to_numpy().tobytes())
    h.update(repr((list(map(str, data.columns)), sorted(data.attrs.items(), key=str)))
             .encode("utf-8"))
    return h.hexdigest()


def wijkrapport(model: FactorModel, data: pd.DataFrame, area: str,
                outcomes: Mapping[str, float], goals: Sequence[str] = (), *,
                budget: float | None, lang: str, reference: str = "city",
                year: int | None = None, level: str | None = None,
                n_draws: int = DEFAULT_OPTIONS.n_draws,
                data_source: str | None = None, population: float | None = None,
                queue: RenderQueue | None = None) -> str:
    """:func:`factormodel.report` as one self-contained HTML string (``population``: the
    area's, for the portfolio, when the data do not give it).

    The report is a pure function of its inputs (its Monte Carlo is seeded) and of the
    day it is dated, so the last ``REPORT_CACHE_SIZE`` are kept by content -- the model
    (compared by content), a digest of the data, every option and today's date -- and a
    report asked for again is not rendered again (about 0.5 s of CPU each, most of it
    drawing the figures). A request for a report that is being rendered waits for that
    render and gets its answer. A new render takes its turn in ``queue``
    (:class:`.renders.RenderQueue`, the workspace's): when that is full the request is
    refused at once with a 503 ``RequestError`` carrying ``Retry-After``.

    Raises
    ------
    RequestError
        503 ``busy`` when the render queue is full.
    """
    key = (model, _data_digest(data), area, tuple(sorted(outcomes.items())), tuple(goals),
           budget, lang, reference, year, level, n_draws, data_source, population,
           date.today().isoformat())
    with _REPORTS_LOCK:
        if key in _REPORTS:
            _REPORTS.move_to_end(key)
            return _REPORTS[key]
        pending = _RENDERING.get(key)
        leader = pending is None
        if pending is None:
            pending = _RENDERING[key] = Future()
    if not leader:
        return pending.result()  # the same answer as the render in flight, errors included
    try:
        html = (queue.call if queue is not None else _call)(
            render_report, model, data, area, goals_of(outcomes, goals), budget=budget,
            lang=lang, reference=reference, year=year, level=level, n_draws=n_draws,
            data_source=data_source, population=population)
    except Busy as exc:
        refused = _busy(exc, lang)
        pending.set_exception(refused)
        raise refused from None
    except BaseException as exc:
        pending.set_exception(exc)
        raise
    finally:
        with _REPORTS_LOCK:
            if not pending.done():
                _REPORTS[key] = html
                while len(_REPORTS) > REPORT_CACHE_SIZE:
                    _REPORTS.popitem(last=False)
            del _RENDERING[key]
    pending.set_result(html)
    return html


def render_report(model: FactorModel, data: pd.DataFrame, area: str, goals: Any,
                  **options: Any) -> str:
    """:func:`factormodel.report` as an HTML string (what a render process runs)."""
    return str(report(model, data, area, goals, **options))


def _call(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


def _busy(exc: Busy, lang: str) -> RequestError:
    """The 503 answer of a full render queue, in the report's language."""
    seconds = exc.retry_after
    detail = (f"de server maakt nu {exc.rendering + exc.waiting} wijkrapport(en) en er kunnen "
              f"er niet meer wachten; vraag het rapport over {seconds} seconden opnieuw aan"
              if lang == "nl" else
              f"the server is making {exc.rendering + exc.waiting} report(s) and no more can "
              f"wait; ask for the report again in {seconds} seconds")
    return RequestError(503, "busy", detail, None, headers={"Retry-After": str(seconds)})


def report_filename(area: str) -> str:
    """A safe download name for an area's report."""
    return "wijkrapport-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", area).strip("-") or "wijk") + ".html"


def portfolio_doc(model: FactorModel, p: Portfolio, prof: Profile,
                  outcomes: Mapping[str, float], goals: Sequence[str] = ()) -> dict[str, Any]:
    """A portfolio as JSON: every attribute of :class:`factormodel.Portfolio`."""
    return json_safe({**_head(model, prof),
                      "outcomes": {str(k): float(v) for k, v in outcomes.items()},
                      "goals": list(goals),
                      **p.to_dict()})


def wijkanalyse(model: FactorModel, prof: Profile, area: str, outcomes: Mapping[str, float],
                goals: Sequence[str] = (), *, budget: float | None,
                population: float | None, top: int) -> tuple[WijkAnalysis, YoungPeople | None]:
    """The one wijk analysis (:func:`factormodel.analyse`) of the page, with the young
    people its portfolio is for (given, or the data's column of young people, for the
    goals' age group; never a column of all residents), as the wijkrapport computes it."""
    chosen = goals_of(outcomes, goals)
    young = None if budget is None else young_people(prof, area, number=population,
                                                     ages=ages_of(chosen))
    a = analyse(model, None, area, chosen, budget=budget,
                population=None if young is None else young.number, prof=prof,
                options=DEFAULT_OPTIONS.with_(top=top))
    return a, young


def wijkanalyse_doc(model: FactorModel, data: pd.DataFrame, prof: Profile, area: str,
                    outcomes: Mapping[str, float], goals: Sequence[str] = (), *,
                    budget: float | None, population: float | None, one_per_factor: bool,
                    top: int, alpha: float, n_draws: int, seed: int, reference: str,
                    year: int | None, level: str | None) -> dict[str, Any]:
    """The one wijk analysis (:func:`factormodel.analyse`) as the API's JSON document."""
    a = analyse(model, data, area, goals_of(outcomes, goals), budget=budget,
                population=population, prof=prof,
                options=DEFAULT_OPTIONS.with_(one_per_factor=one_per_factor, top=top,
                                              alpha=alpha, n_draws=n_draws, seed=seed,
                                              reference=reference, year=year, level=level))
    return a.to_dict()
