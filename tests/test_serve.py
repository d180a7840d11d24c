"""factormodel serve: every API route against direct library calls, every error class, the
safety rules (names not paths, upload limits, temporary files, token, CORS) and the page."""

from __future__ import annotations

import io
import json
import math
import shutil
import sys
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import factormodel as fm

pytest.importorskip("fastapi", reason="the serve extra is not installed: "
                                      "pip install 'factormodel[serve]'")
pytest.importorskip("multipart", reason="the serve extra is not installed (python-multipart)")
from fastapi.testclient import TestClient

from factormodel.cli import main
from factormodel.serve import create_app, service
from factormodel.serve.figures import draw_figure
from factormodel.tables._json import json_safe
from tests.conftest import write_folder

API = "/api/v1"
AREA = "Oud-Crooswijk"
OUTCOMES = {"vsv": 2.0, "schoolsucces": 1.0}


def strict_json(response) -> object:
    """Parse a response refusing NaN and Infinity (they are not JSON)."""
    def refuse(token: str) -> None:
        raise AssertionError(f"{token} in JSON from {response.url}")
    return json.loads(response.text, parse_constant=refuse)


def same(api_value, py_value) -> bool:
    """API JSON equals the Python value exactly, with NaN/inf as null."""
    return api_value == json_safe(py_value)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


@pytest.fixture(scope="module")
def rotterdam_model() -> fm.FactorModel:
    return fm.load_model("rotterdam-jeugd")


@pytest.fixture(scope="module")
def example() -> pd.DataFrame:
    return fm.load_example_data("rotterdam")


@pytest.fixture(scope="module")
def example_profile(rotterdam_model, example) -> pd.DataFrame:
    return fm.profile(rotterdam_model, example)


def wijk_csv(example: pd.DataFrame, sep: str = ",") -> bytes:
    """The example data's wijken in 2022-2023 as a long CSV, as a user would upload it."""
    rows = example[(example["level"] == "wijk") & (example["year"] >= 2022)]
    frame = rows[["area", "year", "indicator", "value", "population"]].rename(
        columns={"area": "wijk", "year": "jaar"})
    return frame.to_csv(index=False, sep=sep).encode("utf-8")


# --------------------------------------------------------------------------- models


def test_models_list_matches_the_library(client):
    body = strict_json(client.get(f"{API}/models"))
    assert [m["name"] for m in body["models"]] == fm.list_models()
    for row in body["models"]:
        m = fm.load_model(row["name"])
        assert (row["nodes"], row["factors"], row["outcomes"], row["edges"]) == \
            (m.n_nodes, len(m.factors), len(m.outcomes), m.n_edges)
        assert row["status"] == m.metadata.status and row["origin"] == "bundled"


def test_model_detail_has_every_node_and_edge(client, rotterdam_model):
    body = strict_json(client.get(f"{API}/models/rotterdam-jeugd"))
    assert same(body["nodes"], rotterdam_model.nodes.reset_index())
    assert same(body["edges"], rotterdam_model.edges)
    assert body["metadata"]["status"] == "reconstruction"
    assert body["summary"]["edges"] == rotterdam_model.n_edges == len(body["edges"])


def test_total_effects_equal_the_library(client, rotterdam_model):
    body = strict_json(client.get(f"{API}/models/rotterdam-jeugd/effects"))
    T = fm.total_effects(rotterdam_model, targets=list(rotterdam_model.outcomes))
    assert body["targets"] == list(rotterdam_model.outcomes)
    assert body["effects"] == {s: json_safe(row) for s, row in T.iterrows()}
    body = strict_json(client.get(f"{API}/models/toy/effects",
                                  params={"target": ["vsv"], "alpha": 0.5}))
    T = fm.total_effects(fm.load_model("toy"), alpha=0.5, targets=["vsv"])
    assert body["effects"] == {s: {"vsv": float(v)} for s, v in T["vsv"].items()}
    assert 0 < body["effects"]["schoolverzuim"]["vsv"] < 0.5  # 0.5 without attenuation


def test_propagate_equals_the_library(client, rotterdam_model):
    deltas = {"schoolverzuim": -0.5, "armoede": 0.2}
    body = strict_json(client.post(f"{API}/models/rotterdam-jeugd/propagate",
                                   json={"deltas": deltas}))
    r = fm.propagate(rotterdam_model, deltas)
    assert same(body["deltas"], r.deltas) and same(body["outcomes"], r.outcomes)
    assert same(body["nodes"], r.to_frame())
    assert body["outcomes"]["vsv"] != 0
    body = strict_json(client.post(f"{API}/models/toy/propagate", json={
        "deltas": {"opvoedklimaat": 1}, "clamp": False, "alpha": 0.5, "max_hops": 2}))
    r = fm.propagate(fm.load_model("toy"), {"opvoedklimaat": 1}, clamp=False, alpha=0.5,
                     max_hops=2)
    assert same(body["deltas"], r.deltas) and body["max_hops"] == 2


