"""Issue 27 (library items 9-14) and issue 24's validate city-row leak.

Each test fails on the code before the fix; the maths tests name the
independent reference they check against.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import factormodel as fm

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rotterdam():
    return fm.load_model("rotterdam-jeugd")


@pytest.fixture(scope="module")
def toy():
    return fm.load_model("toy")


# ------------------------------------------------------------ 9. with_weights(m.edges)


def test_with_weights_takes_the_models_own_edge_table(rotterdam):
    assert "association" in rotterdam.edges.columns  # the column that was refused
    assert rotterdam.with_weights(rotterdam.edges) == rotterdam
    edited = rotterdam.edges.copy()
    edited.loc[0, "weight"] = -0.3
    edited.loc[0, "association"] = "A999"
    changed = rotterdam.with_weights(edited)
    assert changed.edges.loc[0, "weight"] == -0.3
    assert changed.edges.loc[0, "association"] == "A999"  # carried column kept, as given
    assert changed.edges.loc[1:, "weight"].tolist() == rotterdam.edges.loc[1:, "weight"].tolist()


def test_with_weights_still_refuses_a_column_the_model_does_not_carry(rotterdam):
    with pytest.raises(fm.ModelValidationError, match=r"column 'wieght': unknown column; "
                                                      r"allowed: .*association"):
        rotterdam.with_weights(rotterdam.edges.rename(columns={"note": "wieght"}))


# ------------------------------------------------------------ 10. write_model, temp files


def test_write_model_refuses_a_folder_with_tables_the_model_does_not_carry(tmp_path, toy,
                                                                          rotterdam):
    folder = tmp_path / "m"
    fm.write_model(rotterdam, folder)
    (folder / "README.md").write_text("notes", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(fm.ModelFileError, match=r"holds associations.csv, interventions.csv, "
                                                r"sources.csv, which this model does not "
                                                r"carry.*nothing was written"):
        fm.write_model(toy, folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert fm.read_model(folder) == rotterdam
    for name in ("associations.csv", "interventions.csv", "sources.csv"):
        (folder / name).unlink()
    fm.write_model(toy, folder)
    assert fm.read_model(folder) == toy  # exactly the new model
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["README.md", "nodes.csv", "edges.csv", "metadata.json", "indicators.csv"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


_KILLED_WRITER = textwrap.dedent("""
    import sys, time
    import networkx as nx
    import factormodel as fm

    def slow(graph, path):
        with open(path, "w") as handle:
            handle.write("<?xml version='1.0'?><graphml>")
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)

    nx.write_graphml = slow
    fm.export_model(fm.load_model("toy"), sys.argv[1])
""")


@pytest.mark.parametrize("form", ["toy.graphml", "folder"])
def test_a_killed_writer_leaves_no_temporary_after_the_next_write(tmp_path, toy, form):
    target = tmp_path / form
    if form == "folder":
        script = _KILLED_WRITER.replace("nx.write_graphml = slow\n", "").replace(
            'fm.export_model(fm.load_model("toy"), sys.argv[1])',
            "import factormodel._safewrite as s\n"
            "real = s.os.fsync\n"
            "def hang(fd):\n"
            "    print('writing', flush=True); time.sleep(60)\n"
            "s.os.fsync = hang\n"
            "fm.write_model(fm.load_model('toy'), sys.argv[1])")
    else:
        script = _KILLED_WRITER
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script, str(target)], env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    left = [p.name for p in tmp_path.iterdir() if ".tmp" in p.name]
    assert left  # SIGKILL leaves it: nothing in-process can remove it
    if form == "folder":
        fm.write_model(toy, target)
        assert fm.read_model(target) == toy
    else:
        fm.export_model(toy, target)
        assert target.read_text(encoding="utf-8").count("<edge ") == len(toy.edges)
    assert sorted(p.name for p in tmp_path.iterdir()) == [form]


def test_a_live_writers_temporary_is_left_alone(tmp_path, toy):
    target = tmp_path / "toy.dot"
    live = tmp_path / f".toy.dot.{os.getppid()}-abc.tmp.dot"  # a running process's id
    live.write_text("partial", encoding="utf-8")
    fm.export_model(toy, target)
    assert live.exists() and target.exists()
