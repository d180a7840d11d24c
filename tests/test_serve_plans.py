"""Wijkplannen on the service (issue 26): SQLite in the data folder, the API cycle
(create from the SYNTHETIC example data, list, read, edit with a version check,
progress, evaluate, export/import), a restart, and a kill during a write."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

import factormodel as fm
from factormodel.serve import create_app
from factormodel.serve.plans import DB_NAME, PlanStore

CREATE = {"area": "Oud-Crooswijk", "year": 2021, "goals": ["schoolverzuim:-2pp:3j:12-18"],
          "budget": 250000, "partners": {"swpbs": "CJG Rijnmond"}, "author": "A. Adviseur",
          "n_draws": 100}


@pytest.fixture
def folder(tmp_path):
    return tmp_path


@pytest.fixture
def client(folder):
    return TestClient(create_app(data_dir=folder))


def _create(client):
    r = client.post("/api/v1/plans", json=CREATE)
    assert r.status_code == 201, r.text
    return r.json()


def test_the_cycle_through_the_api(client, folder):
    made = _create(client)
    pid = made["id"]
    assert made["version"] == 1 and made["plan"]["area"] == "Oud-Crooswijk"
    assert made["plan"]["data"]["synthetic"] is True
    assert client.get("/api/v1/plans").json()["plans"][0]["id"] == pid
    assert client.get("/api/v1/plans", params={"area": "Feijenoord"}).json()["plans"] == []
    # an edit from version 1 makes version 2; a second edit from version 1 is refused
    r = client.put(f"/api/v1/plans/{pid}", json={
        "version": 1, "signals": [{"partner": "Buurtwerk", "about": "schoolverzuim",
                                   "text": "meer jongeren op straat", "sees": "worse"}],
        "completion": {"swpbs": 0.8}})
    assert r.status_code == 200 and r.json()["version"] == 2
    stale = client.put(f"/api/v1/plans/{pid}", json={"version": 1, "author": "B"})
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == 2 and body["plan"]["version"] == 2
    assert body["location"] == "body.version"
    plan = fm.Wijkplan.from_dict(client.get(f"/api/v1/plans/{pid}").json()["plan"])
    assert plan.version == 2 and plan.history[0].version == 1
    assert plan.signals[0].partner == "Buurtwerk"
    old = client.get(f"/api/v1/plans/{pid}", params={"version": 1}).json()["plan"]
    assert old["version"] == 1 and old["signals"] == []
    # progress for two periods: JSON rows, then the partners' CSV
    ivs = [i["id"] for i in made["plan"]["interventions"]]
    rows = [{"interventie": i, "periode": "2022", "bereikt": 10, "afgerond": 5,
             "uitgevallen": 1, "reden_uitval": "verhuisd"} for i in ivs]
    r = client.post(f"/api/v1/plans/{pid}/progress", json={"rows": rows})
    assert r.status_code == 200 and r.json()["rows_recorded"] == len(ivs)
    csv = "interventie;periode;bereikt;afgerond\n" + "".join(f"{i};2023;20;10\n" for i in ivs)
    r = client.post(f"/api/v1/plans/{pid}/progress/upload",
                    files={"file": ("voortgang.csv", csv.encode(), "text/csv")})
    assert r.status_code == 200, r.text
    totals = {t["intervention"]: t["reached"] for t in r.json()["totals"]}
    assert totals == dict.fromkeys(ivs, 30.0)
    # a bad row is located and nothing of it is stored
    bad = client.post(f"/api/v1/plans/{pid}/progress/upload", files={
        "file": ("v.csv", b"interventie;periode;bereikt;afgerond\nbuurtsport;2022;1;2\n",
                 "text/csv")})
    assert bad.status_code == 422 and "buurtsport" in bad.text and "line 2" in bad.text
    # evaluate against the example's 2023 figures
    ev = client.post(f"/api/v1/plans/{pid}/evaluate", json={"year": 2023})
    assert ev.status_code == 200, ev.text
    doc = ev.json()
    assert doc["year"] == 2023 and doc["goals"][0]["verdict"] in fm.evaluation.VERDICTS
    assert doc["synthetic"] is True
    assert any(d["kind"] == "reach" for d in doc["discuss"])
    page = client.post(f"/api/v1/plans/{pid}/evaluate", params={"format": "html"},
                       json={"year": 2023})
    assert "Voortgangsrapportage" in page.text and "SYNTHETISCHE" in page.text
    # export is the backup: imported again it is the same plan under a new id
    exported = client.get(f"/api/v1/plans/{pid}/export")
    assert "attachment" in exported.headers["content-disposition"]
    back = client.post("/api/v1/plans/import", json=exported.json())
    assert back.status_code == 201 and back.json()["id"] != pid
    assert fm.Wijkplan.from_dict(back.json()["plan"]) == plan
    assert (folder / DB_NAME).exists()


def test_errors(client, folder):
    pid = _create(client)["id"]
    assert client.get("/api/v1/plans/999").status_code == 404
    r = client.put(f"/api/v1/plans/{pid}", json={"version": 1, "partners": {"x": "y"}})
    assert r.status_code == 422 and "not in the plan" in r.text
    doc = client.get(f"/api/v1/plans/{pid}/export").json()
    doc["goals"][0]["baseline"] = "hoog"
    r = client.post("/api/v1/plans/import", json=doc)
    assert r.status_code == 422 and "goals[0].baseline" in r.text
    doc = client.get(f"/api/v1/plans/{pid}/export").json()
    doc["model"]["version"] = "0.0.1"
    other = client.post("/api/v1/plans/import", json=doc).json()["id"]
    r = client.post(f"/api/v1/plans/{other}/evaluate", json={"year": 2023})
    assert r.status_code == 422 and "version 0.0.1" in r.text
    nostore = TestClient(create_app())
    assert nostore.get("/api/v1/plans").json()["error"] == "no_plan_store"


def test_token_guards_the_plans(folder):
    c = TestClient(create_app(data_dir=folder, token="geheim"))
    assert c.get("/api/v1/plans").status_code == 401
    assert c.get("/api/v1/plans", headers={"Authorization": "Bearer geheim"}).status_code == 200
    assert "x-content-type-options" in {k.lower() for k in c.get("/api/v1/plans").headers}


def test_openapi_lists_the_plan_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in ("/api/v1/plans", "/api/v1/plans/{plan_id}", "/api/v1/plans/{plan_id}/progress",
              "/api/v1/plans/{plan_id}/evaluate", "/api/v1/plans/import"):
        assert p in paths


def test_plans_survive_a_restart(folder):
    pid = _create(TestClient(create_app(data_dir=folder)))["id"]
    again = TestClient(create_app(data_dir=folder))
    got = again.get(f"/api/v1/plans/{pid}")
    assert got.status_code == 200 and got.json()["plan"]["author"] == "A. Adviseur"


_WRITER = textwrap.dedent("""
    import sys, json
    from factormodel.serve.plans import PlanStore
    from factormodel.workflow.wijkplan import example_plan
    store = PlanStore(sys.argv[1])
    pid = store.create(example_plan())
    print(pid, flush=True)
    v = 1
    while True:
        store.update(pid, v, {"assumptions": ("x" * 20000,) * 50})
        v += 1
        print(v, flush=True)
