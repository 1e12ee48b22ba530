"""What the allocation service says comes from the message catalogue, in the asked language:
a run request's field messages (English wording kept) and a commit's refusals."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.allocation.commit import CommitRefused, commit_run
from api.models import AllocationRunRecord, JobRecord
from tests.api.test_households_api import headers

CYRILLIC = re.compile("[\u0400-\u04ff]")
BAD: dict[str, Any] = {
    "year": 2025,
    "time_limit": 0,
    "region_codes": ["99"],
    "categories": ["tourist"],
    "quotas": [{"region_code": "55", "category": "resettler", "persons": -5}],
    "capacities": [{"kind": "heating_season_beds", "key": "55-x", "capacity": -1}],
    "budgets": [{"region_code": "55", "budget_tenge": -1}],
    "fairness": [{"group": "kandas", "kind": "luck", "threshold": 2}],
    "locks": [{"household_id": 987654321, "locality_id": "55-no-such-place"}],
}
ENGLISH = {
    ("body", "time_limit"): "time_limit must be between 1 and 600",
    ("body", "region_codes", 0): "unknown region '99'",
    ("body", "categories", 0): "unknown category 'tourist'",
    ("body", "quotas", 0, "persons"): "quota persons is negative: -5",
    ("body", "capacities", 0, "capacity"): "capacity is negative: -1",
    ("body", "budgets", 0, "budget_tenge"): "budget is negative",
    ("body", "fairness", 0, "kind"): "unknown fairness kind 'luck'",
    ("body", "fairness", 0, "threshold"): "threshold must be in [0, 1]",
    ("body", "locks", 0, "locality_id"): "unknown locality '55-no-such-place'",
    ("body", "locks", 0, "household_id"): "unknown household 987654321",
}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_run_request_problems_speak_the_asked_language(
    client: TestClient, session: Session, lang: str
) -> None:
    answer = client.post(
        f"/allocation-runs?lang={lang}", json=BAD, headers=headers(session, "planner")
    )
    assert answer.status_code == 422, answer.text
    errors = {tuple(e["loc"]): e["msg"] for e in answer.json()["errors"]}
    assert set(ENGLISH) < set(errors)
    kind = errors[("body", "capacities", 0, "kind")]
    assert "'heating_season_beds'" in kind and "quota_persons, quota_families" in kind
    if lang == "en":
        assert {loc: errors[loc] for loc in ENGLISH} == ENGLISH
        assert kind.startswith("unknown capacity kind 'heating_season_beds'; one of ")
    else:
        assert all(CYRILLIC.search(m) for m in errors.values()), errors
        assert CYRILLIC.search(answer.json()["detail"])


def test_a_commit_refusal_names_the_household_in_three_languages(session: Session) -> None:
    job = JobRecord(id=uuid.uuid4().hex, kind="allocation", status="succeeded", params={})
    session.add(job)
    session.flush()
    run_id = uuid.uuid4().hex
    session.add(AllocationRunRecord(id=run_id, job_id=job.id, year=2025, scenario={}, summary={}))
    session.flush()
    with pytest.raises(CommitRefused) as refused:
        commit_run(session, run_id, household_ids=[424242])
    assert refused.value.status == 422
    assert refused.value.text.en == "Some households are not placed by this run."
    (error,) = refused.value.errors
    assert error["loc"] == ["body", "household_ids"] and error["type"] == "not_placed"
    text = error["msg"]
    assert text.en == "household 424242 is not placed by this run"
    assert all("424242" in text.get(lang) and CYRILLIC.search(text.get(lang)) for lang in ("kk", "ru"))
