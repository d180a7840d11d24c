"""Drive the web page in the system's headless Chromium (Debian package ``chromium``)
through Playwright. Shared by the browser test and ``scripts/serve_screenshot.py``.

Playwright's own browser download (``playwright install``) is never used: the
executable is ``/usr/bin/chromium`` (or ``chromium`` on PATH). When Playwright or
Chromium is missing, :func:`unavailable` says which, so tests can skip visibly.
"""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """The system Chromium, or None."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def unavailable() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    for module, what in (("playwright", "playwright (pip install playwright)"),
                         ("fastapi", "the serve extra (pip install 'factormodel[serve]')"),
                         ("uvicorn", "uvicorn (the serve extra)")):
        if importlib.util.find_spec(module) is None:
            return f"{what} is not installed"
    if chromium_path() is None:
        return ("no system Chromium (apt-get install chromium chromium-driver); "
                "'playwright install' is deliberately not used")
    return None


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(app: Any, timeout: float = 30.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 in a thread; yield its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)


@contextlib.contextmanager
def chromium_page(width: int = 1200, height: int = 900) -> Iterator[Any]:
    """A Playwright page in the system's headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def analyse(page: Any, base: str, *, area: str = "Oud-Crooswijk",
            outcomes: tuple[str, ...] = ("vsv",), budget: str | None = None,
            lang: str = "nl", timeout_ms: int = 120_000) -> None:
    """Open the page, choose the area and outcomes as a person would, submit, and wait
    for the ranking table."""
    page.goto(f"{base}/?lang={lang}")
    page.get_by_label("Wijk" if lang == "nl" else "Wijk (area)", exact=True).fill(area)
    for outcome in outcomes:
        page.check(f"#outcome-{outcome}")
    if budget is not None:
        page.fill("#budget", budget)
    page.click("button[type=submit]")
    page.wait_for_selector("table#ranking", timeout=timeout_ms)