def test_propagate_fcm(client):
    body = strict_json(client.post(f"{API}/models/toy/propagate",
                                   json={"deltas": {"opvoedklimaat": 1}, "method": "fcm"}))
    r = fm.propagate(fm.load_model("toy"), {"opvoedklimaat": 1}, method="fcm")
    assert body["method"] == "fcm" and same(body["deltas"], r.deltas)


def test_validation_of_a_bundled_model(client):
    body = strict_json(client.get(f"{API}/models/toy/validation"))
    assert body["valid"] is True and body["name"] == "toy"


# --------------------------------------------------------------------------- data


def test_datasets(client, example):
    body = strict_json(client.get(f"{API}/datasets"))
    assert body["datasets"] == [{"name": "example", "bundled": True, "synthetic": True}]
    detail = strict_json(client.get(f"{API}/datasets/example"))
    assert detail["synthetic"] is True and detail["years"] == [2021, 2022, 2023]
    assert AREA in detail["levels"]["wijk"] and len(detail["levels"]["wijk"]) == 67


def test_profile_of_one_area_and_all_areas(client, rotterdam_model, example_profile):
    body = strict_json(client.post(f"{API}/models/rotterdam-jeugd/profile", json={"area": AREA}))
    assert body["synthetic_data"] is True and body["year"] == 2023
    assert same(body["deltas"][AREA], example_profile.loc[AREA])
    assert None in body["deltas"][AREA].values()  # unmeasured nodes are null, not 0
    assert same(body["index"][AREA], fm.profile_index(rotterdam_model, example_profile)
                .loc[AREA])
    assert body["coverage"][AREA]["factors_measured"] == \
        fm.coverage(rotterdam_model, example_profile).loc[AREA, "factors_measured"]
    every = strict_json(client.post(f"{API}/models/rotterdam-jeugd/profile", json={}))
    assert every["areas"] == list(map(str, example_profile.index))
    assert same(every["deltas"]["Tarwewijk"], example_profile.loc["Tarwewijk"])


def test_profile_against_previous_year_and_level(client, rotterdam_model, example):
    body = strict_json(client.post(f"{API}/models/rotterdam-jeugd/profile", json={
        "area": "Charlois", "level": "gebied", "reference": "previous_year", "year": 2022}))
    p = fm.profile(rotterdam_model, example, level="gebied", reference="previous_year",
                   year=2022)
    assert same(body["deltas"]["Charlois"], p.loc["Charlois"])


def test_recommend_equals_the_library(client, rotterdam_model, example_profile):
    body = strict_json(client.post(f"{API}/models/rotterdam-jeugd/recommend",
                                   json={"area": AREA, "outcomes": OUTCOMES, "top": 4}))
    rec = fm.recommend(rotterdam_model, example_profile, OUTCOMES, area=AREA, top=4)
    assert same(body["factors"], rec)
    assert body["factors"][0]["rank"] == 1 and body["factors"][0]["explanation_nl"]
    assert body["outcomes"] == OUTCOMES and body["synthetic_data"] is True


def test_goals_as_on_the_command_line_equal_the_library(client, rotterdam_model,
                                                       example_profile):
    """A maatschappelijk resultaat on a factor, in percentage points, as the CLI writes it."""
    body = strict_json(client.post(f"{API}/models/rotterdam-jeugd/recommend", json={
        "area": AREA, "goals": ["schoolverzuim:-2pp:3j"], "outcomes": {"vsv": 1}, "top": 3}))
    goals = [fm.parse_goal("schoolverzuim:-2pp:3j"), fm.Goal("vsv", priority=1)]
    rec = fm.recommend(rotterdam_model, example_profile, goals, area=AREA, top=3)
    assert same(body["factors"], rec)
    assert body["goals"] == ["schoolverzuim:-2pp:3j"]
    bad = client.post(f"{API}/models/rotterdam-jeugd/recommend",
                      json={"area": AREA, "goals": ["schoolverzuim:-2xx"]})
    assert bad.status_code in (400, 422) and bad.json()["error"]
    none = client.post(f"{API}/models/rotterdam-jeugd/recommend", json={"area": AREA})
    assert none.status_code == 422 and "at least one goal" in none.json()["detail"]


def test_portfolio_answers_with_its_goals(client):
    body = strict_json(client.post(f"{API}/models/rotterdam-jeugd/portfolio", json={
        "area": AREA, "goals": ["schoolverzuim:-2pp:3j"], "budget": 100_000}))
    assert body["goals"] == ["schoolverzuim:-2pp:3j"] and body["total_cost"] <= 100_000


