"""Goals on any node or indicator, the user's words, Dutch numbers, own data vs the city."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import factormodel as fm
from factormodel.analysis.words import parse_number, resolve_indicator, resolve_node


def _probit_delta(value, ref):
    return norm.ppf(value / 100) - norm.ppf(ref / 100)


@pytest.fixture(scope="module")
def toy():
    return fm.load_model("toy")


@pytest.fixture(scope="module")
def rdam():
    return fm.load_model("rotterdam-jeugd")


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("text", "value"), [
    ("250.000", 250000.0), ("250.000,50", 250000.5), ("250000", 250000.0),
    ("250,000.50", 250000.5), ("1,000", 1000.0), ("1.000.000", 1e6), ("2,5", 2.5),
    ("2.5", 2.5), ("0,125", 0.125), ("0.125", 0.125), ("-3", -3.0), ("€ 1.250", 1250.0),
    ("+5", 5.0), ("1,000,000", 1e6),
])
def test_parse_number_reads_dutch_first(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["1,000", "250,000", "-2,500", "1.000"])
def test_parse_number_asks_when_ambiguous(text):
    """Not an amount (no grouping): 1,000 could be 1 or 1000, so it asks."""
    with pytest.raises(fm.AmbiguousNameError, match="is ambiguous"):
        parse_number(text, what="--delta", grouping=False)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "12,34,5", "1e5x", "25.00.000", "True",
                                  "1_0", "inf"])
def test_parse_number_refuses_non_numbers(text):
    with pytest.raises(fm.InvalidParameterError, match="is not a number"):
        parse_number(text)


# --------------------------------------------------------------------------- words


def test_nodes_by_id_label_case_and_accents(rdam):
    assert resolve_node(rdam, "VSV") == "vsv"
    assert resolve_node(rdam, "Goede Schoolprestaties") == "schoolprestaties"
    assert resolve_node(rdam, "early school leaving") == "vsv"
    assert resolve_node(rdam, "school_absenteeism") == "schoolverzuim"


def test_accents_are_folded():
    lex = fm.words.Lexicon("node", {"cafe": ("Café",), "idee": ("Idée / plan",)})
    assert lex.resolve("CAFE") == "cafe" and lex.resolve("idee") == "idee"
    assert lex.resolve("plan") == "idee"


def test_ambiguous_names_are_refused():
    lex = fm.words.Lexicon("node", {"a": ("verzuim",), "b": ("Verzuim",)})
    with pytest.raises(fm.AmbiguousNameError, match=r"'a' .*'b'.*use the id"):
        lex.resolve("verzuim")


def test_unknown_names_suggest_the_closest_first(rdam):
    with pytest.raises(fm.UnknownNodeError, match="did you mean 'schoolverzuim"):
        resolve_node(rdam, "schoolverzuimm")
    hint = fm.errors.close_matches("xq", ["zz", "xy", "aa"], list_all=True)
    # no close name: the whole (short) choice, most alike first, never a guess
    assert hint == "no close match; valid values: 'xy', 'aa', 'zz'"


def test_indicators_by_label(rdam):
    cat = fm.load_indicators(rdam)
    assert resolve_indicator(cat, "% jongeren 4-17 jaar lid van een sportvereniging") \
        == "lid_sportvereniging"
    assert resolve_indicator(cat, "% Young people 4-17 who are members of a sports club") \
        == "lid_sportvereniging"
    with pytest.raises(fm.UnknownIndicatorError):
        resolve_indicator(cat, "aantal fietsen")


def test_resolve_indicators_reports_every_unknown_name_at_once(rdam):
    cat = fm.load_indicators(rdam)
    with pytest.raises(fm.UnknownIndicatorError, match="2 indicator name") as err:
        fm.words.resolve_indicators(cat, ["vsv_nieuw", "fietsen", "auto's"])
    assert "fietsen" in str(err.value) and "auto's" in str(err.value)


# --------------------------------------------------------------------------- goals


def test_goal_validation_lists_every_problem():
    with pytest.raises(fm.InvalidParameterError) as err:
        fm.Goal("vsv", change=0, unit="kg", years=-1, priority=0)
    text = str(err.value)
    for part in ("unit must be one of", "change must be", "years must be", "priority must be"):
        assert part in text


@pytest.mark.parametrize(("text", "goal"), [
    ("schoolverzuim:-2pp:3j", fm.Goal("schoolverzuim", -2, "pp", 3)),
    ("schoolverzuim:-2procentpunt:3jaar:12-18", fm.Goal("schoolverzuim", -2, "pp", 3, "12-18")),
    ("lid_sportvereniging:+5%:3j:10-18", fm.Goal("lid_sportvereniging", 5, "%", 3, "10-18")),
    ("vsv:-0,5sd", fm.Goal("vsv", -0.5, "sd")),
    ("vsv_nieuw:-0,3", fm.Goal("vsv_nieuw", -0.3, "own")),
    ("vsv=2", fm.Goal("vsv", priority=2)),
    ("vsv=0,5", fm.Goal("vsv", priority=0.5)),
    ("VSV:-1pp=1,5", fm.Goal("VSV", -1, "pp", priority=1.5)),
])
def test_parse_goal(text, goal):
    assert fm.parse_goal(text) == goal


@pytest.mark.parametrize(("text", "error"), [
    (":-2pp", "expected TARGET"), ("vsv:12-18:x:y", "cannot read"),
    ("vsv=0", "priority must be"), ("vsv:0pp", "change must be"), ("vsv=1,000", "ambiguous"),
    ("vsv=True", "not a number"),
])
def test_parse_goal_errors(text, error):
    with pytest.raises(fm.FactorModelError, match=error):
        fm.parse_goal(text)


def test_resolve_goal_units(toy, rdam):
    r = fm.resolve_goal(toy, fm.Goal("vsv_nieuw", -0.2, unit="pp"))
    assert (r.node, r.indicator, r.sign) == ("vsv", "vsv_nieuw", -1)
    # -0.2 pp from the typical 2.6 %, through the probit (SD between pupils), flagged
    assert r.change_sd == pytest.approx(_probit_delta(2.4, 2.6))
    assert any("typical level 2.6" in a for a in r.assumptions)
    r = fm.resolve_goal(toy, fm.Goal("early school leaving", -0.5))
    assert (r.node, r.indicator, r.change_sd, r.sign) == ("vsv", "", -0.5, -1)
    r = fm.resolve_goal(toy, fm.Goal("schoolsucces"))
    assert r.sign == 1 and math.isnan(r.change_sd)
    # relative %: of the catalogue's typical level, flagged
    r = fm.resolve_goal(rdam, fm.Goal("lid_sportvereniging", 5, unit="%"))
    cat = fm.load_indicators(rdam).loc["lid_sportvereniging"]
    assert r.change_units == pytest.approx(0.05 * cat["typical"])
    assert r.change_sd == pytest.approx(_probit_delta(1.05 * cat["typical"], cat["typical"]))
    assert any("typical level" in a for a in r.assumptions)
    r = fm.resolve_goal(rdam, fm.Goal("lid_sportvereniging", 5, unit="%"), level=40)
    assert r.change_units == pytest.approx(2.0) and not r.assumptions


def test_resolve_goal_errors(toy, rdam):
    with pytest.raises(fm.InvalidParameterError, match="percentage points need a % indicator"):
        fm.resolve_goal(toy, fm.Goal("langdurig_verzuim", -1, unit="pp"))
    with pytest.raises(fm.AmbiguousNameError, match="has 2 indicators"):
        fm.resolve_goal(toy, fm.Goal("schoolverzuim", -1, unit="own"))
    with pytest.raises(fm.InvalidParameterError, match="no indicator"):
        fm.resolve_goal(toy, fm.Goal("vsv", -1, unit="own"), indicators=fm.load_indicators(
            toy).drop(index="vsv_nieuw"))
    with pytest.raises(fm.UnknownNodeError, match="neither a node nor an indicator"):
        fm.resolve_goal(toy, fm.Goal("fietsen"))
    with pytest.raises(fm.InvalidParameterError, match="opposite directions"):
        fm.recommend(toy, pd.Series({"schoolverzuim": 1.0}),
                     [fm.Goal("vsv", -1), fm.Goal("vsv_nieuw", 1, unit="pp")], area="A")
    with pytest.raises(fm.InvalidParameterError, match="a goal must be"):
        fm.recommend(toy, pd.Series({"schoolverzuim": 1.0}), [3.5], area="A")


def test_goal_on_a_factor_ranks_the_factors_upstream(rdam):
    """Issue 13: --outcome schoolverzuim failed; a factor is a fine maatschappelijk resultaat."""
    data = fm.load_example_data("rotterdam")
    prof = fm.profile(rdam, data, level="wijk")
    rec = fm.recommend(rdam, prof, [fm.Goal("schoolverzuim", -2, unit="pp", years=3)],
                       area="Oud-Crooswijk", top=10)
    T = fm.total_effects(rdam, targets=["schoolverzuim"])["schoolverzuim"]
    ranked = rec[rec["status"] == "recommended"]
    assert len(ranked) > 0
    assert (T[ranked["factor"]].abs() > 0).all()  # every ranked factor is upstream


def test_goal_direction_overrides_the_node_sign(toy):
    down = fm.factor_gains(toy, [fm.Goal("schoolverzuim", -1)])
    up = fm.factor_gains(toy, [fm.Goal("schoolverzuim", +1)])
    assert down.loc["opvoedklimaat", "gain"] == pytest.approx(0.4)   # less verzuim: good
    assert up.loc["opvoedklimaat", "gain"] == pytest.approx(-0.4)    # asks for more verzuim
    plain = fm.factor_gains(toy, ["schoolverzuim"])
    np.testing.assert_allclose(plain["gain"], down["gain"])


def test_goals_and_priorities_agree(toy):
    a = fm.factor_gains(toy, {"vsv": 2, "schoolsucces": 1})
    b = fm.factor_gains(toy, [fm.Goal("vsv", priority=2), fm.Goal("startkwalificatie",
                                                                   priority=1)])
    np.testing.assert_allclose(a["gain"], b["gain"])


def test_portfolio_accepts_goals(rdam):
    data = fm.load_example_data("rotterdam")
    prof = fm.profile(rdam, data, level="wijk")
    cat = fm.load_interventions(rdam)
    # min_share=0: a goal with a size sets its own "no money for nothing" threshold; here
    # only the naming of the goal is compared
    kw = {"budget": 250000, "population": 2000, "area": "Oud-Crooswijk", "min_share": 0.0}
    a = fm.optimize_portfolio(rdam, prof, cat, outcomes={"vsv": 1.0}, **kw)
    b = fm.optimize_portfolio(rdam, prof, cat, outcomes=[fm.Goal("vsv_nieuw", -1, "pp")], **kw)
    assert a.chosen["intervention"].tolist() == b.chosen["intervention"].tolist()
    assert a.improvement == pytest.approx(b.improvement)


# --------------------------------------------------------------------------- inverse


def test_required_change_alone_and_together_by_hand(toy):
    goal = fm.Goal("vsv_nieuw", -0.2, unit="pp")      # 2.6 % -> 2.4 %: d SD of vsv
    d = _probit_delta(2.4, 2.6)
    rc = fm.required_change(toy, goal, ["schoolverzuim", "positief opvoedklimaat"],
                            levels={"verzuim_meldingen": 6.0})
    t = rc.to_frame()
    alone = t[(t["way"] == "alone") & (t["indicator"] == "verzuim_meldingen")].iloc[0]
    assert alone["change_sd"] == pytest.approx(d / 0.5)  # T[verzuim, vsv] = 0.3 + 0.2 = 0.5
    # back in pp at the given level 6 %, by hand through scipy's Φ
    assert alone["change"] == pytest.approx(100 * norm.cdf(norm.ppf(0.06) + d / 0.5) - 6)
    assert alone["level"] == 6.0
    opv = t[(t["way"] == "alone") & (t["factor"] == "opvoedklimaat")].iloc[0]
    assert opv["change_sd"] == pytest.approx(d / -0.2)  # T = -0.4 * 0.5 = -0.2
    together = t[t["way"] == "together"].set_index("indicator")
    # clamped together: opvoedklimaat acts only through verzuim, so only verzuim counts
    assert together.loc["verzuim_meldingen", "change_sd"] == pytest.approx(d / 0.5)
    assert together.loc["ouders_competent", "change_sd"] == pytest.approx(-d / 0.5)
    assert any("linear model" in a for a in rc.assumptions)
    assert any("area-level" in a for a in rc.assumptions)
    doc = rc.to_dict()
    assert doc["goal"]["node"] == "vsv" and len(doc["table"]) == len(t)


def test_required_change_matches_propagation(rdam):
    """Independent check: propagating the answer reproduces the goal."""
    goal = fm.Goal("schoolverzuim", -2, unit="pp")
    rc = fm.required_change(rdam, goal)
    r = rc.goal
    t = rc.to_frame().drop_duplicates(["factor", "way"])
    for _, row in t[t["way"] == "alone"].iterrows():
        out = fm.propagate(rdam, {row["factor"]: row["change_sd"]}).deltas[r.node]
        assert out == pytest.approx(r.change_sd)
    both = t[t["way"] == "together"]
    out = fm.propagate(rdam, dict(zip(both["factor"], both["change_sd"], strict=True)))
    assert out.deltas[r.node] == pytest.approx(r.change_sd)


def test_required_change_errors(toy):
    with pytest.raises(fm.InvalidParameterError, match="gives no size"):
        fm.required_change(toy, fm.Goal("vsv"))
    with pytest.raises(fm.InvalidParameterError, match="cannot move 'opvoedklimaat'"):
        fm.required_change(toy, fm.Goal("opvoedklimaat", 1), ["schoolverzuim"])
    with pytest.raises(fm.UnknownNodeError):
        fm.required_change(toy, fm.Goal("vsv", -1), ["fietsen"])


# --------------------------------------------------------------------------- joint effects


def test_gap_effects_alone_together_and_why(toy):
    prof = pd.Series({"opvoedklimaat": -1.0, "schoolverzuim": 0.5})
    t = fm.gap_effects(toy, prof, ["vsv"], ["schoolverzuim", "opvoedklimaat"])
    by = t.set_index(["way", "factor"])["change_sd"]
    assert by[("alone", "schoolverzuim")] == pytest.approx(-0.25)
    assert by[("alone", "opvoedklimaat")] == pytest.approx(-0.20)
    assert by[("sum of alone", "")] == pytest.approx(-0.45)
    assert by[("together", "")] == pytest.approx(-0.25)
    why = t.loc[t["way"] == "together", "why"].iloc[0]
    assert "positive parenting climate acts (partly) through school absenteeism" in why
    from factormodel.text import messages  # the text layer words it in Dutch, by labels
    assert messages.render(why.code, why.fields, "nl").startswith(
        "samen is niet de som: positief opvoedklimaat werkt (deels) via schoolverzuim. Wie de")
    # in pp at the catalogue's typical 2.6 % (plain deltas carry no area level)
    assert t.loc[t["way"] == "together", "change"].iloc[0] == pytest.approx(
        100 * norm.cdf(norm.ppf(0.026) - 0.25) - 2.6)


def test_gap_effects_equal_the_sum_without_overlap(toy):
    prof = pd.Series({"schoolverzuim": 0.5, "armoede": 1.0})
    t = fm.gap_effects(toy, prof, ["schoolsucces"], ["schoolverzuim"])
    assert "equals the sum" in t.loc[t["way"] == "together", "why"].iloc[0]


def test_gap_effects_errors(toy):
    with pytest.raises(fm.InvalidParameterError, match="not measured"):
        fm.gap_effects(toy, pd.Series({"schoolverzuim": 0.5}), ["vsv"], ["opvoedklimaat"])
    with pytest.raises(fm.InvalidParameterError, match="at least one factor"):
        fm.gap_effects(toy, pd.Series({"schoolverzuim": 0.5}), ["vsv"], [])


# --------------------------------------------------------------------------- own data


def _one_wijk(tmp_path, rows):
    p = tmp_path / "mijnwijk.csv"
    p.write_text("wijk;jaar;indicator;waarde\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def test_issue_reproducer_one_wijk_is_an_error_that_names_the_fix(rdam, tmp_path):
    p = _one_wijk(tmp_path, ["Oud-Crooswijk;2023;vsv_nieuw;3,4",
                             "Oud-Crooswijk;2023;verzuim_meldingen;9,1"])
    with pytest.raises(fm.DataError, match="single area") as err:
        fm.profile(rdam, p)
    for fix in ("Rotterdam", "reference_values", "--reference-values", "typical"):
        assert fix in str(err.value)


@pytest.mark.parametrize("city", ["Rotterdam", "STAD", "GM0599", "gemeente Rotterdam"])
def test_a_city_row_is_the_reference_and_never_an_area(rdam, tmp_path, city):
    p = _one_wijk(tmp_path, ["Oud-Crooswijk;2023;vsv_nieuw;3,4",
                             f"{city};2023;vsv_nieuw;2,6"])
    prof = fm.profile(rdam, p)
    assert list(prof.index) == ["Oud-Crooswijk"]
    assert prof.loc["Oud-Crooswijk", "vsv"] == pytest.approx(_probit_delta(3.4, 2.6))
    assert prof.reference == "city" and city in prof.reference_source


def test_city_row_with_the_registry_and_several_wijken(rdam, tmp_path):
    p = _one_wijk(tmp_path, ["Oud-Crooswijk;2023;vsv_nieuw;3,4",
                             "Kralingen-West;2023;vsv_nieuw;1,0", "Rotterdam;2023;vsv_nieuw;2,6"])
    prof = fm.profile(rdam, fm.read_area_data(p, areas="rotterdam"))
    assert "Rotterdam" not in prof.index and len(prof) == 2
    # the city's own figure, not the mean of the two wijken (2.2)
    assert prof.loc["Oud-Crooswijk", "vsv"] == pytest.approx(_probit_delta(3.4, 2.6))


def test_two_city_rows_are_an_error(rdam, tmp_path):
    p = _one_wijk(tmp_path, ["Oud-Crooswijk;2023;vsv_nieuw;3,4", "Rotterdam;2023;vsv_nieuw;2,6",
                             "stad;2023;vsv_nieuw;2,7"])
    with pytest.raises(fm.DataError, match="more than one city row"):
        fm.profile(rdam, p)


def test_reference_values_from_a_mapping_and_a_file(rdam, tmp_path):
    p = _one_wijk(tmp_path, ["Oud-Crooswijk;2023;vsv_nieuw;3,4",
                             "Oud-Crooswijk;2023;verzuim_meldingen;9,1"])
    by_map = fm.profile(rdam, p, reference_values={
        "vsv_nieuw": 2.6, "% leerplichtigen met een verzuimmelding": "7,0"})
    ref = tmp_path / "stad.csv"
    ref.write_text("indicator;waarde\nvsv_nieuw;2,6\nverzuim_meldingen;7,0\n", encoding="utf-8")
    by_file = fm.profile(rdam, p, reference_values=ref)
    assert by_map.reference == by_file.reference == "values"
    pd.testing.assert_frame_equal(by_map.deltas, by_file.deltas)
    assert by_map.reference_name("nl") == "de opgegeven referentiewaarden"
    assert by_map.reference_name("en") == "the given reference values"
    assert by_file.loc["Oud-Crooswijk", "vsv"] == pytest.approx(_probit_delta(3.4, 2.6))


def test_reference_values_errors(rdam, tmp_path):
    p = _one_wijk(tmp_path, ["Oud-Crooswijk;2023;vsv_nieuw;3,4"])
    with pytest.raises(fm.DataError, match="not numbers: vsv_nieuw"):
        fm.profile(rdam, p, reference_values={"vsv_nieuw": "veel"})
    with pytest.raises(fm.UnknownIndicatorError, match="fietsen"):
        fm.profile(rdam, p, reference_values={"fietsen": 1})
    bad = tmp_path / "ref.csv"
    bad.write_text("naam;getal\nvsv_nieuw;2\n", encoding="utf-8")
    with pytest.raises(fm.DataError, match="expected columns 'indicator' and 'value'"):
        fm.profile(rdam, p, reference_values=bad)
    with pytest.raises(fm.DataError, match="none of the indicators"):
        fm.profile(rdam, p, reference_values={"neet_18_26": 9})
    with pytest.raises(fm.InvalidParameterError, match="needs reference_values"):
        fm.profile(rdam, p, reference="values")


def test_typical_levels_are_a_flagged_assumption(rdam, tmp_path):
    p = _one_wijk(tmp_path, ["Oud-Crooswijk;2023;vsv_nieuw;3,4"])
    prof = fm.profile(rdam, p, reference="typical")
    cat = fm.load_indicators(rdam).loc["vsv_nieuw"]
    assert prof.loc["Oud-Crooswijk", "vsv"] == pytest.approx(_probit_delta(3.4,
                                                                           cat["typical"]))
    assert prof.assumptions and "assumption" in prof.assumptions[0]
    assert "aanname" in prof.reference_name("nl")
    assert prof.to_dict()["assumptions"] == list(prof.assumptions)


def test_indicator_columns_in_dutch_labels(rdam, tmp_path):
    p = tmp_path / "breed.csv"
    p.write_text("Wijk;Jaar;% Nieuwe voortijdig schoolverlaters (12-22 jaar);"
                 "% jongeren 4-17 jaar lid van een sportvereniging\n"
                 "Oud-Crooswijk;2023;3,4;31\nRotterdam;2023;2,6;38\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prof = fm.profile(rdam, p)
    assert prof.loc["Oud-Crooswijk", "vsv"] > 0
    assert prof.loc["Oud-Crooswijk", "constructieve_vrijetijd"] < 0


def test_a_factor_that_is_itself_a_goal_is_not_its_own_lever(toy):
    prof = fm.Profile(pd.DataFrame([{"schoolverzuim": 0.5, "opvoedklimaat": -1.0}], index=["A"]),
                      reference="city")
    # the only goal is schoolverzuim itself: what drives it is ranked, not the goal
    rec = fm.recommend(toy, prof, [fm.Goal("verzuim_meldingen", -1, unit="pp")], area="A")
    assert "schoolverzuim" not in set(rec["factor"]) and list(rec["factor"]) == ["opvoedklimaat"]
    assert any("is zelf het gekozen doel: de rangorde toont de factoren die het beïnvloeden"
               in n["nl"] for n in rec.notes)
    # with a second goal it may be ranked, and the note does not say otherwise (it said "the
    # ranking shows the factors that move it, not the goal itself" above a ranked goal)
    two = fm.recommend(toy, prof, [fm.Goal("verzuim_meldingen", -1, unit="pp"), "vsv"],
                       area="A")
    assert "schoolverzuim" in set(two.ranked["factor"])
    (note,) = [n["nl"] for n in two.notes if "gekozen doel" in n["nl"]]
    assert "staat het erin, dan om zijn effect op de andere doelen" in note
    assert "niet het doel zelf" not in note
    mc = fm.monte_carlo(toy, prof, [fm.Goal("verzuim_meldingen", -1, unit="pp")], n_draws=50,
                        seed=1, top=1, progress=False)
    assert mc.rank_stability.loc["A", "schoolverzuim"] == 0  # the same rule in the draws
    assert mc.rank_stability.loc["A", "opvoedklimaat"] == 1
    # with a second goal it is ranked for its effect on that goal only, and says so
    both = fm.recommend(toy, prof, [fm.Goal("verzuim_meldingen", -1, unit="pp"), "vsv"],
                        area="A").table.set_index("factor")
    total = fm.total_effects(toy, targets=["vsv"])["vsv"]
    assert both.loc["schoolverzuim", "gain"] == pytest.approx(total["schoolverzuim"])
    text = both.loc["schoolverzuim", "explanation_nl"]
    # closing the 0.5 SD gap from the level it converts at (here the typical 6 %): 4.0 pp,
    # what gap_effects says too (not 0.5 SD further up from 6 %: 8.6 pp)
    gap = 6 - 100 * norm.cdf(norm.ppf(0.06) - 0.5)
    assert f"Het is zelf een gekozen doel (een gat van ongeveer {gap:.2f}".replace(".", ",") \
        + " procentpunt" in text
    assert "het sterkste pad is schoolverzuim en" not in text  # no path of itself alone
    # portfolios keep the goal's own term: an intervention aimed at it does improve it
    from factormodel.analysis import _scoring

    full = _scoring.gains(toy, ["schoolverzuim"]).gain[toy.positions(["schoolverzuim"])[0]]
    assert full == pytest.approx(1.0)
    assert fm.factor_gains(toy, ["schoolverzuim"]).loc["schoolverzuim", "gain"] == 0


def test_monte_carlo_and_sensitivity_follow_a_goal_direction(toy):
    """The goal's sign is read from _scoring in one place: uncertainty follows it too."""
    prof = pd.DataFrame([{"opvoedklimaat": -1.0, "schoolverzuim": 0.5}], index=["A"])
    down = fm.monte_carlo(toy, prof, [fm.Goal("schoolverzuim", -1)], n_draws=200, seed=3)
    same = fm.monte_carlo(toy, prof, ["schoolverzuim"], n_draws=200, seed=3)
    up = fm.monte_carlo(toy, prof, [fm.Goal("schoolverzuim", +1)], n_draws=200, seed=3)
    pd.testing.assert_frame_equal(down.scores, same.scores)
    assert down.scores.loc[("A", "opvoedklimaat"), "median"] > 0.1
    assert up.scores.loc[("A", "opvoedklimaat"), "median"] == 0  # more verzuim: no gain
    s_down = fm.sensitivity(toy, factor="opvoedklimaat", outcomes=[fm.Goal("schoolverzuim", -1)])
    s_up = fm.sensitivity(toy, factor="opvoedklimaat", outcomes=[fm.Goal("schoolverzuim", 1)])
    np.testing.assert_allclose(s_down["sensitivity"], -s_up["sensitivity"])


