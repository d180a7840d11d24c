"""Exports to other tools and imports of FCM matrices and edge lists."""

from __future__ import annotations

import json
import warnings

import networkx as nx
import pandas as pd
import pytest

import factormodel as fm


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_graph_formats_keep_attributes(tmp_path, rotterdam, suffix):
    path = tmp_path / f"m{suffix}"
    fm.export_model(rotterdam, path)
    G = nx.read_graphml(path) if suffix == ".graphml" else nx.read_gexf(path)
    assert G.number_of_nodes() == rotterdam.n_nodes
    assert G.number_of_edges() == rotterdam.n_edges
    e = rotterdam.edges.set_index(["source", "target"])
    data = G.edges["schoolmotivatie", "schoolverzuim"]
    assert float(data["weight"]) == e.loc[("schoolmotivatie", "schoolverzuim"), "weight"]
    assert data["source_ref"].startswith("gubbels2019: Table 2")
    assert G.nodes["armoede"]["phases"] == "all"


def test_node_link_round_trip(tmp_path, toy):
    path = tmp_path / "toy.json"
    fm.export_model(toy, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    G = nx.node_link_graph(data, edges="edges")
    assert set(G.edges) == set(zip(toy.edges["source"], toy.edges["target"], strict=True))


def test_dot_and_mermaid(tmp_path, toy):
    fm.export_model(toy, tmp_path / "toy.dot", lang="en")
    dot = (tmp_path / "toy.dot").read_text(encoding="utf-8")
    assert dot.count(" -> ") == toy.n_edges and '"early school leaving"' in dot
    assert 'style=dashed' in dot  # negative weights
    fm.export_model(toy, tmp_path / "toy.mmd")
    mmd = (tmp_path / "toy.mmd").read_text(encoding="utf-8")
    assert mmd.startswith("flowchart LR") and "schoolverzuim -->|+0.3| vsv" in mmd
    assert "armoede -.->|-0.5| opvoedklimaat" in mmd


def test_unknown_export_format(tmp_path, toy):
    with pytest.raises(fm.ModelFileError, match="unknown export format"):
        fm.export_model(toy, tmp_path / "toy.xyz")


MATRIX = (",Verzuim,Prestaties,VSV,Steun\n"
          "Verzuim,0,-0.5,0.3,\n"
          "Prestaties,-0.2,0,-0.4,\n"
          "VSV,0,0,0,\n"
          "Steun,0,0.1,0,0\n")


def test_fcm_matrix_csv(tmp_path):
    path = tmp_path / "fcm.csv"
    path.write_text(MATRIX, encoding="utf-8")
    m = fm.read_fcm_matrix(path, default_kind="risk",
                           kinds={"Prestaties": "protective", "Steun": "protective"},
                           outcomes={"VSV": "lower"})
    assert m.node_ids == ("verzuim", "prestaties", "vsv", "steun")
    assert m.n_edges == 5
    e = m.edges.set_index(["source", "target"])
    assert e.loc[("verzuim", "prestaties"), "weight"] == -0.5
    assert e.loc[("verzuim", "prestaties"), "strength"] == "sterk"
    assert e.loc[("steun", "prestaties"), "strength"] == "zwak"
    assert (m.edges["source_ref"] == "expert judgement").all()
    assert m.edges["note"].str.contains("fcm.csv").all()
    assert m.nodes.loc["vsv", "desired"] == "lower"
    assert m.metadata.status == "illustrative"
    assert len(fm.feedback_loops(m)) == 1  # verzuim <-> prestaties


def test_fcm_matrix_xlsx_and_default_kind_warnings(tmp_path):
    frame = pd.DataFrame([[0, 0.4], [0, 0]], index=["A", "B"], columns=["A", "B"])
    path = tmp_path / "fcm.xlsx"
    frame.to_excel(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = fm.read_fcm_matrix(path, default_kind="risk")
    assert m.n_edges == 1 and m.nodes["kind"].tolist() == ["risk", "risk"]
    with pytest.warns(fm.ModelWarning, match="opposite sign"):
        fm.read_fcm_matrix(path, default_kind="risk", kinds={"B": "protective"})


@pytest.mark.parametrize(("text", "fragment"), [
    (",A,B\nB,0,1\nA,0,0\n", "row names must equal its column names"),
    (",A,B\nA,0,veel\nB,0,0\n", "cell (A, B) is not a number: 'veel'"),
    (",A,B\nA,0.5,0\nB,0,0\n", "self-loop on 'A'"),
])
def test_fcm_matrix_errors(tmp_path, text, fragment):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(fm.DataError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        fm.read_fcm_matrix(path, default_kind="risk")


def test_fcm_import_arguments(tmp_path):
    path = tmp_path / "fcm.csv"
    path.write_text(MATRIX, encoding="utf-8")
    with pytest.raises(fm.DataError, match="default_kind must be"):
        fm.read_fcm_matrix(path, default_kind="neutral")
    with pytest.raises(fm.DataError, match=r"names not in fcm\.csv: Nope"):
        fm.read_fcm_matrix(path, default_kind="risk", outcomes={"Nope": "lower"})
    with pytest.raises(fm.ModelFileError, match="no such file"):
        fm.read_fcm_matrix(tmp_path / "none.csv", default_kind="risk")


def test_edge_list(tmp_path):
    path = tmp_path / "edges.csv"
    path.write_text("source;target;weight;source_ref\nArmoede;VSV;0,2;CBS (2021)\n"
                    "Opvoeding;VSV;-0,1;\n", encoding="utf-8")
    m = fm.read_edge_list(path, default_kind="risk", kinds={"Opvoeding": "protective"},
                          outcomes={"VSV": "lower"})
    e = m.edges.set_index("source")
    assert e.loc["armoede", "source_ref"] == "CBS (2021)"
    assert e.loc["opvoeding", "source_ref"] == "expert judgement"
    bad = tmp_path / "bad.csv"
    bad.write_text("from,to,w\nA,B,1\n", encoding="utf-8")
    with pytest.raises(fm.ModelValidationError, match="missing required column 'source'"):
        fm.read_edge_list(bad, default_kind="risk")


def test_colliding_concept_names_are_an_error_not_renamed(tmp_path):
    # issue 15: 'Armoede %' and 'armoede' used to become armoede and armoede_2 silently
    path = tmp_path / "fcm.csv"
    path.write_text(",Armoede %,armoede,X\nArmoede %,0,0.2,0\narmoede,0,0,0.3\nX,0,0,0\n",
                    encoding="utf-8")
    with pytest.raises(fm.DataError, match=r"'Armoede %' and 'armoede' -> 'armoede'"):
        fm.read_fcm_matrix(path, default_kind="risk")


def test_html_summaries(rotterdam):
    html = rotterdam._repr_html_()
    assert "reconstruction: not an official model" in html and "<table" in html
    r = fm.propagate(rotterdam, {"schoolverzuim": -1.0})
    assert "Outcome deltas" in r._repr_html_() and "vsv" in r._repr_html_()


def test_edge_list_bad_weight(tmp_path):
    path = tmp_path / "edges.csv"
    path.write_text("source,target,weight\nA,B,veel\n", encoding="utf-8")
    with pytest.raises(fm.DataError, match=r"edge 1 \(A -> B\): expected a number, got 'veel'"):
        fm.read_edge_list(path, default_kind="risk")
