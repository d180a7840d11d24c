"""The command line: formats, exit codes, error lines."""

from __future__ import annotations

import io
import json
import shlex
import subprocess
import sys

import pandas as pd
import pytest
from scipy.stats import norm

import factormodel as fm
from factormodel.cli import main

from .conftest import CHAIN_EDGES, write_folder


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_models_table_json_csv(capsys):
    code, out, _ = run(capsys, "models")
    assert code == 0
    assert out.splitlines()[0].split()[:3] == ["name", "status", "version"]
    assert "rotterdam-jeugd reconstruction" in out
    code, out, _ = run(capsys, "models", "--format", "json")
    rows = json.loads(out)
    assert [r["name"] for r in rows] == ["ctc", "rotterdam-jeugd", "toy"]
    assert rows[2]["nodes"] == 6 and rows[2]["edges"] == 7
    code, out, _ = run(capsys, "models", "--format", "csv")
    assert out.splitlines()[3].startswith("toy,illustrative,1.0,6,4,2,7,")


def test_show_formats(capsys):
    code, out, _ = run(capsys, "show", "toy")
    assert code == 0
    assert "toy 1.0  [illustrative]" in out and "not an official model" in out
    assert "Edges: 7" in out
    code, out, _ = run(capsys, "show", "toy", "--format", "json")
    assert json.loads(out) == fm.load_model("toy").summary()
    code, out, _ = run(capsys, "show", "toy", "--format", "csv")
    assert "edges_by_strength,sterk,2" in out
    assert "nodes:outcome,kansrijk,2" in out


def test_show_unknown_model_is_one_line_exit_2(capsys):
    code, out, err = run(capsys, "show", "rotterdam")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("factormodel: error: 'rotterdam' is neither")
    assert "did you mean 'rotterdam-jeugd'" in err


def test_show_invalid_model_is_one_line_exit_2(capsys, tmp_path):
    edges = [list(r) for r in CHAIN_EDGES]
    edges[0][2] = "x"
    folder = write_folder(tmp_path / "bad", edges=edges)
    code, _, err = run(capsys, "show", str(folder))
    assert code == 2 and err.count("\n") == 1
    assert "has 1 problem:" in err and "factormodel validate" in err


def test_debug_reraises(tmp_path):
    with pytest.raises(fm.UnknownModelError):
        main(["show", "nope", "--debug"])
    with pytest.raises(fm.UnknownModelError):
        main(["--debug", "show", "nope"])


def test_validate_ok_and_warnings(capsys, tmp_path):
    code, out, _ = run(capsys, "validate", "rotterdam-jeugd")
    assert code == 0 and out.startswith("OK: <FactorModel 'rotterdam-jeugd'")
    edges = [list(r) for r in CHAIN_EDGES]
    edges[1][2] = "0.4"  # protective factor raising a problem outcome: a warning
    folder = write_folder(tmp_path / "warn", edges=edges)
    code, out, _ = run(capsys, "validate", str(folder))
    assert code == 0 and "1 warning:" in out and "opposite sign" in out
    code, out, _ = run(capsys, "validate", str(folder), "--format", "json")
    doc = json.loads(out)
    assert doc["valid"] is True and doc["problems"][0]["severity"] == "warning"


def test_validate_reports_every_problem(capsys, tmp_path):
    edges = [list(r) for r in CHAIN_EDGES]
    edges[0][2] = "x"
    edges[1][3] = "huge"
    folder = write_folder(tmp_path / "bad", edges=edges)
    code, out, err = run(capsys, "validate", str(folder))
    assert code == 2
    assert "has 2 problems:" in out
    assert "edges.csv line 2, column 'weight'" in out
    assert "edges.csv line 3, column 'strength'" in out
    assert err.strip() == f"factormodel: error: {folder} is not valid (2 problems)"
    code, out, _ = run(capsys, "validate", str(folder), "--format", "json")
    doc = json.loads(out)
    assert doc["valid"] is False and len(doc["problems"]) == 2
    code, out, _ = run(capsys, "validate", str(folder), "--format", "csv")
    assert out.splitlines()[0] == "severity,where,message" and len(out.splitlines()) == 3


