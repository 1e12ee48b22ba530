"""Vacancies and employers over HTTP: occupation from the code or the normalized title."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.models import EmployerRecord, VacancyRecord
from tests.api.test_households_api import headers
from tests.api.test_reference_api import assert_problem


@pytest.fixture
def admin(session: Session, client: TestClient) -> dict[str, str]:
    auth = headers(session, "admin")
    for external_id, locality in (("E1", "59-petropavl"), ("E2", "39-kostanay")):
        body = {
            "external_id": external_id,
            "name": f"Employer {external_id}",
            "locality_id": locality,
        }
        assert client.post("/employers", json=body, headers=auth).status_code == 201
    return auth


def vacancy(external_id: str = "V1", **extra: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "employer_external_id": "E1",
        "locality_id": "59-petropavl",
        "title": "Электрогазосварщик 5 разряда",
        "wage_tenge": 350000,
        **extra,
    }


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(VacancyRecord)) or 0)


class TestOccupation:
    def test_title_is_normalized_and_score_kept(
        self, client: TestClient, admin: dict[str, str]
    ) -> None:
        response = client.post("/vacancies", json=vacancy(), headers=admin)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["isco"] == "7212" and body["occupation"].startswith("Q7212")
        assert 0 < body["occupation_score"] <= 1
        assert body["region_code"] == "59"

    def test_given_code_wins_without_a_score(
        self, client: TestClient, admin: dict[str, str]
    ) -> None:
        body = client.post(
            "/vacancies", json=vacancy(occupation="2330", title="Мұғалім"), headers=admin
        ).json()
        assert (body["occupation"], body["isco"], body["occupation_score"]) == (
            "2330",
            "2330",
            None,
        )

    def test_unclassifiable_title_is_422_on_title(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        response = client.post(
            "/vacancies?lang=en", json=vacancy(title="qwzx plorf"), headers=admin
        )
        body = assert_problem(response, 422)
        assert body["errors"][0]["loc"] == ["body", "title"] and "qwzx plorf" in body["detail"]
        assert count(session) == 0

    def test_unknown_code_is_422_on_occupation(
        self, client: TestClient, admin: dict[str, str]
    ) -> None:
        body = assert_problem(
            client.post("/vacancies", json=vacancy(occupation="Q0000.99"), headers=admin), 422
        )
        assert body["errors"][0]["loc"] == ["body", "occupation"]

    def test_new_title_is_normalized_again(self, client: TestClient, admin: dict[str, str]) -> None:
        created = client.post("/vacancies", json=vacancy(), headers=admin).json()
        patched = client.patch(
            f"/vacancies/{created['id']}", json={"title": "учитель математики"}, headers=admin
        ).json()
        assert patched["isco"] == "2330" and patched["occupation_score"] is not None
        kept = client.patch(f"/vacancies/{created['id']}", json={"posts": 3}, headers=admin).json()
        assert kept["isco"] == "2330" and kept["posts"] == 3


class TestValidation:
    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            ({"wage_tenge": -1}, "wage_tenge"),
            ({"posts": 0}, "posts"),
            ({"required_education": "phd"}, "required_education"),
            ({"required_licences": ["Z"]}, "required_licences"),
            ({"locality_id": "59-atlantis"}, "locality_id"),
            ({"employer_external_id": "E404"}, "employer_external_id"),
            ({"status": "maybe"}, "status"),
            ({"min_experience_years": -2}, "min_experience_years"),
        ],
    )
    def test_each_rule_names_its_field(
        self,
        extra: dict[str, Any],
        field: str,
        client: TestClient,
        admin: dict[str, str],
        session: Session,
    ) -> None:
        body = assert_problem(
            client.post("/vacancies", json=vacancy(occupation="7212", **extra), headers=admin), 422
        )
        assert [e["loc"] for e in body["errors"]] == [["body", field]]
        assert count(session) == 0

    def test_duplicate_external_id(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        assert (
            client.post("/vacancies", json=vacancy(occupation="7212"), headers=admin).status_code
            == 201
        )
        assert_problem(
            client.post("/vacancies", json=vacancy(occupation="7212"), headers=admin), 409
        )
        assert count(session) == 1

    def test_posts_cannot_drop_below_reserved(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        created = client.post(
            "/vacancies", json=vacancy(occupation="7212", posts=3), headers=admin
        ).json()
        session.execute(
            update(VacancyRecord).where(VacancyRecord.id == created["id"]).values(posts_reserved=2)
        )
        session.flush()
        body = assert_problem(
            client.patch(f"/vacancies/{created['id']}", json={"posts": 1}, headers=admin), 422
        )
        assert body["errors"][0]["loc"] == ["body", "posts"]


def test_list_filters(client: TestClient, admin: dict[str, str]) -> None:
    client.post("/vacancies", json=vacancy("V1", occupation="7212"), headers=admin)
    client.post("/vacancies", json=vacancy("V2", occupation="2330", title="учитель"), headers=admin)
    client.post(
        "/vacancies",
        json=vacancy(
            "V3",
            occupation="7212",
            employer_external_id="E2",
            locality_id="39-kostanay",
            status="closed",
        ),
        headers=admin,
    )

    def ids(query: str) -> set[str]:
        response = client.get(f"/vacancies{query}", headers=admin)
        assert response.status_code == 200, response.text
        return {v["external_id"] for v in response.json()["items"]}

    assert ids("") == {"V1", "V2", "V3"}
    assert ids("?region=Северо-Казахстанская область") == {"V1", "V2"}
    assert ids("?isco=7212") == {"V1", "V3"}
    assert ids("?isco=7") == {"V1", "V3"}
    assert ids("?status=closed") == {"V3"}
    assert ids("?region=59&isco=2330&status=open") == {"V2"}
    assert_problem(client.get("/vacancies?isco=abc", headers=admin), 422)


class TestEmployers:
    def test_region_from_locality_or_name(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        stored = {e.external_id: e.region_code for e in session.scalars(select(EmployerRecord))}
        assert stored == {"E1": "59", "E2": "39"}
        body = client.post(
            "/employers",
            json={"external_id": "E3", "name": "X", "region": "Карагандинская область"},
            headers=admin,
        ).json()
        assert body["region_code"] == "35" and body["locality_id"] is None

    def test_needs_region_or_locality(self, client: TestClient, admin: dict[str, str]) -> None:
        body = assert_problem(
            client.post("/employers", json={"external_id": "E9", "name": "X"}, headers=admin), 422
        )
        assert body["errors"][0]["loc"] == ["body", "region"]

    def test_region_must_match_locality(self, client: TestClient, admin: dict[str, str]) -> None:
        body = {"external_id": "E9", "name": "X", "region": "35", "locality_id": "59-petropavl"}
        assert_problem(client.post("/employers", json=body, headers=admin), 422)

    def test_patch_and_list(self, client: TestClient, admin: dict[str, str]) -> None:
        employers = client.get("/employers?region=59", headers=admin).json()["items"]
        assert [e["external_id"] for e in employers] == ["E1"]
        patched = client.patch(
            f"/employers/{employers[0]['id']}", json={"sector": "agriculture"}, headers=admin
        )
        assert patched.json()["sector"] == "agriculture" and patched.json()["region_code"] == "59"
