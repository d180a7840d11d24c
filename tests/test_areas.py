"""Reading area data: every format quirk and every error, on small files written here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import factormodel as fm
from factormodel.errors import DataWarning
from factormodel.files.areas import normalize_area_data, registry_from_frame


def write(tmp_path, name, text, encoding="utf-8", bom=False):
    path = tmp_path / name
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def test_statline_csv_with_symbols(tmp_path):
    """';' separator, quotes, padded codes, '.', 'x', '-', decimal comma, JJ00, '*', footer."""
    path = write(tmp_path, "statline.csv", (
        '"Kerncijfers jeugd per wijk"\n'
        '"Codering (code)";"Perioden";"vsv_nieuw";"eindtoets"\n'
        '"WK059915  ";"2022JJ00";"3,4";"532,1"\n'
        '"WK059906  ";"2022JJ00";".";"537,9"\n'
        '"WK059910  ";"2023*";"x";"-"\n'
        '"Bron: CBS"\n'), bom=True)
    data = fm.read_area_data(path, areas="rotterdam")
    rows = data.set_index(["area", "indicator"])
    assert rows.loc[("Charlois", "vsv_nieuw"), "value"] == 3.4
    assert rows.loc[("Charlois", "eindtoets"), "value"] == 532.1
    assert np.isnan(rows.loc[("Hillegersberg-Schiebroek", "vsv_nieuw"), "value"])
    assert rows.loc[("Hillegersberg-Schiebroek", "vsv_nieuw"), "flag"] == "suppressed"
    assert rows.loc[("Feijenoord", "vsv_nieuw"), "flag"] == "secret"
    assert rows.loc[("Feijenoord", "eindtoets"), "value"] == 0.0  # nihil is a real zero
    assert rows.loc[("Feijenoord", "eindtoets"), "flag"] == "nihil"
    assert set(data["level"]) == {"gebied"}
    assert data.set_index("area").loc["Charlois", "year"].tolist() == [2022, 2022]
    assert (data[data["area"] == "Feijenoord"]["year"] == 2023).all()


def test_provisional_flag_and_decimal_point(tmp_path):
    path = write(tmp_path, "p.csv", "wijk,jaar,vsv_nieuw\nTarwewijk,2023*,2.5\n")
    data = fm.read_area_data(path, areas="rotterdam")
    assert data.loc[0, "value"] == 2.5 and data.loc[0, "flag"] == "provisional"


def test_cp1252_and_names_case_insensitive(tmp_path):
    path = write(tmp_path, "w.csv", "gebied;jaar;vsv_nieuw\nijsselmonde;2022;2,9\n",
                 encoding="cp1252")
    data = fm.read_area_data(path, areas="rotterdam")
    assert data.loc[0, "area"] == "IJsselmonde" and data.loc[0, "level"] == "gebied"


def test_long_table_with_population_and_extra_columns(tmp_path):
    path = write(tmp_path, "long.csv", (
        "area,year,indicator,value,population,bron\n"
        "A,2022,vsv_nieuw,3.0,1000,DUO\n"
        "B,2022,vsv_nieuw,2.0,3000,DUO\n"))
    data = fm.read_area_data(path)
    assert data["population"].tolist() == [1000, 3000]
    assert data["bron"].tolist() == ["DUO", "DUO"]  # kept, not dropped


def test_wide_table_columns_mapping_and_level_from_codes():
    raw = pd.DataFrame({"code": ["WK059915", "BU05991510"], "jaar": [2022, 2022],
                        "Vsv (%)": [3.1, 2.0]})
    data = normalize_area_data(raw, columns={"Vsv (%)": "vsv_nieuw"})
    assert data["indicator"].tolist() == ["vsv_nieuw"] * 2
    assert data["level"].tolist() == ["gebied", "buurt"]


def test_excel_workbook(tmp_path):
    path = tmp_path / "data.xlsx"
    pd.DataFrame({"wijk": ["Tarwewijk", "Bloemhof"], "jaar": [2023, 2023],
                  "vsv_nieuw": [3.2, "."]}).to_excel(path, sheet_name="wijken", index=False)
    data = fm.read_area_data(path, areas="rotterdam", sheet="wijken")
    assert data["value"].iloc[0] == 3.2 and data["flag"].iloc[1] == "suppressed"
    with pytest.raises(fm.ModelFileError, match="cannot read sheet"):
        fm.read_area_data(path, sheet="nope")


def test_gebied_and_wijk_with_the_same_name_need_a_level():
    raw = pd.DataFrame({"area": ["Feijenoord"], "year": [2022], "vsv_nieuw": [3.0]})
    areas = fm.load_areas("rotterdam")
    with pytest.raises(fm.DataError, match=r"ambiguous .*Feijenoord \(gebied\)"):
        normalize_area_data(raw, areas=areas)
    raw["level"] = "wijk"
    assert normalize_area_data(raw, areas=areas)["level"].tolist() == ["wijk"]


# --------------------------------------------------------------------------- errors


def test_unknown_area_lists_close_matches():
    raw = pd.DataFrame({"wijk": ["Tarwewjik", "Nergenshuizen"], "jaar": 2022, "vsv_nieuw": 1})
    with pytest.raises(fm.UnknownAreaError) as e:
        normalize_area_data(raw, areas=fm.load_areas("rotterdam"))
    assert "did you mean 'Tarwewijk'" in str(e.value) and "'Nergenshuizen'" in str(e.value)
    assert isinstance(e.value, KeyError)


def test_duplicate_rows():
    raw = pd.DataFrame({"area": ["A", "A"], "year": [2022, 2022],
                        "indicator": ["vsv_nieuw"] * 2, "value": [1, 2]})
    with pytest.raises(fm.DataError, match=r"2 rows share an area, year and indicator, e\.g\. "
                                           "A 2022 vsv_nieuw"):
        normalize_area_data(raw)


def test_bad_values_and_years_are_named():
    raw = pd.DataFrame({"area": ["A", "B"], "year": ["2022", "twintig"],
                        "indicator": ["vsv_nieuw"] * 2, "value": ["hoog", "2"]})
    with pytest.raises(fm.DataError) as e:
        normalize_area_data(raw, where="mijn.csv")
    msg = str(e.value)
    assert msg.startswith("mijn.csv: ")
    assert "'twintig' (row 2)" in msg and "'hoog' (row 1, 'A', 'vsv_nieuw')" in msg


def test_missing_area_or_year_column():
    with pytest.raises(fm.DataError, match=r"missing required column 'area' \(or one of gebied"):
        normalize_area_data(pd.DataFrame({"year": [2022], "x": [1]}))
    with pytest.raises(fm.DataError, match=r"missing required column 'year' \(or one of jaar"):
        normalize_area_data(pd.DataFrame({"area": ["A"], "x": [1]}))
    with pytest.raises(fm.DataError, match="no indicator columns"):
        normalize_area_data(pd.DataFrame({"area": ["A"], "year": [2022]}))
    # issue 15 item 8: a misspelled 'indicator' reached pandas' "value_name cannot match"
    with pytest.raises(fm.DataError, match=r"missing required column 'indicator' \(found: "
                       r"area, year, indicatr, value\)"):
        normalize_area_data(pd.DataFrame({"area": ["A"], "year": [2022], "indicatr": ["v"],
                                          "value": [1.0]}))


def test_inconsistent_population():
    raw = pd.DataFrame({"area": ["A", "A"], "year": [2022, 2022], "population": [10, 12],
                        "indicator": ["a", "b"], "value": [1, 2]})
    with pytest.raises(fm.DataError, match=r"population differs .* A 2022"):
        normalize_area_data(raw)


def test_spellings_of_one_area_are_one_group():
    """Rows are grouped by their *resolved* area: ' A' and 'A' (and a code column that
    resolves to the same area) are one area, so two populations for it are refused, and
    the same indicator twice is a duplicate."""
    raw = pd.DataFrame({"area": ["A", " A", "B", "B"], "year": [2022, 2022, 2022, 2023],
                        "population": [10, 12, 5, 6], "indicator": ["a", "b", "a", "a"],
                        "value": [1, 2, 3, 4]})
    with pytest.raises(fm.DataError, match=r"population differs .* A 2022"):
        normalize_area_data(raw)
    dup = raw.assign(population=[10, 10, 5, 6], indicator=["a", " a", "a", "a"])
    with pytest.raises(fm.DataError, match=r"2 rows share an area, year and indicator"):
        normalize_area_data(dup)
    ok = normalize_area_data(raw.assign(population=[10, 10, 5, 6]))
    assert ok["area"].tolist() == ["A", "A", "B", "B"]


def test_registry_validation():
    bad = pd.DataFrame({"area": ["A", "A", "B"], "level": ["wijk", "wijk", "dorp"],
                        "cbs_code": ["WK1", "WK1", ""], "parent": ["", "", "Z"]})
    with pytest.raises(fm.DataError) as e:
        registry_from_frame(bad)
    msg = str(e.value)
    for fragment in ("unknown level(s) 'dorp'", "duplicate area(s): A",
                     "duplicate CBS code(s): WK1", "unknown parent(s): Z"):
        assert fragment in msg
    with pytest.raises(fm.DataError, match=r"missing required column 'area' \(found: naam"):
        registry_from_frame(pd.DataFrame({"naam": ["A"]}))


def test_missing_file(tmp_path):
    with pytest.raises(fm.ModelFileError, match="no such file"):
        fm.read_area_data(tmp_path / "none.csv")


def test_rotterdam_registry():
    areas = fm.load_areas("rotterdam")
    assert (areas["level"] == "gebied").sum() == 12 and (areas["level"] == "wijk").sum() == 67
    gebieden = areas[areas["level"] == "gebied"]
    assert gebieden["cbs_code"].str.match(r"^WK0599\d\d$").all()
    wijken = areas[areas["level"] == "wijk"]
    assert set(wijken["parent"]) == set(gebieden["area"])
    assert {"Oud-Crooswijk", "Tarwewijk", "Afrikaanderwijk"} <= set(wijken["area"])


# the vectorised parser's equality with per-cell parsing is tested in test_cells.py ------


def test_infinite_value_is_an_error_not_a_missing_cell():
    wide = pd.DataFrame({"area": ["Delfshaven", "Charlois"], "year": [2023, 2023],
                         "vsv": [1.5, np.inf]})
    with pytest.raises(fm.DataError, match=r"1 value\(s\).*'inf' \(row 2, 'Charlois', 'vsv'\)"):
        normalize_area_data(wide)


def test_repeated_names_codes_and_years_resolve_per_row():
    # distinct values are parsed once, but every row gets its own area, level and year
    registry = fm.load_areas("rotterdam")
    long = pd.DataFrame({"wijk": ["Spangen", "cool", "Spangen", "Middelland"] * 3,
                         "jaar": ["2022", "2023*", "2023*", "2022JJ00"] * 3,
                         "indicator": np.repeat(["vsv", "armoede", "verzuim"], 4),
                         "waarde": ["1,5", ".", "2", "-"] * 3})
    out = normalize_area_data(long, areas=registry)
    assert out["area"].tolist() == ["Spangen", "Cool", "Spangen", "Middelland"] * 3
    assert set(out["level"]) == {"wijk"}
    assert out["year"].tolist() == [2022, 2023, 2023, 2022] * 3
    assert out["flag"].tolist() == ["", "suppressed", "provisional", "nihil"] * 3
    np.testing.assert_array_equal(out["value"], [1.5, np.nan, 2.0, 0.0] * 3)


def test_one_unreadable_year_on_many_rows_is_named_once(tmp_path):
    rows = "".join(f"W{i};2022/2023;neet_18_26;9,{i}\n" for i in range(14))
    path = tmp_path / "schooljaar.csv"
    path.write_text("wijk;jaar;indicator;waarde\n" + rows + "W0;2021-22;neet_18_26;9\n",
                    encoding="utf-8")
    with pytest.raises(fm.DataError) as e:
        fm.read_area_data(path)
    message = str(e.value)
    assert message.count("'2022/2023'") == 1  # not once per row
    assert "'2022/2023' (lines 2-15) in column 'jaar'" in message  # a run of lines as a range
    assert "'2021-22' (line 16) in column 'jaar'" in message
    from factormodel.text import messages as _lang

    dutch = _lang.error(e.value, "nl")
    assert "'2022/2023' (regels 2-15) in kolom 'jaar'" in dutch
    assert "'2021-22' (regel 16) in kolom 'jaar'" in dutch


def _melted(n_areas: int, indicators=("vsv_nieuw", "tienermoeders", "neet_18_26"), *,
            names: bool = False) -> pd.DataFrame:
    """A long table as a wide one melts to: every area once per indicator, in one order
    (its area column repeats one block; its indicator column comes in runs)."""
    rng = np.random.default_rng(5)
    areas = [f"Buurt {i:05d}" if names else f"BU{i:08d}" for i in range(n_areas)]
    return pd.DataFrame({"wijk" if names else "code": areas * len(indicators), "year": 2023,
                         "population": np.tile(rng.integers(50, 5000, n_areas),
                                               len(indicators)),
                         "indicator": np.repeat(list(indicators), n_areas),
                         "value": rng.normal(10, 2, n_areas * len(indicators)).round(2)})


def test_a_melted_wide_table_hashes_its_area_column_once_per_block(monkeypatch):
    """A long table that repeats its area column per indicator (a melted wide table) is
    read by hashing the first block of that column only, and its profile too; the rows
    come out as the same canonical rows (issue 27, item 14)."""
    long = _melted(1500)
    want = normalize_area_data(long)
    hashed: list[int] = []
    factorize = pd.factorize

    def counted(values, *args, **kwargs):
        if not pd.api.types.is_numeric_dtype(getattr(values, "dtype", object)):
            hashed.append(len(values))
        return factorize(values, *args, **kwargs)

    monkeypatch.setattr(pd, "factorize", counted)
    got = normalize_area_data(long.astype({"code": object}))
    assert hashed and max(hashed) <= 1500  # never the 4,500 cells of the area column
    pd.testing.assert_frame_equal(got, want)
    hashed.clear()
    fm.profile(fm.load_model("rotterdam-jeugd"), got)
    assert hashed and max(hashed) <= 1500


def test_checks_hold_on_a_melted_wide_table():
    """The block path keeps every check: a repeated (area, indicator), one population that
    differs, and a misspelt name in one cell of the last block (which breaks the block:
    hashing a sample of the column would have read it as its neighbour)."""
    long = _melted(1500, ("vsv_nieuw", "vsv_nieuw", "neet_18_26"))
    with pytest.raises(fm.DataError, match=r"3000 rows share an area, year and indicator, "
                                           r"e\.g\. BU00000000 2023 vsv_nieuw"):
        normalize_area_data(long)
    long = _melted(1500)
    long.loc[3500, "population"] += 1  # buurt 500 of the third block
    with pytest.raises(fm.DataError, match=r"population differs .*: BU00000500 2023$"):
        normalize_area_data(long)
    long = _melted(1500, names=True)
    long.loc[4000, "wijk"] = "Buurtt 01000"  # one letter more in one cell, late
    with pytest.warns(DataWarning, match=r"area 'Buurtt 01000' \(row 4001\) is one letter "
                                            r"from 'Buurt 01000'.*did you mean"):
        out = normalize_area_data(long)
    assert out["area"].iloc[4000] == "Buurtt 01000" and out["area"].nunique() == 1501


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 2), st.integers(0, 40)),
                min_size=1, max_size=120), st.booleans())
@settings(max_examples=150, deadline=None)
def test_duplicate_rows_are_found_as_pandas_finds_them(rows, spread):
    """Duplicates are counted in an array when the (area, year, indicator) keys are few for
    the rows and hashed when not (``spread`` makes them many): both find pandas' rows."""
    few = 41 if spread else 3  # 41 areas x 3 years x 41 indicators: more keys than rows
    raw = pd.DataFrame({"area": [f"A{a % few}" for a, _, _ in rows],
                        "year": [2020 + y for _, y, _ in rows],
                        "indicator": [f"i{i % few}" for _, _, i in rows], "value": 1.0})
    many = int(raw.duplicated(["area", "year", "indicator"], keep=False).sum())
    if many:
        with pytest.raises(fm.DataError, match=rf"^data: {many} rows share an area"):
            normalize_area_data(raw)
    else:
        assert len(normalize_area_data(raw)) == len(raw)


@given(st.lists(st.tuples(st.integers(-3, 3), st.sampled_from(["a", "b", None]),
                          st.integers(0, 10 ** 12)), min_size=1, max_size=60))
@settings(max_examples=150, deadline=None)
def test_key_codes_number_combinations_as_pandas_does(rows):
    """Integer columns (negative, one value, far apart) and text columns combined into one
    code per row, 0, 1, ... in order of first appearance, as factorizing the tuples does."""
    from factormodel.files.areas import _key_codes

    small = np.asarray([r[0] for r in rows])
    names = pd.Series([r[1] for r in rows], dtype=object)
    big = np.asarray([r[2] for r in rows], dtype=np.int64)
    one = np.full(len(rows), 7)
    for columns in ([small], [small, names], [one, small, big], [names, one], [one]):
        want = pd.factorize(pd.Series(list(zip(*[list(c) for c in columns], strict=True))))[0]
        assert _key_codes(columns).tolist() == want.tolist()
