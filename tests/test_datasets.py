"""Every bundled model loads, validates and meets its documented requirements."""

from __future__ import annotations

import warnings

import networkx as nx
import pytest

import factormodel as fm
from factormodel import vocab
from factormodel.files.datasets import bundled_model_path, models_dir


def test_list_models():
    assert fm.list_models() == ["ctc", "rotterdam-jeugd", "toy"]


@pytest.mark.parametrize("name", ["ctc", "rotterdam-jeugd", "toy"])
def test_bundled_models_validate_without_warnings(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = fm.read_model(bundled_model_path(name))  # not the cache: a fresh validation
    assert m.warnings == ()
    assert m.name == name
    assert m.metadata.status in ("reconstruction", "illustrative")
    edges = m.edges
    assert (edges["source_ref"].str.len() > 0).all()
    assert edges["strength"].isin(vocab.STRENGTHS).all()
    assert (edges["sd"].notna() | (edges["low"].notna() & edges["high"].notna())).all()
    G = m.to_networkx()
    outcomes = set(m.outcomes)
    assert all(nx.descendants(G, f) & outcomes for f in m.factors), "every factor drives an outcome"


def test_unknown_bundled_name():
    with pytest.raises(fm.UnknownModelError, match="did you mean 'toy'"):
        bundled_model_path("tyo")


def test_models_dir_has_every_model():
    assert {p.name for p in models_dir().iterdir() if p.is_dir()} >= set(fm.list_models())


def test_rotterdam_reconstruction_requirements(rotterdam):
    nodes, edges = rotterdam.nodes, rotterdam.edges
    factors = nodes[nodes["kind"] != "outcome"]
    assert len(factors) >= 60
    assert set(factors["setting"]) == set(vocab.FACTOR_SETTINGS)
    for setting in vocab.FACTOR_SETTINGS:
        kinds = set(factors.loc[factors["setting"] == setting, "kind"])
        assert kinds <= {"risk", "protective"} and kinds, setting
    assert {"risk", "protective"} == set(factors["kind"])
    outcomes = nodes[nodes["kind"] == "outcome"]
    assert len(outcomes) >= 10
    assert set(outcomes["setting"]) == set(vocab.OUTCOME_SETTINGS)
    assert {"vsv", "neet"} <= set(outcomes.index)
    assert outcomes.loc["vsv", "desired"] == "lower"
    assert outcomes.loc["gezonde_start", "desired"] == "higher"
    # schoolsucces is one of Rotterdam's three key factors: a modifiable factor, not an outcome
    assert nodes.loc["schoolsucces", "kind"] == "protective"
    assert len(edges) >= 120
    kind = nodes["kind"]
    f2f = edges[(edges["source"].map(kind) != "outcome") & (edges["target"].map(kind) != "outcome")]
    assert len(f2f) >= 30  # factor -> factor chains
    # poverty is context: never a target, still in the model
    assert not nodes.loc["armoede", "modifiable"]
    assert nodes["modifiable"].any()
    assert all(len(p) >= 1 for p in nodes["phases"])
    expert = edges["source_ref"] == vocab.EXPERT_JUDGEMENT
    cited = edges.loc[~expert, "source_ref"]
    assert cited.str.match(r"^[a-z0-9_]+: \S").all(), "cited edges name a sources.csv id"


def test_rotterdam_says_it_is_a_reconstruction(rotterdam):
    assert rotterdam.metadata.status == "reconstruction"
    assert "NOT the official model" in rotterdam.metadata.description
    readme = (bundled_model_path("rotterdam-jeugd") / "README.md").read_text(encoding="utf-8")
    assert "reconstruction from public sources, not the official Rotterdam model" in readme


def test_ctc_matrix():
    m = fm.load_model("ctc")
    nodes, edges = m.nodes, m.edges
    assert set(m.outcomes) == {"middelenmisbruik", "delinquentie", "tienerzwangerschap",
                               "schooluitval", "geweld", "depressie_angst"}
    risk = nodes[nodes["kind"] == "risk"]
    assert len(risk) == 19
    assert set(risk["ctc_domain"]) == {"community", "family", "school", "individual/peer"}
    # rows with five X's in the 1995 matrix link to all five original behaviours
    five = ["economische_achterstand", "gezinsmanagement_problemen", "gezinsconflicten",
            "vroeg_antisociaal_gedrag", "leerachterstanden", "vrienden_probleemgedrag",
            "vroeg_beginnen_probleemgedrag"]
    for f in five:
        targets = set(edges.loc[edges["source"] == f, "target"])
        assert {"middelenmisbruik", "delinquentie", "tienerzwangerschap", "schooluitval",
                "geweld"} <= targets, f
    assert set(edges.loc[edges["source"] == "beschikbaarheid_wapens", "target"]) == {
        "delinquentie", "geweld"}
    assert (nodes["kind"] == "protective").sum() >= 5
    prot = edges[edges["source"].map(nodes["kind"]) == "protective"]
    assert (prot["weight"] < 0).all() and (prot["source_ref"] == "expert judgement").all()


def test_toy_is_small_and_hand_checkable(toy):
    assert 5 <= toy.n_nodes <= 8
    assert toy.metadata.status == "illustrative"
    assert nx.is_directed_acyclic_graph(toy.to_networkx())


def test_real_cbs_example_data_is_labelled_real_with_credit_and_catalogue():
    m = fm.load_model("rotterdam-jeugd")
    cbs = fm.load_example_data("cbs_kwb2017")
    assert cbs["area"].nunique() == 75 and set(cbs["level"]) == {"buurt"}
    assert set(cbs["status"]) == {"real"} and set(cbs["year"]) == {2017}
    assert cbs.drop_duplicates("area")["population"].sum() == 633_970   # README check
    assert cbs["value"].notna().all()   # the 17 incomplete buurten are absent, not filled
    cat = fm.load_example_indicators("cbs_kwb2017")
    prof = fm.profile(m, cbs, indicators=cat)
    assert prof.status == "real" and "83765NED" in prof.source and not prof.synthetic
    assert "REAL data" in repr(prof) and prof.to_dict()["status"] == "real"
    assert prof[["armoede", "concentratie_armoede_buurt"]].notna().all().all()
    assert prof.deltas.drop(columns=["armoede", "concentratie_armoede_buurt"]).isna().all().all()
    assert "constructed" in cat.loc["gem_inkomen_per_inwoner_x1000_eur", "basis"]
    synth = fm.profile(m, fm.load_example_data("rotterdam"))
    assert synth.status == "synthetic" and synth.synthetic and "SYNTHETIC" in repr(synth)
    with pytest.raises(fm.DataError, match="nothing to validate"):
        fm.validate(m, cbs, indicators=cat)
    with pytest.raises(fm.UnknownModelError, match="cbs_kwb2017"):
        fm.load_example_data("cbs")
