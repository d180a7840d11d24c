"""The one cell and number parser, and every reader that must use it (issue 11 req. 3,
issue 15 item 3): a table of cells, properties, and the same cells through every reader."""

from __future__ import annotations

import contextlib
import json
import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import factormodel as fm
from factormodel.cli import main as cli_main
from factormodel.errors import FactorModelError
from factormodel.files import datasets as fm_datasets
from factormodel.files import folders as fm_io
from factormodel.tables._cells import (
    TableSource,
    decimal_mark,
    format_number,
    parse_number,
    parse_numbers,
    require_columns,
)

from .conftest import CHAIN_EDGES, problems_of, write_folder

NAN = float("nan")

# --------------------------------------------------------------------------- the table

# (cell, options, expected number, expected flag); NaN where the cell is missing
READ = [
    ("0.25", {}, 0.25, ""),
    ("0,25", {}, 0.25, ""),
    (" -0,3 ", {}, -0.3, ""),
    ("+1.5", {}, 1.5, ""),
    (",5", {}, 0.5, ""),
    (".5", {}, 0.5, ""),
    ("1.", {}, 1.0, ""),
    ("1,5e3", {}, 1500.0, ""),
    ("2E-3", {}, 0.002, ""),
    ("0,500", {}, 0.5, ""),            # a thousands group never follows a lone 0
    ("0.125", {}, 0.125, ""),
    ("1000,000", {}, 1000.0, ""),     # four leading digits: not a thousands group
    ("1.0000", {}, 1.0, ""),           # four decimals: not a thousands group
    ('"0,5"', {}, 0.5, ""),            # literal quotes around a number
    ("\u22123,5", {}, -3.5, ""),       # typographic minus
    ("7", {}, 7.0, ""),
    (7, {}, 7.0, ""),
    (np.int64(-2), {}, -2.0, ""),
    (0.1, {}, 0.1, ""),
    ("", {}, NAN, "missing"),
    ("   ", {}, NAN, "missing"),
    (None, {}, NAN, "missing"),
    (NAN, {}, NAN, "missing"),
    (pd.NA, {}, NAN, "missing"),
    ("-", {}, NAN, "missing"),         # a dash is "no value" outside CBS StatLine
    ("\u2013", {}, NAN, "missing"),
    ("-", {"nihil": True}, 0.0, "nihil"),
    ("\u2014", {"nihil": True}, 0.0, "nihil"),
    (".", {"markers": True}, NAN, "suppressed"),
    ("?", {"markers": True}, NAN, "suppressed"),
    ("x", {"markers": True}, NAN, "secret"),
    ("X", {"markers": True}, NAN, "secret"),
    ("12%", {"percent": True}, 12.0, ""),
    ("12,5 %", {"percent": True}, 12.5, ""),
    ("1.000", {"grouping": True}, 1000.0, ""),
    ("1,000", {"grouping": True}, 1000.0, ""),
    ("250.000", {"grouping": True}, 250000.0, ""),
    ("250.000,50", {"grouping": True}, 250000.5, ""),
    ("250,000.50", {"grouping": True}, 250000.5, ""),
    ("12.345.678", {"grouping": True}, 12345678.0, ""),
    ("1,000,000", {"grouping": True}, 1000000.0, ""),
    ("-1.234,5", {"grouping": True}, -1234.5, ""),
    ("250000", {"grouping": True}, 250000.0, ""),
    ("2,5", {"grouping": True}, 2.5, ""),
]

# (cell, options, fragment of the error)
REFUSED = [
    ("1,000", {}, "'1,000' is ambiguous: 1000 (',' separating thousands) or 1.0"),
    ("1.000", {}, "'1.000' is ambiguous: 1000 ('.' separating thousands) or 1.0"),
    ("-12.345", {}, "'-12.345' is ambiguous: -12345"),
    ("1.234", {}, "write 1234 for the first, 1.2340 for the second"),
    ("1.234,5", {}, "thousands separators are not allowed here; write 1234.5"),
    ("1,000.5", {}, "thousands separators are not allowed here; write 1000.5"),
    ("12.345.678", {}, "thousands separators are not allowed here"),
    ("1_0", {}, "expected a number, got '1_0' ('_' is not a digit separator in tables)"),
    ("1_000.5", {"grouping": True}, "'_' is not a digit separator"),
    ("inf", {}, "expected a finite number, got 'inf'"),
    ("-Infinity", {}, "expected a finite number"),
    ("nan", {}, "got NaN ('nan')"),
    ("NaN", {"markers": True}, "got NaN"),
    ("1e400", {}, "expected a finite number, got '1e400' (too large)"),
    (float("inf"), {}, "expected a finite number, got inf"),
    (10 ** 400, {}, "expected a finite number"),
    (True, {}, "expected a number, got the boolean True"),
    (np.bool_(False), {}, "got the boolean False"),
    ("12%", {}, "a % sign is not allowed here"),
    (".", {}, "expected a number, got '.'"),        # CBS symbols only where asked for
    ("x", {}, "expected a number, got 'x'"),
    ("?", {}, "expected a number, got '?'"),
    ("abc", {}, "expected a number, got 'abc'"),
    ("1,", {}, "expected a number, got '1,'"),
    ("1.2.3", {}, "expected a number"),
    ("1 000", {}, "expected a number"),              # spaces are not a grouping we read
    ("\u0663", {}, "expected a number"),             # Arabic-Indic 3: float() takes it
    ("0x10", {}, "expected a number"),
    ("1.000e3", {"grouping": True}, None),           # exponent: decimal, never grouping
]