def test_portfolio_equals_the_library(client, rotterdam_model, example, example_profile):
    body = strict_json(client.post(f"{API}/models/rotterdam-jeugd/portfolio", json={
        "area": AREA, "outcomes": OUTCOMES, "budget": 250_000, "one_per_factor": True}))
    population = float(example[(example["area"] == AREA) & (example["year"] == 2023)]
                       ["population"].iloc[0])
    p = fm.optimize_portfolio(rotterdam_model, example_profile,
                              fm.load_interventions(rotterdam_model), budget=250_000,
                              outcomes=OUTCOMES, population=population, area=AREA,
                              one_per_factor=True)
    assert same(body["chosen"], p.chosen) and same(body["left_out"], p.left_out)
    assert body["total_cost"] == p.total_cost <= 250_000
    assert body["improvement_sd"] == p.improvement
    assert same(body["outcome_changes_units"], p.outcome_units)
    assert same(body["factor_changes_sd"], p.factor_changes)


# --------------------------------------------------------------------------- uploads


def test_uploaded_csv_gives_the_same_profile_as_reading_it(client, rotterdam_model, example,
                                                           tmp_path):
    content = wijk_csv(example, sep=";")
    path = tmp_path / "mijnwijken.csv"
    path.write_bytes(content)
    expected = fm.profile(rotterdam_model, fm.read_area_data(path)).loc[AREA]
    r = client.post(f"{API}/models/rotterdam-jeugd/profile/upload",
                    files={"file": ("mijnwijken.csv", content, "text/csv")},
                    data={"request": json.dumps({"area": AREA})})
    body = strict_json(r)
    assert r.status_code == 200 and body["synthetic_data"] is False
    assert same(body["deltas"][AREA], expected)


def test_uploaded_xlsx_recommend_and_portfolio(client, rotterdam_model, example, tmp_path):
    frame = pd.read_csv(io.BytesIO(wijk_csv(example)))
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    files = {"file": ("wijken.xlsx", buf.getvalue(), "application/octet-stream")}
    prof = fm.profile(rotterdam_model, fm.read_area_data(frame))
    body = strict_json(client.post(f"{API}/models/rotterdam-jeugd/recommend/upload", files=files,
                                   data={"request": json.dumps({"area": AREA,
                                                                "outcomes": {"vsv": 1}})}))
    assert same(body["factors"], fm.recommend(rotterdam_model, prof, {"vsv": 1}, area=AREA))
    body = strict_json(client.post(f"{API}/models/rotterdam-jeugd/portfolio/upload", files=files,
                                   data={"request": json.dumps({
                                       "area": AREA, "outcomes": {"vsv": 1}, "budget": 100000,
                                       "population": 4000})}))
    assert body["budget"] == 100000 and body["total_cost"] <= 100000


def test_upload_temporary_directory_is_removed(client, example, monkeypatch):
    made: list[str] = []
    real = service.tempfile.TemporaryDirectory

    def recording(*args, **kwargs):
        tmp = real(*args, **kwargs)
        made.append(tmp.name)
        return tmp

    monkeypatch.setattr(service.tempfile, "TemporaryDirectory", recording)
    r = client.post(f"{API}/models/rotterdam-jeugd/profile/upload",
                    files={"file": ("w.csv", wijk_csv(example), "text/csv")},
                    data={"request": json.dumps({"area": AREA})})
    assert r.status_code == 200 and len(made) == 1
    assert not Path(made[0]).exists()
    r = client.post(f"{API}/models/rotterdam-jeugd/profile/upload",  # failing read: removed too
                    files={"file": ("w.csv", b"wijk,jaar,nonsense\nA,2023,1\n", "text/csv")},
                    data={"request": "{}"})
    assert r.status_code in (404, 422) and len(made) == 2 and not Path(made[1]).exists()
    assert strict_json(r)["location"] == "body.file"


def test_upload_limits(example):
    small = TestClient(create_app(max_upload_bytes=2000, max_rows=5))
    url = f"{API}/models/rotterdam-jeugd/profile/upload"
    big = wijk_csv(example)
    r = small.post(url, files={"file": ("w.csv", big, "text/csv")}, data={"request": "{}"})
    assert r.status_code == 413 and strict_json(r)["error"] == "upload_too_large"
    rows = b"wijk,jaar,vsv_nieuw\n" + b"".join(b"W%d,2023,3.0\n" % i for i in range(6))
    r = small.post(url, files={"file": ("w.csv", rows, "text/csv")}, data={"request": "{}"})
    body = strict_json(r)
    assert r.status_code == 422 and body["error"] == "too_many_rows"
    assert "6 data rows" in body["detail"] and "at most 5" in body["detail"]
    r = small.post(url, files={"file": ("w.ods", b"x", "text/plain")}, data={"request": "{}"})
    assert r.status_code == 415 and ".xlsx" in strict_json(r)["detail"]
    r = small.post(url, files={"file": ("w.csv", b"  \n", "text/csv")}, data={"request": "{}"})
    assert r.status_code == 422 and strict_json(r)["error"] == "empty_upload"


