"""Every validation problem named in the foundation issue, each with its location."""

from __future__ import annotations

import copy
import json
import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import factormodel as fm
from factormodel.files import folders as fm_io

from .conftest import (
    CHAIN_EDGES,
    CHAIN_NODES,
    EDGE_HEADER,
    NODE_HEADER,
    one_problem,
    problems_of,
    write_folder,
)


def nodes_with(**changes: tuple[int, str, str]) -> list[list[str]]:
    rows = copy.deepcopy(CHAIN_NODES)
    for _, (row, col, value) in changes.items():
        rows[row][NODE_HEADER.index(col)] = value
    return rows


def edges_with(*changes: tuple[int, str, str]) -> list[list[str]]:
    rows = copy.deepcopy(CHAIN_EDGES)
    for row, col, value in changes:
        rows[row][EDGE_HEADER.index(col)] = value
    return rows


def load(tmp_path, **kw):
    return fm.read_model(write_folder(tmp_path / "m", **kw))


def test_valid_chain_loads(chain_folder):
    m = fm.read_model(chain_folder)
    assert m.node_ids == ("a", "b", "y")
    assert m.edges["weight"].tolist() == [-0.5, -0.4]


def test_duplicate_node_id(tmp_path):
    nodes = [*CHAIN_NODES, list(CHAIN_NODES[1])]
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, nodes=nodes)
    p = one_problem(e, "nodes.csv line 5, column 'id'", "duplicate node id 'b'")
    assert "line 3" in p  # points at the first definition


def test_edge_to_unknown_node_suggests_close_match(tmp_path):
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, edges=edges_with((1, "target", "yy")))
    one_problem(e, "edges.csv line 3, column 'target'", "unknown node 'yy'", "did you mean 'y'")


def test_unknown_source_node(tmp_path):
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, edges=edges_with((0, "source", "zzz")))
    one_problem(e, "edges.csv line 2, column 'source'", "unknown node 'zzz'")


@pytest.mark.parametrize(("value", "fragment"), [
    ("", "missing weight"),
    ("abc", "expected a number, got 'abc'"),
    ("nan", "got NaN"),
    ("inf", "expected a finite number"),
    ("-Infinity", "expected a finite number"),
])
def test_bad_weights(tmp_path, value, fragment):
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, edges=edges_with((0, "weight", value)))
    one_problem(e, "edges.csv line 2, column 'weight'", fragment)


def test_self_loop(tmp_path):
    edges = [*CHAIN_EDGES, ["b", "b", "0.1", "zwak", "", "expert judgement", ""]]
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, edges=edges)
    one_problem(e, "edges.csv line 4", "self-loop 'b' -> 'b'")


def test_duplicate_edge(tmp_path):
    edges = [*CHAIN_EDGES, list(CHAIN_EDGES[0])]
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, edges=edges)
    p = one_problem(e, "edges.csv line 4", "duplicate edge 'a' -> 'b'")
    assert "line 2" in p


@pytest.mark.parametrize(("col", "value", "fragment"), [
    ("kind", "riks", "unknown kind 'riks'; expected one of risk, protective, outcome"),
    ("setting", "straat", "unknown setting 'straat' for a factor"),
    ("phases", "4-12 13-18", "unknown phase '13-18'"),
    ("phases", "", "no phase given"),
    ("phases", "all 0-4", "'all' cannot be combined"),
    ("modifiable", "maybe", "expected true or false"),
    ("label_nl", "", "missing Dutch label"),
    ("label_en", " ", "missing English label"),
    ("id", "a b", "must be ascii letters"),
    ("desired", "higher", "contradicts kind 'risk'"),
])
def test_bad_node_values(tmp_path, col, value, fragment):
    rows = copy.deepcopy(CHAIN_NODES)
    rows[1][NODE_HEADER.index(col)] = value
    if col == "desired":  # 'higher' is right for a protective node: use the risk node
        rows = copy.deepcopy(CHAIN_NODES)
        rows[0][NODE_HEADER.index(col)] = value
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, nodes=rows)
    line = 2 if col == "desired" else 3
    one_problem(e, f"nodes.csv line {line}, column '{col}'", fragment)


