"""One unit inside the model (SD between individuals), checked by microsimulation.

Persons are simulated here, independently of :mod:`factormodel.synthetic`: each area
has latent node means, each person the means plus individual deviations; shares are
counted from the persons. The library must then predict area differences of the
outcome with a slope of truth on prediction of 1 -- and the old conversion by the
spread across areas must not (it gave a slope of about 3).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

import factormodel as fm
from factormodel.core import units

from .conftest import write_folder, write_table

NODE_HEADER = ["id", "kind", "setting", "label_nl", "label_en", "phases", "modifiable",
               "desired", "description"]
CAT_HEADER = ["id", "node", "label_nl", "label_en", "unit", "direction", "source", "level",
              "scale", "weight", "typical", "target", "definition", "basis", "measure", "link",
              "sd_individual", "sd_source"]


def _node(i, kind="risk", desired=""):
    setting = "kansrijk" if kind == "outcome" else "thuis"
    return [i, kind, setting, i, i, "all", "true" if kind != "outcome" else "false", desired,
            ""]


def _model(tmp_path, nodes, edges, catalogue):
    folder = write_folder(tmp_path / "m", nodes=nodes, edges=[
        [a, b, str(w), "matig", "0.05", "expert judgement", ""] for a, b, w in edges],
        meta={"name": "micro", "version": "1", "status": "illustrative"})
    write_table(folder / "indicators.csv", CAT_HEADER, catalogue)
    return fm.read_model(folder)


def _share(i, node, typical, direction=1, measure="share", link="probit"):
    unit = "%" if measure == "share" else "per 1000"
    return [i, node, i, i, unit, str(direction), "simulated", "wijk", "5", "1", str(typical),
            "", "", "microsimulation", measure, link, "", ""]


def _persons(W, means, n_persons, rng):
    """Persons of every area: x = (I - W^T)^-1 (mu + u), with residual variances that
    give every node unit variance within an area (dense algebra, independent of the
    library)."""
    n = W.shape[0]
    A = np.linalg.inv(np.eye(n) - W)  # A[i, j]: total effect of i on j
    psi = np.linalg.solve((A.T * A.T), np.ones(n))  # Var(x_j) = sum_i A[i,j]^2 psi_i = 1
    assert (psi > 0).all()
    areas = means.shape[0]
    u = rng.standard_normal((areas, n_persons, n)) * np.sqrt(psi)
    return means[:, None, :] + u @ A  # areas x persons x nodes


def _slope_r(truth, pred):
    slope = np.polyfit(pred, truth, 1)[0]
    return slope, np.corrcoef(pred, truth)[0, 1]


def test_microsimulation_one_factor_slope_one(tmp_path):
    """The issue's case: 60 areas x 4,000 persons, armoede -> vsv 0.3, poverty 23%,
    VSV 12.8%, area means of poverty with SD 0.4."""
    rng = np.random.default_rng(21)
    m = _model(tmp_path, [_node("armoede"), _node("vsv", "outcome", "lower")],
               [("armoede", "vsv", 0.3)],
               [_share("pct_arm", "armoede", 23), _share("pct_vsv", "vsv", 12.8)])
    W = np.array([[0.0, 0.3], [0.0, 0.0]])
    mu_a = 0.4 * rng.standard_normal(60)
    means = np.column_stack([mu_a, 0.3 * mu_a])
    x = _persons(W, means, 4000, rng)
    t_a, t_v = norm.ppf(1 - 0.23), norm.ppf(1 - 0.128)
    arm = 100 * (x[:, :, 0] > t_a).mean(axis=1)
    vsv = 100 * (x[:, :, 1] > t_v).mean(axis=1)
    areas = [f"A{i}" for i in range(60)]
    data = pd.DataFrame({"area": [*areas, "Rotterdam"], "year": 2023,
                         "pct_arm": [*arm, arm.mean()], "pct_vsv": [*vsv, vsv.mean()]})
    prof = fm.profile(m, data.drop(columns="pct_vsv"))
    assert prof.reference_source.startswith("the data's city row") or len(prof.index) == 60
    out = fm.propagate(m, prof.deltas, missing="free").outcomes
    units_ = fm.to_indicator_units(m, out, profile=prof, levels={"pct_vsv": vsv.mean()})
    pred = units_.set_index("area").loc[areas, "change"].to_numpy()
    truth = vsv - vsv.mean()
    slope, r = _slope_r(truth, pred)
    assert 0.9 <= slope <= 1.1, slope
    assert r >= 0.95, r
    # the old conversion (by the spread across areas, both ways) is off by ~3x
    sd_a, sd_v = arm.std(), vsv.std()
    old = 0.3 * (arm - arm.mean()) / sd_a * sd_v
    old_slope, _ = _slope_r(truth, old)
    assert not 0.9 <= old_slope <= 1.1
    assert old_slope > 2


def test_microsimulation_mediator_loop_and_mean_score(tmp_path):
    """Two measured factors (a share and a mean score), an unmeasured mediator in a
    feedback loop, an outcome share: the prediction through the model comes back with
    slope 1."""
    rng = np.random.default_rng(7)
    ids = ["a", "b", "m", "c", "y"]
    W = np.zeros((5, 5))
    for (i, j), w in {("a", "m"): 0.4, ("m", "c"): 0.3, ("c", "m"): 0.2, ("m", "y"): 0.35,
                      ("b", "y"): -0.25}.items():
        W[ids.index(i), ids.index(j)] = w
    nodes = [_node("a"), ["b", "protective", "school", "b", "b", "all", "true", "", ""],
             _node("m"), _node("c"), _node("y", "outcome", "lower")]
    cat = [_share("pa", "a", 30), _share("py", "y", 15),
           ["sb", "b", "sb", "sb", "score", "1", "simulated", "wijk", "3", "1", "50", "", "",
            "", "mean", "", "10", "simulated norm table"]]
    edges = [(ids[i], ids[j], W[i, j]) for i, j in zip(*np.nonzero(W), strict=True)]
    model = _model(tmp_path, nodes, edges, cat)
    n_areas = 80
    shocks = np.zeros((n_areas, 5))
    shocks[:, 0] = 0.4 * rng.standard_normal(n_areas)
    shocks[:, 1] = 0.3 * rng.standard_normal(n_areas)
    means = shocks @ np.linalg.inv(np.eye(5) - W)  # area means follow the model
    x = _persons(W, means, 3000, rng)
    pa = 100 * (x[:, :, 0] > norm.ppf(0.70)).mean(axis=1)
    py = 100 * (x[:, :, 4] > norm.ppf(0.85)).mean(axis=1)
    sb = (50 + 10 * x[:, :, 1]).mean(axis=1)
    areas = [f"W{i}" for i in range(n_areas)]
    data = pd.DataFrame({"area": areas, "year": 2023, "pa": pa, "sb": sb})
    ref = {"pa": pa.mean(), "sb": sb.mean()}
    prof = fm.profile(model, data, reference_values=ref)
    assert prof.deltas[["m", "c", "y"]].isna().all().all()  # unmeasured, predicted
    out = fm.propagate(model, prof.deltas, missing="free").outcomes
    t = fm.to_indicator_units(model, out, profile=prof, levels={"py": py.mean()})
    pred = t.set_index("area").loc[areas, "change"].to_numpy()
    slope, r = _slope_r(py - py.mean(), pred)
    assert 0.9 <= slope <= 1.1, slope
    assert r >= 0.95, r
    # the mean score's delta is in its individual SD (10), not its spread across areas
    np.testing.assert_allclose(prof.deltas["b"], (sb - ref["sb"]) / 10)


def test_probit_conversion_matches_scipy():
    cat = pd.DataFrame({"unit": ["%", "per 1000", "score", "%"], "direction": [1, -1, 1, 1],
                        "measure": ["share", "rate", "mean", "share"],
                        "link": ["probit", "probit", "linear", "linear"],
                        "sd_individual": [np.nan, np.nan, 10.0, np.nan]})
    m = units.Measures.of(cat)
    value, ref = np.array([20.0, 30.0, 540.0, 20.0]), np.array([10.0, 25.0, 534.0, 10.0])
    d = units.to_model(m, value, ref)
    expect = [norm.ppf(0.2) - norm.ppf(0.1), -(norm.ppf(0.03) - norm.ppf(0.025)), 0.6,
              0.1 / np.sqrt(0.09)]
    np.testing.assert_allclose(d, expect, rtol=1e-12)
    back = units.to_units(m, d, ref)
    np.testing.assert_allclose(back, value - ref, rtol=1e-9)


@given(st.lists(st.floats(0.01, 99.99), min_size=1, max_size=50),
       st.floats(-3, 3), st.booleans())
def test_small_and_vectorised_normal_agree(ps, delta, big):
    """Φ and Φ⁻¹ from the standard library (small arrays) and scipy (large) agree."""
    p = np.array(ps) / 100
    if big:
        p = np.resize(p, units.SMALL + 1)
    np.testing.assert_allclose(units.ndtri(p), norm.ppf(p), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(units.ndtr(units.ndtri(p) + delta),
                               norm.cdf(norm.ppf(p) + delta), rtol=1e-12, atol=1e-15)


@given(st.floats(0.5, 99.5), st.floats(-4, 4))
def test_a_share_never_leaves_0_to_100(level, delta):
    m = units.Measures.of(pd.DataFrame({"unit": ["%"], "direction": [1]}))
    new = level + units.to_units(m, np.array([delta]), np.array([level]))[0]
    assert 0 <= new <= 100


@given(st.floats(1, 99), st.floats(-0.9, 0.9))
def test_change_to_model_inverts_to_units(level, frac):
    m = units.Measures.of(pd.DataFrame({"unit": ["%"], "direction": [-1]}))
    change = frac * (100 - level if frac > 0 else level)
    d = units.change_to_model(m, np.array([change]), np.array([level]))
    assert units.to_units(m, d, np.array([level]))[0] == pytest.approx(change, abs=1e-7)


# ----------------------------------------------------------------------- bad input


def test_share_outside_range_rate_above_1000_and_fraction_are_refused():
    toy = fm.load_model("toy")
    data = pd.DataFrame({"area": ["A", "B", "C", "Rotterdam"], "year": 2023,
                         "vsv_nieuw": [250.0, 2.0, 3.0, 2.5],
                         "langdurig_verzuim": [1200.0, 5.0, 4.0, 5.0]})
    with pytest.raises(fm.DataError) as e:
        fm.profile(toy, data)
    msg = str(e.value)
    assert "area 'A', indicator 'vsv_nieuw': 250 is not a share" in msg
    assert "area 'A', indicator 'langdurig_verzuim': 1200 is not a rate per 1000" in msg
    assert msg.startswith("2 value(s)")


def test_one_area_given_as_a_fraction_is_named():
    toy = fm.load_model("toy")
    data = pd.DataFrame({"area": ["A", "B", "Rotterdam"], "year": 2023,
                         "verzuim_meldingen": [0.091, 9.4, 9.1]})
    with pytest.raises(fm.DataError, match=r"0.091 looks like a fraction of 9.1%.*write the "
                       r"percentage \(9.1\)"):
        fm.profile(toy, data)


def test_reference_share_of_zero_is_a_clear_error():
    toy = fm.load_model("toy")
    data = pd.DataFrame({"area": ["A", "B"], "year": 2023, "vsv_nieuw": [2.0, 3.0]})
    with pytest.raises(fm.DataError, match="exactly 0 or everyone"):
        fm.profile(toy, data, reference_values={"vsv_nieuw": 0.0})


def test_an_area_share_of_zero_is_left_unmeasured_with_a_warning():
    toy = fm.load_model("toy")
    data = pd.DataFrame({"area": ["A", "B", "Rotterdam"], "year": 2023,
                         "vsv_nieuw": [0.0, 3.0, 2.5]})
    with pytest.warns(UserWarning, match=r"A \(vsv_nieuw: 0\)"):
        p = fm.profile(toy, data)
    assert np.isnan(p.loc["A", "vsv"]) and np.isfinite(p.loc["B", "vsv"])


def test_catalogue_measurement_model_errors_are_located(tmp_path):
    toy = fm.load_model("toy")
    raw = fm.load_indicators(toy).reset_index()
    raw.loc[raw["id"] == "eindtoets", ["measure", "sd_individual"]] = ["mean", np.nan]
    raw.loc[raw["id"] == "vsv_nieuw", "measure"] = "rate"
    raw.loc[raw["id"] == "startkwalificatie", "typical"] = 100.0
    raw.loc[raw["id"] == "verzuim_meldingen", "link"] = "logit"
    with pytest.raises(fm.ModelValidationError) as e:
        fm.as_catalogue(toy, raw)
    msg = str(e.value)
    assert "a mean needs sd_individual above 0" in msg
    assert "measure 'rate' needs the unit 'per 1000', got '%'" in msg
    assert "typical 100 of a share must lie between 0 and 100" in msg
    assert "unknown link 'logit'" in msg
    assert msg.count("row") >= 4  # every problem located


def test_score_without_measure_is_refused():
    toy = fm.load_model("toy")
    raw = fm.load_indicators(toy).reset_index()
    raw.loc[raw["id"] == "eindtoets", "measure"] = ""
    with pytest.raises(fm.ModelValidationError, match="missing measure: the unit 'score'"):
        fm.as_catalogue(toy, raw)


def test_indicator_units_convert_at_each_areas_own_level():
    toy = fm.load_model("toy")
    data = pd.DataFrame({"area": ["A", "B", "Rotterdam"], "year": 2023,
                         "vsv_nieuw": [1.0, 6.0, 2.5]})
    prof = fm.profile(toy, data)
    t = fm.to_indicator_units(toy, pd.DataFrame({"vsv": [0.2, 0.2]}, index=["A", "B"]),
                              profile=prof, at="area").set_index("area")
    assert t.loc["A", "level"] == 1.0 and t.loc["B", "level"] == 6.0
    assert (t["level_source"] == "area").all()
    expect = [100 * norm.cdf(norm.ppf(p) + 0.2) - 100 * p for p in (0.01, 0.06)]
    np.testing.assert_allclose(t["change"], expect, rtol=1e-10)
    assert t.loc["B", "change"] > 2 * t.loc["A", "change"]  # non-linear in the level
    # a difference from the reference converts at the reference (the city's 2.5 %)
    r = fm.to_indicator_units(toy, pd.DataFrame({"vsv": [0.2]}, index=["A"]), profile=prof)
    assert r.loc[0, "level"] == 2.5 and r.loc[0, "level_source"] == "reference"
    assert r.loc[0, "new_level"] == pytest.approx(100 * norm.cdf(norm.ppf(0.025) + 0.2))


def test_among_areas_is_not_a_model_delta():
    toy = fm.load_model("toy")
    data = pd.DataFrame({"area": ["A", "B", "Rotterdam"], "year": 2023,
                         "vsv_nieuw": [3.3, 2.0, 2.5]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = fm.profile(toy, data)
    model_delta = p.loc["A", "vsv"]
    spread = units.among_areas(np.array([3.3]), np.array([2.5]), np.array([0.8]),
                               np.array([1]))[0]
    assert spread == pytest.approx(1.0)
    assert model_delta == pytest.approx(norm.ppf(0.033) - norm.ppf(0.025))
    assert model_delta < spread / 5  # the spread across areas is far smaller than between kids


def test_monte_carlo_intervals_in_units_are_the_converted_quantiles():
    m = fm.load_model("rotterdam-jeugd")
    prof = fm.profile(m, fm.load_example_data(), level="gebied")
    mc = fm.monte_carlo(m, prof, {"vsv": 1}, n_draws=200, seed=3, progress=False)
    t = mc.in_units(m, prof).set_index(["area", "indicator"])
    sd = mc.predictions.xs("vsv", level="node")
    for area in ["Feijenoord", "Charlois"]:
        p0 = prof.references.loc[area, "vsv_nieuw"] / 100
        for col in ("median", "low", "high"):
            want = 100 * (norm.cdf(norm.ppf(p0) + sd.loc[area, col]) - p0)
            assert t.loc[(area, "vsv_nieuw"), col] == pytest.approx(want, rel=1e-9)


def test_measures_carry_their_links_per_indicator_and_per_row():
    """The probit, Bernoulli and share masks are worked out once per indicator (no string
    comparison over a national table's rows) and repeated with the rest by ``take``."""
    cat = pd.DataFrame({"unit": ["%", "%", "per 1000", "score", "%"],
                        "link": ["", "linear", "", "", "probit"], "direction": [1, -1, 1, 1, 0],
                        "sd_individual": [np.nan, np.nan, np.nan, 2.0, np.nan]},
                       index=list("abcde"))
    m = units.Measures.of(cat)
    assert m.link.tolist() == ["probit", "linear", "probit", "linear", "probit"]
    assert m.probit.tolist() == [True, False, True, False, True]
    assert m.bernoulli.tolist() == [False, True, False, False, False]
    assert m.share.tolist() == [True, True, False, False, True]
    codes = np.array([3, 0, 0, 1, 4, 2])
    rows = m.take(codes)
    for name in ("measure", "link", "direction", "per", "probit", "bernoulli", "share"):
        np.testing.assert_array_equal(getattr(rows, name), getattr(m, name)[codes])
    value, ref = np.array([12.0, 8.0, 9.0, 30.0, 5.0, 40.0]), np.full(6, 10.0)
    z = units.to_model(rows, value, ref)
    assert z[0] == pytest.approx((12 - 10) / 2.0)  # a score: over sd_individual
    assert z[1] == pytest.approx(norm.ppf(0.08) - norm.ppf(0.10))  # probit share
    assert z[3] == pytest.approx(-(0.30 - 0.10) / np.sqrt(0.1 * 0.9))  # linear share
    assert np.isnan(z[4])  # direction 0
    assert z[5] == pytest.approx(norm.ppf(0.040) - norm.ppf(0.010))  # a rate per 1,000