def test_no_command_prints_help(capsys):
    code, out, _ = run(capsys)
    assert code == 2 and "usage: factormodel" in out


def test_module_entry_point():
    result = subprocess.run([sys.executable, "-m", "factormodel", "--version"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"factormodel {fm.__version__}"


def test_propagate_single(capsys):
    code, out, _ = run(capsys, "propagate", "toy", "--delta", "opvoedklimaat=1",
                       "--delta", "armoede=0,5")
    assert code == 0
    assert "linear propagation, clamp=True" in out
    lines = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert "-0.1600" in lines["vsv"] and "predicted" in lines["vsv"]
    assert "clamped" in lines["armoede"]
    assert "schoolverzuim" not in lines  # predicted factors only with --all
    code, out, _ = run(capsys, "propagate", "toy", "--delta", "opvoedklimaat=1", "--all",
                       "--format", "json", "--lang", "en")
    doc = json.loads(out)
    nodes = {n["node"]: n for n in doc["nodes"]}
    assert nodes["schoolverzuim"]["delta"] == -0.4
    assert nodes["vsv"]["label"] == "early school leaving"
    assert doc["units"] == "standard deviations (SD)" and doc["status"] == "illustrative"


def test_propagate_options_and_fcm(capsys):
    _, out, _ = run(capsys, "propagate", "toy", "--delta", "armoede=1", "--max-hops", "2",
                       "--format", "json")
    assert {n["node"]: n["delta"] for n in json.loads(out)["nodes"]}["vsv"] == pytest.approx(
        0.08)
    _, out, _ = run(capsys, "propagate", "toy", "--delta", "opvoedklimaat=1",
                       "--method", "fcm", "--format", "json")
    doc = json.loads(out)
    assert doc["method"] == "fcm" and doc["fcm_status"][0]["scenario"] == "(baseline)"
    assert doc["units"].startswith("FCM activation")


def test_propagate_deltas_file(capsys, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("wijk;armoede;schoolverzuim\nTarwewijk;0,8;1,2\nKralingen;-0,5;-0,3\n",
                    encoding="utf-8")
    code, out, _ = run(capsys, "propagate", "toy", "--deltas", str(path), "--format", "csv")
    assert code == 0
    rows = [line.split(",") for line in out.splitlines()[1:]]
    vsv = {r[0]: float(r[2]) for r in rows if r[1] == "vsv"}
    assert vsv == pytest.approx({"Tarwewijk": 0.8 * 0.08 + 1.2 * 0.5,
                                 "Kralingen": -0.5 * 0.08 - 0.3 * 0.5})


def test_propagate_errors(capsys, tmp_path):
    code, _, err = run(capsys, "propagate", "toy", "--delta", "foo")
    assert code == 2 and "verwacht ID=WAARDE" in err
    code, _, err = run(capsys, "propagate", "toy", "--delta", "vsw=1")
    assert code == 2 and "onbekende knoop (factor of resultaat) 'vsw'; bedoelde u 'vsv'" in err
    code, _, err = run(capsys, "propagate", "toy", "--delta", "vsv=x")
    assert code == 2 and "'x' is geen getal" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("wijk,armoede\nA,\n", encoding="utf-8")
    code, _, err = run(capsys, "propagate", "toy", "--deltas", str(bad))
    assert code == 2 and "row 'A', node 'armoede'" in err
    code, _, err = run(capsys, "propagate", "toy", "--deltas", str(tmp_path / "none.csv"))
    assert code == 2 and "none.csv: bestand niet gevonden" in err


def test_effects(capsys):
    code, out, _ = run(capsys, "effects", "toy", "--outcome", "vsv")
    assert code == 0 and "+0.5000" in out.splitlines()[1]
    code, out, _ = run(capsys, "effects", "toy", "--format", "json")
    assert json.loads(out)["armoede"]["vsv"] == pytest.approx(0.18)
    code, out, _ = run(capsys, "effects", "rotterdam-jeugd", "--format", "csv")
    assert out.splitlines()[0].startswith("source,vsv,neet")
    assert len(out.splitlines()) == 1 + 62


def test_profile_command(capsys):
    code, out, _ = run(capsys, "profile", "rotterdam-jeugd", "example", "--area", "Tarwewijk",
                       "--lang", "en")
    assert code == 0
    assert out.startswith("Tarwewijk: profile 2023 against the city average")
    assert "SYNTHETIC example data" in out.splitlines()[0]
    assert "household poverty" in out and "not measured:" in out
    code, out, _ = run(capsys, "profile", "rotterdam-jeugd", "example", "--area", "Tarwewijk")
    assert out.startswith("Tarwewijk: profiel 2023 ten opzichte van het stedelijk gemiddelde")
    assert "SYNTHETISCHE voorbeelddata" in out.splitlines()[0]
    assert "niet gemeten:" in out and "risicofactor" in out and "verschil (SD)" in out
    code, out, _ = run(capsys, "profile", "rotterdam-jeugd", "example", "--level", "gebied",
                       "--format", "json")
    rows = json.loads(out)
    assert {r["area"] for r in rows} >= {"Feijenoord", "Hillegersberg-Schiebroek"}
    code, out, _ = run(capsys, "profile", "rotterdam-jeugd", "example", "--level", "gebied")
    assert "verst aan de verkeerde kant" in out and "Charlois" in out


def test_propagate_area_from_data(capsys):
    code, out, _ = run(capsys, "propagate", "rotterdam-jeugd", "--data", "example",
                       "--area", "Oud-Crooswijk", "--lang", "en")
    assert code == 0
    assert "Oud-Crooswijk, 2023" in out and "percentage points" in out
    assert "factors measured and clamped" in out and "not measured, predicted" in out
    code, out, _ = run(capsys, "propagate", "rotterdam-jeugd", "--data", "example",
                       "--area", "Oud-Crooswijk")
    assert "procentpunt" in out and "percentage points" not in out
    assert "gemeten en vastgehouden factoren" in out and "voorspeld (SD)" in out
    code, out, _ = run(capsys, "propagate", "rotterdam-jeugd", "--data", "example",
                       "--area", "Oud-Crooswijk", "--format", "json")
    doc = json.loads(out)
    roles = {f["role"] for f in doc["factors"]}
    assert roles == {"measured, clamped", "not measured, predicted"}
    assert doc["synthetic_data"] is True
    vsv = next(o for o in doc["outcomes"] if o["outcome"] == "vsv")
    units = next(u for u in doc["in_units"] if u["indicator"] == "vsv_nieuw")
    # at the area's reference level, through the probit (scipy, by hand)
    p0 = units["level"] / 100
    assert units["level_source"] == "reference"
    assert units["change"] == pytest.approx(
        100 * (norm.cdf(norm.ppf(p0) + vsv["predicted_sd"]) - p0))


def test_area_errors(capsys):
    code, _, err = run(capsys, "propagate", "rotterdam-jeugd", "--data", "example",
                       "--area", "Oud-Croswijk")
    assert code == 2 and "geen gebied 'Oud-Croswijk'" in err and "bedoelde u 'Oud-Crooswijk'" in err
    code, _, err = run(capsys, "propagate", "rotterdam-jeugd", "--data", "example")
    assert code == 2 and "--data heeft --area nodig" in err
    code, _, err = run(capsys, "propagate", "toy", "--delta", "vsv=1", "--area", "X")
    assert code == 2 and "--area hoort bij --data" in err
    code, _, err = run(capsys, "profile", "rotterdam-jeugd", "example", "--year", "2030")
    assert code == 2 and "geen data voor het jaar 2030" in err


def test_recommend_command(capsys):
    code, out, _ = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Oud-Crooswijk", "--outcome", "vsv=2", "--outcome", "neet",
                       "--top", "3")
    assert code == 0
    # the goals and the factors by their labels, each factor with the id to type
    m = fm.load_model("rotterdam-jeugd")
    vsv, neet = m.nodes.loc["vsv", "label_nl"], m.nodes.loc["neet", "label_nl"]
    assert out.startswith(f"Oud-Crooswijk: factoren om op in te zetten voor {vsv} (x2), "
                          f"{neet} (x1)")
    first = next(line for line in out.splitlines() if line.startswith("1. "))
    factor = first.split("[", 1)[1].split("]", 1)[0]
    assert first.startswith(f"1. {m.nodes.loc[factor, 'label_nl']} [{factor}]: score ")
    assert "= ruimte" in out and "In Oud-Crooswijk is de score op" in out
    code, out, _ = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Oud-Crooswijk", "--outcome", "vsv", "--budget", "100000", "--lang", "en")
    assert f"factors to target for {m.nodes.loc['vsv', 'label_en']}" in out
    assert "Portfolio within €100,000" in out
    assert "Left out:" in out and "is 0." in out
    code, out, _ = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Oud-Crooswijk", "--outcome", "vsv", "--budget", "100000",
                       "--format", "json")
    doc = json.loads(out)
    assert doc["portfolio"]["total_cost"] <= 100000 and doc["factors"][0]["rank"] == 1
    assert doc["synthetic_data"] is True
    code, out, _ = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Oud-Crooswijk", "--outcome", "vsv", "--format", "csv")
    assert out.splitlines()[0].startswith("rank,factor,status,score")


def test_recommend_errors(capsys):
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", "example", "--outcome", "vsv")
    assert code == 2 and "heeft --area nodig" in err
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Tarwewijk", "--outcome", "vsv=veel")
    assert code == 2 and "prioriteit 'veel' is geen getal" in err
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Tarwewijk")
    assert code == 2 and "minstens één --goal" in err
    code, _, err = run(capsys, "propagate", "toy", "--delta", "schoolverzuim=1,000")
    assert code == 2 and "is dubbelzinnig" in err
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Tarwewijk", "--goal", "vsv", "--budget", "veel")
    assert code == 2 and "--budget 'veel' is geen getal" in err
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Tarwewijk", "--goal", "vsv", "--format", "xlsx")
    assert code == 2 and "--format xlsx heeft --out BESTAND.xlsx nodig" in err
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Tarwewijk", "--outcome", "vsv", "--budget", "100",
                       "--require-phase", "18-23")
    assert code == 2 and "required phase '18-23' cannot be met" in err


