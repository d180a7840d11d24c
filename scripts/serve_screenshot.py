"""Screenshot of the web page (``factormodel serve``) for the README.

Run from the repository root:  python scripts/serve_screenshot.py [OUT.png]

Starts the service on 127.0.0.1 (a free port), opens the page in the system's
headless Chromium with the browser test's machinery (tests/browser.py), analyses
VSV in Oud-Crooswijk with the bundled SYNTHETIC example data and a budget of
EUR 250,000, and writes the whole result page (form, notices, profile, drivers,
ranking, portfolio) to docs/figures/serve_page.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factormodel.serve import create_app  # noqa: E402
from tests import browser  # noqa: E402


def main(out: Path) -> None:
    reason = browser.unavailable()
    if reason:
        raise SystemExit(f"cannot take the screenshot: {reason}")
    with browser.serving(create_app()) as base, browser.chromium_page(1200, 900) as page:
        browser.analyse(page, base, area="Oud-Crooswijk", outcomes=("vsv",), budget="250000")
        page.screenshot(path=str(out), full_page=True)
        rows = page.locator("table#ranking tbody tr").count()
        print(f"wrote {out} ({rows} rows in the ranking table)")

if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "figures" /
         "serve_page.png")