def test_outcome_setting_must_be_an_impact_domain(tmp_path):
    rows = copy.deepcopy(CHAIN_NODES)
    rows[2][NODE_HEADER.index("setting")] = "school"
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, nodes=rows)
    one_problem(e, "nodes.csv line 4, column 'setting'", "for an outcome",
                "kansrijk, veilig, gezond")


def test_outcome_needs_desired_direction(tmp_path):
    rows = copy.deepcopy(CHAIN_NODES)
    rows[2][NODE_HEADER.index("desired")] = ""
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, nodes=rows)
    one_problem(e, "nodes.csv line 4, column 'desired'", "needs a desired direction")


def test_bad_strength_and_missing_source(tmp_path):
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, edges=edges_with((0, "strength", "strong"), (1, "source_ref", "")))
    one_problem(e, "edges.csv line 2, column 'strength'", "unknown strength 'strong'")
    one_problem(e, "edges.csv line 3, column 'source_ref'", "expert judgement")


@pytest.mark.parametrize(("extra", "fragment"), [
    ({"sd": "-0.1"}, "sd must be zero or positive"),
    ({"low": "0.1"}, "give both low and high"),
    ({"low": "-0.2", "high": "-0.9", "sd": ""}, "low -0.2 is above high -0.9"),
    ({"low": "-0.3", "high": "-0.1", "sd": ""}, "outside its interval"),
    ({"low": "-0.9", "high": "-0.1"}, "not both"),
])
def test_uncertainty_checks(tmp_path, extra, fragment):
    header = [*EDGE_HEADER, "low", "high"]
    rows = [[*r, "", ""] for r in copy.deepcopy(CHAIN_EDGES)]
    for col, value in extra.items():
        rows[0][header.index(col)] = value
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, edges=rows, edge_header=header)
    one_problem(e, "edges.csv line 2", fragment)


def test_missing_required_columns(tmp_path):
    node_header = [c for c in NODE_HEADER if c != "kind"]
    nodes = [[v for c, v in zip(NODE_HEADER, r, strict=True) if c != "kind"] for r in CHAIN_NODES]
    edge_header = [c for c in EDGE_HEADER if c != "weight"]
    edges = [[v for c, v in zip(EDGE_HEADER, r, strict=True) if c != "weight"]
             for r in CHAIN_EDGES]
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, nodes=nodes, edges=edges, node_header=node_header, edge_header=edge_header)
    one_problem(e, "nodes.csv", "missing required column 'kind'")
    one_problem(e, "edges.csv", "missing required column 'weight'")


def test_outcome_without_incoming_edge(tmp_path):
    nodes = [*CHAIN_NODES, ["z", "outcome", "veilig", "geweld", "violence", "12-18", "false",
                            "lower", ""]]
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, nodes=nodes)
    one_problem(e, "node 'z'", "outcome has no incoming edge")


def test_empty_model(tmp_path):
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, nodes=[], edges=[])
    one_problem(e, "nodes.csv", "no nodes (empty model)")
    one_problem(e, "edges.csv", "no edges")


def test_metadata_problems(tmp_path):
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, meta={"name": "x", "status": "official-ish"})
    one_problem(e, "metadata.json, field 'version'", "missing required field 'version'")
    one_problem(e, "metadata.json, field 'status'", "unknown status 'official-ish'")


def test_all_problems_reported_at_once(tmp_path):
    nodes = copy.deepcopy(CHAIN_NODES)
    nodes[0][NODE_HEADER.index("kind")] = "bad"
    nodes[1][NODE_HEADER.index("phases")] = "nope"
    edges = edges_with((1, "weight", "x"), (0, "source", "q"))
    with pytest.raises(fm.ModelValidationError) as e:
        load(tmp_path, nodes=nodes, edges=edges)
    assert len(problems_of(e)) == 4
    message = str(e.value)
    assert message.startswith(f"{tmp_path / 'm'} has 4 problems:")
    assert message.count("\n  - ") == 4


