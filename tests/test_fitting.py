"""Direct effects fitted to pooled correlations (meta-analytic SEM stage 2)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import factormodel as fm
from factormodel.estimation import fitting

from .reference import matrix_model

# matrix_model nodes are all risk factors, so negative weights draw a sign warning
pytestmark = pytest.mark.filterwarnings("ignore::factormodel.errors.ModelWarning")

NAMES = ["a", "b", "c", "d"]
W = np.zeros((4, 4))
W[0, 1], W[0, 2], W[1, 2], W[2, 3], W[1, 3] = 0.5, 0.3, -0.4, 0.6, 0.2


def assoc_from(S: pd.DataFrame, pairs, n=1000) -> pd.DataFrame:
    return pd.DataFrame({"a": [p[0] for p in pairs], "b": [p[1] for p in pairs],
                         "value": [float(S.loc[p[0], p[1]]) for p in pairs], "n": n})


def all_pairs(names):
    return [(x, y) for i, x in enumerate(names) for y in names[i + 1:]]


def test_conversions_by_hand():
    assert fitting.d_to_r(0.5) == pytest.approx(0.5 / math.sqrt(4.25))
    assert fitting.d_to_r(-1.0) == pytest.approx(-1 / math.sqrt(5))
    assert fitting.odds_ratio_to_d(math.e) == pytest.approx(math.sqrt(3) / math.pi)
    assert fitting.odds_ratio_to_d(0.5) == pytest.approx(-fitting.odds_ratio_to_d(2.0))
    d = math.log(3.0) * math.sqrt(3) / math.pi
    assert fitting.odds_ratio_to_r(3.0) == pytest.approx(d / math.sqrt(d * d + 4))
    with pytest.raises(fm.InvalidParameterError, match="above 0"):
        fitting.odds_ratio_to_d(0.0)


def test_to_correlations_converts_and_weighs_each_row():
    t = fitting.to_correlations(pd.DataFrame({
        "a": ["x", "x", "x"], "b": ["y", "z", "w"], "measure": ["r", "d", "OR"],
        "value": [0.3, 0.5, 2.0], "low": [0.1, 0.2, None], "high": [0.5, 0.8, None],
        "n": [None, None, 301]}))
    assert t["r"].tolist() == pytest.approx([0.3, fitting.d_to_r(0.5),
                                            fitting.odds_ratio_to_r(2.0)])
    assert t["r_low"][1] == pytest.approx(fitting.d_to_r(0.2))
    se_z = (math.atanh(0.5) - math.atanh(0.1)) / (2 * 1.959963984540054)
    assert t["var_r"][0] == pytest.approx((1 - 0.09) ** 2 * se_z ** 2)
    assert t["var_r"][2] == pytest.approx((1 - t["r"][2] ** 2) ** 2 / 300)
    assert t["weight_from"].tolist() == ["ci", "ci", "n"]
    assert t["conversion"][1].startswith("d -> r") and "ln(OR)" in t["conversion"][2]


def test_to_correlations_lists_every_bad_row():
    bad = pd.DataFrame({"a": ["x"] * 5, "b": list("pqrst"),
                        "measure": ["r", "beta", "r", "or", "r"],
                        "value": [1.2, 0.1, 0.3, -1, "abc"], "low": [None, None, 0.4, None, None],
                        "high": [None, None, 0.5, None, None], "n": [100, 100, None, 50, 10]})
    with pytest.raises(fm.DataError) as exc:
        fitting.to_correlations(bad)
    msg = str(exc.value)
    assert "5 problems" in msg
    for piece in ["row 1 (x ~ p)", "outside (-1, 1)", "'beta' is not r, d or or",
                  "must contain 0.3", "odds ratio must be above 0", "'abc' is not a number"]:
        assert piece in msg


def test_analytic_jacobian_matches_finite_differences():
    Wc = W.copy()
    Wc[3, 1] = 0.25  # a feedback loop b -> d -> b
    A, psi, S = fitting._sigma(Wc)
    src, dst = np.nonzero(Wc)
    pa, pb = np.array([0, 0, 1, 1, 2, 0]), np.array([1, 3, 2, 3, 3, 2])
    J = fitting._jacobian(A, psi, S, src, dst, pa, pb)
    h = 1e-6
    for e in range(len(src)):
        Wp, Wm = Wc.copy(), Wc.copy()
        Wp[src[e], dst[e]] += h
        Wm[src[e], dst[e]] -= h
        num = (fitting._sigma(Wp)[2][pa, pb] - fitting._sigma(Wm)[2][pa, pb]) / (2 * h)
        assert J[:, e] == pytest.approx(num, abs=1e-7)


def test_recovers_weights_from_a_subset_of_pairs():
    m = matrix_model(W, NAMES)
    S = fm.implied_correlations(m)
    pairs = [("a", "b"), ("a", "c"), ("b", "c"), ("c", "d"), ("b", "d")]  # (a, d) unknown
    res = fm.fit_to_correlations(m, assoc_from(S, pairs), start="zero")
    assert res.edges["weight"].to_numpy() == pytest.approx(m.edges["weight"].to_numpy(),
                                                           abs=1e-8)
    assert res.srmr == pytest.approx(0.0, abs=1e-10) and res.df == 0
    assert (res.edges["se"] > 0).all()
    assert res.model.edges["sd"].to_numpy() == pytest.approx(res.edges["se"].to_numpy())
    assert res.r2["feasible"].all()


def test_single_edge_se_equals_the_published_interval():
    # a -> b alone: the fitted weight is r and its se is the interval's se on the r scale
    Wc = np.zeros((2, 2))
    Wc[0, 1] = 0.1
    m = matrix_model(Wc, ["a", "b"])
    res = fm.fit_to_correlations(m, pd.DataFrame({"a": ["a"], "b": ["b"], "value": [0.503],
                                                  "low": [0.11], "high": [0.76]}))
    assert res.edges["weight"][0] == pytest.approx(0.503)
    se_z = (math.atanh(0.76) - math.atanh(0.11)) / (2 * 1.959963984540054)
    assert res.edges["se"][0] == pytest.approx((1 - 0.503 ** 2) * se_z)


def test_agrees_with_semopy_on_the_full_correlation_matrix():
    semopy = pytest.importorskip("semopy")
    rng = np.random.default_rng(7)
    T = np.linalg.inv(np.eye(4) - W)
    x = rng.standard_normal((400, 4)) @ T
    R = pd.DataFrame(np.corrcoef(x, rowvar=False), index=NAMES, columns=NAMES)
    sem = semopy.Model("b ~ a\nc ~ a + b\nd ~ b + c")
    sem.fit(cov=R, n_samples=400, obj="ULS")
    ins = sem.inspect(std_est=True)
    paths = ins[ins["op"] == "~"].set_index(["rval", "lval"])["Est. Std"]
    res = fm.fit_to_correlations(matrix_model(W, NAMES), assoc_from(R, all_pairs(NAMES)))
    e = res.edges.set_index(["source", "target"])["weight"]
    for key, value in paths.items():
        assert e.loc[key] == pytest.approx(value, abs=5e-3), key
    assert 0 < res.srmr < 0.05 and res.df == 1


def test_saturated_model_agrees_with_semopy_exactly():
    semopy = pytest.importorskip("semopy")
    rng = np.random.default_rng(8)
    Ws = np.triu(rng.uniform(-0.5, 0.5, (4, 4)), k=1)
    x = rng.standard_normal((300, 4)) @ np.linalg.inv(np.eye(4) - Ws)
    R = pd.DataFrame(np.corrcoef(x, rowvar=False), index=NAMES, columns=NAMES)
    sem = semopy.Model("b ~ a\nc ~ a + b\nd ~ a + b + c")
    sem.fit(cov=R, n_samples=300)
    ins = sem.inspect(std_est=True)
    paths = ins[ins["op"] == "~"].set_index(["rval", "lval"])["Est. Std"]
    res = fm.fit_to_correlations(matrix_model(Ws, NAMES), assoc_from(R, all_pairs(NAMES)),
                                 start="zero")
    e = res.edges.set_index(["source", "target"])["weight"]
    for key, value in paths.items():  # semopy's optimiser stops at about 1e-3
        assert e.loc[key] == pytest.approx(value, abs=1e-3), key
    # a saturated recursive model is equation-by-equation regression on R: exact
    Rm = R.to_numpy()
    for j in range(1, 4):
        beta = np.linalg.solve(Rm[:j, :j], Rm[:j, j])
        assert [e.loc[(NAMES[i], NAMES[j])] for i in range(j)] == pytest.approx(beta, abs=1e-9)
    assert res.srmr == pytest.approx(0.0, abs=1e-8)


def test_fixed_edges_keep_their_weight_and_errors_are_specific():
    m = matrix_model(W, NAMES)
    S = fm.implied_correlations(m)
    res = fm.fit_to_correlations(m, assoc_from(S, [("a", "b"), ("c", "d"), ("b", "d")]),
                                 free=[("a", "b"), ("c", "d")])
    fixed = res.edges[~res.edges["free"]]
    assert fixed["weight"].tolist() == fixed["start"].tolist()
    assert fixed["se"].isna().all()
    with pytest.raises(fm.InvalidParameterError, match="2 free edges cannot be identified by 1"):
        fm.fit_to_correlations(m, assoc_from(S, [("a", "b")]), free=[("a", "b"), ("a", "c")])
    # two separate chains: no known pair depends on c -> d
    Wd = np.zeros((4, 4))
    Wd[0, 1], Wd[2, 3] = 0.5, 0.4
    md = matrix_model(Wd, NAMES)
    Sd = fm.implied_correlations(md)
    with pytest.raises(fm.InvalidParameterError, match=r"not identified.*c -> d"):
        fm.fit_to_correlations(md, assoc_from(Sd, [("a", "b"), ("a", "d")]))
    with pytest.raises(fm.UnknownEdgeError, match="1 edge not in model 'matrix': 'd' -> 'a'"):
        fm.fit_to_correlations(m, assoc_from(S, [("a", "b")]), free=[("d", "a")])
    with pytest.raises(fm.UnknownNodeError, match="'zz'"):
        fm.fit_to_correlations(m, assoc_from(S, [("a", "b")]).assign(b="zz"))
    with pytest.raises(fm.DataError, match="repeated"):
        fm.fit_to_correlations(m, pd.concat([assoc_from(S, [("a", "b")]),
                                             assoc_from(S, [("b", "a")])]))
