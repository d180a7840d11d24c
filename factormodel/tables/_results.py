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

from factormodel.tables._html import frame_html
from factormodel.tables._json import json_safe

__all__ = ["PROVENANCE", "Result", "ScenarioResult", "provenance_of"]

#: Key of a pandas object's ``attrs`` under which the library records what the numbers
#: were computed from (area, year, reference, synthetic data, outcome), so that a table
#: handed on (a profile row, a recommendation, a sensitivity table) still says it.
PROVENANCE = "factormodel"


def provenance_of(obj: Any) -> dict[str, Any]:
    """What ``obj`` was computed from: its ``provenance`` (a result or a Profile row), the
    record in a pandas object's ``attrs``, or ``{}`` (plain data carry no claims).

    A Series with a record but no ``area`` is one area's row: its name is the area.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series({"armoede": 1.0}, name="A")
    >>> provenance_of(s)
    {}
    >>> s.attrs[PROVENANCE] = {"synthetic": True}
    >>> provenance_of(s[["armoede"]])
    {'synthetic': True, 'area': 'A'}
    """
    own = getattr(obj, "provenance", None)
    if callable(own):  # a Profile: provenance(area=None)
        own = own()
    if isinstance(own, dict):
        return dict(own)
    attrs = getattr(obj, "attrs", None)
    record = dict(attrs.get(PROVENANCE, {})) if isinstance(attrs, dict) else {}
    if record and "area" not in record and isinstance(obj, pd.Series) and obj.name is not None:
        record["area"] = obj.name
    return record



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
