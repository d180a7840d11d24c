"""fm.evidence_summary: edges by basis and the outcomes' shares, against brute force."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import factormodel as fm
from factormodel.analysis.evidence import BASES, edge_basis

ROOT = Path(__file__).resolve().parents[1]


def toy_with(tmp: Path, bases: list[str]) -> fm.FactorModel:
    folder = tmp / "toy"
    shutil.copytree(ROOT / "models" / "toy", folder, dirs_exist_ok=True)
    edges = pd.read_csv(folder / "edges.csv", keep_default_na=False)
    edges["basis"] = bases
    edges["source_ref"] = ["expert judgement" if b == "expert judgement" else "src: row 1"
                           for b in bases]
    edges.to_csv(folder / "edges.csv", index=False)
    return fm.read_model(folder)


def brute_force(model: fm.FactorModel) -> pd.DataFrame:
    """Enumerate every path into each outcome; weight |product|; file it by its weakest
    edge's basis."""
    e = model.edges
    rank = {b: i for i, b in enumerate(BASES)}
    out = {}
    for s, t, w, b in zip(e["source"], e["target"], e["weight"], e["basis"], strict=True):
        out.setdefault(s, []).append((t, abs(w), rank[b]))
    mass = {o: np.zeros(len(BASES)) for o in model.outcomes}

    def walk(node: str, product: float, weakest: int, seen: tuple[str, ...]) -> None:
        for t, w, r in out.get(node, []):
            assert t not in seen  # the toy model is acyclic: paths are all the walks
            p, k = product * w, min(weakest, r)
            if t in mass:
                mass[t][k] += p
            walk(t, p, k, (*seen, t))

    for start in model.node_ids:
        walk(start, 1.0, len(BASES) - 1, (start,))
    return pd.DataFrame({o: m / m.sum() if m.sum() else np.nan * m for o, m in mass.items()},
                        index=list(BASES)).T


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(BASES[1:]), min_size=7, max_size=7))
def test_shares_equal_brute_force_path_enumeration(tmp_path_factory, bases):
    model = toy_with(tmp_path_factory.mktemp("toy"), bases)
    s = fm.evidence_summary(model)
    expected = brute_force(model).loc[s.outcomes.index, s.outcomes.columns]
    assert s.outcomes.to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-12, nan_ok=True)
    assert s.edges["edges"].sum() == 7
    assert s.edges.loc[bases[0], "edges"] >= 1


def test_rotterdam_counts_and_shares_against_a_dense_inverse():
    m = fm.load_model("rotterdam-jeugd")
    s = fm.evidence_summary(m)
    assoc = pd.read_csv(ROOT / "models" / "rotterdam-jeugd" / "associations.csv")
    counts = s.edges["edges"]
    # every edge has a basis; the 7 published associations are the 7 edges with an interval
    assert counts.sum() == len(m.edges) and counts["not recorded"] == 0
    assert counts["published with interval"] == (assoc["basis"] == "published").sum() == 7
    # independent: restricted |W| inverted densely (rho(|W|) < 1 here, so no damping)
    assert s.damping == 1.0
    rank = edge_basis(m).map({b: i for i, b in enumerate(BASES)}).to_numpy()
    src, dst = m.edge_positions
    n, cols = m.n_nodes, m.positions(list(m.outcomes))
    S = []
    for b in range(len(BASES) + 1):
        W = np.zeros((n, n))
        keep = rank >= b
        W[src[keep], dst[keep]] = np.abs(m.edge_values("weight").astype(float))[keep]
        S.append((np.linalg.inv(np.eye(n) - W) - np.eye(n))[:, cols].sum(axis=0))
    S = np.array(S)
    expected = (S[:-1] - S[1:]) / S[0]
    assert s.outcomes.to_numpy() == pytest.approx(expected.T, abs=1e-10)
    assert s.outcomes.sum(axis=1).to_numpy() == pytest.approx(1.0)
    # no outcome effect rests on published edges alone: they all end in schoolverzuim, a
    # factor, and every walk on to an outcome crosses an assumed edge
    assert (s.outcomes["published with interval"] == 0).all()
    d = s.to_dict()
    assert {r["basis"]: r["edges"] for r in d["edges"]}["class default"] == \
        counts["class default"]
    assert d["outcome_shares"][0]["outcome"] == "vsv"
    assert "EvidenceSummary" in repr(s) and s.to_frame() is s.outcomes


def test_unknown_or_inconsistent_basis_is_named(tmp_path):
    bases = ["published point", "guess", "class default", "", "expert judgement",
             "class default", "class default"]
    folder = tmp_path / "toy"
    shutil.copytree(ROOT / "models" / "toy", folder)
    edges = pd.read_csv(folder / "edges.csv", keep_default_na=False)
    edges["basis"] = bases  # source_ref stays 'expert judgement' on every edge
    edges.to_csv(folder / "edges.csv", index=False)
    with pytest.raises(fm.ModelValidationError) as err:
        fm.evidence_summary(fm.read_model(folder))
    msg = str(err.value)
    assert "edges row 2 (armoede -> schoolprestaties), column 'basis': basis 'guess'" in msg
    assert "edges row 4" in msg and "basis '' is not one of" in msg
    assert "edges row 1" in msg and "source_ref says expert judgement" in msg
    assert isinstance(err.value, ValueError)
