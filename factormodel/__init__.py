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

from . import vocab
from .datasets import list_models
from .errors import (
    FactorModelError,
    ModelFileError,
    ModelValidationError,
    ModelWarning,
    Problem,
    UnknownEdgeError,
    UnknownModelError,
    UnknownNodeError,
)
from .io import load_model, model_schema, read_model, write_model
from .model import FactorModel, ModelMetadata

__version__ = "0.1.0"

__all__ = [
    "FactorModel",
    "FactorModelError",
    "ModelFileError",
    "ModelMetadata",
    "ModelValidationError",
    "ModelWarning",
    "Problem",
    "UnknownEdgeError",
    "UnknownModelError",
    "UnknownNodeError",
    "list_models",
    "load_model",
    "model_schema",
    "read_model",
    "vocab",
    "write_model",
]
