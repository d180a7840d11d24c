"""Weight draws, Monte Carlo against a per-draw loop, divergence, and exact sensitivities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factormodel as fm
from factormodel.analysis.uncertainty import DEFAULT_SD

from .reference import matrix_model, monte_carlo_loop, random_cyclic

PROFILE = pd.DataFrame({"armoede": [1.0, -0.5, 0.2], "opvoedklimaat": [-1.0, np.nan, 0.4],
                        "schoolverzuim": [0.8, 0.1, np.nan]}, index=["A", "B", "C"])


def test_draw_distributions(rotterdam):
    d = fm.draw_weights(rotterdam, 40_000, seed=2)
    e = rotterdam.edges
    normal = e["sd"].notna().to_numpy()
    sd = e.loc[normal, "sd"].to_numpy()  # some are wide (published prediction intervals)
    se = sd / np.sqrt(len(d))  # 5 standard errors of each draw's mean and SD
    assert (np.abs(d[:, normal].mean(axis=0) - e.loc[normal, "weight"]) <= 5 * se + 1e-9).all()
    assert (np.abs(d[:, normal].std(axis=0) - sd) <= 5 * se / np.sqrt(2) + 1e-9).all()
    interval = e["low"].notna().to_numpy()
    lo, hi = e.loc[interval, "low"].to_numpy(), e.loc[interval, "high"].to_numpy()
    assert (d[:, interval] >= lo).all() and (d[:, interval] <= hi).all()
    assert np.allclose(d[:, interval].mean(axis=0), (lo + hi) / 2, atol=0.002)
    tri = fm.draw_weights(rotterdam, 40_000, seed=2, distribution="triangular")
    mode = e.loc[interval, "weight"].to_numpy()
    assert np.allclose(tri[:, interval].mean(axis=0), (lo + hi + mode) / 3, atol=0.002)
    assert (fm.draw_weights(rotterdam, 5, seed=9) == fm.draw_weights(rotterdam, 5, seed=9)).all()


def test_default_sd_for_edges_without_uncertainty(toy):
    bare = toy.with_weights(toy.edges[["source", "target"]].assign(sd=np.nan))
    d = fm.draw_weights(bare, 50_000, seed=1)
    expected = bare.edges["strength"].map(DEFAULT_SD).to_numpy()
    assert np.allclose(d.std(axis=0), expected, atol=0.005)


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"n_draws": 0}, "n_draws"), ({"distribution": "beta"}, "distribution"),
])
def test_draw_errors(toy, kwargs, fragment):
    args = {"n_draws": 10, **kwargs}
    with pytest.raises(fm.InvalidParameterError, match=fragment):
        fm.draw_weights(toy, **args)


def test_without_uncertainty_everything_is_the_central_result(toy):
    certain = toy.with_weights(toy.edges[["source", "target"]].assign(sd=0.0))
    mc = fm.monte_carlo(certain, PROFILE, {"vsv": 1.0}, n_draws=50, top=1)
    pred = mc.predictions
    np.testing.assert_allclose(pred["low"], pred["central"], atol=1e-6)
    np.testing.assert_allclose(pred["high"], pred["central"], atol=1e-6)
    expected = fm.propagate(toy, PROFILE[["armoede", "opvoedklimaat", "schoolverzuim"]],
                            missing="free").deltas
    np.testing.assert_allclose(pred["central"].unstack().loc[expected.index, expected.columns],
                               expected, atol=1e-12)
    rec = fm.recommend(toy, PROFILE, {"vsv": 1.0}, area="A", top=1)
    assert mc.rank_stability.loc["A", rec.loc[0, "factor"]] == 1.0
    assert mc.rank_stability.loc["A"].sum() == 1.0


def test_vectorised_equals_a_loop_over_draws(rotterdam):
    prof = fm.profile(rotterdam, fm.load_example_data("rotterdam"), level="gebied").deltas.iloc[:5]
    mc = fm.monte_carlo(rotterdam, prof, {"vsv": 1.0}, n_draws=60, seed=4, chunk=25)
    draws = fm.draw_weights(rotterdam, 60, seed=4)
    loop, divergent = monte_carlo_loop(rotterdam, prof, draws)
    assert divergent == [] and mc.n_valid == 60
    q = np.quantile(loop, [0.05, 0.5, 0.95], axis=0, method="closest_observation")
    got = mc.predictions[["low", "median", "high"]].to_numpy().reshape(5, -1, 3)
    for k in range(3):
        np.testing.assert_allclose(got[:, :, k], q[k], atol=1e-5)  # float32 draws


def test_divergence_with_a_real_outcome():
    W = np.array([[0, 0.9, 0], [0.9, 0, 0.5], [0, 0, 0]])
    base = {"setting": "kind", "phases": "all", "modifiable": True}
    nodes = [{**base, "id": i, "kind": "risk", "label_nl": i, "label_en": i} for i in "ab"]
    nodes.append({**base, "id": "y", "kind": "outcome", "setting": "veilig", "label_nl": "y",
                  "label_en": "y", "modifiable": False, "desired": "lower"})
    edges = [{"source": s, "target": t, "weight": W[i, j], "strength": "matig", "sd": sd,
                  "source_ref": "expert judgement"}
             for (i, j, s, t, sd) in [(0, 1, "a", "b", 0.3), (1, 0, "b", "a", 0.3),
                                      (1, 2, "b", "y", 0.01)]]
    m = fm.FactorModel(nodes, edges)
    prof = pd.DataFrame({"a": [np.nan, np.nan]}, index=["X", "Y"])
    mc = fm.monte_carlo(m, prof, {"y": 1.0}, n_draws=400, seed=3)
    draws = fm.draw_weights(m, 400, seed=3)
    rho = np.sqrt(np.abs(draws[:, 0] * draws[:, 1]))
    expected = np.flatnonzero(rho >= 1 - 1e-6)
    assert 0 < mc.n_divergent < 400
    assert mc.n_valid + mc.n_divergent == 400
    np.testing.assert_array_equal(mc.divergent_draws, expected)


def test_monte_carlo_errors_and_progress(toy, capsys):
    with pytest.raises(fm.InvalidParameterError, match="interval"):
        fm.monte_carlo(toy, PROFILE, ["vsv"], n_draws=10, interval=1.2)
    with pytest.raises(fm.InvalidParameterError, match="top"):
        fm.monte_carlo(toy, PROFILE, ["vsv"], n_draws=10, top=0)
    fm.monte_carlo(toy, PROFILE, ["vsv"], n_draws=30, chunk=10, progress=True)
    err = capsys.readouterr().err
    assert "30/30 draws" in err
    fm.monte_carlo(toy, PROFILE, ["vsv"], n_draws=30, progress=False)
    assert capsys.readouterr().err == ""


@pytest.mark.filterwarnings("ignore::factormodel.errors.ModelWarning")  # random signs
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("clamp", [True, False])
def test_prediction_sensitivity_equals_finite_differences(seed, clamp):
    rng = np.random.default_rng(seed)
    W = random_cyclic(rng, 7, rho=0.7)
    m = matrix_model(W)
    deltas = {"n1": 0.8, "n3": -0.5}
    s = fm.sensitivity(m, outcome="n6", deltas=deltas, clamp=clamp).set_index(
        ["source", "target"])["sensitivity"]
    h = 1e-6
    base = fm.propagate(m, deltas, clamp=clamp).deltas["n6"]
    for (a, b), w in m.edges.set_index(["source", "target"])["weight"].items():
        bumped = m.with_weights({(a, b): w + h})
        fd = (fm.propagate(bumped, deltas, clamp=clamp).deltas["n6"] - base) / h
        assert s[(a, b)] == pytest.approx(fd, abs=1e-5)


def test_gain_sensitivity_equals_finite_differences(toy):
    outcomes = {"vsv": 2.0, "schoolsucces": 1.0}
    s = fm.sensitivity(toy, factor="schoolverzuim", outcomes=outcomes).set_index(
        ["source", "target"])
    base = fm.factor_gains(toy, outcomes).loc["schoolverzuim", "gain"]
    assert s["value"].iloc[0] == pytest.approx(base)
    h = 1e-6
    for (a, b), w in toy.edges.set_index(["source", "target"])["weight"].items():
        bumped = toy.with_weights({(a, b): w + h})
        fd = (fm.factor_gains(bumped, outcomes).loc["schoolverzuim", "gain"] - base) / h
        assert s.loc[(a, b), "sensitivity"] == pytest.approx(fd, abs=1e-5)
    assert (s["high"] - s["low"]).is_monotonic_decreasing


def test_sensitivity_arguments(toy):
    with pytest.raises(fm.InvalidParameterError, match="either outcome"):
        fm.sensitivity(toy, outcome="vsv")
    ax = fm.plot_tornado(fm.sensitivity(toy, factor="schoolverzuim", outcomes=["vsv"]))
    assert len(ax.patches) == toy.n_edges


def test_score_sensitivity_matches_recommend(toy):
    prof = pd.Series({"schoolverzuim": 0.5, "opvoedklimaat": -1.0}, name="A")
    s = fm.sensitivity(toy, factor="schoolverzuim", outcomes=["vsv"], profile=prof)
    rec = fm.recommend(toy, prof, ["vsv"], area="A").set_index("factor")
    assert s["value"].iloc[0] == pytest.approx(rec.loc["schoolverzuim", "score"])
    h = 1e-6
    edge = ("schoolverzuim", "vsv")
    bumped = toy.with_weights({edge: 0.3 + h})
    fd = (fm.recommend(bumped, prof, ["vsv"], area="A").set_index("factor")
          .loc["schoolverzuim", "score"] - rec.loc["schoolverzuim", "score"]) / h
    sens = s.set_index(["source", "target"]).loc[edge, "sensitivity"]
    # the score's evidence share also depends on the weight; the documented derivative
    # holds it fixed, so compare with the gain part only
    ev = fm.factor_gains(toy, ["vsv"]).loc["schoolverzuim", "evidence"]
    assert sens == pytest.approx(0.5 * ev * 1.0, rel=1e-9)  # room x evidence x d gain
    assert abs(fd - sens) < 0.2  # the held evidence share is the only difference
    with pytest.raises(fm.InvalidParameterError, match="not measured"):
        fm.sensitivity(toy, factor="schoolprestaties", outcomes=["vsv"], profile=prof)


def test_blocks_of_areas_within_a_memory_budget_give_the_same_result(rotterdam):
    """Issue 16: draws x areas larger than memory run in blocks; the result is identical."""
    prof = fm.profile(rotterdam, fm.load_example_data("rotterdam"), level="wijk").deltas
    goals = {"vsv": 2.0, "schoolsucces": 1.0}
    whole = fm.monte_carlo(rotterdam, prof, goals, n_draws=80, seed=5, chunk=40)
    n = rotterdam.n_nodes
    fixed = 4.0 * 40 * n * n * 4
    small = fixed + 2 * 4.0 * n * 80 * 7  # room for 7 areas per block: many blocks
    parts = fm.monte_carlo(rotterdam, prof, goals, n_draws=80, seed=5, chunk=40, memory=small)
    pd.testing.assert_frame_equal(whole.predictions, parts.predictions)
    pd.testing.assert_frame_equal(whole.rank_stability, parts.rank_stability)
    pd.testing.assert_frame_equal(whole.scores, parts.scores)
    with pytest.raises(fm.InvalidParameterError, match="too small"):
        fm.monte_carlo(rotterdam, prof, goals, n_draws=80, chunk=40, memory=fixed)


def test_dask_cluster_gives_the_in_memory_result(rotterdam):
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    prof = fm.profile(rotterdam, fm.load_example_data("rotterdam"), level="gebied").deltas
    n = rotterdam.n_nodes
    memory = 4.0 * 25 * n * n * 4 + 2 * 4.0 * n * 50 * 3  # three areas per block
    local = fm.monte_carlo(rotterdam, prof, ["vsv"], n_draws=50, seed=2, chunk=25,
                           memory=memory)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = fm.monte_carlo(rotterdam, prof, ["vsv"], n_draws=50, seed=2, chunk=25,
                                memory=memory, client=client)
    pd.testing.assert_frame_equal(local.predictions, remote.predictions)
    pd.testing.assert_frame_equal(local.rank_stability, remote.rank_stability)


def test_default_memory_budget_is_small_unless_one_block_needs_more():
    """Issue 27 item 13: the default budget is 200 MB (measured faster than 1 GB), and 1 GB
    where one chunk of draws and one area need more -- every run the old 1 GB default
    allowed still runs by default; a budget given is kept."""
    from types import SimpleNamespace

    from factormodel.analysis.uncertainty import DEFAULT_MEMORY, LARGE_MEMORY, _memory_budget

    assert (DEFAULT_MEMORY, LARGE_MEMORY) == (2e8, 1e9)
    rotterdam_like = SimpleNamespace(chunk=250, n=110)
    assert _memory_budget(rotterdam_like, 10_000, None) == 2e8
    assert _memory_budget(rotterdam_like, 10_000, 5e8) == 5e8
    big = SimpleNamespace(chunk=250, n=300)  # one chunk's matrices alone take 360 MB
    assert _memory_budget(big, 1_000, None) == 1e9
    many_draws = SimpleNamespace(chunk=250, n=110)  # 200,000 draws of one area: 176 MB
    assert _memory_budget(many_draws, 200_000, None) == 1e9
