"""Implied R² of the standardised solution, and the validation warning it drives."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import factormodel as fm
from factormodel.cli import main

from .reference import matrix_model

NAMES = ["a", "b", "c", "d"]
W = np.zeros((4, 4))
W[0, 1], W[0, 2], W[1, 2], W[2, 3], W[1, 3] = 0.5, 0.3, -0.4, 0.6, 0.2


def test_chain_by_hand():
    # a -> b (0.6): R²_b = 0.36; b -> c (0.5): R²_c = 0.25 (a acts only through b)
    Wc = np.zeros((3, 3))
    Wc[0, 1], Wc[1, 2] = 0.6, 0.5
    r2 = fm.implied_r2(matrix_model(Wc, ["a", "b", "c"]))
    assert r2["r2"].tolist() == pytest.approx([0.0, 0.36, 0.25])
    assert r2["residual_variance"].tolist() == pytest.approx([1.0, 0.64, 0.75])
    assert r2["feasible"].all() and r2["parents"].tolist() == [0, 1, 1]


def test_two_correlated_parents_by_hand():
    # a -> b (0.5); a -> c (0.4), b -> c (0.4): R²_c = .16 + .16 + 2*.4*.4*.5 = 0.48
    Wc = np.zeros((3, 3))
    Wc[0, 1], Wc[0, 2], Wc[1, 2] = 0.5, 0.4, 0.4
    r2 = fm.implied_r2(matrix_model(Wc, ["a", "b", "c"]))
    assert r2.loc["c", "r2"] == pytest.approx(0.48)


def test_agrees_with_semopy_standardised_solution():
    semopy = pytest.importorskip("semopy")
    m = matrix_model(W, NAMES)
    S = fm.implied_correlations(m)
    assert np.diag(S) == pytest.approx(np.ones(4))
    sem = semopy.Model("b ~ a\nc ~ a + b\nd ~ b + c")
    sem.fit(cov=S.loc[NAMES, NAMES], n_samples=10_000)
    ins = sem.inspect(std_est=True)
    paths = ins[ins["op"] == "~"]
    assert len(paths) == 5
    for r in paths.itertuples():  # semopy recovers the direct effects from our Σ
        assert r.Estimate == pytest.approx(W[NAMES.index(r.rval), NAMES.index(r.lval)],
                                           abs=1e-4)
    var = ins[(ins["op"] == "~~") & (ins["lval"] == ins["rval"])].set_index("lval")
    r2 = fm.implied_r2(m)
    for node in ["b", "c", "d"]:  # semopy's standardised residual variance = 1 - R²
        assert var.loc[node, "Est. Std"] == pytest.approx(r2.loc[node, "residual_variance"],
                                                          abs=1e-4)


def test_cycle_is_included_and_sigma_solves_the_structural_equation():
    Wc = np.zeros((3, 3))
    Wc[0, 1], Wc[1, 2], Wc[2, 1] = 0.5, 0.4, 0.3  # b <-> c loop
    m = matrix_model(Wc, ["a", "b", "c"])
    S = fm.implied_correlations(m).to_numpy()
    assert np.diag(S) == pytest.approx(np.ones(3))
    # (I - Wᵀ) Σ (I - W) must be the diagonal residual covariance Ψ
    Psi = (np.eye(3) - Wc.T) @ S @ (np.eye(3) - Wc)
    assert Psi - np.diag(np.diag(Psi)) == pytest.approx(np.zeros((3, 3)), abs=1e-12)
    assert np.diag(Psi) == pytest.approx(fm.implied_r2(m)["residual_variance"].to_numpy())
    # the loop adds variance: R²_b exceeds the 0.25 that a alone would explain
    assert fm.implied_r2(m).loc["b", "r2"] > 0.25


def test_divergent_model_is_refused():
    Wc = np.zeros((2, 2))
    Wc[0, 1], Wc[1, 0] = 1.2, 0.9
    with pytest.raises(fm.NotConvergentError, match="spectral radius"):
        fm.implied_r2(matrix_model(Wc, ["a", "b"]))


def test_infeasible_model_warns_naming_node_and_r2():
    # three parents of y, each 0.7, parents correlated through a: R² > 1
    nodes = [{"id": k, "kind": "risk", "setting": "kind", "label_nl": k, "label_en": k,
              "phases": "all", "modifiable": True} for k in ["a", "b", "c", "y"]]
    edges = [{"source": s, "target": t, "weight": w, "strength": "matig",
              "source_ref": "expert judgement"}
             for s, t, w in [("a", "b", 0.8), ("a", "c", 0.8), ("a", "y", 0.7),
                             ("b", "y", 0.7), ("c", "y", 0.7)]]
    with pytest.warns(fm.ModelWarning, match=r"node 'y'.*R² = 3\.665") as rec:
        m = fm.FactorModel(nodes, edges, {"name": "bad", "version": "1",
                                          "status": "illustrative"})
    assert len(rec) == 1
    assert [p.where for p in m.warnings] == ["node 'y'"]
    assert not fm.implied_r2(m).loc["y", "feasible"]


def test_bundled_models_are_coherent():
    with warnings.catch_warnings():
        warnings.simplefilter("error", fm.ModelWarning)
        for name in fm.list_models():
            r2 = fm.implied_r2(fm.load_model(name))
            assert r2["feasible"].all(), name


def test_cli_validate_prints_and_strict_fails(tmp_path, capsys):
    from .conftest import write_folder
    rows = [["a", "b", "0.8"], ["a", "c", "0.8"], ["a", "y", "0.7"], ["b", "y", "0.7"],
            ["c", "y", "0.7"]]
    nodes = [[k, "risk", "kind", k, k, "all", "true", "", ""] for k in "abc"] + [
        ["y", "outcome", "kansrijk", "y", "y", "all", "false", "lower", ""]]
    folder = write_folder(tmp_path / "bad", nodes=nodes,
                          edges=[[s, t, w, "matig", "0.1", "expert judgement", ""]
                                 for s, t, w in rows])
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "node 'y'" in out and "R² = 3.665" in out
    assert main(["validate", str(folder), "--strict"]) == 2
    assert "--strict" in capsys.readouterr().err
    assert main(["validate", "toy", "--strict"]) == 0
