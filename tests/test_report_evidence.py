"""The wijkrapport says what the weights rest on and how much of a ranking survives."""

from __future__ import annotations

import re
import warnings

import pytest

import factormodel as fm


@pytest.fixture(scope="module")
def page() -> tuple[str, fm.MonteCarloResult, object]:
    m = fm.load_model("rotterdam-jeugd")
    data = fm.load_example_data("rotterdam")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fm.ModelWarning)
        html = fm.report(m, data, "Oud-Crooswijk", {"vsv": 2}, n_draws=60, seed=3)
        prof = fm.profile(m, data, level="wijk")
        rec = fm.recommend(m, prof, {"vsv": 2}, area="Oud-Crooswijk")
        mc = fm.monte_carlo(m, prof.deltas.loc[["Oud-Crooswijk"]], {"vsv": 2}, n_draws=60,
                            seed=3, top=3, progress=False)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)), mc, rec


def test_report_says_what_share_of_the_ranking_survives(page):
    text, mc, rec = page
    top = rec.loc[rec["status"] == "recommended", "factor"].head(3).tolist()
    kept = round(100 * float(mc.rank_stability.loc["Oud-Crooswijk", top].mean()))
    assert (f"Over de gewichtstrekkingen blijft gemiddeld {kept}% van de top {len(top)} in "
            "de top 3") in text


def test_report_counts_edges_by_basis_and_shares_for_the_goal(page):
    text, _, _ = page
    s = fm.evidence_summary(fm.load_model("rotterdam-jeugd"))
    c = s.edges["edges"]
    assert (f"Van de {int(c.sum())} verbanden hebben er {int(c['published with interval'])} "
            "een gepubliceerde effectgrootte met interval") in text
    assert f"{int(c['class default'])} hebben de standaardwaarde van hun sterkteklasse" in text
    assert "Waarop het effect op de gekozen resultaten rust" in text
    share = round(100 * s.outcomes.loc["vsv", "class default"])
    assert re.search(rf"voortijdig schoolverlaten[^%]*% {share}%", text), share
    assert "standaardwaarde per NJi-erkenningsniveau" not in text
    assert "gepubliceerd nuleffect" in text


@pytest.mark.parametrize("budget, words", [
    (20_000, "Let op: de gekozen interventie heeft geen gepubliceerde effectgrootte."),
    (250_000, "Let op: 3 van de 4 gekozen interventies hebben geen gepubliceerde "
              "effectgrootte."),
])
def test_the_default_effect_note_is_grammatical_and_true(budget, words):
    # it said "per NJi-erkenningsniveau" (the default is the same for every level) and
    # "1 van de 2 ... hebben"
    from factormodel.render import view

    m = fm.load_model("rotterdam-jeugd")
    a = fm.analyse(m, fm.load_example_data(), "Oud-Crooswijk", ["vsv"], budget=budget)
    note = view.build_view(a, "nl").portfolio.effects_note
    assert note.startswith(words), note
    assert "(0,05 SD, voor elk NJi-erkenningsniveau dezelfde)" in note
    assert "per NJi-erkenningsniveau" not in note


def test_what_the_effect_rests_on_lists_a_goal_that_is_a_factor():
    # "Waarop het effect rust" listed VSV only; her second goal, schoolverzuim, is a factor
    from factormodel.render import view

    m = fm.load_model("rotterdam-jeugd")
    a = fm.analyse(m, fm.load_example_data(), "Oud-Crooswijk", ["vsv", "schoolverzuim"])
    rows = [r[0].text for r in view.build_view(a, "nl").caveats.basis.rows]
    assert rows == [m.nodes.loc["vsv", "label_nl"], m.nodes.loc["schoolverzuim", "label_nl"]]
    s = fm.evidence_summary(m, targets=["schoolverzuim"])
    assert abs(float(s.outcomes.loc["schoolverzuim"].sum()) - 1) < 1e-9
    with pytest.raises(fm.UnknownNodeError):
        fm.evidence_summary(m, targets=["schoolverzuimm"])