@pytest.mark.parametrize(("cell", "options", "number", "flag"), READ)
def test_cells_that_are_read(cell, options, number, flag):
    x, got_flag, err = parse_number(cell, **options)
    assert err is None
    assert got_flag == flag
    if math.isnan(number):
        assert math.isnan(x)
    else:
        assert x == number


@pytest.mark.parametrize(("cell", "options", "fragment"), REFUSED)
def test_cells_that_are_refused(cell, options, fragment):
    x, flag, err = parse_number(cell, **options)
    if fragment is None:  # a documented non-error in the refused neighbourhood
        assert err is None and x == 1000.0
        return
    assert err is not None and fragment in err, err
    assert math.isnan(x) and flag == ""


def test_ambiguity_needs_exactly_three_digits_after_one_to_three():
    """The ambiguous shape, stated independently: 1-3 digits not starting with 0, one mark,
    exactly three digits, nothing else."""
    for s in ("1,000", "12,345", "999.999", "-100,000", "+5.005"):
        assert "ambiguous" in (parse_number(s)[2] or ""), s
    for s in ("0,000", "1000,000", "1,0000", "1,00", "1.000e2", "01.000"):
        assert "ambiguous" not in (parse_number(s)[2] or ""), s


# --------------------------------------------------------------------------- properties

finite = st.floats(allow_nan=False, allow_infinity=False)
AMBIGUOUS = re.compile(r"[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}")


@given(finite)
def test_repr_round_trips_or_is_refused_as_ambiguous(x):
    """repr(x) reads back exactly, except the shape 1.234 (a Dutch 1234), which is refused
    as ambiguous, never guessed; format_number (what the library writes) always reads back."""
    s = repr(x)
    got, flag, err = parse_number(s)
    if AMBIGUOUS.fullmatch(s):
        assert err is not None and "ambiguous" in err
    else:
        assert err is None and flag == "" and got == x
    assert parse_number(format_number(x)) == (x, "", None) or (x == 0 and parse_number(
        format_number(x))[0] == 0)


@given(finite)
def test_dutch_decimal_comma_round_trips(x):
    s = repr(x).replace(".", ",")
    got, _, err = parse_number(s)
    if AMBIGUOUS.fullmatch(s):
        assert "ambiguous" in err
    else:
        assert err is None and got == x
    assert parse_number(format_number(x).replace(".", ","))[0] == x


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.booleans(),
       st.sampled_from([0, 1, 2, 4]))
def test_thousands_grouping_round_trips(x, dutch, decimals):
    """Grouping is for money and counts: never three decimals, so '1.000' is a thousand."""
    english = f"{x:,.{decimals}f}"          # 1,234,567.89
    s = english.translate(str.maketrans(",.", ".,")) if dutch else english
    expected = float(f"{x:.{decimals}f}")
    got, _, err = parse_number(s, grouping=True)
    assert err is None, (s, err)
    assert got == expected
    # without grouping allowed, a grouped number is never read as something else
    plain, _, err = parse_number(s)
    assert err is None or math.isnan(plain)
    if err is None:
        assert plain == expected


@given(st.text(max_size=20), st.booleans(), st.booleans(), st.booleans(), st.booleans())
@settings(max_examples=500)
def test_random_text_gives_a_number_or_an_error_never_an_exception(s, m, n, p, g):
    x, flag, err = parse_number(s, markers=m, nihil=n, percent=p, grouping=g)
    assert isinstance(x, float) and isinstance(flag, str)
    if err is not None:
        assert isinstance(err, str) and math.isnan(x) and flag == ""
    elif flag:
        assert math.isnan(x) or (flag == "nihil" and x == 0.0)
    else:
        assert math.isfinite(x)


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8),
                 st.binary(max_size=4), st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(max_size=2), st.integers(), max_size=1)))
def test_any_object_gives_a_number_or_an_error(value):
    x, flag, err = parse_number(value)
    assert isinstance(x, float) and (err is None) == (not math.isnan(x) or bool(flag))


_MIXED = st.one_of(
    finite, st.integers(-10**6, 10**6), st.just(NAN), st.none(), st.booleans(),
    st.sampled_from(["", ".", "x", "?", "-", "\u2013", "0,5", '"0,5"', "1,000", "1.000",
                     "1.000,5", "1_0", "12%", "inf", "nan", "abc", " 7 ", "1,5e3", "0", "1",
                     "0.0", "1.0", "250.000"]),
    finite.map(repr), finite.map(lambda f: repr(f).replace(".", ",")),
)


@given(st.lists(_MIXED, max_size=40), st.booleans(), st.booleans(), st.booleans(),
       st.booleans())
