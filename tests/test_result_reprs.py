"""Result reprs are one-line summaries; notebook summaries format money, small values and
interval levels so that they can be read (review finding 13)."""

from __future__ import annotations

import re

import pytest

import factormodel as fm
from factormodel.tables._html import euros, small

AREA = "Oud-Crooswijk"


@pytest.fixture(scope="module")
def results():
    model = fm.load_model("rotterdam-jeugd")
    prof = fm.profile(model, fm.load_example_data("rotterdam"), level="wijk")
    goals = {"vsv": 2, "schoolsucces": 1}
    portfolio = fm.optimize_portfolio(model, prof, fm.load_interventions(model),
                                      budget=250_000, outcomes=goals, area=AREA,
                                      population=prof.population_of(AREA))
    mc = fm.monte_carlo(model, prof.deltas.loc[[AREA, "Tarwewijk"]], goals, n_draws=40,
                        seed=1, interval=0.8, progress=False)
    other = model.with_weights(model.edges.assign(weight=model.edges["weight"] * 0.9)
                               [["source", "target", "weight"]])
    comparison = fm.compare(model, other, prof.deltas.head(4), outcomes=goals)
    return portfolio, mc, comparison


def test_reprs_are_one_line_summaries(results):
    portfolio, mc, comparison = results
    for result in results:
        text = repr(result)
        assert "\n" not in text and len(text) < 300, text
        assert text.startswith(f"<{type(result).__name__}") and text.endswith(">")
    chosen = len(portfolio.chosen)
    assert f"{chosen} intervention(s) chosen" in repr(portfolio)
    assert euros(portfolio.budget) in repr(portfolio) and "SYNTHETIC" in repr(portfolio)
    defaults = int(portfolio.chosen["effect_is_default"].sum())
    assert defaults and f"{defaults} default effect size(s)" in repr(portfolio)
    assert "2 area(s), " in repr(mc) and "80% intervals" in repr(mc)
    assert f"{mc.n_valid} of 40" in repr(mc) and "SYNTHETIC" in repr(mc)
    assert f"{len(comparison.edges)} edge weight(s) differ" in repr(comparison)
    assert "of 4 area(s)" in repr(comparison)


def test_portfolio_html_shows_euros_readable_values_and_default_flags(results):
    portfolio = results[0]
    html = portfolio._repr_html_()
    for cost in portfolio.chosen["cost"]:
        assert f"€{cost:,.0f}<" in html
    assert not re.search(r"\d,\d{3}\.\d{3}", html)  # no '100,000.000'
    cells = re.findall(r"<td>([-+]?\d[\d.e+-]*)</td>", html)
    assert cells and "0.000" not in cells and "-0.000" not in cells
    for value in portfolio.chosen["value"]:
        assert small(value) in html
    assert "* effect size is the stated default" in html
    assert html.count(" *</td>") == int(portfolio.chosen["effect_is_default"].sum())
    assert "SYNTHETIC data" in html


def test_monte_carlo_html_states_the_interval_level(results):
    html = results[1]._repr_html_()
    assert "80% intervals (low, high)" in html and "SYNTHETIC" in html


@pytest.mark.parametrize(("x", "text"), [(0.00042, "0.00042"), (0.0, "0.000"),
                                         (0.0123, "0.012"), (-0.0004, "-0.0004"),
                                         (float("nan"), "–")])
def test_small_values_never_show_as_zero(x, text):
    assert small(x) == text


def test_euros_are_whole():
    assert euros(100_000.0) == "€100,000" and euros(1234.56) == "€1,235"
