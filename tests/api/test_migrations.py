"""Migrations create the schema on both databases and stay in step with the models."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from api.core import migrate
from api.core.db import make_engine
from api.models import Base
from tests.databases import fresh_database


def test_single_head() -> None:
    assert len(migrate.heads()) == 1


def test_upgrade_head_then_no_drift(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        migrate.upgrade(url)
        engine = make_engine(url, pool_size=1)
        try:
            assert migrate.current_revision(engine) == migrate.heads()[0]
            tables = set(inspect(engine).get_table_names())
            assert set(Base.metadata.tables) <= tables
            assert migrate.schema_drift(engine) == []
        finally:
            engine.dispose()


def test_drift_is_detected(backend: str, tmp_path: Path) -> None:
    # The check must be able to fail: an unmigrated database differs from the models.
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url, pool_size=1)
        try:
            assert migrate.schema_drift(engine) != []
        finally:
            engine.dispose()


def test_downgrade_to_base_and_back(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        migrate.upgrade(url)
        migrate.downgrade(url, "base")
        engine = make_engine(url, pool_size=1)
        try:
            remaining = set(inspect(engine).get_table_names()) - {"alembic_version"}
            assert remaining == set()
        finally:
            engine.dispose()
        migrate.upgrade(url)
        engine = make_engine(url, pool_size=1)
        try:
            assert migrate.schema_drift(engine) == []
        finally:
            engine.dispose()
