"""Every main page loads only from Qonys itself and stays under 200 KB (slow connections)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.pages.harness import LiveServer, sign_in_as

pytestmark = pytest.mark.db

LIMIT = 200_000
PAGES = (
    ("applicant", "/app/me"),
    ("centre61", "/app/centre/"),
    ("centre61", "/app/centre/households/4"),
    ("centre61", "/app/centre/households/new"),
    ("planner", "/app/planner/"),
)


@pytest.mark.parametrize(("who", "path"), PAGES)
def test_a_main_page_is_local_and_small(
    browser: Browser, live_server: LiveServer, who: str, path: str
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800})
    try:
        page = context.new_page()
        sign_in_as(page, live_server, who)
        requested: list[str] = []
        sizes: list[int] = []
        page.on("request", lambda request: requested.append(request.url))
        page.on("response", lambda response: sizes.append(len(response.body())))
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(path), page.url  # signed in: the page itself, not sign-in
        assert requested and all(url.startswith(live_server.url) for url in requested), requested
        assert sum(sizes) < LIMIT, sum(sizes)
    finally:
        context.close()
