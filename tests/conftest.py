"""Shared fixtures. Database tests run once per backend: SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.app import create_app
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.deps import get_session
from api.core.migrate import upgrade
from api.core.settings import REPO_ROOT, Settings
from api.reference.service import seed_reference
from api.taxonomy.service import TaxonomyService
from tests.databases import BACKENDS, fresh_database

DATA_DIR = REPO_ROOT / "data"


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head and loaded with the reference data, once per backend."""
    with fresh_database(backend, tmp_path_factory.mktemp(backend)) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=2)
        with session_scope(make_sessionmaker(engine)) as session:
            seed_reference(session, DATA_DIR)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url, pool_size=4)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test.

    Code under test may commit: with ``create_savepoint`` it only releases a savepoint.
    """
    connection = engine.connect()
    outer = connection.begin()
    sess = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield sess
    finally:
        sess.close()
        outer.rollback()
        connection.close()


@pytest.fixture(scope="session")
def taxonomy_service() -> TaxonomyService:
    """Loading the taxonomy takes seconds: one instance serves every app in the run."""
    svc = TaxonomyService(DATA_DIR / "taxonomy")
    svc.normalizer  # noqa: B018 - build the indexes now
    return svc


@pytest.fixture
def app(database_url: str, session: Session, taxonomy_service: TaxonomyService) -> FastAPI:
    application = create_app(
        Settings(database_url=database_url, environment="test", data_dir=DATA_DIR)
    )
    application.state.taxonomy = taxonomy_service

    def _override() -> Iterator[Session]:
        # Each request starts from a clean identity map so missing eager loads show up here.
        session.expunge_all()
        yield session

    application.dependency_overrides[get_session] = _override
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


def pytest_report_header(config: pytest.Config) -> str:
    """Say which databases the run uses, so a CI log shows the PostgreSQL leg ran."""
    import os

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from tests.databases import postgres_admin_url

    if os.environ.get("QONYS_TEST_SKIP_POSTGRES") == "1":
        return "databases: sqlite only (QONYS_TEST_SKIP_POSTGRES=1)"
    url = make_url(postgres_admin_url())
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar()
        engine.dispose()
        found = f"PostgreSQL {version}"
    except Exception as exc:  # the database tests themselves fail loudly; this is a header
        found = f"unreachable ({exc.__class__.__name__})"
    return f"databases: sqlite, postgresql at {url.render_as_string(hide_password=True)}: {found}"