""")


def test_a_kill_during_writes_leaves_a_consistent_database(folder):
    import os

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(folder)],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        pid = int(proc.stdout.readline())
        seen = 1
        deadline = time.monotonic() + 60
        while seen < 4 and time.monotonic() < deadline:
            seen = int(proc.stdout.readline())
        time.sleep(0.05)  # somewhere inside the next transaction
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert seen >= 4
    con = sqlite3.connect(folder / DB_NAME)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    store = PlanStore(folder)
    plan = store.get(pid)  # the last committed version, whole
    assert plan.version >= seen and store.versions(pid) == list(range(1, plan.version + 1))
    assert len(plan.history) == plan.version - 1
    # and the store goes on from there
    assert store.update(pid, plan.version, {"author": "na de crash"}).version == plan.version + 1


def test_concurrent_edits_never_lose_an_update(folder):
    from concurrent.futures import ThreadPoolExecutor

    from factormodel.workflow.wijkplan import example_plan

    store = PlanStore(folder)
    pid = store.create(example_plan())

    def edit(k: int) -> str:
        try:
            store.update(pid, 1, {"author": f"adviseur {k}"})
            return "ok"
        except Exception as exc:  # the conflict is what is counted
            return type(exc).__name__

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(edit, range(8)))
    assert outcomes.count("ok") == 1 and outcomes.count("VersionConflict") == 7
    plan = store.get(pid)
    assert plan.version == 2 and store.versions(pid) == [1, 2]


def test_a_server_without_a_data_folder_says_so_in_dutch_before_the_form():
    nostore = TestClient(create_app())
    page = nostore.get("/wijkplan")
    assert page.status_code == 200
    assert "deze server bewaart geen wijkplannen" in page.text
    assert 'id="maak"' not in page.text  # no form to fill in for nothing
    r = nostore.post("/wijkplan", data={"area": "Oud-Crooswijk", "budget": "250.000",
                                        "goals": "vsv"})
    assert r.status_code == 404 and "deze server bewaart geen wijkplannen" in r.text
    assert "keeps no wijkplannen" not in r.text


def test_an_edit_names_partners_by_the_intervention_name(client):
    pid = _create(client)["id"]
    r = client.put(f"/api/v1/plans/{pid}", json={"version": 1,
                                                 "partners": {"SWPBS": "CJG Rijnmond"}})
    assert r.status_code == 200, r.text
    swpbs = next(i for i in r.json()["plan"]["interventions"] if i["id"] == "swpbs")
    assert swpbs["partner"] == "CJG Rijnmond"
