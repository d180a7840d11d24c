"""Guard rails on a model's numbers and names that no single cell check can see.

Checked once for every model, whichever reader built it (folder, JSON, edge list,
FCM matrix, ``with_weights``):

* **weight bounds**: a weight (and its ``low``/``high``) is a standardised
  effect in SD per SD; a magnitude above :data:`WEIGHT_BOUND` is a typo or a
  unit mistake, and values such as ``1e300`` would turn total effects into
  ``inf``/``NaN``. They are validation errors, not warnings. An ``sd`` may be
  wide (a flat prior) but must be finite.
* **node ids differing only in letter case** (``armoede`` and ``Armoede``): a
  spreadsheet user cannot tell them apart; an error on the later row.
* **an outcome feeding back on its own causes** (an edge from an outcome to a
  risk or protective factor that itself drives the outcome): usually an edge
  drawn the wrong way round, so a :class:`~factormodel.errors.ModelWarning`.
  An outcome that drives later factors without such a loop (``gezonde_start``:
  a healthy start protects later development) and edges between outcomes
  (VSV -> NEET) are part of the Factorenmodel and pass silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from factormodel.errors import Problem
from factormodel.tables._cells import TableSource

__all__ = ["DELTA_BOUND", "WEIGHT_BOUND", "check_guard_rails"]

#: Largest accepted magnitude of an edge weight, ``low`` or ``high`` (SD per SD).
WEIGHT_BOUND = 10.0

#: Largest accepted magnitude of a delta in SD; larger is absurd for area indicators
#: (a change of a million standard deviations) and overflows downstream sums.
DELTA_BOUND = 1e6


def check_guard_rails(nodes: pd.DataFrame, edges: pd.DataFrame, nodes_src: TableSource,
                      edges_src: TableSource, problems: list[Problem],
                      warnings: list[Problem]) -> None:
    """Append the problems and warnings described in the module docstring.

    ``nodes`` and ``edges`` are the canonical tables built by ``_tables``
    (``nodes`` with an ``id`` column); rows already reported elsewhere may be
    reported here too only for a different reason.
    """
    _case_collisions(nodes, nodes_src, problems)
    _bounds(edges, edges_src, problems)
    _outcome_sources(nodes, edges, edges_src, warnings)


def _case_collisions(nodes: pd.DataFrame, src: TableSource, problems: list[Problem]) -> None:
    first: dict[str, tuple[str, int]] = {}
    for i, node_id in enumerate(nodes["id"].tolist()):
        if not node_id:
            continue
        low = str(node_id).lower()
        seen = first.setdefault(low, (node_id, i))
        if seen[0] != node_id:
            at = src.where(seen[1])
            problems.append(Problem(
                src.where(i, "id"),
                f"node id {node_id!r} differs from {seen[0]!r} (at {at}) only in letter case; "
                "ids must differ in more than case",
                src.key(i, "id"), code="id_differs_in_case",
                fields={"id": node_id, "other": seen[0], "at": at}))


def _bounds(edges: pd.DataFrame, src: TableSource, problems: list[Problem]) -> None:
    for column in ("weight", "low", "high", "sd"):
        if column not in edges.columns:
            continue
        values = pd.to_numeric(edges[column], errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            bad = np.isinf(values)
            if column != "sd":  # a wide sd is honest uncertainty (e.g. a flat prior)
                bad |= np.abs(values) > WEIGHT_BOUND
        for i in np.flatnonzero(bad).tolist():
            fields: dict[str, object] = {"column": column, "value": float(values[i]),
                                         "bound": WEIGHT_BOUND}
            problems.append(Problem(
                src.where(i, column),
                f"{column} {values[i]:g} is not finite" if column == "sd" else
                f"{column} {values[i]:g} is beyond the bound of {WEIGHT_BOUND:g} in magnitude; "
                "weights are standardised effects (SD per SD), usually well below 1",
                src.key(i, column), code="sd_not_finite" if column == "sd" else
                "beyond_weight_bound", fields=fields))


def _outcome_sources(nodes: pd.DataFrame, edges: pd.DataFrame, src: TableSource,
                     warnings: list[Problem]) -> None:
    kind = dict(zip(nodes["id"].tolist(), nodes["kind"].tolist(), strict=True))
    sources, targets = edges["source"].tolist(), edges["target"].tolist()
    children: dict[str, list[str]] = {}
    for s, t in zip(sources, targets, strict=True):
        children.setdefault(s, []).append(t)
    for i, (s, t) in enumerate(zip(sources, targets, strict=True)):
        if kind.get(s) == "outcome" and kind.get(t) in ("risk", "protective") \
                and _reaches(children, t, s):
            warnings.append(Problem(
                src.where(i, "source"),
                f"outcome {s!r} drives the {kind[t]} factor {t!r}, which in turn drives "
                f"{s!r}: the outcome feeds back on its own causes; check the direction",
                src.key(i, "source"), code=f"outcome_feeds_back_{kind[t]}",
                fields={"outcome": s, "factor": t}))


def _reaches(children: dict[str, list[str]], start: str, goal: str) -> bool:
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in children.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False
