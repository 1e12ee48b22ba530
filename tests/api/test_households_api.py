"""Households over HTTP: create, read, list, correct; validation through the domain."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.auth.service import issue_token
from api.models import HouseholdMemberRecord, HouseholdRecord
from matching.iin import check_digit, make_iins
from tests.api.test_reference_api import assert_problem


def iin_of(birth: dt.date, sex: str, serial: int = 1) -> str:
    """A valid IIN for this birth date and sex."""
    return make_iins(
        np.array([birth], dtype="datetime64[D]"), np.array([sex == "M"]), np.array([serial])
    )[0]


def headers(session: Session, role: str, **scope: Any) -> dict[str, str]:
    secret = issue_token(session, name=f"test {role}", role=role, **scope)
    return {"Authorization": f"Bearer {secret}"}


def member(
    relation: str, birth: dt.date, sex: str, *, iin: bool = True, serial: int = 7, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"relation": relation, "birth_date": birth.isoformat(), "sex": sex}
    if iin:
        body["iin"] = iin_of(birth, sex, serial)
    return {**body, **extra}


def household_body(external_id: str = "HH-1", region: str = "61", **extra: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "origin_region": region,
        "origin_settlement": "village",
        "application_date": "2025-03-01",
        "origin_wage_tenge": 120000,
        "members": [
            member(
                "applicant",
                dt.date(1988, 5, 17),
                "M",
                education="vocational",
                experience=[{"occupation": "7212", "years": 6}],
                licences=["B", "welding"],
                languages=[{"lang": "kk", "level": "native"}, {"lang": "ru", "level": "fluent"}],
            ),
            member("spouse", dt.date(1990, 2, 3), "F", serial=8, employment_status="homemaker"),
            member("child", dt.date(2016, 9, 1), "M", iin=False, employment_status="child"),
        ],
        **extra,
    }


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return headers(session, "admin")


def stored(session: Session) -> tuple[int, int]:
    return (
        int(session.scalar(select(func.count()).select_from(HouseholdRecord)) or 0),
        int(session.scalar(select(func.count()).select_from(HouseholdMemberRecord)) or 0),
    )


class TestCreateAndRead:
    def test_round_trip_with_members(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        body = household_body()
        response = client.post("/households", json=body, headers=admin)
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["origin_region_code"] == "61"
        assert created["applicant_iin"] == body["members"][0]["iin"]
        assert [m["relation"] for m in created["members"]] == ["applicant", "spouse", "child"]
        read = client.get(f"/households/{created['id']}", headers=admin).json()
        assert read["members"][0]["licences"] == ["B", "welding"]
        assert read["members"][0]["languages"][1] == {"lang": "ru", "level": "fluent"}
        assert read["members"][2]["iin"] is None
        assert stored(session) == (1, 3)

    def test_region_given_by_name(self, client: TestClient, admin: dict[str, str]) -> None:
        body = household_body(region="Туркестанская область")
        assert (
            client.post("/households", json=body, headers=admin).json()["origin_region_code"]
            == "61"
        )

    def test_list_filters_and_pages(self, client: TestClient, admin: dict[str, str]) -> None:
        for i in range(3):
            b = household_body(f"HH-{i}", region="61" if i < 2 else "71")
            for k, m in enumerate(b["members"]):
                if m.get("iin"):
                    m["iin"] = iin_of(dt.date.fromisoformat(m["birth_date"]), m["sex"], 100 * i + k)
            assert client.post("/households", json=b, headers=admin).status_code == 201
        page = client.get("/households?region=KZ-61&limit=1", headers=admin).json()
        assert page["pagination"]["total_count"] == 2 and page["pagination"]["max_page"] == 2
        assert len(page["items"]) == 1 and page["items"][0]["persons"] == 3
        assert client.get("/households", headers=admin).json()["pagination"]["total_count"] == 3
        assert_problem(client.get("/households?page=9", headers=admin), 422)

    def test_patch_changes_fields_and_replaces_members(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        created = client.post("/households", json=household_body(), headers=admin).json()
        members = household_body()["members"][:1]
        response = client.patch(
            f"/households/{created['id']}",
            json={"debt_tenge": 5000, "members": members},
            headers=admin,
        )
        assert response.status_code == 200, response.text
        assert response.json()["debt_tenge"] == 5000 and len(response.json()["members"]) == 1
        assert stored(session) == (1, 1)
        again = client.patch(
            f"/households/{created['id']}", json={"status": "admitted"}, headers=admin
        )
        assert again.json()["status"] == "admitted" and len(again.json()["members"]) == 1

    def test_duplicate_external_id_is_409(self, client: TestClient, admin: dict[str, str]) -> None:
        assert client.post("/households", json=household_body(), headers=admin).status_code == 201
        body = assert_problem(client.post("/households", json=household_body(), headers=admin), 409)
        assert body["errors"][0]["loc"] == ["body", "external_id"]


def _error_locs(response: Any) -> list[list[Any]]:
    body = assert_problem(response, 422)
    return [e["loc"] for e in body["errors"]]


class TestValidation:
    def test_bad_check_digit(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        body = household_body()
        good = body["members"][0]["iin"]
        body["members"][0]["iin"] = good[:11] + str((int(good[11]) + 1) % 10)
        assert _error_locs(client.post("/households", json=body, headers=admin)) == [
            ["body", "members", 0, "iin"]
        ]
        assert stored(session) == (0, 0)

    def test_birth_date_must_agree_with_iin(
        self, client: TestClient, admin: dict[str, str]
    ) -> None:
        body = household_body()
        body["members"][1]["birth_date"] = "1990-02-04"
        assert _error_locs(client.post("/households", json=body, headers=admin)) == [
            ["body", "members", 1, "birth_date"]
        ]

    def test_sex_must_agree_with_iin(self, client: TestClient, admin: dict[str, str]) -> None:
        body = household_body()
        body["members"][1]["sex"] = "M"
        assert _error_locs(client.post("/households", json=body, headers=admin)) == [
            ["body", "members", 1, "sex"]
        ]

    def test_household_without_applicant(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        body = household_body()
        body["members"][0]["relation"] = "sibling"
        response = client.post("/households?lang=ru", json=body, headers=admin)
        assert _error_locs(response) == [["body", "members"]]
        assert "заявитель" in response.json()["detail"]
        assert stored(session) == (0, 0)

    def test_negative_wage(self, client: TestClient, admin: dict[str, str]) -> None:
        body = household_body(origin_wage_tenge=-1)
        assert _error_locs(client.post("/households", json=body, headers=admin)) == [
            ["body", "origin_wage_tenge"]
        ]

    def test_unknown_vocabulary_value(self, client: TestClient, admin: dict[str, str]) -> None:
        body = household_body()
        body["members"][1]["education"] = "doctorate"
        assert _error_locs(client.post("/households", json=body, headers=admin)) == [
            ["body", "members", 1, "education"]
        ]

    def test_ambiguous_region_lists_candidates(
        self, client: TestClient, admin: dict[str, str]
    ) -> None:
        response = client.post("/households", json=household_body(region="Almaty"), headers=admin)
        body = assert_problem(response, 422)
        assert {e["loc"][1] for e in body["errors"]} == {"origin_region"}
        assert {e["msg"].split()[1].rstrip(":") for e in body["errors"]} == {"19", "75"}

    def test_unknown_region(self, client: TestClient, admin: dict[str, str]) -> None:
        assert _error_locs(
            client.post("/households", json=household_body(region="Atlantis"), headers=admin)
        ) == [["body", "origin_region"]]

    def test_unknown_body_field(self, client: TestClient, admin: dict[str, str]) -> None:
        assert_problem(
            client.post("/households", json=household_body(colour="red"), headers=admin), 422
        )

    def test_patch_is_validated_and_atomic(
        self, client: TestClient, admin: dict[str, str], session: Session
    ) -> None:
        created = client.post("/households", json=household_body(), headers=admin).json()
        bad = household_body()["members"]
        bad[0]["relation"] = "other"
        response = client.patch(
            f"/households/{created['id']}", json={"debt_tenge": 1, "members": bad}, headers=admin
        )
        assert_problem(response, 422)
        again = client.get(f"/households/{created['id']}", headers=admin).json()
        assert again["debt_tenge"] == 0 and len(again["members"]) == 3


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    born=st.dates(dt.date(1930, 1, 1), dt.date(2008, 12, 31)),
    male=st.booleans(),
    serial=st.integers(0, 9999),
    bump=st.integers(1, 9),
)
def test_any_wrong_check_digit_is_rejected_by_the_mapper(
    born: dt.date, male: bool, serial: int, bump: int
) -> None:
    from api.core.validation import FieldError
    from api.households.mappers import validate_household
    from matching.programme.geography import load_reference

    reference = _reference()
    sex = "M" if male else "F"
    iin = iin_of(born, sex, serial)
    assert check_digit(iin[:11]) == int(iin[11])
    body = household_body()
    body["application_date"] = dt.date(2025, 1, 1)
    body["members"] = [
        {
            "relation": "applicant",
            "birth_date": born,
            "sex": sex,
            "iin": iin[:11] + str((int(iin[11]) + bump) % 10),
        }
    ]
    with pytest.raises(FieldError) as caught:
        validate_household(body, reference)
    assert caught.value.path == ("members", 0, "iin")
    body["members"][0]["iin"] = iin
    assert validate_household(body, reference).household["applicant_iin"] == iin
    del load_reference


_REF: list[Any] = []


def _reference() -> Any:
    from matching.programme.geography import load_reference

    if not _REF:
        _REF.append(load_reference())
    return _REF[0]
