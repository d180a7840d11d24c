"""The command line: formats, exit codes, error lines."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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
    assert code == 2 and "expected ID=VALUE" in err
    code, _, err = run(capsys, "propagate", "toy", "--delta", "vsw=1")
    assert code == 2 and "did you mean 'vsv'" in err
    code, _, err = run(capsys, "propagate", "toy", "--delta", "vsv=x")
    assert code == 2 and "'x' is not a number" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("wijk,armoede\nA,\n", encoding="utf-8")
    code, _, err = run(capsys, "propagate", "toy", "--deltas", str(bad))
    assert code == 2 and "row 'A', node 'armoede'" in err
    code, _, err = run(capsys, "propagate", "toy", "--deltas", str(tmp_path / "none.csv"))
    assert code == 2 and "no such file" in err


def test_effects(capsys):
    code, out, _ = run(capsys, "effects", "toy", "--outcome", "vsv")
    assert code == 0 and "+0.5000" in out.splitlines()[1]
    code, out, _ = run(capsys, "effects", "toy", "--format", "json")
    assert json.loads(out)["armoede"]["vsv"] == pytest.approx(0.18)
    code, out, _ = run(capsys, "effects", "rotterdam-jeugd", "--format", "csv")
    assert out.splitlines()[0].startswith("source,vsv,neet")
    assert len(out.splitlines()) == 1 + 62


def test_profile_command(capsys):
    code, out, _ = run(capsys, "profile", "rotterdam-jeugd", "example", "--area", "Tarwewijk")
    assert code == 0
    assert out.startswith("Tarwewijk: profile 2023 against the city average")
    assert "SYNTHETIC example data" in out.splitlines()[0]
    assert "armoede" in out and "not measured:" in out
    code, out, _ = run(capsys, "profile", "rotterdam-jeugd", "example", "--level", "gebied",
                       "--format", "json")
    rows = json.loads(out)
    assert {r["area"] for r in rows} >= {"Feijenoord", "Hillegersberg-Schiebroek"}
    code, out, _ = run(capsys, "profile", "rotterdam-jeugd", "example", "--level", "gebied")
    assert "furthest_on_wrong_side" in out and "Charlois" in out


def test_propagate_area_from_data(capsys):
    code, out, _ = run(capsys, "propagate", "rotterdam-jeugd", "--data", "example",
                       "--area", "Oud-Crooswijk")
    assert code == 0
    assert "Oud-Crooswijk, 2023" in out and "percentage points" in out
    assert "factors measured and clamped" in out and "not measured, predicted" in out
    code, out, _ = run(capsys, "propagate", "rotterdam-jeugd", "--data", "example",
                       "--area", "Oud-Crooswijk", "--format", "json")
    doc = json.loads(out)
    roles = {f["role"] for f in doc["factors"]}
    assert roles == {"measured, clamped", "not measured, predicted"}
    assert doc["synthetic_data"] is True
    vsv = next(o for o in doc["outcomes"] if o["outcome"] == "vsv")
    units = next(u for u in doc["in_units"] if u["indicator"] == "vsv_nieuw")
    assert units["change"] == pytest.approx(vsv["predicted_sd"] * 0.7)


def test_area_errors(capsys):
    code, _, err = run(capsys, "propagate", "rotterdam-jeugd", "--data", "example",
                       "--area", "Oud-Croswijk")
    assert code == 2 and "did you mean 'Oud-Crooswijk'" in err
    code, _, err = run(capsys, "propagate", "rotterdam-jeugd", "--data", "example")
    assert code == 2 and "--data needs --area" in err
    code, _, err = run(capsys, "propagate", "toy", "--delta", "vsv=1", "--area", "X")
    assert code == 2 and "--area goes with --data" in err
    code, _, err = run(capsys, "profile", "rotterdam-jeugd", "example", "--year", "2030")
    assert code == 2 and "no data for year 2030" in err


def test_recommend_command(capsys):
    code, out, _ = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Oud-Crooswijk", "--outcome", "vsv=2", "--outcome", "neet",
                       "--top", "3")
    assert code == 0
    assert out.startswith("Oud-Crooswijk: factoren om op in te zetten voor vsv (x2), "
                          "neet (x1)")
    assert "1. " in out and "= room" in out and "ligt in Oud-Crooswijk" in out
    code, out, _ = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Oud-Crooswijk", "--outcome", "vsv", "--budget", "100000", "--lang", "en")
    assert "factors to target for vsv" in out and "Portfolio within 100,000" in out
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
    assert code == 2 and "needs --area" in err
    code, _, err = run(capsys, "recommend", "rotterdam-jeugd", "example", "--area",
                       "Tarwewijk", "--outcome", "vsv=veel")
    assert code == 2 and "priority 'veel' is not a number" in err
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
    assert "armoede" in out and "+1.52" in out
