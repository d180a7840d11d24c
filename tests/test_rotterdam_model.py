"""The bundled rotterdam-jeugd model: sources, associations, fitted weights, coherence."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import factormodel as fm
from factormodel.estimation.fitting import to_correlations

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "models" / "rotterdam-jeugd"
MAX_R2 = 0.9  # the stated margin: every implied R² at least 0.1 below 1


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(FOLDER / name, keep_default_na=False)


def script():
    spec = importlib.util.spec_from_file_location(
        "fit_rotterdam_weights", ROOT / "scripts" / "fit_rotterdam_weights.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def model() -> fm.FactorModel:
    return fm.load_model("rotterdam-jeugd")


def test_every_edge_cites_a_source_id_or_expert_judgement(model):
    ids = set(read("sources.csv")["id"])
    bad = []
    for s, t, ref in zip(model.edges["source"], model.edges["target"], model.edges["source_ref"],
                         strict=True):
        if ref == fm.vocab.EXPERT_JUDGEMENT:
            continue
        sid, sep, where = ref.partition(": ")
        if sid not in ids or not sep or not where.strip():
            bad.append(f"{s} -> {t}: {ref!r}")
    assert not bad, bad


def test_sources_table_is_complete():
    src = read("sources.csv")
    assert list(src.columns) == ["id", "authors", "year", "title", "venue", "doi_url", "supports"]
    assert src["id"].is_unique
    for col in src.columns:
        assert (src[col].str.strip() != "").all(), col
    ctc = src.set_index("id").loc["ctc1995", "title"]
    assert ctc.startswith("Communities That Care: risk-focused prevention")


def test_associations_cite_sources_and_every_edge_has_one_or_is_fixed(model):
    assoc = read("associations.csv")
    ids = set(read("sources.csv")["id"]) | {fm.vocab.EXPERT_JUDGEMENT}
    assert set(assoc["source_id"]) <= ids
    assert set(assoc["basis"]) == {"published", "class default", "expert judgement"}
    assert ((assoc["basis"] == "expert judgement") == (assoc["source_id"] == "expert judgement")
            ).all()
    pub = assoc[assoc["basis"] == "published"]
    assert (pub["k"] != "").all() and pub["location"].str.contains("Table 2").all()
    pairs = set(zip(assoc["a"], assoc["b"], strict=True))
    e = model.edges
    unfitted = [(s, t) for s, t in zip(e["source"], e["target"], strict=True)
                if (s, t) not in pairs]
    # reverse edges of pairs with one association: the pair is fitted on the forward edge
    assert unfitted == [("schoolverzuim", "schoolprestaties"),
                        ("psychosociale_problemen", "gepest_worden")]
    assert e["association"].str.startswith("A").sum() == len(e) - 2


def test_published_values_are_transcribed(model):
    assoc = read("associations.csv").set_index(["a", "b"])
    # Gubbels, Van der Put & Assink (2019) Table 2, with back-transformed 95% CIs
    row = assoc.loc[("schoolmotivatie", "schoolverzuim")]
    assert (float(row["value"]), float(row["low"]), float(row["high"])) == (-0.503, -0.76, -0.11)
    row = assoc.loc[("antisociaal_gedrag", "schoolverzuim")]
    assert (float(row["value"]), float(row["low"]), float(row["high"])) == (0.428, 0.096, 0.674)
    assert float(assoc.loc[("riskant_seksueel_gedrag", "schoolverzuim"), "value"]) == 0.229
    # the four intervals formerly 'assumed' are Table 2's, on Fisher's z (drug abuse .196-.483)
    row = assoc.loc[("middelengebruik", "schoolverzuim")]
    assert (float(row["z_low"]), float(row["z_high"])) == (0.196, 0.483)
    assert (float(row["low"]), float(row["high"])) == (0.194, 0.449)
    pub = assoc[assoc["basis"] == "published"]
    assert len(pub) == 7 and not pub["ci_basis"].str.contains("assumed").any()
    z_low, z_high = pub["z_low"].astype(float), pub["z_high"].astype(float)
    assert np.allclose(pub["low"].astype(float), np.tanh(z_low), atol=5e-4)
    assert np.allclose(pub["high"].astype(float), np.tanh(z_high), atol=5e-4)
    assert np.allclose(np.tanh(pub["z"].astype(float)), pub["value"].astype(float), atol=1e-3)


def test_prediction_intervals_where_heterogeneity_is_published():
    assoc = read("associations.csv").set_index("id")
    het = assoc[assoc["tau2_z"] != ""]
    assert sorted(het.index) == ["A001", "A002", "A003"]
    for aid, row in het.iterrows():
        z, se, tau2 = float(row["z"]), float(row["z_se"]), float(row["tau2_z"])
        half = 1.959963984540054 * math.sqrt(tau2 + se ** 2)  # independent of the script
        assert float(row["pi_low"]) == pytest.approx(math.tanh(z - half), abs=5e-4), aid
        assert float(row["pi_high"]) == pytest.approx(math.tanh(z + half), abs=5e-4), aid
        assert float(row["pi_low"]) < float(row["low"]) < float(row["high"]) < float(
            row["pi_high"])
    # negative school attitude: the spread of true effects reaches both signs (r -.97 to .74)
    assert float(het.loc["A001", "pi_low"]) < -0.9 and float(het.loc["A001", "pi_high"]) > 0.7
    # the edge's sd describes that spread: at least the prediction interval's r-scale SE
    e = fm.load_model("rotterdam-jeugd").edges.set_index("association")
    for aid, row in het.iterrows():
        r = float(row["value"])
        se_pi = (1 - r ** 2) * math.sqrt(float(row["tau2_z"]) + float(row["z_se"]) ** 2)
        assert e.loc[aid, "sd"] >= se_pi - 5e-4, aid


def test_running_the_script_reproduces_the_committed_weights():
    mod = script()
    assoc = mod.read_associations(FOLDER)
    on_file = pd.read_csv(FOLDER / "associations.csv")
    for col in ("low", "high", "pi_low", "pi_high"):
        assert assoc[col].to_numpy(float) == pytest.approx(on_file[col].to_numpy(float),
                                                           abs=0, nan_ok=True), col
    out, res = mod.fit(FOLDER)
    committed = pd.read_csv(FOLDER / "edges.csv", keep_default_na=False,
                            na_values={c: [""] for c in ("weight", "sd", "low", "high")})
    assert out["weight"].to_numpy(float) == pytest.approx(committed["weight"].to_numpy(float),
                                                          abs=0)
    assert out["sd"].to_numpy(float) == pytest.approx(committed["sd"].to_numpy(float), abs=0)
    for col in ("source", "target", "strength", "source_ref", "note", "association", "basis"):
        assert out[col].tolist() == committed[col].tolist(), col
    assert res.srmr < 0.05


def test_uncertainty_never_narrower_than_the_association_implies(model):
    table = to_correlations(read("associations.csv").assign(n=np.nan))
    se = dict(zip(table["id"], np.sqrt(table["var_r"]), strict=True))
    basis = dict(zip(table["id"], table["basis"], strict=True))
    e = model.edges
    for s, t, w, sd, aid in zip(e["source"], e["target"], e["weight"], e["sd"],
                                e["association"], strict=True):
        if aid.startswith("A"):
            assert sd >= round(se[aid], 3) - 5e-4, (s, t)
            if basis[aid] == "expert judgement":
                assert sd >= abs(w) - 5e-4, (s, t)
    # the published interval of negative school attitude (r .11-.76) is wide: sd >= 0.17
    row = e[(e["source"] == "schoolmotivatie") & (e["target"] == "schoolverzuim")].iloc[0]
    se_z = (math.atanh(0.76) - math.atanh(0.11)) / (2 * 1.959963984540054)
    assert row["sd"] >= (1 - 0.503 ** 2) * se_z - 5e-4


def test_every_implied_r2_is_below_one_with_margin(model):
    r2 = fm.implied_r2(model)
    assert r2["feasible"].all()
    assert r2["r2"].max() <= MAX_R2, r2["r2"].idxmax()


def test_structure_follows_rotterdam(model):
    nodes = model.nodes
    assert nodes.loc["schoolsucces", "kind"] == "protective"
    assert bool(nodes.loc["schoolsucces", "modifiable"])
    assert "vsv" in model.outcomes and "schoolsucces" not in model.outcomes
    assert "laag_geboortegewicht" not in model
    e = model.edges.set_index(["source", "target"])
    assert e.loc[("schoolsucces", "vsv"), "weight"] < 0
    assert ("gezonde_start", "ontwikkelingsachterstand") in e.index
    assert "overgang_po_vo" in model


def test_the_nine_unsupported_citations_are_gone(model):
    refs = " ".join(model.edges["source_ref"])
    for gone in ["cheltenham", "Stevig Ouderschap", "Nurse-Family", "VoorZorg", "Durlak",
                 "Mertens", "ST-RAW", "straw2023", "rotterdam_sdj"]:
        assert gone not in refs, gone
    e = model.edges.set_index(["source", "target"])
    ej = fm.vocab.EXPERT_JUDGEMENT
    for key in [("opvoedonzekerheid", "gezinsmanagement_problemen"),
                ("sociale_steun_ouders", "huiselijk_geweld"),
                ("huiselijk_geweld", "psychosociale_problemen"),
                ("weerbaarheid", "antisociaal_gedrag"),
                ("sociaal_emotionele_vaardigheden", "schoolprestaties"),
                ("speel_sportvoorzieningen", "constructieve_vrijetijd")]:
        assert e.loc[key, "source_ref"] == ej, key
    assert e.loc[("vrienden_probleemgedrag", "vsv"), "source_ref"].startswith("ctc1995:")
    assert e.loc[("vrienden_probleemgedrag", "vsv"), "strength"] == "matig"
    assert "High sexual involvement" in e.loc[("riskant_seksueel_gedrag", "schoolverzuim"),
                                              "source_ref"]
