"""Compact HTML summaries for Jupyter (``_repr_html_``), escaped and dependency-free."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from factormodel.analysis.indicators import Profile
    from factormodel.analysis.portfolio import Portfolio
    from factormodel.core.model import FactorModel
    from factormodel.core.propagate import PropagationResult

_STYLE = "font-family:sans-serif;font-size:12px"


def _table(frame: pd.DataFrame, float_format: str = "{:+.3f}") -> str:
    return frame.to_html(border=0, float_format=float_format.format, escape=True,
                         classes="factormodel", na_rep="–")


def model_html(model: FactorModel) -> str:
    s = model.summary()
    status = escape(s["status"])
    badge = ("" if s["status"] == "official" else
             f" <span style='color:#b35806'>({status}: not an official model)</span>")
    counts = model.nodes.groupby(["kind", "setting"]).size().unstack(fill_value=0)
    strengths = ", ".join(f"{k} {v}" for k, v in s["edges_by_strength"].items())
    return (f"<div style='{_STYLE}'><b>FactorModel {escape(s['name'])}</b> "
            f"v{escape(s['version'])}{badge}<br>"
            f"{s['nodes']} nodes ({s['factors']} factors, {s['outcomes']} outcomes), "
            f"{s['edges']} edges ({strengths}); {s['edges_expert_judgement']} weights are "
            f"expert judgement; {'with' if s['cyclic'] else 'no'} feedback loops"
            f"{_table(counts, '{:d}')}</div>")


def result_html(result: PropagationResult) -> str:
    head = escape(repr(result))
    outs = result.outcomes
    frame = outs.to_frame("delta") if isinstance(outs, pd.Series) else outs.head(10)
    more = "" if not result.batch or len(outs) <= 10 else f"<i>… {len(outs) - 10} more rows</i>"
    return f"<div style='{_STYLE}'><b>{head}</b><br>Outcome deltas (SD):{_table(frame)}{more}</div>"


def euros(x: float) -> str:
    """Money as whole euros: ``€250,000``."""
    return "–" if pd.isna(x) else f"€{x:,.0f}"


def small(x: float, digits: int = 3, sign: bool = False) -> str:
    """A number with ``digits`` decimals, or enough significant digits that a value that
    is not zero never shows as ``0.000`` (``0.00042``)."""
    if pd.isna(x):
        return "–"
    plus = "+" if sign else ""
    if x == 0 or abs(x) >= 10 ** -digits:
        return f"{x:{plus}.{digits}f}"
    return f"{x:{plus}.2g}"


def portfolio_html(p: Portfolio) -> str:
    chosen = p.chosen[["name", "units", "cost", "value"]].copy()
    chosen["cost"] = chosen["cost"].map(euros)
    chosen["value"] = chosen["value"].map(small)
    default = p.chosen["effect_is_default"].astype(bool).to_numpy() \
        if "effect_is_default" in p.chosen else None
    notes = []
    if default is not None and default.any():
        chosen.loc[default, "name"] = chosen.loc[default, "name"].astype(str) + " *"
        notes.append("* effect size is the stated default, not a published effect")
    if getattr(p, "synthetic", False):
        notes.append("<b style='color:#b35806'>SYNTHETIC data</b>: computed from synthetic "
                     "example data, not measurements")
    changes = p.outcome_changes.map(lambda v: small(v, sign=True)).to_frame("delta (SD)")
    chosen = chosen.rename(columns={"value": "value (SD)"})
    note = "".join(f"{n}<br>" for n in notes)
    return (f"<div style='{_STYLE}'><b>Portfolio for {escape(p.area)}</b>: cost "
            f"{euros(p.total_cost)} of {euros(p.budget)}, expected improvement "
            f"{small(p.improvement)} SD{_table(chosen)}{note}"
            f"Outcome changes (SD):{_table(changes)}</div>")


def frame_html(title: str, frame: pd.DataFrame, note: str = "", *, rows: int = 12,
               float_format: str = "{:+.3f}") -> str:
    """A titled table for any result's ``_repr_html_`` (first ``rows`` rows shown)."""
    more = "" if len(frame) <= rows else f"<i>… {len(frame) - rows} more rows</i>"
    extra = f"<br>{escape(note)}" if note else ""
    return (f"<div style='{_STYLE}'><b>{escape(title)}</b>{extra}"
            f"{_table(frame.head(rows), float_format)}{more}</div>")


def profile_html(profile: Profile) -> str:
    deltas = profile.deltas.dropna(axis=1, how="all")
    notes = ["SYNTHETIC example data, not measurements"] if profile.synthetic else []
    if profile.reference_source:
        notes.append(f"reference: {profile.reference_source}")
    notes += [f"ASSUMPTION: {a}" for a in profile.assumptions]
    return frame_html(repr(profile).strip("<>"), deltas, "; ".join(notes))
