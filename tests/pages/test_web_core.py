"""The page plumbing in a real browser: sign-in, language, sign-out, CSRF, keyboard, assets."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from matching.text import msg
from tests.pages.harness import LiveServer, sign_in


def test_each_demo_user_lands_on_their_home_page(page: Page, live_server: LiveServer) -> None:
    homes = {"centre61": "/app/centre/", "planner": "/app/planner/", "admin": "/app/planner/"}
    for username, home in homes.items():
        page.context.clear_cookies()
        sign_in(page, live_server, username)
        assert page.url == live_server.url + home
        expect(page.locator(".who")).to_contain_text(username)


def test_a_wrong_password_is_refused_next_to_the_form_keeping_the_username(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/app/signin?lang=en")
    page.fill("#f-username", "planner")
    page.fill("#f-password", "not-the-password")
    page.click("form[action='/app/signin'] button[type=submit]")
    expect(page.locator("[role=alert]")).to_have_text(msg("pages.signin.failed").en)
    expect(page.locator("#f-username")).to_have_value("planner")
    expect(page.locator("#f-password")).to_have_value("")
    assert "qonys_session" not in {c["name"] for c in page.context.cookies()}


def test_missing_fields_are_marked_at_the_field(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/app/signin?lang=kk")
    page.click("form[action='/app/signin'] button[type=submit]")
    expect(page.locator("#f-username-error")).to_have_text(msg("pages.signin.need_username").kk)
    expect(page.locator("#f-username")).to_have_attribute("aria-invalid", "true")


def test_the_language_switch_changes_the_page_and_is_remembered(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/app/signin")
    # The browser asks for Russian (locale ru-RU) and gets it.
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.click(".langs a[hreflang=kk]")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator("h1")).to_have_text(msg("pages.signin.title").kk)
    page.goto(f"{live_server.url}/app/signin")  # no ?lang: the cookie remembers
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    sign_in(page, live_server, "centre61", lang="en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{live_server.url}/app/")  # signed in: the user's stored choice
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".signout button")).to_have_text(msg("pages.signout").en)


def test_sign_out_revokes_the_session(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "planner")
    old = next(c for c in page.context.cookies() if c["name"] == "qonys_session")
    page.click(".signout button")
    assert page.url.startswith(f"{live_server.url}/app/signin")
    page.context.add_cookies(
        [{"name": old["name"], "value": old["value"], "url": live_server.url}]
    )  # the old cookie put back by hand opens nothing
    page.goto(f"{live_server.url}/app/")
    assert page.url == f"{live_server.url}/app/signin"
    expect(page.locator(".who")).to_have_count(0)


def test_a_post_with_a_wrong_csrf_token_is_refused(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "planner")
    page.eval_on_selector(".signout input[name=csrf_token]", "el => el.value = 'forged'")
    page.click(".signout button")
    expect(page.locator("h1")).to_have_text(msg("pages.error.title_403").en)
    expect(page.locator("main")).to_contain_text(msg("pages.error.csrf").en)
    page.goto(f"{live_server.url}/app/")  # still signed in: the forged sign-out did nothing
    expect(page.locator(".who")).to_contain_text("planner")


def test_keyboard_users_reach_the_skip_link_first(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/app/signin")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_pages_load_nothing_from_elsewhere_and_stay_small(
    page: Page, live_server: LiveServer
) -> None:
    requested: list[str] = []
    sizes: list[int] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("response", lambda response: sizes.append(len(response.body())))
    page.goto(f"{live_server.url}/app/signin")
    page.wait_for_load_state("networkidle")
    assert requested and all(url.startswith(live_server.url) for url in requested)
    assert any("/app/static/qonys.css" in url for url in requested)
    assert sum(sizes) < 200_000


def test_an_unknown_page_is_a_page_not_json(page: Page, live_server: LiveServer) -> None:
    response = page.goto(f"{live_server.url}/app/no-such-page?lang=ru")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text(msg("pages.error.title_404").ru)
