"""Security headers on every kind of response; CORS closed unless origins are configured."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from api.auth.service import issue_token
from api.core.deps import get_session
from api.core.headers import CONTENT_SECURITY_POLICY
from api.core.settings import Settings
from api.taxonomy.service import TaxonomyService
from tests.conftest import DATA_DIR

ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _assert_hardened(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in ALWAYS.items():
        assert headers[name] == value, name
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


@pytest.mark.parametrize(
    "path",
    ["/healthz", "/regions", "/households", "/no/such/path", "/app/signin", "/app/nothing",
     "/app/static/qonys.css", "/docs", "/openapi.json"],
)  # fmt: skip
def test_every_kind_of_response_has_the_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (200, 401, 404)
    _assert_hardened(response)
    assert "strict-transport-security" not in response.headers  # plain http, not configured


def test_pages_use_the_strict_policy_and_docs_only_hash_their_script(client: TestClient) -> None:
    assert client.get("/app/signin").headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    docs = client.get("/docs").headers["content-security-policy"]
    assert "'sha256-" in docs and "'unsafe-inline'" not in docs.split("script-src")[1].split(";")[0]


def test_personal_data_is_not_stored_by_caches(client: TestClient, session: Session) -> None:
    auth = {"Authorization": f"Bearer {issue_token(session, name='p', role='planner')}"}
    assert client.get("/households", headers=auth).headers["cache-control"] == "no-store"
    assert client.get("/app/signin").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/app/static/qonys.css").headers.get("cache-control", "")


def _app(
    database_url: str, session: Session, taxonomy: TaxonomyService, **settings: object
) -> FastAPI:
    application = create_app(
        Settings(database_url=database_url, environment="test", data_dir=DATA_DIR, **settings)
    )
    application.state.taxonomy = taxonomy

    def _override() -> Iterator[Session]:
        yield session

    application.dependency_overrides[get_session] = _override
    return application


PREFLIGHT = {
    "Origin": "https://evil.example",
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "authorization",
}


def test_cors_is_closed_by_default(client: TestClient) -> None:
    preflight = client.options("/households", headers=PREFLIGHT)
    assert "access-control-allow-origin" not in preflight.headers
    plain = client.get("/regions", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in plain.headers


def test_cors_opens_for_configured_origins_only(
    database_url: str, session: Session, taxonomy_service: TaxonomyService
) -> None:
    app = _app(database_url, session, taxonomy_service, cors_origins="https://maps.example.kz")
    with TestClient(app) as client:
        allowed = client.options(
            "/households", headers={**PREFLIGHT, "Origin": "https://maps.example.kz"}
        )
        assert allowed.headers["access-control-allow-origin"] == "https://maps.example.kz"
        refused = client.options("/households", headers=PREFLIGHT)
        assert "access-control-allow-origin" not in refused.headers


def test_hsts_only_over_https_when_configured(
    database_url: str, session: Session, taxonomy_service: TaxonomyService
) -> None:
    app = _app(database_url, session, taxonomy_service, behind_https=True)
    with TestClient(app, base_url="https://qonys.example.kz") as secure:
        assert "max-age=" in secure.get("/healthz").headers["strict-transport-security"]
    with TestClient(app) as plain:
        assert "strict-transport-security" not in plain.get("/healthz").headers