@settings(max_examples=300, deadline=None)
def test_vectorised_wrapper_equals_per_cell_parsing(cells, m, n, p, g):
    options = {"markers": m, "nihil": n, "percent": p, "grouping": g}
    x, flags, errors = parse_numbers(pd.Series(cells, dtype=object), **options)
    mark = decimal_mark(cells)
    for i, cell in enumerate(cells):
        ref = parse_number(cell, **options, decimal=mark)
        assert (x[i] == ref[0]) or (math.isnan(x[i]) and math.isnan(ref[0])), (cell, x[i])
        assert flags[i] == ref[1] and errors[i] == ref[2], cell


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=40))
@settings(deadline=None)
def test_vectorised_wrapper_on_numeric_columns_equals_per_cell_parsing(cells):
    x, flags, errors = parse_numbers(pd.Series(cells, dtype=float))
    for i, cell in enumerate(cells):
        ref = parse_number(cell)
        assert (x[i] == ref[0]) or (math.isnan(x[i]) and math.isnan(ref[0]))
        assert flags[i] == ref[1] and errors[i] == ref[2]


def test_true_and_one_are_parsed_apart_although_pandas_factorizes_them_together():
    x, _, errors = parse_numbers(pd.Series([1, True, 1.0, 0, False], dtype=object))
    assert x[[0, 2, 3]].tolist() == [1.0, 1.0, 0.0]
    assert [e is None for e in errors] == [True, False, True, True, False]


def _independent_decimal_mark(cells):
    """The decimal mark rule restated: cells with one mark not in the 1,234 shape, or with
    a grouped integer part, show their decimal mark; one mark shown -> that mark."""
    shown = set()
    for c in cells:
        if not isinstance(c, str):
            continue
        s = c.strip().strip('"').strip().removesuffix("%").strip()
        if re.fullmatch(r"[+-]?[0-9]*([.,])[0-9]+([eE][+-]?[0-9]+)?", s) and not \
                AMBIGUOUS.fullmatch(s):
            shown.add(re.search(r"[.,]", s).group())
        elif re.fullmatch(r"[+-]?[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]+)?", s) and (
                "," in s or s.count(".") > 1):
            shown.add(",")
        elif re.fullmatch(r"[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]+)?", s) and (
                "." in s or s.count(",") > 1):
            shown.add(".")
    return shown.pop() if len(shown) == 1 else None


@given(st.lists(_MIXED, max_size=30))
@settings(max_examples=300, deadline=None)
def test_decimal_mark_matches_an_independent_statement_of_the_rule(cells):
    assert decimal_mark(pd.Series(cells, dtype=object)) == _independent_decimal_mark(cells)


def test_a_column_that_shows_its_decimal_mark_settles_the_ambiguous_cells():
    """A Dutch column with '0,5' reads '1,234' as 1.234 (no guess: the column says so);
    an English one with '0.5' reads '1.234' as 1.234; with nothing shown it stays an error."""
    x, _, errors = parse_numbers(["0,5", "1,234", "-2,000"])
    assert x.tolist() == [0.5, 1.234, -2.0] and list(errors) == [None] * 3
    x, _, errors = parse_numbers(["0.5", "1.234"])
    assert x.tolist() == [0.5, 1.234]
    _, _, errors = parse_numbers(["1,234", "12"])
    assert "ambiguous" in errors[0]
    _, _, errors = parse_numbers(["0,5", "0.5", "1,234"])  # both marks shown: no decimal mark
    assert "ambiguous" in errors[2]
    _, _, errors = parse_numbers(["0,5", "1.234"])  # '.' must then separate thousands
    assert "its column uses ',' as decimal mark" in errors[1]
    x, _, errors = parse_numbers(["0,5", "1.234"], grouping=True)
    assert x.tolist() == [0.5, 1234.0]


def test_a_dutch_csv_with_three_decimals_reads_through_every_table_reader(tmp_path, toy):
    path = tmp_path / "d.csv"
    path.write_text("wijk;armoede;schoolverzuim\nA;1,234;0,5\nB;-2,125;1,2\n",
                    encoding="utf-8")
    assert fm.read_deltas(path).to_numpy().tolist() == [[1.234, 0.5], [-2.125, 1.2]]
    path.write_text("wijk;jaar;vsv;armoede\nTarwewijk;2023;1,234;0,25\n", encoding="utf-8")
    assert fm.read_area_data(path, areas="rotterdam")["value"].tolist() == [1.234, 0.25]


# --------------------------------------------------------------------------- columns


def test_required_columns_are_found_case_and_space_insensitive():
    src = TableSource("t", "csv", "t.csv")
    found, extras, problems = require_columns([" Source", "TARGET", "x"], ("source", "target"),
                                              src, known=("source", "target", "weight"))
    assert found == {"source": " Source", "target": "TARGET"} and extras == ["x"]
    assert problems == []
    _, _, problems = require_columns(["source", "Source", "w"], ("source", "target", "weight"),
                                     src, known=("source", "target", "weight"))
    assert [str(p) for p in problems] == [
        "t.csv column 'Source': column 'source' appears more than once",
        "t.csv: missing required column 'target' (found: source, Source, w)",
        "t.csv: missing required column 'weight' (found: source, Source, w)"]


# --------------------------------------------------------------------------- every reader
# For each reader: '0,5' is 0.5, '"0,5"' (a quoted cell) is 0.5, '1,000' and '1_0' are
# refused naming the file, the line and the column.


