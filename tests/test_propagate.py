"""Propagation: hand-computed values, cross-checks, invariants, and every error path."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import factormodel as fm

from .reference import (
    clamped_block_formula,
    matrix_model,
    propagate_row_by_row,
    random_cyclic,
    random_dag,
)


def test_clamped_toy_by_hand(toy):
    r = fm.propagate(toy, {"opvoedklimaat": 1.0})
    expected = {"armoede": 0.0, "opvoedklimaat": 1.0, "schoolverzuim": -0.4,
                "schoolprestaties": 0.2, "vsv": 0.3 * -0.4 + -0.4 * 0.2,
                "schoolsucces": 0.6 * 0.2}
    assert r.deltas.to_dict() == pytest.approx(expected)
    assert isinstance(r.deltas, pd.Series) and list(r.deltas.index) == list(toy.node_ids)


def test_clamped_versus_unclamped_by_hand(toy):
    given_ = {"armoede": 1.0, "opvoedklimaat": 1.0}
    c = fm.propagate(toy, given_).deltas
    u = fm.propagate(toy, given_, clamp=False).deltas
    # clamped: opvoedklimaat is held at 1; unclamped it gets 1 + (-0.5) from armoede
    assert c["opvoedklimaat"] == pytest.approx(1.0)
    assert u["opvoedklimaat"] == pytest.approx(0.5)
    assert c["schoolverzuim"] == pytest.approx(-0.4)
    assert u["schoolverzuim"] == pytest.approx(-0.2)
    assert c["schoolprestaties"] == pytest.approx(-0.2 + (-0.4) * (-0.5))
    assert u["schoolprestaties"] == pytest.approx(-0.2 + (-0.2) * (-0.5))
    assert c["vsv"] == pytest.approx(0.3 * -0.4 + -0.4 * 0.0)
    assert u["vsv"] == pytest.approx(0.3 * -0.2 + -0.4 * -0.1)


def test_feedback_clamped_and_shock_by_hand():
    m = matrix_model(np.array([[0, 0.5], [0.4, 0]]), ["a", "b"])
    assert fm.propagate(m, {"a": 1.0}).deltas.to_dict() == pytest.approx({"a": 1.0, "b": 0.5})
    shock = fm.propagate(m, {"a": 1.0}, clamp=False).deltas
    assert shock.to_dict() == pytest.approx({"a": 1 / 0.8, "b": 0.5 / 0.8})


def test_max_hops_truncates_paths(toy):
    vsv = [fm.propagate(toy, {"armoede": 1.0}, max_hops=h).deltas["vsv"] for h in range(6)]
    assert vsv == pytest.approx([0, 0, 0.08, 0.08 + 0.06, 0.18, 0.18])


def test_max_hops_makes_divergent_loops_finite():
    m = matrix_model(np.array([[0, 1.5], [1.5, 0]]), ["a", "b"])
    with pytest.raises(fm.NotConvergentError):
        fm.propagate(m, {"a": 1.0}, clamp=False)
    r = fm.propagate(m, {"a": 1.0}, clamp=False, max_hops=3)
    assert r.deltas.to_dict() == pytest.approx({"a": 1 + 1.5**2, "b": 1.5 + 1.5**3})
    # clamping a breaks the loop: it converges without max_hops
    assert fm.propagate(m, {"a": 1.0}).deltas["b"] == pytest.approx(1.5)


@pytest.mark.parametrize("seed", range(6))
def test_clamped_equals_block_formula_on_cyclic_graphs(seed):
    rng = np.random.default_rng(seed)
    W = random_cyclic(rng, 8, rho=0.85)
    m = matrix_model(W)
    clamped = sorted(rng.choice(8, size=3, replace=False).tolist())
    values = rng.normal(size=3)
    r = fm.propagate(m, {f"n{k}": v for k, v in zip(clamped, values, strict=True)}, alpha=0.9)
    np.testing.assert_allclose(r.deltas.to_numpy(),
                               clamped_block_formula(W, clamped, values, alpha=0.9), atol=1e-12)


def test_batch_equals_row_by_row(rotterdam):
    rng = np.random.default_rng(3)
    cols = ["schoolverzuim", "armoede", "opvoedklimaat", "sociaal_emotionele_vaardigheden"]
    D = pd.DataFrame(rng.normal(size=(25, 4)), columns=cols,
                     index=pd.Index([f"wijk{i}" for i in range(25)], name="wijk"))
    batch = fm.propagate(rotterdam, D)
    assert batch.deltas.shape == (25, rotterdam.n_nodes)
    np.testing.assert_allclose(batch.deltas.to_numpy(),
                               propagate_row_by_row(rotterdam, D).to_numpy(), atol=1e-12)
    for label in ["wijk0", "wijk17"]:
        single = fm.propagate(rotterdam, D.loc[label])
        np.testing.assert_allclose(single.deltas.to_numpy(),
                                   batch.deltas.loc[label].to_numpy(), atol=1e-12)


def test_contributions_sum_exactly(rotterdam):
    rng = np.random.default_rng(5)
    cols = list(rotterdam.factors[:12])
    D = pd.DataFrame(rng.normal(size=(6, 12)), columns=cols)
    r = fm.propagate(rotterdam, D)
    contrib = r.contributions
    assert contrib.index.names == ["scenario", "input"]
    sums = contrib.groupby(level=0).sum()
    np.testing.assert_allclose(sums.to_numpy(), r.outcomes.to_numpy(), atol=1e-12)
    one = fm.propagate(rotterdam, D.iloc[2])
    np.testing.assert_allclose(one.contributions.sum().to_numpy(),
                               one.outcomes.to_numpy(), atol=1e-12)
    by_node = r.contributions_to("schoolprestaties")
    np.testing.assert_allclose(by_node.sum(axis=1), r.deltas["schoolprestaties"], atol=1e-12)


def test_contributions_by_hand(toy):
    r = fm.propagate(toy, {"armoede": 1.0, "schoolverzuim": 0.5})
    c = r.contributions
    assert c.loc["schoolverzuim", "vsv"] == pytest.approx(0.5 * (0.3 + 0.2))
    assert c.loc["armoede", "vsv"] == pytest.approx(0.08)  # via prestaties only: verzuim held
    assert c.loc["armoede", "schoolsucces"] == pytest.approx(-0.2 * 0.6)


def test_paths_add_up_and_are_ordered(rotterdam):
    r = fm.propagate(rotterdam, {"armoede": 1.0, "schoolmotivatie": -0.5})
    p = r.paths("vsv", top=6)
    assert p["contribution"].sum() == pytest.approx(r.deltas["vsv"], abs=1e-12)
    listed = p.iloc[:-1]
    assert (listed["contribution"].abs().diff().dropna() <= 1e-15).all()
    assert p.iloc[-1]["path"] == "(other paths and feedback loops)"
    top = listed.iloc[0]
    assert top["contribution"] == pytest.approx(top["source_delta"] * top["product"])
    assert top["path"].endswith("→ vsv")


def test_paths_enumerate_all_on_small_dag(toy):
    r = fm.propagate(toy, {"armoede": 2.0})
    p = r.paths("vsv", top=10)
    assert len(p) == 4  # three paths + residual
    assert p.iloc[-1]["contribution"] == pytest.approx(0, abs=1e-15)
    assert sorted(p.iloc[:-1]["product"].round(6)) == [0.04, 0.06, 0.08]


def test_paths_respect_max_hops(toy):
    r = fm.propagate(toy, {"armoede": 1.0}, max_hops=3)
    p = r.paths("vsv", top=10)
    assert (p.iloc[:-1]["hops"] <= 3).all() and len(p) == 3
    assert p["contribution"].sum() == pytest.approx(0.14)


def test_paths_to_a_clamped_node_is_itself(toy):
    p = fm.propagate(toy, {"vsv": 0.3}).paths("vsv")
    assert p.iloc[0]["path"] == "vsv" and p.iloc[0]["contribution"] == pytest.approx(0.3)


def test_to_frame_roles(toy):
    f = fm.propagate(toy, {"armoede": 1.0}).to_frame()
    assert f.set_index("node").loc["armoede", "role"] == "clamped"
    assert f.set_index("node").loc["vsv", "role"] == "predicted"
    fb = fm.propagate(toy, pd.DataFrame({"armoede": [1.0, 2.0]}), clamp=False).to_frame()
    assert set(fb["role"]) == {"shocked", "predicted"} and len(fb) == 12


def test_outcomes_and_repr(toy):
    r = fm.propagate(toy, {"armoede": 1.0})
    assert list(r.outcomes.index) == ["vsv", "schoolsucces"]
    assert repr(r).startswith("<PropagationResult linear on 'toy': 1 scenario, 1 input nodes")


def test_empty_deltas_give_zeros(toy):
    r = fm.propagate(toy, {})
    assert (r.deltas == 0).all()


# --------------------------------------------------------------------------- invariants

_vals = st.floats(-3, 3, allow_nan=False, allow_subnormal=False)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 1000), a=_vals, b=_vals, clamp=st.booleans())
def test_linearity_and_superposition(seed, a, b, clamp):
    rng = np.random.default_rng(seed)
    W = random_cyclic(rng, 7, rho=0.8) if seed % 2 else random_dag(rng, 7)
    assume(W.any())
    # clamping cuts edges, and in a signed graph that can raise the spectral radius; with
    # rho(|W|) < 1 every cut graph converges (the linearity is what is tested here)
    rho_abs = max(abs(np.linalg.eigvals(np.abs(W))))
    W = W * (min(1.0, 0.8 / rho_abs) if rho_abs > 0 else 1.0)
    m = matrix_model(W)
    nodes = [f"n{k}" for k in sorted(rng.choice(7, 3, replace=False))]
    d1, d2 = rng.normal(size=3), rng.normal(size=3)

    def run(v):
        return fm.propagate(m, dict(zip(nodes, v, strict=True)), clamp=clamp).deltas.to_numpy()

    np.testing.assert_allclose(run(a * d1 + b * d2), a * run(d1) + b * run(d2), atol=1e-9)
    np.testing.assert_array_equal(run(np.zeros(3)), 0.0)  # zero in, zero out


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000))
def test_node_order_does_not_change_results(seed):
    rng = np.random.default_rng(seed)
    W = random_cyclic(rng, 7, rho=0.8)
    assume(W.any())
    m = matrix_model(W)
    perm = rng.permutation(7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fm.ModelWarning)  # random signs
        permuted = fm.FactorModel(m.nodes.iloc[perm], m.edges, m.metadata)
    given_ = {"n1": 0.7, "n4": -1.2}
    for clamp in (True, False):
        try:
            a = fm.propagate(m, given_, clamp=clamp).deltas
        except fm.NotConvergentError:
            # cutting edges of a signed matrix can raise its spectral radius; then the
            # permuted model must refuse too
            with pytest.raises(fm.NotConvergentError):
                fm.propagate(permuted, given_, clamp=clamp)
            continue
        b = fm.propagate(permuted, given_, clamp=clamp).deltas
        np.testing.assert_allclose(b.loc[a.index].to_numpy(), a.to_numpy(), atol=1e-12)
    Ta = fm.total_effects(m)
    Tb = fm.total_effects(permuted)
    np.testing.assert_allclose(Tb.loc[Ta.index, Ta.columns].to_numpy(), Ta.to_numpy(),
                               atol=1e-12)


# --------------------------------------------------------------------------- errors


def test_unknown_node(toy):
    with pytest.raises(fm.UnknownNodeError, match=r"'schoolverzium' \(did you mean "
                                                  r"'schoolverzuim'\?\)") as e:
        fm.propagate(toy, {"schoolverzium": 1.0})
    assert isinstance(e.value, KeyError)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "veel", None])
def test_bad_single_delta(toy, bad):
    with pytest.raises(fm.InvalidDeltaError, match="'armoede'") as e:
        fm.propagate(toy, {"armoede": bad, "schoolverzuim": 1.0})
    assert isinstance(e.value, ValueError)
    assert "missing='free'" in str(e.value)


def test_bad_batch_deltas_name_rows(toy):
    D = pd.DataFrame({"armoede": [1.0, np.nan, 2.0], "vsv": [0.0, 1.0, np.inf]},
                     index=["Feijenoord", "Charlois", "Delfshaven"])
    with pytest.raises(fm.InvalidDeltaError) as e:
        fm.propagate(toy, D)
    msg = str(e.value)
    assert msg.startswith("2 deltas are missing, NaN, infinite or not a number")
    assert "row 'Charlois', node 'armoede'" in msg and "row 'Delfshaven', node 'vsv'" in msg


def test_duplicate_and_wrong_type(toy):
    D = pd.DataFrame([[1.0, 2.0]], columns=["armoede", "armoede"])
    with pytest.raises(fm.InvalidDeltaError, match="more than once"):
        fm.propagate(toy, D)
    with pytest.raises(fm.InvalidDeltaError, match="must be a mapping"):
        fm.propagate(toy, [1.0, 2.0])


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"alpha": 0}, "alpha"), ({"max_hops": -1}, "max_hops"), ({"max_hops": 1.5}, "max_hops"),
    ({"method": "quantum"}, "unknown method"), ({"lam": 2}, "unexpected option"),
    ({"method": "fcm", "alpha": 0.5}, "takes no alpha"),
    ({"method": "fcm", "clamp": False}, "takes no alpha"),
])
def test_bad_parameters(toy, kwargs, fragment):
    with pytest.raises(fm.InvalidParameterError, match=fragment):
        fm.propagate(toy, {"armoede": 1.0}, **kwargs)


def test_paths_errors(toy):
    r = fm.propagate(toy, pd.DataFrame({"armoede": [1.0]}, index=["A"]))
    with pytest.raises(fm.InvalidParameterError, match="pass scenario"):
        r.paths("vsv")
    with pytest.raises(fm.UnknownNodeError, match="unknown scenario 'B'"):
        r.paths("vsv", scenario="B")
    with pytest.raises(fm.InvalidParameterError, match="top"):
        r.paths("vsv", top=-1, scenario="A")
    with pytest.raises(fm.UnknownNodeError):
        r.paths("vsw", scenario="A")
    assert r.paths("vsv", scenario="A")["contribution"].sum() == pytest.approx(0.18)


def test_clamping_can_make_a_converging_model_diverge():
    """rho(W) < 1 does not bound rho of a cut graph when weights have both signs."""
    W = np.array([[0, 1.1, 0], [1.1, 0, 1.0], [0, -1.0, 0]])  # b's two loops cancel
    m = matrix_model(W, ["a", "b", "c"])
    assert max(abs(np.linalg.eigvals(W))) < 1
    fm.propagate(m, {"b": 1.0}, clamp=False)  # converges
    with pytest.raises(fm.NotConvergentError, match="'a' -> 'b' -> 'a'"):
        fm.propagate(m, {"c": 1.0})  # clamping c cuts b -> c and leaves the a-b loop


def test_not_convergent_in_propagate():
    m = matrix_model(np.array([[0, 1.2], [1.0, 0]]), ["a", "b"])
    with pytest.raises(fm.NotConvergentError, match="Strongest feedback loop"):
        fm.propagate(m, {"a": 1.0}, clamp=False)


# --------------------------------------------------------------------------- missing="free"


def test_missing_free_equals_each_row_with_its_given_nodes(rotterdam):
    rng = np.random.default_rng(8)
    cols = ["schoolverzuim", "armoede", "opvoedklimaat", "schoolmotivatie", "vsv"]
    D = pd.DataFrame(rng.normal(size=(30, 5)), columns=cols)
    D = D.mask(rng.random((30, 5)) < 0.3)  # about 30% unmeasured
    r = fm.propagate(rotterdam, D, missing="free")
    for i in range(30):
        row = D.iloc[i].dropna()
        single = fm.propagate(rotterdam, row.to_dict())
        np.testing.assert_allclose(r.deltas.iloc[i].to_numpy(), single.deltas.to_numpy(),
                                   atol=1e-12)
    contrib = r.contributions_to("neet")
    assert contrib.isna().equals(D.isna())
    np.testing.assert_allclose(contrib.sum(axis=1, skipna=True), r.deltas["neet"], atol=1e-12)
    frame = r.to_frame()
    roles = frame.set_index(["scenario", "node"])["role"]
    import networkx as nx

    for i in range(30):
        given = [c for c in cols if not np.isnan(D.iloc[i][c])]
        G = nx.DiGraph(rotterdam.graph)
        G.remove_edges_from([(a, b) for a, b in rotterdam.graph.edges if b in given])  # cut
        reached = set().union(*(nx.descendants(G, c) for c in given))
        for c in cols:
            expected = "clamped" if c in given else (
                "predicted" if c in reached else "not reached")
            assert roles[(i, c)] == expected
    i = int(np.flatnonzero(D["vsv"].isna() & D["schoolverzuim"].notna())[0])
    p = r.paths("vsv", scenario=i, top=3)
    assert p["contribution"].sum() == pytest.approx(r.deltas.iloc[i]["vsv"], abs=1e-12)


def test_missing_free_single_series_and_errors(toy):
    r = fm.propagate(toy, pd.Series({"armoede": 1.0, "opvoedklimaat": np.nan}), missing="free")
    assert r.deltas["opvoedklimaat"] == pytest.approx(-0.5)  # predicted, not clamped
    assert np.isnan(r.contributions.loc["opvoedklimaat", "vsv"])
    with pytest.raises(fm.InvalidDeltaError, match="'armoede': inf"):
        fm.propagate(toy, {"armoede": np.inf}, missing="free")
    with pytest.raises(fm.InvalidDeltaError, match="'armoede': 'hoog'"):
        fm.propagate(toy, {"armoede": "hoog"}, missing="free")
    with pytest.raises(fm.InvalidParameterError, match="missing must be"):
        fm.propagate(toy, {"armoede": 1.0}, missing="zero")


def test_missing_free_in_fcm_mode(toy):
    D = pd.DataFrame({"armoede": [0.5, np.nan], "opvoedklimaat": [np.nan, 0.9]})
    r = fm.propagate(toy, D, method="fcm", missing="free")
    one = fm.propagate(toy, {"opvoedklimaat": 0.9}, method="fcm")
    np.testing.assert_allclose(r.deltas.iloc[1].to_numpy(), one.deltas.to_numpy(), atol=1e-14)


def test_a_node_no_given_node_reaches_is_not_called_predicted():
    toy = fm.load_model("toy")
    roles = fm.propagate(toy, {"opvoedklimaat": 1.0}).to_frame().set_index("node")["role"]
    assert roles["armoede"] == "not reached"  # a root cause: its 0 is an assumption
    assert roles["opvoedklimaat"] == "clamped" and roles["vsv"] == "predicted"
    batch = fm.propagate(toy, pd.DataFrame({"opvoedklimaat": [1.0, np.nan],
                                            "armoede": [np.nan, 1.0]}), missing="free")
    t = batch.to_frame().set_index(["scenario", "node"])["role"]
    assert t[(0, "armoede")] == "not reached" and t[(1, "armoede")] == "clamped"
    assert t[(1, "opvoedklimaat")] == "predicted"  # armoede reaches it in scenario 1
    # the rule is reachability in the graph used (incoming edges of clamped nodes cut)
    T = fm.total_effects(toy)
    for node, role in roles.items():
        if role == "not reached":
            assert T.loc["opvoedklimaat", node] == 0
