"""Her own file: column mapping, opposite measures, young people, no money for nothing.

The fixture is what a gebiedsadviseur exports: cp1252, ``;``, decimal commas, her own
Dutch headers (one measuring the opposite of the catalogue's indicator, one a fraction),
an ``Inwoners`` column of all residents and a Rotterdam row.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import factormodel as fm
from factormodel.analysis import indicators as fm_indicators
from factormodel.analysis.columns import apply_columns, as_columns, propose_columns, read_columns
from factormodel.analysis.population import YoungPeople, young_people
from factormodel.analysis.portfolio import negligible_effect
from factormodel.analysis.words import opposite_words, resolve_indicator
from factormodel.cli import main
from factormodel.errors import DataError, UnknownIndicatorError
from factormodel.text import words as fm_lang

HER_FILE = (
    "Wijk;Jaar;Inwoners;% huishoudens met laag inkomen;"
    "% 18-22 jaar zonder startkwalificatie;% leerplichtigen met verzuimmelding;"
    "Aandeel eenoudergezinnen (fractie)\r\n"
    "Bloemhof;2016;14.020;31,9;24,0;8,4;0,41\r\n"
    "Tarwewijk;2016;12.313;33,5;26,5;9,1;0,43\r\n"
    "Rotterdam;2016;629.606;22,9;17,0;6,0;0,30\r\n")

HER_MAPPING = (
    "kolom;indicator;transformatie;definitie;jaar\r\n"
    "% huishoudens met laag inkomen;huishoudens_laag_inkomen;zoals;"
    "huishoudens onder 120% van het sociaal minimum;2016\r\n"
    "% 18-22 jaar zonder startkwalificatie;% jongeren 18-22 jaar met startkwalificatie;"
    "complement (100 - x);;2016\r\n"
    "% leerplichtigen met verzuimmelding;verzuim_meldingen;;;\r\n"
    "Aandeel eenoudergezinnen (fractie);eenoudergezinnen;fractie;;\r\n")

#: Her figures in the catalogue's definitions (what the mapping must produce).
EXPECTED = {"huishoudens_laag_inkomen": (31.9, 22.9), "startkwalificatie_18_22": (76.0, 83.0),
            "verzuim_meldingen": (8.4, 6.0), "eenoudergezinnen": (41.0, 30.0)}


@pytest.fixture(scope="module")
def model():
    return fm.load_model("rotterdam-jeugd")


@pytest.fixture(scope="module")
def cat(model):
    return fm.load_indicators(model)


@pytest.fixture
def her(tmp_path):
    data = tmp_path / "mijnwijk.csv"
    data.write_bytes(HER_FILE.encode("cp1252"))
    mapping = tmp_path / "kolommen.csv"
    mapping.write_bytes(HER_MAPPING.encode("cp1252"))
    return data, mapping


def _by_ids(tmp_path, labels: bool = False) -> pd.DataFrame:
    """The same figures, already in the catalogue's definitions, headed by ids or labels."""
    cat = fm.load_indicators(fm.load_model("rotterdam-jeugd"))
    rows = {"Bloemhof": 0, "Rotterdam": 1}
    frame = pd.DataFrame({"wijk": list(rows), "jaar": 2016, "jongeren": [1500, 60000]})
    for ind, values in EXPECTED.items():
        frame[cat.loc[ind, "label_nl"] if labels else ind] = list(values)
    return frame


# --------------------------------------------------------------------------- opposites


def test_opposite_words_pairs_and_niet():
    assert opposite_words("% zonder startkwalificatie", "% met startkwalificatie") == \
        ("zonder", "met")
    assert opposite_words("% geen werk", "% wel werk") == ("geen", "wel")
    assert opposite_words("% kinderen dat niet beweegt", "% kinderen dat beweegt") == \
        ("niet", "")
    assert opposite_words("% met laag inkomen", "% met laag inkomen") is None


