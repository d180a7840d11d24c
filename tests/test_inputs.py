"""A researcher's own data in, clear errors out (review findings 4, 5 and 12).

Area data given as a DataFrame of text cells are read exactly like the same CSV file;
example data carry their catalogue; unknown names get a suggestion only when one is
close; wrong shapes, years and report file names get errors that say what to do.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import factormodel as fm
from factormodel.analysis import indicators as fm_indicators
from factormodel.errors import close_matches

INDICATORS = ("vsv_nieuw", "lid_sportvereniging", "misdrijven_per_1000")
AREAS = ("Oud-Crooswijk", "Tarwewijk", "Bospolder", "Carnisse", "Lombardijen")


@pytest.fixture(scope="module")
def rdam() -> fm.FactorModel:
    return fm.load_model("rotterdam-jeugd")


def _profiles_equal(a: fm.Profile, b: fm.Profile) -> None:
    pd.testing.assert_frame_equal(a.deltas, b.deltas)
    pd.testing.assert_series_equal(a.reference_values.sort_index(),
                                   b.reference_values.sort_index())
    pd.testing.assert_series_equal(a.population, b.population)
    assert (a.year, a.level, a.reference_source) == (b.year, b.level, b.reference_source)


# --------------------------------------------------------------------------- finding 4

@st.composite
def area_tables(draw: st.DrawFn) -> pd.DataFrame:
    """A long table of 2-5 areas x 1-3 catalogue indicators, values with up to two
    decimals (some whole, some above 1,000, some missing but never all of an indicator),
    populations given for all areas or none."""
    n_areas = draw(st.integers(2, len(AREAS)))
    n_ind = draw(st.integers(1, len(INDICATORS)))
    rows = []
    pops = draw(st.one_of(st.none(), st.lists(st.integers(1, 250_000), min_size=n_areas,
                                             max_size=n_areas)))
    for k, area in enumerate(AREAS[:n_areas]):
        for ind in INDICATORS[:n_ind]:
            # shares lie inside 0-100 % (their measurement model refuses anything else);
            # the index misdrijven_per_1000 takes any number, above 1,000 too
            values = st.integers(1, 9_999) if ind != "misdrijven_per_1000" else \
                st.integers(-300_000, 300_000)
            cents = draw(values if k == 0 else st.one_of(st.none(), values))
            rows.append({"area": area, "level": "wijk", "year": 2023, "indicator": ind,
                         "value": np.nan if cents is None else cents / 100,
                         "population": np.nan if pops is None else float(pops[k]),
                         "flag": ""})
    return pd.DataFrame(rows)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=area_tables())
def test_a_dutch_csv_and_the_same_frame_of_text_cells_give_equal_profiles(
        table: pd.DataFrame, rdam: fm.FactorModel, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("dutch") / "dutch.csv"
    table.to_csv(path, sep=";", decimal=",", index=False)
    # as a researcher reads it (pandas keeps '1,8' as text), and as text throughout
    inferred = pd.read_csv(path, sep=";")
    as_text = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    with warnings.catch_warnings():  # an indicator measured in one area: said, not wrong
        warnings.simplefilter("ignore")
        from_path = _outcome(rdam, path)
        # as a researcher reads it, as text throughout, and the original numbers
        for other in (inferred, as_text, table):
            got = _outcome(rdam, other)
            if isinstance(from_path, fm.Profile):
                _profiles_equal(from_path, got)
            else:  # small % values look like fractions (a rule about data): the same refusal
                said = from_path[1]
                assert ("look like fraction" in said or "looks like a fraction" in said
                        or "cannot hold" in said) and got == from_path


def _outcome(model: fm.FactorModel, data: object) -> fm.Profile | tuple[str, str]:
    """The profile, or the error (type and message, the source's name left out)."""
    try:
        return fm.profile(model, data)
    except fm.FactorModelError as exc:
        where = f"{data}: " if isinstance(data, Path) else "data: "
        return type(exc).__name__, str(exc).removeprefix(where)


def _long(values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"area": ["A", "B", "C"], "level": "wijk", "year": 2023,
                         "indicator": "vsv_nieuw", "value": values,
                         "population": ["1.200", "800", "2.500"], "flag": ""})


