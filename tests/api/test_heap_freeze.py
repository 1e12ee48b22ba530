"""A serving process freezes its long-lived data (api/core/heap.py); a test app does not."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.heap import enable_freezing
from api.core.migrate import upgrade
from api.core.settings import Settings
from api.demo.service import DEMO_TOKENS, load_demo
from api.reference.service import seed_reference
from api.taxonomy.service import TaxonomyService
from matching.programme.geography import load_reference
from tests.conftest import DATA_DIR
from tests.databases import fresh_database


@pytest.fixture
def demo_url(backend: str, tmp_path: Path, taxonomy_service: TaxonomyService) -> Iterator[str]:
    with fresh_database(backend, tmp_path) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=2)
        with session_scope(make_sessionmaker(engine)) as session:
            seed_reference(session, DATA_DIR)
        with session_scope(make_sessionmaker(engine)) as session:
            load_demo(
                session,
                load_reference(DATA_DIR),
                taxonomy_service.taxonomy,
                households=20,
                vacancies=200,
                seed=3,
            )
        engine.dispose()
        yield url


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    # Give the objects back to the collector: the rest of the run builds and drops apps.
    enable_freezing(False)
    gc.unfreeze()


def _serve(url: str, taxonomy: TaxonomyService, **settings: object) -> TestClient:
    app = create_app(
        Settings(database_url=url, environment="test", data_dir=DATA_DIR, **settings)  # type: ignore[arg-type]
    )
    app.state.taxonomy = taxonomy
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.db
def test_serving_app_freezes_at_start_and_after_building_the_index(
    demo_url: str, taxonomy_service: TaxonomyService, unfrozen: None
) -> None:
    with _serve(demo_url, taxonomy_service, gc_freeze=True) as client:
        at_start = gc.get_freeze_count()
        assert at_start > 0
        r = client.get(
            "/households/1/matches?top=5",
            headers={"Authorization": f"Bearer {DEMO_TOKENS['admin']}"},
        )
        assert r.status_code == 200, r.text
        # The index built by the first request (its arrays, dictionaries) joined the frozen set.
        assert gc.get_freeze_count() > at_start
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


@pytest.mark.db
def test_test_apps_do_not_freeze(
    demo_url: str, taxonomy_service: TaxonomyService, unfrozen: None
) -> None:
    with _serve(demo_url, taxonomy_service) as client:
        r = client.get(
            "/households/1/matches?top=5",
            headers={"Authorization": f"Bearer {DEMO_TOKENS['admin']}"},
        )
        assert r.status_code == 200, r.text
        assert gc.get_freeze_count() == 0
        client.app.state.engine.dispose()  # type: ignore[attr-defined]
