"""A real Qonys server and Debian's Chromium, for the browser tests and the screenshots.

``prepare_database(url)`` migrates and seeds (reference data, the demo programme, the demo
users); ``LiveServer.start(url)`` serves the whole app with uvicorn on a free 127.0.0.1 port
in a thread; ``launch_browser(playwright)`` starts ``/usr/bin/chromium`` headless;
``sign_in(page, server, username)`` signs a demo user in through the sign-in form,
``sign_in_applicant(page, server, household_id)`` opens a fresh access link (and consents),
``households_with_suggestions`` finds demo households that have something to show.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from playwright.sync_api import Browser, Page, Playwright

from api.app import create_app
from api.applicants.service import issue_link
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.migrate import upgrade
from api.core.settings import REPO_ROOT, Settings
from api.demo.service import DEMO_TOKENS, load_demo
from api.reference.service import seed_reference
from api.web.users import DEMO_USERS, ensure_demo_users
from matching.programme.geography import load_reference
from taxonomy import load_taxonomy

DATA_DIR = REPO_ROOT / "data"
CHROMIUM = "/usr/bin/chromium"
PLANNER_TOKEN = {"Authorization": f"Bearer {DEMO_TOKENS['planner']}"}


def prepare_database(url: str) -> None:
    """Migrate ``url`` to head and load what ``qonys seed --demo`` loads."""
    upgrade(url)
    engine = make_engine(url, pool_size=2)
    try:
        factory = make_sessionmaker(engine)
        with session_scope(factory) as session:
            seed_reference(session, DATA_DIR)
        with session_scope(factory) as session:
            load_demo(session, load_reference(DATA_DIR), load_taxonomy(DATA_DIR / "taxonomy"))
            ensure_demo_users(session)
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    database_url: str
    server: uvicorn.Server
    thread: threading.Thread
    app: Any

    @classmethod
    def start(cls, database_url: str, taxonomy: Any = None) -> LiveServer:
        app = create_app(Settings(database_url=database_url, environment="test", data_dir=DATA_DIR))
        if taxonomy is not None:
            app.state.taxonomy = taxonomy  # built once per test run, not once per server
        port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name=f"qonys-live-{port}", daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the test server on port {port} did not start")
            time.sleep(0.05)
        return cls(f"http://127.0.0.1:{port}", database_url, server, thread, app)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def launch_browser(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless; fails loudly (never skips) when it is missing."""
    if shutil.which(CHROMIUM) is None:
        raise RuntimeError(
            f"{CHROMIUM} is missing: install it with 'apt-get install -y chromium' "
            "(.ci/run does this)"
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True)


def sign_in(page: Page, server: LiveServer, username: str, *, lang: str = "en") -> None:
    """Sign a demo user in through the form, as a person would."""
    password = DEMO_USERS[username][2]
    page.goto(f"{server.url}/app/signin?lang={lang}")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.click("form[action='/app/signin'] button[type=submit]")
    page.wait_for_load_state()


def applicant_link(server: LiveServer, household_id: int) -> str:
    """A fresh access link (full URL) for the household, as a centre would issue it."""
    engine = make_engine(server.database_url, pool_size=1)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            path = issue_link(session, household_id, issued_by="browser test").path
    finally:
        engine.dispose()
    return server.url + path


def households_with_suggestions(server: LiveServer, count: int, skip: set[int]) -> list[int]:
    """Demo households that get at least three suggested localities (asked of the API)."""
    found: list[int] = []
    with httpx.Client(base_url=server.url, headers=PLANNER_TOKEN, timeout=60) as api:
        for household_id in range(1, 301):
            if household_id in skip:
                continue
            answer = api.get(f"/households/{household_id}/localities", params={"top": 5})
            if answer.status_code == 200 and len(answer.json()["options"]) >= 3:
                found.append(household_id)
                if len(found) == count:
                    return found
    raise AssertionError("the demo programme has too few households with suggestions")


def sign_in_applicant(
    page: Page, server: LiveServer, household_id: int, consent: bool = True
) -> None:
    """Open a fresh link for the household and, unless told not to, give consent."""
    page.goto(applicant_link(server, household_id))
    page.click("main form[action^='/app/link/'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/app/(me|consent)$"))
    if consent and page.url.endswith("/app/consent"):
        page.check("input[name=agree]")
        page.click("form[action='/app/consent'] button[type=submit]")
        page.wait_for_url("**/app/me")


def sign_in_as(page: Page, server: LiveServer, who: str) -> None:
    """Sign in as a demo staff user (by the form) or as ``"applicant"`` (demo household 1)."""
    if who in DEMO_USERS:
        sign_in(page, server, who)
        return
    if who == "applicant":
        sign_in_applicant(page, server, 1)
        return
    if who == "applicant-new":
        sign_in_applicant(page, server, 2, consent=False)
        return
    raise ValueError(f"no demo user {who!r}")