def test_text_cells_of_a_canonical_frame_are_read_by_the_cell_parser(rdam, tmp_path):
    frame = _long(["1,8", "2,4", "3"])
    prof = fm.profile(rdam, frame)
    assert prof.reference_values["vsv_nieuw"] == pytest.approx(
        (1.8 * 1200 + 2.4 * 800 + 3 * 2500) / 4500)
    assert prof.population.to_dict() == {"A": 1200.0, "B": 800.0, "C": 2500.0}


def test_a_bad_cell_in_a_frame_is_named_like_in_the_csv(rdam, tmp_path):
    frame = _long(["1,8", "1,2,3", "3"])
    with pytest.raises(fm.DataError) as in_frame:
        fm.profile(rdam, frame)
    path = tmp_path / "bad.csv"
    frame.to_csv(path, sep=";", index=False)
    with pytest.raises(fm.DataError) as in_file:
        fm.profile(rdam, path)
    # the same cell, the same column and reason; a frame has rows where a file has lines
    assert "'1,2,3' (row 2, 'B', 'vsv_nieuw') in column 'value'" in str(in_frame.value)
    assert "'1,2,3' (line 3, 'B', 'vsv_nieuw') in column 'value'" in str(in_file.value)
    reason = str(in_file.value).split("in column 'value'")[1]
    assert str(in_frame.value).split("in column 'value'")[1] == reason


@pytest.mark.parametrize("name", ["rotterdam", "cbs_kwb2017"])
def test_a_canonical_frame_with_numbers_is_used_as_it_is(name):
    data = fm.load_example_data(name)
    assert fm_indicators.as_area_data(data) is data
    # as text cells it is read back to the very same table (flags, status, source kept)
    pd.testing.assert_frame_equal(fm_indicators.as_area_data(data.astype(str)), data)


# --------------------------------------------------------------------------- finding 5

def test_the_cbs_example_profiles_with_its_own_catalogue_and_says_so(rdam):
    data = fm.load_example_data("cbs_kwb2017")
    prof = fm.profile(rdam, data)
    given = fm.profile(rdam, data, indicators=fm.load_example_indicators("cbs_kwb2017"))
    pd.testing.assert_frame_equal(prof.deltas, given.deltas)
    assert any("fm.load_example_indicators('cbs_kwb2017')" in a for a in prof.assumptions)
    assert not any("load_example_indicators" in a for a in given.assumptions)
    assert prof.deltas.loc["Oude Westen", "armoede"] == pytest.approx(0.38, abs=0.005)
    # a survey of the same data through a filter keeps the column, so the rule still holds
    assert fm.profile(rdam, data[data["area"] != "Oude Westen"]).assumptions


def test_the_model_catalogue_refuses_cbs_columns_without_unrelated_suggestions(rdam):
    data = fm.load_example_data("cbs_kwb2017").drop(columns="catalogue")
    with pytest.raises(fm.UnknownIndicatorError) as err:
        fm.profile(rdam, data)
    msg = str(err.value)
    assert "gem_inkomen_per_inwoner_x1000_eur" in msg and "no close match" in msg
    assert "misdrijven_per_1000" not in msg and "more)" not in msg and len(msg) < 500
    assert msg.endswith("are indicators of example data 'cbs_kwb2017': pass "
                        "indicators=fm.load_example_indicators('cbs_kwb2017')")
    # an explicit catalogue is the user's choice: no hint about example data
    with pytest.raises(fm.UnknownIndicatorError) as err:
        fm.profile(rdam, data, indicators=fm.load_indicators(rdam))
    assert "load_example_indicators" not in str(err.value)
    # a catalogue that does not fit the model is no fix (toy has no concentratie_armoede_buurt)
    with pytest.raises(fm.UnknownIndicatorError) as err:
        fm.profile(fm.load_model("toy"), data)
    assert "load_example_indicators" not in str(err.value)


