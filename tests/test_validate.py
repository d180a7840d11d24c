"""validate(): scores, baselines in the same folds (cross-checked with statsmodels), no leakage."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import factormodel as fm

M = fm.load_model("rotterdam-jeugd")


def _back(level, delta, per):
    """A predicted delta (SD between individuals) back in a share's unit at ``level``,
    through the probit, by hand with scipy."""
    p = np.asarray(level, dtype=float) / per
    return per * (norm.cdf(norm.ppf(p) + np.asarray(delta, dtype=float)) - p)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return fm.load_example_data("rotterdam")


@pytest.fixture(scope="module")
def v(data) -> fm.Validation:
    return fm.validate(M, data, outcomes=["vsv", "neet"])


def _preds(v, indicator, target, sample, method):
    p = v.predictions
    return p[(p["indicator"] == indicator) & (p["target"] == target) & (p["sample"] == sample)
             & (p["method"] == method)].set_index("area")


def test_scores_follow_from_the_predictions(v):
    sm = pytest.importorskip("statsmodels.api")
    for r in v.scores.itertuples():
        p = _preds(v, r.indicator, r.target, r.sample, r.method).dropna(subset=["predicted"])
        y, f = p["observed"].to_numpy(), p["predicted"].to_numpy()
        assert r.n == len(y)
        assert r.rmse == pytest.approx(np.sqrt(np.mean((y - f) ** 2)))
        assert r.r2 == pytest.approx(1 - ((y - f) ** 2).sum() / ((y - y.mean()) ** 2).sum())
        if r.method == "city mean":
            assert np.isnan(r.r) and np.isnan(r.slope)
            continue
        assert r.r == pytest.approx(np.corrcoef(y, f)[0, 1])
        assert r.slope == pytest.approx(sm.OLS(y, sm.add_constant(f)).fit().params[1])


def test_ols_baseline_matches_statsmodels_fold_by_fold(data):
    sm = pytest.importorskip("statsmodels.api")
    v = fm.validate(M, data, outcomes="vsv", folds=4, seed=3)
    p = _preds(v, "vsv_nieuw", "level", "out-of-sample", "OLS")
    prof = fm.profile(M, data).deltas
    te = fm.total_effects(M, targets=["vsv"])["vsv"]
    factors = [f for f in M.factors if te[f] != 0 and prof.loc[p.index, f].notna().all()
               and prof.loc[p.index, f].std() > 0]
    assert v.to_frame().query("method == 'OLS'")["detail"].iloc[0] == f"{len(factors)} factor(s)"
    areas = np.array(sorted(p.index))
    rng_perm = np.random.default_rng(3).permutation(len(areas))
    fold = np.empty(len(areas), dtype=int)
    fold[rng_perm] = np.arange(len(areas)) % 4
    X = sm.add_constant(prof.loc[areas, factors])
    y = p.loc[areas, "observed"]
    for k in range(4):
        train, test = areas[fold != k], areas[fold == k]
        fit = sm.OLS(y[train], X.loc[train]).fit()
        np.testing.assert_allclose(p.loc[test, "predicted"], fit.predict(X.loc[test]),
                                   rtol=1e-8)


def test_best_indicator_is_chosen_inside_each_training_fold(data):
    sm = pytest.importorskip("statsmodels.api")
    v = fm.validate(M, data, outcomes="neet", folds="loo")
    p = _preds(v, "neet_18_26", "level", "out-of-sample", "best indicator")
    wide = data[(data["level"] == "wijk") & (data["year"] == 2023)].pivot(
        index="area", columns="indicator", values="value").loc[p.index]
    cat = fm.load_indicators(M)
    cand = [k for k in wide.columns if cat.loc[k, "node"] not in M.outcomes
            and wide[k].notna().all() and wide[k].std() > 0]
    for area in p.index[:10]:
        train = wide.drop(index=area)
        best = train[cand].corrwith(train["neet_18_26"]).abs().idxmax()
        fit = sm.OLS(train["neet_18_26"], sm.add_constant(train[best])).fit()
        expected = fit.params["const"] + fit.params[best] * wide.loc[area, best]
        assert p.loc[area, "predicted"] == pytest.approx(expected, rel=1e-9)


def test_model_prediction_is_city_mean_plus_propagated_delta(v, data):
    p = _preds(v, "vsv_nieuw", "level", "in-sample", "model")
    prof = fm.profile(M, data).deltas
    pred = fm.propagate(M, prof[list(M.factors)].dropna(axis=1, how="all"),
                        missing="free").outcomes["vsv"]
    now = data[(data["year"] == 2023) & (data["level"] == "wijk")
               & (data["indicator"] == "vsv_nieuw")].set_index("area")
    now = now.dropna(subset=["value"])  # suppressed small counts are not scored
    mean = np.average(now["value"], weights=now["population"])
    np.testing.assert_allclose(p["predicted"], mean + _back(mean, pred.loc[p.index], 100),
                               rtol=1e-10)
    change = _preds(v, "vsv_nieuw", "change", "out-of-sample", "model")
    before = data[(data["year"] == 2022) & (data["level"] == "wijk")
                  & (data["indicator"] == "vsv_nieuw")].set_index("area")["value"]
    np.testing.assert_allclose(change["observed"], now["value"].loc[change.index]
                               - before.loc[change.index])


def test_out_of_sample_and_in_sample_are_separate_rows(v):
    t = v.to_frame()
    assert set(t["sample"]) == {"out-of-sample", "in-sample"}
    assert set(t["target"]) == {"level", "change"}
    oos, ins = v.to_frame("out-of-sample"), v.to_frame("in-sample")
    key = ["indicator", "target", "method"]
    both = oos.merge(ins, on=key, suffixes=("_oos", "_in")).set_index(key)
    # fitted baselines do better on the areas they were fitted to
    assert (both.loc[(slice(None), slice(None), "OLS"), "rmse_in"]
            < both.loc[(slice(None), slice(None), "OLS"), "rmse_oos"]).all()
    assert v.folds == "leave-one-area-out (67 folds)"
    with pytest.raises(fm.InvalidParameterError):
        v.to_frame("both")


def test_calibration_happens_inside_each_fold(data):
    """No leakage: out-of-sample rows use a model calibrated without the held-out areas;
    calibrating on all areas and scoring on the same areas appears only as in-sample.
    (verdachten_12_24 is a rate per 1000: predictions come back through the probit.)"""
    v = fm.validate(M, data, outcomes="jeugdcriminaliteit", folds=3, seed=1, calibrate=1.0)
    oos = _preds(v, "verdachten_12_24", "level", "out-of-sample", "model (calibrated)")
    ins = _preds(v, "verdachten_12_24", "level", "in-sample", "model (calibrated)")
    prof = fm.profile(M, data).deltas
    factors = prof[list(M.factors)].dropna(axis=1, how="all")
    on_all = fm.calibrate(M, data, years=[2023])
    pred_all = fm.propagate(on_all, factors, missing="free").outcomes["jeugdcriminaliteit"]
    allnow = data[(data["year"] == 2023) & (data["level"] == "wijk")
                  & (data["indicator"] == "verdachten_12_24")].dropna(subset=["value"])
    city = np.average(allnow["value"], weights=allnow["population"])
    offset = ins["predicted"] - _back(city, pred_all.loc[ins.index], 1000)
    assert np.ptp(offset) < 1e-9   # in-sample = calibrated on all areas
    leaked = offset.iloc[0] + _back(city, pred_all.loc[oos.index], 1000)
    assert not np.allclose(oos["predicted"], leaked, atol=1e-6)
    # one held-out fold by hand: calibrate on the other two folds only
    areas = np.array(sorted(oos.index))
    fold = np.empty(len(areas), dtype=int)
    fold[np.random.default_rng(1).permutation(len(areas))] = np.arange(len(areas)) % 3
    train = set(areas[fold != 0])
    sub = data[data["area"].isin(train) & (data["year"] == 2023)]
    fitted = fm.calibrate(M, sub, years=[2023])
    test = areas[fold == 0]
    d = fm.propagate(fitted, factors.loc[test], missing="free").outcomes["jeugdcriminaliteit"]
    now = sub[(sub["level"] == "wijk") & (sub["indicator"] == "verdachten_12_24")]
    now = now.dropna(subset=["value"])
    mean = np.average(now["value"], weights=now["population"])
    np.testing.assert_allclose(oos.loc[test, "predicted"], mean + _back(mean, d, 1000),
                               rtol=1e-9)


def test_json_and_html_and_labels(v):
    d = v.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert '"data_status": "synthetic"' in text and "not individual effects" in text
    assert any(s["r"] is None for s in d["scores"])   # city mean: no correlation
    html = v._repr_html_()
    assert "SYNTHETIC" in html and "out-of-sample" in html
    assert "synthetic" in repr(v)


def test_any_city_with_its_own_catalogue(tmp_path):
    """Areas in no registry and a user-supplied catalogue (DataFrame or CSV)."""
    toy = fm.load_model("toy")
    rng = np.random.default_rng(0)
    n = 30
    armoede = rng.normal(20, 5, n)
    verzuim = 3 + 0.1 * armoede + rng.normal(0, 0.5, n)
    vsv = 1 + 0.3 * verzuim + rng.normal(0, 0.1, n)
    table = pd.DataFrame({"wijk": [f"Wijk {i}" for i in range(n)], "jaar": 2024,
                          "pct_arm": armoede, "verzuim": verzuim, "vsv_pct": vsv})
    cat = pd.DataFrame({
        "id": ["pct_arm", "verzuim", "vsv_pct"], "node": ["armoede", "schoolverzuim", "vsv"],
        "label_nl": ["arm", "verzuim", "vsv"], "label_en": ["poor", "absence", "dropout"],
        "unit": ["%", "per 1000", "%"], "direction": [1, 1, 1], "source": ["city X"] * 3,
        "level": ["wijk"] * 3, "scale": [5.0, 0.8, 0.4]})
    v1 = fm.validate(toy, table, indicators=cat, folds=5)
    path = tmp_path / "catalogue.csv"
    cat.to_csv(path, index=False, sep=";")
    v2 = fm.validate(toy, table, indicators=path, folds=5)
    pd.testing.assert_frame_equal(v1.scores, v2.scores)
    assert v1.to_frame("out-of-sample").set_index("method").loc["OLS", "r"] > 0.5
    bad = cat.assign(node=["armoede", "schoolverzuim", "no_such_node"])
    with pytest.raises(fm.ModelValidationError, match="no_such_node"):
        fm.validate(toy, table, indicators=bad)


def test_errors(data):
    with pytest.raises(fm.DataError, match="nothing to validate"):
        fm.validate(M, data[data["indicator"] == "kinderen_laag_inkomen"])
    with pytest.raises(fm.DataError, match="no measured outcome indicator for 'vsvv'"):
        fm.validate(M, data, outcomes="vsvv")
    with pytest.raises(fm.InvalidParameterError, match="folds"):
        fm.validate(M, data, folds=1)
    with pytest.raises(fm.InvalidParameterError, match="reference"):
        fm.validate(M, data, reference="target")


def test_leave_one_gebied_out(data):
    areas = fm.load_areas("rotterdam")
    gebied = areas[areas["level"] == "wijk"].set_index("area")["parent"]
    v = fm.validate(M, data, outcomes="vsv", folds=gebied)
    assert v.folds == f"leave-one-group-out ({gebied.nunique()} groups of areas)"
    p = _preds(v, "vsv_nieuw", "level", "out-of-sample", "OLS")
    # held-out predictions of one gebied come from a fit without any of its wijken
    sm = pytest.importorskip("statsmodels.api")
    prof = fm.profile(M, data).deltas
    te = fm.total_effects(M, targets=["vsv"])["vsv"]
    factors = [f for f in M.factors if te[f] != 0 and prof.loc[p.index, f].notna().all()
               and prof.loc[p.index, f].std() > 0]
    X = sm.add_constant(prof.loc[p.index, factors])
    test = gebied.reindex(p.index) == "Charlois"
    fit = sm.OLS(p.loc[~test, "observed"], X[~test]).fit()
    np.testing.assert_allclose(p.loc[test, "predicted"], fit.predict(X[test]), rtol=1e-8)
    with pytest.raises(fm.InvalidParameterError, match="have no group"):
        fm.validate(M, data, outcomes="vsv", folds=gebied.drop("Tarwewijk"))
    by_registry = fm.validate(M, data, outcomes="vsv", folds="parent")   # same, from the registry
    pd.testing.assert_frame_equal(by_registry.scores, v.scores)


def test_readme_validation_table_is_what_validate_measures(data):
    """The numbers in README's 'How good is this model?' come from this call."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\w+) \((?:%|pp|per 1000)\) \| (level|change) \| (.+) \|$", readme,
                      re.M)
    assert len(rows) == 6
    v = fm.validate(M, data, outcomes=["vsv", "jeugdcriminaliteit", "neet"])
    t = v.to_frame("out-of-sample").set_index(["indicator", "target", "method"]).sort_index()
    for indicator, target, cells in rows:
        model, city, best, ols = (c.strip() for c in cells.split("|"))
        g = t.loc[(indicator, target)]

        def pair(method, g=g):
            return f"{g.loc[method, 'r']:.2f} / {g.loc[method, 'rmse']:.2f}".replace("-", "−")

        assert model == pair("model") and best == pair("best indicator") and ols == pair("OLS")
        assert city == f"{g.loc['city mean', 'rmse']:.2f}"


def test_reference_previous_year_validates_changes_only(data):
    v = fm.validate(M, data, outcomes="vsv", reference="previous_year", folds=3)
    assert set(v.to_frame()["target"]) == {"change"}
    with pytest.raises(fm.DataError, match="previous_year"):
        fm.validate(M, data[data["year"] == 2023], outcomes="vsv", reference="previous_year")