def test_streamed_body_beyond_the_limit_is_refused_while_it_arrives():
    small = TestClient(create_app(max_upload_bytes=1000))
    sent = []

    def chunks():
        yield (b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="w.csv"\r\n'
               b"Content-Type: text/csv\r\n\r\nwijk,jaar,vsv_nieuw\r\n")
        for _ in range(200):  # 200 kB, no Content-Length: counted as it streams
            sent.append(1)
            yield b"A,2023,3.0\r\n" * 100

    r = small.post(f"{API}/models/toy/profile/upload", content=chunks(),
                   headers={"content-type": "multipart/form-data; boundary=zzz"})
    assert r.status_code == 413 and strict_json(r)["error"] == "upload_too_large"


def test_bad_request_json_in_upload_form(client, example):
    r = client.post(f"{API}/models/rotterdam-jeugd/recommend/upload",
                    files={"file": ("w.csv", wijk_csv(example), "text/csv")},
                    data={"request": json.dumps({"area": AREA})})  # no outcomes
    body = strict_json(r)
    assert r.status_code == 422 and body["location"] == "body.request"
    assert "at least one goal" in body["detail"]


# --------------------------------------------------------------------------- names, not paths


@pytest.mark.parametrize("name", ["../etc/passwd", "..", "a/b", "a\\b", "/etc/passwd",
                                  "pyproject.toml"])
def test_datasets_are_names_never_paths(client, name):
    r = client.post(f"{API}/models/toy/profile", json={"dataset": name})
    body = strict_json(r)
    assert r.status_code in (404, 422) and body["location"] == "body.dataset"
    assert body["error"] in ("invalid_name", "UnknownDatasetError")


@pytest.mark.parametrize("name", ["..%2F..%2Fmodels%2Ftoy", "%2Fetc", "toy.json",
                                  "tests", "..%5Ctoy"])
def test_models_are_names_never_paths(client, name):
    r = client.get(f"{API}/models/{name}")
    assert r.status_code in (404, 422), r.text
    assert strict_json(r)["error"] in ("invalid_name", "UnknownModelError", "not_found")


def test_area_registry_is_a_bundled_name(client):
    r = client.post(f"{API}/models/toy/profile", json={"areas": "../../pyproject"})
    assert r.status_code == 422 and strict_json(r)["error"] == "invalid_name"
    r = client.get(f"{API}/datasets/example", params={"areas": "nowhere"})
    assert r.status_code == 200  # ignored for the bundled example


def test_models_and_data_folders(tmp_path, example):
    models = tmp_path / "models"
    write_folder(models / "chain")
    fm.write_model(fm.load_model("toy").with_metadata(name="toy2"), models / "toy2.json")
    write_folder(models / "broken", edges=[["a", "b", "hoog", "matig", "0.1",
                                            "expert judgement", ""]])
    data = tmp_path / "data"
    data.mkdir()
    (data / "wijken.csv").write_bytes(wijk_csv(example))
    (data / "notes.md").write_text("not data")
    c = TestClient(create_app(models_dir=models, data_dir=data))
    listed = {m["name"]: m for m in strict_json(c.get(f"{API}/models"))["models"]}
    assert listed["chain"]["origin"] == "folder" and listed["toy2"]["nodes"] == 6
    assert listed["broken"]["status"] == "invalid"
    assert strict_json(c.get(f"{API}/models/chain"))["nodes"][0]["id"] == "a"
    report = strict_json(c.get(f"{API}/models/broken/validation"))
    assert report["valid"] is False and "hoog" in report["problems"][0]["message"]
    r = c.get(f"{API}/models/broken")
    body = strict_json(r)
    assert r.status_code == 422 and body["error"] == "ModelValidationError"
    assert "hoog" in body["problems"][0]["message"]
    assert [d["name"] for d in strict_json(c.get(f"{API}/datasets"))["datasets"]] == \
        ["example", "wijken.csv"]
    r = c.post(f"{API}/models/rotterdam-jeugd/profile",
               json={"dataset": "wijken.csv", "area": AREA})
    expected = fm.profile(fm.load_model("rotterdam-jeugd"), fm.read_area_data(data / "wijken.csv"))
    assert same(strict_json(r)["deltas"][AREA], expected.loc[AREA])
    r = c.post(f"{API}/models/rotterdam-jeugd/profile", json={"dataset": "notes.md"})
    assert r.status_code == 404


def test_folder_model_with_a_bundled_name_is_refused(tmp_path):
    write_folder(tmp_path / "toy")
    with pytest.raises(fm.InvalidParameterError, match="toy also is a bundled model"):
        create_app(models_dir=tmp_path)
    with pytest.raises(fm.InvalidParameterError, match="not an existing folder"):
        create_app(data_dir=tmp_path / "nope")


