"""Her own spreadsheet (issue 24/26 follow-up): a young-people column with an age band and
thousands dots, a column mapping that names it, the wijkplan's partners and --out."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import factormodel as fm
from factormodel.analysis.columns import apply_columns, as_columns, propose_columns
from factormodel.analysis.population import young_people
from factormodel.errors import DataError, DataWarning
from factormodel.files.areas import normalize_area_data
from factormodel.text.messages import error, warning

HEADER = "Aantal jongeren (0-22 jaar)"


def _wide(counts: list[str], header: str = HEADER) -> pd.DataFrame:
    return pd.DataFrame({"Wijk": ["Rotterdam", "Oud-Crooswijk", "Bloemhof"],
                         "Jaar": ["2022"] * 3, header: counts,
                         "% voortijdig schoolverlaters": ["3,0", "4,3", "4,6"]})


def test_a_young_people_header_with_an_age_band_is_the_population_with_thousands_dots():
    data = normalize_area_data(_wide(["171.250", "2.410", "4.290"]))
    assert data.attrs["population_column"] == HEADER
    assert set(data["indicator"]) == {"% voortijdig schoolverlaters"}
    assert data.groupby("area")["population"].first().to_dict() == {
        "Bloemhof": 4290.0, "Oud-Crooswijk": 2410.0, "Rotterdam": 171250.0}


def test_a_value_column_still_refuses_thousands_dots():
    raw = _wide(["1", "2", "3"]).assign(**{"% eenoudergezinnen": ["2.410", "3,5", "4,0"]})
    with pytest.raises(DataError, match=r"2\.410"):
        normalize_area_data(raw)


def test_her_young_people_column_reaches_the_portfolio():
    model = fm.load_model("rotterdam-jeugd")
    prof = fm.profile(model, _wide(["171.250", "2.410", "4.290"]),
                      columns={"% voortijdig schoolverlaters": "vsv_nieuw"})
    young = young_people(prof, "Oud-Crooswijk")
    assert (young.number, young.column) == (2410.0, HEADER)


def _catalogue() -> pd.DataFrame:
    return fm.load_indicators(fm.load_model("rotterdam-jeugd"))


def test_the_mapping_says_a_column_is_the_number_of_young_people():
    cat = _catalogue()
    raw = _wide(["171250", "2410", "4290"], header="Totaal 0-22")
    data = normalize_area_data(raw)
    mapping = as_columns({"Totaal 0-22": "jongeren", "% voortijdig schoolverlaters": "vsv_nieuw"},
                         cat)
    out = apply_columns(data, mapping, cat)
    assert set(out["indicator"]) == {"vsv_nieuw"}
    assert out.attrs["population_column"] == "Totaal 0-22"
    assert out.groupby("area")["population"].first()["Oud-Crooswijk"] == 2410.0


def test_an_empty_indicator_leaves_a_column_out_with_a_coded_warning():
    cat = _catalogue()
    data = normalize_area_data(_wide(["1", "2", "3"], header="Opmerking"))
    mapping = as_columns(pd.DataFrame({"kolom": ["Opmerking", "% voortijdig schoolverlaters"],
                                       "indicator": ["", "vsv_nieuw"]}), cat)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = apply_columns(data, mapping, cat)
    assert set(out["indicator"]) == {"vsv_nieuw"}
    [w] = [w for w in caught if issubclass(w.category, DataWarning)]
    assert w.message.code == "mapping_left_out"  # type: ignore[union-attr]


def test_a_bad_mapping_line_is_coded_and_dutch():
    with pytest.raises(DataError) as info:
        as_columns({"X": "geen_bestaande_indicator"}, _catalogue())
    assert info.value.code == "mapping_problems"
    nl = error(info.value, "nl")
    assert "kolomkoppeling" in nl and "of 'jongeren' voor het aantal jongeren" in nl
    assert "column mapping" not in nl


def test_kolommen_proposes_the_young_people_column(tmp_path, capsys):
    from factormodel.cli import main

    f = tmp_path / "wijk.csv"
    _wide(["171.250", "2.410", "4.290"]).to_csv(f, sep=";", index=False)
    out = tmp_path / "kolommen.csv"
    assert main(["kolommen", str(f), "--out", str(out)]) == 0
    assert f"{HEADER};jongeren;zoals" in out.read_text(encoding="utf-8-sig")
    p = propose_columns(_catalogue(), ["% voortijdig schoolverlaters"], young=HEADER)
    assert p.table.iloc[0]["indicator"] == "jongeren"


def test_a_count_mapped_as_a_share_is_refused_in_dutch_saying_the_fix():
    raw = _wide(["171250", "2410", "4290"], header="Totaal 0-22")
    cols = {"Totaal 0-22": "bijbaan_15_22", "% voortijdig schoolverlaters": "vsv_nieuw"}
    with pytest.raises(DataError) as info:
        fm.profile(fm.load_model("rotterdam-jeugd"), raw, columns=cols)
    assert info.value.code == "levels_impossible"
    nl = error(info.value, "nl")
    assert "2410 is geen aandeel (%)" in nl and "koppel die kolom" in nl
    assert "de referentie (city) is 171250, buiten 0 tot 100" in nl
    assert "exactly 0 or everyone" not in str(info.value)


def test_repeated_problems_of_a_column_are_listed_once_with_their_rows():
    raw = _wide(["171.250", "2.410", "4.290"], header="Totaal 0-22")
    with pytest.raises(DataError) as info:
        normalize_area_data(raw)
    message = str(info.value)
    assert message.count("separates thousands") == 1
    assert "3 values in column 'Totaal 0-22' (rows 1-3), e.g. '171.250'" in message
    nl = error(info.value, "nl")
    assert "3 waarden in kolom 'Totaal 0-22' (rijen 1-3), bijvoorbeeld '171.250'" in nl


def test_a_mapped_young_people_column_is_read_with_thousands_dots(tmp_path, capsys):
    from factormodel.cli import main

    data = tmp_path / "wijk.csv"
    _wide(["171.250", "2.410", "4.290"], header="Totaal 0-22").to_csv(data, sep=";",
                                                                       index=False)
    mapping = tmp_path / "kolommen.csv"
    mapping.write_text("kolom;indicator\nTotaal 0-22;jongeren\n"
                       "% voortijdig schoolverlaters;vsv_nieuw\n", encoding="utf-8")
    assert main(["recommend", "rotterdam-jeugd", str(data), "--area", "Oud-Crooswijk",
                 "--goal", "vsv_nieuw", "--kolommen", str(mapping), "--budget",
                 "200.000"]) == 0
    assert "voor 2.410 jongeren" in capsys.readouterr().out


def test_a_column_outside_her_mapping_that_is_no_indicator_is_left_out_with_the_fix():
    raw = _wide(["171250", "2410", "4290"], header="Totaal 0-22")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prof = fm.profile(fm.load_model("rotterdam-jeugd"), raw,
                          columns={"% voortijdig schoolverlaters": "vsv_nieuw"})
    assert "vsv_nieuw" in prof.values.columns
    [w] = [w for w in caught if getattr(w.message, "code", "") == "columns_not_mapped"]
    assert "'Totaal 0-22'" in str(w.message)
    nl = warning(w.message, "nl")
    assert "staan niet in de kolomkoppeling" in nl and "'jongeren'" in nl
