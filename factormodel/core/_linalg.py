"""Private numerics shared by total effects and propagation.

Conventions (design notes section 3): ``W[i, j]`` is the direct effect of node
``i`` on node ``j``; ``T = (I - alpha W)^-1`` holds total effects, ``T[i, j]``
being the sum over all walks from ``i`` to ``j`` of the product of their
weights times ``alpha`` per hop.

Solves never form a dense n x n matrix for large models: they return only the
requested rows or columns of ``T``. Acyclic graphs (after clamping) use an exact
triangular solve in topological order (up to ``_SMALL_GRAPH`` nodes: the finite
path sums level by level). Cyclic graphs up to ``DENSE_LIMIT``
nodes use a dense LU solve after checking the spectral radius; larger ones sum
the path series ``B + αW B + (αW)^2 B + ...`` for all requested columns at once
until the next term is below 1e-16 of the sum (sparse LU fills in badly on
random-like graphs: 25 million entries for 10,000 nodes with 4 edges each). If
the series does not settle, the spectral radius decides: below 1 the columns
come from a sparse direct solve (checked by its residual), otherwise the error
names the loop that drives the divergence.

The convergence check (:func:`spectral_radius`, :func:`check_convergence`):

1. a verified upper bound first: ``ρ(W) <= ρ(|W|) <= max_i (|W| x)_i / x_i`` for
   any positive ``x`` (Collatz-Wielandt), with ``x`` from a few power steps on
   ``|W|`` -- most models are settled here in O(edges);
2. otherwise per strongly connected component: dense ``eigvals`` (exact) up to
   ``_EIG_DENSE_LIMIT`` nodes; above, ARPACK from a fixed start vector, six
   eigenvalues of largest magnitude (one alone is unreliable when many
   eigenvalues lie near the spectral circle), refined to 1e-12 when the result is
   near the threshold, and verified by the residual ``|W v - λ v| / |v|`` of its
   eigenvector. The same matrix always gives the same answer;
3. results are remembered per matrix object, so repeated calls on one model pay once.

Graph structure (strong components, reachability) uses a dense boolean closure
for graphs up to ``_SMALL_GRAPH`` nodes and ``scipy.sparse.csgraph`` above, which
is imported only then (it pulls in scipy.linalg: 50-70 ms of start-up).
"""

from __future__ import annotations

import math
import weakref
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from factormodel.errors import NotConvergentError
from factormodel.tables._graph import SMALL_GRAPH as _SMALL_GRAPH
from factormodel.tables._graph import Matrix, Structure, as_csr, closure, small, structure, weights
from factormodel.tables._graph import strong_components as _components

if TYPE_CHECKING:
    from factormodel.core.model import FactorModel

DENSE_LIMIT = 1500  # up to this many nodes, dense LAPACK solves are fastest and exact
_EIG_DENSE_LIMIT = 128  # components up to this size: exact dense eigenvalues
_POWER_LIMIT = 400  # components up to this size: first try a verified bound from W^k
_POWER_MAX = 64  # the highest power k tried
_LOOP_SEARCH_NODES = 300  # the loop search looks at most at this many nodes
SERIES_MAX_TERMS = 20_000  # enough for spectral radius 0.998
_SERIES_RTOL = 1e-16
_RESIDUAL_RTOL = 1e-8  # a direct solve must reproduce B to this relative accuracy


def cut_incoming(W: Matrix, clamped: np.ndarray) -> Matrix:
    """W with every edge *into* a clamped node removed (the do-operator)."""
    if len(clamped) == 0:
        return W
    if isinstance(W, np.ndarray):
        out = W.copy()
        out[:, clamped] = 0.0
        out.flags.writeable = False
        return out
    import scipy.sparse as sp

    cut = np.zeros(W.shape[1], dtype=bool)
    cut[clamped] = True
    keep = ~cut[W.indices]
    indptr = np.concatenate(([0], np.cumsum(keep)))[W.indptr]
    return sp.csr_matrix((W.data[keep], W.indices[keep], indptr), shape=W.shape)


def strong_components(W: Matrix) -> tuple[int, np.ndarray]:
    """Strongly connected components of the graph of W (number, label per node)."""
    return _components(W)


def is_acyclic(W: Matrix) -> bool:
    """True if the graph of W has no directed cycle (self-loops count as cycles)."""
    n_comp, _ = strong_components(W)
    return n_comp == W.shape[0] and not W.diagonal().any()


def absolute(W: Matrix) -> Matrix:
    """|W|, entry by entry (CSR stays CSR)."""
    return np.abs(W) if isinstance(W, np.ndarray) else abs(W).tocsr()


def _block(W: Matrix, idx: np.ndarray) -> Matrix:
    """The square block of W on the nodes ``idx``."""
    if isinstance(W, np.ndarray):
        return W[np.ix_(idx, idx)]
    return W[idx][:, idx].tocsr()


_RHO_CACHE: dict[int, tuple[weakref.ref, float, np.ndarray]] = {}


def _remember(W: Matrix, rho: float, nodes: np.ndarray) -> None:
    key = id(W)
    _RHO_CACHE[key] = (weakref.ref(W, lambda _: _RHO_CACHE.pop(key, None)), rho, nodes)


