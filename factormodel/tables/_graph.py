"""Structure of a weighted digraph given as a matrix (private, lowest numeric layer).

Strongly connected components, acyclicity and a topological order, computed from
``W`` (``W[i, j]`` = edge i -> j): a scipy CSR matrix, or for small graphs a dense
numpy array (see :func:`weights` -- then scipy.sparse is never imported, which
saves a command line about 0.1 s of start-up). :class:`~factormodel.FactorModel`
computes this once for its own weight matrix (``model.structure``); the solvers
in :mod:`factormodel._linalg` compute it for graphs with clamped edges cut.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["Structure", "as_csr", "closure", "dense_columns", "entries", "patterns", "small",
           "strong_components", "strongest_paths", "structure", "topological_order", "weights"]

#: Graphs up to this many nodes get their structure from a dense boolean closure;
#: larger ones from scipy.sparse.csgraph, imported only then (it pulls in
#: scipy.sparse.linalg and scipy.linalg: 50-70 ms of start-up for a command line).
SMALL_GRAPH = 128


#: A weight matrix: scipy CSR, or a dense array for graphs up to SMALL_GRAPH nodes.
Matrix = Any


def small(W: Matrix) -> bool:
    """True if W gets the dense algorithms: a dense array, or at most SMALL_GRAPH nodes."""
    return isinstance(W, np.ndarray) or W.shape[0] <= SMALL_GRAPH


def weights(data: np.ndarray, src: np.ndarray, dst: np.ndarray, n: int, *,
            dense: bool | None = None) -> Matrix:
    """The n x n matrix with ``data`` at ``(src, dst)`` (duplicates summed), read-only.

    Dense for up to ``SMALL_GRAPH`` nodes (no scipy.sparse import: the small models
    of a command line), CSR with sorted indices above; ``dense`` decides instead
    when given (a block-diagonal union of two small graphs stays dense).
    """
    data = np.asarray(data, dtype=float)
    if n <= SMALL_GRAPH if dense is None else dense:
        W = np.zeros((n, n))
        np.add.at(W, (src, dst), data)
        W.flags.writeable = False
        return W
    import scipy.sparse as sp

    W = sp.csr_matrix((data, (src, dst)), shape=(n, n))
    W.sum_duplicates()
    W.sort_indices()
    for a in (W.data, W.indices, W.indptr):
        a.flags.writeable = False
    return W


def as_csr(W: Matrix) -> sp.csr_matrix:
    """W as a scipy CSR matrix (for sparse-only algorithms; imports scipy.sparse)."""
    import scipy.sparse as sp

    return W.tocsr() if sp.issparse(W) else sp.csr_matrix(W)


def dense_columns(W: Matrix, cols: np.ndarray) -> np.ndarray:
    """Columns ``cols`` of W as a dense array (n x len(cols))."""
    return W[:, cols] if isinstance(W, np.ndarray) else W[:, cols].toarray()


def entries(W: Matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and values of the stored entries of W, row by row.

    For a dense array the stored entries are the non-zero ones.
    """
    if isinstance(W, np.ndarray):
        rows, cols = np.nonzero(W)
        return rows, cols, W[rows, cols]
    coo = W.tocsr().tocoo()
    return coo.row, coo.col, coo.data


@dataclass(frozen=True)
class Structure:
    """Strongly connected components and (for an acyclic graph) a topological order.

    Attributes
    ----------
    n_components : int
        Number of strongly connected components.
    labels : ndarray
        Component label per node (read-only).
    acyclic : bool
        True if the graph has no directed cycle (a self-loop counts as a cycle).
    order : ndarray or None
        A topological order of the nodes when acyclic (read-only), else None.
    """

    n_components: int
    labels: np.ndarray
    acyclic: bool
    order: np.ndarray | None

    @property
    def cyclic_components(self) -> list[np.ndarray]:
        """Node positions of every component with a cycle (size > 1 or a self-loop)."""
        sizes = np.bincount(self.labels, minlength=self.n_components)
        return [np.flatnonzero(self.labels == c) for c in np.flatnonzero(sizes > 1)]


def closure(W: Matrix) -> np.ndarray:
    """Dense boolean reachability R[i, j]: a walk of length >= 0 leads from i to j.

    By repeated squaring of ``I + (W != 0)``: log2(n) dense products, for small graphs.
    """
    n = W.shape[0]
    rows, cols, _ = entries(W)
    R = np.zeros((n, n), dtype=np.float32)
    R[rows, cols] = 1.0  # every stored edge, a weight of 0 included (as csgraph does)
    R[np.diag_indices(n)] = 1.0
    while True:
        nxt = ((R @ R) > 0).astype(np.float32)  # counts stay exact in float32 (n < 2**24)
        if np.array_equal(nxt, R):
            return R > 0
        R = nxt


def strong_components(W: Matrix) -> tuple[int, np.ndarray]:
    """Strongly connected components of the graph of W (number, label per node)."""
    if small(W):
        R = closure(W)
        first = np.argmax(R & R.T, axis=1)  # the lowest-numbered node of each component
        _, labels = np.unique(first, return_inverse=True)
        return int(labels.max(initial=-1)) + 1, labels.astype(np.int32)
    from scipy.sparse import csgraph

    return csgraph.connected_components(as_csr(W), directed=True, connection="strong")


def structure(W: Matrix) -> Structure:
    """Components, acyclicity and topological order of the graph of ``W``."""
    n_comp, labels = strong_components(W)
    labels.flags.writeable = False
    rows, cols, _ = entries(W)
    acyclic = bool(n_comp == W.shape[0] and not np.any(rows == cols))
    order = topological_order(W) if acyclic else None
    if order is not None:
        order.flags.writeable = False
    return Structure(int(n_comp), labels, acyclic, order)


