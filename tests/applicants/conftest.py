"""A demo programme per database (what ``qonys seed --demo`` loads) and clients over it.

Requests commit for real here (links are spent, decisions stored), so each test works on
its own household: ``household(region=...)`` hands out one not used before in the run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.app import create_app
from api.applicants.service import issue_link
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.settings import Settings
from api.models import HouseholdRecord
from api.taxonomy.service import TaxonomyService
from tests.databases import fresh_database
from tests.pages.harness import DATA_DIR, prepare_database

PLANNER = {"Authorization": "Bearer demo-planner-token"}
CENTRE_61 = {"Authorization": "Bearer demo-centre-61-token"}
ADMIN = {"Authorization": "Bearer demo-admin-token"}


@dataclass
class Demo:
    url: str
    engine: Engine
    app: FastAPI
    used: set[int] = field(default_factory=set)

    def session(self) -> Session:
        return make_sessionmaker(self.engine)()

    def household(self, region: str | None = None, other_than: str | None = None) -> int:
        with self.session() as session:
            query = select(HouseholdRecord.id, HouseholdRecord.origin_region_code).order_by(
                HouseholdRecord.id
            )
            for id_, code in session.execute(query):
                if id_ in self.used or (region and code != region):
                    continue
                if other_than and code == other_than:
                    continue
                self.used.add(id_)
                return int(id_)
        raise AssertionError("the demo programme has no household left for this test")

    def link(self, household_id: int, days: int = 7) -> str:
        with session_scope(make_sessionmaker(self.engine)) as session:
            return issue_link(session, household_id, issued_by="test", valid_days=days).path

    def open_link(self, client: TestClient, path: str) -> Response:
        """Open the link's page, then press its button (the POST that spends the link)."""
        page = client.get(path)
        assert page.status_code == 200, page.status_code
        return client.post(path, data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)

    def client(self) -> TestClient:
        return TestClient(self.app, base_url="http://127.0.0.1", raise_server_exceptions=False)


@pytest.fixture(scope="session")
def demo(
    backend: str, tmp_path_factory: pytest.TempPathFactory, taxonomy_service: TaxonomyService
) -> Iterator[Demo]:
    with fresh_database(backend, tmp_path_factory.mktemp(f"demo-{backend}")) as url:
        prepare_database(url)
        app = create_app(Settings(database_url=url, environment="test", data_dir=DATA_DIR))
        app.state.taxonomy = taxonomy_service
        engine = make_engine(url, pool_size=4)
        yield Demo(url, engine, app)
        engine.dispose()
        app.state.engine.dispose()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@pytest.fixture
def applicant(demo: Demo) -> Iterator[Callable[..., tuple[TestClient, int]]]:
    """A client signed in by link (and consented unless asked not to) as a fresh household."""
    opened: list[TestClient] = []

    def make(consent: bool = True, region: str | None = None) -> tuple[TestClient, int]:
        # Some demo households fit no offer at all (the gates refuse them); a test about
        # suggestions takes one that has at least three.
        while True:
            household_id = demo.household(region)
            client = demo.client().__enter__()
            opened.append(client)
            response = demo.open_link(client, demo.link(household_id))
            assert response.status_code == 303
            token = csrf_of(client.get("/app/consent").text)
            if not consent:
                return client, household_id
            client.post("/app/consent", data={"csrf_token": token, "agree": "yes"})
            if client.get("/app/me").text.count('href="/app/me/localities/') >= 3:
                return client, household_id

    yield make
    for client in opened:
        client.__exit__(None, None, None)
