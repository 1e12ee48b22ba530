"""Employment-centre pages in a real browser, on both databases.

A clerk registers a household using the taxonomy autocomplete and sees its matches; a clerk
of another region is refused it; an invalid IIN is marked and stores nothing; every centre
page reads in Kazakh, Russian and English with no untranslated word.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from api.core.db import make_engine, make_sessionmaker, session_scope
from api.models import HouseholdMemberRecord, HouseholdRecord
from api.models.web import WebUserRecord
from api.web.users import create_user
from matching.text import msg
from tests.pages.harness import LiveServer, sign_in
from tests.pages.translations import assert_translated

IIN = "900101300126"  # 1990-01-01, male, valid check digit
OTHER_CLERK = ("centre19", "centre19-password")
LANG_CODES = ("kk", "ru", "en")


def _counts(server: LiveServer) -> tuple[int, int]:
    engine = make_engine(server.database_url, pool_size=1)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            households = session.scalar(select(func.count()).select_from(HouseholdRecord))
            members = session.scalar(select(func.count()).select_from(HouseholdMemberRecord))
            return int(households or 0), int(members or 0)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def other_clerk(live_server: LiveServer) -> Iterator[tuple[str, str]]:
    """A centre clerk of Kyzylorda region (19), made in the live server's database."""
    engine = make_engine(live_server.database_url, pool_size=1)
    with session_scope(make_sessionmaker(engine)) as session:
        exists = session.scalars(
            select(WebUserRecord).where(WebUserRecord.username == OTHER_CLERK[0])
        ).first()
        if exists is None:
            create_user(session, *OTHER_CLERK, role="centre", region_code="19")
    engine.dispose()
    yield OTHER_CLERK