def test_did_you_mean_never_suggests_the_opposite(cat):
    with pytest.raises(UnknownIndicatorError) as exc:
        resolve_indicator(cat, "% 18-22 jaar zonder startkwalificatie")
    text = str(exc.value)
    assert "did you mean" not in text  # the only close name is its opposite
    assert "measures the opposite" in text and "complement" in text


def test_dutch_cli_message_for_the_opposite(her, capsys):
    data, _ = her
    assert main(["profile", "rotterdam-jeugd", str(data)]) == 2
    err = capsys.readouterr().err
    assert "meet het tegendeel" in err and "bedoelde u '% jongeren 18-22" not in err


# --------------------------------------------------------------------------- proposals


def test_proposal_offers_an_opposite_only_as_complement(cat):
    p = propose_columns(cat, ["% 18-22 jaar zonder startkwalificatie",
                              "% kinderen dat dagelijks een uur beweegt"])
    rows = p.table
    kwal = rows[rows["indicator"] == "startkwalificatie_18_22"].iloc[0]
    assert kwal["transformatie"] == "complement" and "tegendeel" in kwal["reason"]
    move = rows[rows["indicator"] == "niet_dagelijks_bewegen"].iloc[0]
    assert move["transformatie"] == "complement"
    # no plain ('zoals') proposal is ever an opposite
    plain = rows[rows["transformatie"] == "zoals"]
    labels = cat["label_nl"]
    assert not any(opposite_words(r.kolom, labels[r.indicator]) for r in plain.itertuples())


def test_proposal_ranked_with_reasons_fraction_and_unknown(cat):
    p = propose_columns(cat, ["Aandeel eenoudergezinnen (fractie)", "Aantal fietsen"],
                        values={"Aandeel eenoudergezinnen (fractie)": [0.41, 0.3]})
    first = p.table[p.table["kolom"].str.startswith("Aandeel")]
    assert first["rank"].tolist() == sorted(first["rank"])
    assert first["score"].is_monotonic_decreasing
    assert first.iloc[0]["indicator"] == "eenoudergezinnen"
    assert first.iloc[0]["transformatie"] == "fractie"
    bikes = p.table[p.table["kolom"] == "Aantal fietsen"]
    assert bikes["indicator"].tolist() == [""] and "koppel zelf" in bikes["reason"].iloc[0]
    mapping = p.mapping()
    assert mapping["kolom"].tolist() == ["Aandeel eenoudergezinnen (fractie)"]


