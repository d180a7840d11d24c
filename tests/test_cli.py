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
