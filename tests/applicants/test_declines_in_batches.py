"""A decline is a ban in the next batch built from live data; it never undoes a commit."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.allocation.batch import build_batch
from api.app import job_worker
from api.applicants.service import record_decision
from api.core.db import make_sessionmaker
from api.models import DecisionRecord, HomeRecord, HouseholdRecord, VacancyRecord
from matching.programme.geography import load_reference
from matching.programme.support import load_support_parameters
from tests.applicants.conftest import PLANNER, Demo, csrf_of
from tests.pages.harness import DATA_DIR

pytestmark = pytest.mark.db
Applicant = Callable[..., tuple[TestClient, int]]
YEAR = 2025


def _batch_localities(demo: Demo, household_id: int) -> tuple[set[str], set[str]]:
    """Localities of the household's options in a fresh batch, and of its removed ones."""
    with demo.session() as session:
        batch = build_batch(
            session,
            load_reference(DATA_DIR),
            {"year": YEAR, "household_ids": [household_id], "options_per_household": 50},
            support=load_support_parameters(DATA_DIR),
        )
    inst = batch.instance
    kept = set(inst.options.filter(household_id=str(household_id))["locality_id"])
    removed = set(inst.removed.filter(household_id=str(household_id))["locality_id"])
    return kept, removed


def _decide(client: TestClient, locality: str, **data: str) -> None:
    token = csrf_of(client.get(f"/app/me/localities/{locality}").text)
    answer = client.post(
        f"/app/me/localities/{locality}/decision",
        data={"csrf_token": token, **data},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:400]


def test_a_declined_locality_is_banned_in_the_next_batch_and_an_accept_lifts_it(
    demo: Demo, applicant: Applicant
) -> None:
    client, household_id = applicant()
    place = re.findall(r'href="/app/me/localities/([^"]+)"', client.get("/app/me").text)[0]
    kept, _ = _batch_localities(demo, household_id)
    assert place in kept  # without a decision the batch offers it
    _decide(client, place, decision="decline", reason="home")
    kept, removed = _batch_localities(demo, household_id)
    assert place not in kept and place in removed
    _decide(client, place, decision="accept")  # changed their mind: the latest counts
    kept, _ = _batch_localities(demo, household_id)
    assert place in kept


def _run_and_commit(demo: Demo, household_id: int) -> dict[str, Any]:
    worker = job_worker(
        make_sessionmaker(demo.engine), load_reference(DATA_DIR), load_support_parameters(DATA_DIR)
    )
    with demo.client() as api:
        started = api.post(
            "/allocation-runs",
            json={"year": YEAR, "household_ids": [household_id], "time_limit": 10},
            headers=PLANNER,
        )
        assert started.status_code == 202, started.text
        run_id = started.json()["id"]
        while api.get(f"/allocation-runs/{run_id}", headers=PLANNER).json()["status"] in (
            "queued",
            "running",
        ):
            assert worker.run_once()
        committed = api.post(f"/allocation-runs/{run_id}/commit", headers=PLANNER)
        assert committed.status_code == 200, committed.text
        return dict(committed.json())


def _commitment(demo: Demo, household_id: int) -> tuple[Any, ...]:
    with demo.session() as session:
        decision = session.scalars(
            select(DecisionRecord).where(DecisionRecord.household_id == household_id)
        ).one()
        home = session.get(HomeRecord, decision.home_id)
        vacancy = session.get(VacancyRecord, decision.vacancy_id)
        status = session.get(HouseholdRecord, household_id)
        assert home is not None and vacancy is not None and status is not None
        return (
            decision.id,
            decision.locality_id,
            home.units_reserved,
            vacancy.posts_reserved,
            status.status,
        )


def test_a_decline_after_a_commit_releases_nothing(demo: Demo, applicant: Applicant) -> None:
    _, household_id = applicant()
    assert _run_and_commit(demo, household_id)["households"] == 1
    before = _commitment(demo, household_id)
    committed_locality = before[1]
    with demo.session() as session:
        record_decision(
            session,
            household_id,
            committed_locality,
            "decline",
            "climate",
            allowed_localities=[committed_locality],
        )
        session.commit()
    assert _commitment(demo, household_id) == before
    assert before[-1] == "placed"
    # The next batch does not take the household back either: it is placed.
    with demo.session() as session:
        with pytest.raises(ValueError):
            build_batch(
                session,
                load_reference(DATA_DIR),
                {"year": YEAR, "household_ids": [household_id]},
            )
