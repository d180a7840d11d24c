"""Total effects of every node on every other, and how they decompose.

``T = (I - alpha W)^-1``: ``T[i, j]`` is the total effect on ``j`` of a one-SD
change of ``i`` -- the sum over all paths from ``i`` to ``j`` of the product of
their weights, each hop attenuated by ``alpha``. On an acyclic model this is a
finite sum; with feedback loops it exists only if the spectral radius of
``alpha W`` is below one, and :class:`~factormodel.errors.NotConvergentError`
says otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from factormodel.core import _linalg
from factormodel.core.model import FactorModel
from factormodel.errors import InvalidParameterError
from factormodel.tables._graph import dense_columns, path_graph
from factormodel.tables._graph import strongest_paths as _search

__all__ = ["check_alpha", "decompose_effects", "mediation", "strongest_paths", "total_effects"]

_FULL_LIMIT = 20_000


def check_alpha(alpha: float) -> float:
    """Validate the per-hop attenuation: a finite number above zero."""
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"alpha must be a number, got {alpha!r}") from None
    if not math.isfinite(a) or a <= 0:
        raise InvalidParameterError(f"alpha must be a finite number above 0, got {alpha!r}")
    return a


def _targets(model: FactorModel, targets: str | Iterable[str] | None) -> list[str]:
    if targets is None:
        if model.n_nodes > _FULL_LIMIT:
            raise InvalidParameterError(
                f"model {model.name!r} has {model.n_nodes} nodes; a full n x n table of total "
                "effects is too large - pass targets=[...] (e.g. model.outcomes)")
        return list(model.node_ids)
    return [targets] if isinstance(targets, str) else list(targets)


def total_effects(model: FactorModel, *, alpha: float = 1.0,
                  targets: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Total effect of every node (rows) on each target (columns).

    Parameters
    ----------
    model : FactorModel
    alpha : float, default 1.0
        Per-hop attenuation: a path of k edges counts ``alpha**k`` times the
        product of its weights.
    targets : node id or list of node ids, optional
        Only these columns are computed (large models never need n x n). By
        default every node.

    Returns
    -------
    DataFrame
        Rows: every node in model order; columns: targets. The diagonal of the
        full table is 1 on acyclic models (a node's effect on itself).

    Raises
    ------
    NotConvergentError
        If feedback loops make the path sums diverge; names the strongest loop
        and the largest alpha that converges.
    UnknownNodeError
        For a target that is not in the model.

    Examples
    --------
    >>> import factormodel as fm
    >>> T = fm.total_effects(fm.load_model("toy"), targets=["vsv"])
    >>> float(T.loc["schoolverzuim", "vsv"].round(4))  # 0.3 direct + (-0.5)(-0.4) via prestaties
    0.5
    >>> float(T.loc["armoede", "vsv"].round(4))  # poverty raises VSV along three paths
    0.18
    """
    alpha = check_alpha(alpha)
    cols = _targets(model, targets)
    idx = model.positions(cols)
    T = _linalg.system(model, alpha).columns(idx)
    return pd.DataFrame(T, index=pd.Index(model.node_ids, name="source"),
                        columns=pd.Index(cols, name="target"))