def _recall(W: Matrix) -> tuple[float, np.ndarray] | None:
    hit = _RHO_CACHE.get(id(W))
    if hit is None or hit[0]() is not W:
        return None
    return hit[1], hit[2]


def _start_vector(n: int) -> np.ndarray:
    """The fixed ARPACK start vector: the same positive pseudo-random vector every time."""
    return np.random.default_rng(20261126).uniform(0.5, 1.5, n)


def _perron(A: Matrix, steps: int, threshold: float = math.inf
            ) -> tuple[float, np.ndarray]:
    """``(b, x)`` with positive x and ``A x <= b x`` for a non-negative A, so ``ρ(A) <= b``.

    x from up to ``steps`` power steps on ``A + I`` from the all-ones vector
    (positive throughout). Stops early once ``b < threshold``, or once the lower
    bound ``min_i (A x)_i / x_i <= ρ(A)`` shows no x can bring b below it.
    """
    x = np.ones(A.shape[0])
    bound = math.inf
    for step in range(1, steps + 1):
        x = A @ x + x
        x /= x.max()
        if step % 5 and step != steps:
            continue
        ratio = (A @ x) / x
        bound = float(ratio.max())
        if bound < threshold or float(ratio.min()) >= threshold:
            break
    return bound, x


def perron_upper_bound(W: Matrix, steps: int = 30, *, threshold: float = math.inf
                       ) -> float:
    """A verified upper bound on the spectral radius of W: ``ρ(W) <= ρ(|W|) <= b``.

    ``b = max_i (|W| x)_i / x_i`` (Collatz-Wielandt) for a positive ``x`` from
    up to ``steps`` power steps on ``|W| + I`` from the all-ones vector (positive
    throughout, so every ratio is defined); also never above the largest row or
    column sum of ``|W|``. Costs O(steps x edges); with ``threshold``, stops as
    soon as the bound is below it or provably cannot get there.
    """
    A = absolute(W)
    if not A.any() if isinstance(A, np.ndarray) else A.nnz == 0:
        return 0.0
    norms = min(float(A.sum(axis=1).max()), float(A.sum(axis=0).max()))
    if norms < threshold:
        return norms
    return min(_perron(A, steps, threshold)[0], norms)


def power_bound(W: Matrix, threshold: float, *, max_power: int = _POWER_MAX
                ) -> float | None:
    """A verified upper bound below ``threshold`` on the spectral radius of W, or None.

    For signed W the Perron bound of ``|W|`` can lie far above ``ρ(W)`` (signs
    cancel along walks). Powers keep the cancellation: ``ρ(W)^k = ρ(W^k) <=
    ρ(|W^k|) <= max_i (|W^k| x)_i / x_i`` for any positive x (Collatz-Wielandt).
    ``P = W^k`` is formed densely, by sparse products up to k = 8 and by squaring
    after that (k = 16, 32, ... ``max_power``), and its rounding is bounded and
    added: ``|fl(P) - W^k| <= c_k |W|^k`` elementwise, with ``c`` growing by
    ``(1 + c)(1 + γ_r) - 1`` per sparse product (rows of at most r entries,
    ``γ_r = r u / (1 - r u)``) and ``(1 + c)^2 (1 + γ_n) - 1`` per squaring
    (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.5).
    Checked at k = 4, 8, 16, ...; returns the first bound below ``threshold``
    (``ρ(W)`` is at most the value returned), or None when none is, or when the
    falling bounds show ``max_power`` would not reach it (ρ near or above
    ``threshold``: the eigenvalues then decide).
    """
    n = W.shape[0]
    if n == 0:
        return 0.0
    # scaled by a power of two (exact) so that powers of a tiny W cannot underflow to a
    # false 0.0 (rho 1e-100 would give 1e-400): rho(W) = 2^e rho(W / 2^e)
    largest = float(np.abs(W).max()) if isinstance(W, np.ndarray) else \
        float(abs(W).max()) if W.nnz else 0.0
    if largest == 0.0:
        return 0.0
    e = math.frexp(largest)[1]
    if e != 0:
        if isinstance(W, np.ndarray):
            W = np.ldexp(W, -e)
        else:
            W = W.tocsr(copy=True)
            W.data = np.ldexp(W.data, -e)
        found = power_bound(W, math.ldexp(threshold, -e), max_power=max_power)
        return None if found is None else math.ldexp(found, e)
    A = absolute(W)
    u = np.finfo(float).eps / 2
    r = int(np.diff(W.tocsr().indptr).max(initial=0)) if not isinstance(W, np.ndarray) \
        else int((W != 0).sum(axis=1).max(initial=0))
    r += 1  # the normalising division
    gamma_r = r * u / (1 - r * u)
    gamma_n = (n + 1) * u / (1 - (n + 1) * u)
    beta, z = _perron(A, 10)  # |W| z <= beta z, so |W|^k x <= beta^k max(x / z) z
    P = W.copy() if isinstance(W, np.ndarray) else W.toarray()
    c = u  # relative error allowance, in units of |W|^k
    log_scale = 0.0  # the true power is P * exp(log_scale)
    previous = math.inf
    x = np.ones(n)  # the Collatz-Wielandt vector, carried from one checkpoint to the next
    k = 1
    while k < max_power:
        if k < 8:
            P = W @ P
            c = (1 + c) * (1 + gamma_r) - 1
            k += 1
        else:
            P = P @ P
            c = (1 + c) ** 2 * (1 + gamma_n) - 1
            k *= 2
            log_scale *= 2
        if k not in (4, 8) and k < 16:
            continue  # entries grow at most (largest row sum of |W|)^4 between checkpoints
        top = float(np.abs(P).max(initial=0.0))
        if not np.isfinite(top):  # pragma: no cover - normalised before every squaring
            return None
        if top > 0.0:
            P /= top
            log_scale += math.log(top)
        M = np.abs(P)
        for _ in range(6):  # the Perron vectors of |W^k| change little with k: warm start
            x = M @ x + x
            x /= x.max()
        lead = (M @ x) / x  # in units of e^log_scale
        # the rounding allowance c (|W|^k x)_i / x_i <= c beta^k max(x / z) z_i / x_i
        log_err = math.log(c) + k * math.log(max(beta, 1e-300)) - log_scale
        err = (math.exp(log_err) * float(np.max(x / z))) * (z / x) if log_err < 600 \
            else math.inf
        b = float(np.max(lead + err)) * (1 + 8 * (n + k) * u)  # this step's own rounding
        if b <= 0.0:  # exactly zero only if W is nilpotent; else an entry underflowed
            return 0.0 if _structurally_nilpotent(W, k) else None
        bound = math.exp((math.log(b) + log_scale) / k)
        if bound < threshold * (1 - 1e-12):
            return bound
        # the bounds fall roughly like rho + const/k: stop when max_power would not do
        if k >= 16 and bound - (previous - bound) * (1 - k / max_power) >= threshold:
            return None
        previous = bound
    return None


