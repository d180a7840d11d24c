"""Results say what they were computed from, and figures drawn from them say it by default.

A figure from synthetic data names its area, its reference and says "SYNTHETISCHE DATA" /
"SYNTHETIC DATA" inside itself without being told (review finding 6); a reference computed
from the areas in the data is named as such (finding 10).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import factormodel as fm
from factormodel.analysis import indicators as fm_indicators
from factormodel.tables._results import PROVENANCE, provenance_of

AREA = "Oud-Crooswijk"
MARK = {"nl": "SYNTHETISCHE DATA", "en": "SYNTHETIC DATA"}


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def synthetic():
    model = fm.load_model("rotterdam-jeugd")
    prof = fm.profile(model, fm.load_example_data("rotterdam"), level="wijk")
    return model, prof


@pytest.fixture(scope="module")
def cbs():
    model = fm.load_model("rotterdam-jeugd")
    prof = fm.profile(model, fm.load_example_data("cbs_kwb2017"),
                      indicators=fm.load_example_indicators("cbs_kwb2017"))
    return model, prof


def texts(ax) -> str:
    from matplotlib.text import Text

    ax.figure.canvas.draw()
    return "\n".join(t.get_text() for t in ax.figure.findobj(Text) if t.get_text())


def flat(text: str) -> str:
    """Text with line breaks (wrapped titles) as single spaces."""
    return " ".join(text.split())


def default_figures(model, prof, lang):
    """README blocks 2, 4 and 5 as a researcher writes them: no area=, no synthetic=."""
    row = prof.row(AREA)[list(model.factors)]
    goals = {"vsv": 2, "schoolsucces": 1}
    rec = fm.recommend(model, prof, goals, area=AREA)
    return {
        "contributions": fm.plot_contributions(fm.propagate(model, row, missing="free"), "vsv",
                                               lang=lang),
        "recommendation": fm.plot_recommendation(rec, lang=lang),
        "tornado": fm.plot_tornado(fm.sensitivity(model, outcome="vsv", deltas=row.dropna()),
                                   lang=lang),
        "tornado of a score": fm.plot_tornado(fm.sensitivity(
            model, factor=rec["factor"][0], outcomes=goals, profile=prof.row(AREA)), lang=lang),
        "batch contributions": fm.plot_contributions(
            fm.propagate(model, prof.deltas[list(model.factors)], missing="free"), "vsv",
            scenario=AREA, lang=lang),
    }


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_figures_of_synthetic_area_data_say_so_by_default(synthetic, lang):
    model, prof = synthetic
    vsv = model.node_values(f"label_{lang}")["vsv"]
    for name, ax in default_figures(model, prof, lang).items():
        title = flat(ax.get_title())
        assert MARK[lang] in texts(ax), name
        assert AREA in title and prof.reference_name(lang) in title, name
        assert "2023" in title, name
        if name in ("contributions", "tornado", "batch contributions"):
            assert vsv in title, name  # the outcome by its label, not its id
        plt.close(ax.figure)


def test_tornado_of_a_score_names_the_factor_by_label(synthetic):
    model, prof = synthetic
    goals = {"vsv": 2, "schoolsucces": 1}
    s = fm.sensitivity(model, factor="schoolsucces", outcomes=goals, profile=prof.row(AREA))
    title = flat(fm.plot_tornado(s, lang="en").get_title())
    assert "the score of " + model.node_values("label_en")["schoolsucces"] in title
    gain = fm.sensitivity(model, factor="schoolsucces", outcomes=goals)
    assert "de winst van" in flat(fm.plot_tornado(gain).get_title())


def test_a_synthetic_monte_carlo_result_labels_a_bare_ranking(synthetic):
    model, prof = synthetic
    rec = fm.recommend(model, prof, {"vsv": 1}, area=AREA)
    rec.attrs = {}
    mc = fm.monte_carlo(model, prof.deltas.loc[[AREA]], {"vsv": 1}, n_draws=20, seed=1,
                        progress=False)
    assert mc.synthetic
    assert MARK["en"] in texts(fm.plot_recommendation(rec, intervals=mc, lang="en"))
    assert MARK["nl"] not in texts(fm.plot_recommendation(rec))


def test_explicit_arguments_override_the_record(synthetic):
    model, prof = synthetic
    rec = fm.recommend(model, prof, {"vsv": 1}, area=AREA)
    ax = fm.plot_recommendation(rec, area="Wijk X", reference="mijn referentie", synthetic=False)
    assert "Wijk X" in ax.get_title() and "mijn referentie" in ax.get_title()
    assert AREA not in ax.get_title()
    assert MARK["nl"] not in texts(ax)


def test_plain_inputs_claim_nothing(synthetic):
    model, _ = synthetic
    r = fm.propagate(model, {"schoolverzuim": -0.5})
    assert r.provenance == {}
    ax = fm.plot_contributions(r, "vsv")
    assert "SYNTHET" not in texts(ax).upper()
    assert "tegenover" not in ax.get_title()
    s = fm.sensitivity(model, outcome="vsv", deltas={"schoolverzuim": 1.0})
    assert set(s.attrs[PROVENANCE]) == {"outcome", "value", "label_nl", "label_en"}


def test_the_record_survives_selection_and_travels_into_results(synthetic):
    model, prof = synthetic
    row = prof.row(AREA)[list(model.factors)].dropna()
    record = provenance_of(row)
    assert record["area"] == AREA and record["synthetic"] is True and record["year"] == 2023
    r = fm.propagate(model, row)
    assert r.provenance == record
    assert repr(r).endswith(f"inputs of {AREA!r}, SYNTHETIC data>")
    rec = fm.recommend(model, prof, {"vsv": 1}, area=AREA)
    assert rec.attrs[PROVENANCE] == prof.provenance(AREA)
    # a row picked by hand from the deltas: its name is the area
    assert provenance_of(prof.deltas.loc["Tarwewijk"])["area"] == "Tarwewijk"


def test_a_real_profile_does_not_say_synthetic(cbs):
    model, prof = cbs
    area = prof.index[0]
    r = fm.propagate(model, prof.row(area).dropna())
    assert r.provenance["synthetic"] is False
    ax = fm.plot_contributions(r, "vsv", lang="en")
    assert "SYNTHETIC" not in texts(ax) and area in ax.get_title()


def test_computed_city_mean_is_named_as_such(cbs):
    model, prof = cbs
    nl = "het naar bevolking gewogen gemiddelde van 75 gebieden in de data"
    en = "the population-weighted mean of 75 areas in the data"
    assert (prof.reference_name("nl"), prof.reference_name("en")) == (nl, en)
    assert "stedelijk" not in prof.reference_name("nl") and "city" not in repr(prof)
    assert en in repr(prof)
    area = prof.index[0]
    assert nl in flat(fm.plot_profile(model, prof, area=area).get_title())
    assert en in flat(fm.plot_profile(model, prof, area=area, lang="en").get_title())
    # with a city row, the city's own figure is the city average
    synthetic = fm.profile(model, fm.load_example_data("rotterdam"), level="wijk")
    assert synthetic.reference_name("nl") == "het stedelijk gemiddelde"


def test_unweighted_computed_mean_is_named_without_weights():
    model = fm.load_model("rotterdam-jeugd")
    data = fm.load_example_data("rotterdam")
    wijk = data[(data["level"] == "wijk") & (data["year"] == 2023)]
    wijk = wijk[~wijk["area"].isin(fm_indicators.CITY_NAMES)].assign(population=float("nan"))
    prof = fm.profile(model, wijk, level="wijk")
    n = wijk["area"].nunique()
    assert prof.reference_name("en") == f"the mean of {n} areas in the data"
    assert prof.reference_name("nl") == f"het gemiddelde van {n} gebieden in de data"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_credit_line_of_real_data_is_in_the_figure_language(cbs, lang):
    model, prof = cbs
    text = texts(fm.plot_profile(model, prof, area=prof.index[0], lang=lang))
    dutch = "75 van de 92 Rotterdamse buurten: 17 met onvolledige waarden ontbreken"
    english = "75 of Rotterdam's 92 buurten: 17 with incomplete values are absent"
    flat = " ".join(text.split())
    assert (dutch in flat) == (lang == "nl") and (english in flat) == (lang == "en")


def test_profile_repr_leaves_out_an_unknown_level():
    prof = fm.Profile(pd.DataFrame({"vsv": [0.1]}, index=["A"]), year=2023)
    assert repr(prof) == "<Profile of 1 area(s), 2023, against the reference>"
    assert "?" not in repr(fm.Profile(prof.deltas))
