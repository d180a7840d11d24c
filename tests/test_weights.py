"""Weight tables, compare, and stakeholder aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import factormodel as fm


def test_read_weight_table_csv_and_excel(tmp_path, toy):
    csv_path = tmp_path / "w.csv"
    csv_path.write_text("Source;Target;Weight;SD\nschoolverzuim;vsv;0,45;0,1\n", encoding="utf-8")
    m = toy.with_weights(fm.read_weight_table(csv_path))
    assert m.edges.set_index(["source", "target"]).loc[("schoolverzuim", "vsv"), "sd"] == 0.1
    xlsx = tmp_path / "w.xlsx"
    pd.DataFrame({"source": ["armoede"], "target": ["opvoedklimaat"], "weight": [-0.3]}
                 ).to_excel(xlsx, index=False)
    assert toy.with_weights(fm.read_weight_table(xlsx)) != toy
    bad = tmp_path / "bad.csv"
    bad.write_text("from,to,weight\na,b,1\n", encoding="utf-8")
    with pytest.raises(fm.ModelValidationError, match="missing required column 'source'"):
        fm.read_weight_table(bad)
    unknown = tmp_path / "u.csv"
    unknown.write_text("source,target,weight\nvsv,armoede,0.1\n", encoding="utf-8")
    with pytest.raises(fm.UnknownEdgeError):
        toy.with_weights(fm.read_weight_table(unknown))


def test_compare_edges_effects_predictions_rankings(rotterdam):
    e = rotterdam.edges
    ej = e[e["source_ref"] == "expert judgement"]
    alt = rotterdam.with_weights(ej[["source", "target"]].assign(weight=ej["weight"] / 2,
                                                                 sd=ej["sd"] / 2))
    prof = fm.profile(rotterdam, fm.load_example_data("rotterdam"), level="gebied")
    c = fm.compare(rotterdam, alt, prof, outcomes={"vsv": 1.0}, top=3)
    assert len(c.edges) == len(ej)
    np.testing.assert_allclose(c.edges["difference"], -c.edges["weight_a"] / 2)
    eff = c.effects.set_index(["factor", "outcome"])
    T = fm.total_effects(alt, targets=["vsv"])["vsv"] - fm.total_effects(rotterdam,
                                                                         targets=["vsv"])["vsv"]
    for f in ["schoolverzuim", "armoede", "opvoedklimaat"]:
        assert eff.loc[(f, "vsv"), "difference"] == pytest.approx(T[f], abs=1e-12)
    assert set(c.predictions["area"]) == set(prof.index)
    assert len(c.rankings) == len(prof) and c.rankings["overlap"].between(0, 1).all()
    same = fm.compare(rotterdam, rotterdam, prof, top=3)
    assert same.edges.empty and (same.rankings["overlap"] == 1).all()
    assert (same.predictions["difference"] == 0).all()


def test_compare_refuses_different_structures(toy, rotterdam):
    with pytest.raises(fm.DataError, match="different nodes"):
        fm.compare(toy, rotterdam)


def test_aggregate_by_hand():
    a = pd.DataFrame({"source": ["x", "x"], "target": ["y", "z"], "weight": [0.2, 0.0]})
    b = pd.DataFrame({"source": ["x", "x"], "target": ["y", "z"], "weight": [0.4, 0.3]})
    c = pd.DataFrame({"source": ["x"], "target": ["y"], "weight": [-0.3]})  # z not rated
    mean = fm.aggregate_weights({"a": a, "b": b, "c": c}).set_index(["source", "target"])
    assert mean.loc[("x", "y"), "weight"] == pytest.approx(0.1)
    assert mean.loc[("x", "z"), "weight"] == pytest.approx(0.15)  # unrated is not zero
    assert mean.loc[("x", "z"), "n"] == 2
    assert mean.loc[("x", "y"), "sign_agreement"] == pytest.approx(2 / 3)
    assert mean.loc[("x", "y"), "sd"] == pytest.approx(np.std([0.2, 0.4, -0.3], ddof=1))
    med = fm.aggregate_weights({"a": a, "b": b, "c": c}, "median").set_index(
        ["source", "target"])
    assert med.loc[("x", "y"), "weight"] == pytest.approx(0.2)
    nz = fm.aggregate_weights({"a": a, "b": b}, "mean_nonzero").set_index(["source", "target"])
    assert nz.loc[("x", "z"), "weight"] == pytest.approx(0.3)


def test_aggregate_feeds_uncertainty(toy):
    tables = {name: toy.edges[["source", "target"]].assign(weight=toy.edges["weight"] + shift)
              for name, shift in [("a", -0.1), ("b", 0.0), ("c", 0.1)]}
    agg = fm.aggregate_weights(tables)
    m = toy.with_weights(agg[["source", "target", "weight", "sd"]])
    assert np.allclose(m.edges["sd"], 0.1) and np.allclose(m.edges["weight"], toy.edges["weight"])


@pytest.mark.parametrize(("tables", "method", "fragment"), [
    ({}, "mean", "at least one"),
    ({"a": pd.DataFrame({"source": ["x"], "target": ["y"]})}, "mean", "missing required column"),
    ({"a": pd.DataFrame({"source": ["x", "x"], "target": ["y", "y"], "weight": [1, 2]})},
     "mean", "twice"),
    ({"a": pd.DataFrame({"source": ["x"], "target": ["y"], "weight": ["hoog"]})}, "mean",
     "expected a number"),
    ({"a": pd.DataFrame({"source": ["x"], "target": ["y"], "weight": [1]})}, "mode",
     "method must be"),
])
def test_aggregate_errors(tables, method, fragment):
    with pytest.raises(fm.FactorModelError, match=fragment):
        fm.aggregate_weights(tables, method)
