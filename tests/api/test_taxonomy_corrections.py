"""Clerks' corrections over the API, on both databases: propose, review, learn, export.

Each test gets its own taxonomy service over the shared loaded tables (``fresh()``), so
aliases learnt here never leak into other tests' normalizer; the database rolls back.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models.taxonomy import TaxonomyCorrectionRecord
from api.taxonomy.service import TaxonomyService
from taxonomy import Normalizer, load_taxonomy
from tests.api.test_households_api import headers, household_body
from tests.api.test_reference_api import assert_problem

# Titles the tables' normalizer abstains on (checked below, so the tests stay honest).
SOMMELIER = "сомелье"
WAITER = "Q5131.01"
KEY_MAKER = "ключник"
LOCKSMITH = "Q7222.02"


@pytest.fixture
def svc(app: FastAPI, taxonomy_service: TaxonomyService) -> TaxonomyService:
    own = taxonomy_service.fresh()
    app.state.taxonomy = own
    return own


@pytest.fixture
def auth(session: Session) -> dict[str, dict[str, str]]:
    return {role: headers(session, role, **scope) for role, scope in (
        ("admin", {}), ("planner", {}), ("centre", {"region_code": "61"}),
    )}  # fmt: skip


def best(client: TestClient, text: str, kind: str = "occupation") -> dict[str, Any]:
    response = client.post("/taxonomy/normalize", json={"texts": [text], "kind": kind})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["results"][0]
    return result


def propose(
    client: TestClient, auth: dict[str, str], text: str, code: str, **extra: Any
) -> dict[str, Any]:
    response = client.post(
        "/taxonomy/corrections", json={"text": text, "code": code, **extra}, headers=auth
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_approved_correction_changes_the_next_answer(
    client: TestClient, svc: TaxonomyService, auth: dict[str, dict[str, str]]
) -> None:
    before = best(client, SOMMELIER)
    assert before["unknown"] and before["candidates"] == []
    made = propose(client, auth["centre"], SOMMELIER, WAITER, lang="ru")
    assert made["status"] == "pending" and made["answered_code"] is None
    assert made["created_role"] == "centre" and made["created_token_id"] is not None
    # Pending: nothing learnt yet.
    assert best(client, SOMMELIER)["unknown"]
    approved = client.post(f"/taxonomy/corrections/{made['id']}/approve", headers=auth["admin"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["reviewed_at"]
    after = best(client, SOMMELIER)
    assert not after["unknown"]
    assert after["candidates"][0]["code"] == WAITER
    assert after["candidates"][0]["method"] == "exact"
    # The same service answers the pages' autocomplete and the vacancies' resolver.
    assert svc.normalizer.normalize("Сомелье").best.code == WAITER  # type: ignore[union-attr]


def test_pending_and_rejected_corrections_are_not_learnt(
    client: TestClient, svc: TaxonomyService, auth: dict[str, dict[str, str]], session: Session
) -> None:
    made = propose(client, auth["admin"], KEY_MAKER, LOCKSMITH)
    assert best(client, KEY_MAKER)["unknown"]
    rejected = client.post(f"/taxonomy/corrections/{made['id']}/reject", headers=auth["admin"])
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    svc.refresh(session, force=True)
    assert best(client, KEY_MAKER)["unknown"]
    # Rejected once; reviewing again is a conflict (and changes nothing).
    for action in ("approve", "reject"):
        body = assert_problem(
            client.post(f"/taxonomy/corrections/{made['id']}/{action}", headers=auth["admin"]),
            409,
        )
        assert body["type"] == "/problems/already-reviewed"
    assert best(client, KEY_MAKER)["unknown"]


def test_approving_twice_is_a_conflict_in_each_language(
    client: TestClient, svc: TaxonomyService, auth: dict[str, dict[str, str]]
) -> None:
    made = propose(client, auth["centre"], KEY_MAKER, LOCKSMITH)
    url = f"/taxonomy/corrections/{made['id']}/approve"
    assert client.post(url, headers=auth["admin"]).status_code == 200
    titles = {}
    for lang in ("kk", "ru", "en"):
        body = assert_problem(client.post(f"{url}?lang={lang}", headers=auth["admin"]), 409)
        titles[lang] = (body["title"], body["detail"])
        assert str(made["id"]) in str(body["detail"])
    assert titles["en"] == ("Conflict", titles["en"][1]) and "already" in titles["en"][1]
    assert titles["ru"][0] == "Конфликт" and titles["kk"][0] == "Қайшылық"
    assert_problem(client.post("/taxonomy/corrections/999999/approve", headers=auth["admin"]), 404)


def test_an_unknown_code_is_a_422_naming_the_field(
    client: TestClient, svc: TaxonomyService, auth: dict[str, dict[str, str]]
) -> None:
    for code, kind in (("Q0000.99", "occupation"), ("7212", "occupation"), (WAITER, "skill")):
        response = client.post(
            "/taxonomy/corrections?lang=ru",
            json={"text": SOMMELIER, "code": code, "kind": kind},
            headers=auth["centre"],
        )
        body = assert_problem(response, 422)
        assert body["errors"][0]["loc"] == ["body", "code"], body
        assert code in str(body["detail"]) and body["title"] == "Ошибка в данных"
    body = assert_problem(
        client.post(
            "/taxonomy/corrections", json={"text": "  ", "code": WAITER}, headers=auth["centre"]
        ),
        422,
    )
    assert body["errors"][0]["loc"] == ["body", "text"]


def test_roles(
    client: TestClient, svc: TaxonomyService, auth: dict[str, dict[str, str]], session: Session
) -> None:
    household = client.post("/households", json=household_body("HH-CORR"), headers=auth["admin"])
    assert household.status_code == 201, household.text
    applicant = headers(session, "applicant", household_id=household.json()["id"])
    body = {"text": SOMMELIER, "code": WAITER}
    for who in (applicant, auth["planner"]):
        assert_problem(client.post("/taxonomy/corrections", json=body, headers=who), 403)
    assert_problem(client.post("/taxonomy/corrections", json=body), 401)
    made = propose(client, auth["centre"], SOMMELIER, WAITER)
    for who in (auth["centre"], auth["planner"], applicant):
        for action in ("approve", "reject"):
            url = f"/taxonomy/corrections/{made['id']}/{action}"
            assert_problem(client.post(url, headers=who), 403)
        assert_problem(client.get("/taxonomy/corrections", headers=who), 403)
        assert_problem(client.get("/taxonomy/corrections/export", headers=who), 403)
    assert best(client, SOMMELIER)["unknown"], "a centre cannot approve its own correction"
    stored = session.scalars(select(TaxonomyCorrectionRecord)).all()
    assert [r.status for r in stored] == ["pending"]


def test_review_queue_is_paged_and_filtered(
    client: TestClient, svc: TaxonomyService, auth: dict[str, dict[str, str]]
) -> None:
    ids = [
        propose(client, auth["centre"], text, WAITER)["id"]
        for text in ("сомелье", "винный официант", "гарсон ресторана")
    ]
    # The same proposal again is not a second row.
    again = client.post(
        "/taxonomy/corrections", json={"text": "Сомелье ", "code": WAITER}, headers=auth["centre"]
    )
    assert again.status_code == 200 and again.json()["id"] == ids[0]
    client.post(f"/taxonomy/corrections/{ids[1]}/reject", headers=auth["admin"])
    page = client.get(
        "/taxonomy/corrections?status=pending&limit=1&lang=en", headers=auth["admin"]
    ).json()
    assert page["pagination"]["total_count"] == 2 and page["pagination"]["max_page"] == 2
    assert [i["id"] for i in page["items"]] == [ids[0]]
    assert page["items"][0]["label"] == "Waiter" or page["items"][0]["label"].isascii()
    second = client.get("/taxonomy/corrections?status=pending&limit=1&page=2", headers=auth["admin"])
    assert [i["id"] for i in second.json()["items"]] == [ids[2]]
    assert_problem(
        client.get("/taxonomy/corrections?status=pending&limit=1&page=3", headers=auth["admin"]),
        422,
    )
    every = client.get("/taxonomy/corrections", headers=auth["admin"]).json()
    assert [i["status"] for i in every["items"]] == ["pending", "rejected", "pending"]


def test_export_round_trips_through_the_alias_tables(
    client: TestClient,
    svc: TaxonomyService,
    auth: dict[str, dict[str, str]],
    data_dir: Path,
    tmp_path: Path,
) -> None:
    wanted = {SOMMELIER: WAITER, KEY_MAKER: LOCKSMITH}
    for text, code in wanted.items():
        made = propose(client, auth["centre"], text, code, lang="ru")
        client.post(f"/taxonomy/corrections/{made['id']}/approve", headers=auth["admin"])
    propose(client, auth["centre"], "пекарь-кондитер ночной", WAITER)  # pending: not exported
    skill = propose(client, auth["centre"], "права на грузовик", "lic.drive.C", kind="skill")
    client.post(f"/taxonomy/corrections/{skill['id']}/approve", headers=auth["admin"])

    response = client.get("/taxonomy/corrections/export?format=csv", headers=auth["admin"])
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["alias"]: r["code"] for r in rows} == wanted
    assert all(r["lang"] == "ru" and r["kind"] == "variant" for r in rows)
    skills = client.get(
        "/taxonomy/corrections/export?format=csv&kind=skill", headers=auth["admin"]
    ).text
    assert list(csv.DictReader(io.StringIO(skills)))[0]["code"] == "lic.drive.C"
    assert_problem(
        client.get("/taxonomy/corrections/export?format=xlsx", headers=auth["admin"]), 422
    )

    # Appended to a copy of the tables, the rows load as aliases and give the same answers.
    tables = tmp_path / "taxonomy"
    shutil.copytree(data_dir / "taxonomy", tables, ignore=shutil.ignore_patterns("eval"))
    with (tables / "occupation_aliases.csv").open("a", encoding="utf-8", newline="") as handle:
        handle.write(response.text.split("\n", 1)[1])
    header = (data_dir / "taxonomy" / "occupation_aliases.csv").read_text().splitlines()[0]
    assert header == "code,alias,lang,kind"
    loaded = Normalizer(load_taxonomy(tables))
    for text, code in wanted.items():
        assert loaded.normalize(text).best.code == code  # type: ignore[union-attr]


def test_a_vacancy_title_is_resolved_with_the_approved_corrections(
    client: TestClient, svc: TaxonomyService, auth: dict[str, dict[str, str]]
) -> None:
    employer = {"external_id": "E-CORR", "name": "Ресторан", "locality_id": "59-petropavl"}
    assert client.post("/employers", json=employer, headers=auth["admin"]).status_code == 201
    body = {
        "employer_external_id": "E-CORR",
        "locality_id": "59-petropavl",
        "title": SOMMELIER,
        "wage_tenge": 300000,
    }
    refused = client.post("/vacancies", json={**body, "external_id": "V-1"}, headers=auth["admin"])
    assert_problem(refused, 422)
    made = propose(client, auth["centre"], SOMMELIER, WAITER)
    client.post(f"/taxonomy/corrections/{made['id']}/approve", headers=auth["admin"])
    created = client.post("/vacancies", json={**body, "external_id": "V-2"}, headers=auth["admin"])
    assert created.status_code == 201, created.text
    assert created.json()["occupation"] == WAITER and created.json()["occupation_score"] == 1.0