def test_validation_error_is_value_error_and_base(tmp_path):
    with pytest.raises(ValueError):
        load(tmp_path, edges=edges_with((0, "weight", "x")))
    with pytest.raises(fm.FactorModelError):
        load(tmp_path, edges=edges_with((0, "weight", "x")))


def test_sign_contradiction_is_a_warning_not_an_error(tmp_path):
    # protective b *raising* the problem outcome y: valid, but suspicious
    edges = edges_with((1, "weight", "0.4"))
    with pytest.warns(fm.ModelWarning, match=r"'b' \(protective factor\) -> 'y' \(outcome, "
                                             r"desired lower\).*expected negative"):
        m = load(tmp_path, edges=edges)
    assert len(m.warnings) == 1
    assert "edges.csv line 3" in m.warnings[0].where


def json_problems(tmp_path, name, spoil) -> pytest.ExceptionInfo:
    """Write the chain model as JSON, spoil the document, and return the raised error."""
    doc = fm_io.model_to_dict(fm.read_model(write_folder(tmp_path / "m")))
    spoil(doc)
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_model(path)
    return e


def test_json_file_reports_paths_and_schema_errors(tmp_path):
    def spoil(doc: dict) -> None:
        doc["nodes"][1]["kind"] = "riks"
        doc["edges"][0]["weight"] = "heavy"
        doc["edges"][1]["source"] = "nope"
        del doc["metadata"]["status"]

    e = json_problems(tmp_path, "bad.json", spoil)
    one_problem(e, "bad.json: nodes[1].kind", "riks")
    one_problem(e, "bad.json: edges[0].weight", "heavy")
    one_problem(e, "bad.json: edges[1].source", "unknown node 'nope'")
    one_problem(e, "metadata", "status")
    assert len(problems_of(e)) == 4  # schema and semantic checks never repeat a cell


def test_json_wrong_format_marker(tmp_path):
    e = json_problems(tmp_path, "x.json",
                      lambda doc: doc.update(format="something-else", extra_top_level=1))
    one_problem(e, "x.json: format", "'factormodel' was expected")
    one_problem(e, "x.json", "Additional properties are not allowed")


