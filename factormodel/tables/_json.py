"""JSON-safe values: the one place that turns results into plain JSON (private).

Every ``to_dict()`` of a result, the CLI's ``--format json`` and the HTTP API
use :func:`json_safe`: NaN and infinities become ``None`` (JSON has neither),
numpy scalars and arrays become Python numbers and lists, DataFrames become
lists of records and Series become mappings, and integral floats that stand for
counts stay floats (a rank is made an int by the result that owns it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["json_safe"]


def json_safe(value: Any) -> Any:
    """``value`` with every part converted to plain, strictly valid JSON types.

    Examples
    --------
    >>> import numpy as np
    >>> json_safe({"a": np.float64("nan"), "b": [np.int64(2), float("inf")], "c": (1.5,)})
    {'a': None, 'b': [2, None], 'c': [1.5]}
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, float | np.floating):
        x = float(value)
        return x if math.isfinite(x) else None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, pd.DataFrame):
        return [json_safe(r) for r in value.to_dict("records")]
    if isinstance(value, pd.Series):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)