def test_profile_html_states_its_reference_and_assumptions(rdam, tmp_path):
    p = _one_wijk(tmp_path, ["Oud-Crooswijk;2023;vsv_nieuw;3,4"])
    html = fm.profile(rdam, p, reference="typical")._repr_html_()
    assert "reference: the catalogue&#x27;s typical levels" in html
    assert "ASSUMPTION: the reference is the catalogue" in html


def test_required_changes_uses_each_goals_strongest_drivers():
    m = fm.load_model("rotterdam-jeugd")
    goals = [fm.parse_goal("schoolverzuim:-2pp:3j"), fm.parse_goal("vsv"),
             fm.parse_goal("vsv:-0.5sd")]
    needed = fm.required_changes(m, goals)
    assert [rc.goal.node for rc in needed] == ["schoolverzuim", "vsv"]  # sized goals only
    for rc, goal in zip(needed, [goals[0], goals[2]], strict=True):
        alone = fm.required_change(m, goal)
        pd.testing.assert_frame_equal(rc.to_frame(), alone.to_frame())
        # the factors are the three modifiable ones with the largest effect on the goal
        T = fm.total_effects(m, targets=[rc.goal.node])[rc.goal.node]
        modifiable = m.node_values("modifiable")
        drivers = T[[f for f in m.factors if f != rc.goal.node and modifiable[f]]]
        top3 = set(drivers.abs().sort_values(ascending=False).index[:3])
        assert set(rc.table["factor"]) == top3