def test_a_data_catalogue_column_naming_no_example_is_refused(rdam):
    data = fm.load_example_data("cbs_kwb2017")
    with pytest.raises(fm.DataError, match=r"'example:nope'.*available: example:rotterdam"):
        fm.profile(rdam, data.assign(catalogue="example:nope"))
    two = data.assign(catalogue=np.where(data.index % 2, "example:cbs_kwb2017",
                                         "example:rotterdam"))
    with pytest.raises(fm.DataError, match="more than one catalogue"):
        fm.profile(rdam, two)
    # a 'catalogue' column of the user's own that names no example is just a column
    plain = fm.load_example_data("rotterdam").assign(catalogue="mijn notitie")
    said = fm.profile(rdam, plain).assumptions  # only the index rows' assumed SDs
    assert len(said) == 1 and "is assumed, not taken from a norm table" in said[0]


def test_validate_uses_the_catalogue_the_data_name(rdam):
    with pytest.raises(fm.DataError, match="nothing to validate"):
        fm.validate(rdam, fm.load_example_data("cbs_kwb2017"))


def test_the_cli_and_python_use_the_same_catalogue_rule(rdam, capsys):
    from factormodel.cli import main

    assert main(["profile", "rotterdam-jeugd", "example:cbs_kwb2017", "--area",
                 "Oude Westen"]) == 0
    out = capsys.readouterr().out
    assert "AANNAME: indicatorcatalogus: die van de voorbeelddata 'cbs_kwb2017' " \
        "(fm.load_example_indicators('cbs_kwb2017')), genoemd in de kolom 'catalogue'" in out
    assert main(["profile", "rotterdam-jeugd", "example:cbs_kwb2017", "--area",
                 "Oude Westen", "--lang", "en"]) == 0
    assert "ASSUMPTION: indicator catalogue: the one shipped with example data " \
        "'cbs_kwb2017'" in capsys.readouterr().out
    assert "+0,38" in out


# --------------------------------------------------------------------------- finding 12

def test_close_matches_offers_only_close_names():
    nodes = fm.load_model("rotterdam-jeugd").node_ids
    assert close_matches("foo", nodes) == f"no close match among {len(nodes)} valid values"
    assert close_matches("foo", nodes, list_all=False) == ""
    assert close_matches("schoolverzuimm", nodes).startswith("did you mean 'schoolverzuim'")
    assert close_matches("q", ["a", "b"]) == "no close match; valid values: 'a', 'b'"


def test_an_unknown_column_gets_no_unrelated_suggestions(rdam):
    with pytest.raises(fm.UnknownNodeError) as err:
        fm.propagate(rdam, pd.DataFrame({"foo": [1.0], "schoolverzuim": [0.5]}))
    msg = str(err.value)
    assert "'foo' (no close match among 72 valid values)" in msg and "schoolsucces" not in msg


def test_many_unknown_columns_are_counted_and_the_first_few_shown(rdam):
    frame = pd.DataFrame(0.1, index=[0], columns=[f"x{i}" for i in range(20)])
    with pytest.raises(fm.UnknownNodeError) as err:
        fm.propagate(rdam, frame)
    msg = str(err.value)
    assert msg.startswith("20 unknown nodes") and "'x7'" in msg and "'x8'" not in msg
    assert msg.endswith("(and 12 more)")