def test_uploaded_json_model_validation(client, tmp_path):
    fm.write_model(fm.load_model("toy"), tmp_path / "toy.json")
    r = client.post(f"{API}/validation",
                    files={"file": ("toy.json", (tmp_path / "toy.json").read_bytes())})
    assert strict_json(r)["valid"] is True
    doc = json.loads((tmp_path / "toy.json").read_text())
    doc["edges"][0]["weight"] = "hoog"
    r = client.post(f"{API}/validation", files={"file": ("mine.json", json.dumps(doc))})
    body = strict_json(r)
    assert r.status_code == 200 and body["valid"] is False and body["problems"]
    assert "factormodel-upload" not in json.dumps(body)  # temp path replaced by the name
    r = client.post(f"{API}/validation", files={"file": ("model.py", b"import os")})
    assert r.status_code == 415


# --------------------------------------------------------------------------- errors


def test_every_library_error_class_maps_to_a_json_error(client, tmp_path):
    cases = [
        ("get", f"{API}/models/nope", None, 404, "UnknownModelError", "path.model"),
        ("post", f"{API}/models/rotterdam-jeugd/recommend",
         {"area": "Oud-Croswijk", "outcomes": {"vsv": 1}}, 404, "UnknownAreaError",
         "body.area"),
        ("post", f"{API}/models/toy/propagate", {"deltas": {"schoolverzium": 1}}, 404,
         "UnknownNodeError", "body"),
        ("post", f"{API}/models/rotterdam-jeugd/profile", {"year": 1999}, 422, "DataError",
         "body.dataset"),
        ("post", f"{API}/models/rotterdam-jeugd/portfolio",
         {"area": AREA, "outcomes": {"vsv": 1}, "budget": 1000, "required_phases": ["x"]},
         400, "InvalidParameterError", "body"),
        ("post", f"{API}/models/rotterdam-jeugd/recommend",
         {"area": AREA, "outcomes": {"nope": 1}}, 404, "UnknownNodeError", "body"),
    ]
    for method, url, payload, status, error, location in cases:
        r = getattr(client, method)(url, **({"json": payload} if payload else {}))
        body = strict_json(r)
        assert (r.status_code, body["error"], body["location"]) == (status, error, location), \
            (url, body)
        assert body["detail"] and "Traceback" not in r.text