def _edges_csv(weight: str) -> list[list[str]]:
    edges = [list(r) for r in CHAIN_EDGES]
    edges[1][2] = weight
    return edges


@pytest.mark.parametrize(("cell", "expected"), [("-0,5", -0.5), ('"-0,5"', -0.5)])
def test_model_tables_read_decimal_commas(tmp_path, cell, expected):
    m = fm.read_model(write_folder(tmp_path / "m", edges=_edges_csv(cell)))
    assert m.edges.set_index(["source", "target"]).loc[("b", "y"), "weight"] == expected


@pytest.mark.parametrize(("cell", "fragment"), [
    # the other cells ('-0.5', '0.1') show a decimal point, so ',' can only group thousands
    ("1,000", "got '1,000' (its column uses '.' as decimal mark, so ',' separates thousands"),
    ("1_0", "got '1_0' ('_' is not a digit separator in tables)"),
    ("1.234,5", "thousands separators are not allowed here; write 1234.5")])
def test_model_tables_refuse_thousands_and_underscores(tmp_path, cell, fragment):
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_model(write_folder(tmp_path / "m", edges=_edges_csv(cell)))
    [problem] = problems_of(e)
    assert "edges.csv line 3, column 'weight'" in problem and fragment in problem


def test_model_tables_refuse_ambiguous_cells_when_no_cell_shows_the_decimal_mark(tmp_path):
    edges = [list(r) for r in CHAIN_EDGES]
    edges[0][2], edges[0][4], edges[1][4] = "-1", "", ""
    edges[1][2] = "-1.000"
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_model(write_folder(tmp_path / "m", edges=edges))
    [problem] = problems_of(e)
    assert "edges.csv line 3, column 'weight': '-1.000' is ambiguous: -1000" in problem
    edges[0][2] = "-0.5"  # now the table shows its decimal point: -1.000 is -1
    with pytest.warns(fm.ModelWarning, match="R² = 1.000"):  # b -> y = -1: no residual left
        m = fm.read_model(write_folder(tmp_path / "m2", edges=edges))
    assert m.edges["weight"].tolist() == [-0.5, -1.0]


def test_json_model_refuses_thousands_in_text_cells(tmp_path):
    doc = fm_io.model_to_dict(fm.load_model("toy"))
    doc["edges"][2]["weight"] = "1,000"
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_model(path)
    assert any("edges[2].weight" in p for p in problems_of(e))


def test_weight_table_reader(tmp_path, toy):
    path = tmp_path / "w.csv"
    path.write_text('source,target,weight,sd\nschoolverzuim,vsv,"0,45","0,1"\n'
                    'armoede,opvoedklimaat,"""-0,2""",\n', encoding="utf-8")
    table = fm.read_weight_table(path)
    assert table["weight"].tolist() == [0.45, -0.2] and table["sd"].iloc[0] == 0.1
    m = toy.with_weights(table)
    w = m.edges.set_index(["source", "target"])["weight"]
    assert w[("schoolverzuim", "vsv")] == 0.45 and w[("armoede", "opvoedklimaat")] == -0.2
    path.write_text('source,target,weight,sd\nschoolverzuim,vsv,"1,000",\n'
                    "armoede,opvoedklimaat,1_0,x\n", encoding="utf-8")
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_weight_table(path)
    assert problems_of(e) == [
        f"{path} line 2, column 'weight': '1,000' is ambiguous: 1000 (',' separating "
        "thousands) or 1.0 (',' as decimal mark); write 1000 for the first, 1,0 for the second",
        f"{path} line 3, column 'weight': expected a number, got '1_0' ('_' is not a digit "
        "separator in tables)",
        f"{path} line 3, column 'sd': expected a number, got 'x'"]


def test_with_weights_reads_quoted_text_like_the_deltas(toy):
    """Issue 11: a quoted '0,5' was accepted by with_weights but refused by propagate."""
    m = toy.with_weights({("schoolverzuim", "vsv"): "0,5"})
    assert m.edges.set_index(["source", "target"]).loc[("schoolverzuim", "vsv"), "weight"] == 0.5
    r = fm.propagate(toy, {"schoolverzuim": "0,5"})
    assert r.deltas["schoolverzuim"] == 0.5
    assert r.deltas["vsv"] == fm.propagate(toy, {"schoolverzuim": 0.5}).deltas["vsv"]
    with pytest.raises(fm.ModelValidationError, match=r"weights row 0, column 'weight': "
                       r"'1,000' is ambiguous"):
        toy.with_weights({("schoolverzuim", "vsv"): "1,000"})
    with pytest.raises(fm.InvalidDeltaError, match=r"'schoolverzuim': '1,000' \('1,000' is "
                       "ambiguous"):
        fm.propagate(toy, {"schoolverzuim": "1,000"})
    with pytest.raises(fm.InvalidDeltaError, match="'1_0'"):
        fm.propagate(toy, pd.DataFrame({"schoolverzuim": ["1_0"]}))