def test_a_transposed_delta_table_is_named_as_such(rdam):
    prof = fm.profile(rdam, fm.load_example_data("rotterdam"))
    with pytest.raises(fm.UnknownNodeError) as err:
        fm.propagate(rdam, prof.deltas.T)
    msg = str(err.value)
    assert len(msg) < 400, msg
    assert f"{len(prof.index)} of {len(prof.index)} columns are not nodes" in msg
    assert "look like area names" in msg and "transpose" in msg and "deltas.T" in msg
    fm.propagate(rdam, prof.deltas.fillna(0.0))  # the right way round works
    # the analyses that take a table of deltas say the same instead of an empty result
    with pytest.raises(fm.UnknownNodeError, match="transpose"):
        fm.recommend(rdam, prof.deltas.T, {"vsv": 1})
    with pytest.raises(fm.UnknownNodeError, match="transpose"):
        fm.monte_carlo(rdam, prof.deltas.T, {"vsv": 1}, n_draws=10)
    with pytest.raises(fm.UnknownNodeError, match="transpose"):
        fm.optimize_portfolio(rdam, prof.deltas.T, fm.load_interventions(rdam),
                              budget=250_000, outcomes={"vsv": 1}, area="Oud-Crooswijk",
                              population=1000)
    with pytest.raises(fm.UnknownNodeError, match="none of the 2 column"):
        fm.recommend(rdam, pd.DataFrame({"a": [0.1], "b": [0.2]}, index=["X"]), {"vsv": 1})


@pytest.mark.parametrize("year", [[2022, 2023], (2023,), 2023.5, True, "twee", "2023-24"])
def test_profile_refuses_a_year_that_is_not_one_year(rdam, year):
    with pytest.raises(fm.InvalidParameterError, match="year must be"):
        fm.profile(rdam, fm.load_example_data("rotterdam"), level="wijk", year=year)


def test_validate_refuses_a_year_that_is_not_one_year(rdam):
    with pytest.raises(fm.InvalidParameterError, match="year must be one year"):
        fm.validate(rdam, fm.load_example_data("rotterdam"), outcomes="vsv", year=[2022, 2023])


def test_profile_reads_a_year_given_as_text_or_numpy(rdam):
    data = fm.load_example_data("rotterdam")
    assert fm.profile(rdam, data, year="2022").year == 2022
    assert fm.profile(rdam, data, year=np.int64(2022)).year == 2022
    assert fm.profile(rdam, data, year=2022.0).year == 2022


def test_a_wide_table_without_a_year_column_uses_the_given_year(rdam, tmp_path):
    wide = pd.DataFrame({"wijk": ["A", "B"], "vsv_nieuw": ["3,0", "2,2"]})
    prof = fm.profile(rdam, wide, year=2023)
    assert prof.year == 2023 and prof.deltas["vsv"].notna().all()
    path = tmp_path / "wide.csv"
    wide.to_csv(path, sep=";", index=False)
    _profiles_equal(prof, fm.profile(rdam, path, year=2023))
    assert set(fm.read_area_data(path, year=2021)["year"]) == {2021}
    with pytest.raises(fm.DataError, match=r"missing required column 'year'.*year=2023"):
        fm.profile(rdam, wide)
    # a table with a year column keeps its own years: year= picks one of them
    with pytest.raises(fm.DataError, match="no data for year 2020"):
        fm.profile(rdam, wide.assign(jaar=2023), year=2020)


def test_the_cli_reads_a_table_without_years_with_year(tmp_path, capsys):
    from factormodel.cli import main

    path = tmp_path / "wide.csv"
    path.write_text("wijk;vsv_nieuw\nA;3,0\nB;2,2\n", encoding="utf-8")
    assert main(["profile", "rotterdam-jeugd", str(path), "--area", "A", "--year",
                 "2023"]) == 0
    assert "2023" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["x.docx", "x.txt", "x"])
def test_report_refuses_a_file_it_cannot_write(rdam, tmp_path, name):
    out = tmp_path / name
    with pytest.raises(fm.InvalidParameterError, match=r"\.html, \.htm, \.pdf"):
        fm.report(rdam, fm.load_example_data("rotterdam"), "Oud-Crooswijk", ["vsv"], out=out)
    assert not out.exists()


