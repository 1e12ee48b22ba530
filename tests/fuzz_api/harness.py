"""The fuzzed-API harness shared by the suite's bounded leg and ``bench/fuzz_api.py``.

A database with a small demo programme, an app over it, the schemathesis schema of that app and
the checks every response must pass: no 5xx, every error a problem+json, every response as
its operation declares (status, content type, body schema, headers).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import update

from api.app import create_app
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.migrate import upgrade
from api.core.settings import Settings
from api.demo.service import DEMO_TOKENS, load_demo
from api.models import ApiTokenRecord
from api.reference.service import seed_reference
from api.taxonomy.service import TaxonomyService
from matching.programme.geography import load_reference
from tests.conftest import DATA_DIR
from tests.databases import fresh_database

PROBLEM = "application/problem+json"
ROLE_TOKENS = {
    "admin": DEMO_TOKENS["admin"],
    "planner": DEMO_TOKENS["planner"],
    "centre": DEMO_TOKENS["centre"],  # region 61
    "applicant": DEMO_TOKENS["applicant"],
}


@contextmanager
def fuzz_app(
    backend: str, tmp_dir: Path, taxonomy: TaxonomyService, households: int = 60
) -> Iterator[FastAPI]:
    """An app over a fresh database holding the demo programme and its four role tokens."""
    with fresh_database(backend, tmp_dir) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=2)
        with session_scope(make_sessionmaker(engine)) as session:
            seed_reference(session, DATA_DIR)
        with session_scope(make_sessionmaker(engine)) as session:
            load_demo(
                session, load_reference(DATA_DIR), taxonomy.taxonomy, households=households, seed=5
            )
        engine.dispose()
        app = create_app(Settings(database_url=url, environment="test", data_dir=DATA_DIR))
        app.state.taxonomy = taxonomy
        try:
            yield app
        finally:
            app.state.engine.dispose()


def fuzz_schema(app: FastAPI) -> Any:
    """The app's OpenAPI as schemathesis sees it (requests go to the app in process)."""
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def operation_labels() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from an app that never opens its database."""
    app = create_app(Settings(database_url="sqlite://", environment="test", data_dir=DATA_DIR))
    labels = [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]
    app.state.engine.dispose()
    return labels


def case_strategy(schema: Any, method: str, path: str) -> st.SearchStrategy[Any]:
    """Valid requests and invalid ones (wrong types, missing fields, out-of-range values)."""
    operation = schema[path][method]
    return st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )


def restore_demo_tokens(app: FastAPI) -> None:
    """A fuzzed ``DELETE /tokens/{id}`` may revoke a role's own token: un-revoke them."""
    with app.state.sessionmaker() as session:
        session.execute(
            update(ApiTokenRecord).where(ApiTokenRecord.name.like("demo %")).values(revoked_at=None)
        )
        session.commit()


def problem_bodies(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx answer is RFC 9457 problem+json with a title and its own status."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith(PROBLEM), (
        f"{response.status_code} answered as {content_type!r}, not problem+json"
    )
    body = response.json()
    assert body.get("status") == response.status_code and body.get("title"), body
    return True


def no_server_errors(ctx: Any, response: Any, case: Any) -> bool | None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    return True


CHECKS = [
    no_server_errors,
    problem_bodies,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def call_and_check(case: Any, role: str) -> Any:
    response = case.call(headers={"Authorization": f"Bearer {ROLE_TOKENS[role]}"})
    case.validate_response(response, checks=CHECKS)
    return response
