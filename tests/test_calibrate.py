"""Calibration: posterior of the edge weights given area data, with the model's weights as prior."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import factormodel as fm

from .reference import matrix_model

NAMES = ["a", "b", "c", "d"]
TRUE = np.zeros((4, 4))
TRUE[0, 1], TRUE[0, 2], TRUE[1, 2], TRUE[2, 3], TRUE[1, 3] = 0.5, 0.3, 0.4, 0.6, 0.2


def simulate(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4)) @ np.linalg.inv(np.eye(4) - TRUE)
    return pd.DataFrame(x, columns=NAMES)


def prior_model(sd: float | None, weight: float = 0.1) -> fm.FactorModel:
    """Same structure as TRUE, every weight ``weight`` (wrong), every sd ``sd``."""
    m = matrix_model(np.where(TRUE != 0, weight, 0.0), NAMES)
    if sd is None:
        return m
    return m.with_weights(m.edges[["source", "target"]].assign(sd=sd))


def test_recovers_weights_that_differ_from_the_prior():
    data = simulate(20_000, seed=1)
    est = fm.estimate_weights(matrix_model(TRUE, NAMES), data).edges.set_index(
        ["source", "target"])["estimate"]  # the standardised truth of this sample
    cal = fm.calibrate(prior_model(0.3), data)
    got = cal.edges.set_index(["source", "target"])
    for key, truth in est.items():
        assert got.loc[key, "weight"] == pytest.approx(truth, abs=0.01)
        assert abs(got.loc[key, "weight"] - 0.1) > 0.05  # moved away from the prior
    table = fm.calibration_table(cal)
    assert (table["status"] == "calibrated").all() and (table["n"] == 20_000).all()
    assert (table["prior"] == 0.1).all() and (table["prior_sd"] == 0.3).all()


def test_strength_zero_returns_the_prior():
    prior = prior_model(0.2)
    cal = fm.calibrate(prior, simulate(200, seed=2), strength=0.0)
    np.testing.assert_allclose(cal.edges["weight"], prior.edges["weight"], atol=1e-12)
    np.testing.assert_allclose(cal.edges["sd"], 0.2, atol=1e-12)
    tiny = fm.calibrate(prior, simulate(200, seed=2), strength=1e-9)
    np.testing.assert_allclose(tiny.edges["weight"], 0.1, atol=1e-6)


def test_flat_prior_equals_estimate_weights():
    data = simulate(60, seed=3)
    cal = fm.calibrate(prior_model(1e7), data).edges.set_index(["source", "target"])
    est = fm.estimate_weights(prior_model(None), data).edges.set_index(["source", "target"])
    np.testing.assert_allclose(cal["weight"], est.loc[cal.index, "estimate"], rtol=1e-8)
    np.testing.assert_allclose(cal["sd"], est.loc[cal.index, "se"], rtol=1e-8)


def test_matches_conjugate_normal_posterior_by_hand():
    data = simulate(40, seed=4)
    cal = fm.calibrate(prior_model(0.15), data, strength=0.5).edges.set_index(
        ["source", "target"])
    z = (data[["c", "a", "b"]] - data[["c", "a", "b"]].mean()) / data[["c", "a", "b"]].std()
    X, y = z[["a", "b"]].to_numpy(), z["c"].to_numpy()
    resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    s2 = resid @ resid / (40 - 3)
    P = 0.5 * X.T @ X / s2 + np.eye(2) / 0.15**2
    mean = np.linalg.solve(P, 0.5 * X.T @ y / s2 + np.full(2, 0.1) / 0.15**2)
    np.testing.assert_allclose(cal.loc[[("a", "c"), ("b", "c")], "weight"], mean, rtol=1e-10)
    np.testing.assert_allclose(cal.loc[[("a", "c"), ("b", "c")], "sd"],
                               np.sqrt(np.diag(np.linalg.inv(P))), rtol=1e-10)


def test_posterior_sd_shrinks_with_n():
    prior = prior_model(0.3)
    sds = [fm.calibrate(prior, simulate(n, seed=5)).edges["sd"].to_numpy()
           for n in (20, 200, 2000)]
    assert (sds[0] < 0.3).all()
    assert (sds[1] < sds[0]).all() and (sds[2] < sds[1]).all()


def test_unmeasured_and_loop_nodes_keep_the_prior_and_say_why():
    W = np.zeros((4, 4))
    W[0, 1], W[1, 2], W[2, 1], W[2, 3] = 0.3, 0.2, 0.2, 0.4   # b <-> c is a loop
    m = matrix_model(W, NAMES)
    rng = np.random.default_rng(6)
    data = pd.DataFrame(rng.standard_normal((100, 3)), columns=["a", "b", "d"])
    data["c"] = np.nan
    with pytest.raises(fm.DataError, match="no node could be calibrated"):
        fm.calibrate(m, data)
    data["c"] = rng.standard_normal(100)
    t = fm.calibration_table(fm.calibrate(m, data)).set_index(["source", "target"])
    assert t.loc[("c", "d"), "status"] == "calibrated"
    for key in [("a", "b"), ("c", "b"), ("b", "c")]:
        assert t.loc[key, "status"] == "prior kept"
        assert "feedback loop" in t.loc[key, "reason"]
    data = data.drop(columns="c")
    t = fm.calibration_table(fm.calibrate(matrix_model(TRUE, NAMES), data.assign(
        c=np.r_[rng.standard_normal(50), [np.nan] * 50]).iloc[:, [0, 1, 3, 2]]))
    assert t.set_index("target").loc["d", "n"].tolist() == [50, 50]


def test_provenance_in_metadata_and_weights_table():
    m = fm.load_model("rotterdam-jeugd")
    cal = fm.calibrate(m, fm.load_example_data("rotterdam"), years=[2022, 2023],
                       data_name="rotterdam_synthetic.csv")
    rec = json.loads(cal.metadata.extra["calibration"])
    assert rec["years"] == [2022, 2023] and rec["level"] == "wijk"
    assert rec["data_status"] == "synthetic" and rec["n_areas"] == 67
    assert rec["prior_kept"]["vsv"].startswith("not measured") or "loop" in rec["prior_kept"][
        "vsv"]
    e = cal.edges
    done = e[e["source_ref"].str.startswith("calibrated on rotterdam_synthetic.csv")]
    assert len(done) >= 5 and done["source_ref"].str.contains("years 2022, 2023").all()
    # 67 wijken x 2 years, fewer where an indicator is published in fewer wijken or
    # suppressed (the synthetic data suppress counts below 5 persons, as CBS does)
    n = done["source_ref"].str.extract(r"n = (\d+) area-years")[0].astype(int)
    assert n.max() == 134 and n.min() >= 80
    assert e.loc[~e.index.isin(done.index), "note"].str.startswith("prior kept: ").all()
    assert "calibrated" in cal.metadata.description


def test_bad_strength():
    with pytest.raises(fm.InvalidParameterError, match="strength"):
        fm.calibrate(prior_model(0.1), simulate(10, seed=0), strength=-1)