def _structurally_nilpotent(W: Matrix, k: int) -> bool:
    """True if the k-th power of W's pattern (any non-zero as 1) is zero."""
    pattern = (W != 0).astype(float)
    P = pattern.copy()
    for _ in range(k - 1):
        P = pattern @ P
        P = (P != 0).astype(float)
        if not P.any() if isinstance(P, np.ndarray) else P.nnz == 0:
            return True
    return not P.any() if isinstance(P, np.ndarray) else P.nnz == 0


def _component_radius(sub: Matrix, *, threshold: float
                      ) -> tuple[float, np.ndarray | None]:
    """Largest |eigenvalue| of one strongly connected block, and its eigenvector if known.

    Dense and exact up to ``_EIG_DENSE_LIMIT`` nodes. Above, ARPACK with the fixed
    start vector and six eigenvalues; when the answer lies within 1e-3 of
    ``threshold`` it is recomputed to 1e-12. Raises ``ArithmeticError`` when the
    eigenvector's residual shows the answer is not an eigenvalue.
    """
    m = sub.shape[0]
    if m <= _EIG_DENSE_LIMIT:
        dense = sub if isinstance(sub, np.ndarray) else sub.toarray()
        return float(np.max(np.abs(np.linalg.eigvals(dense)))), None
    from scipy.sparse import linalg as spla

    sub = as_csr(sub)
    k = min(6, m - 2)
    for tol in (1e-6, 1e-12):
        try:
            vals, vecs = spla.eigs(sub.astype(float), k=k, which="LM", v0=_start_vector(m),
                                   ncv=min(m - 1, max(40, 2 * k + 1)), tol=tol,
                                   maxiter=max(1000, 10 * m))
        except spla.ArpackNoConvergence:
            if m <= 4 * DENSE_LIMIT:
                return float(np.max(np.abs(np.linalg.eigvals(sub.toarray())))), None
            raise
        top = int(np.argmax(np.abs(vals)))
        rho, v = float(abs(vals[top])), vecs[:, top]
        if abs(rho - threshold) > 1e-3 * threshold:
            break
    residual = float(np.linalg.norm(sub @ v - vals[top] * v) / np.linalg.norm(v))
    if residual > 1e-6 * max(rho, 1e-300):  # pragma: no cover - ARPACK reports this itself
        raise ArithmeticError(f"eigenvalue {vals[top]} has residual {residual:.2g}")
    return rho, v


def spectral_radius(W: Matrix, *, threshold: float = 1.0
                    ) -> tuple[float, np.ndarray]:
    """Spectral radius of W and the node indices of the component that attains it.

    The spectrum of W is the union of the spectra of its strongly connected
    components, so only non-trivial components are examined (see the module
    docstring for how: exact dense eigenvalues for small components, ARPACK from
    a fixed start vector above). Deterministic: the same matrix gives the same
    value on every call. ``threshold`` is the value whose side matters (1 for
    ``alpha = 1``); answers near it are refined.
    """
    hit = _recall(W)
    if hit is not None:
        return hit
    n_comp, labels = strong_components(W)
    sizes = np.bincount(labels, minlength=n_comp)
    best, best_nodes = 0.0, np.empty(0, dtype=np.intp)
    loops = np.abs(W.diagonal()) * (sizes[labels] == 1)  # a lone node's self-loop
    if loops.any():
        best_nodes = np.array([int(np.argmax(loops))], dtype=np.intp)
        best = float(loops[best_nodes[0]])
    for comp in np.flatnonzero(sizes > 1):
        idx = np.flatnonzero(labels == comp)
        rho, _ = _component_radius(_block(W, idx), threshold=threshold)
        if rho > best:
            best, best_nodes = rho, idx
    _remember(W, best, best_nodes)
    return best, best_nodes


