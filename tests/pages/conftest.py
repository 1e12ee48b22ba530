"""Browser fixtures: one real server per database (SQLite and PostgreSQL), one Chromium.

``live_server`` is parametrized through the shared ``backend`` fixture, so every browser
test runs on both databases; the PostgreSQL leg fails rather than skips when the server is
down (tests/databases.py). ``page`` is a fresh browser context (no cookies) 360 px wide.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from api.taxonomy.service import TaxonomyService
from tests.databases import fresh_database
from tests.pages.harness import LiveServer, launch_browser, prepare_database

PHONE: ViewportSize = {"width": 360, "height": 780}


@pytest.fixture(scope="session")
def live_server(
    backend: str, tmp_path_factory: pytest.TempPathFactory, taxonomy_service: TaxonomyService
) -> Iterator[LiveServer]:
    with fresh_database(backend, tmp_path_factory.mktemp(f"live-{backend}")) as url:
        prepare_database(url)
        server = LiveServer.start(url, taxonomy_service)
        try:
            yield server
        finally:
            server.stop()
            server.app.state.engine.dispose()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    chromium = launch_browser(playwright_instance)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="ru-RU")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    # Every page a test opens must work under the Content-Security-Policy: Chromium reports
    # each refused script, style or image on the console.
    refused: list[str] = []
    tab.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield tab
    context.close()
    assert not refused, f"blocked by the Content-Security-Policy: {refused}"
