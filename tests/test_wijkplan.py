"""The wijkplan (issue 26): made from the example analysis (SYNTHETIC data), saved, read
back equal, edited with history; bad files refused with their place."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import factormodel as fm
from factormodel.errors import ModelFileError, ModelValidationError, PlanMismatchError
from factormodel.workflow.wijkplan import Wijkplan, check_plan, plan_from_portfolio

AREA = "Oud-Crooswijk"
GOALS = ["schoolverzuim:-2pp:3j:12-18", "vsv"]


@pytest.fixture(scope="module")
def analysis():
    # the example data are SYNTHETIC (made from the model plus noise), never facts
    return fm.analyse("rotterdam-jeugd", fm.load_example_data(), AREA, GOALS,
                      budget=250_000, options=fm.Options(n_draws=100, year=2021))


@pytest.fixture(scope="module")
def plan(analysis):
    return plan_from_portfolio(analysis, partners={"swpbs": "CJG Rijnmond"},
                               completion={"swpbs": 0.8}, author="A. Adviseur",
                               date="2021-11-01", data=fm.load_example_data())


def test_plan_records_area_model_data_goals(plan, analysis):
    m = analysis.model
    assert plan.area == AREA and plan.data_year == 2021 and plan.synthetic
    assert plan.model_name == "rotterdam-jeugd" and plan.model_hash == fm.model_hash(m)
    assert len(plan.data_sha256) == 64
    g = plan.goal("schoolverzuim")
    levels = analysis.profile.area_levels(AREA)
    assert g.indicator == "verzuim_meldingen" and g.baseline == levels["verzuim_meldingen"]
    assert g.target == pytest.approx(g.baseline - 2.0) and g.horizon == 2024
    assert g.group == "12-18"
    # the goal without a size is kept with its indicator and no target
    v = plan.goal("vsv")
    assert v.indicator == "vsv_nieuw" and np.isnan(v.target)
    assert AREA not in dict(g.comparison) and len(g.comparison) > 20
    assert {i.id for i in plan.interventions} == set(analysis.portfolio.chosen["intervention"])
    swpbs = next(i for i in plan.interventions if i.id == "swpbs")
    assert swpbs.partner == "CJG Rijnmond" and swpbs.completion_rate == 0.8
    assert any(i.partner == "nog af te spreken" for i in plan.interventions)


def test_expected_effects_add_up_to_the_portfolio(plan, analysis):
    """The per-intervention expectations (each converted at the baseline) add up to the
    portfolio's own prediction for the goal indicator, computed by the portfolio."""
    units = analysis.portfolio.outcome_units
    want = float(units.loc[units["indicator"] == "verzuim_meldingen", "change"].iloc[0])
    got = sum(e.expected for i in plan.interventions for e in i.effects
              if e.goal == "schoolverzuim")
    assert got == pytest.approx(want, rel=0.05)
    for i in plan.interventions:
        for e in i.effects:
            assert e.low <= e.expected <= e.high


def test_round_trip_and_history(plan, tmp_path):
    path = plan.write(tmp_path / "plan.json")
    assert Wijkplan.read(path) == plan
    p2 = plan.edit(author="B. Adviseur").edit(assumptions=("nieuw",))
    assert p2.version == 3 and [h.version for h in p2.history] == [1, 2]
    assert p2.history[0].author == "A. Adviseur" and p2.history[1].author == "B. Adviseur"
    p2.write(tmp_path / "p2.json")
    back = Wijkplan.read(tmp_path / "p2.json")
    assert back == p2 and back.history[0] == plan
    with pytest.raises(fm.InvalidParameterError, match="version"):
        plan.edit(version=9)


