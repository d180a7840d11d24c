"""Issue 15: nothing crashes, nothing is silently wrong, nothing is lost.

One test per item of the issue, each with its minimal reproducer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import factormodel as fm
from factormodel.cli import main
from factormodel.core import _linalg
from factormodel.tables._safewrite import guard_cell, unguard_cell

ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------- 1. populations


def test_negative_population_is_a_located_error(tmp_path):
    p = tmp_path / "pop.csv"
    p.write_text("area,year,indicator,value,population\nA,2022,vsv_nieuw,2.5,4000\n"
                 "B,2022,vsv_nieuw,3.5,-4000\nC,2022,vsv_nieuw,2.5,4000\n", encoding="utf-8")
    with pytest.raises(fm.DataError, match=r"'-4000' \(line 3, 'B'\) in column 'population': "
                                           r"a population cannot be negative"):
        fm.read_area_data(p)


def test_all_zero_populations_are_an_error_not_nan(rotterdam):
    data = pd.DataFrame({"wijk": ["Charlois", "Delfshaven"], "jaar": 2022,
                         "vsv_nieuw": [2.5, 3.5], "population": [0, 0]})
    with pytest.raises(fm.DataError, match="add up to zero for vsv_nieuw"):
        fm.profile(rotterdam, data)


def test_bad_population_cell_is_a_located_data_error(tmp_path):
    p = tmp_path / "pop.csv"
    p.write_text("area,year,indicator,value,population\nRubroek,2022,vsv_nieuw,2.5,veel\n",
                 encoding="utf-8")
    with pytest.raises(fm.DataError, match=r"'veel' \(line 2, 'Rubroek'\) in column 'population'"):
        fm.read_area_data(p)


# --------------------------------------------------------------------- 2. guard rails


@pytest.mark.parametrize("weight", [1e300, 10.5, -11.0])
def test_weights_beyond_the_bound_are_validation_errors(toy, weight):
    with pytest.raises(fm.ModelValidationError, match="beyond the bound of 10"):
        toy.with_weights({("schoolverzuim", "vsv"): weight})


def test_infinite_weight_is_a_validation_error(toy):
    with pytest.raises(fm.ModelValidationError):
        toy.with_weights({("schoolverzuim", "vsv"): float("inf")})


def test_weight_at_the_bound_is_accepted(toy):
    with warnings.catch_warnings():  # R² above 1 is a coherence warning, not an error
        warnings.simplefilter("ignore", fm.ModelWarning)
        m = toy.with_weights({("schoolverzuim", "vsv"): 10.0})
    assert np.isfinite(fm.total_effects(m).to_numpy()).all()


def test_weight_bound_applies_to_model_files(tmp_path, toy):
    fm.write_model(toy, tmp_path / "m")
    edges = (tmp_path / "m" / "edges.csv").read_text(encoding="utf-8")
    (tmp_path / "m" / "edges.csv").write_text(edges.replace(",0.3,", ",1e300,", 1),
                                              encoding="utf-8")
    with pytest.raises(fm.ModelValidationError, match=r"edges.csv line \d+, column 'weight'"):
        fm.load_model(tmp_path / "m")


@pytest.mark.parametrize("delta", [1e308, -2e6, float("inf")])
def test_absurd_deltas_are_refused(toy, delta):
    with pytest.raises(fm.InvalidDeltaError):
        fm.propagate(toy, {"armoede": delta})


def test_checked_solve_never_hands_out_inf():
    # a chain whose path product overflows: 1e200 * 1e200
    W = sp.csr_matrix(np.array([[0, 1e200, 0], [0, 0, 1e200], [0, 0, 0]]))
    system = _linalg.System(W, 1.0, ("a", "b", "c"), "effects")
    with pytest.raises(fm.NotConvergentError, match="not finite"):
        system.columns(np.array([2]))
    with pytest.raises(fm.NotConvergentError, match="not finite"):
        system.rows(np.array([0]))


def test_cli_never_prints_nan_or_infinity(capsys):
    assert main(["propagate", "toy", "--delta", "armoede=1e308", "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert "Infinity" not in out and "NaN" not in out
    assert json.loads(out)["error"] == "InvalidDeltaError"
    assert len(err.strip().splitlines()) == 1


# --------------------------------------------------------------------- 4. names and keys


def test_json_duplicate_key_is_an_error_naming_the_key(tmp_path, toy):
    fm.write_model(toy, tmp_path / "t.json")
    text = (tmp_path / "t.json").read_text(encoding="utf-8")
    (tmp_path / "d.json").write_text(text.replace('"format": "factormodel",',
                                                  '"format": "factormodel", "format": "x",', 1),
                                     encoding="utf-8")
    with pytest.raises(fm.ModelFileError, match="key 'format' appears twice"):
        fm.load_model(tmp_path / "d.json")


def test_node_ids_differing_only_in_case_are_an_error(toy):
    nodes = toy.nodes.reset_index()
    nodes.loc[len(nodes)] = nodes.iloc[0].copy()
    nodes.loc[len(nodes) - 1, "id"] = "Armoede"
    with pytest.raises(fm.ModelValidationError, match=r"differs from 'armoede'.*only in letter"):
        fm.FactorModel(nodes, toy.edges, toy.metadata.to_dict())


def test_edge_list_import_does_not_rename_colliding_names(tmp_path):
    p = tmp_path / "edges.csv"
    p.write_text("source,target,weight\nArmoede,VSV,0.2\narmoede!,VSV,0.1\n", encoding="utf-8")
    with pytest.raises(fm.DataError, match="'Armoede' and 'armoede!' -> 'armoede'"):
        fm.read_edge_list(p, default_kind="risk", outcomes={"VSV": "lower"})


def test_outcome_feeding_back_on_its_causes_warns(toy):
    # schoolverzuim drives vsv; an edge vsv -> schoolverzuim closes the loop
    edges = pd.concat([toy.edges, pd.DataFrame([{
        "source": "vsv", "target": "schoolverzuim", "weight": 0.1, "strength": "zwak",
        "source_ref": "expert judgement"}])], ignore_index=True)
    with pytest.warns(fm.ModelWarning, match="outcome 'vsv' drives the risk factor "
                                             "'schoolverzuim', which in turn drives 'vsv'"):
        fm.FactorModel(toy.nodes.reset_index(), edges, toy.metadata.to_dict())


def test_outcome_driving_a_later_factor_without_a_loop_does_not_warn(toy):
    # schoolsucces -> a new factor that leads nowhere: no loop, so no warning
    nodes = toy.nodes.reset_index()
    extra = nodes.iloc[[0]].assign(id="jeugdwerkloosheid", label_nl="jeugdwerkloosheid",
                                   label_en="youth unemployment")
    edges = pd.concat([toy.edges, pd.DataFrame([{
        "source": "schoolsucces", "target": "jeugdwerkloosheid", "weight": -0.2,
        "strength": "zwak", "source_ref": "expert judgement"}])], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", fm.ModelWarning)
        fm.FactorModel(pd.concat([nodes, extra], ignore_index=True), edges,
                       toy.metadata.to_dict())


def test_bundled_models_load_without_guard_warnings(rotterdam):
    # VSV -> NEET and gezonde_start -> later factors are part of the model: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", fm.ModelWarning)
        for name in fm.list_models():
            fm.FactorModel.from_networkx(fm.load_model(name).to_networkx())


def test_header_only_area_file_is_an_error(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("area,year,indicator,value\n", encoding="utf-8")
    with pytest.raises(fm.DataError, match="no data rows"):
        fm.read_area_data(p)


# --------------------------------------------------------------------- 5. compare


def test_compare_counts_areas_empty_under_both_as_unchanged(toy):
    deltas = pd.DataFrame({"armoede": [1.0, -1.0], "opvoedklimaat": [-1.0, 1.0],
                           "schoolverzuim": [1.0, -1.0], "schoolprestaties": [-1.0, 1.0]},
                          index=pd.Index(["bad", "good"], name="area"))
    alt = toy.with_weights(toy.edges.assign(weight=toy.edges["weight"] * 0.5))
    r = fm.compare(toy, alt, deltas, top=3).rankings.set_index("area")
    assert r.loc["good", "top_a"] == "" and r.loc["good", "top_b"] == ""
    assert bool(r.loc["good", "same_first"]) and r.loc["good", "overlap"] == 1.0


# --------------------------------------------------------------------- 6-8. crashes


def test_deep_json_is_a_model_file_error(tmp_path, capsys):
    p = tmp_path / "deep.json"
    p.write_text("[" * 10000 + "]" * 10000, encoding="utf-8")
    with pytest.raises(fm.ModelFileError, match="nested too deeply"):
        fm.load_model(p)
    assert main(["validate", str(p), "--format", "json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["error"] == "ModelFileError" and doc["location"] == str(p)
    assert set(doc) == {"error", "detail", "location"}


def _xlsx(path: Path) -> Path:
    pd.DataFrame({"area": ["A"], "year": [2022], "vsv_nieuw": [2.5]}).to_excel(path,
                                                                             index=False)
    return path


def test_truncated_xlsx(tmp_path):
    good = _xlsx(tmp_path / "good.xlsx").read_bytes()
    (tmp_path / "t.xlsx").write_bytes(good[: len(good) // 2])
    with pytest.raises(fm.ModelFileError, match="not a readable Excel workbook"):
        fm.read_area_data(tmp_path / "t.xlsx")


def test_zip_that_is_not_a_workbook(tmp_path):
    with zipfile.ZipFile(tmp_path / "z.xlsx", "w") as z:
        z.writestr("a.txt", "hello")
    with pytest.raises(fm.ModelFileError, match="not an Excel workbook"):
        fm.read_area_data(tmp_path / "z.xlsx")


def test_dtd_in_a_sheet_is_refused(tmp_path):
    good = _xlsx(tmp_path / "good.xlsx")
    bad = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + data
            dst.writestr(item, data)
    with pytest.raises(fm.ModelFileError, match="declares a DTD"):
        fm.read_area_data(bad)


def test_write_errors_are_model_file_errors_naming_the_path(tmp_path, toy):
    with pytest.raises(fm.ModelFileError, match=r"/dev/null/x\.json: cannot write"):
        fm.write_model(toy, "/dev/null/x.json")
    (tmp_path / "d.json").mkdir()
    with pytest.raises(fm.ModelFileError, match="is a folder"):
        fm.write_model(toy, tmp_path / "d.json")
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(fm.ModelFileError, match="not a folder"):
        fm.write_model(toy, tmp_path / "f")
    with pytest.raises(fm.ModelFileError, match="cannot write"):
        fm.export_model(toy, "/dev/null/x.graphml")
    assert isinstance(fm.ModelFileError("x"), OSError)


def test_intervention_header_in_another_case(tmp_path, rotterdam):
    cat = rotterdam.table("interventions")
    p = tmp_path / "i.csv"
    cat.rename(columns={"intervention": "Intervention", "target": "Target"}).to_csv(
        p, index=False)
    assert len(fm.load_interventions(rotterdam, p)) == len(cat)


def test_misspelled_indicator_column_names_the_column(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("area,year,indicatr,value\nA,2022,vsv_nieuw,1\n", encoding="utf-8")
    with pytest.raises(fm.DataError, match=r"missing required column 'indicator' \(found: "
                                           r"area, year, indicatr, value\)"):
        fm.read_area_data(p)


def test_load_model_none_is_an_invalid_parameter():
    with pytest.raises(fm.InvalidParameterError, match="got NoneType"):
        fm.load_model(None)


@pytest.mark.parametrize("reader", [fm.read_model, fm.read_area_data, fm.read_deltas,
                                    fm.load_areas, fm.read_weight_table])
def test_readers_refuse_a_non_path_with_a_factormodel_error(reader):
    with pytest.raises(fm.InvalidArgumentTypeError) as info:
        reader(None)
    assert isinstance(info.value, TypeError) and isinstance(info.value, fm.FactorModelError)


def test_with_weights_of_the_wrong_type(toy):
    with pytest.raises(fm.InvalidArgumentTypeError, match="got list"):
        toy.with_weights([0.1])


def test_utf16_with_bom_reads_and_without_bom_is_one_message(tmp_path):
    text = "area,year,indicator,value\nA,2022,vsv_nieuw,1.5\n"
    (tmp_path / "bom.csv").write_bytes(text.encode("utf-16"))
    assert fm.read_area_data(tmp_path / "bom.csv")["value"].tolist() == [1.5]
    (tmp_path / "le.csv").write_bytes(text.encode("utf-16-le"))
    with pytest.raises(fm.ModelFileError, match="UTF-16") as info:
        fm.read_area_data(tmp_path / "le.csv")
    assert len(str(info.value).splitlines()) == 1


# --------------------------------------------------------------------- 9. CLI


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "factormodel", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, **kwargs)


def test_cli_error_is_one_line_and_debug_shows_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": 1, "a": 2}', encoding="utf-8")
    r = _cli("show", str(bad))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr
    r = _cli("show", str(bad), "--debug")
    assert "Traceback" in r.stderr


def test_cli_full_device_has_no_traceback():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "factormodel", "show", "rotterdam-jeugd"],
                           cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True,
                           timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "No space left on device" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_cli_stdout_closed_early_is_quiet():
    proc = subprocess.Popen([sys.executable, "-m", "factormodel", "effects", "rotterdam-jeugd",
                             "--format", "csv"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0 and "Traceback" not in err


# --------------------------------------------------------------------- 10. atomic writes


def test_failed_json_write_leaves_the_old_model(tmp_path, toy, rotterdam, monkeypatch):
    path = tmp_path / "m.json"
    fm.write_model(toy, path)
    before = path.read_bytes()

    def broken(self, data):  # the disk fills up halfway through the write
        with open(self, "wb") as f:
            f.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", broken)
    with pytest.raises(fm.ModelFileError, match="No space left on device"):
        fm.write_model(rotterdam, path)
    monkeypatch.undo()
    assert path.read_bytes() == before and fm.read_model(path) == toy
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]  # no temporary left behind


def test_failed_folder_write_leaves_the_old_model(tmp_path, toy, rotterdam, monkeypatch):
    folder = tmp_path / "m"
    fm.write_model(toy, folder)
    (folder / "README.txt").write_text("mine", encoding="utf-8")
    import factormodel.tables._safewrite as safewrite

    calls = []
    real = safewrite._copy

    def broken(src, dst):  # fail after the new files are written, before the swap
        calls.append(src)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(safewrite, "_copy", broken)
    with pytest.raises(fm.ModelFileError, match="Input/output error"):
        fm.write_model(rotterdam, folder)
    monkeypatch.setattr(safewrite, "_copy", real)
    assert calls and fm.read_model(folder) == toy
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    fm.write_model(rotterdam, folder)  # other files are carried over
    assert (folder / "README.txt").read_text(encoding="utf-8") == "mine"
    assert fm.read_model(folder) == rotterdam


@pytest.mark.parametrize("form", ["m.json", "m"])
def test_concurrent_reader_never_sees_a_half_written_model(tmp_path, toy, form):
    path = tmp_path / form
    one = toy
    two = toy.with_weights(toy.edges.assign(weight=toy.edges["weight"] / 2))
    fm.write_model(one, path)
    stop = time.monotonic() + 3.0
    failures: list[BaseException] = []

    def writer() -> None:
        k = 0
        while time.monotonic() < stop:
            fm.write_model(two if k % 2 else one, path)
            k += 1

    thread = threading.Thread(target=writer)
    thread.start()
    reads = 0
    try:
        while time.monotonic() < stop:
            try:
                m = fm.read_model(path)
                assert m in (one, two)
            except (fm.FactorModelError, AssertionError) as exc:
                failures.append(exc)
            reads += 1
    finally:
        thread.join(timeout=30)
    assert reads > 5 and not failures, failures[:3]


# --------------------------------------------------------------------- 11-14. hostile


def test_formula_cells_are_guarded_and_round_trip(tmp_path, toy):
    nodes = toy.nodes.reset_index()
    nodes.loc[0, "label_nl"] = '=HYPERLINK("http://evil","klik")'
    nodes.loc[1, "label_nl"] = "+cmd|' /C calc'!A0"
    nodes.loc[2, "label_nl"] = "@SUM(1+1)"
    nodes.loc[3, "label_nl"] = "'=already quoted"
    m = fm.FactorModel(nodes, toy.edges, toy.metadata.to_dict())
    fm.write_model(m, tmp_path / "m")
    text = (tmp_path / "m" / "nodes.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'+cmd" in text and "'@SUM" in text
    assert "''=already quoted" in text
    edges = (tmp_path / "m" / "edges.csv").read_text(encoding="utf-8")
    assert ",-0.2," in edges or ",-0.3," in edges  # negative numbers are not guarded
    assert "'-0" not in edges
    assert fm.read_model(tmp_path / "m") == m


@pytest.mark.parametrize("cell", ["=1+1", "+x", "-x", "@x", "\tx", "\rx", "'=x", "''@x",
                                  "-0.5", "+3", "1e5", "x=1", ""])
def test_guard_round_trips(cell):
    assert unguard_cell(guard_cell(cell)) == cell
    guarded = guard_cell(cell)
    assert guarded[:1] not in ("=", "+", "@", "\t", "\r") or cell == "+3"


def test_cli_csv_output_is_guarded(tmp_path, capsys):
    p = tmp_path / "d.csv"
    p.write_text("scenario,armoede\n=cmd(),0.5\n@x,-1\n", encoding="utf-8")
    assert main(["propagate", "toy", "--deltas", str(p), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "\n'=cmd()," in out and "\n'@x," in out and "\n=cmd()" not in out
    assert ",-1.0," in out  # numbers stay numbers


def test_errors_do_not_list_a_folder():
    with pytest.raises(fm.ModelFileError) as info:
        fm.load_model("/etc")
    assert "passwd" not in str(info.value) and "hosts" not in str(info.value)


def test_errors_do_not_echo_an_unrelated_file(tmp_path, toy):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\nother:line\n", encoding="utf-8")
    fm.write_model(toy, tmp_path / "m")
    (tmp_path / "m" / "nodes.csv").unlink()
    (tmp_path / "m" / "nodes.csv").symlink_to(secret)
    with pytest.raises(fm.ModelFileError, match="not a nodes table") as info:
        fm.load_model(tmp_path / "m")
    assert "root:x" not in str(info.value)


def test_mermaid_escapes_script_and_newlines(toy):
    nodes = toy.nodes.reset_index()
    nodes.loc[0, "label_nl"] = 'a<script>alert("x")</script>\nb'
    m = fm.FactorModel(nodes, toy.edges, toy.metadata.to_dict())
    text = fm.exchange.to_mermaid(m)
    line = next(s for s in text.splitlines() if s.strip().startswith("armoede["))
    assert "<" not in line and ">" not in text.replace("-->", "").replace("-.->", "")
    assert "#lt;script#gt;" in line and line.endswith(":::risk")


def test_graphml_round_trip_is_equal(tmp_path, rotterdam):
    import networkx as nx

    fm.export_model(rotterdam, tmp_path / "m.graphml")
    assert fm.FactorModel.from_networkx(nx.read_graphml(tmp_path / "m.graphml")) == rotterdam


def test_guard_frame_guards_text_not_numbers():
    from factormodel.tables._safewrite import guard_frame

    frame = pd.DataFrame({"=label": ["=1+1", "-x", "ok"], "value": [-0.5, 1.0, 2.0]})
    out = guard_frame(frame)
    assert list(out.columns) == ["'=label", "value"]
    assert out["'=label"].tolist() == ["'=1+1", "'-x", "ok"]
    assert out["value"].tolist() == [-0.5, 1.0, 2.0]
    assert frame.columns[0] == "=label"  # the input is not changed


def test_web_downloads_are_guarded():
    import base64
    import io

    from factormodel.render.view import downloads

    frame = pd.DataFrame({"factor": ["@SUM(A1)"], "score": [-1.5]})
    for lang, (first, other) in {"en": (",-1.5", ";-1,5"), "nl": (";-1,5", ",-1.5")}.items():
        d = downloads(frame, "t", lang)
        csv_href, xlsx_href, other_href = d.csv, d.xlsx, d.csv_other
        csv = base64.b64decode(csv_href.split("base64,", 1)[1]).decode("utf-8-sig")
        assert "'@SUM(A1)" in csv and first in csv
        csv = base64.b64decode(other_href.split("base64,", 1)[1]).decode("utf-8-sig")
        assert "'@SUM(A1)" in csv and other in csv
        book = pd.read_excel(io.BytesIO(base64.b64decode(xlsx_href.split("base64,", 1)[1])))
        assert book.iloc[:, 0].tolist() == ["'@SUM(A1)"] and book.iloc[:, 1].tolist() == [-1.5]


# --------------------------------------------------------------------- 3. numbers (pinned)


def test_thousands_separator_is_never_read_as_a_decimal_comma(tmp_path, toy):
    fm.write_model(toy, tmp_path / "m")
    edges = (tmp_path / "m" / "edges.csv").read_text(encoding="utf-8")
    (tmp_path / "m" / "edges.csv").write_text(edges.replace(",0.3,", ',"1,000",', 1),
                                              encoding="utf-8")
    with pytest.raises(fm.ModelValidationError, match=r"got .1,000. .*thousands"):
        fm.load_model(tmp_path / "m")
    p = tmp_path / "d.csv"
    p.write_text("area,year,vsv\nA,2022,1_0\nB,2022,\"1,000\"\n", encoding="utf-8")
    with pytest.raises(fm.DataError, match=r"'1_0'.*'_' is not a digit separator"):
        fm.read_area_data(p)


def test_cli_xlsx_out_is_guarded_and_a_bad_out_path_is_one_line(tmp_path, capsys):
    p = tmp_path / "d.csv"
    p.write_text("scenario,armoede\n=cmd(),0.5\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert main(["propagate", "toy", "--deltas", str(p), "--format", "xlsx",
                 "--out", str(out)]) == 0
    book = pd.read_excel(out, sheet_name=None)
    cells = {str(v) for frame in book.values() for v in frame.to_numpy().ravel()}
    assert "'=cmd()" in cells and "=cmd()" not in cells
    assert sorted(q.name for q in tmp_path.iterdir()) == ["d.csv", "r.xlsx"]  # no temp left
    capsys.readouterr()
    assert main(["propagate", "toy", "--deltas", str(p), "--format", "csv",
                 "--out", "/dev/null/x.csv"]) == 2
    err = capsys.readouterr().err
    assert "/dev/null/x.csv: cannot write" in err and len(err.strip().splitlines()) == 1


# --------------------------------------------------------------------------- near-miss areas


def _typo_csv(tmp_path):
    path = tmp_path / "wijken.csv"
    path.write_text("wijk;jaar;indicator;waarde\n"
                    "Rubroek;2024;vsv_nieuw;3,1\n"
                    "Rubroek;2024;neet_18_26;9,0\n"
                    "Rubroeck;2024;verdachten_12_24;30,5\n"
                    "Rotterdam;2024;vsv_nieuw;2,6\n"
                    "Rotterdam;2024;neet_18_26;7,0\n"
                    "Rotterdam;2024;verdachten_12_24;25,0\n", encoding="utf-8")
    return path


def test_a_misspelt_area_row_is_a_located_warning_with_did_you_mean(tmp_path):
    with pytest.warns(fm.errors.DataWarning) as caught:
        data = fm.read_area_data(_typo_csv(tmp_path))
    message = str(caught[0].message)
    assert "'Rubroeck' (line 4)" in message and "did you mean 'Rubroek'" in message
    assert set(data["area"]) == {"Rubroek", "Rubroeck", "Rotterdam"}  # nothing guessed


def test_areas_differing_in_a_digit_or_sharing_indicators_are_not_near_misses():
    from factormodel.files.areas import near_miss_areas

    d = pd.DataFrame({"area": ["Buurt 1", "Buurt 2"], "level": "buurt",
                      "year": 2024, "indicator": ["a", "b"], "value": 1.0})
    assert near_miss_areas(d) == []
    both = pd.DataFrame({"area": ["Rubroek", "Rubroeck"], "level": "wijk", "year": 2024,
                         "indicator": ["a", "a"], "value": 1.0})
    assert near_miss_areas(both) == []  # two areas that both give 'a': not a typo


def test_the_bundled_example_has_no_near_miss_area():
    from factormodel.files.areas import near_miss_areas

    with warnings.catch_warnings():
        warnings.simplefilter("error", fm.errors.DataWarning)
        data = fm.load_example_data("rotterdam")
    assert near_miss_areas(data) == []
