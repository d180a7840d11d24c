"""Progress of a wijkplan (Wijkprogrammering step 5, *meten*): what partners delivered.

A partner fills one row per intervention and period: units delivered, young people
reached, completed, dropped out and why. The table is read from CSV or XLSX
(:func:`read_progress`) against the plan it belongs to, and every problem is reported
at once with its file, line and column: an intervention not in the plan, a period
outside the plan, a negative or fractional count, more completed than reached, a
drop-out reason not on the list. :func:`progress_template` writes the table for the
partners to fill.

Columns (Dutch headers in the template, English ones accepted too):

=============  ===============  ==================================================
template       also accepted    meaning
=============  ===============  ==================================================
interventie    intervention     the intervention's id in the plan
periode        period           a year (``2022``), a half (``2022-H1``) or a quarter
                                (``2022-Q3``) between the plan's data year and horizon
eenheden       units            units delivered (groups, classes, trajectories)
bereikt        reached          young people who started
afgerond       completed        young people who completed
uitgevallen    dropped_out      young people who dropped out
reden_uitval   dropout_reason   why, from :data:`DROPOUT_REASONS`; several as
                                ``verhuisd:2; onbekend:1`` (the counts add up to
                                ``uitgevallen``)
toelichting    note             free text (needed with ``anders``)
=============  ===============  ==================================================

Columns ``naam`` and ``partner`` of the template are there to read and are ignored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from factormodel.errors import (
    InvalidParameterError,
    Message,
    ModelFileError,
    ModelValidationError,
    Problem,
)
from factormodel.files.folders import read_sheet, read_table
from factormodel.tables._cells import TableSource, parse_number, require_columns
from factormodel.tables._json import json_safe
from factormodel.tables._results import Result
from factormodel.tables._safewrite import unguard_cell
from factormodel.workflow.wijkplan import Wijkplan

__all__ = ["COLUMNS", "DROPOUT_REASONS", "Progress", "progress_template", "read_progress"]

#: The fixed list of drop-out reasons: key -> (Dutch, English).
DROPOUT_REASONS: dict[str, tuple[str, str]] = {
    "verhuisd": ("verhuisd", "moved away"),
    "niet_gemotiveerd": ("niet (meer) gemotiveerd", "lost motivation"),
    "praktisch": ("praktische bezwaren (tijd, vervoer, kosten)",
                  "practical obstacles (time, travel, cost)"),
    "past_niet": ("aanbod past niet bij de jongere", "offer did not fit the young person"),
    "doorverwezen": ("doorverwezen naar ander aanbod", "referred to another offer"),
    "doel_bereikt": ("doel eerder bereikt", "goal reached early"),
    "onbekend": ("reden onbekend", "reason unknown"),
    "anders": ("anders (zie toelichting)", "other (see note)"),
}

#: canonical name -> (template header, aliases)
COLUMNS: dict[str, tuple[str, ...]] = {
    "intervention": ("interventie",), "period": ("periode",), "units": ("eenheden",),
    "reached": ("bereikt",), "completed": ("afgerond",), "dropped_out": ("uitgevallen",),
    "dropout_reason": ("reden_uitval",), "note": ("toelichting",),
}
_COUNTS = ("units", "reached", "completed", "dropped_out")
_PERIOD = re.compile(r"^\s*(\d{4})(?:\s*[-/ ]\s*([HQhq])([1-4]))?\s*$")
_INFO = ("naam", "name", "partner")


@dataclass(frozen=True)
class Progress(Result):
    """What the partners delivered (:func:`read_progress`).

    Attributes
    ----------
    table : DataFrame
        ``intervention, period, year, units, reached, completed, dropped_out, note``.
    reasons : DataFrame
        ``intervention, period, reason, count``: the drop-out reasons, one row each.
    source : str
        The file it was read from.
    """

    table: pd.DataFrame
    reasons: pd.DataFrame
    source: str = ""

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"source": self.source, "table": self.table,
                          "reasons": self.reasons})

    def totals(self, until: int | None = None) -> pd.DataFrame:
        """Per intervention, the sums over the periods up to year ``until``:
        ``units, reached, completed, dropped_out``."""
        t = self.table if until is None else self.table[self.table["year"] <= until]
        return t.groupby("intervention")[list(_COUNTS)].sum()

    def reasons_of(self, intervention: str, until: int | None = None) -> dict[str, int]:
        r = self.reasons[self.reasons["intervention"] == intervention]
        if until is not None:
            r = r[r["year"] <= until]
        return {k: int(v) for k, v in r.groupby("reason")["count"].sum().items()}


def _said(code: str, template: str, **fields: object) -> Message:
    """A problem's message: the English ``template`` (registered under ``code`` in
    ``text.messages.CODES``) made from ``fields``."""
    return Message(template.format(**fields), code, fields)


def _period(text: str, plan: Wijkplan) -> tuple[str, int, str | None]:
    m = _PERIOD.match(text)
    if not m:
        return text, 0, _said("period_format", "period {period!r} is not a year (2022), a half "
                              "(2022-H1) or a quarter (2022-Q3)", period=text)
    year = int(m.group(1))
    kind, n = (m.group(2) or "").upper(), m.group(3)
    if kind == "H" and n not in ("1", "2"):
        return text, year, _said("half_format", "half {period!r}: H1 or H2", period=text)
    if not plan.data_year <= year <= plan.horizon:
        return text, year, _said("period_outside_plan", "period {period!r} lies outside the "
                                 "plan ({first}-{last})", period=text, first=plan.data_year,
                                 last=plan.horizon)
    return (f"{year}-{kind}{n}" if kind else str(year)), year, None


def _count(cell: Any, what: str | Message, whole: bool) -> tuple[float, str | None]:
    text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else \
        str(cell).strip()
    if not text:
        return 0.0, None  # an empty count is nothing delivered (the template's blank)
    value, _, err = parse_number(text)
    if err:
        return math.nan, f"{what}: {err}"
    if not math.isfinite(value) or value < 0:
        return math.nan, _said("count_negative", "{what} must be a number >= 0, got {value!r}",
                               what=what, value=text)
    if whole and value != int(value):
        return math.nan, _said("count_not_whole", "{what} must be a whole number of young "
                               "people, got {value!r}", what=what, value=text)
    return float(value), None


def _reasons(text: str, dropped: float) -> tuple[list[tuple[str, int]], str | None]:
    text = text.strip()
    if not text:
        return [], (_said("dropout_without_reason", "{n} dropped out without a reason; choose "
                          "from {choices}", n=int(dropped), choices=", ".join(DROPOUT_REASONS))
                    if dropped > 0 else None)
    parts = [p.strip() for p in re.split(r"[;|]", text) if p.strip()]
    out: list[tuple[str, int]] = []
    for p in parts:
        key, _, n = p.partition(":")
        key = key.strip().lower().replace(" ", "_")
        if key not in DROPOUT_REASONS:
            return [], _said("dropout_reason_unknown", "drop-out reason {reason!r} is not on "
                             "the list ({choices}); explain others with 'anders' and a note",
                             reason=key, choices=", ".join(DROPOUT_REASONS))
        if n.strip():
            num, err = _count(n, _said("count_of_reason", "the count of {reason!r}",
                                       reason=key), True)
            if err:
                return [], err
            out.append((key, int(num)))
        elif len(parts) == 1:
            out.append((key, int(dropped)))
        else:
            return [], _said("dropout_reasons_need_counts", "several reasons need a count "
                             "each (e.g. {reason}:2)", reason=key)
    if sum(n for _, n in out) != dropped:
        return [], _said("dropout_reasons_sum", "the drop-out reasons count {counted} young "
                         "people, but {n} dropped out", counted=sum(n for _, n in out),
                         n=int(dropped))
    return out, None


def read_progress(source: str | PathLike[str] | pd.DataFrame, plan: Wijkplan
                  ) -> Progress:
    """Read a progress table (CSV or XLSX) for ``plan``, all problems at once.

    Raises
    ------
    ModelValidationError
        Listing every problem with its file, line and column.
    ModelFileError
        For a file that cannot be read.

    Examples
    --------
    >>> import pandas as pd
    >>> from factormodel.workflow.progress import read_progress
    >>> from factormodel.workflow.wijkplan import example_plan
    >>> t = pd.DataFrame({"interventie": ["swpbs"], "periode": ["2022"], "eenheden": [3],
    ...                   "bereikt": [900], "afgerond": [700], "uitgevallen": [50],
    ...                   "reden_uitval": ["verhuisd:30; onbekend:20"]})
    >>> p = read_progress(t, example_plan())
    >>> p.totals().loc["swpbs", "completed"], p.reasons_of("swpbs")
    (np.float64(700.0), {'onbekend': 20, 'verhuisd': 30})
    """
    if isinstance(source, pd.DataFrame):
        raw, src = source.astype(object), TableSource("progress")
    else:
        path = Path(source)
        if not path.is_file():
            raise ModelFileError(f"{path}: no such file", code="no_such_file",
                                 fields={"path": str(path)})
        raw, src = read_sheet(path) if path.suffix.lower() in (".xlsx", ".xlsm") else \
            read_table(path)
    known = [n for k, al in COLUMNS.items() for n in (k, *al)] + list(_INFO)
    required = [(k, *COLUMNS[k]) for k in ("intervention", "period", "reached")]
    found, extras, problems = require_columns(raw.columns, required, src, known=known)
    for col in extras:
        problems.append(Problem(src.where(None, str(col)),
                                f"unknown column; expected {', '.join(COLUMNS)} (or "
                                f"{', '.join(a[0] for a in COLUMNS.values())})"))
    if problems:
        raise ModelValidationError(problems, src.file or src.table)
    for k, al in COLUMNS.items():
        for a in al:
            if a in found and k not in found:
                found[k] = found[a]
    ids = plan.intervention_ids
    rows: list[dict[str, Any]] = []
    reasons: list[dict[str, Any]] = []
    seen: dict[tuple[str, Any], int] = {}  # (intervention, period) -> its first row
    for i in range(len(raw)):
        r = raw.iloc[i]

        def cell(k: str, r: pd.Series = r) -> str:
            v = r[found[k]] if k in found else ""
            return "" if v is None or (isinstance(v, float) and math.isnan(v)) else \
                unguard_cell(str(v)).strip()

        def bad(k: str, msg: str, i: int = i) -> None:
            problems.append(Problem(src.where(i, str(found.get(k, k))), str(msg),
                                    code=getattr(msg, "code", ""),
                                    fields=getattr(msg, "fields", {})))

        iv = cell("intervention")
        if not iv:
            bad("intervention", _said("no_intervention_id", "no intervention id"))
        elif iv not in ids:
            bad("intervention", _said("intervention_not_in_plan", "intervention {name!r} is not "
                                      "in the plan (its interventions: {ids})", name=iv,
                                      ids=", ".join(ids) or Message("none", "nothing_found")))
        period, year, err = _period(cell("period"), plan)
        if err:
            bad("period", err)
        counts = {}
        for k in _COUNTS:
            column = str(found.get(k, k))
            counts[k], err = _count(cell(k), _said("count_column", "{column!r}", column=column),
                                    k != "units")
            if err:
                bad(k, err)
        ok = all(not math.isnan(v) for v in counts.values())
        if ok:
            if counts["completed"] > counts["reached"]:
                bad("completed", _said("completed_above_reached", "completed ({completed:g}) is "
                                       "more than reached ({reached:g})",
                                       completed=counts["completed"], reached=counts["reached"]))
            elif counts["completed"] + counts["dropped_out"] > counts["reached"]:
                bad("dropped_out", _said("completed_dropped_above_reached", "completed plus "
                                         "dropped out ({completed:g} + {dropped:g}) is more "
                                         "than reached ({reached:g})",
                                         completed=counts["completed"],
                                         dropped=counts["dropped_out"],
                                         reached=counts["reached"]))
            why, err = _reasons(cell("dropout_reason"), counts["dropped_out"])
            if err:
                bad("dropout_reason", err)
            elif any(k == "anders" for k, _ in why) and not cell("note"):
                bad("note", _said("anders_needs_note", "drop-out reason 'anders' needs a note "
                                  "(toelichting)"))
            reasons += [{"intervention": iv, "period": period, "year": year, "reason": k,
                         "count": n} for k, n in why]
        if (iv, period) in seen:
            bad("period", _said("progress_row_twice", "intervention {name!r} and period "
                                "{period!r} appear twice (also {also})", name=iv, period=period,
                                also=src.where(seen[(iv, period)])))
        seen.setdefault((iv, period), i)
        rows.append({"intervention": iv, "period": period, "year": year, **counts,
                     "note": cell("note")})
    if problems:
        raise ModelValidationError(problems, src.file or src.table)
    table = pd.DataFrame(rows, columns=["intervention", "period", "year", *_COUNTS, "note"])
    return Progress(table=table, reasons=pd.DataFrame(
        reasons, columns=["intervention", "period", "year", "reason", "count"]),
        source=src.file or src.table)


def progress_template(plan: Wijkplan, periods: Sequence[int | str] | None = None
                      ) -> pd.DataFrame:
    """The table partners fill: one row per intervention and period (default each year
    after the plan's data year up to its horizon), counts empty.

    Examples
    --------
    >>> from factormodel.workflow.progress import progress_template
    >>> from factormodel.workflow.wijkplan import example_plan
    >>> t = progress_template(example_plan())
    >>> t.columns.tolist()[:4], sorted(set(t["periode"]))
    (['interventie', 'naam', 'partner', 'periode'], ['2022', '2023', '2024'])
    """
    if periods is None:
        periods = list(range(plan.data_year + 1, plan.horizon + 1))
    bad = [p for p in periods if _period(str(p), plan)[2]]
    if bad:
        raise InvalidParameterError(f"period(s) {', '.join(map(str, bad))} lie outside the "
                                    f"plan ({plan.data_year}-{plan.horizon}) or are not a "
                                    "year, half (2022-H1) or quarter (2022-Q3)")
    rows = [{"interventie": i.id, "naam": i.name, "partner": i.partner, "periode": str(p),
             **dict.fromkeys(("eenheden", "bereikt", "afgerond", "uitgevallen",
                              "reden_uitval", "toelichting"), "")}
            for i in plan.interventions for p in periods]
    return pd.DataFrame(rows, columns=["interventie", "naam", "partner", "periode", "eenheden",
                                       "bereikt", "afgerond", "uitgevallen", "reden_uitval",
                                       "toelichting"])
