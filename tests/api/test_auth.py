"""Access by role: 401 without a valid token, 403 outside the role's reach (problem+json)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.auth.service import issue_token, revoke_token
from api.models import ApiTokenRecord
from tests.api.test_households_api import headers, household_body, iin_of
from tests.api.test_reference_api import assert_problem

ROLES = ("admin", "planner", "centre61", "centre59", "applicant", "other_applicant")


@dataclass
class World:
    client: TestClient
    auth: dict[str, dict[str, str]]
    household: int  # origin region 61, the applicant's own
    other_household: int  # origin region 71
    vacancy: int  # in region 59


@pytest.fixture
def world(client: TestClient, session: Session) -> World:
    admin = headers(session, "admin")
    own = client.post("/households", json=household_body("OWN"), headers=admin).json()["id"]
    other_body = household_body("OTHER", region="71")
    for k, m in enumerate(other_body["members"]):
        if m.get("iin"):
            m["iin"] = iin_of(
                __import__("datetime").date.fromisoformat(m["birth_date"]), m["sex"], 500 + k
            )
    other = client.post("/households", json=other_body, headers=admin).json()["id"]
    employer = {"external_id": "E1", "name": "Agro", "locality_id": "59-petropavl"}
    assert client.post("/employers", json=employer, headers=admin).status_code == 201
    vacancy = client.post(
        "/vacancies",
        json={
            "external_id": "V1",
            "employer_external_id": "E1",
            "locality_id": "59-petropavl",
            "title": "сварщик",
            "occupation": "7212",
            "wage_tenge": 300000,
        },
        headers=admin,
    ).json()["id"]
    auth = {
        "admin": admin,
        "planner": headers(session, "planner"),
        "centre61": headers(session, "centre", region_code="61"),
        "centre59": headers(session, "centre", region_code="59"),
        "applicant": headers(session, "applicant", household_id=own),
        "other_applicant": headers(session, "applicant", household_id=other),
    }
    return World(client, auth, own, other, vacancy)


def _new_household(w: World) -> dict[str, Any]:
    body = household_body("NEW")
    for k, m in enumerate(body["members"]):
        if m.get("iin"):
            import datetime as dt

            m["iin"] = iin_of(dt.date.fromisoformat(m["birth_date"]), m["sex"], 900 + k)
    return body


# endpoint name → (method, path, body, {role: expected status})
MATRIX: dict[str, tuple[str, str, Any, dict[str, int]]] = {
    "list households": ("GET", "/households", None,
        {"admin": 200, "planner": 200, "centre61": 200, "centre59": 200, "applicant": 403, "other_applicant": 403}),
    "list households of another region": ("GET", "/households?region=71", None,
        {"admin": 200, "planner": 200, "centre61": 403, "centre59": 403, "applicant": 403, "other_applicant": 403}),
    "read own household": ("GET", "/households/{household}", None,
        {"admin": 200, "planner": 200, "centre61": 200, "centre59": 403, "applicant": 200, "other_applicant": 403}),
    "read a missing household": ("GET", "/households/999999", None,
        {"admin": 404, "planner": 404, "centre61": 404, "centre59": 404, "applicant": 403, "other_applicant": 403}),
    "create household (region 61)": ("POST", "/households", "new_household",
        {"admin": 201, "planner": 403, "centre61": 201, "centre59": 403, "applicant": 403, "other_applicant": 403}),
    "correct household": ("PATCH", "/households/{household}", {"debt_tenge": 10},
        {"admin": 200, "planner": 403, "centre61": 200, "centre59": 403, "applicant": 403, "other_applicant": 403}),
    "list vacancies": ("GET", "/vacancies", None,
        {"admin": 200, "planner": 200, "centre61": 200, "centre59": 200, "applicant": 403, "other_applicant": 403}),
    "read vacancy in region 59": ("GET", "/vacancies/{vacancy}", None,
        {"admin": 200, "planner": 200, "centre61": 403, "centre59": 200, "applicant": 403, "other_applicant": 403}),
    "correct vacancy in region 59": ("PATCH", "/vacancies/{vacancy}", {"wage_tenge": 310000},
        {"admin": 200, "planner": 200, "centre61": 403, "centre59": 200, "applicant": 403, "other_applicant": 403}),
    "list homes": ("GET", "/homes", None,
        {"admin": 200, "planner": 200, "centre61": 200, "centre59": 200, "applicant": 403, "other_applicant": 403}),
    "set capacity in region 59": ("PUT", "/localities/59-petropavl/capacity", {"school_seats": 10},
        {"admin": 200, "planner": 200, "centre61": 403, "centre59": 200, "applicant": 403, "other_applicant": 403}),
    "export households": ("GET", "/exports/households", None,
        {"admin": 200, "planner": 200, "centre61": 200, "centre59": 200, "applicant": 403, "other_applicant": 403}),
    "import households": ("POST", "/imports/households", "file",
        {"admin": 422, "planner": 403, "centre61": 422, "centre59": 422, "applicant": 403, "other_applicant": 403}),
    "import vacancies": ("POST", "/imports/vacancies", "file",
        {"admin": 422, "planner": 422, "centre61": 422, "centre59": 422, "applicant": 403, "other_applicant": 403}),
    # Everyone lists tokens; anyone but an admin sees only their own (tests/api/test_tokens.py).
    "list tokens": ("GET", "/tokens", None,
        {"admin": 200, "planner": 200, "centre61": 200, "centre59": 200, "applicant": 200, "other_applicant": 200}),
}  # fmt: skip


def _call(w: World, method: str, path: str, body: Any, auth: dict[str, str]) -> Any:
    url = path.format(household=w.household, vacancy=w.vacancy)
    if body == "file":
        # A file without the required columns: past the role check it is a 422.
        return w.client.post(url, files={"file": ("x.csv", b"a,b\n1,2\n")}, headers=auth)
    if body == "new_household":
        body = _new_household(w)
    return w.client.request(method, url, json=body, headers=auth)


@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_role_matrix(endpoint: str, world: World) -> None:
    method, path, body, expected = MATRIX[endpoint]
    assert set(expected) == set(ROLES)
    got = {}
    for role in ROLES:
        response = _call(world, method, path, body, world.auth[role])
        got[role] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
        if body == "new_household" and response.status_code == 201:
            # Free the external id for the next role.
            world.client.patch(
                f"/households/{response.json()['id']}",
                json={"external_id": f"NEW-{role}"},
                headers=world.auth["admin"],
            )
    assert got == expected
    anonymous = _call(world, method, path, body, {})
    assert_problem(anonymous, 401)
    assert anonymous.headers["www-authenticate"].startswith("Bearer")


def test_centre_list_shows_own_region_only(world: World) -> None:
    items = world.client.get("/households", headers=world.auth["centre61"]).json()["items"]
    assert [h["id"] for h in items] == [world.household]
    assert world.client.get("/households", headers=world.auth["centre59"]).json()["items"] == []


def test_applicant_cannot_read_another_household(world: World) -> None:
    body = assert_problem(
        world.client.get(f"/households/{world.other_household}", headers=world.auth["applicant"]),
        403,
    )
    assert body["type"] == "/problems/forbidden-household"
    own = world.client.get(f"/households/{world.household}", headers=world.auth["applicant"])
    assert own.status_code == 200 and own.json()["external_id"] == "OWN"


def test_centre_cannot_read_another_regions_household(world: World) -> None:
    body = assert_problem(
        world.client.get(f"/households/{world.other_household}", headers=world.auth["centre61"]),
        403,
    )
    assert body["type"] == "/problems/forbidden-region"


def test_bad_and_revoked_tokens_are_401(world: World, session: Session) -> None:
    assert_problem(world.client.get("/households", headers={"Authorization": "Bearer nope"}), 401)
    assert_problem(world.client.get("/households", headers={"Authorization": "Basic abc"}), 401)
    secret = issue_token(session, name="temp", role="planner")
    auth = {"Authorization": f"Bearer {secret}"}
    assert world.client.get("/households", headers=auth).status_code == 200
    token_id = session.query(ApiTokenRecord.id).filter_by(name="temp").scalar()
    revoke_token(session, token_id)
    session.flush()
    assert_problem(world.client.get("/households", headers=auth), 401)


def test_admin_issues_and_revokes_tokens(world: World, session: Session) -> None:
    admin = world.auth["admin"]
    created = world.client.post(
        "/tokens",
        json={"name": "Petropavl centre", "role": "centre", "region": "North Kazakhstan"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    token = created.json()
    assert token["region_code"] == "59" and token["token"].startswith("qn_")
    auth = {"Authorization": f"Bearer {token['token']}"}
    assert world.client.get(f"/vacancies/{world.vacancy}", headers=auth).status_code == 200
    listed = world.client.get("/tokens", headers=admin).json()
    assert all("token" not in t for t in listed) and token["id"] in {t["id"] for t in listed}
    assert world.client.delete(f"/tokens/{token['id']}", headers=admin).status_code == 204
    assert_problem(world.client.get(f"/vacancies/{world.vacancy}", headers=auth), 401)


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "role": "centre"},
        {"name": "x", "role": "applicant"},
        {"name": "x", "role": "applicant", "household_id": 999999},
        {"name": "x", "role": "superuser"},
    ],
)
def test_token_needs_its_scope(body: dict[str, Any], world: World) -> None:
    assert_problem(world.client.post("/tokens", json=body, headers=world.auth["admin"]), 422)
