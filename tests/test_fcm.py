"""FCM mode: hand-computed steps for every rule and transfer, agreement with a
per-element reference loop, convergence status, λ bound, and error paths."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import factormodel as fm
from factormodel.core.fcm import auto_lambda, lambda_bound, simulate

from .reference import fcm_loop, matrix_model, random_cyclic

# a -> b 0.5, b -> c -0.4, c -> b 0.3 ; a has no incoming edge, so it is held
W3 = np.array([[0, 0.5, 0], [0, 0, -0.4], [0, 0.3, 0]])
X0 = np.array([1.0, 0.5, 0.25])
# arguments of the transfer function after one step, worked out by hand
HAND_INPUT = {
    "kosko": {"b": 0.5 * 1 + 0.3 * 0.25, "c": -0.4 * 0.5},
    "modified-kosko": {"b": 0.5 + (0.5 * 1 + 0.3 * 0.25), "c": 0.25 + (-0.4 * 0.5)},
    # rescaled: y = 2x - 1 = [1, 0, -0.5]
    "rescaled": {"b": 0.0 + (0.5 * 1 + 0.3 * -0.5), "c": -0.5 + (-0.4 * 0.0)},
}
HAND_TRANSFER = {
    "sigmoid": lambda z: 1 / (1 + math.exp(-2 * z)),
    "tanh": lambda z: math.tanh(2 * z),
    "bivalent": lambda z: 1.0 if z > 0 else 0.0,
    "trivalent": lambda z: 1.0 if z > 0 else (-1.0 if z < 0 else 0.0),
}


@pytest.mark.parametrize("rule", list(HAND_INPUT))
@pytest.mark.parametrize("transfer", list(HAND_TRANSFER))
def test_one_step_by_hand(rule, transfer):
    states, status = simulate(W3, X0, rule=rule, transfer_kind=transfer, lam=2.0, max_iter=1)
    f = HAND_TRANSFER[transfer]
    expected = [1.0, f(HAND_INPUT[rule]["b"]), f(HAND_INPUT[rule]["c"])]
    np.testing.assert_allclose(states[0], expected, atol=1e-15)
    assert status.loc[0, "iterations"] == 1


@pytest.mark.parametrize("rule", ["kosko", "modified-kosko", "rescaled"])
@pytest.mark.parametrize("transfer", ["sigmoid", "tanh", "bivalent", "trivalent"])
@pytest.mark.parametrize("seed", range(3))
def test_agrees_with_per_element_loop(rule, transfer, seed):
    rng = np.random.default_rng(seed)
    W = random_cyclic(rng, 9, rho=1.2)
    W[:, 0] = 0  # node 0 has no inputs: held at its initial value
    init = rng.uniform(0, 1, 9)
    clamped = {3: 0.8}
    mask = np.zeros((1, 9), dtype=bool)
    mask[0, 3] = True
    vals = np.zeros((1, 9))
    vals[0, 3] = 0.8
    for max_iter in (1, 2, 7, 60):
        ours, status = simulate(W, init, clamp_mask=mask, clamp_values=vals, rule=rule,
                                transfer_kind=transfer, lam=1.3, tol=1e-9, max_iter=max_iter)
        ref, steps = fcm_loop(W, init, clamped, rule, transfer, 1.3, 1e-9, max_iter)
        np.testing.assert_allclose(ours[0], ref, atol=1e-12)
        assert status.loc[0, "iterations"] == steps


def test_batch_scenarios_iterate_independently():
    rng = np.random.default_rng(1)
    W = random_cyclic(rng, 6, rho=0.9)
    inits = rng.uniform(0, 1, (5, 6))
    batch, status = simulate(W, inits, rule="kosko", transfer_kind="sigmoid", tol=1e-8)
    for k in range(5):
        one, st1 = simulate(W, inits[k], rule="kosko", transfer_kind="sigmoid", tol=1e-8)
        np.testing.assert_allclose(batch[k], one[0], atol=1e-15)
        assert status.loc[k, "iterations"] == st1.loc[0, "iterations"]


def test_limit_cycle_is_detected():
    W = np.array([[0, 1.0], [-1.0, 0]])
    _states, status = simulate(W, np.ones(2), rule="kosko", transfer_kind="trivalent",
                              held=np.zeros(2, bool), max_iter=40)
    assert not status.loc[0, "converged"]
    assert status.loc[0, "period"] == 4
    assert status.loc[0, "residual"] == 2.0


def test_scenario_effect_is_steady_state_minus_baseline(toy):
    r = fm.propagate(toy, {"opvoedklimaat": 0.9}, method="fcm", tol=1e-12, max_iter=2000)
    W = np.zeros((6, 6))
    e = toy.edges
    W[toy.positions(e["source"]), toy.positions(e["target"])] = e["weight"]
    base, _ = fcm_loop(W, np.ones(6), {}, "modified-kosko", "sigmoid", 1.0, 1e-12, 2000)
    scen, _ = fcm_loop(W, np.ones(6), {1: 0.9}, "modified-kosko", "sigmoid", 1.0, 1e-12, 2000)
    np.testing.assert_allclose(r.deltas.to_numpy(), scen - base, atol=1e-10)
    assert r.deltas["armoede"] == 0  # held at its initial value in both runs
    assert list(r.status.index) == ["(baseline)", "scenario"]
    assert r.status["converged"].all() and (r.status["lam"] == 1.0).all()


def test_fcm_batch(toy):
    D = pd.DataFrame({"opvoedklimaat": [0.2, 0.9], "schoolverzuim": [0.5, 0.1]},
                     index=["wijk A", "wijk B"])
    r = fm.propagate(toy, D, method="fcm", transfer="tanh", rule="kosko")
    assert r.deltas.shape == (2, 6) and list(r.status.index) == ["(baseline)", "wijk A", "wijk B"]
    one = fm.propagate(toy, D.loc["wijk B"], method="fcm", transfer="tanh", rule="kosko")
    np.testing.assert_allclose(r.deltas.loc["wijk B"].to_numpy(), one.deltas.to_numpy(),
                               atol=1e-14)
    assert isinstance(r, fm.fcm.FCMResult) and r.method == "fcm"
    assert not hasattr(r, "contributions") and not hasattr(r, "paths")  # exact only if linear
    frame = r.to_frame()
    assert set(frame.loc[frame["role"] == "clamped", "node"]) == {"opvoedklimaat",
                                                                   "schoolverzuim"}
    doc = r.to_dict()
    assert doc["rule"] == "kosko" and len(doc["status"]) == 3
    import json
    json.dumps(doc, allow_nan=False)  # strictly valid JSON


def test_lambda_bound_formula():
    W = np.array([[0, 2.0], [1.0, 0]])
    assert lambda_bound(W, "kosko", "sigmoid") == pytest.approx(4 / 2.0)
    assert lambda_bound(W, "kosko", "tanh") == pytest.approx(1 / 2.0)
    norm = np.linalg.norm(np.eye(2) + W, 2)
    assert lambda_bound(W, "modified-kosko", "sigmoid") == pytest.approx(4 / norm)
    assert lambda_bound(W, "rescaled", "sigmoid") == pytest.approx(2 / norm)
    assert auto_lambda(W, "kosko", "tanh") == pytest.approx(0.45)
    assert lambda_bound(np.zeros((2, 2)), "kosko", "tanh") == math.inf
    assert auto_lambda(np.zeros((2, 2)), "kosko", "tanh") == 1.0


@pytest.mark.parametrize("transfer", ["sigmoid", "tanh"])
@pytest.mark.parametrize("rule", ["kosko", "modified-kosko", "rescaled"])
def test_below_the_bound_the_map_contracts(rule, transfer):
    rng = np.random.default_rng(11)
    W = random_cyclic(rng, 8, rho=2.5)
    lam = 0.99 * lambda_bound(W, rule, transfer)
    one = {"held": np.zeros(8, bool), "rule": rule, "transfer_kind": transfer, "lam": lam,
           "max_iter": 1}
    for _ in range(50):
        x, y = rng.uniform(-1, 1, 8), rng.uniform(-1, 1, 8)
        fx, _ = simulate(W, x, **one)
        fy, _ = simulate(W, y, **one)
        assert np.linalg.norm(fx - fy) < np.linalg.norm(x - y)
    _, status = simulate(W, rng.uniform(0, 1, 8), held=np.zeros(8, bool), rule=rule,
                         transfer_kind=transfer, lam=lam, tol=1e-10, max_iter=5000)
    assert status.loc[0, "converged"]


def test_auto_lambda_settles_a_map_that_oscillates():
    W = np.array([[0, -3.0], [3.0, 0]])
    m = matrix_model(W, ["a", "b"])
    with pytest.raises(fm.NotConvergentError, match="did not settle") as e:
        fm.propagate(m, {}, method="fcm", rule="kosko", transfer="tanh", lam=1.0)
    assert "lam='auto'" in str(e.value)
    r = fm.propagate(m, {}, method="fcm", rule="kosko", transfer="tanh", lam="auto")
    assert r.status["converged"].all()
    assert r.status["lam"].iloc[0] == pytest.approx(0.9 / 3.0)


def test_strict_false_reports_and_blanks(toy):
    m = matrix_model(np.array([[0, -3.0], [3.0, 0]]), ["a", "b"])
    r = fm.propagate(m, {"a": 0.5}, method="fcm", rule="kosko", transfer="tanh",
                     strict=False, max_iter=30)
    assert not r.status.loc["(baseline)", "converged"]
    assert r.status.loc["scenario", "converged"]  # a clamped at 0.5 settles b ...
    assert r.deltas.isna().all()  # ... but without a baseline there is no effect
    ok = fm.propagate(m, {"a": 0.5}, method="fcm", rule="kosko", transfer="tanh",
                      lam="auto", strict=False)
    assert ok.deltas.notna().all()


def test_initial_vector_options(toy):
    r1 = fm.propagate(toy, {"vsv": 0.1}, method="fcm", initial=0.5)
    r2 = fm.propagate(toy, {"vsv": 0.1}, method="fcm", initial=dict.fromkeys(toy.node_ids, 0.5))
    np.testing.assert_allclose(r1.deltas, r2.deltas, atol=1e-15)
    with pytest.raises(fm.InvalidParameterError, match="initial must be"):
        fm.propagate(toy, {"vsv": 0.1}, method="fcm", initial=[1.0, 2.0])
    with pytest.raises(fm.UnknownNodeError):
        fm.propagate(toy, {"vsv": 0.1}, method="fcm", initial={"nope": 1.0})


@pytest.mark.parametrize(("options", "fragment"), [
    ({"rule": "kosko2"}, "unknown rule"), ({"transfer": "relu"}, "unknown transfer"),
    ({"lam": -1.0}, "must be a finite number above 0"), ({"lam": "big"}, "number or 'auto'"),
    ({"lam": "auto", "transfer": "bivalent"}, "no effect on the 'bivalent'"),
    ({"tol": -1.0}, "tol"), ({"max_iter": 0}, "max_iter"),
])
def test_fcm_parameter_errors(toy, options, fragment):
    with pytest.raises(fm.InvalidParameterError, match=fragment):
        fm.propagate(toy, {"armoede": 1.0}, method="fcm", **options)


def test_limit_cycle_found_with_few_iterations():
    """History includes the initial state when max_iter is shorter than the history."""
    W = np.array([[0, 1.0], [-1.0, 0]])
    _, status = simulate(W, np.ones(2), rule="kosko", transfer_kind="trivalent",
                         held=np.zeros(2, bool), max_iter=4)
    assert status.loc[0, "iterations"] == 4 and status.loc[0, "period"] == 4
    _, short = simulate(W, np.ones(2), rule="kosko", transfer_kind="trivalent",
                        held=np.zeros(2, bool), max_iter=3)
    assert short.loc[0, "period"] == 0  # a 4-cycle cannot show in 3 steps


def test_mixed_convergence_in_one_batch():
    """Scenarios that settle stop; the others run on; statuses are per scenario."""
    W = np.array([[0, 1.0], [-1.0, 0]])
    mask = np.array([[False, False], [True, False]])
    vals = np.array([[0.0, 0.0], [1.0, 0.0]])
    states, status = simulate(W, np.ones((2, 2)), clamp_mask=mask, clamp_values=vals,
                              rule="kosko", transfer_kind="trivalent", held=np.zeros(2, bool),
                              max_iter=30)
    assert status["converged"].tolist() == [False, True]
    assert status.loc[1, "iterations"] == 1 and status.loc[0, "iterations"] == 30
    assert states[1].tolist() == [1.0, 1.0]
    assert status.loc[0, "period"] == 4 and status.loc[1, "period"] == 0
