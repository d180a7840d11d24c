"""factormodel serve under attack and load (issue 27, items 1-7): bounds on every size a
client controls, the token on every route that names something, security headers, a 500
that keeps the connection, reports without pyplot state, and downloads that read back."""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import re
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import factormodel as fm

pytest.importorskip("fastapi", reason="the serve extra is not installed")
pytest.importorskip("multipart", reason="the serve extra is not installed (python-multipart)")
from fastapi.testclient import TestClient

from factormodel.serve import create_app, service
from factormodel.serve.limits import (
    MAX_HOPS,
    MAX_NAME,
    Limits,
    RowLimitExceeded,
    UnreadableUpload,
    xlsx_rows,
)
from tests import browser

API = "/api/v1"
AREA = "Oud-Crooswijk"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def lying_workbook(path: Path, rows: int, declared: str = "A1:B3") -> Path:
    """A valid XLSX whose ``<dimension>`` claims ``declared`` over ``rows`` rows (what
    openpyxl reports as ``max_row`` is the claim)."""
    row = '<row><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>'
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml":
            f'<?xml version="1.0"?><Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels":
            f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'<?xml version="1.0"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
            f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="data" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml":
            f'<?xml version="1.0"?><worksheet xmlns="{ns}/spreadsheetml/2006/main">'
            f'<dimension ref="{declared}"/><sheetData>' + row * rows
            + "</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


# --------------------------------------------------------------------------- 1. rows