def test_report_writes_htm(rdam, tmp_path):
    out = tmp_path / "x.HTM"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = fm.report(rdam, fm.load_example_data("rotterdam"), "Oud-Crooswijk", ["vsv"],
                         out=out, n_draws=50)
    assert Path(path).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_calibration_and_validation_read_a_frame_of_text_cells_like_the_csv(rdam, tmp_path):
    from factormodel.estimation.calibrate import node_data

    path = tmp_path / "dutch.csv"
    fm.load_example_data("rotterdam").to_csv(path, sep=";", decimal=",", index=False)
    raw = pd.read_csv(path, sep=";")  # values such as '1,8' stay text
    assert raw["value"].map(type).eq(str).any()
    nodes_path, info_path = node_data(rdam, path)
    nodes_raw, info_raw = node_data(rdam, raw)
    pd.testing.assert_frame_equal(nodes_path, nodes_raw)
    assert info_path == info_raw
    v_path = fm.validate(rdam, path, outcomes="vsv", folds=5).to_frame()
    v_raw = fm.validate(rdam, raw, outcomes="vsv", folds=5).to_frame()
    pd.testing.assert_frame_equal(v_path, v_raw)


def test_an_unknown_word_names_no_unrelated_node(rdam):
    with pytest.raises(fm.UnknownNodeError) as err:
        fm.words.resolve_node(rdam, "foo")
    assert str(err.value) == "unknown node 'foo'; no close match among the 72 node ids and " \
        "their labels"


def test_the_cli_refuses_a_report_file_it_cannot_write(tmp_path, capsys):
    from factormodel.cli import main

    out = tmp_path / "rapport.docx"
    assert main(["wijkanalyse", "rotterdam-jeugd", "example", "--area", "Oud-Crooswijk",
                 "--goal", "vsv", "--out", str(out)]) == 2
    assert "eindigt op .html, .htm of .pdf (niet .docx)" in capsys.readouterr().err
    assert not out.exists()
    assert main(["wijkanalyse", "rotterdam-jeugd", "example", "--area", "Oud-Crooswijk",
                 "--goal", "vsv", "--out", str(out), "--lang", "en"]) == 2
    assert "ending in .html, .htm, .pdf (got .docx)" in capsys.readouterr().err
    path = tmp_path / "wide.csv"
    path.write_text("wijk;vsv_nieuw\nA;3,0\nB;2,2\n", encoding="utf-8")
    assert main(["profile", "rotterdam-jeugd", str(path), "--area", "A"]) == 2
    err = capsys.readouterr().err
    assert "tabel zonder jaarkolom met --year, bijvoorbeeld --year 2023" in err
    assert "Python" not in err
    assert main(["profile", "rotterdam-jeugd", str(path), "--area", "A", "--lang", "en"]) == 2
    assert "--year 2023 on the command line" in capsys.readouterr().err


def test_no_close_match_hints_are_dutch_at_the_command_line(tmp_path, capsys):
    from factormodel.cli import main

    path = tmp_path / "data.csv"
    path.write_text("wijk;jaar;foo_bar_baz;vsv_nieuw\nA;2023;1;3,0\nB;2023;2;2,2\n",
                    encoding="utf-8")
    assert main(["profile", "rotterdam-jeugd", str(path), "--area", "A"]) == 2
    err = capsys.readouterr().err
    assert "geen van de 72 indicatoren lijkt erop (id of omschrijving)" in err, err
    path.write_text("wijk;jaar;vsv_nieuw\nA;2023;3,0\nB;2023;2,2\n", encoding="utf-8")
    assert main(["profile", "rotterdam-jeugd", str(path), "--area", "Zuid"]) == 2
    assert "geen gebied 'Zuid' in de data; geen geldige waarde lijkt erop; geldige waarden: " \
        "'A', 'B'" in capsys.readouterr().err
