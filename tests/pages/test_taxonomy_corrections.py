"""The admin's review of title corrections in a real browser, on both databases.

A centre proposes a correction over the API; the admin opens ``/app/taxonomy/corrections``
from the header, reads it in Kazakh, Russian and English, approves it with the button, and
the very next normalization over the API answers the corrected code (same server, no restart).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from api.demo.service import DEMO_TOKENS
from api.taxonomy.service import TaxonomyService
from matching.text import msg
from tests.pages.harness import LiveServer, sign_in
from tests.pages.translations import assert_translated

TEXT, CODE = "кавист", "Q5131.01"
CENTRE = {"Authorization": f"Bearer {DEMO_TOKENS['centre']}"}


@pytest.fixture
def server(live_server: LiveServer) -> Iterator[LiveServer]:
    # A taxonomy service of its own: what this test approves is not learnt by the shared one.
    shared: TaxonomyService = live_server.app.state.taxonomy
    live_server.app.state.taxonomy = shared.fresh()
    try:
        yield live_server
    finally:
        live_server.app.state.taxonomy = shared


def _normalize(server: LiveServer) -> dict[str, object]:
    response = httpx.post(f"{server.url}/taxonomy/normalize", json={"texts": [TEXT]}, timeout=60)
    result: dict[str, object] = response.json()["results"][0]
    return result


def test_the_admin_approves_a_correction_and_the_next_answer_uses_it(
    page: Page, server: LiveServer
) -> None:
    assert _normalize(server)["unknown"] is True
    proposed = httpx.post(
        f"{server.url}/taxonomy/corrections",
        json={"text": TEXT, "code": CODE, "lang": "ru"},
        headers=CENTRE,
        timeout=60,
    )
    assert proposed.status_code in (200, 201), proposed.text
    correction = proposed.json()["id"]

    sign_in(page, server, "admin", lang="en")
    page.get_by_role("link", name=msg("taxonomy.nav.corrections").en).click()
    row = page.locator(f"#correction-{correction}")
    expect(row).to_contain_text(f"«{TEXT}»")
    for lang in ("kk", "ru", "en"):
        page.goto(f"{server.url}/app/taxonomy/corrections?lang={lang}")
        expect(page.locator("h1")).to_have_text(msg("taxonomy.corrections.title").get(lang))
        expect(row).to_contain_text(msg("taxonomy.corrections.abstained").get(lang))
        assert_translated(page)

    approve = msg("taxonomy.corrections.approve_label", text=TEXT, code=CODE).en
    row.get_by_role("button", name=approve).click()
    page.wait_for_load_state()
    done = msg("taxonomy.corrections.approved", text=TEXT, code=CODE).en
    expect(page.locator(".messages")).to_contain_text(done)
    expect(page.locator(f"#correction-{correction}")).to_have_count(0)
    assert_translated(page)

    answer = _normalize(server)
    assert answer["unknown"] is False
    assert answer["candidates"][0]["code"] == CODE  # type: ignore[index]
