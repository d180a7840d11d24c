"""Which nodes matter: FCM graph indices, outcome-aware leverage, feedback loops.

* :func:`node_indices` and :func:`graph_indices` -- the standard FCM indices of
  Özesmi & Özesmi (2004, Ecological Modelling 176:43-64): weighted in- and
  out-degree, centrality, transmitter / receiver / ordinary, density,
  complexity and MacDonald's hierarchy index.
* :func:`leverage` -- the signed total effect of each factor on chosen
  outcomes, turned towards their desired direction: positive means "more of
  this factor improves the outcomes".
* :func:`feedback_loops` -- every simple cycle with its gain; a positive gain
  reinforces, a negative one balances.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from factormodel.analysis import _scoring
from factormodel.core.effects import check_alpha
from factormodel.core.model import FactorModel

__all__ = ["feedback_loops", "graph_indices", "leverage", "node_indices"]


def node_indices(model: FactorModel) -> pd.DataFrame:
    """Weighted degree indices per node (Özesmi & Özesmi 2004).

    ``outdegree`` is the sum of absolute weights of outgoing edges, ``indegree``
    of incoming ones, ``centrality`` their sum. ``role`` is ``transmitter``
    (only outgoing), ``receiver`` (only incoming), ``ordinary`` (both) or
    ``isolated``.

    Examples
    --------
    >>> import factormodel as fm
    >>> ix = fm.node_indices(fm.load_model("toy"))
    >>> print(ix.loc[["armoede", "schoolverzuim", "vsv"]].round(3))
                     kind  indegree  outdegree  centrality         role
    id
    armoede          risk       0.0        0.7         0.7  transmitter
    schoolverzuim    risk       0.4        0.8         1.2     ordinary
    vsv           outcome       0.7        0.0         0.7     receiver
    """
    A = abs(model.weight_matrix)
    out_deg = np.asarray(A.sum(axis=1)).ravel()
    in_deg = np.asarray(A.sum(axis=0)).ravel()
    role = np.select([(out_deg > 0) & (in_deg == 0), (out_deg == 0) & (in_deg > 0),
                      (out_deg > 0) & (in_deg > 0)],
                     ["transmitter", "receiver", "ordinary"], default="isolated")
    return pd.DataFrame({"kind": model.node_values("kind").to_numpy(), "indegree": in_deg,
                         "outdegree": out_deg, "centrality": in_deg + out_deg, "role": role},
                        index=pd.Index(model.node_ids, name="id"))


def graph_indices(model: FactorModel) -> dict[str, float | int]:
    """Graph-level FCM indices (Özesmi & Özesmi 2004).

    ``density`` = connections / concepts² (some tools divide by N(N-1)
    instead); ``complexity`` = receivers / transmitters; ``hierarchy`` =
    12 / ((N-1) N (N+1)) · Σ (od_i - mean od)² (MacDonald 1983), 1 for a
    fully hierarchical map, 0 for a democratic one.

    Examples
    --------
    >>> import factormodel as fm
    >>> g = fm.graph_indices(fm.load_model("toy"))
    >>> g["concepts"], g["connections"], g["transmitters"], g["receivers"], round(g["density"], 4)
    (6, 7, 1, 2, 0.1944)
    """
    ix = node_indices(model)
    n, c = model.n_nodes, model.n_edges
    roles = ix["role"].value_counts()
    transmitters, receivers = int(roles.get("transmitter", 0)), int(roles.get("receiver", 0))
    od = ix["outdegree"].to_numpy()
    hierarchy = (12.0 / ((n - 1) * n * (n + 1)) * float(np.sum((od - od.mean()) ** 2))
                 if n > 1 else float("nan"))
    return {
        "concepts": n, "connections": c, "density": c / n**2,
        "transmitters": transmitters, "receivers": receivers,
        "ordinary": int(roles.get("ordinary", 0)),
        "complexity": receivers / transmitters if transmitters else float("inf"),
        "hierarchy": hierarchy,
    }


def leverage(model: FactorModel, outcomes: Mapping[str, float] | Iterable[str] | None = None,
             *, alpha: float = 1.0, modifiable_only: bool = False) -> pd.DataFrame:
    """Deprecated: use :func:`factormodel.factor_gains` (the same quantity, one rule).

    The *leverage* of factor ``f`` is its gain per one-SD *increase*:
    ``leverage = d_f · gain`` with ``d_f`` the factor's desired sign, so risk
    factors have negative leverage when reducing them helps. Goals and
    priorities follow the one rule of :func:`factormodel.factor_gains` (any
    node, priorities above 0); by default every outcome with priority 1.

    Returns
    -------
    DataFrame
        Per factor: one column per goal (its improvement per SD increase),
        ``leverage`` and ``abs_leverage``; sorted by ``abs_leverage``.

    Examples
    --------
    >>> import factormodel as fm, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     lev = fm.leverage(fm.load_model("toy"), {"vsv": 1.0})
    >>> lev["leverage"].round(3).to_dict()
    {'schoolverzuim': -0.5, 'schoolprestaties': 0.4, 'opvoedklimaat': 0.2, 'armoede': -0.18}
    """
    warnings.warn("fm.leverage is deprecated: use fm.factor_gains (gain = leverage turned "
                  "towards each factor's good direction)", DeprecationWarning, stacklevel=2)
    g = _scoring.gains(model, dict.fromkeys(model.outcomes, 1.0) if outcomes is None
                       else outcomes, alpha=check_alpha(alpha))
    d = model.desired_sign.to_numpy(dtype=float)
    out = pd.DataFrame(d[:, None] * g.per_goal, index=pd.Index(model.node_ids, name="factor"),
                       columns=list(g.goals))
    out["leverage"] = d * g.gain
    out["abs_leverage"] = out["leverage"].abs()
    keep = [f for f in model.factors
            if not modifiable_only or bool(model.node_values("modifiable")[f])]
    return out.loc[keep].sort_values("abs_leverage", ascending=False, kind="stable")


def feedback_loops(model: FactorModel, *, length_bound: int | None = None,
                   limit: int = 100_000) -> pd.DataFrame:
    """Every simple feedback loop with its gain and polarity.

    ``gain`` is the product of the weights around the loop; a loop
    ``reinforces`` (gain > 0) or ``balances`` (gain < 0) a change.

    Parameters
    ----------
    length_bound : int, optional
        Longest loop to list (number of edges); by default all.
    limit : int
        Stop after this many loops (large dense models can have very many).

    Examples
    --------
    >>> import factormodel as fm
    >>> loops = fm.feedback_loops(fm.load_model("rotterdam-jeugd"))
    >>> loops.loc[0, "loop"], round(float(loops.loc[0, "gain"]), 4), loops.loc[0, "type"]
    ('psychosociale_problemen → gepest_worden → psychosociale_problemen', 0.0021, 'reinforcing')
    """
    import networkx as nx

    W = model.weight_matrix.tocoo()
    G = nx.DiGraph()
    G.add_weighted_edges_from(zip(W.row.tolist(), W.col.tolist(), W.data.tolist(),
                                  strict=True))
    names = model.node_ids
    rows = []
    for cycle in itertools.islice(nx.simple_cycles(G, length_bound=length_bound), limit):
        start = cycle.index(min(cycle))  # canonical rotation: start at the first node
        cycle = cycle[start:] + cycle[:start]
        gain = math.prod(G[a][b]["weight"] for a, b in zip(cycle, cycle[1:] + cycle[:1],
                                                           strict=True))
        rows.append({"loop": " → ".join(names[i] for i in (*cycle, cycle[0])),
                     "length": len(cycle), "gain": gain,
                     "type": "reinforcing" if gain > 0 else "balancing",
                     "nodes": tuple(names[i] for i in cycle)})
    frame = pd.DataFrame(rows, columns=["loop", "length", "gain", "type", "nodes"])
    order = np.argsort(-frame["gain"].abs().to_numpy(), kind="stable")
    return frame.iloc[order].reset_index(drop=True)
