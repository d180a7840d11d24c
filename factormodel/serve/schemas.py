"""Typed request and response bodies of the JSON API (pydantic models).

They document the API in its OpenAPI description and check every request before
any computation. Numbers that the library reports as NaN or infinite (an
unmeasured factor, an undefined ratio) are ``null`` in JSON.

Row models (nodes, edges, ranked factors, ...) list the columns the library
returns today and allow extra ones, so that a column the library adds later is
passed through rather than silently dropped. Requests forbid unknown fields, so
a misspelt option is an error, not ignored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from factormodel.serve.limits import (
    MAX_DRAWS,
    MAX_ENTRIES,
    MAX_GOAL,
    MAX_HOPS,
    MAX_NAME,
    MAX_TOP,
    MIN_DRAWS,
)
from factormodel.workflow.wijkanalyse import DEFAULT_OPTIONS

Number = float | None
#: A name in a request (area, node, dataset, registry): at most MAX_NAME characters.
Name = Annotated[str, StringConstraints(max_length=MAX_NAME)]
GoalText = Annotated[str, StringConstraints(max_length=MAX_GOAL)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Row(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorResponse(BaseModel):
    """Every error: a short code, what is wrong, and where in the request."""

    error: str = Field(description="short machine-readable code, e.g. UnknownAreaError")
    detail: str = Field(description="what is wrong and what was expected")
    location: str | None = Field(None, description="part of the request, e.g. body.area")
    problems: list[dict[str, Any]] | None = Field(
        None, description="every problem found (model and data validation): where, message, "
                          "and its code and fields for client tools")
    code: str | None = Field(
        None, description="stable code of a library error (e.g. no_data_for_year, "
                          "unknown_area) for client tools; the detail is its English wording")
    fields: dict[str, Any] | None = Field(
        None, description="the names, numbers and places the library error's message was "
                          "made from (e.g. {\"year\": 2020, \"years\": \"2022, 2023\"})")


# --------------------------------------------------------------------------- models


class ModelInfo(BaseModel):
    name: str
    origin: Literal["bundled", "folder"]
    status: str = Field(description="official, reconstruction, illustrative or invalid")
    version: str
    nodes: int
    factors: int
    outcomes: int
    edges: int
    description: str


class ModelList(BaseModel):
    models: list[ModelInfo]


class NodeRow(_Row):
    id: str
    kind: str
    setting: str
    label_nl: str
    label_en: str


class EdgeRow(_Row):
    source: str
    target: str
    weight: float
    strength: str | None = None
    source_ref: str | None = None


class ModelDetail(BaseModel):
    name: str
    origin: Literal["bundled", "folder"]
    metadata: dict[str, Any]
    summary: dict[str, Any]
    nodes: list[NodeRow]
    edges: list[EdgeRow]
    warnings: list[dict[str, Any]]


class ValidationProblem(BaseModel):
    severity: Literal["error", "warning"]
    where: str
    message: str
    code: str = Field("", description="stable code of the problem for client tools (empty "
                                      "when it has none); the message is its English wording")
    fields: dict[str, Any] = Field(default_factory=dict,
                                   description="the names and numbers the message was made "
                                               "from")


class ValidationReport(BaseModel):
    name: str
    valid: bool
    source: str
    problems: list[ValidationProblem]


class Effects(BaseModel):
    model: str
    status: str
    alpha: float
    units: str
    targets: list[str]
    effects: dict[str, dict[str, Number]] = Field(
        description="total effect T[source][target] (sum over all paths)")


# --------------------------------------------------------------------------- propagate


class PropagateRequest(_Request):
    deltas: dict[Name, float] = Field(
        max_length=MAX_ENTRIES,
        description="node id -> delta in SD, e.g. {\"schoolverzuim\": -0.5}",
        examples=[{"schoolverzuim": -0.5}])
    method: Literal["linear", "fcm"] = "linear"
    clamp: bool = Field(True, description="hold the given nodes (cut their incoming edges)")
    alpha: float = Field(1.0, ge=0, description="per-hop attenuation (linear)")
    max_hops: int | None = Field(None, ge=0, le=MAX_HOPS,
                                 description="longest path counted (linear)")


class PropagationNode(_Row):
    node: str
    role: str
    kind: str
    delta: Number


class Propagation(BaseModel):
    model: str
    status: str
    method: str
    clamp: bool
    alpha: float | None = Field(description="null for FCM runs")
    max_hops: int | None
    units: str
    deltas: dict[str, Number] = Field(description="every node's predicted change")
    outcomes: dict[str, Number]
    nodes: list[PropagationNode] = Field(description="as the CLI's --format json: node, "
                                                    "delta, role, kind")
    fcm_status: list[dict[str, Any]] | None = Field(
        None, description="FCM only: per run (baseline first) convergence, iterations, ...")


# --------------------------------------------------------------------------- data


class DatasetInfo(BaseModel):
    name: str
    bundled: bool
    synthetic: bool | None = Field(
        None, description="true when the rows are marked synthetic; null until read")


class DatasetList(BaseModel):
    datasets: list[DatasetInfo]


class DatasetDetail(BaseModel):
    name: str
    synthetic: bool
    years: list[int]
    levels: dict[str, list[str]] = Field(description="level -> area names")
    indicators: list[str]


class DataRequest(_Request):
    dataset: Name = Field("example", description="'example' (bundled, SYNTHETIC) or a file "
                                                "name from the server's data folder; ignored "
                                                "by the /upload endpoints")
    areas: Name | None = Field(None, description="bundled area registry resolving names and "
                                                "CBS codes (e.g. 'rotterdam')")
    year: int | None = Field(None, description="default: the latest year in the data")
    reference: Literal["city", "previous_year", "target"] = "city"
    level: Name | None = Field(None, description="area level, e.g. wijk or gebied "
                                                "(default: the finest)")


class ProfileRequest(DataRequest):
    area: Name | None = Field(None, description="one area; all areas when omitted",
                             examples=["Oud-Crooswijk"])


class Profile(BaseModel):
    model: str
    status: str
    year: int | None
    reference: str | None
    level: str | None
    synthetic_data: bool
    units: str
    area: str | None
    areas: list[str]
    deltas: dict[str, dict[str, Number]] = Field(description="area -> node -> delta (SD); "
                                                            "null = not measured")
    index: dict[str, dict[str, Number]] | None
    coverage: dict[str, dict[str, Any]] | None


class RecommendRequest(DataRequest):
    area: Name = Field(description="the area (wijk) to recommend for",
                       examples=["Oud-Crooswijk"])
    outcomes: dict[Name, float] = Field(
        default_factory=dict, max_length=MAX_ENTRIES,
        description="maatschappelijke resultaten (any node or indicator id or label) -> priority",
        examples=[{"vsv": 2, "schoolsucces": 1}])
    goals: list[GoalText] = Field(
        default_factory=list, max_length=MAX_ENTRIES,
        description="maatschappelijke resultaten as the command line writes them: "
                    "'node:change[unit][:years][:group]', e.g. 'schoolverzuim:-2pp:3j:12-18'",
        examples=[["schoolverzuim:-2pp:3j"]])

    @model_validator(mode="after")
    def _at_least_one_goal(self) -> RecommendRequest:
        if not self.outcomes and not self.goals:
            raise ValueError("choose at least one goal: 'outcomes' {node: priority} or "
                             "'goals' ['node:change…']")
        return self
    top: int = Field(5, ge=1, le=MAX_TOP)
    alpha: float = Field(1.0, ge=0)


class RankedFactor(_Row):
    rank: int | None = Field(description="1, 2, ...; null for unmeasured factors (flagged)")
    factor: str
    status: str
    score: Number
    expected_improvement: Number
    room: Number
    gain: Number
    evidence: Number
    delta: Number
    label_nl: str
    label_en: str
    explanation_nl: str
    explanation_en: str


class _AreaAnswer(BaseModel):
    """What every per-area answer starts with: model, area, reference and the goals."""

    model: str
    status: str
    area: str
    year: int | None
    reference: str | None
    level: str | None
    synthetic_data: bool
    outcomes: dict[str, float]
    goals: list[str] = []


class Recommendation(_AreaAnswer):
    factors: list[RankedFactor]


class ReportRequest(RecommendRequest):
    budget: float | None = Field(None, ge=0, description="money available (EUR); with it the "
                                                         "report contains a portfolio")
    lang: Literal["nl", "en"] = "nl"
    n_draws: int = Field(DEFAULT_OPTIONS.n_draws, ge=MIN_DRAWS, le=MAX_DRAWS,
                         description="Monte Carlo weight draws")


class AnalyseRequest(ReportRequest):
    population: float | None = Field(None, gt=0, description="young people in the area "
                                                             "(default: from the data)")
    one_per_factor: bool = DEFAULT_OPTIONS.one_per_factor
    seed: int = DEFAULT_OPTIONS.seed


class PortfolioRequest(RecommendRequest):
    budget: float = Field(ge=0, description="money available (the catalogue's currency, EUR)")
    population: float | None = Field(None, gt=0, description="young people in the area "
                                                             "(default: the data's column of "
                                                             "young people, never 'inwoners')")
    population_is_young: bool = Field(False, description="the data's population column (e.g. "
                                                         "'inwoners') counts the young people")
    one_per_factor: bool = DEFAULT_OPTIONS.one_per_factor  # the one default (fm.Options)
    required_phases: list[Name] = Field(default_factory=list, max_length=MAX_ENTRIES)
    required_settings: list[Name] = Field(default_factory=list, max_length=MAX_ENTRIES)
    cap_at_room: bool = False


class Portfolio(_AreaAnswer):
    budget: Number
    total_cost: Number
    improvement_sd: Number
    chosen: list[dict[str, Any]]
    left_out: list[dict[str, Any]]
    factor_changes_sd: dict[str, Number]
    outcome_changes_sd: dict[str, Number]
    outcome_changes_units: list[dict[str, Any]]
    constraints: dict[str, Any]
    budget_left: Number
    young_people: dict[str, Any] | None