def topological_order(W: Matrix) -> np.ndarray:
    """A topological order of an acyclic graph (Kahn's algorithm on CSR arrays)."""
    n = W.shape[0]
    rows, indices, _ = entries(W)
    indptr = np.searchsorted(rows, np.arange(n + 1))
    indeg = np.bincount(indices, minlength=n)
    stack = list(np.flatnonzero(indeg == 0)[::-1])
    order = np.empty(n, dtype=np.intp)
    k = 0
    while stack:
        i = stack.pop()
        order[k] = i
        k += 1
        for j in indices[indptr[i]:indptr[i + 1]]:
            indeg[j] -= 1
            if indeg[j] == 0:
                stack.append(j)
    if k != n:
        raise ValueError("graph has a cycle")  # callers check acyclicity first
    return order


class PathGraph:
    """``alpha * W`` as adjacency lists for path searches (``w`` = weight, ``cost`` =
    ``-log|w|``, None for a weight above 1). The networkx graph is built only when a
    search needs it (:meth:`nx`): the strongest single path is a Dijkstra search here."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, data: np.ndarray) -> None:
        self.out: dict[int, list[tuple[int, float, float | None]]] = {}
        for i, j, w in zip(rows.tolist(), cols.tolist(), data.tolist(), strict=True):
            if w != 0:
                self.out.setdefault(i, []).append(
                    (j, w, -math.log(abs(w)) if abs(w) <= 1 else None))
        self.nonnegative = all(c is not None for edges in self.out.values()
                               for _, _, c in edges)
        self._nx: Any = None

    def nx(self) -> Any:
        """The same graph as a networkx DiGraph (built once)."""
        if self._nx is None:
            import networkx as nx

            G = nx.DiGraph()
            for i, edges in self.out.items():
                for j, w, c in edges:
                    G.add_edge(i, j, w=w, cost=c)
            self._nx = G
        return self._nx

    def strongest(self, source: int, target: int) -> tuple[tuple[int, ...], float] | None:
        """The path of the largest |product| (Dijkstra on ``-log|w|``), or None."""
        best = {source: 0.0}
        back: dict[int, int] = {}
        heap = [(0.0, source)]
        done: set[int] = set()
        while heap:
            d, i = heapq.heappop(heap)
            if i in done:
                continue
            done.add(i)
            if i == target:
                break
            for j, _, c in self.out.get(i, ()):
                nd = d + c  # type: ignore[operator]
                if j not in done and nd < best.get(j, math.inf):
                    best[j], back[j] = nd, i
                    heapq.heappush(heap, (nd, j))
        if target not in done:
            return None
        path = [target]
        while path[-1] != source:
            path.append(back[path[-1]])
        path.reverse()
        weights = {(i, j): w for i in path[:-1] for j, w, _ in self.out[i]}
        return tuple(path), math.prod(weights[a, b] for a, b in itertools.pairwise(path))


def path_graph(W: Any, alpha: float = 1.0) -> PathGraph:
    """A graph of ``alpha * W`` for path searches (``w`` = weight, ``cost`` = -log|w|).

    Build it once per matrix and pass it to :func:`strongest_paths` for every
    (source, target) pair.
    """
    rows, cols, data = entries(W)
    return PathGraph(rows, cols, alpha * data)


def strongest_paths(P: PathGraph, source: int, target: int, k: int,
                    max_hops: int | None) -> list[tuple[tuple[int, ...], float]]:
    """Up to ``k`` simple paths source -> target with the largest |product of weights|.

    ``P`` comes from :func:`path_graph`.
    """
    if k == 0:
        return []
    if source == target:
        return [((source,), 1.0)]
    if k == 1 and max_hops is None and P.nonnegative:  # one path: no networkx needed
        found = P.strongest(source, target)
        return [found] if found else []
    import networkx as nx

    G = P.nx()
    if source not in G or target not in G or not nx.has_path(G, source, target):
        return []

    def product(path: list[int]) -> float:
        return math.prod(G[a][b]["w"] for a, b in itertools.pairwise(path))

    out: list[tuple[tuple[int, ...], float]] = []
    if P.nonnegative:
        # Yen's algorithm: simple paths in order of increasing cost = decreasing |product|
        for path in itertools.islice(nx.shortest_simple_paths(G, source, target, weight="cost"),
                                     20 * k + 1000):
            if max_hops is None or len(path) - 1 <= max_hops:
                out.append((tuple(path), product(path)))
                if len(out) == k:
                    break
        return out
    # a weight above 1 makes -log negative: rank all simple paths instead (bounded)
    paths = itertools.islice(nx.all_simple_paths(G, source, target, cutoff=max_hops), 200_000)
    ranked = heapq.nlargest(k, ((abs(product(p)), p) for p in paths), key=lambda t: t[0])
    return [(tuple(p), product(p)) for _, p in ranked]


def patterns(present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a boolean matrix and, per row, the index of its pattern.

    Rows are packed into 64-bit keys and factorised (``np.unique(axis=0)``
    sorts void rows and is about 50 times slower on 10,000 rows).
    """
    S, k = present.shape
    if present.all() or S == 0:
        return np.ones((1, k), dtype=bool), np.zeros(S, dtype=np.intp)
    packed = np.packbits(present, axis=1)
    packed = np.pad(packed, ((0, 0), (0, (-packed.shape[1]) % 8)))
    keys = np.ascontiguousarray(packed).view(np.uint64)
    if keys.shape[1] == 1:
        which, _ = pd.factorize(keys[:, 0])
    else:
        which = pd.DataFrame(keys).groupby(list(range(keys.shape[1])), sort=False).ngroup()
        which = which.to_numpy()
    first = np.unique(which, return_index=True)[1]
    return present[first], which.astype(np.intp)