def test_required_changes_takes_the_areas_own_level_for_a_relative_goal():
    m = fm.load_model("rotterdam-jeugd")
    goal = fm.parse_goal("verzuim_meldingen:-10%")
    r = fm.resolve_goal(m, goal)
    own = fm.required_changes(m, [goal], levels={r.indicator: 8.0})[0]
    assert own.to_frame().equals(fm.required_change(m, goal, level=8.0).to_frame())
    typical = fm.required_changes(m, [goal])[0]
    assert not np.allclose(own.table["change_sd"], typical.table["change_sd"])


def test_indicator_lexicon_is_built_once_for_repeated_recommendations(monkeypatch):
    """recommend(area=...) resolves goal names against the catalogue's lexicon; loading or
    copying the same catalogue again must not rebuild it (it was 60% of the call)."""
    from factormodel.analysis import words

    built = []

    class Counting(words.Lexicon):
        def __init__(self, kind, *args, **kwargs):
            if kind == "indicator":
                built.append(kind)
            super().__init__(kind, *args, **kwargs)

    monkeypatch.setattr(words, "Lexicon", Counting)
    monkeypatch.setattr(words, "_LEXICONS", {})
    m = fm.load_model("rotterdam-jeugd")
    prof = fm.profile(m, fm.load_example_data("rotterdam"), level="wijk")
    area = prof.deltas.index[3]
    first = fm.recommend(m, prof, {"vsv": 1.0, "jeugdcriminaliteit": 0.5}, area=area)
    again = fm.recommend(m, prof, {"vsv": 1.0, "jeugdcriminaliteit": 0.5}, area=area)
    assert len(built) == 1
    pd.testing.assert_frame_equal(first.table, again.table)
    cat = fm.load_indicators(m)
    changed = cat.assign(label_en=cat["label_en"] + " (edited)")
    assert words.indicator_lexicon(changed) is not words.indicator_lexicon(cat)
