"""The web page in a real browser: headless Chromium from the system packages.

Skipped, with the reason shown in the test summary, when Playwright, the serve
extra or the system Chromium is missing (``.ci/run`` installs Chromium).
"""

from __future__ import annotations

import pytest

from tests import browser

needs_browser = pytest.mark.skipif(browser.unavailable() is not None,
                                   reason=f"browser test skipped: {browser.unavailable()}")


@pytest.fixture(scope="module")
def base_url():
    from factormodel.serve import create_app

    with browser.serving(create_app()) as url:
        yield url


@needs_browser
def test_oud_crooswijk_vsv_shows_ranking_and_figures(base_url):
    with browser.chromium_page() as page:
        # the form labels are accessible: the wijk field is found by its label
        browser.analyse(page, base_url, area="Oud-Crooswijk", outcomes=("vsv",),
                        budget="250000")
        rows = page.locator("table#ranking tbody tr")
        assert rows.count() >= 3
        first = rows.nth(0).locator("td")
        assert first.nth(0).inner_text() == "1"
        assert "Oud-Crooswijk" in first.nth(5).inner_text()  # the explanation names the wijk
        figure = page.locator("img#ranking-figure")
        assert figure.evaluate("img => img.complete && img.naturalWidth > 300")
        widths = page.locator("figure img").evaluate_all(
            "imgs => imgs.map(i => i.naturalWidth)")
        assert len(widths) >= 3 and min(widths) > 300  # every figure decoded
        assert page.locator("p.synthetic").is_visible()
        assert page.locator("table#portfolio-table tbody tr").count() >= 1
        assert page.locator("#results-title").inner_text().startswith("Oud-Crooswijk")


@needs_browser
def test_changing_the_model_refreshes_the_outcomes(base_url):
    with browser.chromium_page() as page:
        page.goto(f"{base_url}/?lang=en")
        assert page.locator("#outcome-vsv").count() == 1
        with page.expect_navigation():
            page.select_option("#model", "toy")
        assert "model=toy" in page.url
        assert page.locator("input[name=outcome]").count() == 2  # toy: vsv, schoolsucces
        assert page.locator("html").get_attribute("lang") == "en"


@needs_browser
def test_an_unknown_wijk_shows_an_error_with_suggestions(base_url):
    with browser.chromium_page() as page:
        page.goto(base_url)
        page.get_by_label("Wijk", exact=True).fill("Oud-Croswijk")
        page.check("#outcome-vsv")
        page.click("button[type=submit]")
        alert = page.get_by_role("alert")
        alert.wait_for()
        assert "Oud-Crooswijk" in alert.inner_text()


def test_a_missing_chromium_gives_a_reason(monkeypatch):
    monkeypatch.setattr(browser, "chromium_path", lambda: None)
    reason = browser.unavailable()
    assert reason is not None and "apt-get install chromium" in reason


def _her_file(tmp_path):
    import factormodel as fm
    from tests.test_serve_web import bloemhof_csv

    path = tmp_path / "bloemhof.csv"
    path.write_bytes(bloemhof_csv(fm.load_model("rotterdam-jeugd")))
    return path


@needs_browser
def test_her_own_file_a_goal_a_dutch_budget_and_the_population(base_url, tmp_path):
    """Review finding 1, 5, 8, 12 as she met them: upload, goal text, '250.000', no
    population -> a Dutch message naming the field; fill it in -> her results, her file."""
    path = _her_file(tmp_path)
    with browser.chromium_page() as page:
        page.goto(base_url)
        page.set_input_files("#file", str(path))
        assert page.locator("#dataset").is_disabled()  # the upload replaces the dataset
        page.get_by_label("Wijk", exact=True).fill("Bloemhof")
        page.fill("#goals", "schoolverzuim:-2pp:3j:12-18")
        page.fill("#budget", "250.000")
        page.click("button[type=submit]")
        alert = page.get_by_role("alert")
        alert.wait_for()
        assert "Aantal jongeren voor het pakket" in alert.inner_text()  # the field she fills
        # the page kept her file: the dataset says so, and the next try uses it
        assert page.locator("#dataset").input_value() == "upload"
        assert "bloemhof.csv" in page.locator("#kept").inner_text()
        assert page.locator("#budget").input_value() == "250.000"
        page.fill("#population", "2.450")
        page.click("button[type=submit]")
        page.wait_for_selector("table#portfolio-table", timeout=120_000)
        assert page.locator("#data-source").inner_text() == "gegevens: bloemhof.csv"
        assert page.locator("p.synthetic").count() == 0
        assert "geen gepubliceerde effectgrootte" in page.locator("#effects-note").inner_text()
        headers = page.locator("table#portfolio-table th").all_inner_texts()
        assert "kosten (€)" in headers and "effectgrootte" in headers
        # the wijkrapport downloaded now is built from her file
        with page.expect_download() as info:
            page.click("button[value=report]")
        report = info.value.path().read_text(encoding="utf-8")
        assert "bloemhof.csv" in report and "SYNTHETISCH" not in report


@needs_browser
def test_a_new_model_keeps_the_uploaded_file(base_url, tmp_path):
    path = _her_file(tmp_path)
    with browser.chromium_page() as page:
        page.goto(base_url)
        page.set_input_files("#file", str(path))
        page.get_by_label("Wijk", exact=True).fill("Bloemhof")
        page.check("#outcome-vsv")
        page.click("button[type=submit]")
        page.wait_for_selector("table#ranking", timeout=120_000)
        with page.expect_navigation():
            page.select_option("#model", "toy")
        assert page.locator("#model").input_value() == "toy"
        assert page.locator("#dataset").input_value() == "upload"
        assert "bloemhof.csv" in page.locator("#kept").inner_text()