def test_not_convergent_and_invalid_delta(tmp_path):
    nodes = [["a", "risk", "thuis", "a", "a", "all", "true", "", ""],
             ["b", "risk", "thuis", "b", "b", "all", "true", "", ""],
             ["y", "outcome", "kansrijk", "y", "y", "all", "false", "lower", ""]]
    edges = [["a", "b", "0.95", "sterk", "", "expert judgement", ""],
             ["b", "a", "0.95", "sterk", "", "expert judgement", ""],
             ["b", "y", "0.3", "sterk", "", "expert judgement", ""]]
    write_folder(tmp_path / "loop", nodes, edges, {"name": "loop", "version": "1",
                                                  "status": "illustrative"})
    c = TestClient(create_app(models_dir=tmp_path))
    r = c.post(f"{API}/models/loop/propagate", json={"deltas": {"a": 1}, "clamp": False,
                                                      "alpha": 1.2})
    body = strict_json(r)
    assert r.status_code == 422 and body["error"] == "NotConvergentError", body
    r = c.post(f"{API}/models/loop/propagate", content=b'{"deltas": {"a": NaN}}',
               headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert strict_json(r)["error"] in ("InvalidDeltaError", "invalid_request")


def test_request_validation_errors_are_json_with_a_location(client):
    r = client.post(f"{API}/models/toy/propagate", json={"deltas": {"vsv": "veel"}})
    body = strict_json(r)
    assert r.status_code == 422 and body["error"] == "invalid_request"
    assert body["location"] == "body.deltas.vsv" and body["problems"]
    r = client.post(f"{API}/models/toy/propagate", json={"deltas": {}, "colour": "red"})
    assert strict_json(r)["location"] == "body.colour"  # unknown options are errors
    r = client.post(f"{API}/models/toy/recommend", json={"area": AREA, "outcomes": {}})
    assert r.status_code == 422 and strict_json(r)["location"] == "body"
    r = client.post(f"{API}/models/rotterdam-jeugd/recommend",
                    json={"area": AREA, "outcomes": {"vsv": -1}})
    assert r.status_code in (400, 422) and "above 0" in strict_json(r)["detail"]
    r = client.get(f"{API}/nowhere")
    assert r.status_code == 404 and strict_json(r)["error"] == "not_found"
    r = client.delete(f"{API}/models")
    assert r.status_code == 405 and strict_json(r)["error"] == "method_not_allowed"


def test_unexpected_errors_are_500_json_without_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(service, "effects_doc", broken)
    c = TestClient(create_app(), raise_server_exceptions=False)
    r = c.get(f"{API}/models/toy/effects")
    body = strict_json(r)
    assert r.status_code == 500 and body["error"] == "internal_error"
    assert "secret" not in r.text and "Traceback" not in r.text


# --------------------------------------------------------------------------- token, CORS, docs


def test_token_is_required_on_every_api_route(monkeypatch):
    c = TestClient(create_app(token="s3cret"))
    routes = [("get", f"{API}/models", None), ("get", f"{API}/models/toy", None),
              ("get", f"{API}/models/toy/effects", None),
              ("post", f"{API}/models/toy/propagate", {"deltas": {"armoede": 1}}),
              ("get", f"{API}/datasets", None)]
    for method, url, payload in routes:
        kw = {"json": payload} if payload else {}
        r = getattr(c, method)(url, **kw)
        assert r.status_code == 401 and strict_json(r)["error"] == "unauthorized", url
        assert r.headers["www-authenticate"] == "Bearer"
        r = getattr(c, method)(url, headers={"Authorization": "Bearer wrong"}, **kw)
        assert r.status_code == 401
        r = getattr(c, method)(url, headers={"Authorization": "Bearer s3cret"}, **kw)
        assert r.status_code == 200, url
    r = c.post("/", data={"area": AREA, "outcome": "vsv", "token": "wrong"})
    assert r.status_code == 401 and "toegangscode" in r.text  # the login page, naming nothing
    assert "rotterdam-jeugd" not in r.text
    with pytest.raises(fm.InvalidParameterError):
        create_app(token="  ")


def test_cors_is_off_unless_configured():
    origin = {"Origin": "https://dashboard.example"}
    r = TestClient(create_app()).get(f"{API}/models", headers=origin)
    assert "access-control-allow-origin" not in r.headers
    c = TestClient(create_app(cors_origins=["https://dashboard.example"]))
    r = c.get(f"{API}/models", headers=origin)
    assert r.headers["access-control-allow-origin"] == "https://dashboard.example"
    r = c.get(f"{API}/models", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_openapi_and_offline_docs(client):
    doc = strict_json(client.get(f"{API}/openapi.json"))
    paths = set(doc["paths"])
    for p in ("/models", "/models/{model}", "/models/{model}/effects",
              "/models/{model}/propagate", "/models/{model}/profile",
              "/models/{model}/profile/upload", "/models/{model}/recommend",
              "/models/{model}/portfolio", "/models/{model}/validation", "/validation",
              "/datasets", "/datasets/{dataset}"):
        assert API + p in paths, p
    assert "/" not in paths  # the page is not part of the API
    assert "RecommendRequest" in doc["components"]["schemas"]
    html = client.get(f"{API}/docs").text
    assert "cdn" not in html.lower() and f"{API}/openapi.json" in html
    js = next(s for s in html.split('"') if s.endswith("swagger-ui-bundle.js"))
    assert client.get(js).status_code == 200


# --------------------------------------------------------------------------- service


def test_json_never_has_nan_or_infinity():
    frame = pd.DataFrame({"a": [np.nan, np.inf, -np.inf, 1.5], "b": [np.int64(1), 2, 3, 4],
                          "c": [True, False, np.bool_(True), None]})
    out = json_safe({"f": frame, "s": pd.Series([np.nan]), "x": np.float32("nan")})
    text = json.dumps(out, allow_nan=False)  # raises on NaN / inf
    assert json.loads(text)["f"][0] == {"a": None, "b": 1, "c": True}
    assert out["x"] is None and not any(isinstance(v, float) and math.isnan(v)
                                        for v in out["s"].values())


def test_figures_say_synthetic_inside_the_figure():
    m = fm.load_model("rotterdam-jeugd")
    fig = draw_figure(lambda ax: fm.plot_outcome(m, "vsv", ax=ax), model=m, synthetic=True,
                      lang="nl", height=5)
    assert "SYNTHETISCHE DATA" in fig.get_suptitle() and "reconstructie" in fig.get_suptitle()
    fig = draw_figure(lambda ax: fm.plot_outcome(m, "vsv", ax=ax), model=m, synthetic=False,
                      lang="en", height=5)
    assert "SYNTHETIC" not in fig.get_suptitle() and "not the official" in fig.get_suptitle()


# --------------------------------------------------------------------------- page


def test_page_form_in_dutch_and_english(client):
    r = client.get("/")
    assert r.status_code == 200 and '<html lang="nl">' in r.text
    assert "Maatschappelijke resultaten" in r.text and 'value="vsv"' in r.text
    assert f'<option value="{AREA}">' in r.text and "<script" in r.text
    assert "http://" not in r.text and "https://" not in r.text  # nothing external
    r = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in r.text and "Analyse" in r.text
    assert client.get("/static/page.js").status_code == 200
    assert client.get("/static/style.css").status_code == 200


def test_page_results_for_oud_crooswijk(client):
    r = client.post("/", data={"model": "rotterdam-jeugd", "dataset": "example", "area": AREA,
                               "outcome": ["vsv", "neet"], "priority_vsv": "2",
                               "budget": "250000", "lang": "nl"})
    html = r.text
    assert r.status_code == 200, html[-2000:]
    assert 'id="ranking"' in html and 'id="ranking-figure"' in html
    assert html.count("data:image/png;base64,") >= 4  # profile, 2 drivers, ranking
    assert "SYNTHETISCHE gegevens" in html and "reconstructie" in html
    assert "aanbeveling.csv" in html and "aanbeveling.xlsx" in html and "pakket.csv" in html
    # the page's first factor is the library's first for the same question
    m = fm.load_model("rotterdam-jeugd")
    rec = fm.recommend(m, fm.profile(m, fm.load_example_data(), level="wijk"),
                       {"vsv": 2, "neet": 1}, area=AREA)
    first = m.nodes.loc[rec.loc[0, "factor"], "label_nl"]
    assert escape(first) in html.split('id="ranking"')[1][:3000]


def test_page_upload_and_errors(client, example):
    r = client.post("/", data={"area": AREA, "outcome": "vsv", "lang": "en"},
                    files={"file": ("mine.csv", wijk_csv(example), "text/csv")})
    assert r.status_code == 200 and 'id="ranking"' in r.text
    assert "SYNTHETIC data" not in r.text  # an upload is not marked synthetic
    r = client.post("/", data={"area": "Oud-Croswijk", "outcome": "vsv"})
    assert r.status_code == 404 and "Oud-Crooswijk" in r.text and 'role="alert"' in r.text
    r = client.post("/", data={"area": AREA})
    assert r.status_code == 422 and "kies minstens" in r.text
    r = client.post("/", data={"area": AREA, "outcome": "vsv", "budget": "veel"})
    assert r.status_code == 422 and "budget" in r.text


def test_page_downloads_decode_to_the_tables(client):
    import base64
    import re

    html = client.post("/", data={"area": AREA, "outcome": "vsv"}).text
    rec = fm.recommend(fm.load_model("rotterdam-jeugd"),
                       fm.profile(fm.load_model("rotterdam-jeugd"),
                                  fm.load_example_data("rotterdam")), {"vsv": 1}, area=AREA)
    # the Dutch page's CSV is csv-nl: BOM, ';', decimal comma, Dutch headers
    href = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)" '
                     r'download="aanbeveling.csv"', html).group(1)
    raw = base64.b64decode(href)
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    assert table["factor"].tolist() == rec["factor"].tolist()
    assert np.allclose(table["score"], rec["score"], equal_nan=True) and "rang" in table.columns
    assert set(table["status"]) <= {"aanbevolen", "niet gemeten",
                                    "helpt de gekozen resultaten niet",
                                    "op of beter dan de referentie"}
    # the plain CSV (stable keys, ',' and '.') is offered besides
    href = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)" '
                     r'download="aanbeveling-en.csv"', html).group(1)
    plain = pd.read_csv(io.BytesIO(base64.b64decode(href)))
    assert plain["factor"].tolist() == rec["factor"].tolist() and "rank" in plain.columns
    xlsx = re.search(r'href="data:application/[^;]+;base64,([^"]+)" download="aanbeveling.xlsx"',
                     html).group(1)
    sheet = pd.read_excel(io.BytesIO(base64.b64decode(xlsx)))
    assert sheet["factor"].tolist() == rec["factor"].tolist() and "rang" in sheet.columns


