"""What every result object shares: ``to_dict()`` and an HTML summary (private).

A result is a frozen dataclass with a ``to_frame()`` of its own (the table a
user reads first); :class:`Result` derives the JSON-safe ``to_dict()`` from its
fields and the notebook summary from ``to_frame()``, so every result answers the
same three calls.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pandas as pd

from ._html import frame_html
from ._json import json_safe

__all__ = ["Result", "ScenarioResult"]


class Result:
    """Mixin for result dataclasses: ``to_dict()`` and ``_repr_html_()``."""

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """Every public field as strictly valid JSON (tables as lists of records, NaN as None)."""
        out = {}
        for f in fields(self):  # type: ignore[arg-type]
            if f.name.startswith("_"):
                continue
            value = getattr(self, f.name)
            if hasattr(value, "node_ids"):  # a FactorModel: name it, don't dump it
                value = value.name
            elif isinstance(value, pd.DataFrame) and not isinstance(value.index, pd.RangeIndex):
                value = value.reset_index()
            out[f.name] = value
        return json_safe(out)

    def _repr_html_(self) -> str:
        return frame_html(type(self).__name__, self.to_frame())


class ScenarioResult:
    """Mixin for results with ``model``, ``inputs`` and ``deltas`` (one or many scenarios)."""

    model: Any
    deltas: pd.Series | pd.DataFrame

    @property
    def batch(self) -> bool:
        """True when several scenarios were computed (DataFrame input)."""
        return isinstance(self.deltas, pd.DataFrame)

    @property
    def outcomes(self) -> pd.Series | pd.DataFrame:
        """Change of the outcomes only."""
        outs = list(self.model.outcomes)
        return self.deltas[outs] if self.batch else self.deltas.loc[outs]