def test_json_not_a_model_object(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[1, 2, 3]")
    with pytest.raises(fm.ModelValidationError) as e:
        fm.read_model(path)
    one_problem(e, "x.json", "is not of type 'object'")


# the vectorised screen misses no row: random tables, an independent per-row rule set ------

def _reported_rows(nodes: pd.DataFrame, edges: pd.DataFrame, table: str) -> set[int]:
    """Rows of ``table`` with a row-level problem when building the model."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fm.ModelWarning)
            fm.FactorModel(nodes, edges, {"name": "t", "version": "1", "status": "illustrative"})
    except fm.ModelValidationError as e:
        return {p.key[1] for p in e.problems if p.key[0] == table and p.key[1] is not None
                and "no incoming edge" not in p.message}  # a graph rule, not a row rule
    return set()


_POOL = {  # valid values repeated so that rows with a single defect are common
    "source": ["a", "b", "a", "b", "c", "", "zz"],
    "target": ["c", "c", "b", "a", "c", "", "zz"],
    "weight": ["0.3", "-0.2", "0.1", "0.2", "", "abc", "nan", "0,5"],
    "strength": ["matig", "Sterk", "zwak", "matig", "huge", ""],
    "source_ref": ["expert judgement", "Doe 2020", "x", ""],
    "sd": ["", "", "", "", "0.1", "-0.1", "x"],
    "low": ["", "", "", "0.0", "0.4"],
    "high": ["", "", "", "0.35", "-1"],
}


def _row_is_bad(row: dict, earlier: set) -> bool:
    """Independent statement of the edge rules (what should be reported for a row)."""
    def num(v):
        try:
            x = float(v.replace(",", "."))
        except ValueError:
            return "error"
        return "error" if x != x else x
    s, t = row["source"], row["target"]
    w, sd, lo, hi = (None if row[c] == "" else num(row[c])
                     for c in ("weight", "sd", "low", "high"))
    if "error" in (w, sd, lo, hi) or w is None:
        return True
    if s not in {"a", "b", "c"} or t not in {"a", "b", "c"} or s == t or (s, t) in earlier:
        return True
    if (lo is None) != (hi is None) or (sd is not None and sd < 0):
        return True
    if lo is not None and (sd is not None or lo > hi or not lo <= w <= hi):
        return True
    return row["strength"].lower() not in {"sterk", "matig", "zwak"} or not row["source_ref"]


@given(st.lists(st.fixed_dictionaries({c: st.sampled_from(v) for c, v in _POOL.items()}),
                min_size=1, max_size=12))
@settings(max_examples=300, deadline=None)
def test_every_bad_edge_row_is_reported_and_no_good_row_is(rows):
    nodes = pd.DataFrame({"id": ["a", "b", "c"], "kind": ["risk", "risk", "outcome"],
                          "setting": ["kind", "thuis", "kansrijk"],
                          "label_nl": ["A", "B", "C"], "label_en": ["A", "B", "C"],
                          "desired": ["", "", "lower"]})
    edges = pd.DataFrame(rows, dtype=str)
    expected, earlier = set(), set()
    for i, row in enumerate(rows):
        if _row_is_bad(row, earlier):
            expected.add(i)
        if row["source"] and row["target"]:
            earlier.add((row["source"], row["target"]))
    assert _reported_rows(nodes, edges, "edges") == expected


_NODE_POOL = {  # valid values repeated so that rows with a single defect are common
    "id": ["a", "b", "c", "d", "a", "", "bad id", "_x"],
    "kind": ["risk", "protective", "outcome", "Risk", "risk", "cause"],
    "setting": ["kind", "thuis", "kansrijk", "gezond", "school", "buiten"],
    "label_nl": ["A", "B", "C", ""],
    "label_en": ["A", "B", "C", ""],
    "phases": ["all", "0-4", "12-18", "", "later"],
    "modifiable": ["true", "false", "ja", "", "misschien"],
    "desired": ["", "", "lower", "higher", "down"],
}


def _node_row_is_bad(row: dict, earlier: set) -> bool:
    """Independent statement of the node rules."""
    kind, setting, desired = (row[c].lower() for c in ("kind", "setting", "desired"))
    node_id = row["id"]
    if not node_id or " " in node_id or node_id.startswith("_") or node_id in earlier:
        return True
    if kind not in {"risk", "protective", "outcome"}:
        return True
    factor_settings = {"kind", "thuis", "school", "wijk", "digitaal"}
    outcome_settings = {"kansrijk", "veilig", "gezond"}
    if setting not in (outcome_settings if kind == "outcome" else factor_settings):
        return True
    if not row["label_nl"] or not row["label_en"]:
        return True
    if row["phases"] in ("", "later") or row["modifiable"] in ("", "misschien"):
        return True
    if desired not in {"", "lower", "higher"} or (kind == "outcome" and not desired):
        return True
    return (kind, desired) in {("risk", "higher"), ("protective", "lower")}


@given(st.lists(st.fixed_dictionaries({c: st.sampled_from(v) for c, v in _NODE_POOL.items()}),
                min_size=1, max_size=10))
@settings(max_examples=300, deadline=None)
def test_every_bad_node_row_is_reported_and_no_good_row_is(rows):
    nodes = pd.DataFrame(rows, dtype=str)
    edges = pd.DataFrame({"source": ["a"], "target": ["b"], "weight": ["0.1"],
                          "strength": ["matig"], "source_ref": ["expert judgement"]})
    expected, earlier = set(), set()
    for i, row in enumerate(rows):
        if _node_row_is_bad(row, earlier):
            expected.add(i)
        if row["id"] and " " not in row["id"] and not row["id"].startswith("_"):
            earlier.add(row["id"])
    assert _reported_rows(nodes, edges, "nodes") == expected
