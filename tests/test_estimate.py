"""Estimating weights from data (recovery, semopy agreement) and the backtest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factormodel as fm

from .reference import matrix_model

W = np.zeros((4, 4))
W[0, 1], W[0, 2], W[1, 2], W[2, 3], W[1, 3] = 0.5, 0.3, -0.4, 0.6, 0.2
NAMES = ["a", "b", "c", "d"]


def simulate(n: int, seed: int) -> tuple[pd.DataFrame, dict]:
    """Data from x = x W + e (unit noise) and the true standardised coefficients."""
    rng = np.random.default_rng(seed)
    T = np.linalg.inv(np.eye(4) - W)
    x = rng.standard_normal((n, 4)) @ T
    sd = np.sqrt(np.diag(T.T @ T))
    truth = {(NAMES[i], NAMES[j]): W[i, j] * sd[i] / sd[j] for i, j in zip(*np.nonzero(W),
                                                                           strict=True)}
    return pd.DataFrame(x, columns=NAMES), truth


@pytest.mark.filterwarnings("ignore::factormodel.errors.ModelWarning")
def test_recovers_known_standardised_weights():
    data, truth = simulate(20_000, seed=1)
    est = fm.estimate_weights(matrix_model(W, NAMES), data)
    e = est.edges.set_index(["source", "target"])
    for key, value in truth.items():
        assert abs(e.loc[key, "estimate"] - value) < 4 * e.loc[key, "se"]
        assert e.loc[key, "low"] < value < e.loc[key, "high"]
    fit = est.fit.set_index("node")
    assert fit.loc["d", "n"] == 20_000 and 0 < fit.loc["d", "r2"] < 1
    assert not est.cyclic


@pytest.mark.filterwarnings("ignore::factormodel.errors.ModelWarning")
def test_agrees_with_semopy():
    semopy = pytest.importorskip("semopy")
    data, _ = simulate(3000, seed=2)
    z = (data - data.mean()) / data.std(ddof=1)
    est = fm.estimate_weights(matrix_model(W, NAMES), data).edges.set_index(
        ["source", "target"])
    model = semopy.Model("b ~ a\nc ~ a + b\nd ~ b + c")
    model.fit(z)
    ins = model.inspect()
    paths = ins[ins["op"] == "~"]
    for r in paths.itertuples():
        assert est.loc[(r.rval, r.lval), "estimate"] == pytest.approx(r.Estimate, abs=2e-3)


@pytest.mark.filterwarnings("ignore::factormodel.errors.ModelWarning")
def test_missing_values_ridge_and_errors():
    data, _ = simulate(500, seed=3)
    data.loc[:9, "c"] = np.nan
    m = matrix_model(W, NAMES)
    est = fm.estimate_weights(m, data)
    fit = est.fit.set_index("node")
    assert fit.loc["c", "dropped"] == 10 and fit.loc["b", "dropped"] == 0
    ridge = fm.estimate_weights(m, data, ridge=200.0).edges["estimate"].abs().sum()
    assert ridge < est.edges["estimate"].abs().sum()
    assert set(est.weights_table().columns) >= {"source", "target", "weight", "sd"}
    few = fm.estimate_weights(m, data.head(2))
    assert "too few" in few.fit.set_index("node").loc["d", "note"]
    with pytest.raises(fm.UnknownNodeError):
        fm.estimate_weights(m, data.rename(columns={"a": "aa"}).assign(a=data["a"]))
    with pytest.raises(fm.InvalidParameterError, match="ridge"):
        fm.estimate_weights(m, data, ridge=-1)
    with pytest.raises(fm.DataError, match="no variation"):
        fm.estimate_weights(m, data.assign(a=1.0))
    assert fm.estimate_weights(m, data[["a", "b"]]).fit.set_index("node").loc["c", "n"] == 0


def test_cyclic_models_are_flagged(rotterdam):
    prof = fm.profile(rotterdam, fm.load_example_data("rotterdam"), level="gebied")
    assert fm.estimate_weights(rotterdam, prof).cyclic


def test_backtest_on_example_data(rotterdam):
    bt = fm.backtest(rotterdam, fm.load_example_data("rotterdam"), level="gebied")
    assert set(bt.pairs["year"]) == {2022, 2023}
    s = bt.summary
    err = bt.pairs["predicted"] - bt.pairs["observed"]
    vsv = bt.pairs["outcome"] == "vsv"
    assert s.loc["vsv", "n"] == int(vsv.sum()) > 0
    assert s.loc["vsv", "rmse"] == pytest.approx(float(np.sqrt((err[vsv] ** 2).mean())))
    assert s.loc["vsv", "mae"] == pytest.approx(float(err[vsv].abs().mean()))
    assert s.loc["vsv", "correlation"] == pytest.approx(
        float(np.corrcoef(bt.pairs.loc[vsv, "predicted"], bt.pairs.loc[vsv, "observed"])[0, 1]))
    one_year = fm.load_example_data("rotterdam").query("year == 2023")
    with pytest.raises(fm.DataError, match="two consecutive years"):
        fm.backtest(rotterdam, one_year, level="gebied")


@pytest.mark.filterwarnings("ignore::factormodel.errors.ModelWarning")
@pytest.mark.parametrize(("n", "seed"), [(12, 0), (40, 5), (300, 9)])
def test_estimates_and_standard_errors_match_statsmodels(n, seed):
    """Estimates equal OLS on standardised data; SEs equal OLS *with* a constant there
    (n - k - 1 degrees of freedom), and t statistics equal OLS on the raw data."""
    sm = pytest.importorskip("statsmodels.api")
    data, _ = simulate(n, seed=seed)
    est = fm.estimate_weights(matrix_model(W, NAMES), data, confidence=0.9)
    edges = est.edges.set_index(["source", "target"])
    z = (data - data.mean()) / data.std(ddof=1)
    for node, parents in {"b": ["a"], "c": ["a", "b"], "d": ["b", "c"]}.items():
        with_const = sm.OLS(z[node], sm.add_constant(z[parents])).fit()
        without = sm.OLS(z[node], z[parents]).fit()
        raw = sm.OLS(data[node], sm.add_constant(data[parents])).fit()
        ci = with_const.conf_int(alpha=0.1)
        for p in parents:
            row = edges.loc[(p, node)]
            assert row["estimate"] == pytest.approx(without.params[p], rel=1e-10)
            assert row["se"] == pytest.approx(with_const.bse[p], rel=1e-10)
            assert row["estimate"] / row["se"] == pytest.approx(raw.tvalues[p], rel=1e-10)
            assert (row["low"], row["high"]) == pytest.approx(tuple(ci.loc[p]), rel=1e-10)
            k = len(parents)  # the old n - k count is off by exactly this factor
            assert row["se"] / without.bse[p] == pytest.approx(
                np.sqrt((n - k) / (n - k - 1)), rel=1e-10)


def test_confidence_is_named_confidence(rotterdam):
    """``level`` means an area level elsewhere; the confidence level has its own name."""
    prof = fm.profile(rotterdam, fm.load_example_data("rotterdam"), level="gebied").deltas
    a = fm.estimate_weights(rotterdam, prof, confidence=0.8)
    with pytest.warns(DeprecationWarning, match="confidence"):
        b = fm.estimate_weights(rotterdam, prof, level=0.8)
    pd.testing.assert_frame_equal(a.edges, b.edges)
    wide = fm.estimate_weights(rotterdam, prof, confidence=0.99).edges
    ok = a.edges["se"].notna()
    assert ((wide["high"] - wide["low"])[ok] > (a.edges["high"] - a.edges["low"])[ok]).all()
    with pytest.raises(fm.InvalidParameterError, match="confidence"):
        fm.estimate_weights(rotterdam, prof, confidence=1.5)
