"""factormodel: Rotterdam's Factorenmodel Jeugd as working, testable software.

A model is a weighted directed graph from risk and protective factors to
maatschappelijke resultaten (outcomes). Algorithms are plain functions over an
immutable :class:`FactorModel`.

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

from . import exchange, fcm, portfolio, vocab
from .datasets import list_models
from .effects import decompose_effects, mediation, strongest_paths, total_effects
from .errors import (
    DataError,
    FactorModelError,
    InvalidArgumentTypeError,
    InvalidDeltaError,
    InvalidParameterError,
    ModelFileError,
    ModelValidationError,
    ModelWarning,
    NotConvergentError,
    Problem,
    UnknownAreaError,
    UnknownEdgeError,
    UnknownIndicatorError,
    UnknownModelError,
    UnknownNodeError,
    UnknownTableError,
)
from .estimate import Backtest, Estimate, backtest, estimate_weights
from .importance import feedback_loops, graph_indices, leverage, node_indices
from .indicators import (
    Profile,
    combine_profiles,
    coverage,
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
)
from .portfolio import Portfolio, load_interventions, optimize_portfolio
from .propagate import PropagationResult, propagate
from .recommend import factor_gains, recommend
from .uncertainty import MonteCarloResult, draw_weights, monte_carlo, sensitivity
from .weights import Comparison, aggregate_weights, compare

__version__ = "0.1.0"

__all__ = [
    "Backtest",
    "Comparison",
    "DataError",
    "Estimate",
    "FactorModel",
    "FactorModelError",
    "InvalidArgumentTypeError",
    "InvalidDeltaError",
    "InvalidParameterError",
    "ModelFileError",
    "ModelMetadata",
    "ModelValidationError",
    "ModelWarning",
    "MonteCarloResult",
    "NotConvergentError",
    "Portfolio",
    "Problem",
    "Profile",
    "PropagationResult",
    "UnknownAreaError",
    "UnknownEdgeError",
    "UnknownIndicatorError",
    "UnknownModelError",
    "UnknownNodeError",
    "UnknownTableError",
    "aggregate_weights",
    "backtest",
    "combine_profiles",
    "compare",
    "coverage",
    "decompose_effects",
    "draw_weights",
    "estimate_weights",
    "exchange",
    "export_model",
    "factor_gains",
    "fcm",
    "feedback_loops",
    "graph_indices",
    "leverage",
    "list_models",
    "load_areas",
    "load_example_data",
    "load_indicators",
    "load_interventions",
    "load_model",
    "mediation",
    "model_schema",
    "monte_carlo",
    "node_indices",
    "optimize_portfolio",
    "plot_contributions",
    "plot_graph",
    "plot_heatmap",
    "plot_outcome",
    "plot_profile",
    "plot_recommendation",
    "plot_tornado",
    "portfolio",
    "profile",
    "profile_index",
    "propagate",
    "read_area_data",
    "read_deltas",
    "read_edge_list",
    "read_fcm_matrix",
    "read_model",
    "read_weight_table",
    "recommend",
    "sensitivity",
    "strongest_paths",
    "to_indicator_units",
    "total_effects",
    "vocab",
    "write_model",
]
