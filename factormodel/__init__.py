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
import sys
import types
from typing import TYPE_CHECKING, Any

from .errors import (
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
    from . import exchange, fcm, goals, plot, portfolio, units, vocab, words
    from .calibrate import calibrate, calibrate_sem, calibration_table
    from .cbs import fetch_cbs
    from .coherence import implied_correlations, implied_r2
    from .columns import ColumnMapping, ColumnProposal, propose_columns, read_columns
    from .datasets import list_models
    from .effects import decompose_effects, mediation, strongest_paths, total_effects
    from .estimate import Backtest, Estimate, backtest, estimate_weights
    from .evaluation import PlanEvaluation, evaluate_plan
    from .evidence import EvidenceSummary, evidence_summary
    from .fitting import CorrelationFit, fit_to_correlations
    from .goals import (
        Goal,
        RequiredChange,
        goal_phases,
        parse_goal,
        required_change,
        required_changes,
        resolve_goal,
    )
    from .importance import feedback_loops, graph_indices, leverage, node_indices
    from .indicators import (
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
    from .io import (
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
    from .model import FactorModel, ModelMetadata
    from .plot import (
        plot_contributions,
        plot_graph,
        plot_heatmap,
        plot_outcome,
        plot_profile,
        plot_recommendation,
        plot_tornado,
        plot_validation,
    )
    from .portfolio import Portfolio, load_interventions, optimize_portfolio
    from .progress import Progress, progress_template, read_progress
    from .propagate import PropagationResult, propagate
    from .recommend import Recommendation, factor_gains, gap_effects, recommend
    from .report import report
    from .sem import SEMFit
    from .uncertainty import MonteCarloResult, draw_weights, monte_carlo, sensitivity
    from .validation import Validation, validate
    from .voortgang import progress_report
    from .weights import Comparison, aggregate_weights, compare
    from .wijkplan import (
        Wijkplan,
        check_plan,
        plan_from_portfolio,
        plan_schema,
    )
    from .words import parse_number, resolve_indicator, resolve_node
    from .workflow import DEFAULT_OPTIONS, Options, WijkAnalysis, analyse

__version__ = "0.1.0"

#: Where each lazily imported public name lives: name -> submodule (a submodule
#: itself when the name is the submodule's own name). The one lazy mechanism.
_LAZY: dict[str, str] = {
    **dict.fromkeys(["ColumnMapping", "ColumnProposal", "propose_columns", "read_columns"],
                    "columns"),
    **dict.fromkeys(["columns", "evaluation", "evidence", "exchange", "fcm", "goals", "plot",
                     "portfolio", "units", "vocab", "words"], ""),
    **dict.fromkeys(["Goal", "RequiredChange", "goal_phases", "parse_goal", "required_change",
                     "required_changes", "resolve_goal"], "goals"),
    **dict.fromkeys(["parse_number", "resolve_indicator", "resolve_node"], "words"),
    **dict.fromkeys(["calibrate", "calibrate_sem", "calibration_table"], "calibrate"),
    "SEMFit": "sem",
    "fetch_cbs": "cbs",
    "list_models": "datasets",
    **dict.fromkeys(["decompose_effects", "mediation", "strongest_paths", "total_effects"],
                    "effects"),
    **dict.fromkeys(["implied_correlations", "implied_r2"], "coherence"),
    **dict.fromkeys(["Backtest", "Estimate", "backtest", "estimate_weights"], "estimate"),
    **dict.fromkeys(["CorrelationFit", "fit_to_correlations"], "fitting"),
    **dict.fromkeys(["EvidenceSummary", "evidence_summary"], "evidence"),
    **dict.fromkeys(["feedback_loops", "graph_indices", "leverage", "node_indices"],
                    "importance"),
    **dict.fromkeys(["Profile", "as_catalogue", "combine_profiles", "coverage",
                    "indicator_table", "load_example_indicators", "load_indicators", "profile",
                    "profile_index",
                    "to_indicator_units"], "indicators"),
    **dict.fromkeys(["export_model", "load_areas", "load_example_data", "load_model",
                    "model_hash", "model_schema", "read_area_data", "read_deltas",
                    "read_edge_list",
                    "read_fcm_matrix", "read_model", "read_weight_table", "write_model"], "io"),
    **dict.fromkeys(["FactorModel", "ModelMetadata"], "model"),
    **dict.fromkeys(["plot_contributions", "plot_graph", "plot_heatmap", "plot_outcome",
                    "plot_profile", "plot_recommendation", "plot_tornado", "plot_validation"],
                    "plot"),
    **dict.fromkeys(["Portfolio", "load_interventions", "optimize_portfolio"], "portfolio"),
    **dict.fromkeys(["PropagationResult", "propagate"], "propagate"),
    **dict.fromkeys(["Recommendation", "factor_gains", "gap_effects", "recommend"], "recommend"),
    "report": "report",
    **dict.fromkeys(["MonteCarloResult", "draw_weights", "monte_carlo", "sensitivity"],
                    "uncertainty"),
    **dict.fromkeys(["Validation", "validate"], "validation"),
    **dict.fromkeys(["Comparison", "aggregate_weights", "compare"], "weights"),
    **dict.fromkeys(["DEFAULT_OPTIONS", "Options", "WijkAnalysis", "analyse"], "workflow"),
    **dict.fromkeys(["Wijkplan", "check_plan", "plan_from_portfolio",
                     "plan_schema"], "wijkplan"),
    **dict.fromkeys(["Progress", "progress_template", "read_progress"], "progress"),
    **dict.fromkeys(["PlanEvaluation", "evaluate_plan"], "evaluation"),
    "progress_report": "voortgang",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{where or name}", __name__)
    value = module if not where else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package module: loading a submodule must not replace a public function.

    Python sets ``factormodel.<submodule>`` when a submodule is first imported.
    Three public functions share their module's name (``propagate``,
    ``recommend``, ``report``); for those the function stays the package attribute, as it
    was when this file imported everything eagerly.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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
    "Recommendation",
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
