"""Bulk import and export: CSV, Parquet and Excel; row errors; idempotency; bad files."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.models import (
    EmployerRecord,
    HomeRecord,
    HouseholdMemberRecord,
    HouseholdRecord,
    LocalityCapacityRecord,
    VacancyRecord,
)
from tests.api.test_households_api import headers, iin_of
from tests.api.test_reference_api import assert_problem

TABLES = (
    EmployerRecord,
    VacancyRecord,
    HomeRecord,
    HouseholdRecord,
    HouseholdMemberRecord,
    LocalityCapacityRecord,
)
VOLATILE = {"id", "created_at", "updated_at", "household_id", "employer_id"}


def dump(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every programme table, row by row (ids and timestamps included)."""
    session.expire_all()
    out = {}
    for model in TABLES:
        columns = list(model.__table__.columns)
        rows = session.execute(select(*columns).order_by(*model.__table__.primary_key.columns))
        out[model.__tablename__] = [tuple(r) for r in rows]
    return out


def to_file(frame: pl.DataFrame, fmt: str) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    if fmt == "csv":
        frame.write_csv(buffer)
    elif fmt == "parquet":
        frame.write_parquet(buffer)
    else:
        frame.write_excel(buffer)
    return f"upload.{fmt}", buffer.getvalue()


def run_queued_jobs(client: TestClient) -> int:
    """Run the queued jobs on the test's own connection (its outer transaction is rolled
    back after the test), as the app's worker would; how many ran."""
    from api.app import job_worker
    from api.core.deps import get_session
    from api.core.jobs import claim_next, run_job

    app = client.app
    session = next(app.dependency_overrides[get_session]())  # type: ignore[attr-defined]
    sessions = sessionmaker(
        bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    state = app.state  # type: ignore[attr-defined]
    runner = job_worker(sessions, state.reference, state.support_parameters, taxonomy_state=state)
    ran = 0
    while (job := claim_next(sessions, runner.name, tuple(runner.handlers))) is not None:
        run_job(job, sessions, runner.handlers, runner.services, worker=runner.name)
        ran += 1
    return ran


def post_file(
    client: TestClient, kind: str, name: str, content: bytes, auth: dict[str, str]
) -> dict[str, Any]:
    """POST an import (202 and the job's address), run its job, return the finished job."""
    response = client.post(f"/imports/{kind}", files={"file": (name, content)}, headers=auth)
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    assert location == response.json()["url"] == f"/imports/jobs/{response.json()['id']}"
    assert response.json()["status"] == "queued"
    assert run_queued_jobs(client) == 1
    job = client.get(location, headers=auth)
    assert job.status_code == 200, job.text
    return dict(job.json())


def upload(
    client: TestClient, kind: str, frame: pl.DataFrame, fmt: str, auth: dict[str, str]
) -> dict[str, Any]:
    """Import a frame through the job; the finished job's report."""
    job = post_file(client, kind, *to_file(frame, fmt), auth)
    assert job["status"] == "succeeded", job
    return dict(job["report"])


EMPLOYERS = pl.DataFrame(
    {
        "external_id": ["E1", "E2", "E3"],
        "name": ["ТОО Агро Север", "Petropavl Vodokanal", "Karaganda Steel"],
        "bin": ["123456789012", None, None],
        "region": [None, None, "35"],
        "locality_id": ["59-petropavl", "59-petropavl", None],
        "sector": ["agriculture", "utilities", "industry"],
    }
)


def vacancies_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "external_id": ["V1", "V2", "V3", "V4", "V5"],
            "employer_external_id": ["E1", "E1", "E2", "E9", "E2"],
            "locality_id": [
                "59-petropavl",
                "59-petropavl",
                "59-petropavl",
                "59-petropavl",
                "59-nowhere",
            ],
            "title": [
                "Электрогазосварщик",
                "учитель математики",
                "Водитель категории C",
                "Тракторист",
                "Бухгалтер",
            ],
            "occupation": [None, None, "8322", None, None],
            "wage_tenge": ["250000", "-5", "310000", "200000", "280000"],
            "required_licences": [None, None, "C", None, None],
            "posts": ["2", "1", "1", "1", "1"],
        }
    )


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return headers(session, "admin")


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_vacancies_in_every_format_good_rows_kept_bad_rows_reported(
    fmt: str, client: TestClient, admin: dict[str, str], session: Session
) -> None:
    assert upload(client, "employers", EMPLOYERS, fmt, admin)["inserted"] == 3
    report = upload(client, "vacancies", vacancies_frame(), fmt, admin)
    assert (report["inserted"], report["rejected"], report["rows"]) == (2, 3, 5)
    errors = {(e["row"], e["field"]) for e in report["errors"]}
    assert errors == {(2, "wage_tenge"), (4, "employer_external_id"), (5, "locality_id")}
    assert all(e["message"] for e in report["errors"])
    stored = {v.external_id: v for v in session.scalars(select(VacancyRecord))}
    assert set(stored) == {"V1", "V3"}
    # Normalized from the title (score kept) versus given by the client (no score).
    assert stored["V1"].isco == "7212" and 0 < (stored["V1"].occupation_score or 0) <= 1
    assert stored["V3"].occupation == "8322" and stored["V3"].occupation_score is None
    assert stored["V3"].required_licences == ["C"] and stored["V1"].posts == 2