# --------------------------------------------------------------------------- CLI


def test_cli_serve_without_the_extra(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "fastapi" else real(name, *a))
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'pip install "factormodel[serve]"' in err


def test_cli_serve_passes_options_and_token_from_env(monkeypatch, tmp_path, capsys):
    import factormodel.serve as serve_pkg

    seen = {}
    monkeypatch.setattr(serve_pkg, "run", lambda host, port, **kw: seen.update(
        host=host, port=port, **kw))
    monkeypatch.setenv("FACTORMODEL_TOKEN", "from-env")
    assert main(["serve", "--port", "8123", "--data", str(tmp_path)]) == 0
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    assert seen["token"] == "from-env" and seen["data_dir"] == str(tmp_path)
    monkeypatch.delenv("FACTORMODEL_TOKEN")
    assert main(["serve", "--host", "0.0.0.0", "--token", "x"]) == 0
    assert seen["token"] == "x" and "warning" not in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    assert "without a token" in capsys.readouterr().err


def test_core_imports_without_the_serve_extra():
    import subprocess

    code = ("import sys; sys.modules['fastapi'] = None; sys.modules['uvicorn'] = None\n"
            "import factormodel as fm; fm.propagate(fm.load_model('toy'), {'armoede': 1})\n"
            "assert 'factormodel.serve' not in sys.modules")
    root = Path(__file__).resolve().parent.parent
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert shutil.which(sys.executable)


