"""SEM calibration: weights fitted to area data with unmeasured nodes latent (factormodel.sem)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import factormodel as fm
from factormodel.core import model as fm_model
from factormodel.core.coherence import standardised_solution
from factormodel.estimation import sem

from .reference import matrix_model
from .test_calibrate import NAMES, TRUE, prior_model, simulate


def standardised_sample(W: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n draws of x = Wᵀx + e with every node's variance 1 (the standardised solution)."""
    A, psi = standardised_solution(W)
    e = rng.standard_normal((n, W.shape[0])) * np.sqrt(psi)
    return e @ A.T


def test_gradient_matches_finite_differences_with_latent_nodes():
    W0 = np.where(TRUE != 0, 0.1, 0.0)
    src, dst = np.nonzero(W0)
    S = np.corrcoef(simulate(80, seed=5).drop(columns=["b"]).to_numpy().T)
    problem = sem._Problem(W0, src, dst, np.array([0, 2, 3]), S, 80, 0.7, np.full(5, 0.1),
                           np.full(5, 1 / 0.09))
    theta = np.r_[0.2 + 0.03 * np.arange(5), np.log([0.9, 0.5, 0.6])]
    _, g = problem.value(theta)
    h = 1e-6
    num = [(problem.value(theta + d, False) - problem.value(theta - d, False)) / (2 * h)
           for d in np.eye(len(theta)) * h]
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6)


def test_all_measured_flat_prior_equals_regression_calibration():
    """Cross-check (a): with every node measured the likelihood factorises into one
    regression per node; a flat prior gives least squares (estimate_weights)."""
    data = simulate(60, seed=3)
    fit = fm.calibrate_sem(prior_model(1e7), data)
    got = fit.edges.set_index(["source", "target"])
    est = fm.estimate_weights(prior_model(None), data).edges.set_index(["source", "target"])
    reg = fm.calibrate(prior_model(1e7), data).edges.set_index(["source", "target"])
    np.testing.assert_allclose(got["weight"], est.loc[got.index, "estimate"], atol=1e-6)
    np.testing.assert_allclose(got["weight"], reg.loc[got.index, "weight"], atol=1e-6)
    # Laplace SD on n, least squares on n - k - 1 degrees of freedom
    k = pd.Series(got.index.get_level_values("target")).map(
        got.index.get_level_values("target").value_counts()).to_numpy()
    np.testing.assert_allclose(got["sd"], est.loc[got.index, "se"] * np.sqrt((60 - k - 1) / 60),
                               rtol=1e-4)
    assert got["informed"].all()


def test_identified_model_without_prior_equals_semopy():
    """Cross-check (b): maximum likelihood on an identified acyclic model = semopy (MLW)."""
    semopy = pytest.importorskip("semopy")
    data = simulate(150, seed=11)
    fit = fm.calibrate_sem(prior_model(0.2), data, prior="flat")
    z = (data - data.mean()) / data.std()
    desc = "\n".join(f"{t} ~ " + " + ".join(NAMES[i] for i in np.flatnonzero(TRUE[:, j]))
                     for j, t in enumerate(NAMES) if TRUE[:, j].any())
    model = semopy.Model(desc)
    model.fit(z, obj="MLW", solver="L-BFGS-B",
              options={"ftol": 1e-14, "gtol": 1e-12, "maxiter": 10_000})
    ins = model.inspect()
    ins = ins[ins["op"] == "~"].set_index(["rval", "lval"])["Estimate"]
    got = fit.edges.set_index(["source", "target"])["weight"]
    np.testing.assert_allclose(got.to_numpy(), ins.loc[got.index].to_numpy(), atol=1e-5)


def test_latent_nodes_recover_known_weights_at_the_stated_coverage():
    """Cross-check (c): weights drawn from the prior, data simulated with them and half the
    nodes hidden: the 95% posterior intervals contain the truth about 95% of the time."""
    names = [f"n{i}" for i in range(6)]
    pattern = np.zeros((6, 6))
    for s, t in [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (3, 5), (1, 5), (2, 4)]:
        pattern[s, t] = 0.25
    base = matrix_model(pattern, names)
    base = base.with_weights(base.edges[["source", "target"]].assign(sd=0.1))
    hidden = ["n1", "n2", "n3"]
    hits, informed_hits, informed_n = [], 0, 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        truth = 0.25 + 0.1 * rng.standard_normal(len(base.edges))
        W = np.zeros((6, 6))
        W[base.positions(base.edges["source"]), base.positions(base.edges["target"])] = truth
        x = pd.DataFrame(standardised_sample(W, 400, rng), columns=names).drop(columns=hidden)
        fit = fm.calibrate_sem(base, x)
        inside = (fit.edges["low"] <= truth) & (truth <= fit.edges["high"])
        hits.append(inside.to_numpy())
        informed_hits += int(inside[fit.edges["informed"]].sum())
        informed_n += int(fit.edges["informed"].sum())
    coverage = np.mean(hits)
    assert 0.88 <= coverage <= 0.995, coverage
    assert informed_n > 40 and informed_hits / informed_n >= 0.85