def decompose_effects(model: FactorModel, *, alpha: float = 1.0,
                      targets: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Direct, indirect and total effect for every (source, target) pair that has one.

    ``direct`` is ``alpha * W[i, j]``, ``total`` is ``T[i, j]`` and
    ``indirect = total - direct`` (the part carried by longer paths and loops).

    Returns
    -------
    DataFrame
        Columns ``source, target, direct, indirect, total``, one row per pair
        with a nonzero total effect (a node's effect on itself is left out),
        strongest total first per target.

    Examples
    --------
    >>> import factormodel as fm
    >>> d = fm.decompose_effects(fm.load_model("toy"), targets="vsv")
    >>> print(d.round(4))
                 source target  direct  indirect  total
    0     schoolverzuim    vsv     0.3      0.20   0.50
    1  schoolprestaties    vsv    -0.4      0.00  -0.40
    2     opvoedklimaat    vsv     0.0     -0.20  -0.20
    3           armoede    vsv     0.0      0.18   0.18
    """
    alpha = check_alpha(alpha)
    T = total_effects(model, alpha=alpha, targets=targets)
    cols = model.positions(T.columns)
    direct = alpha * dense_columns(_linalg.system(model).W, cols)
    total = T.to_numpy()
    src, tgt = np.nonzero(total)
    keep = src != cols[tgt]
    src, tgt = src[keep], tgt[keep]
    out = pd.DataFrame({
        "source": np.asarray(model.node_ids, dtype=object)[src],
        "target": T.columns.to_numpy()[tgt],
        "direct": direct[src, tgt],
        "indirect": total[src, tgt] - direct[src, tgt],
        "total": total[src, tgt],
    })
    order = np.lexsort((-np.abs(out["total"].to_numpy()), tgt))
    return out.iloc[order].reset_index(drop=True)


def mediation(model: FactorModel, outcome: str, *, alpha: float = 1.0) -> pd.DataFrame:
    """How much of each node's total effect on ``outcome`` flows through each out-edge.

    For an edge ``i -> j`` the flow is ``alpha * W[i, j] * T[j, outcome]``. The
    flows over the out-edges of ``i`` add up exactly to ``T[i, outcome]``
    (because ``T = I + alpha W T``), so ``share`` -- flow divided by the total
    -- sums to 1 per source. ``share`` is NaN where the source's total effect
    is zero, i.e. its flows cancel (|total| <= 1e-12 x the sum of |flows|): a
    share of nothing is undefined.

    Returns
    -------
    DataFrame
        Columns ``source, target, weight, target_total, flow, source_total, share``.

    Examples
    --------
    >>> import factormodel as fm
    >>> m = fm.mediation(fm.load_model("toy"), "vsv")
    >>> print(m[m.source == "schoolverzuim"][["target", "flow", "share"]].round(3))
                 target  flow  share
    3               vsv   0.3    0.6
    4  schoolprestaties   0.2    0.4
    """
    alpha = check_alpha(alpha)
    T = total_effects(model, alpha=alpha, targets=[outcome])[outcome]
    sources, targets = model.edge_values("source"), model.edge_values("target")
    weight = model.edge_values("weight").astype(float)
    target_total = T.loc[targets].to_numpy()
    flow = alpha * weight * target_total
    source_total = T.loc[sources].to_numpy()
    gross = pd.Series(np.abs(flow)).groupby(sources).transform("sum")
    defined = np.abs(source_total) > 1e-12 * gross.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(defined, flow / source_total, np.nan)
    out = pd.DataFrame({
        "source": sources, "target": targets,
        "weight": weight, "target_total": target_total, "flow": flow,
        "source_total": source_total, "share": share,
    })
    keep = (flow != 0) & (out["source"] != outcome).to_numpy()
    order = np.lexsort((-np.abs(flow[keep]), model.positions(out["source"][keep])))
    return out[keep].iloc[order].reset_index(drop=True)


def strongest_paths(model: FactorModel, source: str, target: str, *, top: int = 5,
                    alpha: float = 1.0) -> pd.DataFrame:
    """The ``top`` simple paths from ``source`` to ``target`` with the largest |product|.

    A path's product is the product of its weights (times ``alpha`` per hop):
    its share of the total effect ``T[source, target]``. Paths share the one
    path graph cached on the model.

    Returns
    -------
    DataFrame
        ``path`` (ids joined by " → "), ``nodes`` (tuple of ids), ``hops``,
        ``product``; strongest first. Empty when no path leads there.

    Examples
    --------
    >>> import factormodel as fm
    >>> p = fm.strongest_paths(fm.load_model("toy"), "armoede", "vsv", top=2)
    >>> print(p[["path", "product"]].round(3))
                                            path  product
    0           armoede → schoolprestaties → vsv     0.08
    1  armoede → opvoedklimaat → schoolverzuim → vsv     0.06
    """
    alpha = check_alpha(alpha)
    if not isinstance(top, int) or top < 0:
        raise InvalidParameterError(f"top must be a whole number >= 0, got {top!r}")
    s, t = model.positions([source, target])
    G = model.cached(("path graph", alpha), lambda: path_graph(_linalg.system(model).W, alpha))
    names = model.node_ids
    found = _search(G, int(s), int(t), top, None)
    return pd.DataFrame({"path": [" → ".join(names[i] for i in p) for p, _ in found],
                         "nodes": [tuple(names[i] for i in p) for p, _ in found],
                         "hops": [len(p) - 1 for p, _ in found],
                         "product": [float(x) for _, x in found]})
