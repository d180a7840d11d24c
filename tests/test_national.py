"""National scale in one call (issue 16, item 2): the array-based profile against a plain
pandas implementation of its formula, and the city-wide explanations against the
per-area ones, word for word, in Dutch and English. Speed is measured in
benchmarks/national.py, not here."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import factormodel as fm

GOALS = {"vsv": 1.0, "jeugdcriminaliteit": 0.5, "psychische_problemen": 0.25}


@pytest.fixture(scope="module")
def model():
    return fm.load_model("rotterdam-jeugd")


@pytest.fixture(scope="module")
def catalogue(model):
    return fm.load_indicators(model)


def _synthetic_long(catalogue: pd.DataFrame, *, areas: int = 60, years=(2022, 2023),
                    levels=("buurt", "wijk"), population: bool = True,
                    seed: int = 0) -> pd.DataFrame:
    """SYNTHETIC area data in canonical long form: each area measures a random subset of
    the catalogue, some values missing, populations constant per area."""
    rng = np.random.default_rng(seed)
    inds = np.asarray(catalogue.index)
    typical = catalogue["typical"].fillna(10.0).to_numpy(dtype=float)
    scale = catalogue["scale"].to_numpy(dtype=float)
    top = catalogue["measure"].map({"share": 99.9, "rate": 999.0}).fillna(np.inf).to_numpy()
    frames = []
    for level in levels:
        for year in years:
            for a in range(areas):
                pick = rng.choice(len(inds), 45, replace=False)
                value = typical[pick] + scale[pick] * rng.normal(size=len(pick))
                value = np.clip(value, 1.5, top[pick])  # shares and rates stay inside
                value[rng.random(len(pick)) < 0.1] = np.nan
                frames.append(pd.DataFrame({
                    "area": f"{level}-{a}", "level": level, "year": year,
                    "indicator": inds[pick], "value": value,
                    "population": float(100 + 37 * a) if population else np.nan,
                    "flag": "", "status": "synthetic"}))
    return pd.concat(frames, ignore_index=True)


def _reference_profile(model, catalogue, data, *, level, year) -> pd.DataFrame:
    """The profile formula in plain pandas, row by row through groupby (no codes, no
    bincount): z = direction (Φ⁻¹(value) - Φ⁻¹(city mean)) for shares and rates, or
    direction (value - city mean) / sd_individual for scores, then per (area, node) the
    catalogue-weighted mean of the measured z."""
    now = data[(data["level"] == level) & (data["year"] == year)].copy()
    have = now["value"].notna()
    if now["population"].notna().any():
        w = now["population"].where(have, 0.0)
        mean = (now["value"].fillna(0) * w).groupby(now["indicator"]).sum() \
            / w.groupby(now["indicator"]).sum()
    else:
        mean = now[have].groupby("indicator")["value"].mean()
    info = catalogue.loc[now["indicator"]]
    direction = info["direction"].to_numpy()
    value, ref = now["value"].to_numpy(), now["indicator"].map(mean).to_numpy()
    per = info["measure"].map({"share": 100.0, "rate": 1000.0}).to_numpy()
    probit = norm.ppf(value / per) - norm.ppf(ref / per)  # the liability link (scipy)
    linear = (value - ref) / info["sd_individual"].to_numpy()
    z = direction * np.where(np.isfinite(per), probit, linear)
    z[direction == 0] = np.nan
    now = now.assign(node=info["node"].to_numpy(), z=z, w=info["weight"].to_numpy())
    now = now[now["z"].notna()]
    delta = (now["z"] * now["w"]).groupby([now["area"], now["node"]]).sum() \
        / now["w"].groupby([now["area"], now["node"]]).sum()
    areas = pd.unique(data.loc[(data["level"] == level) & (data["year"] == year), "area"])
    return delta.unstack("node").reindex(index=areas, columns=list(model.node_ids))


@pytest.mark.parametrize("population", [True, False])
@pytest.mark.parametrize("order", ["as given", "shuffled", "by indicator", "by area"])
def test_profile_equals_a_plain_pandas_profile(model, catalogue, population, order):
    data = _synthetic_long(catalogue, population=population)
    if order == "shuffled":
        data = data.sample(frac=1, random_state=1).reset_index(drop=True)
    elif order == "by indicator":  # long runs: the run-start path of the coding
        data = data.sort_values(["indicator", "year"], kind="stable").reset_index(drop=True)
    elif order == "by area":  # areas in runs too
        data = data.sort_values(["area", "year"], kind="stable").reset_index(drop=True)
    for level, year in (("buurt", 2023), ("wijk", 2022)):
        got = fm.profile(model, data, level=level, year=year)
        want = _reference_profile(model, catalogue, data, level=level, year=year)
        pd.testing.assert_frame_equal(got.deltas, want, check_names=False, rtol=1e-12,
                                      atol=1e-12)
        assert list(got.deltas.index) == list(want.index)
        assert got.synthetic and got.status == "synthetic"
        no_direction = set(catalogue.index[catalogue["direction"] == 0])
        assert {"veilig_thuis_meldingen", "jeugdhulp_gebruik", "vve_bereik"} <= no_direction
        assert got.left_out == tuple(sorted(no_direction & set(data["indicator"])))
        pop = data[(data["level"] == level) & (data["year"] == year)] \
            .groupby("area", sort=False)["population"].first()
        pd.testing.assert_series_equal(got.population, pop.reindex(got.deltas.index),
                                       check_names=False)


@pytest.mark.parametrize("dtype", ["category", "string", "object"])
def test_profile_of_text_columns_in_other_dtypes(model, catalogue, dtype):
    """Categorical, nullable-string (pd.NA) and object text columns give the same profile
    as pandas' default str columns, in runs or not (rows in another order: areas in another
    order, sums in another order)."""
    data = _synthetic_long(catalogue, areas=30, levels=("wijk",), years=(2023,))
    want = fm.profile(model, data)
    for frame in (data, data.sort_values("indicator", kind="stable")):
        other = frame.astype(dict.fromkeys(("area", "indicator", "level", "status"), dtype))
        got = fm.profile(model, other)
        assert sorted(got.deltas.index) == sorted(want.deltas.index)
        if frame is data:  # areas in the order they first appear, whatever the dtype
            assert list(got.deltas.index) == list(want.deltas.index)
        np.testing.assert_allclose(got.deltas.loc[list(want.deltas.index)].to_numpy(),
                                   want.deltas.to_numpy(), rtol=1e-12, atol=1e-12)
        assert (got.left_out, got.status, got.synthetic) == (want.left_out, want.status, True)


def test_profile_reference_values_and_missing_population(model, catalogue):
    data = _synthetic_long(catalogue, levels=("wijk",), years=(2023,))
    p = fm.profile(model, data)
    measured = data[data["value"].notna()]
    by_hand = (measured["value"] * measured["population"]).groupby(measured["indicator"]) \
        .sum() / measured["population"].groupby(measured["indicator"]).sum()
    np.testing.assert_allclose(p.reference_values.to_numpy(),
                               by_hand.reindex(p.reference_values.index).to_numpy(),
                               rtol=1e-12)
    assert list(p.reference_values.index) == sorted(set(data["indicator"]))
    data.loc[data["area"].isin(["wijk-3", "wijk-5"]), "population"] = np.nan
    with pytest.raises(fm.DataError, match=r"missing for: wijk-3, wijk-5$"):
        fm.profile(model, data)


def _profile_for_explanations(model, catalogue) -> fm.Profile:
    data = _synthetic_long(catalogue, areas=40, levels=("wijk",), years=(2023,), seed=5)
    return fm.profile(model, data)


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("as_frame", [False, True])
def test_citywide_explanations_equal_the_per_area_ones(model, catalogue, lang, as_frame):
    prof = _profile_for_explanations(model, catalogue)
    given = prof.deltas if as_frame else prof  # a bare frame: "the reference"
    rec = fm.recommend(model, given, GOALS, explain=True)
    assert {"delta", "explanation_nl", "explanation_en"} <= set(rec.columns)
    plain = fm.recommend(model, given, GOALS)
    pd.testing.assert_frame_equal(rec[plain.columns], plain)  # the ranking is unchanged
    checked = 0
    for area in [*prof.deltas.index[:6], prof.deltas.index[-1]]:
        one = fm.recommend(model, given, GOALS, area=area)
        ranked = one[one["rank"].notna()].reset_index(drop=True)
        mine = rec[rec["area"] == area].reset_index(drop=True)
        assert list(mine["factor"]) == list(ranked["factor"])
        np.testing.assert_array_equal(mine["delta"].to_numpy(), ranked["delta"].to_numpy())
        assert list(mine[f"explanation_{lang}"]) == list(ranked[f"explanation_{lang}"])
        checked += len(mine)
    assert checked >= 20
    # no city row in the data: the reference is the mean of its 40 areas, named as such
    reference = ("het naar bevolking gewogen gemiddelde van 40 gebieden in de data"
                 if lang == "nl" else "the population-weighted mean of 40 areas in the data")
    assert prof.reference_name(lang) == reference
    assert rec[f"explanation_{lang}"].str.contains(reference, regex=False).all() != as_frame


def test_citywide_explanations_name_every_goal_that_dominates(model, catalogue):
    """Rows whose largest effect is on different goals, both signs of delta and effect,
    and indicator units: the per-goal parts are picked per row, not broadcast."""
    prof = _profile_for_explanations(model, catalogue)
    rec = fm.recommend(model, prof, GOALS, explain=True, top=8)
    labels = model.nodes.loc[list(GOALS), "label_en"]
    named = {o for o, lab in labels.items() for verb in ("raises", "lowers")
             if rec["explanation_en"].str.contains(f" {verb} {lab} by", regex=False).any()}
    assert len(named) >= 2
    assert rec["explanation_en"].str.contains(" above ").any()
    assert rec["explanation_en"].str.contains(" below ").any()
    for area in rec["area"].unique()[:4]:
        one = fm.recommend(model, prof, GOALS, area=area, top=8)
        ranked = one[one["rank"].notna()]
        assert list(rec.loc[rec["area"] == area, "explanation_nl"]) \
            == list(ranked["explanation_nl"])


def test_citywide_explanations_for_a_factor_goal_and_goals_without_paths(model, catalogue):
    """A goal that is itself a modifiable factor ("It is itself a chosen goal") and a goal
    some factors have no path to ("no effect ... no path in the model")."""
    prof = _profile_for_explanations(model, catalogue)
    goals = {"schoolverzuim": 1.0, "overgewicht": 0.5, "vsv": 0.5}
    rec = fm.recommend(model, prof, goals, explain=True, top=10)
    assert rec["explanation_en"].str.contains("It is itself a chosen goal", regex=False).any()
    assert rec["explanation_nl"].str.contains("geen pad in het model", regex=False).any()
    for area in rec["area"].unique()[:5]:
        one = fm.recommend(model, prof, goals, area=area, top=10)
        ranked = one[one["rank"].notna()]
        for lang in ("nl", "en"):
            assert list(rec.loc[rec["area"] == area, f"explanation_{lang}"]) \
                == list(ranked[f"explanation_{lang}"])


def test_explain_in_citywide_mode_with_an_area_without_room(model):
    """An area at or better than the reference everywhere has no ranked rows; the others
    keep theirs and the columns exist."""
    factors = list(model.factors)
    sign = model.desired_sign.loc[factors].to_numpy(dtype=float)
    deltas = pd.DataFrame([0.5 * sign, -0.7 * sign], index=["good", "bad"], columns=factors)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = fm.recommend(model, deltas, GOALS, explain=True)
    assert set(rec["area"]) == {"bad"}
    one = fm.recommend(model, deltas, GOALS, area="bad")
    assert list(rec["explanation_en"]) == list(one.loc[one["rank"].notna(), "explanation_en"])
    none = fm.recommend(model, deltas.loc[["good", "good"]].set_axis(["g1", "g2"]), GOALS,
                        explain=True)
    assert none.empty and {"explanation_nl", "explanation_en"} <= set(none.columns)


def test_a_wide_table_normalises_like_its_long_form(model):
    """The wide path parses area, year and population once per wide row and repeats the
    results per indicator column: the same canonical rows as the long table gives, and
    the same checks (a repeated buurt, differing populations)."""
    from factormodel.files.areas import normalize_area_data

    catalogue = fm.load_indicators(model)
    rng = np.random.default_rng(2)
    wide = pd.DataFrame(rng.normal(10, 2, (50, len(catalogue))).round(3),
                        columns=list(catalogue.index))
    wide.iloc[::7, 5:15] = np.nan  # SYNTHETIC values, some unmeasured
    wide.insert(0, "code", [f"BU{i:08d}" for i in range(50)])
    wide.insert(1, "year", 2023)
    wide.insert(2, "population", rng.integers(50, 5000, 50))
    got = normalize_area_data(wide)
    long = wide.melt(id_vars=["code", "year", "population"], var_name="indicator")
    want = normalize_area_data(long)
    pd.testing.assert_frame_equal(got, want)
    assert set(got["level"]) == {"buurt"} and got["value"].isna().any()
    twice = pd.concat([wide, wide.iloc[[7]]], ignore_index=True)
    with pytest.raises(fm.DataError, match="144 rows share an area, year and indicator"):
        normalize_area_data(twice)
    twice.loc[50, "population"] += 1
    with pytest.raises(fm.DataError, match="rows share an area"):
        normalize_area_data(twice)
    differ = wide.copy()
    differ.loc[3, "population"] = 10
    long = differ.melt(id_vars=["code", "year", "population"], var_name="indicator")
    long.loc[long.index[3], "population"] = 11  # one row of buurt 3 disagrees
    with pytest.raises(fm.DataError, match=r"population differs .* BU00000003 2023"):
        normalize_area_data(long)
