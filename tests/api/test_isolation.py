"""Property tests of who sees what, over random ids on a real database (both backends).

- An applicant's token reads and writes its own household only: any other id, existing or
  not, is a 403/404 problem+json and never a household's data.
- A centre's token of region X never sees a household or vacancy of another region, in
  lists (every page) or in detail routes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from api.auth.service import issue_token
from api.models import HouseholdRecord, VacancyRecord
from api.taxonomy.service import TaxonomyService
from matching.programme.geography import load_reference
from tests.conftest import DATA_DIR
from tests.fuzz_api.harness import fuzz_app

PROBLEM = "application/problem+json"
PERSONAL = ("applicant_iin", "applicant_name", "members", "phone")
PROPERTY = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class World:
    client: TestClient
    households: dict[int, str]  # id → origin region
    vacancies: dict[int, str]  # id → region
    applicants: dict[int, dict[str, str]]  # household id → its applicant token's headers
    centres: dict[str, dict[str, str]]  # region → a centre token's headers


@pytest.fixture(scope="module")
def world(
    backend: str, tmp_path_factory: pytest.TempPathFactory, taxonomy_service: TaxonomyService
) -> Iterator[World]:
    with fuzz_app(backend, Path(tmp_path_factory.mktemp("isolation")), taxonomy_service) as app:
        with app.state.sessionmaker() as session:
            households = dict(
                session.execute(select(HouseholdRecord.id, HouseholdRecord.origin_region_code))
                .tuples()
                .all()
            )
            vacancies = dict(
                session.execute(select(VacancyRecord.id, VacancyRecord.region_code)).tuples().all()
            )
            applicants = {
                hid: _bearer(
                    issue_token(session, name=f"a{hid}", role="applicant", household_id=hid)
                )
                for hid in sorted(households)[:12]
            }
            centres = {
                region.code: _bearer(
                    issue_token(
                        session, name=f"c{region.code}", role="centre", region_code=region.code
                    )
                )
                for region in load_reference(DATA_DIR).regions
            }
            session.commit()
        with TestClient(app, raise_server_exceptions=False) as client:
            yield World(client, households, vacancies, applicants, centres)


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _refused(response: object) -> None:
    """A refusal: 403/404 problem+json that carries none of a household's fields."""
    assert response.status_code in (403, 404), response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert not any(field in body for field in PERSONAL)


def _any_id(known: dict[int, str]) -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(sorted(known)), st.integers(1, 2**31 - 1))


@PROPERTY
@given(data=st.data())
def test_applicant_reads_and_writes_only_its_own_household(
    world: World, data: st.DataObject
) -> None:
    own = data.draw(st.sampled_from(sorted(world.applicants)), label="own")
    target = data.draw(_any_id(world.households), label="household id")
    auth = world.applicants[own]
    client = world.client
    reads = [
        f"/households/{target}",
        f"/households/{target}/matches",
        f"/households/{target}/localities",
        f"/households/{target}/decisions",
        f"/households/{target}/access-links",
    ]
    if target == own:
        body = client.get(f"/households/{own}", headers=auth).json()
        assert body["id"] == own
        return
    for path in reads:
        _refused(client.get(path, headers=auth))
    _refused(client.patch(f"/households/{target}", json={"phone": "+77000000000"}, headers=auth))
    _refused(client.post(f"/households/{target}/access-links", json={}, headers=auth))
    assert client.get("/households", headers=auth).status_code == 403


@PROPERTY
@given(data=st.data())
def test_centre_sees_only_its_own_region(world: World, data: st.DataObject) -> None:
    region = data.draw(st.sampled_from(sorted(world.centres)), label="centre region")
    auth = world.centres[region]
    client = world.client
    for path, field in (("/households", "origin_region_code"), ("/vacancies", "region_code")):
        page, seen = 1, 0
        while True:
            body = client.get(f"{path}?limit=100&page={page}", headers=auth).json()
            assert all(item[field] == region for item in body["items"]), path
            seen += len(body["items"])
            if page >= body["pagination"]["max_page"]:
                break
            page += 1
        own = {
            i
            for i, r in (world.households if path == "/households" else world.vacancies).items()
            if r == region
        }
        assert seen == len(own)
    other = data.draw(
        st.sampled_from(
            sorted({*world.households.values(), *world.vacancies.values()} - {region}) or ["00"]
        )
    )
    _refused(client.get(f"/households?region={other}", headers=auth))
    household = data.draw(_any_id(world.households), label="household id")
    for path in (f"/households/{household}", f"/households/{household}/matches"):
        response = client.get(path, headers=auth)
        if world.households.get(household) == region:
            assert response.status_code == 200
        else:
            _refused(response)
    vacancy = data.draw(_any_id(world.vacancies), label="vacancy id")
    for path in (f"/vacancies/{vacancy}", f"/vacancies/{vacancy}/candidates"):
        response = client.get(path, headers=auth)
        if world.vacancies.get(vacancy) == region:
            assert response.status_code == 200
        else:
            _refused(response)
