"""The applicant's journey in a real browser, on both databases, and every applicant page
in all three languages without an untranslated word."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from matching.text import LANGS, msg
from tests.pages.conftest import PHONE
from tests.pages.harness import (
    PLANNER_TOKEN,
    LiveServer,
    applicant_link,
    households_with_suggestions,
    sign_in_applicant,
)
from tests.pages.translations import assert_translated, untranslated

_used: set[int] = {1}  # household 1 is the screenshots' and the demo's


@pytest.fixture
def household(live_server: LiveServer) -> int:
    chosen = households_with_suggestions(live_server, 1, _used)[0]
    _used.add(chosen)
    return chosen


def test_sign_in_by_link_consent_read_in_kazakh_accept_and_decline(
    page: Page, browser: Browser, live_server: LiveServer, household: int
) -> None:
    link = applicant_link(live_server, household)
    page.goto(link)
    # Opening the address only shows the button: a messenger's preview spends nothing.
    expect(page.locator("h1")).to_have_text(msg("applicant.link.open_title").ru)
    page.click("main form[action^='/app/link/'] button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/app/consent")  # the token left the address
    page.click(".langs a[hreflang=kk]")
    expect(page.locator("h1")).to_have_text(msg("applicant.consent.title").kk)
    page.click("form[action='/app/consent'] button[type=submit]")  # not ticked: refused
    expect(page.locator("#f-agree-error")).to_have_text(msg("applicant.consent.must_agree").kk)
    page.check("input[name=agree]")
    page.click("form[action='/app/consent'] button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/app/me")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    cards = page.locator("article.suggestion")
    assert 3 <= cards.count() <= 5

    first = cards.nth(0).locator("h2").inner_text().split(". ", 1)[1]
    cards.nth(0).locator("a.button").click()
    expect(page.locator("h1")).to_contain_text(first)
    expect(page.locator("#why")).to_have_text(msg("applicant.why.title").kk)
    assert page.locator("ul.reasons li").count() >= 3
    expect(page.locator("#support")).to_have_text(msg("applicant.support.title").kk)
    page.click("text=" + msg("applicant.decision.accept").kk)
    expect(page.locator("[role=status]")).to_have_text(msg("applicant.decision.saved_accept").kk)

    page.click("text=" + msg("applicant.back").kk)
    page.locator("article.suggestion").nth(1).locator("a.button").click()
    page.check(f"text={msg('applicant.reason.climate').kk}")
    page.click("text=" + msg("applicant.decision.decline").kk)
    expect(page.locator("[role=status]")).to_have_text(msg("applicant.decision.saved_decline").kk)
    second_id = page.url.split("/app/me/localities/")[1].split("?")[0]

    decisions = httpx.get(
        f"{live_server.url}/households/{household}/decisions", headers=PLANNER_TOKEN
    ).json()
    assert [(d["decision"], d["reason"]) for d in decisions] == [
        ("decline", "climate"),
        ("accept", None),
    ]
    assert decisions[0]["locality_id"] == second_id

    # The same link a second time, in another browser: a clear page, no session.
    other = browser.new_context(viewport=PHONE, locale="kk-KZ")
    try:
        again = other.new_page()
        response = again.goto(link)
        assert response is not None and response.status == 410
        expect(again.locator("main")).to_contain_text(msg("applicant.link.used").kk)
        expect(again.locator("main")).to_contain_text(msg("applicant.link.ask_centre").kk)
        assert "qonys_session" not in {c["name"] for c in other.cookies()}
    finally:
        other.close()


def test_a_decision_posted_without_the_csrf_token_is_refused(
    page: Page, live_server: LiveServer, household: int
) -> None:
    sign_in_applicant(page, live_server, household)
    place = page.locator("article.suggestion a.button").first.get_attribute("href")
    assert place is not None
    forged = page.request.post(
        f"{live_server.url}{place}/decision", form={"decision": "decline", "reason": "job"}
    )
    assert forged.status == 403
    assert msg("pages.error.csrf").ru in forged.text()
    decisions = httpx.get(
        f"{live_server.url}/households/{household}/decisions", headers=PLANNER_TOKEN
    ).json()
    assert decisions == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_applicant_page_is_translated(
    page: Page, live_server: LiveServer, household: int, lang: str
) -> None:
    link = applicant_link(live_server, household)
    page.goto(f"{live_server.url}/app/link/not-a-token?lang={lang}")
    assert_translated(page)
    page.goto(f"{link}?lang={lang}")
    assert_translated(page)
    page.click("main form[action^='/app/link/'] button[type=submit]")
    page.goto(f"{live_server.url}/app/consent?lang={lang}")
    assert_translated(page)
    page.click("form[action='/app/consent'] button[type=submit]")  # the error state too
    assert_translated(page)
    page.check("input[name=agree]")
    page.click("form[action='/app/consent'] button[type=submit]")
    assert_translated(page)
    hrefs = [a.get_attribute("href") for a in page.locator("article.suggestion a.button").all()]
    for href in hrefs:
        page.goto(f"{live_server.url}{href}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert_translated(page)
    page.click(f"text={msg('applicant.decision.decline').get(lang)}")
    assert_translated(page)
    page.goto(f"{live_server.url}/app/signin")
    assert_translated(page)
    page.goto(f"{live_server.url}/app/no-such-page")
    assert_translated(page)


def test_the_checker_catches_keys_placeholders_and_foreign_words(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/app/signin?lang=kk")
    assert untranslated(page) == []
    page.evaluate(
        """() => {
          const main = document.querySelector('main');
          for (const text of ['applicant.home.title', 'Hello {name}', 'Войти']) {
            const p = document.createElement('p'); p.textContent = text; main.appendChild(p);
          }
        }"""
    )
    problems = untranslated(page)
    assert len(problems) == 3, problems
    assert "applicant.home.title" in problems[0]
    assert "placeholder" in problems[1]
    assert "pages.signin.submit" in problems[2]
