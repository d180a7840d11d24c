"""What a model's weights rest on: edges by evidence basis, and each outcome's share.

Every edge has a **basis** (its ``basis`` column in ``edges.csv``; :data:`BASES`, weakest
first):

- ``published with interval``: a published effect size with its interval;
- ``published point``: a published effect size without an interval;
- ``class default``: a source establishes the link but gives no size; the weight is the
  strength class's default (sterk .30, matig .20, zwak .10), an assumption;
- ``expert judgement``: no source quantifies or supports the link;
- ``not recorded``: the model gives no ``basis`` column (an edge sourced ``expert
  judgement`` is counted as such all the same).

**Share of an outcome's effect resting on a basis.** Take every walk (path, loops
included) from any other node into outcome ``o`` and its unsigned weight, the product of
``γ|w|`` along it (γ the per-hop damping of :func:`factormodel._scoring.evidence_damping`,
1 unless the unsigned sums would diverge). A walk *rests on* the **weakest** basis among
its edges: a chain is no better supported than its weakest link. The share of basis ``b``
is the unsigned weight of the walks whose weakest edge has basis ``b``, divided by the
unsigned weight of all walks into ``o``. With ``W_{≥b}`` the unsigned weights restricted to
edges of basis ``b`` or stronger and ``S_{≥b}(o) = Σ_{i≠o} [(I − γW_{≥b})⁻¹]_{io}``,

    share_b(o) = (S_{≥b}(o) − S_{≥b+1}(o)) / S_{≥weakest}(o)

(exact: the walks using only edges of basis ≥ b are counted by ``S_{≥b}``). The shares of an
outcome sum to 1. They describe how much of the *model's* effect on the outcome runs over
edges of each basis, not how true the effect is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from factormodel import vocab
from factormodel.analysis import _scoring
from factormodel.core import _linalg
from factormodel.core.model import FactorModel
from factormodel.errors import ModelValidationError, Problem
from factormodel.tables._json import json_safe
from factormodel.tables._results import Result

__all__ = ["BASES", "EvidenceSummary", "edge_basis", "evidence_summary"]

#: Evidence bases of an edge, weakest first.
BASES = ("not recorded", "expert judgement", "class default", "published point",
         "published with interval")


def edge_basis(model: FactorModel) -> pd.Series:
    """The basis of every edge (edge order), from the edges' ``basis`` column.

    Without that column every edge is ``not recorded``, except those sourced
    ``expert judgement``.

    Raises
    ------
    ModelValidationError
        Naming every edge whose ``basis`` is not one of :data:`BASES` (or is empty), or
        that says ``expert judgement`` in ``source_ref`` but another basis.

    Examples
    --------
    >>> import factormodel as fm
    >>> fm.evidence.edge_basis(fm.load_model("toy")).value_counts().to_dict()
    {'expert judgement': 7}
    """
    edges = model.edges
    expert = edges["source_ref"].astype(str).str.strip().str.lower() == vocab.EXPERT_JUDGEMENT
    if "basis" not in edges.columns:
        return pd.Series(np.where(expert, "expert judgement", "not recorded"),
                         index=edges.index, name="basis")
    basis = edges["basis"].fillna("").astype(str).str.strip().str.lower()
    problems = []
    for k, (s, t, b, ej) in enumerate(zip(edges["source"], edges["target"], basis, expert,
                                          strict=True)):
        where = f"edges row {k + 1} ({s} -> {t}), column 'basis'"
        if b not in BASES[1:]:
            problems.append(Problem(where, f"basis {b!r} is not one of "
                                           f"{', '.join(BASES[1:])}"))
        elif ej and b != "expert judgement":
            problems.append(Problem(where, f"source_ref says expert judgement but basis is "
                                           f"{b!r}"))
    if problems:
        raise ModelValidationError(problems, f"model {model.name!r}")
    return basis.rename("basis")


@dataclass(frozen=True)
class EvidenceSummary(Result):
    """Edges by evidence basis and the share of each outcome's effect resting on each.

    Attributes
    ----------
    edges : DataFrame
        Per basis (index, weakest first): ``edges`` (count) and ``share`` (of all edges).
    outcomes : DataFrame
        Outcomes x bases: the share of the unsigned walk weight into the outcome whose
        weakest edge has that basis (rows sum to 1; NaN for an outcome nothing reaches).
    damping : float
        The per-hop damping γ used for the unsigned sums (1 = none).
    """

    model: str
    edges: pd.DataFrame
    outcomes: pd.DataFrame
    damping: float

    def __repr__(self) -> str:
        counts = ", ".join(f"{int(n)} {b}" for b, n in self.edges["edges"].items() if n)
        return f"<EvidenceSummary of {self.model!r}: {counts}>"

    def to_frame(self) -> pd.DataFrame:
        """The outcomes' shares by basis (one row per outcome)."""
        return self.outcomes

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: edge counts by basis, the outcomes' shares, the damping."""
        return json_safe({"model": self.model, "edges": self.edges.reset_index(),
                          "outcome_shares": self.outcomes.reset_index(),
                          "damping": self.damping,
                          "bases": list(BASES)})


def evidence_summary(model: FactorModel, *, alpha: float = 1.0,
                     targets: Sequence[str] | None = None) -> EvidenceSummary:
    """Count the edges by basis and say how much of each outcome's effect rests on each.

    See the module docstring for the exact definition (weakest basis on each walk, shares
    of the unsigned walk weight into the outcome). ``targets``: the nodes whose shares are
    computed (default: every outcome); a chosen goal that is a factor is one of them.

    Examples
    --------
    >>> import factormodel as fm
    >>> s = fm.evidence_summary(fm.load_model("rotterdam-jeugd"))
    >>> int(s.edges.loc["published with interval", "edges"])
    7
    >>> bool(abs(s.outcomes.sum(axis=1) - 1).max() < 1e-9)
    True
    """
    basis = edge_basis(model)
    rank = basis.map({b: i for i, b in enumerate(BASES)}).to_numpy()
    counts = pd.Series(0, index=list(BASES), dtype=int)
    counts.update(basis.value_counts())
    edges = pd.DataFrame({"edges": counts.astype(int),
                          "share": counts / max(len(basis), 1)})
    edges.index.name = "basis"
    outcomes = list(model.outcomes) if targets is None else list(dict.fromkeys(targets))
    cols = model.positions(outcomes)  # names unknown ones (UnknownNodeError)
    gamma = _scoring.evidence_damping(model, alpha)
    w = np.abs(model.edge_values("weight").astype(float))
    totals = []
    for b in range(len(BASES) + 1):
        if b % 2 == 0:  # two restricted systems per checked solve
            first = w * (rank >= b)
            second = w * (rank >= b + 1)
            A, B = _linalg.unsigned_columns(model, alpha * gamma, first, second, cols,
                                            key=f"evidence basis {b}")
            totals += [A, B]
    # S_{>=b}(o): walks from every other node into o (the identity term removed)
    S = np.array([T.sum(axis=0) - 1.0 for T in totals[:len(BASES) + 1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(S[0] > 0, (S[:-1] - S[1:]) / S[0], np.nan)
    frame = pd.DataFrame(shares.T, index=pd.Index(outcomes, name="outcome"),
                         columns=list(BASES))
    return EvidenceSummary(model=model.name, edges=edges, outcomes=frame, damping=gamma)
