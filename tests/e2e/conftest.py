"""Browser tests: real Chromium (Debian's package) driven by Playwright, against live_server.

Where Chromium, Playwright or axe-core is missing these tests skip with the reason; with
EXAMPREP_REQUIRE_BROWSER=1 (set by .ci/run) a missing piece fails them instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
REQUIRED = os.environ.get("EXAMPREP_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (EXAMPREP_REQUIRE_BROWSER=1 makes this a failure)")
    pytest.skip(reason)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def live_server(request, django_db_setup):
    """pytest-django's live server, but stopped before the test database is dropped.

    Depending on ``django_db_setup`` orders the teardown: without it, a random test order can
    leave the server's connection open while PostgreSQL is asked to drop the database.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(request.config.getvalue("liveserver") or "localhost", start=False)
    # Static files as production serves them: WhiteNoise's middleware, from what collectstatic
    # wrote (hashed names), not the test server's finder-based handler.
    server.thread.static_handler = _Passthrough
    server.start()
    yield server
    server.stop()


class _Passthrough:
    """A "static handler" that hands every request to the application itself."""

    def __new__(cls, application):
        return application


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """Chromium for one test module. While Playwright's event loop runs, Django's connections
    are context-local (asgiref), so the loop must not outlive the browser tests: other tests, and
    the test database's teardown, would otherwise use different connection objects and leave
    one open (PostgreSQL then refuses to drop the test database)."""
    path = chromium_path()
    if path is None:
        _unavailable("Chromium is not installed: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed: make install")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser actions are still plain synchronous code. Only while the browser runs.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _unavailable("axe-core is not installed: npm install")
    return AXE.read_text()


class Console:
    """What the page logged: CSP violations and errors fail the test at teardown."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def context(browser, live_server, console):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context
    context.close()
    # With Playwright's event loop running, Django's connections are context-local: the ORM
    # calls in a browser test open a connection of their own, which nothing else would close.
    from django.db import connections

    connections.close_all()
    assert console.csp_violations() == []


@pytest.fixture
def page(context, console):
    page = context.new_page()
    page.on("console", lambda message: console.messages.append(message.text))
    page.on("pageerror", lambda error: console.messages.append(f"pageerror: {error}"))
    return page


def log_in(context, live_server, user) -> None:
    """Start a session for the user the way a login would, without typing in a form."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def assert_accessible(page, axe_source: str) -> None:
    """axe-core finds no serious or critical violations (injected over CDP: CSP stays strict)."""
    page.evaluate(axe_source)
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
        " target: v.nodes[0] && v.nodes[0].target.join(' ')})); }"
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
