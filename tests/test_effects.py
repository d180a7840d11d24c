"""Total effects, decomposition and mediation, against independent implementations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import factormodel as fm
from factormodel.core import effects

from .reference import matrix_model, random_cyclic, random_dag, total_effects_by_paths


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("alpha", [1.0, 0.7])
def test_total_effects_equal_path_enumeration_on_random_dags(seed, alpha):
    rng = np.random.default_rng(seed)
    W = random_dag(rng, 7)
    if not W.any():
        W[0, 1] = 0.5
    m = matrix_model(W)
    T = fm.total_effects(m, alpha=alpha).to_numpy()
    np.testing.assert_allclose(T, total_effects_by_paths(W, alpha), atol=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_total_effects_equal_dense_inverse_on_cyclic_graphs(seed):
    rng = np.random.default_rng(100 + seed)
    W = random_cyclic(rng, 9, rho=0.9)
    m = matrix_model(W)
    assert not fm.decompose_effects(m).empty
    T = fm.total_effects(m, alpha=0.8).to_numpy()
    np.testing.assert_allclose(T, np.linalg.inv(np.eye(9) - 0.8 * W), atol=1e-12)


def test_targets_are_columns_of_the_full_table(rotterdam):
    full = fm.total_effects(rotterdam)
    part = fm.total_effects(rotterdam, targets=["vsv", "neet"])
    assert list(part.columns) == ["vsv", "neet"]
    np.testing.assert_allclose(part.to_numpy(), full[["vsv", "neet"]].to_numpy(), atol=1e-14)
    assert fm.total_effects(rotterdam, targets="vsv").shape == (rotterdam.n_nodes, 1)


def test_toy_total_effects_by_hand(toy):
    T = fm.total_effects(toy)
    assert T.loc["schoolverzuim", "vsv"] == pytest.approx(0.3 + (-0.5) * (-0.4))
    assert T.loc["armoede", "vsv"] == pytest.approx(
        (-0.2) * (-0.4) + (-0.5) * (-0.4) * 0.3 + (-0.5) * (-0.4) * (-0.5) * (-0.4))
    assert T.loc["opvoedklimaat", "schoolsucces"] == pytest.approx((-0.4) * (-0.5) * 0.6)
    assert T.loc["vsv", "armoede"] == 0
    np.testing.assert_array_equal(np.diag(T), 1.0)


def test_feedback_loop_by_hand():
    m = matrix_model(np.array([[0, 0.5], [0.4, 0]]), ["a", "b"])
    T = fm.total_effects(m)
    assert T.loc["a", "a"] == pytest.approx(1 / (1 - 0.2))
    assert T.loc["a", "b"] == pytest.approx(0.5 / (1 - 0.2))


def test_not_convergent_names_loop_and_alpha():
    m = matrix_model(np.array([[0, 1.2, 0], [1.0, 0, 0.3], [0, 0, 0]]), ["a", "b", "c"])
    with pytest.raises(fm.NotConvergentError) as e:
        fm.total_effects(m)
    err = e.value
    assert isinstance(err, ArithmeticError)
    rho = np.sqrt(1.2)
    assert err.spectral_radius == pytest.approx(rho)
    assert err.max_alpha == pytest.approx(1 / rho)
    assert set(err.loop) == {"a", "b"}
    assert "'a' -> 'b' -> 'a'" in str(err) or "'b' -> 'a' -> 'b'" in str(err)
    assert f"alpha < {1 / rho:.4g}" in str(err)
    # below the reported alpha it converges
    T = fm.total_effects(m, alpha=0.99 * err.max_alpha)
    assert np.isfinite(T.to_numpy()).all()


def test_strongest_loop_is_named_among_several():
    W = np.zeros((5, 5))
    W[0, 1], W[1, 0] = 0.3, 0.3  # weak loop
    W[2, 3], W[3, 4], W[4, 2] = 1.1, 1.1, 1.1  # strong loop
    with pytest.raises(fm.NotConvergentError) as e:
        fm.total_effects(matrix_model(W))
    assert set(e.value.loop) == {"n2", "n3", "n4"}


@pytest.mark.parametrize("alpha", [0, -1, float("nan"), float("inf"), "x"])
def test_bad_alpha(toy, alpha):
    with pytest.raises(fm.InvalidParameterError, match="alpha"):
        fm.total_effects(toy, alpha=alpha)


def test_unknown_target(toy):
    with pytest.raises(fm.UnknownNodeError, match="did you mean 'vsv'"):
        fm.total_effects(toy, targets=["vsw"])


def test_full_table_refused_for_huge_models(toy, monkeypatch):
    monkeypatch.setattr(effects, "_FULL_LIMIT", 3)
    with pytest.raises(fm.InvalidParameterError, match="pass targets"):
        fm.total_effects(toy)
    assert fm.total_effects(toy, targets=toy.outcomes).shape == (6, 2)


def test_decomposition_adds_up(rotterdam):
    d = fm.decompose_effects(rotterdam, targets=list(rotterdam.outcomes))
    np.testing.assert_allclose(d["direct"] + d["indirect"], d["total"], atol=1e-14)
    e = rotterdam.edges.set_index(["source", "target"])["weight"]
    direct = d.set_index(["source", "target"])["direct"]
    for key, w in e.items():
        if key in direct.index:
            assert direct.loc[key] == w
    assert not (d["source"] == d["target"]).any()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), alpha=st.floats(0.3, 1.0))
def test_mediation_flows_sum_to_total_effect(seed, alpha):
    rng = np.random.default_rng(seed)
    W = random_cyclic(rng, 7, rho=0.7) if seed % 2 else random_dag(rng, 7)
    # a nearly nilpotent draw scaled up to rho 0.7 can exceed the model's weight bound of 10
    assume(W.any() and np.abs(W).max() <= 10)
    m = matrix_model(W)
    target = "n0"
    med = fm.mediation(m, target, alpha=alpha)
    T = fm.total_effects(m, alpha=alpha, targets=[target])[target]
    sums = med.groupby("source")["flow"].sum()
    np.testing.assert_allclose(sums.to_numpy(), T.loc[sums.index].to_numpy(), atol=1e-12)
    shares = med.dropna(subset=["share"]).groupby("source")["share"].sum()
    np.testing.assert_allclose(shares.to_numpy(), 1.0, atol=1e-9)


def test_mediation_by_hand(toy):
    med = fm.mediation(toy, "vsv").set_index(["source", "target"])
    assert med.loc[("schoolverzuim", "vsv"), "flow"] == pytest.approx(0.3)
    assert med.loc[("schoolverzuim", "schoolprestaties"), "flow"] == pytest.approx(0.2)
    assert med.loc[("schoolverzuim", "vsv"), "share"] == pytest.approx(0.6)
    assert ("schoolprestaties", "schoolsucces") not in med.index  # carries nothing to vsv


def test_large_sparse_model_targets_only():
    """A 3,000-node sparse cyclic model: targets-only solve matches a dense check."""
    import scipy.sparse as sp

    rng = np.random.default_rng(7)
    n = 3000
    rows = np.repeat(np.arange(n), 3)
    cols = rng.integers(0, n, 3 * n)
    keep = rows != cols
    W = sp.coo_matrix((rng.uniform(-0.3, 0.3, keep.sum()), (rows[keep], cols[keep])),
                      shape=(n, n)).tocsr()
    W.sum_duplicates()
    m = matrix_model(W.toarray())
    T = fm.total_effects(m, targets=["n0", "n5"])
    dense = np.linalg.solve(np.eye(n) - W.toarray(), np.eye(n)[:, [0, 5]])
    np.testing.assert_allclose(T.to_numpy(), dense, atol=1e-10)


def test_series_path_matches_dense_and_diagnoses_divergence(monkeypatch):
    from factormodel.core import _linalg

    rng = np.random.default_rng(21)
    W = random_cyclic(rng, 12, rho=0.9)
    m = matrix_model(W)
    dense = fm.total_effects(m, targets=["n0", "n3"]).to_numpy()
    monkeypatch.setattr(_linalg, "DENSE_LIMIT", 5)  # force the path series on 12 nodes
    series = fm.total_effects(m, targets=["n0", "n3"]).to_numpy()
    np.testing.assert_allclose(series, dense, atol=1e-13)
    r = fm.propagate(m, {"n1": 1.0, "n2": -0.5}, clamp=False)
    expected = np.zeros(12)
    expected[[1, 2]] = [1.0, -0.5]
    np.testing.assert_allclose(r.deltas.to_numpy(), expected @ np.linalg.inv(np.eye(12) - W),
                               atol=1e-13)
    divergent = matrix_model(W * (1.3 / 0.9))
    with pytest.raises(fm.NotConvergentError, match="Strongest feedback loop") as e:
        fm.total_effects(divergent, targets=["n0"])
    assert e.value.spectral_radius == pytest.approx(1.3)
    # a series too slow to settle is not a refusal: rho < 1, so a sparse solve answers
    monkeypatch.setattr(_linalg, "SERIES_MAX_TERMS", 5)
    slow = fm.total_effects(m, targets=["n0", "n3"]).to_numpy()
    np.testing.assert_allclose(slow, dense, atol=1e-13)
