"""Budgeted portfolios: optimum equals brute force, constraints, errors, catalogue checks."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import factormodel as fm
from factormodel.analysis.portfolio import DEFAULT_EFFECT, DEFAULT_EFFECT_SD, build_interventions
from factormodel.tables._tables import TableSource
from factormodel.text import _lang as fm_lang

TARGETS = ["opvoedklimaat", "schoolverzuim", "schoolprestaties"]
PHASES = ["0-4", "4-12", "12-18"]


def random_catalogue(toy, rng, k):
    rows = []
    for i in range(k):
        shared = {"intervention": f"i{i}", "name": f"I{i}", "recognition": "goed onderbouwd",
                  "phases": PHASES[i % 3], "setting": ["school", "thuis"][i % 2], "unit": "unit",
                  "cost_per_unit": float(rng.integers(1, 10)) * 100,
                  "reach_per_unit": float(rng.integers(10, 60)),
                  "max_units": float(rng.integers(1, 4)), "source": "test"}
        for f in rng.choice(TARGETS, size=rng.integers(1, 3), replace=False):
            rows.append({**shared, "target": f,
                         "effect": round(float(rng.uniform(0.05, 0.5)), 3)})
    return build_interventions(pd.DataFrame(rows), toy, TableSource("catalogue"))


def brute_force(toy, catalogue, profile, budget, population, outcomes, *, one_per_factor=False,
                required_phases=(), cap_at_room=False):
    gains = fm.factor_gains(toy, outcomes)["gain"]
    info = catalogue.drop_duplicates("intervention").set_index("intervention")
    ids = info.index.tolist()
    cover = np.minimum(1, info["reach_per_unit"] / population)
    upper = np.minimum(info["max_units"], np.maximum(1, np.ceil(population
                                                               / info["reach_per_unit"])))
    per_unit = {i: {} for i in ids}
    for r in catalogue.itertuples():
        per_unit[r.intervention][r.target] = r.effect * cover[r.intervention]
    sign = toy.desired_sign
    best = -np.inf
    for units in itertools.product(*[range(int(u) + 1) for u in upper]):
        n = dict(zip(ids, units, strict=True))
        if sum(n[i] * info.loc[i, "cost_per_unit"] for i in ids) > budget + 1e-9:
            continue
        chosen = [i for i in ids if n[i] > 0]
        if one_per_factor:
            counts = [sum(f in per_unit[i] for i in chosen) for f in TARGETS]
            if max(counts) > 1:
                continue
        if any(not any(p in info.loc[i, "phases"] for i in chosen) for p in required_phases):
            continue
        improvement = {f: sum(n[i] * per_unit[i].get(f, 0) for i in ids) for f in TARGETS}
        if cap_at_room:
            room = {f: max(0.0, -sign[f] * profile.get(f, np.nan)) for f in TARGETS}
            if any(not np.isnan(room[f]) and improvement[f] > room[f] + 1e-9 for f in TARGETS):
                continue
        best = max(best, sum(gains[f] * improvement[f] for f in TARGETS))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_optimum_equals_brute_force(toy, seed):
    rng = np.random.default_rng(seed)
    catalogue = random_catalogue(toy, rng, k=int(rng.integers(3, 6)))
    profile = pd.Series({"opvoedklimaat": -0.3, "schoolverzuim": 0.2, "schoolprestaties": -0.1})
    options = [{}, {"one_per_factor": True}, {"required_phases": ["0-4"]},
               {"cap_at_room": True}][seed % 4]
    budget = float(rng.integers(5, 25)) * 100
    outcomes = {"vsv": 1.0, "schoolsucces": float(rng.uniform(0.2, 2))}
    expected = brute_force(toy, catalogue, profile, budget, 100.0, outcomes, **options)
    if not np.isfinite(expected):
        with pytest.raises(fm.DataError):
            fm.optimize_portfolio(toy, profile, catalogue, budget=budget, outcomes=outcomes,
                                  population=100.0, area="A", **options)
        return
    p = fm.optimize_portfolio(toy, profile, catalogue, budget=budget, outcomes=outcomes,
                              population=100.0, area="A", **options)
    assert p.improvement == pytest.approx(expected, abs=1e-7)
    assert p.total_cost <= budget
    assert set(p.chosen["intervention"]).isdisjoint(p.left_out["intervention"])
    assert len(p.chosen) + len(p.left_out) == catalogue["intervention"].nunique()


def test_portfolio_predicts_outcomes_in_units(rotterdam):
    data = fm.load_example_data("rotterdam")
    prof = fm.profile(rotterdam, data, level="wijk")
    cat = fm.load_interventions(rotterdam)
    p = fm.optimize_portfolio(rotterdam, prof, cat, budget=100_000, outcomes={"vsv": 1},
                              population=4000, area="Tarwewijk")
    assert 0 < p.total_cost <= 100_000 and p.improvement > 0
    T = fm.total_effects(rotterdam, targets=["vsv"])["vsv"]
    assert p.outcome_changes["vsv"] == pytest.approx(
        float((p.factor_changes * T.loc[p.factor_changes.index]).sum()))
    assert p.outcome_changes["vsv"] < 0  # less VSV
    vsv_units = p.outcome_units.set_index("indicator").loc["vsv_nieuw"]
    # a change from where Tarwewijk is now: at its own VSV level, through the probit
    own = prof.values.loc["Tarwewijk", "vsv_nieuw"] / 100
    assert vsv_units["level"] == pytest.approx(100 * own)
    assert vsv_units["level_source"] == "area"
    assert vsv_units["change"] == pytest.approx(
        100 * (norm.cdf(norm.ppf(own) + p.outcome_changes["vsv"]) - own))
    assert p.left_out["reason"].str.len().min() > 10
    assert set(p.to_frame()["chosen"]) == {True, False}


def test_left_out_reasons(toy):
    shared = {"recognition": "goed onderbouwd", "phases": "4-12", "setting": "school",
              "unit": "u", "reach_per_unit": 100, "max_units": 1, "source": "test"}
    rows = [{**shared, "intervention": i, "name": i.upper(), "target": t, "effect": e,
             "cost_per_unit": c}
            for i, t, e, c in [("good", "schoolverzuim", 0.4, 100),
                               ("same", "schoolverzuim", 0.1, 50),
                               ("pricey", "opvoedklimaat", 0.4, 10_000),
                               ("useless", "schoolprestaties", 0.0, 10)]]
    cat = build_interventions(pd.DataFrame(rows), toy, TableSource("c"))
    p = fm.optimize_portfolio(toy, pd.Series({"schoolverzuim": 1.0}), cat, budget=200,
                              outcomes=["vsv"], population=100, area="A", one_per_factor=True)
    reasons = p.left_out.set_index("intervention")["reason"]
    assert p.chosen["intervention"].tolist() == ["good"]
    assert reasons["same"] == ("its target factor schoolverzuim is already served by GOOD "
                               "(one intervention per factor)")
    assert reasons["pricey"].startswith("does not fit the remaining budget (100 left")
    assert reasons["useless"] == "does not improve the chosen outcomes"
    from factormodel.text import _lang

    assert _lang.reason(reasons["same"], "nl", toy.nodes["label_nl"].to_dict()) == (
        "een gekozen interventie (GOOD) richt zich al op "
        f"{toy.nodes.loc['schoolverzuim', 'label_nl']} (één interventie per factor)")


def test_the_goals_age_group_limits_the_interventions(toy):
    shared = {"recognition": "goed onderbouwd", "setting": "school", "unit": "u",
              "reach_per_unit": 100, "max_units": 1, "source": "test", "target": "schoolverzuim"}
    rows = [{**shared, "intervention": i, "name": i.upper(), "phases": ph, "effect": e,
             "cost_per_unit": 100}
            for i, ph, e in [("toddlers", "0-4", 0.5), ("teens", "12-18", 0.2),
                             ("both", "4-12;12-18", 0.1)]]
    cat = build_interventions(pd.DataFrame(rows), toy, TableSource("c"))
    goal = fm.parse_goal("vsv:-0.5sd:3j:12-18")
    free = fm.optimize_portfolio(toy, pd.Series({"schoolverzuim": 1.0}), cat, budget=100,
                                 outcomes=[goal], population=100, area="A")
    assert free.chosen["intervention"].tolist() == ["toddlers"]  # largest effect, wrong age
    teens = fm.optimize_portfolio(toy, pd.Series({"schoolverzuim": 1.0}), cat, budget=300,
                                  outcomes=[goal], population=100, area="A",
                                  phases=goal.phases())
    assert sorted(teens.chosen["intervention"]) == ["both", "teens"]
    reasons = teens.left_out.set_index("intervention")["reason"]
    assert reasons["toddlers"] == "does not serve the goals' age group (12-18)"
    assert teens.constraints["phases"] == ["12-18"]
    with pytest.raises(fm.InvalidParameterError, match="unknown required phase"):
        fm.optimize_portfolio(toy, pd.Series({"schoolverzuim": 1.0}), cat, budget=300,
                              outcomes=[goal], population=100, area="A", phases=["teens"])


def test_infeasible_constraints_are_named(toy):
    cat = random_catalogue(toy, np.random.default_rng(1), 3)
    prof = pd.Series({"schoolverzuim": 1.0})
    with pytest.raises(fm.DataError, match="required phase '18-23' cannot be met: no "
                                           "intervention in the catalogue serves it"):
        fm.optimize_portfolio(toy, prof, cat, budget=1e6, outcomes=["vsv"], population=100,
                              area="A", required_phases=["18-23"])
    with pytest.raises(fm.DataError, match="within the budget of 50: the cheapest"):
        fm.optimize_portfolio(toy, prof, cat, budget=50, outcomes=["vsv"], population=100,
                              area="A", required_phases=["0-4"])
    with pytest.raises(fm.InvalidParameterError, match="unknown required phase"):
        fm.optimize_portfolio(toy, prof, cat, budget=100, outcomes=["vsv"], population=100,
                              area="A", required_phases=["teen"])
    with pytest.raises(fm.InvalidParameterError, match="budget must be a number >= 0"):
        fm.optimize_portfolio(toy, prof, cat, budget=-1, outcomes=["vsv"], population=100,
                              area="A")
    with pytest.raises(fm.InvalidParameterError, match="population must be above 0"):
        fm.optimize_portfolio(toy, prof, cat, budget=1, outcomes=["vsv"], population=0,
                              area="A")


def test_combined_requirements_over_budget(toy):
    rows = [{"intervention": i, "name": i, "target": "schoolverzuim", "effect": 0.2,
                 "recognition": "goed onderbouwd", "phases": ph, "setting": "school", "unit": "u",
                 "cost_per_unit": 300, "reach_per_unit": 100, "max_units": 1, "source": "t"}
            for i, ph in [("a", "0-4"), ("b", "12-18")]]
    cat = build_interventions(pd.DataFrame(rows), toy, TableSource("c"))
    with pytest.raises(fm.DataError, match="cannot all be met within the budget of 500"):
        fm.optimize_portfolio(toy, pd.Series({"schoolverzuim": 1.0}), cat, budget=500,
                              outcomes=["vsv"], population=100, area="A",
                              required_phases=["0-4", "12-18"])


def test_catalogue_validation(toy):
    rows = pd.DataFrame([
        {"intervention": "x", "name": "X", "target": "armoede", "effect": "",
         "recognition": "goed", "phases": "4-12", "setting": "school", "unit": "u",
         "cost_per_unit": -1, "reach_per_unit": 0, "max_units": 1.5, "source": "s"},
        {"intervention": "x", "name": "Y", "target": "vsv", "effect": "a",
         "recognition": "goed onderbouwd", "phases": "teen", "setting": "straat", "unit": "u",
         "cost_per_unit": 1, "reach_per_unit": 1, "max_units": 1, "source": ""},
    ])
    with pytest.raises(fm.ModelValidationError) as e:
        build_interventions(rows, toy, TableSource("interventions", "csv", "int.csv"))
    text = str(e.value)
    for fragment in ("'armoede' is not modifiable", "unknown recognition level 'goed'",
                     "cost_per_unit must be a number of at least 0",
                     "reach_per_unit must be a number above 0", "max_units must be a whole",
                     "'vsv' is an outcome", "expected a number, got 'a'", "unknown phase 'teen'",
                     "unknown setting 'straat'", "missing source", "name of 'x' differs from"):
        assert fragment in text, fragment


def test_bundled_intervention_catalogue(rotterdam):
    cat = fm.load_interventions(rotterdam)
    assert cat["intervention"].nunique() >= 15
    assert cat["source"].str.contains("http").all()
    defaults = cat[cat["effect_is_default"]]
    # evidence is not effect: the default does not depend on the recognition level
    assert (defaults["effect"] == DEFAULT_EFFECT).all()
    assert defaults["effect_low"].tolist() == pytest.approx(
        [DEFAULT_EFFECT - 1.96 * DEFAULT_EFFECT_SD] * len(defaults))
    assert defaults["effect_basis"].str.contains("stated default").all()
    assert not cat["effect_basis"].str.contains("conservative").any()
    levels = cat.drop_duplicates("intervention").set_index("intervention")
    assert levels.loc["kanjertraining", "recognition"] == "effectief - sterke aanwijzingen"
    assert levels.loc["home_start", "recognition"] == "effectief - goede aanwijzingen"
    assert "herbeoordeling" in levels.loc["pad", "recognition_note"]
    assert "groep 1-8" in levels.loc["pad", "unit"]
    assert levels.loc["alles_kidzzz", "reach_per_unit"] == 1
    assert "individuele" in levels.loc["alles_kidzzz", "unit"]
    assert cat["cost_basis"].str.contains("assumption").all()
    assert {"pad", "taakspel", "rots_en_water", "alles_kidzzz", "triple_p_4", "stevig_ouderschap",
            "voorzorg", "samenstarten"} <= set(cat["intervention"])


def test_published_effect_keeps_interval_and_default_is_flagged(toy):
    base = {"name": "X", "recognition": "effectief - sterke aanwijzingen", "phases": "4-12",
            "setting": "school", "unit": "klas", "cost_per_unit": 100.0,
            "reach_per_unit": 25.0, "max_units": 2.0, "source": "test"}
    rows = pd.DataFrame([
        {**base, "intervention": "pub", "target": "schoolverzuim", "effect": "0.3",
         "effect_low": "0.1", "effect_high": "0.5", "effect_source": "Some (2020) Table 3"},
        {**base, "intervention": "dflt", "name": "Y", "target": "opvoedklimaat", "effect": "",
         "effect_low": "", "effect_high": "", "effect_source": ""}])
    cat = build_interventions(rows, toy, TableSource("c")).set_index("intervention")
    assert not cat.loc["pub", "effect_is_default"] and cat.loc["pub", "effect"] == 0.3
    assert (cat.loc["pub", "effect_low"], cat.loc["pub", "effect_high"]) == (0.1, 0.5)
    assert cat.loc["pub", "effect_source"] == "Some (2020) Table 3"
    assert cat.loc["dflt", "effect_is_default"] and cat.loc["dflt", "effect"] == DEFAULT_EFFECT
    # same recognition level, different effect: the level is not turned into an effect size
    prof = pd.Series({"schoolverzuim": 1.0, "opvoedklimaat": -1.0})
    p = fm.optimize_portfolio(toy, prof, cat.reset_index(), budget=400, outcomes={"vsv": 1},
                              population=50, area="A")
    flags = p.chosen.set_index("intervention")["effect_is_default"].to_dict()
    assert flags == {"pub": False, "dflt": True}
    # no evidence columns: the given effect is not claimed to be published
    assert p.chosen.set_index("intervention")["effect_evidence"].to_dict() == {
        "pub": "given, source not recorded", "dflt": "stated default"}


EVIDENCE = {"effect_status": "published", "design": "RCT", "comparison": "care as usual",
            "study_setting": "routine practice", "population": "indicated",
            "reach_counts": "selected children", "country": "NL", "follow_up": "1 year",
            "outcome_measured": "attendance", "mapping_caveat": "none",
            "effect_source": "Some (2020)", "effect_location": "Table 3", "confidence": "seen"}
BASE = {"name": "X", "recognition": "goed onderbouwd", "phases": "4-12", "setting": "school",
        "unit": "kind", "cost_per_unit": 100.0, "reach_per_unit": 1.0, "max_units": 50.0,
        "source": "test"}


def test_evidence_columns_kinds_and_effectiveness(toy):
    rows = pd.DataFrame([
        {**BASE, **EVIDENCE, "intervention": "cau", "target": "schoolverzuim", "effect": "0.3",
         "effect_low": "0.1", "effect_high": "0.5"},
        {**BASE, **EVIDENCE, "intervention": "pt", "target": "opvoedklimaat", "effect": "0.2",
         "comparison": "wait-list", "study_setting": "efficacy trial"},
        {**BASE, **EVIDENCE, "intervention": "nul", "target": "opvoedklimaat",
         "effect_status": "published null", "effect": ""},
        {**BASE, "intervention": "dflt", "target": "schoolverzuim", "effect": ""}])
    cat = build_interventions(rows, toy, TableSource("c")).set_index("intervention")
    assert cat["effect_evidence"].to_dict() == {
        "cau": "published with interval", "pt": "published point", "nul": "published null",
        "dflt": "stated default"}
    assert cat["effectiveness"].to_dict() == {"cau": True, "pt": False, "nul": True,
                                              "dflt": False}
    assert cat.loc["cau", "design"] == "rct"  # controlled words are lower case
    # a published null is centred at zero with the default's spread (assumed, said so)
    assert cat.loc["nul", "effect"] == 0.0 and bool(cat.loc["nul", "interval_assumed"])
    assert (cat.loc["nul", "effect_low"], cat.loc["nul", "effect_high"]) == pytest.approx(
        (-1.96 * DEFAULT_EFFECT_SD, 1.96 * DEFAULT_EFFECT_SD))
    assert not cat.loc["cau", "interval_assumed"]
    # the null is never chosen, and says why; the chosen carry their evidence
    prof = pd.Series({"schoolverzuim": 1.0, "opvoedklimaat": -1.0})
    p = fm.optimize_portfolio(toy, prof, cat.reset_index(), budget=10_000,
                              outcomes={"vsv": 1}, population=50, area="A")
    assert "nul" not in set(p.chosen["intervention"])
    reasons = p.left_out.set_index("intervention")["reason"]
    assert reasons["nul"] == "no effect found in its effectiveness study (published null)"
    assert fm_lang.reason(reasons["nul"], "nl").startswith("geen effect gevonden")
    ev = p.chosen.set_index("intervention")["effect_evidence"]
    assert ev["cau"] == "published with interval"
    assert p.to_dict()["chosen"][0]["effect_evidence"] in fm.portfolio.EVIDENCE_KINDS


def test_indicated_effect_counts_only_the_reached_children(toy):
    """An indicated effect per selected child moves the area by effect x reached / population."""
    rows = pd.DataFrame([{**BASE, **EVIDENCE, "intervention": "ind", "target": "schoolverzuim",
                          "effect": "0.5", "max_units": 10.0}])
    cat = build_interventions(rows, toy, TableSource("c"))
    p = fm.optimize_portfolio(toy, pd.Series({"schoolverzuim": 1.0}), cat, budget=1_000,
                              outcomes={"vsv": 1}, population=200, area="A")
    assert int(p.chosen["units"].iloc[0]) == 10
    assert p.factor_changes["schoolverzuim"] == pytest.approx(-0.5 * 10 / 200)


def test_evidence_problems_are_all_named(toy):
    rows = pd.DataFrame([
        {**BASE, **EVIDENCE, "intervention": "a", "target": "schoolverzuim", "effect": "0.3",
         "confidence": "recalled", "design": "anecdote"},
        {**BASE, **EVIDENCE, "intervention": "b", "target": "schoolverzuim", "effect": "0.3",
         "effect_low": "0.4", "effect_high": "0.6", "country": ""},
        {**BASE, **EVIDENCE, "intervention": "c", "target": "schoolverzuim", "effect": "0.2",
         "effect_status": "published null"},
        {**BASE, **EVIDENCE, "intervention": "d", "target": "schoolverzuim", "effect": "",
         "effect_status": "published"},
        {**BASE, **EVIDENCE, "intervention": "e", "target": "schoolverzuim", "effect": "0.3",
         "effect_low": "0.1", "effect_status": "maybe"}])
    with pytest.raises(fm.ModelValidationError) as err:
        build_interventions(rows, toy, TableSource("c.csv"))
    msg = str(err.value)
    for needle in ["row 0, column 'confidence'", "a recalled figure is not entered",
                   "row 0, column 'design'", "unknown design 'anecdote'",
                   "row 1, column 'effect_low'", "must contain the effect 0.3",
                   "row 1, column 'country'", "row 2, column 'effect'",
                   "a published null has effect 0", "row 3, column 'effect'",
                   "no effect is given", "row 4, column 'effect_status'",
                   "row 4, column 'effect_high'", "both ends of the interval"]:
        assert needle in msg, needle
    assert isinstance(err.value, ValueError)


def test_bundled_catalogue_evidence(rotterdam):
    cat = fm.load_interventions(rotterdam).set_index(["intervention", "target"])
    # Dutch routine practice found nothing: a null, not the optimistic 0.05 default
    for key in [("pad", "antisociaal_gedrag"), ("home_start", "opvoedonzekerheid"),
                ("triple_p_4", "antisociaal_gedrag")]:
        assert cat.loc[key, "effect_evidence"] == "published null", key
        assert cat.loc[key, "effect"] == 0.0 and cat.loc[key, "effectiveness"], key
    # VoorZorg on partner violence: OR 0.46 [0.24, 0.89] -> d = -ln(OR) sqrt(3)/pi
    row = cat.loc[("voorzorg", "huiselijk_geweld")]
    d = [-np.log(o) * np.sqrt(3) / np.pi for o in (0.46, 0.89, 0.24)]
    assert [row["effect"], row["effect_low"], row["effect_high"]] == pytest.approx(d, abs=5e-4)
    assert row["confidence"] == "secondary" and row["comparison"] == "care as usual"
    # indicated effects say whom the reach counts
    assert cat.loc[("alles_kidzzz", "antisociaal_gedrag"), "population"] == "indicated"
    assert "selected" in cat.loc[("alles_kidzzz", "antisociaal_gedrag"), "reach_counts"]
    # every non-default effect is documented, never from memory
    pub = cat[~cat["effect_is_default"]]
    assert set(pub["confidence"]) <= {"seen", "seen (abstract)", "secondary"}
    assert (pub["effect_source"] != "").all() and (pub["effect_location"] != "").all()
    # the added interventions with published intervals
    assert cat.loc[("schoolweigering_behandeling", "schoolverzuim"), "effect_high"] == 0.86
    assert cat.loc[("oudermanagementtraining", "antisociaal_gedrag"), "comparison"] == \
        "wait-list"
