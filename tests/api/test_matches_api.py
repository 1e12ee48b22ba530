"""Ranked matches over HTTP on a database holding a generated demo programme."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.migrate import upgrade
from api.core.settings import Settings
from api.demo.service import DEMO_TOKENS, load_demo
from api.households.mappers import household_to_domain
from api.households.repository import household_with_members
from api.models import (
    EmployerRecord,
    HomeRecord,
    HouseholdMemberRecord,
    HouseholdRecord,
    VacancyRecord,
)
from api.reference.service import seed_reference
from api.taxonomy.service import TaxonomyService
from matching.programme.geography import load_reference
from taxonomy import Taxonomy
from tests.api.test_reference_api import assert_problem
from tests.conftest import DATA_DIR
from tests.databases import fresh_database

CYRILLIC = re.compile("[\u0400-\u04ff]")
ADMIN = {"Authorization": f"Bearer {DEMO_TOKENS['admin']}"}
CENTRE_61 = {"Authorization": f"Bearer {DEMO_TOKENS['centre']}"}
APPLICANT = {"Authorization": f"Bearer {DEMO_TOKENS['applicant']}"}


@pytest.fixture(scope="module")
def demo_client(
    backend: str, tmp_path_factory: pytest.TempPathFactory, taxonomy_service: TaxonomyService
) -> Iterator[TestClient]:
    with fresh_database(backend, Path(tmp_path_factory.mktemp("demo"))) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=2)
        with session_scope(make_sessionmaker(engine)) as session:
            seed_reference(session, DATA_DIR)
        with session_scope(make_sessionmaker(engine)) as session:
            load_demo(
                session,
                load_reference(DATA_DIR),
                taxonomy_service.taxonomy,
                households=250,
                seed=11,
            )
        engine.dispose()
        app = create_app(Settings(database_url=url, environment="test", data_dir=DATA_DIR))
        app.state.taxonomy = taxonomy_service
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
        app.state.engine.dispose()


def _household_ids(client: TestClient) -> list[tuple[int, str]]:
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        return list(
            session.execute(
                select(HouseholdRecord.id, HouseholdRecord.origin_region_code).order_by(
                    HouseholdRecord.id
                )
            ).all()
        )


def _closure(tax: Taxonomy, codes: set[str]) -> set[str]:
    """``codes`` with every code they imply (a CE licence holds C)."""
    out, todo = set(codes), list(codes)
    while todo:
        for nxt in tax.skill(todo.pop()).implies:
            if nxt not in out:
                out.add(nxt)
                todo.append(nxt)
    return out


class TestHouseholdMatches:
    def test_options_ranked_with_reasons(self, demo_client: TestClient) -> None:
        found = 0
        for hid, _ in _household_ids(demo_client)[:20]:
            body = demo_client.get(
                f"/households/{hid}/matches?top=10&explain=3&lang=en", headers=ADMIN
            ).json()
            options = body["options"]
            scores = [o["score"] for o in options]
            assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
            assert [o["rank"] for o in options] == list(range(1, len(options) + 1))
            for option in options[:3]:
                assert option["components"] and not any(
                    CYRILLIC.search(c["reason"]) for c in option["components"]
                )
                assert all(g["passed"] for g in option["gates"]), (
                    "only feasible options are offered"
                )
            found += bool(options)
        assert found >= 10, "most demo households have feasible options"

    def test_reasons_follow_the_language(self, demo_client: TestClient) -> None:
        hid = _household_ids(demo_client)[0][0]
        ru = demo_client.get(
            f"/households/{hid}/matches?top=1&explain=1&lang=ru", headers=ADMIN
        ).json()
        kk = demo_client.get(
            f"/households/{hid}/matches?top=1&explain=1&lang=kk", headers=ADMIN
        ).json()
        if ru["options"]:
            assert (
                ru["options"][0]["components"][0]["reason"]
                != kk["options"][0]["components"][0]["reason"]
            )
            assert ru["options"][0]["locality"]["region"] != kk["options"][0]["locality"]["region"]

    def test_localities_are_distinct_with_support(self, demo_client: TestClient) -> None:
        hid = _household_ids(demo_client)[1][0]
        body = demo_client.get(f"/households/{hid}/localities?top=5", headers=ADMIN).json()
        ids = [o["locality"]["id"] for o in body["options"]]
        assert len(ids) == len(set(ids))
        assert all(
            o["support_tenge"] is not None and o["support_tenge"] > 0 for o in body["options"]
        )

    @pytest.mark.parametrize("endpoint", ["matches?top=6&explain=6", "localities?top=4&explain=4"])
    def test_breakdowns_equal_a_fresh_score_of_the_option(
        self, demo_client: TestClient, endpoint: str
    ) -> None:
        # The endpoints explain the options from the evaluation that ranked them; scoring
        # each option again on its own must give the same score, components and gates.
        app = demo_client.app
        compared = 0
        for hid, _ in _household_ids(demo_client)[:8]:
            body = demo_client.get(f"/households/{hid}/{endpoint}&lang=en", headers=ADMIN).json()
            with app.state.sessionmaker() as session:  # type: ignore[attr-defined]
                record = household_with_members(session, hid)
                assert record is not None
                household = household_to_domain(record)
                index = app.state.matching.index(session)  # type: ignore[attr-defined]
            for option in body["options"]:
                fresh = index.explain(household, option["option_id"])
                assert option["score"] == pytest.approx(fresh.total, abs=1e-6)
                assert [
                    (c["name"], c["value"], c["weight"], c["reason"]) for c in option["components"]
                ] == [
                    (c.name, round(c.value, 4), round(c.weight, 4), c.reason.en)
                    for c in fresh.components
                ]
                assert [(g["name"], g["passed"]) for g in option["gates"]] == [
                    (g.name, g.passed) for g in fresh.gates
                ]
                compared += 1
        assert compared >= 10, "the demo households have options to compare"

    def test_demo_top_matches_name_missing_required_skills(
        self, demo_client: TestClient, taxonomy_service: TaxonomyService
    ) -> None:
        # The demo stores the generator's skills on members and vacancies, so the occupation
        # reason of some top options names the required skills the best member lacks while
        # that member holds others (coverage strictly between 0 and 1).
        tax = taxonomy_service.taxonomy
        with demo_client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
            required = {
                vid: list(skills or [])
                for vid, skills in session.execute(
                    select(VacancyRecord.id, VacancyRecord.required_skills)
                )
            }
            held: dict[int, set[str]] = {}
            for hid, skills in session.execute(
                select(HouseholdMemberRecord.household_id, HouseholdMemberRecord.skills)
            ):
                held.setdefault(hid, set()).update(skills or [])
        assert sum(bool(r) for r in required.values()) > len(required) / 2
        partial = holding = 0
        for hid, _ in _household_ids(demo_client)[:60]:
            body = demo_client.get(
                f"/households/{hid}/matches?top=3&explain=3&lang=en", headers=ADMIN
            ).json()
            for option in body["options"]:
                occupation = next(c for c in option["components"] if c["name"] == "occupation")
                need = required[option["vacancy"]["id"]]
                labels = {tax.label(code, "en"): code for code in need}
                reason = occupation["reason"]
                if "; holds" in reason:
                    # The skills the reason says are held: required ones the household has.
                    if "; holds every required skill: " in reason:
                        said = reason.split("; holds every required skill: ", 1)[1]
                    else:
                        said = reason.split("; holds: ", 1)[1].split("; missing: ", 1)[0]
                    for label in said.split("; "):
                        assert label in labels and labels[label] in _closure(tax, held[hid])
                    holding += 1
                if "; missing: " not in reason:
                    continue
                missing = reason.split("; missing: ", 1)[1].split("; ")
                # Every named skill is one the vacancy requires, by its taxonomy label.
                assert set(missing) <= set(labels), (missing, need)
                assert occupation["value"] > 0 and occupation["weight"] > 0
                lacked = {labels[m] for m in missing}
                if lacked < set(need):
                    # The household holds a required skill, and the reason names it as held.
                    assert (set(need) - lacked) & _closure(tax, held[hid])
                    assert "; holds: " in reason
                    partial += 1
        assert partial > 0, "some top options hold part of the vacancy's required skills"
        assert holding > partial, "some top options hold every required skill, and say so"

    def test_unknown_household(self, demo_client: TestClient) -> None:
        assert_problem(demo_client.get("/households/999999/matches", headers=ADMIN), 404)

    def test_needs_a_token(self, demo_client: TestClient) -> None:
        assert_problem(demo_client.get("/households/1/matches"), 401)


class TestDisplayedColumns:
    """Vacancies and homes are shown from columns read with the index, not per request."""

    def _options(self, client: TestClient) -> tuple[int, list[dict[str, Any]]]:
        for hid, _ in _household_ids(client):
            body = client.get(f"/households/{hid}/matches?top=10&explain=0", headers=ADMIN).json()
            if body["options"]:
                return hid, body["options"]
        raise AssertionError("no demo household has options")

    def test_they_are_the_databases(self, demo_client: TestClient) -> None:
        _, options = self._options(demo_client)
        with demo_client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
            for option in options:
                vacancy = session.get(VacancyRecord, option["vacancy"]["id"])
                assert vacancy is not None
                employer = session.get(EmployerRecord, vacancy.employer_id)
                assert employer is not None
                assert option["vacancy"] == {
                    "id": vacancy.id, "external_id": vacancy.external_id,
                    "title": vacancy.title, "employer": employer.name,
                    "wage_tenge": int(vacancy.wage_tenge), "permanent": vacancy.permanent,
                    "employer_housing": vacancy.employer_housing,
                }  # fmt: skip
                home = session.get(HomeRecord, option["home"]["id"])
                assert home is not None
                assert option["home"] == {
                    "id": home.id, "external_id": home.external_id, "kind": home.kind,
                    "rooms": home.rooms, "capacity_persons": home.capacity_persons,
                    "rent_tenge": home.rent_tenge, "price_tenge": home.price_tenge,
                    "condition": home.condition,
                }  # fmt: skip

    def test_an_edit_shows_once_the_index_sees_it(self, demo_client: TestClient) -> None:
        svc = demo_client.app.state.matching  # type: ignore[attr-defined]
        hid, options = self._options(demo_client)
        vacancy_id = options[0]["vacancy"]["id"]
        factory = demo_client.app.state.sessionmaker  # type: ignore[attr-defined]
        with session_scope(factory) as session:
            vacancy = session.get(VacancyRecord, vacancy_id)
            assert vacancy is not None
            employer = session.get(EmployerRecord, vacancy.employer_id)
            assert employer is not None
            employer_id, old_name = employer.id, employer.name
            # A later update time than any row has: the catalogue's fingerprint moves.
            employer.name, employer.updated_at = (
                "Renamed LLP",
                dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
            )
        refresh, svc.refresh_seconds = svc.refresh_seconds, 0.0
        try:
            body = demo_client.get(f"/households/{hid}/matches?top=10&explain=0", headers=ADMIN)
            shown = {
                o["vacancy"]["employer"]
                for o in body.json()["options"]
                if o["vacancy"]["id"] == vacancy_id
            }
            assert shown == {"Renamed LLP"}
        finally:
            with session_scope(factory) as session:
                employer = session.get(EmployerRecord, employer_id)
                assert employer is not None
                employer.name, employer.updated_at = old_name, dt.datetime.now(dt.UTC)
            demo_client.get(f"/households/{hid}/matches?top=1", headers=ADMIN)
            svc.refresh_seconds = refresh


class TestAccess:
    def test_applicant_sees_only_their_household(self, demo_client: TestClient) -> None:
        ids = [hid for hid, _ in _household_ids(demo_client)]
        assert (
            demo_client.get(f"/households/{ids[0]}/matches?top=1", headers=APPLICANT).status_code
            == 200
        )
        assert_problem(
            demo_client.get(f"/households/{ids[1]}/matches?top=1", headers=APPLICANT), 403
        )
        assert_problem(demo_client.get(f"/households/{ids[1]}/localities", headers=APPLICANT), 403)

    def test_centre_scoped_to_its_region(self, demo_client: TestClient) -> None:
        households = _household_ids(demo_client)
        own = next(h for h, region in households if region == "61")
        other = next(h for h, region in households if region != "61")
        assert (
            demo_client.get(f"/households/{own}/matches?top=1", headers=CENTRE_61).status_code
            == 200
        )
        assert_problem(
            demo_client.get(f"/households/{other}/matches?top=1", headers=CENTRE_61), 403
        )


class TestVacancyCandidates:
    def test_candidates_ranked(self, demo_client: TestClient) -> None:
        with demo_client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
            vacancies = list(
                session.scalars(
                    select(VacancyRecord.id).where(VacancyRecord.qualified.is_(True)).limit(30)
                )
            )
        seen = 0
        for vid in vacancies:
            body = demo_client.get(
                f"/vacancies/{vid}/candidates?top=5&explain=1", headers=ADMIN
            ).json()
            scores = [c["score"] for c in body["candidates"]]
            assert scores == sorted(scores, reverse=True)
            assert len({c["household_id"] for c in body["candidates"]}) == len(scores)
            seen += bool(scores)
        assert seen > 0

    def test_applicant_cannot_rank_households(self, demo_client: TestClient) -> None:
        assert_problem(demo_client.get("/vacancies/1/candidates", headers=APPLICANT), 403)

    def test_unknown_vacancy(self, demo_client: TestClient) -> None:
        assert_problem(demo_client.get("/vacancies/999999/candidates", headers=ADMIN), 404)
