"""``summary(lang)`` on the main result classes: the numbers of the result, in Dutch and
English, with SYNTHETIC data said and an unknown language refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factormodel as fm

AREA = "Oud-Crooswijk"


@pytest.fixture(scope="module")
def rotterdam():
    m = fm.load_model("rotterdam-jeugd")
    return m, fm.profile(m, fm.load_example_data(), level="wijk")


def test_propagation_summary_one_and_several_scenarios(rotterdam):
    toy = fm.load_model("toy")
    r = fm.propagate(toy, {"armoede": 1.0})
    vsv = float(r.outcomes["vsv"])
    assert f"voortijdig schoolverlaten +{vsv:.3f}".replace(".", ",") in r.summary()
    assert f"early school leaving +{vsv:.3f}" in r.summary("en")
    assert "from 1 given node," in r.summary("en") and "door 1 gegeven knooppunt," in r.summary()
    m, prof = rotterdam
    one = fm.propagate(m, prof.row(AREA)[list(m.factors)], missing="free")
    assert one.summary().startswith(f"{AREA}: Voorspelde verandering")
    assert one.summary().endswith("SYNTHETISCHE gegevens, geen metingen.")
    batch = fm.propagate(m, prof.deltas[list(m.factors)], missing="free")
    assert f"in {len(prof.deltas)} scenarios, on average" in batch.summary("en")
    with pytest.raises(fm.InvalidParameterError, match="lang"):
        r.summary("fr")


def test_portfolio_summary_states_cost_budget_and_choice(rotterdam):
    m, prof = rotterdam
    p = fm.optimize_portfolio(m, prof, fm.load_interventions(m), budget=250_000,
                              outcomes={"vsv": 1}, population=4000, area=AREA)
    nl, en = p.summary(), p.summary("en")
    cost = f"{p.total_cost:,.0f}"
    assert f"voor € {cost.replace(',', '.')} van € 250.000" in nl
    assert f"for €{cost} of €250,000" in en
    assert all(name in en for name in p.chosen["name"])
    assert f"{len(p.left_out)} left out" in en and nl.endswith("geen metingen.")
    with pytest.raises(fm.InvalidParameterError, match="lang"):
        p.summary("EN")


def test_monte_carlo_summary_counts_draws_and_names_the_stable_factor(rotterdam):
    m, prof = rotterdam
    mc = fm.monte_carlo(m, prof.deltas.loc[[AREA]], {"vsv": 1}, n_draws=40, seed=2,
                        progress=False)
    en = mc.summary("en")
    assert en.startswith(f"{mc.n_valid} of 40 weight draws valid ({mc.n_divergent} diverged)")
    row = mc.rank_stability.loc[AREA]
    share = f"{100 * row.max():.0f}%"
    label = m.nodes.loc[row.idxmax(), "label_en"]  # the factor by its label, not its id
    assert f"{AREA}: {label} is in the top {mc.top} in {share} of draws." in en
    assert "gewichtstrekkingen geldig" in mc.summary() and mc.summary().endswith("metingen.")


def test_monte_carlo_summary_of_an_area_with_nothing_ranked(rotterdam):
    # Stadsdriehoek has no measured factor with room for VSV: every share is 0, and the
    # summary said "ontwikkelingsachterstand staat in 0% van de trekkingen in de top 3"
    m, prof = rotterdam
    mc = fm.monte_carlo(m, prof.deltas.loc[["Stadsdriehoek"]], {"vsv": 1}, n_draws=40,
                        seed=2, progress=False)
    assert mc.rank_stability.loc["Stadsdriehoek"].max() == 0
    assert "Stadsdriehoek: in geen enkele trekking staat een factor in de top 3." in mc.summary()
    assert "Stadsdriehoek: no factor is in the top 3 in any draw." in mc.summary("en")


def test_estimate_summary_counts_informed_weights():
    toy = fm.load_model("toy")
    data = pd.DataFrame(np.random.default_rng(3).standard_normal((100, 6)),
                        columns=list(toy.node_ids)).drop(columns="vsv")
    est = fm.estimate_weights(toy, data)
    done = int(est.edges["estimate"].notna().sum())
    assert 0 < done < len(est.edges)  # the edges into vsv are not informed
    assert est.summary("en").startswith(f"{done} of {len(est.edges)} edge weights estimated")
    assert est.summary().startswith(f"{done} van {len(est.edges)} verbindingsgewichten")
    median = float(est.fit["r2"].dropna().median())
    assert f"Median R² per node: {median:.2f}." in est.summary("en")  # 0.0072 -> 0.01
    assert f"Mediaan R² per knooppunt: {median:.2f}.".replace(".", ",", 1) in est.summary()


def test_the_wijk_analysis_summary_writes_her_numbers_in_her_language():
    # it wrote "(69.3 tegen 68.1)" and "jongeren (the data)" in Dutch, and did not say that
    # the example data are synthetic
    m = fm.load_model("rotterdam-jeugd")
    a = fm.analyse(m, fm.load_example_data(), AREA, ["vsv:-1pp:3j"], budget=250_000)
    nl, en = a.summary("nl"), a.summary("en")
    worst = a.indicators[a.indicators["verdict"] == "worse"].iloc[0]
    value = fm.text.numbers.in_unit(worst["value"], worst["unit"], "nl")
    assert f"Het verst achter: {worst['label_nl']} ({value} tegen " in nl
    assert "," in value and "." not in value.split(" ")[0]
    assert "SYNTHETISCHE DATA" in nl and "SYNTHETIC DATA" in en
    n = len(a.portfolio.chosen)
    assert f"kiest {n} interventie{'' if n == 1 else 's'} voor" in nl
    # the young people as the report says them (one wording: YoungPeople.describe)
    assert f"voor {a.young_people().describe('nl')}." in nl
    assert "uit de kolom 'population' van de data" in nl
    assert "from the data's column 'population'" in en and "all ages given" not in en
    assert "the data" not in nl and "(s)" not in nl
