"""The wijkplan page of `factormodel serve` (issue 26): make a plan from the analysis,
record progress, evaluate with next year's figures; with a token only after login.
The example data are SYNTHETIC. The last test drives the cycle in headless Chromium."""

from __future__ import annotations

import html
import io
import json
import re
import urllib.request

import pandas as pd
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from factormodel.serve import create_app
from tests import browser

FORM = {"model": "rotterdam-jeugd", "dataset": "example", "area": "Oud-Crooswijk",
        "year": "2021", "budget": "250.000", "goals": "schoolverzuim:-2pp:3j:12-18\nvsv",
        "partners": "swpbs=CJG Rijnmond", "auteur": "A. Adviseur"}


def _filled(template: bytes) -> bytes:
    t = pd.read_excel(io.BytesIO(template), dtype=object)
    t["bereikt"], t["afgerond"], t["uitgevallen"], t["reden_uitval"] = 10, 5, 1, "verhuisd"
    buf = io.BytesIO()
    t.to_excel(buf, index=False)
    return buf.getvalue()


def test_the_cycle_on_the_page(tmp_path):
    c = TestClient(create_app(data_dir=tmp_path))
    # from the analysis page to a prefilled plan form
    r = c.post("/", data={"model": "rotterdam-jeugd", "dataset": "example", "area":
                          "Oud-Crooswijk", "goals": "schoolverzuim:-2pp:3j:12-18",
                          "budget": "250.000", "action": "analyse", "lang": "nl"})
    link = html.unescape(re.search(r'id="make-plan" href="([^"]+)"', r.text).group(1))
    form = c.get(link)
    assert form.status_code == 200 and 'value="Oud-Crooswijk"' in form.text
    made = c.post("/wijkplan", data=FORM, follow_redirects=False)
    assert made.status_code == 303
    url = made.headers["location"]
    page = c.get(url)
    assert "Wijkplan 1: Oud-Crooswijk (versie 1)" in page.text and "SYNTHETISCHE" in page.text
    assert "CJG Rijnmond" in page.text and "2.000" in page.text
    template = c.get(url + "/sjabloon.xlsx")
    assert template.headers["content-disposition"].startswith("attachment")
    saved = c.post(url + "/voortgang", files={"file": ("voortgang.xlsx", _filled(
        template.content))})
    assert saved.status_code == 200 and "regel(s) voortgang opgeslagen" in saved.text
    bad = c.post(url + "/voortgang", files={"file": ("v.csv",
                                                     b"interventie;periode;bereikt\nx;2022;1\n")})
    assert bad.status_code == 422 and "staat niet in het plan" in bad.text
    report = c.post(url + "/rapport", data={"dataset": "example", "year": "2023"})
    assert report.status_code == 200 and "Voortgangsrapportage wijkplan Oud-Crooswijk" in \
        report.text
    assert "style-src 'unsafe-inline'" in report.headers["content-security-policy"]
    same_year = c.post(url + "/rapport", data={"dataset": "example", "year": "2021"})
    assert same_year.status_code == 422 and "niet later" in same_year.text
    assert "Wijkplan 1: Oud-Crooswijk" in c.get("/wijkplan").text


def test_bad_form_and_no_store(tmp_path):
    c = TestClient(create_app(data_dir=tmp_path))
    r = c.post("/wijkplan", data={**FORM, "budget": "veel"})
    assert r.status_code == 422 and "veel" in r.text
    r = c.post("/wijkplan", data={**FORM, "partners": "swpbs"})
    assert r.status_code == 422 and "interventie=partner" in r.text
    r = TestClient(create_app()).get("/wijkplan")  # said before the form is filled in
    assert r.status_code == 200 and "--data" in r.text and 'id="maak"' not in r.text


def test_progress_and_report_of_an_unknown_plan_are_a_404_page(tmp_path):
    # these answered 500: a refused upload rebuilt its page from the 404 page's context
    # (KeyError 'plan'), and the unknown id itself (UnknownPlan) was not caught
    c = TestClient(create_app(data_dir=tmp_path), raise_server_exceptions=False)
    csv = b"interventie;periode;bereikt\nx;2022;1\n"
    answers = [c.post("/wijkplan/999/voortgang", data={}),
               c.post("/wijkplan/999/voortgang", files={"file": ("v.csv", csv)}),
               c.post("/wijkplan/999/rapport", data={"dataset": "example"})]
    for r in answers:
        assert r.status_code == 404 and "geen wijkplan 999" in r.text
    assert c.get("/wijkplan/999").status_code == 404  # as the plan's own page says


def test_token_needed_for_the_plan_page(tmp_path):
    c = TestClient(create_app(data_dir=tmp_path, token="geheim"))
    r = c.get("/wijkplan")
    assert r.status_code == 401 and "Toegangscode" in r.text and "Oud-Crooswijk" not in r.text
    assert c.post("/wijkplan", data=FORM).status_code == 401
    login = c.post("/wijkplan/login", data={"token": "geheim"}, follow_redirects=False)
    assert login.status_code == 303
    assert c.get("/wijkplan").status_code == 200  # the session cookie


needs_browser = pytest.mark.skipif(browser.unavailable() is not None,
                                   reason=f"browser test skipped: {browser.unavailable()}")


@needs_browser
def test_the_cycle_in_a_browser(tmp_path):
    csv = tmp_path / "voortgang.csv"
    with browser.serving(create_app(data_dir=tmp_path)) as base, \
            browser.chromium_page() as page:
        page.goto(f"{base}/wijkplan")
        page.get_by_label("Wijk", exact=True).fill("Oud-Crooswijk")
        page.get_by_label("Jaar van de cijfers").fill("2021")
        page.get_by_label("Budget in euro").fill("250.000")
        page.locator("#goals").fill("schoolverzuim:-2pp:3j:12-18")
        page.locator("#partners").fill("swpbs=CJG Rijnmond")
        page.click("#maak button[type=submit]")
        page.wait_for_selector("#plan-title", timeout=120_000)
        assert "Oud-Crooswijk" in page.locator("#plan-title").inner_text()
        ivs = page.locator("#plan table").nth(1).locator("tbody tr").count()
        assert ivs >= 1
        plan_id = page.url.rstrip("/").split("/")[-1]
        doc = json.load(urllib.request.urlopen(f"{base}/api/v1/plans/{plan_id}"))
        ids = [i["id"] for i in doc["plan"]["interventions"]]
        csv.write_text("interventie;periode;bereikt;afgerond;uitgevallen;reden_uitval\n"
                       + "".join(f"{i};2022;5;2;1;verhuisd\n" for i in ids), "utf-8")
        page.set_input_files("#progress-file", str(csv))
        page.click("#voortgang button[type=submit]")
        page.wait_for_selector("p.note[role=status]")
        page.fill("#eval-year", "2023")
        page.click("#evaluatie button[type=submit]")
        page.wait_for_selector("h1", timeout=120_000)
        assert page.locator("h1").inner_text() == "Voortgangsrapportage wijkplan Oud-Crooswijk"
        assert "SYNTHETISCHE" in page.content() and page.locator("#plan").count() == 0