def test_same_file_twice_changes_nothing(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    upload(client, "employers", EMPLOYERS, "csv", admin)
    first = upload(client, "vacancies", vacancies_frame(), "csv", admin)
    before = dump(session)
    second = upload(client, "vacancies", vacancies_frame(), "csv", admin)
    assert second["unchanged"] == first["inserted"] and second["inserted"] == second["updated"] == 0
    assert dump(session) == before


def test_changed_row_is_updated(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    upload(client, "employers", EMPLOYERS, "csv", admin)
    upload(client, "vacancies", vacancies_frame(), "csv", admin)
    changed = vacancies_frame().with_columns(
        pl.when(pl.col("external_id") == "V1")
        .then(pl.lit("260000"))
        .otherwise(pl.col("wage_tenge"))
        .alias("wage_tenge")
    )
    report = upload(client, "vacancies", changed, "parquet", admin)
    assert (report["updated"], report["unchanged"], report["inserted"]) == (1, 1, 0)
    v1 = session.scalars(select(VacancyRecord).where(VacancyRecord.external_id == "V1")).one()
    assert v1.wage_tenge == 260000


def test_repeated_id_in_one_file(client: TestClient, admin: dict[str, str]) -> None:
    frame = pl.concat([EMPLOYERS, EMPLOYERS.head(1)])
    report = upload(client, "employers", frame, "csv", admin)
    assert report["inserted"] == 3 and report["errors"][0]["row"] == 4


def household_rows(key: str, serial: int, region: str = "61") -> list[dict[str, Any]]:
    born_a, born_s, born_c = dt.date(1985, 4, 2), dt.date(1987, 8, 9), dt.date(2015, 1, 20)
    common = {
        "external_id": key,
        "origin_region": region,
        "origin_settlement": "village",
        "application_date": "2025-02-10",
        "origin_wage_tenge": "90000",
        "pref_regions": "59;Костанайская область",
    }
    return [
        {**common, "relation": "applicant", "birth_date": born_a.isoformat(), "sex": "M",
         "iin": iin_of(born_a, "M", serial), "experience": "7212=5;8341~2",
         "licences": "B;tractor", "languages": "kk=native;ru=fluent", "health_clinic": None},
        {**common, "relation": "spouse", "birth_date": born_s.isoformat(), "sex": "F",
         "iin": iin_of(born_s, "F", serial + 1), "experience": None,
         "licences": None, "languages": "kk=native", "health_clinic": "true"},
        {**common, "relation": "child", "birth_date": born_c.isoformat(), "sex": "F",
         "iin": None, "experience": None, "licences": None, "languages": None, "health_clinic": None},
    ]  # fmt: skip


def households_frame() -> pl.DataFrame:
    rows = household_rows("H1", 10) + household_rows("H2", 20) + household_rows("H3", 30, "71")
    rows[4]["iin"] = rows[4]["iin"][:11] + str((int(rows[4]["iin"][11]) + 1) % 10)  # H2 spouse
    return pl.DataFrame(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_households_never_split(
    fmt: str, client: TestClient, admin: dict[str, str], session: Session
) -> None:
    report = upload(client, "households", households_frame(), fmt, admin)
    assert (report["inserted"], report["rejected"]) == (2, 1)
    by_row = {e["row"]: e for e in report["errors"]}
    assert by_row[5]["field"] == "iin" and by_row[5]["external_id"] == "H2"
    assert set(by_row) == {4, 5, 6}, "every row of the bad household is reported"
    stored = {h.external_id: h for h in session.scalars(select(HouseholdRecord))}
    assert set(stored) == {"H1", "H3"}
    assert stored["H1"].preferences["regions"] == ["59", "39"]
    members = session.scalars(
        select(HouseholdMemberRecord)
        .where(HouseholdMemberRecord.household_id == stored["H1"].id)
        .order_by(HouseholdMemberRecord.position)
    ).all()
    assert [m.relation for m in members] == ["applicant", "spouse", "child"]
    assert members[0].experience == [
        {"occupation": "7212", "years": 5.0, "documented": True},
        {"occupation": "8341", "years": 2.0, "documented": False},
    ]
    assert members[1].health["clinic"] is True and members[0].languages == [
        ["kk", "native"],
        ["ru", "fluent"],
    ]


def test_households_twice_and_export_round_trip(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    upload(client, "households", households_frame(), "csv", admin)
    before = dump(session)
    again = upload(client, "households", households_frame(), "csv", admin)
    assert (again["unchanged"], again["inserted"], again["updated"]) == (2, 0, 0)
    assert dump(session) == before
    for fmt in ("csv", "parquet", "xlsx"):
        exported = client.get(f"/exports/households?format={fmt}", headers=admin)
        assert exported.status_code == 200
        report = post_file(client, "households", f"x.{fmt}", exported.content, admin)["report"]
        assert (report["unchanged"], report["rejected"]) == (2, 0), report
    assert dump(session) == before


def test_household_inconsistent_columns(client: TestClient, admin: dict[str, str]) -> None:
    rows = household_rows("H1", 10)
    rows[2]["origin_settlement"] = "city"
    report = upload(client, "households", pl.DataFrame(rows), "csv", admin)
    assert report["rejected"] == 1 and report["inserted"] == 0
    assert any(e["field"] == "origin_settlement" and e["row"] == 3 for e in report["errors"])


def test_homes_and_capacities(client: TestClient, admin: dict[str, str], session: Session) -> None:
    upload(client, "employers", EMPLOYERS, "csv", admin)
    homes = pl.DataFrame(
        {
            "external_id": ["D1", "D2", "D3"],
            "locality_id": ["59-petropavl", "59-petropavl", "59-petropavl"],
            "kind": ["rental", "employer_flat", "castle"],
            "rooms": [2, 3, 4],
            "capacity_persons": [4, 5, 6],
            "rent_tenge": [60000, 0, None],
            "employer_external_id": [None, "E1", None],
        }
    )
    report = upload(client, "homes", homes, "parquet", admin)
    assert report["inserted"] == 2 and [e["field"] for e in report["errors"]] == ["kind"]
    caps = pl.DataFrame(
        {
            "locality_id": ["59-petropavl", "35-karaganda"],
            "school_seats": ["120", "many"],
            "kindergarten_seats": ["30", "10"],
        }
    )
    report = upload(client, "capacities", caps, "csv", admin)
    assert report["inserted"] == 1 and report["errors"][0]["field"] == "school_seats"
    assert session.get(LocalityCapacityRecord, "59-petropavl").school_seats == 120  # type: ignore[union-attr]
    assert upload(client, "capacities", caps, "csv", admin)["unchanged"] == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("vacancies.csv", b"\x00\x01\x02binary\x00"),
        ("vacancies.parquet", b"PAR1 not really parquet"),
        ("vacancies.xlsx", b"PK\x03\x04 broken zip"),
        ("vacancies.csv", "external_id,title\nV1,Сварщик\n".encode()),
        ("vacancies.csv", b""),
    ],
)
def test_malformed_file_is_one_problem_and_writes_nothing(
    name: str, content: bytes, client: TestClient, admin: dict[str, str], session: Session
) -> None:
    before = dump(session)
    response = client.post("/imports/vacancies", files={"file": (name, content)}, headers=admin)
    body = assert_problem(response, 422)
    assert body["detail"]
    assert dump(session) == before


def test_missing_columns_are_named(client: TestClient, admin: dict[str, str]) -> None:
    content = "external_id,title\nV1,Сварщик\n".encode()
    body = assert_problem(
        client.post("/imports/vacancies", files={"file": ("v.csv", content)}, headers=admin), 422
    )
    missing = {e["loc"][-1] for e in body["errors"]}
    assert missing == {"employer_external_id", "locality_id", "wage_tenge"}


def test_centre_import_keeps_own_region_only(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    centre = headers(session, "centre", region_code="61")
    report = upload(
        client,
        "households",
        pl.DataFrame(household_rows("H1", 10) + household_rows("H3", 30, "71")),
        "csv",
        centre,
    )
    assert report["inserted"] == 1 and report["rejected"] == 1
    assert {h.external_id for h in session.scalars(select(HouseholdRecord))} == {"H1"}


def test_cli_imports_the_example_files_and_reports_bad_rows(tmp_path: Any) -> None:
    """The documented example files import cleanly (twice: nothing changes); bad rows and
    unreadable files are reported. One backend: the import path itself is tested on both."""
    from api.core.db import make_engine, make_sessionmaker, session_scope
    from api.core.migrate import upgrade
    from api.core.settings import REPO_ROOT
    from api.reference.service import seed_reference
    from tests.api.test_cli import qonys
    from tests.databases import fresh_database

    examples = REPO_ROOT / "data" / "examples"
    with fresh_database("sqlite", tmp_path) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=1)
        with session_scope(make_sessionmaker(engine)) as session:
            seed_reference(session, REPO_ROOT / "data")
        engine.dispose()
        for kind in ("employers", "vacancies", "homes", "capacities", "households"):
            first = qonys("import", kind, str(examples / f"{kind}.csv"), url=url)
            assert first.returncode == 0, first.stderr
            assert "rejected 0" in first.stdout and "inserted 0" not in first.stdout, first.stdout
        second = qonys("import", "households", str(examples / "households.csv"), url=url)
        assert "inserted 0, updated 0" in second.stdout, second.stdout
        bad = tmp_path / "bad.csv"
        bad.write_text("locality_id,school_seats\n59-petropavl,lots\n", encoding="utf-8")
        report = qonys("import", "capacities", str(bad), url=url)
        assert (
            report.returncode == 0 and "row 1" in report.stdout and "school_seats" in report.stdout
        )
        missing = qonys("import", "vacancies", str(tmp_path / "absent.csv"), url=url)
        assert missing.returncode != 0 and missing.stderr.startswith("qonys: error:")
        assert len(missing.stderr.strip().splitlines()) == 1
        created = qonys(
            "token", "create", "--role", "centre", "--region", "59", "--name", "Petropavl", url=url
        )
        assert created.returncode == 0 and created.stdout.strip().startswith("qn_")
        assert qonys("token", "revoke", "1", url=url).returncode == 0


@pytest.mark.parametrize("kind", ["employers", "vacancies", "homes", "capacities"])
def test_export_imports_back_unchanged(
    kind: str, client: TestClient, admin: dict[str, str], session: Session
) -> None:
    upload(client, "employers", EMPLOYERS, "csv", admin)
    upload(client, "vacancies", vacancies_frame(), "csv", admin)
    homes = pl.DataFrame(
        {"external_id": ["D1"], "locality_id": ["59-petropavl"], "kind": ["employer_flat"], "rooms": [2],
         "capacity_persons": [3], "employer_external_id": ["E1"]}
    )  # fmt: skip
    upload(client, "homes", homes, "csv", admin)
    upload(
        client,
        "capacities",
        pl.DataFrame({"locality_id": ["59-petropavl"], "school_seats": [9]}),
        "csv",
        admin,
    )
    before = dump(session)
    exported = client.get(f"/exports/{kind}?format=parquet", headers=admin)
    assert exported.status_code == 200
    assert pl.read_parquet(io.BytesIO(exported.content)).height == len(before[
        {"employers": "employers", "vacancies": "vacancies", "homes": "homes", "capacities": "locality_capacities"}[kind]
    ])  # fmt: skip
    report = post_file(client, kind, "x.parquet", exported.content, admin)["report"]
    assert (
        report["rejected"] == report["inserted"] == report["updated"] == 0
        and report["unchanged"] > 0
    )
    assert dump(session) == before


def test_centre_export_is_its_own_region(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    upload(client, "employers", EMPLOYERS, "csv", admin)
    centre = headers(session, "centre", region_code="35")
    frame = pl.read_csv(io.BytesIO(client.get("/exports/employers", headers=centre).content))
    assert frame["external_id"].to_list() == ["E3"]


def test_error_report_csv_lists_every_bad_row_with_reasons(
    client: TestClient, admin: dict[str, str]
) -> None:
    upload(client, "employers", EMPLOYERS, "csv", admin)
    job = post_file(client, "vacancies", *to_file(vacancies_frame(), "csv"), admin)
    assert job["report"]["errors_total"] == 3
    response = client.get(job["errors_url"], headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    report = pl.read_csv(io.BytesIO(response.content), infer_schema=False)
    assert report["row"].to_list() == ["2", "4", "5"]
    assert report["field"].to_list() == ["wage_tenge", "employer_external_id", "locality_id"]
    for lang in ("kk", "ru", "en"):
        assert report[f"reason_{lang}"].str.len_chars().min() > 0  # type: ignore[operator]
    # The bad rows' own cells come along, so the file can be fixed and imported again.
    assert report["external_id"].to_list() == ["V2", "V4", "V5"]
    assert report["wage_tenge"].to_list()[0] == "-5"


def test_same_file_again_reports_the_earlier_import_and_adds_nothing(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    first = post_file(client, "employers", *to_file(EMPLOYERS, "csv"), admin)
    before = dump(session)
    again = post_file(client, "employers", *to_file(EMPLOYERS, "csv"), admin)
    assert first["sha256"] == again["sha256"] and first["id"] != again["id"]
    assert first["report"]["previous_job_id"] is None
    assert again["report"]["previous_job_id"] == first["id"]
    assert (again["report"]["unchanged"], again["report"]["inserted"]) == (3, 0)
    assert dump(session) == before
    clean = client.get(again["errors_url"], headers=admin)
    assert clean.status_code == 200 and len(clean.content.decode("utf-8-sig").splitlines()) == 1


def test_cancel_a_queued_import_and_a_finished_one(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    before = dump(session)
    name, content = to_file(EMPLOYERS, "csv")
    queued = client.post("/imports/employers", files={"file": (name, content)}, headers=admin)
    cancelled = client.post(queued.json()["cancel_url"], headers=admin)
    assert cancelled.status_code == 202 and cancelled.json()["status"] == "cancelled"
    assert run_queued_jobs(client) == 0 and dump(session) == before
    assert_problem(client.get(queued.json()["errors_url"], headers=admin), 409)
    done = post_file(client, "employers", name, content, admin)
    assert_problem(client.post(done["cancel_url"], headers=admin), 409)
    assert_problem(client.get("/imports/jobs/0123abcd", headers=admin), 404)


def test_centre_sees_its_own_region_s_imports_only(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    job = post_file(client, "employers", *to_file(EMPLOYERS, "csv"), admin)
    centre = headers(session, "centre", region_code="61")
    assert_problem(client.get(job["url"], headers=centre), 404)
    assert client.get(job["url"], headers=admin).status_code == 200