def _participation(sub: Matrix) -> np.ndarray:
    """Per node, |u_i v_i| for the dominant right (v) and left (u) eigenvectors of sub.

    How much of the dominant eigenvalue -- the divergence -- runs through each node.
    """
    from scipy.sparse import linalg as spla

    m = sub.shape[0]
    out = []
    for M in (sub, sub.T.tocsr()):
        k = min(6, m - 2)
        vals, vecs = spla.eigs(M.astype(float), k=k, which="LM", v0=_start_vector(m),
                               ncv=min(m - 1, max(40, 2 * k + 1)), tol=1e-8,
                               maxiter=max(1000, 10 * m))
        out.append(np.abs(vecs[:, int(np.argmax(np.abs(vals)))]))
    return out[0] * out[1]


def _max_mean_cycle(sub: Matrix) -> tuple[int, ...]:
    """The cycle with the largest geometric-mean |weight| (Karp's algorithm, exact).

    Maximises ``|gain|^(1/length)`` over all cycles of the graph, in
    O(nodes x edges) vectorised steps, and returns the cycle's nodes in order.
    """
    coo = sub.tocoo()
    keep = coo.data != 0
    src, dst = coo.row[keep], coo.col[keep]
    cost = np.log(np.abs(coo.data[keep]))
    m = sub.shape[0]
    order = np.argsort(dst, kind="stable")
    src, dst, cost = src[order], dst[order], cost[order]
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    heads = dst[starts]
    D = np.full((m + 1, m), -np.inf)
    D[0] = 0.0  # walks may start anywhere (a zero-cost super-source)
    pred = np.full((m + 1, m), -1, dtype=np.int64)
    for k in range(1, m + 1):
        cand = D[k - 1][src] + cost
        best = np.maximum.reduceat(cand, starts)
        D[k, heads] = best
        # the first edge into each head that attains the best value
        hit = cand == np.repeat(best, np.diff(np.r_[starts, len(cand)]))
        first = np.minimum.reduceat(np.where(hit, np.arange(len(cand)), len(cand)), starts)
        pred[k, heads] = src[first]
    with np.errstate(invalid="ignore"):
        ratios = (D[m][None, :] - D[:m]) / (m - np.arange(m))[:, None]
    ratios[np.isnan(ratios)] = np.inf
    value = np.where(np.isfinite(D[m]), ratios.min(axis=0), -np.inf)
    v = int(np.argmax(value))
    walk = [v]  # the best walk of m edges ending at v holds a cycle of the best mean
    for k in range(m, 0, -1):
        walk.append(int(pred[k, walk[-1]]))
    walk.reverse()
    seen: dict[int, int] = {}
    best_cycle: tuple[int, ...] = ()
    best_mean = -np.inf
    W = sub.tocsr()
    for pos, node in enumerate(walk):
        if node in seen:
            cyc = walk[seen[node]:pos]
            mean = np.mean([math.log(abs(W[a, b])) for a, b in
                            zip(cyc, [*cyc[1:], cyc[0]], strict=True)])
            if mean > best_mean + 1e-12:
                best_cycle, best_mean = tuple(cyc), mean
        seen[node] = pos
    return best_cycle


def strongest_loop(W: Matrix, nodes: np.ndarray, *,
                   max_nodes: int = _LOOP_SEARCH_NODES) -> tuple[tuple[int, ...], float]:
    """The feedback loop that drives the spectral radius of the component ``nodes``.

    Among the component's nodes, the ``max_nodes`` that carry most of the dominant
    eigenvector pair (:func:`_participation`; all nodes of a smaller component)
    are kept, and within their largest strongly connected part the simple cycle
    with the largest per-step gain ``|gain|^(1/length)`` is found exactly (Karp's
    maximum mean cycle on ``log|w|``). Bounded: O(max_nodes x edges). Returns the
    cycle (node indices of W, in order) and its signed gain.
    """
    nodes = np.asarray(nodes, dtype=np.intp)
    W = as_csr(W)  # the error path: sparse algorithms throughout
    if len(nodes) == 1 and W[nodes[0], nodes[0]] != 0:
        return (int(nodes[0]),), float(W[nodes[0], nodes[0]])  # a self-loop
    if len(nodes) < 2:
        return (), 0.0
    sub = W[nodes][:, nodes].tocsr()
    if len(nodes) > max_nodes:
        keep = np.sort(np.argsort(-_participation(sub), kind="stable")[:max_nodes])
        part = sub[keep][:, keep].tocsr()
        n_comp, labels = strong_components(part)
        sizes = np.bincount(labels, minlength=n_comp)
        if sizes.max(initial=0) < 2:  # pragma: no cover - the top nodes hold no cycle
            keep = np.arange(len(nodes))
        else:
            keep = keep[labels == int(np.argmax(sizes))]
        sub, nodes = sub[keep][:, keep].tocsr(), nodes[keep]
    cycle = _reinforcing_cycle(sub) or _max_mean_cycle(sub)
    if not cycle:  # pragma: no cover - a strong component always has a cycle
        return (), 0.0
    return tuple(int(nodes[c]) for c in cycle), _gain(sub, cycle)


