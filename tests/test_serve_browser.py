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
        assert "Oud-Crooswijk" in first.nth(6).inner_text()  # the explanation names the wijk
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
