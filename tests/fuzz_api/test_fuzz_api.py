"""The whole OpenAPI fuzzed with each role's token, on both databases (the bounded leg).

One test per operation: a few generated requests, valid and invalid, each sent with every
role's token (admin, planner, centre of region 61, applicant), each answer checked by
:data:`tests.fuzz_api.harness.CHECKS` (no 5xx, problem+json errors, the declared status,
content type, body schema and headers). Derandomized, so a failure replays as is;
``bench/fuzz_api.py`` runs the same checks with many more examples.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from api.taxonomy.service import TaxonomyService
from tests.fuzz_api.harness import (
    ROLE_TOKENS,
    call_and_check,
    case_strategy,
    fuzz_app,
    fuzz_schema,
    operation_labels,
    restore_demo_tokens,
)

MAX_EXAMPLES = 5
OPERATIONS = operation_labels()


@pytest.fixture(scope="module")
def fuzzed(
    backend: str, tmp_path_factory: pytest.TempPathFactory, taxonomy_service: TaxonomyService
) -> Iterator[tuple[FastAPI, Any]]:
    with fuzz_app(backend, Path(tmp_path_factory.mktemp("fuzz")), taxonomy_service) as app:
        yield app, fuzz_schema(app)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_fuzzed_operation(fuzzed: tuple[FastAPI, Any], method: str, path: str) -> None:
    app, schema = fuzzed
    strategy = case_strategy(schema, method, path)

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(strategy)
        # The same request with each role's token: one generated case, four answers checked.
        for role in sorted(ROLE_TOKENS):
            try:
                call_and_check(case, role)
            except AssertionError as exc:
                raise AssertionError(f"as {role}: {exc}") from exc
            finally:
                if method == "DELETE" and path.startswith("/tokens"):
                    restore_demo_tokens(app)

    run()


def test_findings_stay_fixed(fuzzed: tuple[FastAPI, Any]) -> None:
    """What the fuzzer found, replayed as plain requests (a 500 on PostgreSQL each)."""
    app, _ = fuzzed
    admin = {"Authorization": f"Bearer {ROLE_TOKENS['admin']}"}
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        for method, path, body in (
            ("PATCH", "/vacancies/339117946032129920", {"wage_tenge": 7}),
            ("POST", "/taxonomy/corrections/1268508801775244544/approve", None),
            ("POST", "/tokens", {"name": "n", "role": "applicant", "household_id": 2**40}),
            ("POST", "/allocation-runs", {"year": 2026, "household_ids": [2**40]}),
        ):
            response = client.request(method, path, json=body, headers=admin)
            assert response.status_code == 422, (path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
        malformed = client.post(
            "/households",
            content=b"\x9c{not json",
            headers={**admin, "Content-Type": "application/json"},
        )
        assert malformed.status_code in (400, 422)
        assert malformed.headers["content-type"].startswith("application/problem+json")
