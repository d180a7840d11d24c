"""factormodel: Rotterdam's Factorenmodel Jeugd as working, testable software.

A model is a weighted directed graph from risk and protective factors to
maatschappelijke resultaten (outcomes). Algorithms are plain functions over an
immutable :class:`FactorModel`.

``import factormodel`` is fast: every public name below is imported from its
module on first use (PEP 562 module ``__getattr__``), so scipy.stats,
scipy.optimize, networkx, matplotlib and the exporters load only when a
function that needs them is called. ``dir(factormodel)`` and ``__all__`` list
every public name as before.

Examples
--------
>>> import factormodel as fm
>>> fm.list_models()
['ctc', 'rotterdam-jeugd', 'toy']
>>> m = fm.load_model("toy")
>>> m.outcomes
('vsv', 'schoolsucces')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from factormodel.errors import (
    AmbiguousNameError,
    DataError,
    FactorModelError,
    InvalidArgumentTypeError,
    InvalidDeltaError,
    InvalidParameterError,
    MissingDependencyError,
    ModelFileError,
    ModelValidationError,
    ModelWarning,
    NotConvergentError,
    OfflineError,
    PlanMismatchError,
    Problem,
    UnknownAreaError,
    UnknownEdgeError,
    UnknownIndicatorError,
    UnknownModelError,
    UnknownNodeError,
    UnknownTableError,
)

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time these load lazily
    from factormodel import vocab
    from factormodel.analysis import goals, portfolio, words
    from factormodel.analysis.columns import (
        ColumnMapping,
        ColumnProposal,
        propose_columns,
        read_columns,
    )
    from factormodel.analysis.evidence import EvidenceSummary, evidence_summary
    from factormodel.analysis.goals import (
        Goal,
        RequiredChange,
        goal_phases,
        parse_goal,
        required_change,
        required_changes,
        resolve_goal,
    )
    from factormodel.analysis.importance import (
        feedback_loops,
        graph_indices,
        leverage,
        node_indices,
    )
    from factormodel.analysis.indicators import (
        Profile,
        as_catalogue,
        combine_profiles,
        coverage,
        indicator_table,
        load_example_indicators,
        load_indicators,
        profile,
        profile_index,
        to_indicator_units,
    )
    from factormodel.analysis.portfolio import Portfolio, load_interventions, optimize_portfolio
    from factormodel.analysis.recommend import factor_gains, gap_effects, recommend
    from factormodel.analysis.uncertainty import (
        MonteCarloResult,
        draw_weights,
        monte_carlo,
        sensitivity,
    )
    from factormodel.analysis.words import parse_number, resolve_indicator, resolve_node
    from factormodel.core import fcm, units
    from factormodel.core.coherence import implied_correlations, implied_r2
    from factormodel.core.effects import (
        decompose_effects,
        mediation,
        strongest_paths,
        total_effects,
    )
    from factormodel.core.model import FactorModel, ModelMetadata
    from factormodel.core.propagate import PropagationResult, propagate
    from factormodel.estimation.calibrate import calibrate, calibrate_sem, calibration_table
    from factormodel.estimation.estimate import Backtest, Estimate, backtest, estimate_weights
    from factormodel.estimation.fitting import CorrelationFit, fit_to_correlations
    from factormodel.estimation.sem import SEMFit
    from factormodel.estimation.validation import Validation, validate
    from factormodel.estimation.weights import Comparison, aggregate_weights, compare
    from factormodel.files import exchange
    from factormodel.files.cbs import fetch_cbs
    from factormodel.files.datasets import list_models
    from factormodel.files.folders import (
        export_model,
        load_areas,
        load_example_data,
        load_model,
        model_hash,
        model_schema,
        read_area_data,
        read_deltas,
        read_edge_list,
        read_fcm_matrix,
        read_model,
        read_weight_table,
        write_model,
    )
    from factormodel.render import plot
    from factormodel.render.plot import (
        plot_contributions,
        plot_graph,
        plot_heatmap,
        plot_outcome,
        plot_profile,
        plot_recommendation,
        plot_tornado,
        plot_validation,
    )
    from factormodel.render.report import report
    from factormodel.render.voortgang import progress_report
    from factormodel.workflow.evaluation import PlanEvaluation, evaluate_plan
    from factormodel.workflow.progress import Progress, progress_template, read_progress
    from factormodel.workflow.wijkanalyse import DEFAULT_OPTIONS, Options, WijkAnalysis, analyse
    from factormodel.workflow.wijkplan import Wijkplan, check_plan, plan_from_portfolio, plan_schema

__version__ = "0.1.0"

#: Public modules reachable as ``fm.<name>``: name -> module path in the package.
_MODULES: dict[str, str] = {
    "columns": "analysis.columns", "evaluation": "workflow.evaluation",
    "evidence": "analysis.evidence", "exchange": "files.exchange", "fcm": "core.fcm",
    "goals": "analysis.goals", "plot": "render.plot", "portfolio": "analysis.portfolio",
    "units": "core.units", "vocab": "vocab", "words": "analysis.words",
}
#: Where each lazily imported public name lives: name -> module path in the package.
#: The one lazy mechanism.
_LAZY: dict[str, str] = {
    **dict.fromkeys(["ColumnMapping", "ColumnProposal", "propose_columns", "read_columns"],
                    "analysis.columns"),
    **dict.fromkeys(["Goal", "RequiredChange", "goal_phases", "parse_goal", "required_change",
                     "required_changes", "resolve_goal"], "analysis.goals"),
    **dict.fromkeys(["parse_number", "resolve_indicator", "resolve_node"], "analysis.words"),
    **dict.fromkeys(["calibrate", "calibrate_sem", "calibration_table"], "estimation.calibrate"),
    "SEMFit": "estimation.sem",
    "fetch_cbs": "files.cbs",
    "list_models": "files.datasets",
    **dict.fromkeys(["decompose_effects", "mediation", "strongest_paths", "total_effects"],
                    "core.effects"),
    **dict.fromkeys(["implied_correlations", "implied_r2"], "core.coherence"),
    **dict.fromkeys(["Backtest", "Estimate", "backtest", "estimate_weights"],
                    "estimation.estimate"),
    **dict.fromkeys(["CorrelationFit", "fit_to_correlations"], "estimation.fitting"),
    **dict.fromkeys(["EvidenceSummary", "evidence_summary"], "analysis.evidence"),
    **dict.fromkeys(["feedback_loops", "graph_indices", "leverage", "node_indices"],
                    "analysis.importance"),
    **dict.fromkeys(["Profile", "as_catalogue", "combine_profiles", "coverage",
                    "indicator_table", "load_example_indicators", "load_indicators", "profile",
                    "profile_index",
                    "to_indicator_units"], "analysis.indicators"),
    **dict.fromkeys(["export_model", "load_areas", "load_example_data", "load_model",
                    "model_hash", "model_schema", "read_area_data", "read_deltas",
                    "read_edge_list",
                    "read_fcm_matrix", "read_model", "read_weight_table", "write_model"],
                    "files.folders"),
    **dict.fromkeys(["FactorModel", "ModelMetadata"], "core.model"),
    **dict.fromkeys(["plot_contributions", "plot_graph", "plot_heatmap", "plot_outcome",
                    "plot_profile", "plot_recommendation", "plot_tornado", "plot_validation"],
                    "render.plot"),
    **dict.fromkeys(["Portfolio", "load_interventions", "optimize_portfolio"],
                    "analysis.portfolio"),
    **dict.fromkeys(["PropagationResult", "propagate"], "core.propagate"),
    **dict.fromkeys(["factor_gains", "gap_effects", "recommend"], "analysis.recommend"),
    "report": "render.report",
    **dict.fromkeys(["MonteCarloResult", "draw_weights", "monte_carlo", "sensitivity"],
                    "analysis.uncertainty"),
    **dict.fromkeys(["Validation", "validate"], "estimation.validation"),
    **dict.fromkeys(["Comparison", "aggregate_weights", "compare"], "estimation.weights"),
    **dict.fromkeys(["DEFAULT_OPTIONS", "Options", "WijkAnalysis", "analyse"],
                    "workflow.wijkanalyse"),
    **dict.fromkeys(["Wijkplan", "check_plan", "plan_from_portfolio",
                     "plan_schema"], "workflow.wijkplan"),
    **dict.fromkeys(["Progress", "progress_template", "read_progress"], "workflow.progress"),
    **dict.fromkeys(["PlanEvaluation", "evaluate_plan"], "workflow.evaluation"),
    "progress_report": "render.voortgang",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    if name in _MODULES:
        value = importlib.import_module(f".{_MODULES[name]}", __name__)
    elif name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "DEFAULT_OPTIONS",
    "AmbiguousNameError",
    "Backtest",
    "ColumnMapping",
    "ColumnProposal",
    "Comparison",
    "CorrelationFit",
    "DataError",
    "Estimate",
    "EvidenceSummary",
    "FactorModel",
    "FactorModelError",
    "Goal",
    "InvalidArgumentTypeError",
    "InvalidDeltaError",
    "InvalidParameterError",
    "MissingDependencyError",
    "ModelFileError",
    "ModelMetadata",
    "ModelValidationError",
    "ModelWarning",
    "MonteCarloResult",
    "NotConvergentError",
    "OfflineError",
    "Options",
    "PlanEvaluation",
    "PlanMismatchError",
    "Portfolio",
    "Problem",
    "Profile",
    "Progress",
    "PropagationResult",
    "RequiredChange",
    "SEMFit",
    "UnknownAreaError",
    "UnknownEdgeError",
    "UnknownIndicatorError",
    "UnknownModelError",
    "UnknownNodeError",
    "UnknownTableError",
    "Validation",
    "WijkAnalysis",
    "Wijkplan",
    "aggregate_weights",
    "analyse",
    "as_catalogue",
    "backtest",
    "calibrate",
    "calibrate_sem",
    "calibration_table",
    "check_plan",
    "combine_profiles",
    "compare",
    "coverage",
    "decompose_effects",
    "draw_weights",
    "estimate_weights",
    "evaluate_plan",
    "evaluation",
    "evidence",
    "evidence_summary",
    "exchange",
    "export_model",
    "factor_gains",
    "fcm",
    "feedback_loops",
    "fetch_cbs",
    "fit_to_correlations",
    "gap_effects",
    "goal_phases",
    "goals",
    "graph_indices",
    "implied_correlations",
    "implied_r2",
    "indicator_table",
    "leverage",
    "list_models",
    "load_areas",
    "load_example_data",
    "load_example_indicators",
    "load_indicators",
    "load_interventions",
    "load_model",
    "mediation",
    "model_hash",
    "model_schema",
    "monte_carlo",
    "node_indices",
    "optimize_portfolio",
    "parse_goal",
    "parse_number",
    "plan_from_portfolio",
    "plan_schema",
    "plot",
    "plot_contributions",
    "plot_graph",
    "plot_heatmap",
    "plot_outcome",
    "plot_profile",
    "plot_recommendation",
    "plot_tornado",
    "plot_validation",
    "portfolio",
    "profile",
    "profile_index",
    "progress_report",
    "progress_template",
    "propagate",
    "propose_columns",
    "read_area_data",
    "read_columns",
    "read_deltas",
    "read_edge_list",
    "read_fcm_matrix",
    "read_model",
    "read_progress",
    "read_weight_table",
    "recommend",
    "report",
    "required_change",
    "required_changes",
    "resolve_goal",
    "resolve_indicator",
    "resolve_node",
    "sensitivity",
    "strongest_paths",
    "to_indicator_units",
    "total_effects",
    "units",
    "validate",
    "vocab",
    "words",
    "write_model",
]