def test_validate_data_formats(capsys):
    from factormodel.cli import main

    assert main(["validate-data", "rotterdam-jeugd", "example", "--outcome", "neet",
                 "--folds", "4"]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out and "out-of-sample:" in out and "in-sample:" in out
    assert "best indicator" in out and "not individual effects" in out
    assert main(["validate-data", "rotterdam-jeugd", "example", "--outcome", "neet",
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["data_status"] == "synthetic" and doc["folds"].startswith("leave-one-area-out")
    assert main(["validate-data", "rotterdam-jeugd", "example", "--outcome", "neet",
                 "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("node,indicator,unit,target,sample,method,n,r,r2,slope,rmse")
    assert len(lines) == 1 + 2 * 2 * 4   # 2 targets x 2 samples x 4 methods
    assert main(["validate-data", "rotterdam-jeugd", "example", "--folds", "x"]) == 2
    assert "--folds" in capsys.readouterr().err
    assert main(["validate-data", "rotterdam-jeugd", "example", "--outcome", "vsv",
                 "--folds", "parent", "--format", "json"]) == 0
    folds = json.loads(capsys.readouterr().out)["folds"]
    assert folds == "leave-one-group-out (12 groups of areas)"
    assert main(["validate-data", "rotterdam-jeugd", "example:cbs_kwb2017"]) == 2
    assert "nothing to validate" in capsys.readouterr().err


def test_profile_of_the_real_cbs_example_says_real_with_credit(capsys):
    from factormodel.cli import main

    assert main(["profile", "rotterdam-jeugd", "example:cbs_kwb2017", "--area", "Oude Westen",
                 "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "REAL data" in out and "Kerncijfers wijken en buurten 2017 (83765NED)" in out
    assert "17 with incomplete values are absent" in out and "SYNTHETIC" not in out
    assert "armoede" in out and "+0.38" in out


# --------------------------------------------------------------------------- issue 13


def _mijnwijk(tmp_path, city=True):
    p = tmp_path / "mijnwijk.csv"
    rows = ["wijk;jaar;indicator;waarde", "Oud-Crooswijk;2023;vsv_nieuw;3,4",
            "Oud-Crooswijk;2023;verzuim_meldingen;9,1",
            "Oud-Crooswijk;2023;% jongeren 4-17 jaar lid van een sportvereniging;31"]
    if city:
        rows += ["Rotterdam;2023;vsv_nieuw;2,6", "Rotterdam;2023;verzuim_meldingen;7,0",
                 "Rotterdam;2023;lid_sportvereniging;38"]
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return p


def test_own_data_one_wijk_without_city_is_an_error(capsys, tmp_path):
    code, out, err = run(capsys, "profile", "rotterdam-jeugd", str(_mijnwijk(tmp_path, False)),
                         "--area", "Oud-Crooswijk")
    assert code == 2 and out == ""
    assert "uit één gebied" in err and "--reference-values BESTAND" in err
    assert "Python" not in err


def test_own_data_with_city_row_and_reference_file(capsys, tmp_path):
    data = _mijnwijk(tmp_path)
    code, out, _ = run(capsys, "profile", "rotterdam-jeugd", str(data), "--area",
                       "Oud-Crooswijk", "--format", "json")
    rows = {r["node"]: r for r in json.loads(out)}
    assert rows["vsv"]["delta_sd"] == pytest.approx(norm.ppf(0.034) - norm.ppf(0.026))
    assert rows["armoede"]["delta_sd"] is None  # not measured: null, never NaN or 0
    code, out, _ = run(capsys, "profile", "rotterdam-jeugd", str(data), "--area",
                       "Oud-Crooswijk")
    assert "referentie: de stadsrij 'Rotterdam' in de data" in out
    ref = tmp_path / "stad.csv"
    ref.write_text("indicator;waarde\nvsv_nieuw;2,6\nverzuim_meldingen;7\n"
                   "lid_sportvereniging;38\n", encoding="utf-8")
    code, out2, _ = run(capsys, "profile", "rotterdam-jeugd", str(_mijnwijk(tmp_path, False)),
                        "--area", "Oud-Crooswijk", "--reference-values", str(ref))
    assert code == 0 and "de opgegeven referentiewaarden" in out2
    assert out2.splitlines()[3:6] == out.splitlines()[3:6]  # same deltas either way
    code, out, _ = run(capsys, "profile", "rotterdam-jeugd", str(_mijnwijk(tmp_path, False)),
                       "--area", "Oud-Crooswijk", "--reference", "typical")
    assert code == 0 and "AANNAME" in out


def test_goal_on_a_factor_with_dutch_budget(capsys, tmp_path):
    code, out, _ = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Oud-Crooswijk", "--goal", "Schoolverzuim:-2pp:3j:12-18",
                       "--goal", "VSV=2", "--budget", "250.000", "--top", "3")
    assert code == 0
    # the goal by its resolved node's label (as the report and page), typed in another case
    assert ("voor schoolverzuim (ongeoorloofd / langdurig): -2 procentpunt in 3 jaar, "
            "12-18-jarigen (x1)") in out.splitlines()[0]
    assert "Portfolio binnen € 250.000" in out and "Niet gekozen:" in out
    assert "alle factoren samen" in out and "som van de afzonderlijke effecten" in out
    assert "Nodig om het doel" in out and "lineair model" in out
    assert "het sterkste pad" in out
    assert "Portfolio within" not in out and "not measured" not in out


def test_portfolio_mismatch_is_explained(capsys):
    code, out, _ = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Oud-Crooswijk", "--goal", "vsv", "--budget", "250000", "--lang", "en")
    assert code == 0 and "The portfolio does not follow the ranking entirely" in out


def test_recommend_budget_csv_keeps_the_ranking(capsys, tmp_path):
    args = ["recommend", "rotterdam-jeugd", "example", "--area", "Oud-Crooswijk", "--goal",
            "vsv", "--budget", "100.000"]
    code, out, _ = run(capsys, *args, "--format", "csv")
    frame = pd.read_csv(io.StringIO(out))
    assert set(frame["table"]) == {"ranking", "portfolio"}
    ranks = frame.loc[frame["table"] == "ranking", "rank"].dropna()
    assert (ranks == ranks.round()).all()
    code, out, _ = run(capsys, *args, "--format", "csv-nl")
    head = out.splitlines()[0]
    assert head.startswith("tabel;rang;factor;status;score") and len(head.split(";")) > 10
    assert ";0," in out  # decimal comma
    xlsx = tmp_path / "advies.xlsx"
    code, _, _ = run(capsys, *args, "--format", "xlsx", "--out", str(xlsx))
    assert code == 0
    book = pd.read_excel(xlsx, sheet_name=None)
    assert set(book) == {"ranglijst", "effecten", "portfolio"}
    assert "rang" in book["ranglijst"].columns and "toelichting" in book["ranglijst"].columns
    assert "alle factoren samen" in set(book["effecten"]["hoe"])
    vsv = fm.load_model("rotterdam-jeugd").nodes.loc["vsv", "label_nl"]
    assert f"sterkste pad naar {vsv}" in book["ranglijst"].columns  # by its label
    _, out, _ = run(capsys, *args, "--format", "json")
    doc = json.loads(out)
    assert all(isinstance(f["rank"], int) or f["rank"] is None for f in doc["factors"])
    assert doc["portfolio"]["budget"] == 100000 and doc["effects"]


@pytest.mark.parametrize("command", [
    ["models"], ["show", "toy"], ["effects", "toy"],
    ["profile", "rotterdam-jeugd", "example", "--area", "Tarwewijk"],
    ["propagate", "rotterdam-jeugd", "--data", "example", "--area", "Tarwewijk"],
    ["propagate", "toy", "--delta", "schoolverzuim=0,5"],
])
def test_every_table_command_writes_xlsx_and_dutch_csv(capsys, tmp_path, command):
    xlsx = tmp_path / "uit.xlsx"
    code, _, err = run(capsys, *command, "--format", "xlsx", "--out", str(xlsx))
    assert code == 0, err
    assert len(pd.read_excel(xlsx, sheet_name=None)) >= 1
    out = tmp_path / "uit.csv"
    code, _, _ = run(capsys, *command, "--format", "csv-nl", "--out", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Dutch Excel reads UTF-8
    frame = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    assert len(frame.columns) > 1


def test_json_is_strict_and_validate_keys_are_stable(capsys, tmp_path):
    code, out, _ = run(capsys, "profile", "rotterdam-jeugd", "example", "--format", "json",
                       "--area", "Tarwewijk")
    assert "NaN" not in out
    json.loads(out)
    _, ok, _ = run(capsys, "validate", "toy", "--format", "json")
    edges = [list(r) for r in CHAIN_EDGES]
    edges[0][2] = "x"
    bad = write_folder(tmp_path / "bad", edges=edges)
    code, notok, _ = run(capsys, "validate", str(bad), "--format", "json")
    assert code == 2
    assert set(json.loads(ok)) == set(json.loads(notok))


def test_labels_as_outcome_and_delta(capsys):
    code, out, err = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                         "Oud-Crooswijk", "--outcome", "VSV", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["goals"][0]["node"] == "vsv"
    code, out, err = run(capsys, "propagate", "toy", "--delta", "Goede schoolprestaties=0,5",
                         "--format", "json")
    assert code == 0, err
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Oud-Crooswijk", "--outcome", "verzuimm")
    assert code == 2 and "bedoelde u 'schoolverzuim'" in err


def test_the_city_row_name_is_configurable(capsys, tmp_path):
    p = tmp_path / "gemeente.csv"
    p.write_text("wijk;jaar;indicator;waarde\nCentrum;2023;vsv_nieuw;3,4\n"
                 "Schiedam;2023;vsv_nieuw;2,6\n", encoding="utf-8")
    code, _, err = run(capsys, "profile", "rotterdam-jeugd", str(p), "--area", "Centrum")
    assert code == 0  # two areas: the mean of both (Schiedam is an area here)
    code, out, err = run(capsys, "profile", "rotterdam-jeugd", str(p), "--area", "Centrum",
                         "--city", "schiedam", "--format", "json")
    assert code == 0, err
    vsv = next(r for r in json.loads(out) if r["node"] == "vsv")
    assert vsv["delta_sd"] == pytest.approx(norm.ppf(0.034) - norm.ppf(0.026))
    code, _, err = run(capsys, "profile", "rotterdam-jeugd", str(p), "--area", "Schiedam",
                       "--city", "Schiedam")
    assert code == 2 and "geen gebied 'Schiedam'" in err  # the city is never an area


def test_the_main_command_ends_with_its_meaning_and_a_next_step_that_runs(capsys):
    code, out, _ = run(capsys, "propagate", "rotterdam-jeugd", "--data", "example",
                       "--area", "Oud-Crooswijk")
    assert code == 0
    meaning = next(line for line in out.splitlines() if line.startswith("Wat dit betekent"))
    # the largest predicted difference, in her units: the same numbers as the library's
    m = fm.load_model("rotterdam-jeugd")
    prof = fm.profile(m, fm.load_example_data(), level="wijk")
    r = fm.propagate(m, prof.row("Oud-Crooswijk")[list(m.factors)], missing="free")
    u = fm.to_indicator_units(m, r.outcomes, profile=prof)
    top = u.loc[u["delta_sd"].abs().idxmax()]
    assert f"{top['new_level']:.1f}".replace(".", ",") in meaning
    assert "geen effecten voor individuele kinderen" in out
    step = next(line for line in out.splitlines() if line.startswith("Volgende stap"))
    command = step.split("? factormodel ")[1].split("  (")[0]
    code, out, err = run(capsys, *shlex.split(command))
    assert code == 0, err


def test_profile_shows_her_figures_first(capsys):
    code, out, _ = run(capsys, "profile", "rotterdam-jeugd", "example", "--area",
                       "Oud-Crooswijk")
    assert code == 0
    lines = out.splitlines()
    head = lines.index(next(x for x in lines if x.startswith("Gemeten indicatoren")))
    assert head < lines.index(next(x for x in lines if x.startswith("Per factor")))
    m = fm.load_model("rotterdam-jeugd")
    t = fm.indicator_table(m, fm.profile(m, fm.load_example_data(), level="wijk"),
                           "Oud-Crooswijk").set_index("indicator")
    vsv = next(x for x in lines if "nieuwe voortijdig schoolverlaters" in x)
    r = t.loc["vsv_nieuw"]
    want = {"better": "beter", "worse": "slechter", "same": "gelijk"}[r["verdict"]]
    assert f"{r['value']:.1f}% tegen {r['reference']:.1f}%".replace(".", ",") in vsv
    assert want in vsv and "procentpunt" in vsv