def test_deltas_file_reader(tmp_path, toy):
    path = tmp_path / "d.csv"
    path.write_text('wijk,armoede,schoolverzuim\nA,"0,5","""0,5"""\nB,-1,\n', encoding="utf-8")
    deltas = fm.read_deltas(path)
    assert deltas.loc["A"].tolist() == [0.5, 0.5]
    assert deltas.loc["B", "armoede"] == -1.0 and np.isnan(deltas.loc["B", "schoolverzuim"])
    assert fm.propagate(toy, deltas.loc[["A"]]).deltas.loc["A", "armoede"] == 0.5
    path.write_text("wijk;armoede;schoolverzuim\nA;1,000;0,5\nB;1_0;1.000\n", encoding="utf-8")
    with pytest.raises(fm.InvalidDeltaError) as e:
        fm.read_deltas(path)
    msg = str(e.value)
    assert "2 cells are not a number" in msg  # '1,000' is 1.0: '0,5' shows the decimal comma
    for fragment in (f"{path} line 3, column 'armoede': expected a number, got '1_0'",
                     f"{path} line 3, column 'schoolverzuim': expected a number, got '1.000' "
                     "(its column uses ',' as decimal mark, so '.' separates thousands"):
        assert fragment in msg
    path.write_text('wijk,armoede,schoolverzuim\nA,"1,000",1\n', encoding="utf-8")
    with pytest.raises(fm.InvalidDeltaError, match=r"line 2, column 'armoede': '1,000' is "
                       "ambiguous"):
        fm.read_deltas(path)


