"""Private numerics: deterministic spectral radius, the loop that drives a divergence,
slow series that fall back to a direct solve, graph structure on small graphs."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse import csgraph

import factormodel as fm
from factormodel.core import _linalg
from tests.reference import matrix_model


def _sparse_random(n, seed, rho, out_edges=4, *, rows_sum=False):
    """Random sparse W with spectral radius rho.

    Signed and scaled by its dense eigenvalues; or (``rows_sum``) positive with every
    row summing to rho, so that rho is its Perron root without any eigenvalue solver.
    """
    rng = np.random.default_rng(seed)
    src = np.repeat(np.arange(n), out_edges)
    dst = (src + rng.integers(1, n, n * out_edges)) % n  # no self-loops
    low = 0.1 if rows_sum else -1
    W = sp.csr_matrix((rng.uniform(low, 1, len(src)), (src, dst)), shape=(n, n))
    W.sum_duplicates()
    if rows_sum:
        return sp.diags(rho / np.asarray(W.sum(axis=1)).ravel()) @ W
    true = max(abs(np.linalg.eigvals(W.toarray())))
    return (W * (rho / true)).tocsr()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_spectral_radius_near_one_is_deterministic_and_right(seed):
    # the issue case: large components, true rho 1.02; ARPACK from a random
    # start gave 0.998 / 1.0069 / 1.0126 on some of them
    W = _sparse_random(600, seed, 1.02)
    first, comp = _linalg.spectral_radius(W)
    again, _ = _linalg.spectral_radius(W.copy())  # a new object: not the remembered answer
    assert first == again
    assert first == pytest.approx(1.02, rel=1e-6)  # ARPACK to 1e-6 away from the threshold
    assert len(comp) > _linalg._EIG_DENSE_LIMIT  # the ARPACK path was taken


def test_divergence_error_names_a_driving_loop_and_a_working_alpha():
    W = _sparse_random(600, 5, 1.02)
    m = matrix_model(W.toarray())
    with pytest.raises(fm.NotConvergentError, match="Strongest feedback loop") as e:
        fm.total_effects(m, targets=["n0"])
    err = e.value
    assert err.spectral_radius == pytest.approx(1.02, rel=1e-6)
    assert len(err.loop) >= 2
    T = fm.total_effects(m, targets=["n0"], alpha=0.999 * err.max_alpha)  # advice that works
    assert np.isfinite(T.to_numpy()).all()


def test_planted_reinforcing_loop_is_named_in_a_large_model():
    # a weak random background (rho 0.5) and one strong reinforcing loop of three nodes:
    # the loop drives the divergence and is the one the error must name
    n = 2000
    W = _sparse_random(n, 7, 0.5, rows_sum=True)
    W.data *= np.random.default_rng(8).choice([-1.0, 1.0], W.nnz)  # signed: rho(W) <= 0.5
    W = W.tolil()
    loop = [101, 1517, 733]
    for a, b in itertools.pairwise([*loop, loop[0]]):
        W[a, b] = 1.1
    W = W.tocsr()
    names = tuple(f"n{i}" for i in range(n))
    with pytest.raises(fm.NotConvergentError) as e:
        _linalg.raise_if_divergent(W, 1.0, names, "effects")
    named = e.value.loop
    assert sorted(named) == sorted(f"n{i}" for i in loop)
    assert "reinforcing" in str(e.value)


def test_max_mean_cycle_matches_brute_force():
    rng = np.random.default_rng(11)
    for _ in range(25):
        n = int(rng.integers(3, 8))
        A = rng.uniform(-2, 2, (n, n)) * (rng.random((n, n)) < 0.5)
        np.fill_diagonal(A, 0)
        G = nx.DiGraph()
        G.add_weighted_edges_from((i, j, A[i, j]) for i, j in zip(*np.nonzero(A), strict=True))
        cycles = list(nx.simple_cycles(G))
        if not cycles:
            continue
        best = max(np.mean([math.log(abs(A[a, b])) for a, b in zip(c, [*c[1:], c[0]],
                                                                    strict=True)])
                   for c in cycles)
        found = _linalg._max_mean_cycle(sp.csr_matrix(A))
        mean = np.mean([math.log(abs(A[a, b])) for a, b in zip(found, [*found[1:], found[0]],
                                                                strict=True)])
        assert len(set(found)) == len(found)  # a simple cycle
        assert mean == pytest.approx(best, abs=1e-12)


def test_slow_series_falls_back_to_a_checked_direct_solve():
    # n above DENSE_LIMIT and rho 0.999: the series needs ~37,000 terms, more than the cap
    n = _linalg.DENSE_LIMIT + 100
    W = _sparse_random(n, 9, 0.999, rows_sum=True).tocsr()
    m = matrix_model(W.toarray())
    T = fm.total_effects(m, targets=["n0", "n5"]).to_numpy()
    dense = np.linalg.inv(np.eye(n) - W.toarray())[:, [0, 5]]
    np.testing.assert_allclose(T, dense, rtol=1e-8, atol=1e-10)


def test_upper_bound_is_an_upper_bound():
    rng = np.random.default_rng(4)
    for _ in range(20):
        n = int(rng.integers(2, 40))
        A = rng.uniform(-1, 1, (n, n)) * (rng.random((n, n)) < 0.3)
        bound = _linalg.perron_upper_bound(sp.csr_matrix(A))
        assert max(abs(np.linalg.eigvals(np.abs(A)))) <= bound + 1e-12


def _dense_rho(W) -> float:
    return float(max(abs(np.linalg.eigvals(W.toarray())), default=0.0))


@pytest.mark.parametrize(("n", "rho"), [(60, 0.8), (200, 0.9), (300, 0.9), (150, 0.95)])
def test_power_bound_proves_signed_convergence_the_perron_bound_cannot(n, rho):
    W = _sparse_random(n, 3, rho)
    assert _linalg.perron_upper_bound(W) > 1  # |W| alone does not settle it
    bound = _linalg.power_bound(W, 1.0)
    assert bound is not None
    assert _dense_rho(W) <= bound < 1  # a true upper bound, below the threshold
    assert _linalg.certainly_convergent(W, 1.0)
    assert not _linalg.certainly_convergent(W, 1.001 / _dense_rho(W))  # alpha: it diverges


@pytest.mark.parametrize("rho", [1.0, 1.02, 1.5])
def test_power_bound_never_proves_a_divergent_matrix(rho):
    W = _sparse_random(120, 4, rho)
    assert _linalg.power_bound(W, 1.0) is None
    assert not _linalg.certainly_convergent(W, 1.0)
    with pytest.raises(fm.NotConvergentError):
        _linalg.System(W, 1.0, tuple(f"n{i}" for i in range(120)), "x").columns(np.arange(2))


def test_power_bound_is_an_upper_bound_on_random_small_matrices():
    rng = np.random.default_rng(12)
    proven = 0
    for _ in range(200):
        n = int(rng.integers(2, 30))
        A = rng.uniform(-1, 1, (n, n)) * (rng.random((n, n)) < rng.uniform(0.1, 0.6))
        W = sp.csr_matrix(A)
        true = _dense_rho(W)
        for threshold in (0.5, 1.0, 2.0):
            bound = _linalg.power_bound(W, threshold)
            if bound is not None:
                proven += 1
                assert true <= bound * (1 + 1e-12)
                assert bound < threshold
            if _linalg.certainly_convergent(W, 1.0 / threshold):
                assert true < threshold
    assert proven > 100  # the bound settles most of them


def test_power_bound_proves_a_nilpotent_matrix_convergent():
    W = sp.csr_matrix(np.triu(np.random.default_rng(1).uniform(-3, 3, (12, 12)), 1))
    bound = _linalg.power_bound(W, 1.0)
    assert bound is not None and bound < 1  # true rho 0: proven convergent at any alpha this size


def test_a_self_loop_counts_in_the_spectral_radius_and_the_error():
    W = sp.csr_matrix(np.array([[1.5, 0, 0], [0, 0, 0.5], [0, 0.5, 0]]))
    assert _linalg.spectral_radius(W)[0] == 1.5
    assert not _linalg.certainly_convergent(W, 1.0)
    with pytest.raises(fm.NotConvergentError, match=r"'a' -> 'a' with gain \+1\.5") as e:
        _linalg.System(W, 1.0, ("a", "b", "c"), "x").columns(np.arange(3))
    assert e.value.loop == ("a",)


def test_small_graph_structure_matches_csgraph():
    rng = np.random.default_rng(5)
    for _ in range(30):
        n = int(rng.integers(1, 60))
        A = sp.csr_matrix((rng.random((n, n)) < rng.uniform(0.01, 0.2)).astype(float))
        k, labels = _linalg.strong_components(A)
        k_ref, ref = csgraph.connected_components(A, directed=True, connection="strong")
        assert k == k_ref
        # same partition: labels agree up to renaming
        assert len(set(zip(labels.tolist(), ref.tolist(), strict=True))) == k
        starts = np.arange(0, n, 3)
        hops = csgraph.shortest_path(A, directed=True, unweighted=True, indices=starts)
        np.testing.assert_array_equal(_linalg.reachable(A, starts),
                                      np.isfinite(np.atleast_2d(hops)))


def test_attribution_rows_are_built_only_when_asked():
    rotterdam = fm.load_model("rotterdam-jeugd")
    given = dict.fromkeys(rotterdam.factors[:30], 0.5)
    r = fm.propagate(rotterdam, given)
    assert not r._groups[0]._effect  # one scenario, 30 given nodes: one solve, no rows yet
    contrib = r.contributions_to("vsv")
    assert r._groups[0]._effect  # built for the attribution
    assert contrib.sum() == pytest.approx(r.deltas["vsv"], abs=1e-14)
    pos = rotterdam.positions(list(given))
    cut = _linalg.cut_incoming(rotterdam.weight_matrix, pos)
    rows = _linalg.System(cut, 1.0, rotterdam.node_ids, "effects").rows(pos)
    np.testing.assert_allclose(r.deltas.to_numpy(), 0.5 * rows.sum(axis=0), atol=1e-14)


@pytest.mark.parametrize("acyclic", [False, True])
def test_dense_and_sparse_systems_give_the_same_numbers(acyclic):
    # models up to SMALL_GRAPH nodes are solved with dense arrays (no scipy import);
    # every solve must equal the sparse path on the same matrix
    rng = np.random.default_rng(21 + acyclic)
    n = 60
    A = rng.uniform(-1, 1, (n, n)) * (rng.random((n, n)) < 0.08)
    np.fill_diagonal(A, 0)
    if acyclic:
        A = np.triu(A, 1)
    else:
        A *= 0.8 / max(abs(np.linalg.eigvals(A)))
    names = tuple(f"n{i}" for i in range(n))
    dense = _linalg.System(A.copy(), 1.0, names, "x")
    sparse = _linalg.System(sp.csr_matrix(A), 1.0, names, "x")
    assert dense.structure.acyclic == sparse.structure.acyclic == acyclic
    cols = np.array([0, 7, 31])
    ref = np.linalg.inv(np.eye(n) - A)
    for s in (dense, sparse):
        np.testing.assert_allclose(s.columns(cols), ref[:, cols], atol=1e-12)
        np.testing.assert_allclose(s.rows(cols), ref[cols], atol=1e-12)
        coeffs = rng.normal(size=(4, len(cols)))
        np.testing.assert_allclose(s.combined(cols, coeffs), coeffs @ ref[cols], atol=1e-12)
    np.testing.assert_array_equal(dense.columns(cols) == 0, sparse.columns(cols) == 0)
    cut_d, cut_s = dense.cut(cols), sparse.cut(cols)
    assert isinstance(cut_d.W, np.ndarray)
    np.testing.assert_allclose(cut_d.rows(cols), cut_s.rows(cols), atol=1e-12)
    np.testing.assert_allclose(_linalg.truncated_rows(A, 1.0, cols, 3),
                               _linalg.truncated_rows(sp.csr_matrix(A), 1.0, cols, 3),
                               atol=1e-14)
    assert _linalg.spectral_radius(A.copy())[0] == pytest.approx(
        _linalg.spectral_radius(sp.csr_matrix(A))[0], abs=1e-12)


def test_model_results_do_not_depend_on_the_dense_path():
    m = fm.load_model("rotterdam-jeugd")
    assert isinstance(_linalg.system(m).W, np.ndarray)
    sparse = _linalg.System(m.weight_matrix, 1.0, m.node_ids, "x")
    targets = m.positions(list(m.outcomes))
    T = fm.total_effects(m, targets=list(m.outcomes)).to_numpy()  # through the dense system
    np.testing.assert_allclose(T, sparse.columns(targets), atol=1e-13)
    np.testing.assert_array_equal(m.weight_array, m.weight_matrix.toarray())


def test_large_graph_reachability_matches_breadth_first_search():
    """Above the dense limit reachability is searched on the condensation (one node per
    strongly connected component); it must equal a plain search on the graph itself."""
    rng = np.random.default_rng(11)
    for n, p in ((400, 0.004), (600, 0.003), (500, 0.0025)):
        A = sp.csr_matrix((rng.random((n, n)) < p).astype(float) * rng.uniform(-1, 1, (n, n)))
        assert not _linalg.small(A)
        k, _ = csgraph.connected_components(A, directed=True, connection="strong")
        assert 1 < k < n  # several components, some larger than one node
        starts = rng.choice(n, 40, replace=False)
        for reverse in (False, True):
            G = abs(A.T if reverse else A)
            hops = csgraph.shortest_path(G, directed=True, unweighted=True, indices=starts)
            np.testing.assert_array_equal(_linalg.reachable(A, starts, reverse=reverse),
                                          np.isfinite(hops))
    ring = sp.csr_matrix((np.full(500, 0.5), (np.arange(500), (np.arange(500) + 1) % 500)),
                         shape=(500, 500))  # one component: every node reaches every node
    assert _linalg.reachable(ring, np.array([3, 7])).all()