def _gain(sub: Matrix, cycle: tuple[int, ...]) -> float:
    return math.prod(float(sub[a, b]) for a, b in zip(cycle, [*cycle[1:], cycle[0]],
                                                      strict=True))


def _reinforcing_cycle(sub: Matrix, rounds: int = 8) -> tuple[int, ...]:
    """The strongest *reinforcing* loop (positive gain) of ``sub``, or () if none is found.

    A divergence is a loop that amplifies, so the loop named is one with a positive gain:
    Karp's search on the signed double cover (node, sign so far: a negative edge flips
    the sign), whose cycles are exactly the closed walks of positive gain. A walk that
    passes a node twice is split into its simple loops and the strongest positive one is
    kept; when it is a balancing loop walked twice, that loop's weakest edge is set aside
    and the search repeated (``rounds`` times at most).
    """
    import scipy.sparse as sp

    csr = as_csr(sub).tocoo()
    m = csr.shape[0]
    keep = csr.data != 0
    row, col, data = csr.row[keep], csr.col[keep], csr.data[keep]
    original = as_csr(sub)
    for _ in range(rounds):
        if not len(data):
            return ()
        pos = data > 0
        cover = sp.csr_matrix((np.r_[data, data], (np.r_[row, row + m], np.r_[
            np.where(pos, col, col + m), np.where(pos, col + m, col)])), shape=(2 * m, 2 * m))
        if is_acyclic(cover):
            return ()
        walk = [c % m for c in _max_mean_cycle(cover)]
        if not walk:
            return ()
        loops = _simple_loops(walk)
        best: tuple[int, ...] = ()
        best_mean = -math.inf
        for cyc in loops:
            g = _gain(original, cyc)
            if g > 0 and math.log(g) / len(cyc) > best_mean:
                best, best_mean = cyc, math.log(g) / len(cyc)
        if best:
            return best
        worst = max(loops, key=len)  # a balancing loop walked twice: set its weakest edge aside
        pairs = set(zip(worst, [*worst[1:], worst[0]], strict=True))
        on = np.array([(a, b) in pairs for a, b in zip(row, col, strict=True)])
        drop = np.flatnonzero(on)[np.argmin(np.abs(data[on]))]
        row, col, data = np.delete(row, drop), np.delete(col, drop), np.delete(data, drop)
    return ()


def _simple_loops(walk: list[int]) -> list[tuple[int, ...]]:
    """The simple loops of a closed walk (node list, last back to first)."""
    loops, stack, at = [], [], {}
    for node in walk:
        if node in at:
            start = at[node]
            loops.append(tuple(stack[start:]))
            for gone in stack[start + 1:]:
                at.pop(gone, None)
            del stack[start + 1:]
        else:
            at[node] = len(stack)
            stack.append(node)
    if stack:
        loops.append(tuple(stack))
    return loops


def certainly_convergent(W: Matrix, alpha: float,
                         labels: np.ndarray | None = None) -> bool:
    """True if a verified upper bound proves ``ρ(alpha W) < 1``; False if none does.

    Cheap bounds only, no eigenvalues: the Perron bound of ``|W|``
    (:func:`perron_upper_bound`), then for signed components up to ``_POWER_LIMIT``
    nodes the bound from a power of W (:func:`power_bound`). False means "not
    proven": the caller computes the spectral radius. ``labels`` are the strong
    component labels of W when known.
    """
    threshold = (1 - 1e-12) / alpha
    hit = _recall(W)
    if hit is not None:
        return hit[0] < threshold
    if perron_upper_bound(W, threshold=threshold) < threshold:
        return True
    if labels is None:
        _, labels = strong_components(W)
    sizes = np.bincount(labels)
    cyclic = np.flatnonzero(sizes > 1)
    if np.any(np.abs(W.diagonal()) * (sizes[labels] == 1) >= threshold):
        return False  # a lone node's self-loop is an eigenvalue
    if len(cyclic) == 1 and W.shape[0] <= _POWER_LIMIT:
        # one loop-carrying component: a bound for W whole bounds it (and every other
        # eigenvalue), without cutting the block out
        return power_bound(W, threshold) is not None
    if np.any(sizes[cyclic] > _POWER_LIMIT):
        return False
    for comp in cyclic:
        sub = W if sizes[comp] == W.shape[0] else _block(W, np.flatnonzero(labels == comp))
        if power_bound(sub, threshold) is None:
            return False
    return True


def converges_for_every_cut(W: Matrix, alpha: float) -> bool:
    """True if every graph obtained by cutting edges of W converges (rho(alpha |W|) < 1).

    For any W' whose entries are a subset of W's, rho(W') <= rho(|W'|) <= rho(|W|),
    so one check covers all clamping patterns.
    """
    if alpha * perron_upper_bound(W) < 1 - 1e-12 or is_acyclic(W):
        return True
    rho, _ = spectral_radius(absolute(W), threshold=1.0 / alpha)
    return alpha * rho < 1 - 1e-12


_OVERSHOOT = ("balancing: there is no reinforcing loop here, so this one overshoots and the "
              "walk sums swing with growing size")