def test_cli_numbers(capsys, tmp_path):
    assert cli_main(["propagate", "toy", "--delta", "schoolverzuim=0,5", "--format",
                     "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {r["node"]: r["delta"] for r in doc["nodes"]}["schoolverzuim"] == 0.5
    for value, fragment in (("1,000", "'1,000' is dubbelzinnig: 1000 (',' scheidt duizendtallen)"
                                      " of 1.0 (',' als decimaalteken)"), ("1_0", "'1_0'"),
                            ("x", "'x' is geen getal")):
        assert cli_main(["propagate", "toy", "--delta", f"schoolverzuim={value}"]) == 2
        err = capsys.readouterr().err
        assert fragment in err and "--delta 'schoolverzuim=" in err and len(
            err.strip().splitlines()) == 1


@pytest.mark.parametrize(("budget", "expected"), [
    ("250.000", 250000.0), ("250.000,50", 250000.5), ("250000", 250000.0),
    ("250,000", 250000.0), ("1.500", 1500.0)])
def test_cli_budget_reads_dutch_amounts(budget, expected):
    from factormodel.cli import _number_arg

    assert _number_arg("--budget", budget, grouping=True) == expected


def test_cli_budget_errors_ask(capsys):
    code = cli_main(["recommend", "rotterdam-jeugd", "example", "--area", "Oud-Crooswijk",
                     "--outcome", "vsv", "--budget", "250.000.5"])
    err = capsys.readouterr().err
    assert code == 2 and "--budget '250.000.5' is geen getal" in err


def test_fcm_matrix_reader(tmp_path):
    path = tmp_path / "fcm.csv"
    path.write_text(',A,B,C\nA,0,"0,5",\nB,0,0,"""0,25"""\nC,0,0,0\n', encoding="utf-8")
    m = fm.read_fcm_matrix(path, default_kind="risk", outcomes={"C": "lower"})
    w = m.edges.set_index(["source", "target"])["weight"]
    assert w[("a", "b")] == 0.5 and w[("b", "c")] == 0.25 and m.n_edges == 2
    path.write_text(",A,B,C\nA,0,\"1,000\",1_0\nB,0,0,x\nC,0,0,0\n", encoding="utf-8")
    with pytest.raises(fm.DataError) as e:
        fm.read_fcm_matrix(path, default_kind="risk")
    msg = str(e.value)
    assert "3 cell(s) are not numbers" in msg
    assert ("line 2, column 'B': cell (A, B) is not a number: '1,000' ('1,000' is "
            "ambiguous") in msg
    assert "line 2, column 'C': cell (A, C) is not a number: '1_0'" in msg
    assert "line 3, column 'C': cell (B, C) is not a number: 'x'" in msg


def test_edge_list_reader(tmp_path):
    path = tmp_path / "edges.csv"
    path.write_text('source,target,weight\nA,B,"0,5"\nB,C,"""0,25"""\n', encoding="utf-8")
    m = fm.read_edge_list(path, default_kind="risk")
    assert m.edges["weight"].tolist() == [0.5, 0.25]
    path.write_text('source,target,weight\nA,B,"1,000"\nB,C,1_0\n', encoding="utf-8")
    with pytest.raises(fm.DataError) as e:
        fm.read_edge_list(path, default_kind="risk")
    msg = str(e.value)
    assert "2 weight(s) are not numbers" in msg
    assert "edge 1 (A -> B): '1,000' is ambiguous" in msg and "(line 2, column 'weight')" in msg
    assert "edge 2 (B -> C): expected a number, got '1_0'" in msg and "(line 3, column" in msg


def _catalogue_file(tmp_path, scale: str, typical: str):
    path = tmp_path / "indicators.csv"
    path.write_text(
        "id,node,label_nl,label_en,unit,direction,source,level,scale,typical\n"
        f'vsv_nieuw,vsv,VSV,ESL,%,1,DUO,wijk,"{scale}","{typical}"\n', encoding="utf-8")
    return path


def test_indicator_catalogue_reader(tmp_path, toy):
    cat = fm.load_indicators(toy, _catalogue_file(tmp_path, "0,5", '""2,5""'))
    assert cat.loc["vsv_nieuw", "scale"] == 0.5 and cat.loc["vsv_nieuw", "typical"] == 2.5
    assert fm.load_indicators(toy, _catalogue_file(tmp_path, "0,5", "2,5%")).loc[
        "vsv_nieuw", "typical"] == 2.5
    with pytest.raises(fm.ModelValidationError) as e:
        fm.load_indicators(toy, _catalogue_file(tmp_path, "1,000", "1_0"))
    text = "\n".join(problems_of(e))
    assert "indicators.csv line 2, column 'scale': '1,000' is ambiguous" in text
    assert "indicators.csv line 2, column 'typical': expected a number, got '1_0'" in text


def test_intervention_catalogue_reader(tmp_path, rotterdam):
    import csv
    import io as _io
    src = fm_datasets.bundled_model_path("rotterdam-jeugd") / "interventions.csv"
    rows = list(csv.reader(_io.StringIO(src.read_text(encoding="utf-8"))))
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    # a row with a published (non-null) effect: its effect may be rewritten
    first = next(r for r in rows[1:]
                 if r[col["effect"]] and r[col["effect_status"]] != "published null")
    path = tmp_path / "interventions.csv"

    def write(**cells):
        row = list(first)
        for name, text in cells.items():
            row[col[name]] = text
        buf = _io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([header, row])
        path.write_text(buf.getvalue(), encoding="utf-8")

    # money and counts may carry thousands separators; effects may not
    write(cost_per_unit="2.000,00", effect="0,3")
    cat = fm.load_interventions(rotterdam, path)
    assert cat.loc[0, "cost_per_unit"] == 2000.0 and cat.loc[0, "effect"] == 0.3
    write(reach_per_unit="1_0", effect="1,000")
    with pytest.raises(fm.ModelValidationError) as e:
        fm.load_interventions(rotterdam, path)
    text = "\n".join(problems_of(e))
    assert "interventions.csv line 2, column 'effect': '1,000' is ambiguous" in text
    assert "interventions.csv line 2, column 'reach_per_unit': expected a number, got '1_0'" \
        in text


def test_area_data_reader(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text('wijk;jaar;vsv_nieuw;armoede\nTarwewijk;2023;"0,5";"""2,5"""\n'
                    "Spangen;2023;-;12%\n", encoding="utf-8")
    data = fm.read_area_data(path, areas="rotterdam").set_index(["area", "indicator"])
    assert data.loc[("Tarwewijk", "vsv_nieuw"), "value"] == 0.5
    assert data.loc[("Tarwewijk", "armoede"), "value"] == 2.5
    assert np.isnan(data.loc[("Spangen", "vsv_nieuw"), "value"])  # not StatLine: '-' missing
    assert data.loc[("Spangen", "vsv_nieuw"), "flag"] == "missing"
    assert data.loc[("Spangen", "armoede"), "value"] == 12.0      # in the indicator's % unit
    nihil = fm.read_area_data(path, areas="rotterdam", nihil=True).set_index(
        ["area", "indicator"])
    assert nihil.loc[("Spangen", "vsv_nieuw"), ["value", "flag"]].tolist() == [0.0, "nihil"]
    path.write_text("wijk;jaar;vsv_nieuw;armoede\nTarwewijk;2023;1,000;0,5\n"
                    "Spangen;2023;1_0;1.000\nCool;2023;0,5;inf\n", encoding="utf-8")
    with pytest.raises(fm.DataError) as e:
        fm.read_area_data(path, areas="rotterdam")
    msg = str(e.value)
    assert msg.startswith(f"{path}: 3 value(s) are not numbers or CBS symbols: ")
    for fragment in ("'1_0' (line 3, 'Spangen', 'vsv_nieuw') in column 'vsv_nieuw': expected",
                     "'1.000' (line 3, 'Spangen', 'armoede') in column 'armoede': expected a "
                     "number, got '1.000' (its column uses ',' as decimal mark",
                     "'inf' (line 4, 'Cool', 'armoede') in column 'armoede': expected a finite"):
        assert fragment in msg, fragment
    path.write_text("wijk;jaar;vsv_nieuw\nTarwewijk;2023;1,000\nSpangen;2023;2\n",
                    encoding="utf-8")
    with pytest.raises(fm.DataError, match=r"'1,000' \(line 2, 'Tarwewijk', 'vsv_nieuw'\) in "
                       r"column 'vsv_nieuw': '1,000' is ambiguous"):
        fm.read_area_data(path, areas="rotterdam")


def test_area_data_reports_years_values_and_populations_at_once(tmp_path):
    """Issue 15 item 6: a bad population cell raised a bare ValueError without a place."""
    path = tmp_path / "long.csv"
    path.write_text("area,year,indicator,value,population\n"
                    "Rubroek,2022,vsv_nieuw,2.5,veel\n"
                    "Rubroek,20x2,armoede,\"1,000\",4000\n"
                    "Cool,2022,vsv_nieuw,1.5,\"12.345\"\n", encoding="utf-8")
    with pytest.raises(fm.DataError) as e:
        fm.read_area_data(path)
    msg = str(e.value)
    assert "1 unreadable year(s)" in msg and "'20x2' (line 3) in column 'year'" in msg
    assert "1 value(s) are not numbers" in msg and "(line 3, 'Rubroek', 'armoede') in column " \
        "'value': expected a number, got '1,000' (its column uses '.' as decimal mark" in msg
    assert "1 population(s) are not numbers: 'veel' (line 2, 'Rubroek') in column " \
        "'population'" in msg
    path.write_text("area,year,indicator,value,population\nCool,2022,vsv_nieuw,1.5,12.345\n",
                    encoding="utf-8")
    assert fm.read_area_data(path)["population"].tolist() == [12345.0]  # a count: grouped


def test_statline_tables_read_dash_as_nihil_others_as_missing():
    wide = pd.DataFrame({"wijk": ["A", "B"], "Perioden": ["2022", "2022"], "v": ["1", "-"]})
    assert normalize(wide)["flag"].tolist() == ["", "nihil"]
    wide = wide.rename(columns={"Perioden": "jaar"})
    assert normalize(wide)["flag"].tolist() == ["", "missing"]
    wide["jaar"] = ["2022JJ00", "2022JJ00"]
    assert normalize(wide)["value"].tolist()[1] == 0.0
    assert normalize(wide, nihil=False)["flag"].tolist() == ["", "missing"]


def normalize(frame, **options):
    from factormodel.files.areas import normalize_area_data

    return normalize_area_data(frame, **options)


def test_every_reader_error_is_a_factormodel_error(tmp_path, toy):
    """Random cells through the readers: a number, or a FactorModelError, nothing else."""
    cells = ["1,000", "1_0", "nan", "1e400", '"', "", "\u0663", "1.000,5", "12%", "-", "x"]
    for cell in cells:
        for call in (lambda c=cell: toy.with_weights({("schoolverzuim", "vsv"): c}),
                     lambda c=cell: fm.propagate(toy, {"schoolverzuim": c}),
                     lambda c=cell: normalize(pd.DataFrame({"wijk": ["A"], "jaar": [2022],
                                                            "v": [c]})),
                     lambda c=cell: fm.aggregate_weights({"e": pd.DataFrame(
                         {"source": ["a"], "target": ["b"], "weight": [c]})})):
            with contextlib.suppress(FactorModelError):
                call()


def test_goal_priorities_use_the_cell_parser(toy):
    from factormodel.analysis import _scoring

    assert _scoring.priorities(toy, {"vsv": "0,5"}) == {"vsv": 0.5}
    for bad in ("1_0", True, "1,000"):
        with pytest.raises(fm.InvalidParameterError, match="priorities must be numbers above 0"):
            _scoring.priorities(toy, {"vsv": bad})


def test_issue15_item3_thousands_and_underscores_are_never_silently_read(tmp_path, toy):
    """Issue 15 item 3, pinned: '1,000' became 1.0 and '1_0' became 10.0 in edges, weight
    tables and area values. Alone in their column (no other cell shows the decimal mark),
    both are now errors that name the cell."""
    edges = [list(r) for r in CHAIN_EDGES]
    edges[0][2], edges[0][4], edges[1][4] = "1_0", "", ""
    edges[1][2] = "1,000"
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_model(write_folder(tmp_path / "m", edges=edges))
    found = [(p.split(": ", 1)[0].split("/")[-1], p.split(": ", 1)[1][:29])
             for p in problems_of(e)]
    assert found == [("edges.csv line 2, column 'weight'", "expected a number, got '1_0' "),
                     ("edges.csv line 3, column 'weight'", "'1,000' is ambiguous: 1000 ('")]
    with pytest.raises(fm.ModelValidationError, match="ambiguous"):
        toy.with_weights(pd.DataFrame({"source": ["schoolverzuim"], "target": ["vsv"],
                                       "weight": ["1,000"]}))
    with pytest.raises(fm.ModelValidationError, match="'_' is not a digit separator"):
        toy.with_weights(pd.DataFrame({"source": ["schoolverzuim"], "target": ["vsv"],
                                       "weight": ["1_0"]}))
    for cell in ("1,000", "1_0"):
        with pytest.raises(fm.DataError, match=re.escape(f"'{cell}' (row 1, 'A', 'v')")):
            normalize(pd.DataFrame({"wijk": ["A"], "jaar": [2022], "v": [cell]}))


_READER_CELLS = st.one_of(st.text(max_size=12), st.sampled_from(
    ["1,000", "1.000", "0,5", '"0,5"', "1_0", "12%", "-", ".", "x", "inf", "nan", "1e400",
     "1.234,5", "\u2212", '"', "", " "]))


@given(st.lists(_READER_CELLS, min_size=1, max_size=6))
@settings(max_examples=60, deadline=None)
def test_readers_return_or_raise_a_factormodel_error_on_any_cells(cells):
    """Random text through the in-memory readers: a result, or a FactorModelError."""
    toy = fm.load_model("toy")
    n = len(cells)
    calls = [
        lambda: normalize(pd.DataFrame({"wijk": [f"A{i}" for i in range(n)], "jaar": [2022] * n,
                                        "v": cells, "inwoners": cells})),
        lambda: fm.propagate(toy, pd.DataFrame({"schoolverzuim": cells}), missing="free"),
        lambda: toy.with_weights(pd.DataFrame({"source": ["schoolverzuim"] * n,
                                               "target": ["vsv"] * n, "weight": cells})),
        lambda: fm.aggregate_weights({"e": pd.DataFrame({"source": ["a"] * n,
                                                         "target": [f"b{i}" for i in range(n)],
                                                         "weight": cells})}),
        lambda: parse_numbers(cells, markers=True, nihil=True, percent=True, grouping=True),
    ]
    for call in calls:
        # a valid weight may make the model incoherent (implied R² >= 1): that is a
        # ModelWarning about the result, not a reader failure
        with warnings.catch_warnings(), contextlib.suppress(FactorModelError):
            warnings.simplefilter("ignore", fm.ModelWarning)
            call()


# --------------------------------------------------------------------------- coding columns
# A long table made from a wide one repeats its area column as one block per indicator:
# factorize_column hashes only the first block. These check it gives pandas' answer for
# every column, blocks or not (a cell that breaks the block anywhere, missing cells,
# 1 and True), so that hashing less never changes a code.

_CODED_CELLS = st.one_of(st.sampled_from(["a", "b", "B", "a ", "", "1", "ab"]), st.none(),
                         st.just(NAN), st.just(1), st.just(True), st.just(1.0),
                         st.just(pd.NA))


def _same_factorization(column, missing_code):
    from factormodel.tables._cells import factorize_column

    codes, distinct = factorize_column(column, missing_code=missing_code)
    want_codes, want_distinct = pd.factorize(column, use_na_sentinel=missing_code)
    assert codes.tolist() == want_codes.tolist()
    assert pd.Index(distinct, dtype=object).equals(pd.Index(want_distinct, dtype=object))


@given(block=st.lists(_CODED_CELLS, min_size=1, max_size=12), extra=st.integers(0, 11),
       broken=st.one_of(st.none(), st.tuples(st.floats(0, 1), _CODED_CELLS)),
       missing_code=st.booleans(), dtype=st.sampled_from([object, "str", "category"]),
       fresh=st.booleans())
@settings(max_examples=200, deadline=None)
def test_factorize_column_equals_pandas_on_repeated_blocks(block, extra, broken,
                                                           missing_code, dtype, fresh):
    cells = block * (1100 // len(block) + 1) + block[:extra]
    if fresh:  # equal cells that are other objects (as read from a file), not one repeated
        cells = [c[:1] + c[1:] if isinstance(c, str) else c + 0.0 if isinstance(c, float)
                 else c for c in cells]
    if broken is not None:  # one cell anywhere that breaks the block
        where, cell = broken
        cells[int(where * (len(cells) - 1))] = cell
    if dtype is object:
        column = pd.Series(cells, dtype=object)
    else:  # text or missing in pandas' text and categorical dtypes
        column = pd.Series([c if isinstance(c, str) else NAN for c in cells], dtype=dtype)
    _same_factorization(column, missing_code)


@given(runs=st.lists(st.tuples(_CODED_CELLS, st.integers(1, 400)), min_size=1, max_size=8),
       missing_code=st.booleans())
@settings(max_examples=100, deadline=None)
def test_factorize_column_equals_pandas_on_runs(runs, missing_code):
    cells = [cell for cell, length in runs for _ in range(length)] * 3
    cells = [c[:1] + c[1:] if isinstance(c, str) and k % 3 else c  # some equal, other objects
             for k, c in enumerate(cells)]
    _same_factorization(pd.Series(cells, dtype=object), missing_code)


def test_block_period_finds_the_block_and_refuses_any_other_column():
    from factormodel.tables._cells import block_period, covering_rows, factorize_column

    block = np.asarray([f"BU{i:08d}" for i in range(300)], dtype=object)
    column = np.concatenate([block] * 4 + [block[:7]])
    assert block_period(column) == 300
    assert covering_rows(pd.Series(column)).tolist() == block.tolist()
    late = column.copy()
    late[-3] = "BU99999999"  # one cell in the last, partial block
    assert block_period(late) is None
    early = column.copy()
    early[1100] = early[1099]  # one cell after the sample of the first cells
    assert block_period(early) is None
    assert block_period(column[:900]) is None  # short: hashing is cheap
    assert block_period(np.tile(np.arange(300), 4)) is None  # numbers hash fast
    with_nan = column.copy()
    with_nan[[5, 305, 605, 905, 1205]] = [float("nan") for _ in range(5)]  # five NaN objects
    assert block_period(with_nan) is None  # equal to nothing: hashed in full
    one_nan = column.copy()
    one_nan[[5, 305, 605, 905, 1205]] = np.nan  # one NaN object: the same cell in each block
    assert block_period(one_nan) == 300
    assert factorize_column(pd.Series(one_nan))[0].tolist() == pd.factorize(one_nan)[0].tolist()
    with_na = column.copy()
    with_na[[5, 305, 605, 905, 1205]] = pd.NA
    assert block_period(with_na) is None
    assert block_period(np.asarray(["a", "b", "a", "c"] * 300, dtype=object)) is None
    assert block_period(np.asarray(["a", "b"] * 600, dtype=object)) == 2