def test_profiles_of_named_datasets_are_kept_until_the_file_changes(tmp_path, example):
    import os

    (tmp_path / "w.csv").write_bytes(wijk_csv(example))
    c = TestClient(create_app(data_dir=tmp_path))
    url = f"{API}/models/rotterdam-jeugd/profile"
    first = strict_json(c.post(url, json={"dataset": "w.csv", "area": AREA}))
    again = strict_json(c.post(url, json={"dataset": "w.csv", "area": AREA}))
    assert first == again
    frame = pd.read_csv(tmp_path / "w.csv")
    frame.loc[(frame["wijk"] == AREA) & (frame["indicator"] == "vsv_nieuw"), "value"] += 1.0
    frame.to_csv(tmp_path / "w.csv", index=False)
    stat = (tmp_path / "w.csv").stat()
    os.utime(tmp_path / "w.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    changed = strict_json(c.post(url, json={"dataset": "w.csv", "area": AREA}))
    expected = fm.profile(fm.load_model("rotterdam-jeugd"), fm.read_area_data(tmp_path / "w.csv"))
    assert changed["deltas"][AREA]["vsv"] > first["deltas"][AREA]["vsv"]
    assert same(changed["deltas"][AREA], expected.loc[AREA])
    other = strict_json(c.post(url, json={"dataset": "w.csv", "area": AREA, "year": 2022}))
    assert other["year"] == 2022  # options are part of the key


def test_wijkrapport_equals_the_library(client, rotterdam_model, example):
    """Issue 14: the wijkrapport as HTML, the same document fm.report writes."""
    r = client.post(f"{API}/models/rotterdam-jeugd/report", json={
        "area": AREA, "outcomes": {"vsv": 2}, "goals": ["schoolverzuim:-2pp:3j"],
        "budget": 250_000, "n_draws": 60})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'filename="wijkrapport-Oud-Crooswijk.html"' in r.headers["content-disposition"]
    html = fm.report(rotterdam_model, example, AREA,
                     [fm.parse_goal("schoolverzuim:-2pp:3j"), fm.Goal("vsv", priority=2)],
                     budget=250_000, n_draws=60)
    assert r.text == html
    assert "http://" not in r.text and "https://" not in r.text.split("<body", 1)[0]
    bad = client.post(f"{API}/models/rotterdam-jeugd/report", json={"area": "Nergenshuizen",
                                                                   "outcomes": {"vsv": 1}})
    assert bad.status_code == 404 and "Nergenshuizen" in strict_json(bad)["detail"]


def test_page_downloads_the_wijkrapport(client):
    form = {"model": "rotterdam-jeugd", "dataset": "example", "area": AREA, "outcome": "vsv",
            "priority_vsv": "1", "top": "3", "lang": "nl", "action": "report"}
    r = client.post("/", data=form)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert "<html" in r.text.lower() and AREA in r.text
    page = client.get("/")
    assert 'value="report"' in page.text


def test_a_report_asked_for_again_is_not_rendered_again(monkeypatch):
    """Issue 27 item 4: the service keeps rendered reports by content (model, data digest,
    options, date); the same request returns the same HTML without rendering, and any
    change in the data or the options renders anew."""
    calls = []

    def fake_report(model, data, area, goals, **kwargs):
        calls.append(area)
        return f"<html>{area} {len(calls)}</html>"

    monkeypatch.setattr(service, "report", fake_report)
    monkeypatch.setattr(service, "_REPORTS", type(service._REPORTS)())
    m = fm.load_model("rotterdam-jeugd")
    data = fm.load_example_data("rotterdam")
    args = {"budget": None, "lang": "nl", "n_draws": 100}
    first = service.wijkrapport(m, data, "Rubroek", {"vsv": 1.0}, **args)
    again = service.wijkrapport(fm.load_model("rotterdam-jeugd"), data.copy(), "Rubroek",
                                {"vsv": 1.0}, **args)  # equal content, other objects
    assert again == first and calls == ["Rubroek"]
    service.wijkrapport(m, data, "Rubroek", {"vsv": 2.0}, **args)
    service.wijkrapport(m, data, "Rubroek", {"vsv": 1.0}, **{**args, "lang": "en"})
    changed = data.copy()
    changed.loc[changed.index[0], "value"] = changed["value"].iloc[0] + 1
    service.wijkrapport(m, changed, "Rubroek", {"vsv": 1.0}, **args)
    assert len(calls) == 4
    monkeypatch.setattr(service, "REPORT_CACHE_SIZE", 2)
    for area in ("Oud-Crooswijk", "Kralingen-West", "Rubroek"):
        service.wijkrapport(m, data, area, {"vsv": 1.0}, **args)
    assert len(service._REPORTS) == 2 and calls[-1] == "Rubroek"  # the oldest left