def raise_if_divergent(W: Matrix, alpha: float, names: tuple[str, ...], what: str
                       ) -> float:
    """Compute the spectral radius; raise NotConvergentError naming the driving loop.

    Returns ``alpha * rho`` when it is below 1.
    """
    rho, comp = spectral_radius(W, threshold=1.0 / alpha)
    if alpha * rho < 1 - 1e-12:
        return alpha * rho
    loop, gain = strongest_loop(W, comp)
    shown = " -> ".join(repr(names[i]) for i in (*loop, loop[0])) if loop else "?"
    max_alpha = 1.0 / rho
    raise NotConvergentError(
        f"{what} do not converge: the spectral radius of alpha*W is {alpha * rho:.4g} >= 1 "
        f"(alpha={alpha:g}). Strongest feedback loop: {shown} with gain {gain:+.4g} "
        f"({'reinforcing' if gain > 0 else _OVERSHOOT}). Total effects exist for "
        f"alpha < {max_alpha:.4g}; or pass max_hops to sum paths up to a fixed length.",
        spectral_radius=alpha * rho, loop=tuple(names[i] for i in loop), max_alpha=max_alpha)


def _series(M: Matrix, B: np.ndarray) -> np.ndarray | None:
    """Sum B + M B + M^2 B + ... ; None if it does not settle in SERIES_MAX_TERMS terms.

    Gives up early when the terms' rate of decay, measured over the last 100
    terms, says the tolerance would not be reached within SERIES_MAX_TERMS
    (a spectral radius near or above 1); the caller then decides by the spectral
    radius and solves directly.
    """
    X = B.copy()
    term = B
    sizes = []
    for k in range(SERIES_MAX_TERMS):
        term = M @ term
        X += term
        size = np.abs(term).max(initial=0.0)
        total = np.abs(X).max(initial=0.0)
        if size <= _SERIES_RTOL * total:
            return X
        if not np.isfinite(size) or size > 1e12:
            return None
        sizes.append(size)
        if k >= 200 and k % 100 == 0 and sizes[-101] > 0:
            rate = (size / sizes[-101]) ** (1 / 100)  # per-term decay
            if rate >= 1 or k + math.log(_SERIES_RTOL * total / size) / math.log(rate) \
                    > SERIES_MAX_TERMS:
                return None
    return None


def _direct(M: Matrix, B: np.ndarray, what: str) -> np.ndarray:
    """Solve M X = B by sparse LU, checked by its residual (one refinement step)."""
    from scipy.sparse import linalg as spla

    lu = spla.splu(M.tocsc())
    X = lu.solve(B)
    scale = max(float(np.abs(B).max(initial=0.0)), 1.0)
    R = B - M @ X
    if np.abs(R).max(initial=0.0) > _RESIDUAL_RTOL * scale:
        X += lu.solve(R)
        R = B - M @ X
    residual = float(np.abs(R).max(initial=0.0))
    if not np.isfinite(residual) or residual > _RESIDUAL_RTOL * scale:
        raise NotConvergentError(f"{what}: the sparse solve is inaccurate (residual "
                                 f"{residual:.2g}); the system is too ill-conditioned")
    return X


def _dense_checked(M: np.ndarray, B: np.ndarray, what: str) -> np.ndarray:
    """Solve M X = B by dense LU, checked by its residual like :func:`_direct` (on a
    fixed combination of the columns: O(n^2), not another O(n^3) product)."""
    X = np.linalg.solve(M, B)
    v = _start_vector(B.shape[1])
    scale = max(float(np.abs(B).max(initial=0.0)), 1.0) * float(np.abs(v).sum())
    residual = float(np.abs(B @ v - M @ (X @ v)).max(initial=0.0))
    if not np.isfinite(residual) or residual > _RESIDUAL_RTOL * scale:
        raise NotConvergentError(f"{what}: the dense solve is inaccurate (residual "
                                 f"{residual:.2g}); the system is too ill-conditioned")
    return X


def _solve(A: Matrix, B: np.ndarray, acyclic: bool, W: Matrix,
           transpose: bool, alpha: float = 1.0,
           diagnose: tuple[tuple[str, ...], str] = ((), "effects"),
           order: np.ndarray | None = None) -> np.ndarray:
    """Solve A X = B for A = I - alpha W (or its transpose)."""
    n = A.shape[0]
    dense = isinstance(A, np.ndarray)
    if acyclic and small(A):
        # W is nilpotent: the path sums end after at most n - 1 hops, summed exactly by
        # level (no scipy.sparse.linalg, whose import costs more than the solve)
        step = alpha * (W.T if transpose else W)
        if not dense:
            step = step.tocsr()
        X = B.copy()
        term = B
        for _ in range(n):
            term = step @ term
            if not term.any():
                break
            X += term
        return X
    if acyclic:
        from scipy.sparse import linalg as spla

        if order is None:
            order = structure(W).order
        # in topological order W is strictly upper triangular, so A is unit upper triangular;
        # A^T is unit lower triangular
        Ap = as_csr(A)[order][:, order].tocsr()
        if transpose:
            Ap = Ap.T.tocsr()
        Xp = spla.spsolve_triangular(Ap, B[order], lower=transpose, unit_diagonal=True)
        X = np.empty_like(Xp)
        X[order] = Xp
        return X
    M = A.T if transpose else A
    if n <= DENSE_LIMIT:
        return np.linalg.solve(M if dense else M.toarray(), B)
    if 4 * B.shape[1] >= n:
        # a quarter of the columns or more: the answer is as large as a dense M, and one
        # dense LU beats hundreds of series sweeps (and a sparse LU's fill-in)
        return _dense_checked(M if dense else M.toarray(), B, diagnose[1])
    M, W = as_csr(M), as_csr(W)
    step = (alpha * (W.T if transpose else W)).tocsr()
    X = _series(step, B)
    if X is None:
        # slow (rho close to 1) or diverging: the spectral radius decides
        names, what = diagnose
        raise_if_divergent(W, alpha, names, what)
        X = _direct(M, B, what)
    return X


