"""The planner dashboard in a real browser, on both databases: run, watch, chart, commit,
export; a centre user is refused; every planner page in kk, ru and en is fully translated.

The live server runs no job worker of its own (test apps never poll); ``worker`` runs the
service's own worker over the server's database for this module, as ``qonys worker`` would.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from api.app import job_worker
from api.core.job_worker import JobWorker
from matching.text import msg
from tests.pages.harness import LiveServer, sign_in
from tests.pages.translations import assert_translated

TOKEN = {"Authorization": "Bearer demo-planner-token"}
RUN_DONE = 180_000  # ms: a 300-household demo run takes seconds; a loaded CI box, longer


@pytest.fixture(scope="module")
def worker(live_server: LiveServer) -> Iterator[JobWorker]:
    app = live_server.app
    running = job_worker(app.state.sessionmaker, app.state.reference, app.state.support_parameters)
    running.start()
    yield running
    running.stop()


def _api_run(api: httpx.Client, name: str, regions: list[str]) -> str:
    started = api.post(
        "/allocation-runs",
        json={"name": name, "year": 2025, "time_limit": 3, "region_codes": regions},
    )
    assert started.status_code == 202, started.text
    run_id = str(started.json()["id"])
    deadline = time.monotonic() + RUN_DONE / 1000
    while time.monotonic() < deadline:
        status = api.get(f"/allocation-runs/{run_id}").json()["status"]
        if status in ("succeeded", "failed"):
            assert status == "succeeded"
            return run_id
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not finish")


@pytest.fixture(scope="module")
def two_runs(live_server: LiveServer, worker: JobWorker) -> Iterator[tuple[str, str]]:
    # Started over the API (the journey test starts its own through the form).
    with httpx.Client(base_url=live_server.url, headers=TOKEN, timeout=30) as api:
        yield _api_run(api, "north", ["55", "59"]), _api_run(api, "east", ["63", "10"])


def test_a_planner_runs_a_batch_watches_it_sees_the_chart_and_commits(
    page: Page, live_server: LiveServer, worker: JobWorker
) -> None:
    sign_in(page, live_server, "planner", lang="en")
    assert page.url == f"{live_server.url}/app/planner/"
    page.fill("#f-name", "browser journey")
    page.fill("#f-time_limit", "3")
    page.check("input[name=region_codes][value='59']")  # one region: a small batch
    page.click("form[action='/app/planner/runs'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/app/planner/runs/[0-9a-f]{32}$"))
    run_id = page.url.rsplit("/", 1)[1]
    # While it runs, the page shows live progress (polled) until it reloads with the result.
    progress = page.locator("#run-progress")
    if progress.count():
        expect(page.locator("[data-phase]")).not_to_be_empty()
    chart = page.locator("#chart-regions svg.chart")
    expect(chart).to_be_visible(timeout=RUN_DONE)
    expect(chart.locator("title").first).to_have_text(msg("planner.fill.region_title").en)
    assert chart.locator("rect.chart__bar").count() >= 1
    north = live_server.app.state.reference.region("59").name_en
    labels = chart.locator("text.chart__label").all_text_contents()
    assert north in labels  # a text label, not colour alone
    expect(page.locator("#bound-h")).to_have_text(msg("planner.bound.title").en)
    page.click(f"a[href='/app/planner/runs/{run_id}/commit']")
    expect(page.locator("h1")).to_contain_text("browser journey")
    page.click("#confirm-commit")
    expect(page).to_have_url(re.compile(rf"/app/planner/runs/{run_id}\?done=1$"))
    expect(page.locator("#run-committed")).to_have_text(msg("planner.status.committed").en)
    page.goto(f"{live_server.url}/app/planner/")
    expect(page.locator(f"tr[data-run='{run_id}'] .badge--ok")).to_be_visible()


def _typed(row: dict[str, str]) -> dict[str, Any]:
    def num(v: str, kind: type) -> Any:
        return None if v == "" else kind(v)

    return {
        "household_id": int(row["household_id"]),
        "external_id": row["external_id"] or None,
        "placed": row["placed"] == "true",
        "locality_id": row["locality_id"] or None,
        "locality_name": row["locality_name"] or None,
        "region_code": row["region_code"] or None,
        "home_id": num(row["home_id"], int),
        "vacancy_id": num(row["vacancy_id"], int),
        "second_vacancy_id": num(row["second_vacancy_id"], int),
        "score": num(row["score"], float),
        "persons": int(row["persons"]),
        "reason_code": row["reason_code"] or None,
        "reason": row["reason"] or None,
    }


def test_the_export_downloads_the_apis_placements_as_csv(
    page: Page, live_server: LiveServer, two_runs: tuple[str, str]
) -> None:
    run_id = two_runs[0]
    sign_in(page, live_server, "planner", lang="ru")
    page.goto(f"{live_server.url}/app/planner/runs/{run_id}?lang=ru")  # names in Russian
    with page.expect_download() as caught:
        page.click(f"a[href='/app/planner/runs/{run_id}/placements.csv']")
    download = caught.value
    assert download.suggested_filename == f"placements-{run_id}.csv"
    path = download.path()
    assert path is not None
    rows = [_typed(r) for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))]
    expected: list[dict[str, Any]] = []
    number = 1
    while True:
        answer = httpx.get(
            f"{live_server.url}/allocation-runs/{run_id}/placements",
            params={"page": number, "limit": 100, "lang": "ru"},
            headers=TOKEN,
        ).json()
        expected += [{k: v for k, v in item.items() if k != "breakdown"} for item in answer["items"]]
        if number >= answer["pagination"]["max_page"]:
            break
        number += 1
    assert rows and rows == expected


def test_a_centre_user_cannot_open_the_planner_pages(
    page: Page, live_server: LiveServer, two_runs: tuple[str, str]
) -> None:
    sign_in(page, live_server, "centre61", lang="en")
    for path in ("/app/planner/", f"/app/planner/runs/{two_runs[0]}", "/app/planner/compare"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 403
        expect(page.locator("h1")).to_have_text(msg("pages.error.title_403").en)
        expect(page.locator("main")).not_to_contain_text(msg("planner.bound.title").en)
    download = page.request.get(f"{live_server.url}/app/planner/runs/{two_runs[0]}/placements.csv")
    assert download.status == 403 and "household_id" not in download.text()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_planner_page_is_translated(
    page: Page, live_server: LiveServer, two_runs: tuple[str, str], lang: str
) -> None:
    a, b = two_runs
    sign_in(page, live_server, "planner", lang=lang)
    pages = [
        "/app/planner/",
        f"/app/planner/runs/{a}",
        f"/app/planner/runs/{a}/commit",
        "/app/planner/compare",
        f"/app/planner/compare?a={a}&b={b}",
    ]
    for path in pages:
        # ?lang= on every address: the user's remembered language is whatever was last chosen.
        page.goto(f"{live_server.url}{path}{'&' if '?' in path else '?'}lang={lang}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert_translated(page)
    # The form's own error state too.
    page.goto(f"{live_server.url}/app/planner/")
    page.fill("#f-year", "")
    page.fill("#f-time_limit", "0")
    page.click("form[action='/app/planner/runs'] button[type=submit]")
    expect(page.locator("#f-time_limit-error")).to_have_text(msg("planner.field.range").get(lang))  # type: ignore[arg-type]
    expect(page.locator("#f-year-error")).to_have_text(msg("pages.field.missing").get(lang))  # type: ignore[arg-type]
    assert_translated(page)
