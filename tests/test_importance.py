"""FCM indices, leverage and feedback loops, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

import factormodel as fm

from .reference import matrix_model


def test_node_indices_by_hand(toy):
    ix = fm.node_indices(toy)
    assert ix.loc["armoede", ["indegree", "outdegree"]].tolist() == pytest.approx([0, 0.7])
    assert ix.loc["schoolprestaties", ["indegree", "outdegree"]].tolist() == pytest.approx(
        [0.2 + 0.5, 0.4 + 0.6])
    assert ix.loc["vsv", "centrality"] == pytest.approx(0.7)
    assert ix["role"].to_dict() == {
        "armoede": "transmitter", "opvoedklimaat": "ordinary", "schoolverzuim": "ordinary",
        "schoolprestaties": "ordinary", "vsv": "receiver", "schoolsucces": "receiver"}


def test_graph_indices_by_hand(toy):
    g = fm.graph_indices(toy)
    od = np.array([0.7, 0.4, 0.8, 1.0, 0.0, 0.0])
    hierarchy = 12 / (5 * 6 * 7) * float(np.sum((od - od.mean()) ** 2))
    assert g == pytest.approx({"concepts": 6, "connections": 7, "density": 7 / 36,
                               "transmitters": 1, "receivers": 2, "ordinary": 3,
                               "complexity": 2.0, "hierarchy": hierarchy})


def test_isolated_and_no_transmitters():
    m = matrix_model(np.array([[0, 0.5, 0], [0.5, 0, 0], [0, 0, 0]]), ["a", "b", "c"])
    assert fm.node_indices(m).loc["c", "role"] == "isolated"
    assert fm.graph_indices(m)["complexity"] == float("inf")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_leverage_by_hand(toy):
    lev = fm.leverage(toy, {"vsv": 2.0, "schoolsucces": 1.0})
    T = fm.total_effects(toy, targets=["vsv", "schoolsucces"])
    for f in toy.factors:
        expected = 2 * -T.loc[f, "vsv"] + T.loc[f, "schoolsucces"]
        assert lev.loc[f, "leverage"] == pytest.approx(expected)
    assert lev["abs_leverage"].is_monotonic_decreasing
    assert lev.loc["schoolverzuim", "vsv"] == pytest.approx(-2 * 0.5)
    mod = fm.leverage(toy, ["vsv"], modifiable_only=True)
    assert "armoede" not in mod.index and len(mod) == 3
    default = fm.leverage(toy)
    assert set(default.columns) == {"vsv", "schoolsucces", "leverage", "abs_leverage"}
    # one concept, one rule: leverage is the gain turned back to "per SD increase"
    gains = fm.factor_gains(toy, {"vsv": 2.0, "schoolsucces": 1.0})
    sign = toy.desired_sign
    for f in toy.factors:
        assert lev.loc[f, "leverage"] == pytest.approx(sign[f] * gains.loc[f, "gain"])


def test_leverage_is_deprecated_and_shares_the_gain_rules(toy):
    with pytest.warns(DeprecationWarning, match="factor_gains"):
        fm.leverage(toy, ["vsv"])
    for bad, fragment in (({}, "at least one goal"), ({"vsv": float("inf")}, "above 0"),
                          ({"vsv": -1.0}, "above 0")):
        with pytest.warns(DeprecationWarning), pytest.raises(fm.InvalidParameterError,
                                                             match=fragment):
            fm.leverage(toy, bad)
        with pytest.raises(fm.InvalidParameterError, match=fragment):
            fm.factor_gains(toy, bad)
    with pytest.warns(DeprecationWarning), pytest.raises(fm.UnknownNodeError):
        fm.leverage(toy, ["vsw"])


def test_feedback_loops_by_hand():
    W = np.zeros((5, 5))
    W[0, 1], W[1, 0] = 0.5, 0.4  # reinforcing, gain 0.2
    W[2, 3], W[3, 4], W[4, 2] = 0.5, -0.5, 0.5  # balancing, gain -0.125
    m = matrix_model(W, list("abcde"))
    loops = fm.feedback_loops(m)
    assert loops["loop"].tolist() == ["a → b → a", "c → d → e → c"]
    assert loops["gain"].tolist() == pytest.approx([0.2, -0.125])
    assert loops["type"].tolist() == ["reinforcing", "balancing"]
    assert loops["length"].tolist() == [2, 3]
    assert fm.feedback_loops(m, length_bound=2)["loop"].tolist() == ["a → b → a"]
    assert fm.feedback_loops(fm.load_model("toy")).empty
