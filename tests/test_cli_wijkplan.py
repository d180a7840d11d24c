"""`factormodel wijkplan maak | sjabloon | evalueer` (issue 26), as an adviser runs it on
the SYNTHETIC example data: Dutch output, files that read back, located errors."""

from __future__ import annotations

import json

import pytest

import factormodel as fm
from factormodel.cli import main

MAAK = ["wijkplan", "maak", "rotterdam-jeugd", "example", "--area", "oud-crooswijk",
        "--year", "2021", "--goal", "schoolverzuim:-2pp:3j:12-18", "--goal", "vsv",
        "--budget", "250.000", "--partner", "swpbs=CJG Rijnmond", "--afronding", "swpbs=80%",
        "--auteur", "A. Adviseur", "--draws", "100"]


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    assert main([*MAAK, "--out", str(path)]) == 0
    return path


def test_maak_writes_a_plan_and_says_it_in_dutch(plan_file, capsys):
    out_path = plan_file.parent / "again.json"
    assert main([*MAAK, "--out", str(out_path)]) == 0
    out = capsys.readouterr().out
    assert "Wijkplan voor Oud-Crooswijk" in out and "SYNTHETISCHE" in out
    assert "2.000 deelnemers" in out and "procentpunt" in out and "7,20 %" in out
    plan = fm.Wijkplan.read(out_path)
    assert plan.author == "A. Adviseur" and plan.area == "Oud-Crooswijk"
    swpbs = next(i for i in plan.interventions if i.id == "swpbs")
    assert swpbs.partner == "CJG Rijnmond" and swpbs.completion_rate == pytest.approx(0.8)
    # the example data's table is what the hash is of
    assert plan.data_sha256 and plan.data_year == 2021


def test_sjabloon_reads_back(plan_file, tmp_path, capsys):
    for name in ("v.xlsx", "v.csv"):
        assert main(["wijkplan", "sjabloon", str(plan_file), "--out",
                     str(tmp_path / name)]) == 0
        p = fm.read_progress(tmp_path / name, fm.Wijkplan.read(plan_file))
        assert set(p.table["period"]) == {"2022", "2023", "2024"}
    assert "Redenen van uitval" in capsys.readouterr().out
    assert main(["wijkplan", "sjabloon", str(plan_file), "--out", str(tmp_path / "x.txt")]) == 2


def test_evalueer_text_json_and_report(plan_file, tmp_path, capsys):
    v = tmp_path / "v.csv"
    v.write_text("interventie;periode;eenheden;bereikt;afgerond;uitgevallen;reden_uitval\n"
                 "swpbs;2022;2;500;300;40;\"verhuisd:10; niet_gemotiveerd:30\"\n"
                 "swpbs;2023;2;400;250;30;praktisch\n", "utf-8")
    html = tmp_path / "r.html"
    assert main(["wijkplan", "evalueer", str(plan_file), "example", "--year", "2023",
                 "--voortgang", str(v), "--basisdata", "example", "--out", str(html)]) == 0
    out = capsys.readouterr().out
    assert "Evaluatie van het wijkplan voor Oud-Crooswijk (2021 → 2023)" in out
    assert "Te bespreken:" in out and "wijkniveau" in out
    page = html.read_text("utf-8")
    assert "Voortgangsrapportage wijkplan Oud-Crooswijk" in page and "SYNTHETISCHE" in page
    assert "reconstructie" in page and "verhuisd: 10" in page
    assert main(["wijkplan", "evalueer", str(plan_file), "example", "--year", "2023",
                 "--voortgang", str(v), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {g["goal"] for g in doc["goals"]} == {"schoolverzuim", "vsv"}
    assert doc["synthetic"] is True


def test_evalueer_errors_are_located(plan_file, tmp_path, capsys):
    v = tmp_path / "v.csv"
    v.write_text("interventie;periode;bereikt;afgerond\nbuurtsport;2022;10;12\n", "utf-8")
    assert main(["wijkplan", "evalueer", str(plan_file), "example", "--year", "2023",
                 "--voortgang", str(v)]) == 2
    err = capsys.readouterr().err
    assert "v.csv regel 2, kolom 'interventie': interventie 'buurtsport' staat niet in het " \
        "plan" in err
    assert "afgerond (12) is meer dan bereikt (10)" in err
    other = fm.Wijkplan.read(plan_file).edit(model_version="0.0.1")
    other.write(tmp_path / "other.json")
    assert main(["wijkplan", "evalueer", str(tmp_path / "other.json"), "example",
                 "--year", "2023"]) == 2
    assert "gemaakt met versie 0.0.1 van model 'rotterdam-jeugd'" in capsys.readouterr().err