def _sign_in_with(page: Page, server: LiveServer, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{server.url}/app/signin?lang=en")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.click("form[action='/app/signin'] button[type=submit]")
    page.wait_for_load_state()


def _field(name: str) -> str:
    return "#f-" + name.replace(".", "\\.")


def _fill_applicant(page: Page, name: str, iin: str = IIN) -> None:
    page.fill(_field("applicant_name"), name)
    page.fill(_field("phone"), "+7 701 555 00 11")
    page.select_option(_field("origin_settlement"), "village")
    page.check(_field("documents_complete"))
    page.fill(_field("years_in_origin"), "12")  # a year's residence makes them eligible
    page.fill(_field("members.0.iin"), iin)
    page.fill(_field("members.0.birth_date"), "1990-01-01")
    page.select_option(_field("members.0.sex"), "M")
    page.select_option(_field("members.0.education"), "higher")  # teaching posts ask for it


def _register(page: Page, server: LiveServer, name: str) -> str:
    sign_in(page, server, "centre61", lang="ru")
    page.goto(f"{server.url}/app/centre/households/new?lang=ru")
    _fill_applicant(page, name)
    title = page.locator(_field("members.0.experience.0.title"))
    title.type("учитиль начальных классов", delay=10)  # misspelt: "учитиль" for "учитель"
    option = page.locator("[role=option]").first
    expect(option).to_contain_text("Q2341.01")
    expect(title).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(title).to_have_value("учитель начальных классов")
    shown = page.locator(".lookup [data-code-shown]").first
    expect(shown).to_contain_text("Q2341.01")
    page.fill(_field("members.0.experience.0.years"), "6")
    page.click(".household-form button[value=save]")
    page.wait_for_url("**/app/centre/households/*")
    return page.url.split("?")[0]


def test_a_clerk_registers_a_household_with_autocomplete_and_sees_its_matches(
    page: Page, live_server: LiveServer
) -> None:
    url = _register(page, live_server, "Сварщиков Ерлан")
    expect(page.locator("h1")).to_contain_text("Сварщиков Ерлан")
    expect(page.locator(".messages")).to_contain_text(msg("centre.form.saved").ru)
    expect(page.locator(".members")).to_contain_text("Q2341.01")
    options = page.locator("article.option")
    expect(options.first).to_be_visible()
    assert options.count() >= 1
    first = options.first
    expect(first.locator(".breakdown tbody tr").first).to_be_visible()
    expect(first.locator(".breakdown")).to_contain_text(msg("centre.component.occupation").ru)
    expect(first.locator("ul.reasons li").first).not_to_be_empty()
    expect(page.locator("#applicant-h")).to_have_text(msg("centre.applicant.title").ru)
    page.click(f"a[href='{url.removeprefix(live_server.url)}/localities']")
    expect(page.locator("h1")).to_contain_text("Сварщиков Ерлан")
    page.goto(f"{live_server.url}/app/centre/?q=Сварщиков")
    expect(page.locator("#results")).to_contain_text("Сварщиков Ерлан")


def test_a_clerk_of_another_region_cannot_open_the_household(
    page: Page, live_server: LiveServer, other_clerk: tuple[str, str]
) -> None:
    url = _register(page, live_server, "Запретова Айгерим")
    _sign_in_with(page, live_server, *other_clerk)
    response = page.goto(url + "?lang=en")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text(msg("pages.error.title_403").en)
    expect(page.locator("main")).to_contain_text("region 19 only")
    html = page.content()
    assert "Запретова" not in html and IIN not in html and "Q2341" not in html
    page.goto(f"{live_server.url}/app/centre/?q=Запретова&lang=en")
    expect(page.locator("#results")).to_contain_text(
        msg("centre.home.nothing_found", q="Запретова").en
    )
    expect(page.locator(f"a[href='{url.removeprefix(live_server.url)}']")).to_have_count(0)
    response = page.goto(url + "/edit")
    assert response is not None and response.status == 403


def test_an_invalid_iin_is_marked_at_the_field_and_nothing_is_stored(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "centre61", lang="kk")
    page.goto(f"{live_server.url}/app/centre/households/new?lang=kk")
    before = _counts(live_server)
    _fill_applicant(page, "Қателер Бекзат", iin="900101300127")
    page.click(".household-form button[value=save]")
    error = page.locator(_field("members.0.iin") + "-error")
    expect(error).to_contain_text("900101300127")
    expect(error).to_contain_text("ЖСН")
    expect(page.locator(_field("members.0.iin"))).to_have_attribute("aria-invalid", "true")
    expect(page.locator(_field("applicant_name"))).to_have_value("Қателер Бекзат")
    expect(page.locator("[role=alert]")).to_be_focused()
    assert _counts(live_server) == before


def _centre_pages(page: Page, server: LiveServer) -> list[tuple[str, str]]:
    """(user, path) of every centre page, the household one registered for the walk."""
    url = _register(page, server, "Аударма Тест")
    household = url.removeprefix(server.url)
    return [
        ("centre61", "/app/centre/"),
        ("centre61", "/app/centre/?q=Аударма"),
        ("centre61", "/app/centre/?q=нет-такого"),
        ("centre61", household),
        ("centre61", household + "/localities"),
        ("centre61", household + "/edit"),
        ("centre61", "/app/centre/households/new"),
        ("centre61", "/app/centre/vacancies"),
        ("admin", "/app/centre/vacancies"),
        ("admin", "/app/centre/vacancies/1"),
        ("centre61", "/app/centre/households/1"),  # another region: the 403 page
    ]


def test_every_centre_page_reads_in_each_language(page: Page, live_server: LiveServer) -> None:
    walked = 0
    for user, path in _centre_pages(page, live_server):
        sign_in(page, live_server, user)
        for lang in LANG_CODES:
            glue = "&" if "?" in path else "?"
            page.goto(f"{live_server.url}{path}{glue}lang={lang}")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            try:
                assert_translated(page)
            except AssertionError as exc:
                raise AssertionError(f"{path} as {user}: {exc}") from None
            walked += 1
        page.context.clear_cookies()
    assert walked == 33


def test_the_form_with_errors_reads_in_each_language(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "centre61")
    for lang in LANG_CODES:
        page.goto(f"{live_server.url}/app/centre/households/new?lang={lang}")
        page.fill(_field("members.0.iin"), "12345")
        page.click(".household-form button[value=save]")
        expect(page.locator(".field--error").first).to_be_visible()
        assert_translated(page)