def test_edges_the_data_cannot_inform_keep_their_prior_and_say_so():
    toy = fm.load_model("toy")
    rng = np.random.default_rng(0)
    data = pd.DataFrame(standardised_sample(toy.weight_array, 300, rng),
                        columns=list(toy.node_ids))[["armoede", "schoolverzuim", "vsv"]]
    fit = fm.calibrate_sem(toy, data)
    t = fit.edges
    assert t["informed"].any() and (~t["informed"]).any()
    lone = t[~t["informed"]]
    np.testing.assert_array_less(0.95 * lone["prior_sd"] - 1e-12, lone["sd"])
    assert (lone["status"] == "not informed by the data").all()
    table = fm.calibration_table(fit.model)
    assert set(table["status"]) == {"calibrated", "not informed by the data"}
    assert table.loc[~t["informed"].to_numpy(), "reason"].str.contains("not informed").all()
    assert "not informed" in fit.summary() or "keep" in fit.summary()
    rec = json.loads(fit.model.metadata.extra["calibration"])
    assert rec["method"] == "sem" and rec["measured"] == list(fit.measured)
    assert fit.model.metadata.extra["weights_kind"] == "area-level (calibrated)"
    d = fit.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["model"] == fit.model.name and len(d["edges"]) == len(t)


def test_loop_model_converges():
    """Cross-check (d): a feedback loop (spectral radius < 1) is fitted, and reproduces the
    covariance it was simulated from."""
    names = ["a", "b", "c", "d"]
    W = np.zeros((4, 4))
    W[0, 1], W[1, 2], W[2, 1], W[2, 3] = 0.4, 0.3, 0.25, 0.5
    m = matrix_model(np.where(W != 0, 0.2, 0.0), names)
    m = m.with_weights(m.edges[["source", "target"]].assign(sd=0.3))
    x = pd.DataFrame(standardised_sample(W, 5000, np.random.default_rng(3)), columns=names)
    fit = fm.calibrate_sem(m, x)
    got = fit.edges.set_index(["source", "target"])["weight"]
    for (s, t), w in got.items():
        assert w == pytest.approx(W[names.index(s), names.index(t)], abs=0.06)
    assert fit.srmr < 0.02
    assert max(abs(np.linalg.eigvals(fit.model.weight_array))) < 1


def test_calibrate_method_sem_runs_where_regression_cannot():
    m = fm.load_model("rotterdam-jeugd")
    nodes = pd.DataFrame(standardised_sample(m.weight_array, 120, np.random.default_rng(1)),
                         columns=list(m.node_ids))[["armoede", "werkloosheid_ouders",
                                                    "laag_opleidingsniveau_ouders", "vsv",
                                                    "jeugdcriminaliteit"]]
    with pytest.raises(fm.DataError, match="method='sem'"):
        fm.calibrate(m, nodes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fm.ModelWarning)
        cal = fm.calibrate(m, nodes, method="sem")
    t = fm.calibration_table(cal)
    assert (t["status"] == "calibrated").sum() >= 1
    with pytest.raises(fm.InvalidParameterError, match="method"):
        fm.calibrate(m, nodes, method="ols")


# ------------------------------------------------------------------ bad input


def test_too_few_areas_for_the_indicators():
    data = simulate(4, seed=1)
    with pytest.raises(fm.errors.TooFewAreasError, match="4 areas for 4 measured"):
        fm.calibrate_sem(prior_model(0.3), data)


def test_too_few_areas_for_the_free_weights_without_prior():
    data = simulate(8, seed=1)
    with pytest.raises(fm.errors.TooFewAreasError, match="free parameters"):
        fm.calibrate_sem(prior_model(0.3), data, prior="flat")


def test_few_areas_with_prior_warn_that_the_prior_carries_the_result():
    m = fm.load_model("rotterdam-jeugd")
    x = pd.DataFrame(standardised_sample(m.weight_array, 12, np.random.default_rng(2)),
                     columns=list(m.node_ids)).iloc[:, :8]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fm.ModelWarning)
        with pytest.warns(fm.errors.DataWarning, match="prior carries"):
            fm.calibrate_sem(m, x)


def test_collinear_indicators_are_named():
    data = simulate(50, seed=2)
    data["d"] = 2 * data["a"] - data["b"]
    with pytest.raises(fm.errors.CollinearIndicatorsError, match="collinear") as exc:
        fm.calibrate_sem(prior_model(0.3), data)
    assert "drop one" in str(exc.value)
    assert isinstance(exc.value, fm.errors.CovarianceNotPositiveDefiniteError)


def test_covariance_not_positive_definite(monkeypatch):
    bad = np.array([[1.0, 0.9, 0.9, 0.0], [0.9, 1.0, -0.9, 0], [0.9, -0.9, 1.0, 0],
                    [0, 0, 0, 1.0]])
    monkeypatch.setattr(sem, "_standardised_covariance", lambda rows: (bad, len(rows)))
    with pytest.raises(fm.errors.CovarianceNotPositiveDefiniteError,
                       match=r"not positive definite.*Remedy"):
        fm.calibrate_sem(prior_model(0.3), simulate(50, seed=2))