def reachable(W: Matrix, starts: np.ndarray, *, reverse: bool = False) -> np.ndarray:
    """Boolean matrix (len(starts) x n): which nodes each start reaches (itself included).

    With ``reverse=True``: which nodes reach each start. Used to set effects
    that no path carries to exactly zero instead of rounding noise.
    """
    G = W.T if reverse else W
    if not len(starts):
        return np.zeros((0, W.shape[0]), dtype=bool)
    starts = np.asarray(starts, dtype=np.intp)
    if small(W):
        return closure(G)[starts]
    import scipy.sparse as sp
    from scipy.sparse import csgraph

    G = absolute(as_csr(G))
    # reachability is the same for every node of a strongly connected component: search
    # the condensation (one node per component), not the graph, from each distinct start
    k, label = csgraph.connected_components(G, directed=True, connection="strong")
    if k == 1:
        return np.ones((len(starts), G.shape[0]), dtype=bool)
    coo = G.tocoo()
    C = sp.csr_matrix((np.ones(coo.nnz), (label[coo.row], label[coo.col])), shape=(k, k))
    C.sum_duplicates()
    first, which = np.unique(label[starts], return_inverse=True)
    hops = csgraph.shortest_path(C, directed=True, unweighted=True, indices=first)
    return np.isfinite(np.atleast_2d(hops))[which.ravel()][:, label]


class System:
    """Total effects ``T = (I - alpha W)^-1`` of one weight matrix: the one checked solve.

    Every solve of the library goes through :meth:`columns` or :meth:`rows`,
    which check convergence first (once per system): a model whose feedback
    loops diverge raises :class:`~factormodel.errors.NotConvergentError` naming
    the strongest loop, never a silent wrong number. Cyclic graphs are checked
    up front, before any solve: verified bounds first, the spectral radius when
    they do not settle it. The graph structure (components, topological order) is
    computed once per system; a model's own system is cached on the model
    (:func:`system`).

    Parameters
    ----------
    W : csr_matrix or ndarray
        Weight matrix, ``W[i, j]`` = direct effect of i on j.
    alpha : float
        Per-hop attenuation (checked by the caller).
    names : tuple of str
        Node names, for error messages.
    what : str
        What is being computed, for error messages.
    """

    def __init__(self, W: Matrix, alpha: float, names: tuple[str, ...], what: str,
                 *, graph_structure: Structure | None = None, checked: bool = False) -> None:
        self.W = W
        self.alpha = float(alpha)
        self.names = names
        self.what = what
        self._structure = graph_structure
        self._checked = checked

    @cached_property
    def structure(self) -> Structure:
        """Components, acyclicity and topological order of the graph of ``W``."""
        return self._structure if self._structure is not None else structure(self.W)

    @property
    def n(self) -> int:
        return self.W.shape[0]

    def check(self) -> None:
        """Raise NotConvergentError if the walk sums of alpha*W diverge (rho >= 1)."""
        if self._checked:
            return
        # before any solve, at every size: a divergent large model used to run its path
        # series for seconds before the spectral radius (a fraction of that) said no
        if not self.structure.acyclic \
                and not certainly_convergent(self.W, self.alpha, self.structure.labels):
            raise_if_divergent(self.W, self.alpha, self.names, self.what)
        self._checked = True

    def converges_for_every_cut(self) -> bool:
        """True if every graph obtained by cutting edges of W converges (rho(alpha|W|) < 1).

        For any W' whose entries are a subset of W's, rho(W') <= rho(|W'|) <= rho(|W|),
        so one check covers all clamping patterns.
        """
        return converges_for_every_cut(self.W, self.alpha)

    def cut(self, clamped: np.ndarray, *, checked: bool = False) -> System:
        """The system with every edge into ``clamped`` removed (the do-operator).

        ``checked=True`` when the caller knows every cut converges
        (:meth:`converges_for_every_cut`).
        """
        if len(clamped) == 0:
            return self
        return System(cut_incoming(self.W, clamped), self.alpha, self.names, self.what,
                      checked=checked)

    def _matrix(self) -> Matrix:
        if isinstance(self.W, np.ndarray):
            return np.eye(self.n) - self.alpha * self.W
        import scipy.sparse as sp

        return (sp.identity(self.n, format="csr") - self.alpha * self.W).tocsr()

    def columns(self, cols: np.ndarray) -> np.ndarray:
        """Columns ``cols`` of T, as an n x len(cols) array (effects of every node on each)."""
        return self._effects(cols, transpose=False)

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """Rows ``rows`` of T, as a len(rows) x n array (effects of each on every node)."""
        return self._effects(rows, transpose=True).T

    def _effects(self, idx: np.ndarray, *, transpose: bool) -> np.ndarray:
        """Solve for unit vectors at ``idx`` (n x len(idx)): columns of T, or of T^T."""
        self.check()
        idx = np.asarray(idx, dtype=np.intp)
        B = np.zeros((self.n, len(idx)))
        B[idx, np.arange(len(idx))] = 1.0
        st = self.structure
        X = _solve(self._matrix(), B, st.acyclic, self.W, transpose=transpose, alpha=self.alpha,
                   diagnose=(self.names, self.what), order=st.order)
        if not st.acyclic:  # triangular solves are exact already; LU leaves rounding noise
            X[~reachable(self.W, idx, reverse=not transpose).T] = 0.0
        if not np.isfinite(X).all():  # never hand out NaN or inf: an overflow is an error
            raise NotConvergentError(
                f"{self.what}: total effects overflow (not finite); the weights or alpha are "
                "too large for a stable solve", spectral_radius=float("nan"))
        return X

    def combined(self, rows: np.ndarray, coeffs: np.ndarray) -> np.ndarray:
        """``coeffs @ self.rows(rows)`` (k x n for k x len(rows) coefficients), k solves.

        Without forming the len(rows) x n effect rows: the right-hand sides are
        the k combinations. Entries no given node reaches are exactly zero.
        """
        self.check()
        rows = np.asarray(rows, dtype=np.intp)
        B = np.zeros((self.n, coeffs.shape[0]))
        B[rows] = coeffs.T
        st = self.structure
        X = _solve(self._matrix(), B, st.acyclic, self.W, transpose=True, alpha=self.alpha,
                   diagnose=(self.names, self.what), order=st.order).T
        if not st.acyclic:
            X[~_reachable_from_sets(self.W, rows, coeffs != 0)] = 0.0
        return X