def test_bad_plan_file_is_located(plan, tmp_path):
    doc = plan.to_dict()
    doc["goals"][0]["baseline"] = "hoog"
    doc["interventions"][0]["effects"][0]["goal"] = "onbekend"
    del doc["model"]["hash"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(ModelValidationError) as e:
        Wijkplan.read(path)
    text = str(e.value)
    assert "goals[0].baseline" in text and "model" in text and "hash" in text
    doc = plan.to_dict()
    doc["interventions"][0]["effects"][0]["goal"] = "onbekend"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(ModelValidationError, match=r"interventions\[0\]\.effects\[0\]\.goal"):
        Wijkplan.read(path)
    path.write_text("{", "utf-8")
    with pytest.raises(ModelFileError, match="line 1"):
        Wijkplan.read(path)
    with pytest.raises(ModelFileError, match="no such file"):
        Wijkplan.read(tmp_path / "none.json")


def test_other_model_version_or_data_is_refused(plan, tmp_path):
    m = fm.load_model("rotterdam-jeugd")
    assert check_plan(plan, m) is m
    other = plan.edit(model_version="0.0.1")
    with pytest.raises(PlanMismatchError, match=r"version 0\.0\.1"):
        check_plan(other, m)
    changed = plan.edit(model_hash="0" * 64)
    with pytest.raises(PlanMismatchError, match="has changed"):
        check_plan(changed, m)
    data = fm.load_example_data()
    check_plan(plan, m, data=data)
    data.loc[0, "value"] = data.loc[0, "value"] + 1
    with pytest.raises(PlanMismatchError, match="differs"):
        check_plan(plan, m, data=data)


def test_plan_needs_a_portfolio():
    a = fm.analyse("rotterdam-jeugd", fm.load_example_data(), AREA, GOALS,
                   options=fm.Options(n_draws=20, year=2021))
    with pytest.raises(fm.InvalidParameterError, match="budget"):
        plan_from_portfolio(a)


def test_non_finite_and_huge_numbers_are_located(plan, tmp_path):
    text = json.dumps(plan.to_dict())
    path = tmp_path / "p.json"
    path.write_text(text.replace('"units": 6.0', '"units": ' + "9" * 400, 1), "utf-8")
    with pytest.raises(ModelValidationError, match=r"interventions\[\d\]\.units: must be a "
                                                   "finite number"):
        Wijkplan.read(path)
    path.write_text(text.replace('"units": 6.0', '"units": NaN', 1), "utf-8")
    with pytest.raises(ModelFileError, match="NaN is not a number JSON allows"):
        Wijkplan.read(path)
    doc = plan.to_dict()
    doc["goals"][0]["baseline"] = float("inf")
    with pytest.raises(ModelValidationError, match=r"goals\[0\]\.baseline: must be a finite"):
        Wijkplan.from_dict(doc)


@pytest.mark.parametrize("depth", [40, 5000])
def test_a_deeply_nested_document_is_refused_before_any_recursion(tmp_path, depth):
    """Fuzzing found a RecursionError: nesting that json.loads accepts but the schema walk
    cannot. The plan reader refuses it with its place, whatever the depth."""
    path = tmp_path / "deep.json"
    path.write_text('{"goals": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    with pytest.raises((ModelValidationError, ModelFileError), match="deep"):
        fm.Wijkplan.read(path)


def test_a_plans_coded_assumptions_stay_dutch_after_a_round_trip(plan, tmp_path):
    """A profile's assumptions are coded Messages; the plan file keeps their codes, so the
    Dutch voortgangsrapportage words them after the plan is read back (issue 22)."""
    from factormodel.errors import Message
    from factormodel.render.voortgang import _nl

    coded = [a for a in plan.assumptions if isinstance(a, Message)]
    assert coded and coded[0].code == "assumed_sd_of_index"
    back = Wijkplan.read(plan.write(tmp_path / "plan.json"))
    assert back.assumptions == plan.assumptions
    (again,) = [a for a in back.assumptions if isinstance(a, Message)]
    assert (again.code, again.fields) == (coded[0].code, coded[0].fields)
    assert _nl(again).startswith("de SD tussen personen van gemiddelde score eindtoets")


def test_expected_effect_interval_is_one_joint_monte_carlo_by_hand():
    """Issue 27 follow-up: SWPBS (0.05 SD, sd 0.05, on three factors) read 'vsv -0,06 pp
    (-2,35 tot +2,95)': the interval summed each factor's own 90% interval at the worst end
    of the effect size. It is the 90% interval of the intervention's change summed in each
    weight draw; checked by hand with numpy's inverse on the same weight draws."""
    from scipy.stats import norm

    from factormodel.workflow.wijkplan import expected_effects

    toy = fm.load_model("toy")
    cat = fm.load_indicators(toy)
    changes = pd.DataFrame({"intervention": ["a", "a"],
                            "factor": ["schoolverzuim", "opvoedklimaat"],
                            "effect": [-0.1, 0.2], "low": [-0.1, 0.2], "high": [-0.1, 0.2]})
    got = expected_effects(toy, changes, {"vsv": ("vsv", cat.loc[["vsv_nieuw"]], 4.1)},
                           n_draws=400, seed=3)["a"]["vsv"]
    ids = list(toy.node_ids)
    pos = {n: i for i, n in enumerate(ids)}
    edges = toy.edges
    draws = fm.draw_weights(toy, 400, seed=3)
    per_draw = []
    for w in draws:  # the toy has no loop: holding a factor is its shock
        W = np.zeros((len(ids), len(ids)))
        W[[pos[s] for s in edges["source"]], [pos[t] for t in edges["target"]]] = w
        T = np.linalg.inv(np.eye(len(ids)) - W)
        per_draw.append(-0.1 * T[pos["schoolverzuim"], pos["vsv"]]
                        + 0.2 * T[pos["opvoedklimaat"], pos["vsv"]])
    lo, hi = np.quantile(per_draw, [0.05, 0.95], method="closest_observation")
    # T[schoolverzuim, vsv] = 0.3 + 0.2 = 0.5; T[opvoedklimaat, vsv] = -0.4 x 0.5 = -0.2
    central = -0.1 * 0.5 + 0.2 * -0.2

    def pp(delta):
        return 100 * (norm.cdf(norm.ppf(0.041) + delta) - 0.041)

    assert got.expected == pytest.approx(pp(central), rel=1e-9)
    assert (got.low, got.high) == pytest.approx((pp(lo), pp(hi)), rel=1e-9)


def test_an_effect_size_interval_widens_the_expected_effect_interval():
    from factormodel.workflow.wijkplan import expected_effects

    toy = fm.load_model("toy")
    cat = fm.load_indicators(toy)
    goal = {"vsv": ("vsv", cat.loc[["vsv_nieuw"]], 4.1)}
    fixed = pd.DataFrame({"intervention": ["a"], "factor": ["schoolverzuim"],
                          "effect": [-0.1], "low": [-0.1], "high": [-0.1]})
    wide = fixed.assign(low=-0.3, high=0.1)
    a = expected_effects(toy, fixed, goal, n_draws=500, seed=1)["a"]["vsv"]
    b = expected_effects(toy, wide, goal, n_draws=500, seed=1)["a"]["vsv"]
    assert a.expected == b.expected  # the centre is the effect size itself
    assert b.low < a.low and b.high > a.high and a.high < 0 < b.high  # either sign possible


def test_partners_by_name_or_id_in_any_case(analysis):
    """Her partner line says 'SWPBS=CJG Rijnmond' (the name before ' ('); an id in
    another case and the full name are the same intervention."""
    for key in ("SWPBS", "Swpbs", "SWPBS (Schoolwide Positive Behavior Support)"):
        p = plan_from_portfolio(analysis, partners={key: "CJG Rijnmond"},
                                completion={key.lower(): 0.8}, data=fm.load_example_data())
        swpbs = next(i for i in p.interventions if i.id == "swpbs")
        assert (swpbs.partner, swpbs.completion_rate) == ("CJG Rijnmond", 0.8)


def test_an_unknown_partner_names_the_chosen_ones_by_name_in_dutch(analysis):
    from factormodel.errors import InvalidParameterError
    from factormodel.text.messages import error

    with pytest.raises(InvalidParameterError) as info:
        plan_from_portfolio(analysis, partners={"Triple P": "CJG"}, data=fm.load_example_data())
    nl = error(info.value, "nl")
    assert info.value.code == "plan_unknown_interventions"
    assert "zitten niet in het portfolio" in nl and "'Triple P'" in nl
    assert "SWPBS (Schoolwide Positive Behavior Support) (swpbs)" in nl


def test_a_plan_is_written_to_a_json_name_only(plan, tmp_path):
    from factormodel.errors import InvalidParameterError
    from factormodel.text.messages import error

    with pytest.raises(InvalidParameterError) as info:
        plan.write(tmp_path / "plan.html")
    assert not (tmp_path / "plan.html").exists()
    assert "een wijkplan is een JSON-bestand" in error(info.value, "nl")
    assert "plan.json" in error(info.value, "nl")
    assert plan.write(tmp_path / "Plan.JSON").exists()