def test_missing_values_use_the_em_covariance():
    """Indicators missing in some areas: the EM covariance (missing at random), not pairwise."""
    rng = np.random.default_rng(4)
    data = simulate(3000, seed=4)
    holes = data.copy()
    holes.loc[rng.random(3000) < 0.3, "b"] = np.nan
    S, n = sem._standardised_covariance(holes)
    full = np.corrcoef(data.to_numpy().T)
    assert n == 3000 and np.abs(S - full).max() < 0.04
    assert np.linalg.eigvalsh(S).min() > 0


def test_indicators_never_measured_together():
    data = simulate(40, seed=2)
    data.loc[:19, "a"] = np.nan
    data.loc[19:, "b"] = np.nan
    with pytest.raises(fm.DataError, match="'a' and 'b'"):
        fm.calibrate_sem(prior_model(0.3), data)


def test_constant_indicator_and_unconnected_data():
    data = simulate(40, seed=2).assign(c=1.0)
    with pytest.raises(fm.DataError, match=r"without variation.*c"):
        fm.calibrate_sem(prior_model(0.3), data)
    two = pd.DataFrame({"armoede": np.arange(10.0), "geweld": np.arange(10.0) % 3})
    m = fm.load_model("rotterdam-jeugd")
    with pytest.raises(fm.DataError, match="two measured nodes that the model connects"):
        fm.calibrate_sem(m, two[["armoede"]])


def test_non_convergence_is_an_error_with_a_remedy():
    with pytest.raises(fm.errors.CalibrationConvergenceError, match=r"did not converge.*max_iter"):
        fm.calibrate_sem(prior_model(0.3), simulate(200, seed=2), max_iter=1)


def test_bad_parameters():
    with pytest.raises(fm.InvalidParameterError, match="prior"):
        fm.calibrate_sem(prior_model(0.3), simulate(50, seed=2), prior="none")
    with pytest.raises(fm.InvalidParameterError, match="strength"):
        fm.calibrate_sem(prior_model(0.3), simulate(50, seed=2), strength=-1)


# ------------------------------------------------------------------ unit of analysis


def _calibrated_toy() -> fm.FactorModel:
    toy = fm.load_model("toy")
    x = pd.DataFrame(standardised_sample(toy.weight_array, 300, np.random.default_rng(0)),
                     columns=list(toy.node_ids))[["armoede", "schoolverzuim", "vsv"]]
    return fm.calibrate(toy, x, method="sem")


def test_weights_kind_is_in_the_metadata_and_survives_a_round_trip(tmp_path):
    toy, cal = fm.load_model("toy"), _calibrated_toy()
    assert toy.weights_kind == fm_model.INDIVIDUAL_LEVEL
    assert cal.weights_kind == fm_model.AREA_LEVEL
    reg = fm.calibrate(prior_model(0.3), simulate(80, seed=1))
    assert reg.weights_kind == fm_model.AREA_LEVEL
    fm.write_model(cal, tmp_path / "cal")
    assert fm.read_model(tmp_path / "cal").weights_kind == fm_model.AREA_LEVEL


def test_comparing_a_calibrated_with_a_literature_model_needs_an_explicit_flag():
    toy, cal = fm.load_model("toy"), _calibrated_toy()
    with pytest.raises(fm.InvalidParameterError, match="mixed_kinds=True"):
        fm.compare(toy, cal)
    c = fm.compare(toy, cal, mixed_kinds=True)
    assert len(c.edges) > 0
    fm.compare(cal, cal.with_weights({("schoolverzuim", "vsv"): 0.1}))  # same kind: fine


def test_analysis_report_and_validation_say_which_weights_are_used():
    m = fm.load_model("rotterdam-jeugd")
    data = fm.load_example_data("rotterdam")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = fm.calibrate(m, data, years=2023, method="sem")
    area = "Bloemhof"
    for model, kind_en, kind_nl in [(m, "individual-level (literature)", "individueel niveau"),
                                    (cal, "area-level (calibrated)", "gebiedsniveau")]:
        a = fm.analyse(model, data, area, "vsv", options=fm.Options(n_draws=50))
        assert a.to_dict()["model"]["weights_kind"] == kind_en
        assert kind_nl in a.summary("nl") and kind_en in a.summary("en")
        v = fm.validate(model, data, outcomes="vsv", folds=3)
        assert v.weights_kind == kind_en and v.to_dict()["weights_kind"] == kind_en


def test_wijkrapport_says_which_weights_are_used():
    m = fm.load_model("rotterdam-jeugd")
    data = fm.load_example_data("rotterdam")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = fm.calibrate(m, data, years=2023, method="sem")
        lit = fm.report(m, data, "Bloemhof", "vsv", n_draws=50)
        area = fm.report(cal, data, "Bloemhof", "vsv", n_draws=50)
        area_en = fm.report(cal, data, "Bloemhof", "vsv", n_draws=50, lang="en")
    assert "Gewichten: individueel niveau (uit de literatuur)" in lit
    assert "Gewichten: gebiedsniveau (gekalibreerd op gebieden)" in area
    assert "niet wat een interventie voor een kind doet" in area
    assert "Weights: area-level (calibrated)" in area_en