def test_cli_kolommen_writes_a_mapping_that_reads_back(her, cat, tmp_path, capsys):
    data, _ = her
    out = tmp_path / "voorstel.csv"
    assert main(["kolommen", str(data), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "complement" in text and "--kolommen" in text
    mapping = read_columns(out, cat)
    got = dict(zip(mapping.table["kolom"], mapping.table["transformatie"], strict=True))
    assert got["% 18-22 jaar zonder startkwalificatie"] == "complement"
    assert got["Aandeel eenoudergezinnen (fractie)"] == "fractie"


# --------------------------------------------------------------------------- reading


def test_read_columns_cp1252_labels_and_transforms(her, cat):
    _, mapping = her
    m = read_columns(mapping, cat)
    t = m.table.set_index("kolom")
    assert t.loc["% 18-22 jaar zonder startkwalificatie", "indicator"] == \
        "startkwalificatie_18_22"  # named by its Dutch label
    assert t.loc["% 18-22 jaar zonder startkwalificatie", "transformatie"] == "complement"
    assert t.loc["% leerplichtigen met verzuimmelding", "transformatie"] == "zoals"
    assert t.loc["% huishoudens met laag inkomen", "jaar"] == 2016
    assert math.isnan(t.loc["Aandeel eenoudergezinnen (fractie)", "jaar"])


def test_read_columns_xlsx(tmp_path, cat):
    path = tmp_path / "kolommen.xlsx"
    pd.DataFrame({"column": ["Verdachten per 1000"], "indicator": ["verdachten_12_24"],
                  "transformation": ["as is"]}).to_excel(path, index=False)
    assert read_columns(path, cat).table["indicator"].tolist() == ["verdachten_12_24"]


def test_read_columns_every_problem_located_at_once(tmp_path, cat):
    path = tmp_path / "kolommen.csv"
    path.write_text("kolom;indicator;transformatie;jaar\n"
                    "a;onbekend_ding;;\n"            # line 2: unknown indicator
                    "b;eindtoets;complement;\n"      # line 3: complement of a score
                    "c;vsv_nieuw;keer twee;\n"       # line 4: unknown transformation
                    "c;vsv_nieuw;;\n"                # line 5: mapped twice
                    "d;vsv_nieuw;;twintig\n",        # line 6: bad year
                    encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_columns(path, cat)
    text = str(exc.value)
    assert "5 problem(s)" in text
    for line in ("line 2", "line 3", "line 4", "line 5", "line 6"):
        assert line in text
    assert "'score'" in text and "keer twee" in text and "mapped twice" in text


def test_read_columns_needs_its_columns(tmp_path, cat):
    path = tmp_path / "k.csv"
    path.write_text("naam;wat\nx;y\n", encoding="utf-8")
    with pytest.raises(DataError, match="kolom"):
        read_columns(path, cat)


def test_apply_refuses_two_columns_on_one_indicator_and_big_fractions(cat):
    long = pd.DataFrame({"area": ["A", "A"], "level": "", "year": 2016,
                         "indicator": ["x", "y"], "value": [0.5, 0.4], "population": np.nan,
                         "flag": ""})
    both = as_columns({"x": "vsv_nieuw", "y": "vsv_nieuw"}, cat)
    with pytest.raises(DataError, match="two columns"):
        apply_columns(long, both, cat)
    frac = as_columns(pd.DataFrame({"kolom": ["x"], "indicator": ["eenoudergezinnen"],
                                    "transformatie": ["fractie"]}), cat)
    with pytest.raises(DataError, match="fraction"):
        apply_columns(long.assign(value=[41.0, 1.0]), frac, cat)


# --------------------------------------------------------------------------- one report


def test_mapped_headers_give_her_figures_in_catalogue_terms(her, model):
    data, mapping = her
    prof = fm.profile(model, data, columns=mapping)
    long, _, _ = fm_indicators.area_table(model, data, columns=mapping)
    mine = long[long["area"] == "Bloemhof"].set_index("indicator")["value"]
    for ind, (value, ref) in EXPECTED.items():
        assert mine[ind] == pytest.approx(value)
        assert prof.reference_values[ind] == pytest.approx(ref)
    assert any("complement" in a for a in prof.assumptions)


@pytest.mark.parametrize("how", ["ids", "labels", "mapped"])
def test_ids_labels_and_mapped_headers_give_the_same_report(how, her, model, tmp_path):
    data, mapping = her
    if how == "mapped":
        source, options = data, {"columns": str(mapping)}
    else:
        source, options = _by_ids(tmp_path, labels=how == "labels"), {}
    html = fm.report(model, source, "Bloemhof", ["schoolverzuim"], n_draws=50,
                     profile_options=options, date="2026-12-06")
    section = html.split('id="profiel"')[1].split("</section>")[0]
    assert "geen indicatoren uit de catalogus gemeten" not in section
    for ind in EXPECTED:
        assert fm.load_indicators(model).loc[ind, "label_nl"] in section
    assert "76,0%" in section and "83,0%" in section  # 100 − 24 and 100 − 17
    ids = fm.profile(model, _by_ids(tmp_path))
    other = fm.profile(model, source, **options)
    pd.testing.assert_series_equal(other.row("Bloemhof"), ids.row("Bloemhof"))


# --------------------------------------------------------------------------- young people


def test_inwoners_is_never_taken_for_young_people(her, model, capsys):
    data, mapping = her
    prof = fm.profile(model, data, columns=mapping)
    assert prof.population_column == "Inwoners"
    with pytest.raises(DataError, match="all residents"):
        young_people(prof, "Bloemhof")
    said = young_people(prof, "Bloemhof", column_is_young=True, ages="12-18")
    assert (said.number, said.source, said.column) == (14020.0, "column", "Inwoners")
    given = young_people(prof, "Bloemhof", number=1500, ages="12-18")
    assert given.describe("nl") == "1.500 jongeren van 12-18 jaar (door u opgegeven)"
    args = ["recommend", "rotterdam-jeugd", str(data), "--kolommen", str(mapping),
            "--area", "Bloemhof", "--goal", "schoolverzuim:-2pp:3j:12-18",
            "--budget", "250.000"]
    assert main(args) == 2
    assert "telt alle inwoners" in capsys.readouterr().err
    assert main([*args, "--jongeren", "1500", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["young_people"]["number"] == 1500 and doc["young_people"]["ages"] == "12-18"
    assert doc["portfolio"]["young_people"]["source"] == "given"
    assert doc["portfolio"]["budget_left"] == pytest.approx(
        doc["portfolio"]["budget"] - doc["portfolio"]["total_cost"])
    assert main([*args, "--jongeren", "1500"]) == 0
    out = capsys.readouterr().out
    assert "voor 1.500 jongeren van 12-18 jaar (door u opgegeven)" in out
    assert "over van het budget" in out


def test_young_people_column_is_used_and_said(tmp_path, model):
    prof = fm.profile(model, _by_ids(tmp_path))
    young = young_people(prof, "Bloemhof")
    assert (young.number, young.column) == (1500.0, "jongeren")
    assert "kolom 'jongeren'" in young.describe("nl")


def test_young_people_bad_number():
    prof = fm.profile(fm.load_model("toy"), pd.DataFrame(
        {"wijk": ["A", "B"], "jaar": 2023, "vsv_nieuw": [3.0, 2.0]}))
    with pytest.raises(fm.InvalidParameterError):
        young_people(prof, "A", number=0)
    with pytest.raises(DataError, match="no population for 'A'"):
        young_people(prof, "A")
    with pytest.raises(fm.InvalidParameterError):
        young_people(prof, "A", number=10, ages="18-12")


# --------------------------------------------------------------------------- money


def test_negligible_rule():
    # 0.003 per unit at 5 units reaches 0.015 (kept); 0.004 at 1 unit does not (left out)
    mask, best, threshold = negligible_effect(np.array([0.003, 0.004, 0.2]),
                                              np.array([5, 1, 1]), 1.0)
    assert mask.tolist() == [False, True, False]
    assert threshold == pytest.approx(0.01)
    assert best.tolist() == pytest.approx([0.015, 0.004, 0.2])
    assert negligible_effect(np.array([0.004]), np.array([1]), 0.2)[0].tolist() == [False]


def test_money_for_nothing_is_left_out_with_reason(model):
    prof = fm.profile(model, fm.load_example_data("rotterdam"))
    area = "Bloemhof"
    ivs = fm.load_interventions(model)
    goals = [fm.parse_goal("schoolverzuim:-2pp:3j:12-18")]
    kwargs = {"budget": 250_000, "outcomes": goals, "population": YoungPeople(1500, "12-18"),
              "area": area, "one_per_factor": True, "phases": fm.goal_phases(goals)}
    # a threshold of 5% of the goal: with effects in SD between children (the units
    # change) every programme here reaches the default 1%, so the rule is tested at 5%
    p = fm.optimize_portfolio(model, prof, ivs, min_share=0.05, **kwargs)
    off = fm.optimize_portfolio(model, prof, ivs, min_share=0.0, **kwargs)
    tiny = p.left_out[p.left_out["reason"].str.contains("below the threshold")]
    assert len(tiny)  # the rule left something out
    threshold = p.constraints["threshold_sd"]
    assert threshold > 0
    # every intervention it left out could not reach the threshold even at its most units
    assert (tiny["value_per_unit"] > 0).all()
    assert not set(tiny["intervention"]) & set(p.chosen["intervention"])
    # without the rule, the chosen interventions bring less per intervention than the threshold
    # for at least one of them, or the same portfolio results (never more money for nothing)
    small = off.chosen[off.chosen["value"] < threshold]
    assert set(small["intervention"]) <= set(tiny["intervention"])
    assert p.budget_left == pytest.approx(p.budget - p.total_cost)
    dutch = fm_lang.reason(tiny["reason"].iloc[0], "nl")
    assert dutch.startswith("verwacht effect op de gekozen doelen") and "SD" in dutch
    with pytest.raises(fm.InvalidParameterError):
        fm.optimize_portfolio(model, prof, ivs, min_share=2, **kwargs)


# --------------------------------------------------------------------------- goals read back


def test_two_percent_less_is_refused_with_both_readings(her, capsys):
    from factormodel.analysis.readback import ambiguous_goal, read_goal

    assert ambiguous_goal("verzuim_meldingen:2 procent minder:3j=2") == (
        "verzuim_meldingen:-2pp:3j=2", "verzuim_meldingen:-2%:3j=2")
    assert ambiguous_goal("x:min 1,5%") == ("x:-1,5pp", "x:-1,5%")
    assert ambiguous_goal("x:+3pp") is None and ambiguous_goal("x:-2%") is None
    assert read_goal("x:-2%").unit == "%" and read_goal("x:-2pp").unit == "pp"
    with pytest.raises(fm.AmbiguousNameError, match="percentage points less"):
        read_goal("x:2% minder")
    data, mapping = her
    assert main(["recommend", "rotterdam-jeugd", str(data), "--kolommen", str(mapping),
                 "--area", "Bloemhof", "--goal", "verzuim_meldingen:2% minder:3j"]) == 2
    err = capsys.readouterr().err
    assert "dubbelzinnig" in err and "-2pp:3j" in err and "-2%:3j" in err


@pytest.mark.parametrize("goal, target", [("verzuim_meldingen:-2pp:3j:12-18", 6.4),
                                          ("verzuim_meldingen:-2%:3j:12-18", 8.4 * 0.98)])
def test_goal_echoed_in_her_units(goal, target, her, model, capsys):
    import datetime

    from factormodel.analysis.readback import echo_goal

    data, mapping = her
    assert main(["recommend", "rotterdam-jeugd", str(data), "--kolommen", str(mapping),
                 "--area", "Bloemhof", "--goal", goal, "--format", "json"]) == 0
    echo = json.loads(capsys.readouterr().out)["goals"][0]["echo"]
    assert echo["current"] == pytest.approx(8.4)  # her wijk's own value
    assert echo["target_value"] == pytest.approx(target)
    assert echo["year"] == datetime.date.today().year + 3
    # the size in SD is the library's own conversion, at her level
    r = fm.resolve_goal(model, fm.parse_goal(goal), level=8.4)
    assert echo["change_sd"] == pytest.approx(r.change_sd)
    e = echo_goal(model, goal, level=8.4, today=datetime.date(2026, 1, 1))
    assert e.text("nl").startswith("verzuim_meldingen 12-18: 8,4% → ")
    assert "in 2029" in e.text("nl")
    assert main(["recommend", "rotterdam-jeugd", str(data), "--kolommen", str(mapping),
                 "--area", "Bloemhof", "--goal", goal]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1:3] == ["Uw doelen, zoals gelezen:", out.splitlines()[2]]
    assert out.splitlines()[2].startswith("  verzuim_meldingen 12-18: 8,4% → ")


def test_proposal_reads_a_small_percentage_stored_as_fractions_as_fractie(cat):
    """VSV 0,029-0,048 from Excel's percentage cells (typical 2,6 %): proposed as
    ``fractie`` by the same rule the data check refuses it with; real small percentages
    (0,3-0,9 %) stay ``zoals``."""
    header = "% voortijdig schoolverlaters"
    as_fractions = propose_columns(cat, [header], values={header: [0.03, 0.043, 0.046, 0.029]})
    assert as_fractions.table.iloc[0][["indicator", "transformatie"]].tolist() == \
        ["vsv_nieuw", "fractie"]
    real = propose_columns(cat, [header], values={header: [0.3, 0.9, 0.5]})
    assert real.table.iloc[0][["indicator", "transformatie"]].tolist() == ["vsv_nieuw", "zoals"]
