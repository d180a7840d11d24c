"""The FactorModel value: immutability, equality, changes, networkx, invariants."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import factormodel as fm
from factormodel import vocab


def test_model_is_immutable(toy):
    with pytest.raises(AttributeError, match="immutable"):
        toy.name = "x"
    with pytest.raises(AttributeError):
        toy._edges = None
    with pytest.raises(AttributeError):
        del toy._nodes
    edges = toy.edges
    edges.loc[0, "weight"] = 99.0
    nodes = toy.nodes
    nodes.loc["vsv", "kind"] = "risk"
    assert toy.edges.loc[0, "weight"] == -0.5
    assert toy.nodes.loc["vsv", "kind"] == "outcome"


def test_node_order_is_file_order(toy):
    assert toy.node_ids == ("armoede", "opvoedklimaat", "schoolverzuim", "schoolprestaties",
                            "vsv", "schoolsucces")
    assert toy.factors == toy.node_ids[:4]
    assert toy.outcomes == ("vsv", "schoolsucces")
    assert toy.positions(["schoolsucces", "armoede"]).tolist() == [5, 0]


def test_positions_unknown_node_lists_close_matches(toy):
    with pytest.raises(fm.UnknownNodeError, match=r"'schoolverzium' \(did you mean "
                                                  r"'schoolverzuim'") as e:
        toy.positions(["schoolverzium", "vsv"])
    assert isinstance(e.value, KeyError)


def test_desired_sign(toy):
    assert toy.desired_sign.to_dict() == {
        "armoede": -1, "opvoedklimaat": 1, "schoolverzuim": -1, "schoolprestaties": 1,
        "vsv": -1, "schoolsucces": 1}


def test_repr_and_summary(toy):
    assert repr(toy) == ("<FactorModel 'toy' v1.0 (illustrative): 6 nodes (4 factors, "
                         "2 outcomes), 7 edges>")
    s = toy.summary()
    assert s["edges_by_type"] == {"factor -> factor": 4, "factor -> outcome": 3}
    assert s["nodes_by_kind_and_setting"]["outcome"] == {"kansrijk": 2}
    assert s["modifiable_factors"] == 3
    assert s["cyclic"] is False
    assert s["weight_range"] == [-0.5, 0.6]


def test_equality_ignores_edge_order_but_not_node_order(toy):
    edges = toy.edges.iloc[::-1]
    same = fm.FactorModel(toy.nodes, edges, toy.metadata)
    assert same == toy
    assert hash(same) == hash(toy)
    permuted = fm.FactorModel(toy.nodes.iloc[::-1], toy.edges, toy.metadata)
    assert permuted != toy
    assert permuted.node_ids == tuple(reversed(toy.node_ids))
    assert toy != "toy"


def test_with_weights_frame_mapping_and_series(toy):
    table = pd.DataFrame({"source": ["schoolverzuim", "armoede"],
                          "target": ["vsv", "opvoedklimaat"],
                          "weight": [0.35, -0.45], "sd": [0.2, 0.05]})
    m2 = toy.with_weights(table)
    e = m2.edges.set_index(["source", "target"])
    assert e.loc[("schoolverzuim", "vsv"), "weight"] == 0.35
    assert e.loc[("armoede", "opvoedklimaat"), "sd"] == 0.05
    assert e.loc[("schoolprestaties", "vsv"), "weight"] == -0.4  # untouched
    assert toy.edges.set_index(["source", "target"]).loc[("schoolverzuim", "vsv"), "weight"] == 0.3
    assert toy.with_weights({("schoolverzuim", "vsv"): 0.35}).edges.equals(
        toy.with_weights(pd.Series({("schoolverzuim", "vsv"): 0.35})).edges)
    # writing the same weights back gives the original model
    assert toy.with_weights(toy.edges[["source", "target", "weight", "sd"]]) == toy


def test_with_weights_rejects_unknown_edges(toy):
    with pytest.raises(fm.UnknownEdgeError, match=r"2 edges not in model 'toy': 'vsv' -> "
                                                  r"'armoede', 'armoede' -> 'vsv'") as e:
        toy.with_weights({("vsv", "armoede"): 0.1, ("armoede", "vsv"): 0.2})
    assert isinstance(e.value, KeyError)


@pytest.mark.parametrize(("table", "fragment"), [
    ({"source": ["armoede"], "target": ["opvoedklimaat"], "weight": ["x"]}, "expected a number"),
    ({"source": ["armoede"], "target": ["opvoedklimaat"], "weight": [float("nan")]},
     "missing weight"),
    ({"source": ["armoede"], "target": ["opvoedklimaat"], "weight": [0.1], "comment": ["a"]},
     "unknown column"),
    ({"source": ["armoede"] * 2, "target": ["opvoedklimaat"] * 2, "weight": [0.1, 0.2]},
     "duplicate edge"),
    ({"target": ["opvoedklimaat"], "weight": [0.1]}, "missing required column 'source'"),
    ({"source": ["armoede"], "target": ["opvoedklimaat"], "strength": ["huge"]},
     "unknown strength"),
])
def test_with_weights_bad_tables(toy, table, fragment):
    with pytest.raises(fm.ModelValidationError, match=fragment):
        toy.with_weights(pd.DataFrame(table))


def test_with_weights_type_error(toy):
    with pytest.raises(TypeError, match="weights must be"):
        toy.with_weights([0.1, 0.2])


def test_with_weights_respects_intervals(rotterdam):
    edge = ("middelengebruik", "schoolverzuim")
    ranged = rotterdam.with_weights(pd.DataFrame([{"source": edge[0], "target": edge[1],
                                                   "weight": 0.32, "sd": np.nan,
                                                   "low": 0.311, "high": 0.336}]))
    with pytest.raises(fm.ModelValidationError, match="outside its interval"):
        ranged.with_weights({edge: 0.5})
    table = pd.DataFrame([{"source": edge[0], "target": edge[1], "weight": 0.5,
                           "low": 0.4, "high": 0.6}])
    assert ranged.with_weights(table).edges.set_index(["source", "target"]).loc[
        edge, "weight"] == 0.5


def test_with_metadata(toy):
    m2 = toy.with_metadata(version="2", description="changed")
    assert (m2.metadata.version, m2.metadata.description) == ("2", "changed")
    assert m2 != toy and m2.nodes.equals(toy.nodes)
    with pytest.raises(fm.ModelValidationError, match="unknown status"):
        toy.with_metadata(status="final")


@pytest.mark.parametrize("name", ["ctc", "rotterdam-jeugd", "toy"])
def test_networkx_round_trip(name):
    m = fm.load_model(name)
    G = m.to_networkx()
    assert G.number_of_nodes() == m.n_nodes and G.number_of_edges() == m.n_edges
    assert G.graph["name"] == name
    assert fm.FactorModel.from_networkx(G) == m


def test_from_networkx_errors():
    with pytest.raises(fm.ModelValidationError, match=r"expected a networkx\.DiGraph"):
        fm.FactorModel.from_networkx(nx.Graph())
    G = nx.DiGraph()
    G.add_node("a", kind="risk")
    with pytest.raises(fm.ModelValidationError) as e:
        fm.FactorModel.from_networkx(G)
    text = str(e.value)
    assert "graph nodes" in text and "missing required column 'setting'" in text
    assert "the model has no edges" in text


def test_in_memory_problems_name_rows(toy):
    edges = toy.edges
    edges.loc[2, "weight"] = float("inf")
    with pytest.raises(fm.ModelValidationError, match=r"edges row 2, column 'weight': "
                                                      r"expected a finite number"):
        fm.FactorModel(toy.nodes, edges, toy.metadata)


def test_default_metadata_is_illustrative(toy):
    m = fm.FactorModel(toy.nodes, toy.edges)
    assert (m.name, m.metadata.status) == ("unnamed", "illustrative")


# --------------------------------------------------------------------------- properties

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) |
                st.sampled_from(["\n", ";", ",", '"', "ë", "'"]), min_size=1, max_size=12
                ).filter(lambda s: s.strip() != "")
_WEIGHT = st.floats(min_value=-2, max_value=2, allow_nan=False, allow_infinity=False,
                    allow_subnormal=False)


@st.composite
def models(draw) -> fm.FactorModel:
    n = draw(st.integers(2, 8))
    ids = [f"n{i}" for i in range(n)]
    kinds = [*draw(st.lists(st.sampled_from(["risk", "protective"]), min_size=n - 1,
                            max_size=n - 1)), "outcome"]
    nodes = []
    for node_id, kind in zip(ids, kinds, strict=True):
        nodes.append({
            "id": node_id, "kind": kind,
            "setting": draw(st.sampled_from(vocab.OUTCOME_SETTINGS if kind == "outcome"
                                            else vocab.FACTOR_SETTINGS)),
            "label_nl": draw(_TEXT).strip(), "label_en": draw(_TEXT).strip(),
            "phases": tuple(draw(st.sets(st.sampled_from(vocab.PHASES), min_size=1))),
            "modifiable": draw(st.booleans()),
            "desired": draw(st.sampled_from(vocab.DESIRED)) if kind == "outcome" else "",
            "description": draw(st.text(max_size=20)).strip(),
            "extra": draw(st.text(max_size=8)).strip(),
        })
    pairs = draw(st.sets(st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(
        lambda p: p[0] != p[1]), max_size=3 * n))
    pairs = sorted(pairs | {(ids[0], ids[-1])})
    edges = [{"source": s, "target": t, "weight": draw(_WEIGHT),
              "strength": draw(st.sampled_from(vocab.STRENGTHS)),
              "sd": draw(st.none() | st.floats(0, 1)),
              "source_ref": draw(st.sampled_from(["expert judgement", "Doe (2001), p. 3"]))}
             for s, t in pairs]
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fm.ModelWarning)
        return fm.FactorModel(nodes, edges, {"name": "random", "version": "1",
                                             "status": "illustrative"})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(m=models())
def test_round_trips_are_lossless(tmp_path_factory, m):
    import warnings
    folder = tmp_path_factory.mktemp("rt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fm.ModelWarning)
        fm.write_model(m, folder / "csv")
        fm.write_model(m, folder / "m.json")
        assert fm.read_model(folder / "csv") == m
        assert fm.read_model(folder / "m.json") == m
        assert fm.FactorModel.from_networkx(m.to_networkx()) == m


@settings(max_examples=30, deadline=None)
@given(m=models(), seed=st.randoms(use_true_random=False))
def test_edge_order_never_matters_and_node_permutation_keeps_content(m, seed):
    import warnings
    edges = m.edges
    order = list(range(len(edges)))
    seed.shuffle(order)
    node_order = list(range(m.n_nodes))
    seed.shuffle(node_order)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fm.ModelWarning)
        assert fm.FactorModel(m.nodes, edges.iloc[order], m.metadata) == m
        permuted = fm.FactorModel(m.nodes.iloc[node_order], edges, m.metadata)
    assert sorted(permuted.node_ids) == sorted(m.node_ids)
    assert permuted.nodes.loc[list(m.node_ids)].equals(m.nodes)
    assert permuted.summary() == m.summary()
