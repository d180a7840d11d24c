"""Reading and writing model folders and JSON files, including Excel's quirks."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

import factormodel as fm
from factormodel.files.folders import model_to_dict, sniff_separator

from .conftest import CHAIN_EDGES, CHAIN_NODES, EDGE_HEADER, NODE_HEADER, one_problem, write_folder

BUNDLED = ["ctc", "rotterdam-jeugd", "toy"]


@pytest.mark.parametrize("name", BUNDLED)
def test_folder_round_trip(tmp_path, name):
    m = fm.load_model(name)
    fm.write_model(m, tmp_path / "out")
    back = fm.read_model(tmp_path / "out")
    assert back == m
    # the written tables are identical to the model's tables, cell for cell
    assert back.nodes.equals(m.nodes)
    assert back.edges.equals(m.edges)


@pytest.mark.parametrize("name", BUNDLED)
def test_json_round_trip_and_schema(tmp_path, name):
    m = fm.load_model(name)
    path = tmp_path / "m.json"
    fm.write_model(m, path)
    assert fm.read_model(path) == m
    doc = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator(fm.model_schema()).validate(doc)


def test_csv_json_csv_is_byte_identical(tmp_path):
    m = fm.load_model("rotterdam-jeugd")
    fm.write_model(m, tmp_path / "a")
    fm.write_model(m, tmp_path / "m.json")
    fm.write_model(fm.read_model(tmp_path / "m.json"), tmp_path / "b")
    for f in ("nodes.csv", "edges.csv", "metadata.json"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(fm.model_schema())


def test_excel_dutch_csv_loads(tmp_path):
    """BOM, ';' separator, decimal comma, Windows-1252, shuffled columns, extra columns."""
    folder = tmp_path / "excel"
    folder.mkdir()
    node_cols = ["label_en", "id", "opmerking", "kind", "setting", "label_nl", "phases",
                 "modifiable", "desired"]
    nodes = "\r\n".join([
        ";".join(node_cols),
        "poverty;a;context;risk;thuis;financiële armoede;all;ONWAAR;",
        "achievement;b;;protective;school;prestaties;4-12;WAAR;",
        "early school leaving;y;;outcome;kansrijk;vsv;12-18;ONWAAR;lower",
        ";;;;;;;;",
        "",
    ])
    (folder / "nodes.csv").write_bytes(nodes.encode("cp1252"))
    edges = "\r\n".join([
        "Source;Target;Weight ;strength;sd;source_ref;;",
        'a;b;-0,5;matig;0,1;"Smith; Jones (2020)";;',
        "b;y;-0,4;sterk;0,05;expert judgement;;",
    ])
    (folder / "edges.csv").write_bytes(b"\xef\xbb\xbf" + edges.encode("utf-8"))
    (folder / "metadata.json").write_text(json.dumps({"name": "x", "version": "1",
                                                      "status": "illustrative"}))
    m = fm.read_model(folder)
    assert m.node_ids == ("a", "b", "y")
    assert m.nodes.loc["a", "label_nl"] == "financiële armoede"
    assert m.nodes["modifiable"].tolist() == [False, True, False]
    assert m.edges["weight"].tolist() == [-0.5, -0.4]
    assert m.edges["sd"].tolist() == [0.1, 0.05]
    assert m.edges["source_ref"].tolist()[0] == "Smith; Jones (2020)"
    assert m.nodes.loc["a", "opmerking"] == "context"  # extra column kept
    # and it is written back in the canonical form, extra column included
    fm.write_model(m, tmp_path / "clean")
    header = (tmp_path / "clean" / "nodes.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join([*NODE_HEADER, "opmerking"])
    assert fm.read_model(tmp_path / "clean") == m


def test_sniff_separator():
    assert sniff_separator("a;b;c") == ";"
    assert sniff_separator("a\tb\tc") == "\t"
    assert sniff_separator("a,b;c,d") == ","
    assert sniff_separator("single") == ","


def test_thousands_separator_is_refused(tmp_path):
    edges = [list(r) for r in CHAIN_EDGES]
    edges[0][2] = "1.234,5"
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_model(write_folder(tmp_path / "m", edges=edges))
    one_problem(e, "edges.csv line 2, column 'weight'", "expected a number, got '1.234,5'")


def test_row_with_wrong_number_of_fields(tmp_path):
    folder = write_folder(tmp_path / "m")
    text = (folder / "edges.csv").read_text()
    (folder / "edges.csv").write_text(text + "a,y,0.1,zwak,,expert judgement,,surplus\n")
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_model(folder)
    one_problem(e, "edges.csv line 4", "has 8 fields, the header has 7")


def test_unnamed_column_with_values_and_duplicate_header(tmp_path):
    header = [*EDGE_HEADER, ""]
    edges = [[*r, "x"] for r in CHAIN_EDGES]
    node_header = [*NODE_HEADER, "Kind"]
    nodes = [[*r, r[1]] for r in CHAIN_NODES]
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_model(write_folder(tmp_path / "m", nodes=nodes, edges=edges,
                                   edge_header=header, node_header=node_header))
    one_problem(e, "edges.csv column 8", "has values but no header")
    one_problem(e, "nodes.csv column 'Kind'", "duplicate column header")


def test_multiline_quoted_cells_keep_line_numbers(tmp_path):
    nodes = [list(r) for r in CHAIN_NODES]
    nodes[0][8] = "line one\nline two"
    nodes[2][1] = "nonsense"
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_model(write_folder(tmp_path / "m", nodes=nodes))
    # the description of row 1 spans two physical lines, so y sits on line 5
    one_problem(e, "nodes.csv line 5, column 'kind'", "unknown kind 'nonsense'")


def test_cells_are_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    nodes = [list(r) for r in CHAIN_NODES]
    nodes[0][3] = payload
    nodes[0][8] = "=cmd|' /C calc'!A0"
    m = fm.read_model(write_folder(tmp_path / "m", nodes=nodes))
    assert m.nodes.loc["a", "label_nl"] == payload
    assert not marker.exists()


def test_read_model_file_errors(tmp_path):
    with pytest.raises(fm.ModelFileError, match="no such file or folder"):
        fm.read_model(tmp_path / "missing")
    csv_file = tmp_path / "nodes.csv"
    csv_file.write_text("id\n")
    with pytest.raises(fm.ModelFileError, match=r"expected a model folder or a \.json file"):
        fm.read_model(csv_file)
    folder = tmp_path / "half"
    folder.mkdir()
    (folder / "nodes.csv").write_text("id\n")
    with pytest.raises(fm.ModelFileError, match=r"missing edges.csv, metadata.json"):
        fm.read_model(folder)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"format": "factormodel",\n "nodes": [}')
    with pytest.raises(fm.ModelFileError, match=r"bad.json line 2, column 12: not valid JSON"):
        fm.read_model(bad_json)
    assert issubclass(fm.ModelFileError, OSError)


def test_undecodable_file(tmp_path):
    folder = write_folder(tmp_path / "m")
    (folder / "nodes.csv").write_bytes(b"id,kind\n\x81\x8d,risk\n")
    with pytest.raises(fm.ModelFileError, match="cannot decode as UTF-8 or Windows-1252"):
        fm.read_model(folder)


def test_empty_csv_file(tmp_path):
    folder = write_folder(tmp_path / "m")
    (folder / "edges.csv").write_text("")
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_model(folder)
    one_problem(e, "edges.csv", "the file is empty")


def test_metadata_json_must_be_an_object(tmp_path):
    folder = write_folder(tmp_path / "m")
    (folder / "metadata.json").write_text("[]")
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_model(folder)
    one_problem(e, "metadata.json", "missing metadata")


def test_write_to_existing_file_that_is_not_a_folder(tmp_path):
    target = tmp_path / "occupied"
    target.write_text("x")
    with pytest.raises(fm.ModelFileError, match="is not a folder"):
        fm.write_model(fm.load_model("toy"), target)


def test_load_model_by_name_path_and_unknown(tmp_path, chain_folder):
    assert fm.load_model("toy").name == "toy"
    assert fm.load_model(chain_folder).name == "chain"
    assert fm.load_model(str(chain_folder)).name == "chain"
    with pytest.raises(fm.UnknownModelError, match="did you mean 'rotterdam-jeugd'") as e:
        fm.load_model("rotterdam")
    assert "bundled models: ctc, rotterdam-jeugd, toy" in str(e.value)
    with pytest.raises(KeyError):
        fm.load_model("nope")


def test_json_missing_values_are_omitted_not_null(tmp_path):
    m = fm.read_model(write_folder(tmp_path / "m"))
    doc = model_to_dict(m)
    assert "low" not in doc["edges"][0]
    assert doc["edges"][0]["sd"] == 0.1
    assert "desired" not in doc["nodes"][0]
    assert doc["nodes"][2]["desired"] == "lower"
