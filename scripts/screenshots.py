"""Screenshots of every registered page at 360 px and 1280 px into docs/screenshots/.

Run ``.venv/bin/python scripts/screenshots.py`` (``make screenshots``). It builds a fresh
SQLite database like ``qonys serve --prepare``, starts the real server, signs in as each
page's user with Debian's Chromium and writes ``<name>-360.png`` and ``<name>-1280.png``.
Add a page: append ``(name, path, user)`` to PAGES; ``user`` is None (signed out), a demo
staff user (``centre61``, ``planner``, ``admin``), ``"applicant"`` (demo household 1, consent
given) or ``"applicant-new"`` (demo household 2, signed in by link, no consent yet).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.pages.harness import (  # noqa: E402
    LiveServer,
    launch_browser,
    prepare_database,
    sign_in_as,
)

OUT = REPO / "docs" / "screenshots"
WIDTHS = (360, 1280)
PAGES: list[tuple[str, str, str | None]] = [
    ("signin", "/app/signin?lang=kk", None),
    ("signin-error", "/app/signin?lang=ru&demo=error", None),
    ("not-found", "/app/no-such-page?lang=en", "planner"),
    ("applicant-link-failed", "/app/link/not-a-real-token?lang=ru", None),
    ("applicant-consent", "/app/consent?lang=kk", "applicant-new"),
    ("applicant-me", "/app/me?lang=kk", "applicant"),
    ("applicant-me-en", "/app/me?lang=en", "applicant"),
    ("applicant-suggestion", "/app/me?lang=kk", "applicant"),
    ("applicant-declined", "/app/me?lang=ru", "applicant"),
    ("centre-home", "/app/centre/?lang=ru", "centre61"),
    ("centre-search", "/app/centre/?q=8310&lang=kk", "centre61"),
    ("centre-household", "/app/centre/households/4?lang=ru", "centre61"),
    ("centre-localities", "/app/centre/households/4/localities?lang=en", "centre61"),
    ("centre-register", "/app/centre/households/new?lang=ru", "centre61"),
    ("centre-register-error", "/app/centre/households/new?lang=kk", "centre61"),
    ("centre-autocomplete", "/app/centre/households/new?lang=ru", "centre61"),
    ("centre-edit", "/app/centre/households/4/edit?lang=en", "centre61"),
    ("centre-other-region", "/app/centre/households/1?lang=en", "centre61"),
    ("centre-vacancies", "/app/centre/vacancies?lang=en", "admin"),
    ("centre-vacancy", "/app/centre/vacancies/1?lang=ru", "admin"),
    ("taxonomy-corrections", "/app/taxonomy/corrections?lang=ru", "admin"),
    # Planner dashboard, last: {run} and {run_b} are demo runs that _planner_runs solves (and
    # commits the second) only when the first of these shots comes, after every other page.
    ("planner-runs", "/app/planner/?lang=ru", "planner"),
    ("planner-run", "/app/planner/runs/{run}?lang=kk", "planner"),
    ("planner-run-en", "/app/planner/runs/{run}?lang=en", "planner"),
    ("planner-commit", "/app/planner/runs/{run}/commit?lang=ru", "planner"),
    ("planner-compare", "/app/planner/compare?a={run}&b={run_b}&lang=en", "planner"),
    ("planner-form-error", "/app/planner/?lang=en&demo=error", "planner"),
    ("planner-commit-conflict", "/app/planner/runs/{run}/commit?lang=ru&demo=conflict", "planner"),
]
# Corrections a centre proposes (over the API) before the review page is shot.
CORRECTIONS = (("сомелье", "Q5131.01"), ("ключник", "Q7222.02"))


def _planner_runs(server: LiveServer) -> dict[str, str]:
    """Two finished demo runs (over the API, solved by the service's own worker)."""
    import time

    import httpx

    from api.app import job_worker

    state = server.app.state
    worker = job_worker(state.sessionmaker, state.reference, state.support_parameters)
    worker.start()
    ids = {}
    try:
        with httpx.Client(
            base_url=server.url, headers={"Authorization": "Bearer demo-planner-token"}
        ) as api:
            for key, name, regions in (("run", "North 2025", ["55", "59", "39"]),
                                       ("run_b", "All regions 2025", None)):  # fmt: skip
                body = {"name": name, "year": 2025, "time_limit": 5, "region_codes": regions}
                ids[key] = api.post("/allocation-runs", json=body).json()["id"]
                while api.get(f"/allocation-runs/{ids[key]}").json()["status"] in (
                    "queued",
                    "running",
                ):
                    time.sleep(0.5)
            # The second run is committed first, so committing the first one meets the 409.
            api.post(f"/allocation-runs/{ids['run_b']}/commit")
    finally:
        worker.stop()
    return ids


def _prepare_page(page: Page, name: str) -> None:
    # A few screenshots show a state reached by a click, not by an address.
    if name == "signin-error":
        page.click("form[action='/app/signin'] button[type=submit]")
    if name in ("applicant-suggestion", "applicant-declined"):
        page.locator("article.suggestion a.button").nth(1).click()
    if name == "applicant-declined":
        page.locator("input[name=reason]").nth(3).check()
        page.click("form.decline button[type=submit]")
    if name == "centre-register-error":
        page.fill("#f-members\\.0\\.iin", "900101300127")
        page.fill("#f-members\\.0\\.birth_date", "1990-01-01")
        page.select_option("#f-members\\.0\\.sex", "M")
        page.select_option("#f-origin_settlement", "village")
        page.click(".household-form button[value=save]")
    if name == "centre-autocomplete":
        field = "#f-members\\.0\\.experience\\.0\\.title"
        page.type(field, "учитиль начальных классов", delay=10)
        page.wait_for_selector(".lookup__list li")
        page.keyboard.press("ArrowDown")
    if name == "planner-form-error":
        page.fill("#f-year", "")
        page.fill("#f-time_limit", "0")
        page.click("form[action='/app/planner/runs'] button[type=submit]")
    if name == "planner-commit-conflict":
        page.click("#confirm-commit")


def _propose_corrections(server: LiveServer) -> None:
    import httpx

    from api.demo.service import DEMO_TOKENS

    auth = {"Authorization": f"Bearer {DEMO_TOKENS['centre']}"}
    for text, code in CORRECTIONS:
        body = {"text": text, "code": code, "lang": "ru"}
        httpx.post(f"{server.url}/taxonomy/corrections", json=body, headers=auth, timeout=60)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'screenshots.db'}"
        prepare_database(url)
        server = LiveServer.start(url)
        _propose_corrections(server)
        try:
            with sync_playwright() as playwright:
                browser = launch_browser(playwright)
                ids: dict[str, str] = {}
                for name, path, user in PAGES:
                    if "{run" in path and not ids:
                        ids = _planner_runs(server)
                    for width in WIDTHS:
                        context = browser.new_context(viewport={"width": width, "height": 800})
                        page = context.new_page()
                        if user is not None:
                            sign_in_as(page, server, user)
                        page.goto(server.url + path.format(**ids))
                        _prepare_page(page, name)
                        target = OUT / f"{name}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(f"{target.relative_to(REPO)}")
                        context.close()
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