def _reachable_from_sets(W: Matrix, rows: np.ndarray, member: np.ndarray
                         ) -> np.ndarray:
    """k x n booleans: which nodes some ``rows[member[s]]`` reaches, per set s.

    One breadth-first search per set (from a virtual node linked to its members),
    not one per member.
    """
    n = W.shape[0]
    if small(W):
        return (member.astype(np.float32) @ closure(W)[rows].astype(np.float32)) > 0
    import scipy.sparse as sp
    from scipy.sparse import csgraph

    W = as_csr(W)
    out = np.zeros((member.shape[0], n), dtype=bool)
    for s, chosen in enumerate(member):
        starts = rows[chosen]
        if not len(starts):
            continue
        link = sp.csr_matrix((np.ones(len(starts)), (np.zeros(len(starts), dtype=np.intp),
                                                     starts)), shape=(1, n))
        G = sp.vstack([sp.hstack([abs(W), sp.csr_matrix((n, 1))]),
                       sp.hstack([link, sp.csr_matrix((1, 1))])]).tocsr()
        order = csgraph.breadth_first_order(G, n, directed=True, return_predecessors=False)
        out[s, order[order < n]] = True
    return out


def system(model: FactorModel, alpha: float = 1.0) -> System:
    """The model's own checked solver at ``alpha``, cached on the model.

    Dense for models up to ``SMALL_GRAPH`` nodes (``model.weight_array``), sparse above.
    """
    return model.cached(("system", float(alpha)), lambda: System(
        model.weight_array if model.n_nodes <= _SMALL_GRAPH else model.weight_matrix, alpha,
        model.node_ids, f"total effects of model {model.name!r}",
        graph_structure=model.structure))


def unsigned_columns(model: FactorModel, alpha: float, first: np.ndarray, second: np.ndarray,
                     cols: np.ndarray, key: str = "evidence") -> tuple[np.ndarray, np.ndarray]:
    """Columns ``cols`` of the total effects of the model's graph under two other edge weights.

    ``first`` and ``second`` are non-negative weights per edge (edge order), e.g.
    |w| and |w| times an evidence factor. Both systems are solved in one checked
    solve of their block-diagonal union (cached on the model).
    """
    def build() -> System:
        src, dst = model.edge_positions
        n = model.n_nodes
        data = np.concatenate([np.asarray(first, float), np.asarray(second, float)])
        W = weights(data, np.concatenate([src, src + n]), np.concatenate([dst, dst + n]), 2 * n,
                    dense=n <= _SMALL_GRAPH)
        names = model.node_ids + tuple(f"{k} (evidence)" for k in model.node_ids)
        return System(W, alpha, names, f"unsigned path weights of model {model.name!r}")

    solver = model.cached(("unsigned columns", key, float(alpha)), build)
    n = model.n_nodes
    cols = np.asarray(cols, dtype=np.intp)
    X = solver.columns(np.concatenate([cols, cols + n]))
    return X[:n, :len(cols)], X[n:, len(cols):]


def truncated_rows(W: Matrix, alpha: float, rows: np.ndarray, max_hops: int
                   ) -> np.ndarray:
    """Rows of sum_{k=0}^{max_hops} (alpha W)^k: walks of at most ``max_hops`` edges."""
    n = W.shape[0]
    Y = np.zeros((len(rows), n))
    Y[np.arange(len(rows)), rows] = 1.0
    acc = Y.copy()
    Wt = (alpha * W).T
    Wt = np.ascontiguousarray(Wt) if isinstance(Wt, np.ndarray) else Wt.tocsr()
    for _ in range(max_hops):
        Y = (Wt @ Y.T).T
        acc += Y
    return acc