def test_the_lying_workbook_claims_two_rows_to_openpyxl(tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(lying_workbook(tmp_path / "w.xlsx", 5000), read_only=True)
    try:
        assert book.worksheets[0].max_row == 3  # what the old row limit trusted
    finally:
        book.close()


def test_xlsx_rows_are_counted_while_reading_and_counting_stops_at_the_limit(tmp_path):
    path = lying_workbook(tmp_path / "w.xlsx", 1_000_000)
    assert path.stat().st_size < 400_000  # a small upload ...
    with pytest.raises(RowLimitExceeded) as caught:
        xlsx_rows(path, Limits(max_rows=100_000))
    assert caught.value.rows == 100_001  # ... refused at the first row too many
    assert xlsx_rows(lying_workbook(tmp_path / "s.xlsx", 11), Limits(max_rows=100)) == 10


def test_a_workbook_claiming_two_rows_over_many_is_refused_as_too_many(tmp_path):
    c = TestClient(create_app(max_rows=1000))
    content = lying_workbook(tmp_path / "w.xlsx", 20_000).read_bytes()
    r = c.post(f"{API}/models/rotterdam-jeugd/profile/upload",
               files={"file": ("wijken.xlsx", content)}, data={"request": "{}"})
    body = r.json()
    assert r.status_code == 422 and body["error"] == "too_many_rows", body
    assert "more than 1,000 data rows" in body["detail"] and body["location"] == "body.file"


def test_a_zip_bomb_part_and_a_dtd_are_refused_before_parsing(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * 30_000_000)
    with pytest.raises(UnreadableUpload, match="larger than"):
        xlsx_rows(bomb, Limits(max_rows=1000))
    dtd = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(dtd, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a '
                   '"aaaa">]><worksheet><sheetData><row/></sheetData></worksheet>')
    with pytest.raises(UnreadableUpload, match="DTD"):
        xlsx_rows(dtd, Limits())
    r = TestClient(create_app(max_rows=1000)).post(
        f"{API}/models/toy/profile/upload", files={"file": ("b.xlsx", bomb.read_bytes())})
    assert r.status_code == 422 and r.json()["error"] == "unreadable_file"


# --------------------------------------------------------------------------- 2. parameters


def test_max_hops_has_an_upper_bound(client):
    r = client.post(f"{API}/models/toy/propagate",
                    json={"deltas": {"armoede": 1}, "max_hops": 1_000_000_000})
    body = r.json()
    assert r.status_code == 422 and body["location"] == "body.max_hops", body
    assert str(MAX_HOPS) in body["detail"]
    r = client.post(f"{API}/models/toy/propagate",
                    json={"deltas": {"armoede": 1}, "max_hops": MAX_HOPS})
    assert r.status_code == 200


def test_names_have_a_length_cap_and_json_bodies_a_size_cap(client):
    long = "W" * (MAX_NAME + 1)
    r = client.post(f"{API}/models/rotterdam-jeugd/recommend",
                    json={"area": long, "outcomes": {"vsv": 1}})
    assert r.status_code == 422 and r.json()["location"] == "body.area"
    r = client.post(f"{API}/models/toy/propagate", json={"deltas": {long: 1}})
    assert r.status_code == 422 and r.json()["location"].startswith("body.deltas")
    r = client.post(f"{API}/models/rotterdam-jeugd/recommend",
                    json={"area": AREA, "outcomes": {"vsv": 1}, "goals": ["vsv:-1pp"] * 501})
    assert r.status_code == 422 and r.json()["location"] == "body.goals"
    huge = "W" * 5_000_000  # the 5 MB area name of the issue
    r = client.post(f"{API}/models/rotterdam-jeugd/recommend",
                    json={"area": huge, "outcomes": {"vsv": 1}})
    assert r.status_code == 413 and r.json()["error"] == "body_too_large"
    r = client.post("/", data={"area": long, "outcome": "vsv"})
    assert r.status_code == 422 and f"hoogstens {MAX_NAME} tekens" in r.text


@pytest.mark.parametrize("field, value", [("n_draws", 10_001), ("n_draws", 49), ("top", 101)])
def test_draws_and_top_are_bounded(client, field, value):
    r = client.post(f"{API}/models/rotterdam-jeugd/report",
                    json={"area": AREA, "outcomes": {"vsv": 1}, field: value})
    assert r.status_code == 422 and r.json()["location"] == f"body.{field}"


# --------------------------------------------------------------------------- 3. token


@pytest.fixture()
def private(tmp_path):
    """A server with a token, a private model and a private data file."""
    models, data = tmp_path / "models", tmp_path / "data"
    models.mkdir()
    data.mkdir()
    fm.write_model(fm.load_model("toy"), models / "geheim-model")
    (data / "geheime-wijken.csv").write_text(
        "wijk,jaar,indicator,waarde\nGeheimewijk,2024,vsv_nieuw,3\nRotterdam,2024,vsv_nieuw,2\n",
        encoding="utf-8")
    return TestClient(create_app(models_dir=models, data_dir=data, token="s3cret"))


SECRETS = ("geheim-model", "geheime-wijken", "rotterdam-jeugd", "Oud-Crooswijk", "toy")


def test_without_the_token_the_page_names_nothing(private):
    for r in (private.get("/"), private.get("/?lang=en&model=geheim-model"),
              private.post("/", data={"area": AREA, "outcome": "vsv", "token": "wrong"}),
              private.get("/template.csv?model=geheim-model")):
        assert r.status_code == 401, r.url
        for name in SECRETS:
            assert name not in r.text, (r.url, name)
    assert 'name="token"' in private.get("/").text  # the page asks for the token


def test_the_token_typed_once_opens_the_page_and_the_template(private):
    r = private.post("/", data={"token": "s3cret", "action": "refresh"})
    assert r.status_code == 200 and "geheim-model" in r.text and "geheime-wijken" in r.text
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "s3cret" not in cookie
    # the session cookie (kept by the client) opens the page and the template
    assert private.get("/?model=geheim-model").status_code == 200
    r = private.get("/template.csv?model=geheim-model")
    assert r.status_code == 200 and "vsv_nieuw" in r.text
    private.cookies.clear()
    assert private.get("/template.csv?model=geheim-model").status_code == 401
    r = private.get("/template.csv?model=geheim-model",
                    headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 200


# --------------------------------------------------------------------------- 6. headers


def test_security_headers_on_page_api_static_and_errors(client):
    for url in ("/", f"{API}/models", "/static/page.js", f"{API}/models/nope",
                "/template.csv?model=toy"):
        h = client.get(url).headers
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff", url
        assert "frame-ancestors 'none'" in h["content-security-policy"], url
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "img-src 'self' data:" in csp  # the figures are data: images


# --------------------------------------------------------------------------- 5. 500s


def test_the_same_node_as_priority_and_goal_gives_a_report(client):
    r = client.post(f"{API}/models/rotterdam-jeugd/report",
                    json={"area": "Rubroek", "outcomes": {"vsv": 1}, "goals": ["vsv:-1pp:3j"],
                          "n_draws": 50})
    assert r.status_code == 200 and "Wijkrapport Rubroek" in r.text


def test_a_500_keeps_the_connection_for_the_next_request(monkeypatch):
    pytest.importorskip("uvicorn", reason="uvicorn (the serve extra) is not installed")
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(service, "effects_doc", broken)
    with browser.serving(create_app()) as base:
        conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
        try:
            conn.request("GET", f"{API}/models/toy/effects")
            first = conn.getresponse()
            body = first.read().decode()
            assert first.status == 500 and "internal_error" in body and "secret" not in body
            assert first.getheader("x-content-type-options") == "nosniff"
            conn.request("GET", f"{API}/models")  # the same connection
            second = conn.getresponse()
            assert second.status == 200 and b"toy" in second.read()
        finally:
            conn.close()


# --------------------------------------------------------------------------- 4. figures


def test_a_report_uses_no_pyplot_even_with_warnings_as_errors(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with pytest.warns(RuntimeWarning, match="More than 20 figures"):
        busy = [plt.figure() for _ in range(21)]  # another part of the process left them open
    before = plt.get_fignums()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "More than 20 figures" would now be an error
            html = fm.report("rotterdam-jeugd", fm.load_example_data("rotterdam"), AREA,
                             {"vsv": 1}, n_draws=50)
        assert html.count("data:image/png;base64,") >= 2
        assert plt.get_fignums() == before  # the report opened none in pyplot
    finally:
        for f in busy:
            plt.close(f)


def test_a_report_that_fails_while_drawing_leaves_no_figure(monkeypatch):

    import matplotlib.pyplot as plt

    from factormodel.render import view as report_module  # draws the report's figures

    made = []
    real = report_module.plot_recommendation

    def failing(*args, **kwargs):
        made.append(real(*args, **kwargs).figure)
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(report_module, "plot_recommendation", failing)
    before = plt.get_fignums()
    with pytest.raises(RuntimeError, match="drawing failed"):
        fm.report("rotterdam-jeugd", fm.load_example_data("rotterdam"), AREA, {"vsv": 1},
                  n_draws=50)
    assert plt.get_fignums() == before
    assert made and all(not f.axes for f in made)  # closed on the error path too


# --------------------------------------------------------------------------- 7. downloads


def _downloads(html: str) -> dict[str, bytes]:
    return {m.group(2): base64.b64decode(m.group(1)) for m in re.finditer(
        r'href="data:[^"]*?base64,([^"]+)" download="([^"]+)"', html)}


def test_every_dutch_download_reads_back_to_the_plain_table(client):
    html = client.post("/", data={"area": AREA, "outcome": "vsv", "budget": "250000",
                                  "goals": "schoolverzuim:-2pp:3j"}).text
    files = _downloads(html)
    keys = sorted(k[:-4] for k in files if k.endswith(".csv") and not k.endswith("-en.csv"))
    assert {"profiel", "aanbeveling", "pakket", "gegevens"} <= set(keys)
    for key in keys:
        plain = pd.read_csv(io.BytesIO(files[f"{key}-en.csv"]))
        nl = pd.read_csv(io.BytesIO(files[f"{key}.csv"]), sep=";", decimal=",",
                         encoding="utf-8-sig")
        sheet = pd.read_excel(io.BytesIO(files[f"{key}.xlsx"]))
        for table in (nl, sheet):
            assert table.shape == plain.shape, key
            assert len(set(table.columns)) == len(table.columns), (key, list(table.columns))
            for a, b in zip(table.columns, plain.columns, strict=True):
                if pd.api.types.is_numeric_dtype(plain[b]) and \
                        not pd.api.types.is_bool_dtype(plain[b]):
                    pd.testing.assert_series_equal(table[a], plain[b], check_names=False,
                                                   check_dtype=False)


def test_the_areas_data_download_reads_back_as_area_data(client, tmp_path):
    example = fm.load_example_data("rotterdam")
    files = _downloads(client.post("/", data={"area": AREA, "outcome": "vsv"}).text)
    model = fm.load_model("rotterdam-jeugd")
    expected = fm.profile(model, example).row(AREA)
    for name in ("gegevens.csv", "gegevens.xlsx", "gegevens-en.csv"):
        path = tmp_path / name
        path.write_bytes(files[name])
        back = fm.read_area_data(path)
        assert set(back["area"]) == {AREA, "Rotterdam"}, name
        got = fm.profile(model, back).row(AREA)
        pd.testing.assert_series_equal(got, expected, check_names=False, rtol=1e-9)


def test_a_workbook_of_an_unknown_zip_version_is_unreadable(tmp_path):
    """Found by the fuzz test below: a central directory claiming zip version 6.4 made
    zipfile raise NotImplementedError, which escaped the row counter."""
    good = bytearray(lying_workbook(tmp_path / "good.xlsx", 3).read_bytes())
    at = good.rfind(b"PK\x01\x02")  # a central-directory entry; 'version needed' at +6
    good[at + 6:at + 8] = (64).to_bytes(2, "little")
    path = tmp_path / "v64.xlsx"
    path.write_bytes(bytes(good))
    with pytest.raises(UnreadableUpload, match="NotImplementedError"):
        xlsx_rows(path, Limits(max_rows=20))


def test_the_row_counter_never_fails_otherwise_on_damaged_workbooks(tmp_path):
    """Fuzz: a damaged or random file gives a row count, RowLimitExceeded or
    UnreadableUpload, never another exception."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    good = lying_workbook(tmp_path / "good.xlsx", 30).read_bytes()

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.one_of(st.binary(max_size=400),
                     st.tuples(st.integers(0, len(good) - 1), st.binary(min_size=1, max_size=8))
                     .map(lambda c: good[:c[0]] + c[1] + good[c[0] + len(c[1]):]),
                     st.integers(1, len(good) - 1).map(lambda n: good[:n])))
    def check(content: bytes) -> None:
        path = tmp_path / "f.xlsx"
        path.write_bytes(content)
        with contextlib.suppress(RowLimitExceeded, UnreadableUpload):
            assert xlsx_rows(path, Limits(max_rows=20)) >= 0

    check()


def test_the_page_says_did_you_mean_for_a_misspelt_area_in_an_upload(client):
    upload = (b"wijk;jaar;indicator;waarde\nRubroek;2024;vsv_nieuw;3,1\n"
              b"Rubroek;2024;neet_18_26;9,0\nRubroeck;2024;verdachten_12_24;30,5\n"
              b"Rotterdam;2024;vsv_nieuw;2,6\nRotterdam;2024;neet_18_26;7,0\n"
              b"Rotterdam;2024;verdachten_12_24;25,0\n")
    with pytest.warns(fm.errors.DataWarning):
        r = client.post("/", data={"area": "Rubroek", "outcome": "vsv"},
                        files={"file": ("wijken.csv", upload)})
    assert r.status_code == 200, r.text[-2000:]
    assert "bedoelt u &#39;Rubroek&#39;?" in r.text and "near-miss" in r.text
