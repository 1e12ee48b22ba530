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


def test_corrections_table_upgrade_and_downgrade(backend: str, tmp_path: Path) -> None:
    # 0007 adds exactly the corrections table on top of 0006, and takes exactly it away.
    with fresh_database(backend, tmp_path) as url:
        migrate.upgrade(url, "0006")
        engine = make_engine(url, pool_size=1)
        try:
            before = set(inspect(engine).get_table_names())
            assert "taxonomy_corrections" not in before
        finally:
            engine.dispose()
        # To 0007 itself: later revisions add their own tables (head has no drift: above).
        migrate.upgrade(url, "0007")
        engine = make_engine(url, pool_size=1)
        try:
            assert set(inspect(engine).get_table_names()) - before == {"taxonomy_corrections"}
            indexes = {i["name"] for i in inspect(engine).get_indexes("taxonomy_corrections")}
            assert {"ix_taxonomy_corrections_status_id"} <= indexes
        finally:
            engine.dispose()
        migrate.upgrade(url)
        engine = make_engine(url, pool_size=1)
        try:
            assert migrate.schema_drift(engine) == []
        finally:
            engine.dispose()
        migrate.downgrade(url, "0006")
        engine = make_engine(url, pool_size=1)
        try:
            assert set(inspect(engine).get_table_names()) == before
            assert migrate.current_revision(engine) == "0006"
        finally:
            engine.dispose()


def test_job_leases_and_import_files_upgrade_and_downgrade(backend: str, tmp_path: Path) -> None:
    # 0010 adds the lease columns, the 'cancelled' status and the import files; going back
    # turns cancelled jobs into failed ones (the older CHECK has no 'cancelled').
    from sqlalchemy import text

    with fresh_database(backend, tmp_path) as url:
        migrate.upgrade(url, "0009")
        migrate.upgrade(url, "0010")
        engine = make_engine(url, pool_size=1)
        try:
            columns = {c["name"] for c in inspect(engine).get_columns("jobs")}
            assert {"lease_expires_at", "attempts", "max_attempts", "cancel_requested"} <= columns
            assert "import_files" in inspect(engine).get_table_names()
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO jobs (id, kind, status, progress, phase, message, params) "
                        "VALUES ('j1', 'import', 'cancelled', 0, 'cancelled', '', '{}')"
                    )
                )
        finally:
            engine.dispose()
        migrate.downgrade(url, "0009")
        engine = make_engine(url, pool_size=1)
        try:
            assert "import_files" not in inspect(engine).get_table_names()
            with engine.connect() as conn:
                assert conn.execute(text("SELECT status FROM jobs")).scalar_one() == "failed"
        finally:
            engine.dispose()


def test_outcome_features_and_retention_models_upgrade_and_downgrade(
    backend: str, tmp_path: Path
) -> None:
    # 0011 adds the features of placements and decisions and the retention models, of which
    # the database itself keeps at most one active; going back removes exactly them.
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    insert = (
        "INSERT INTO retention_models (version, trained_from, trained_to, outcomes, returns, "
        "metrics, left_out, model, active) VALUES (:v, '2026-01-01', '2026-06-30', 300, 30, "
        "'{}', '{}', '{}', :active)"
    )
    with fresh_database(backend, tmp_path) as url:
        migrate.upgrade(url, "0010")
        engine = make_engine(url, pool_size=1)
        try:
            before = set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
        migrate.upgrade(url, "0011")
        engine = make_engine(url, pool_size=1)
        try:
            inspector = inspect(engine)
            assert set(inspector.get_table_names()) - before == {"retention_models"}
            decisions = {c["name"] for c in inspector.get_columns("placement_decisions")}
            assert {"region_code", "outcome_features"} <= decisions
            assert "outcome_features" in {c["name"] for c in inspector.get_columns("placements")}
            with engine.begin() as conn:
                conn.execute(text(insert), {"v": "a", "active": True})
                conn.execute(text(insert), {"v": "b", "active": False})
                conn.execute(text(insert), {"v": "c", "active": False})
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(text("UPDATE retention_models SET active = :t WHERE version = 'b'"),
                             {"t": True})  # fmt: skip
        finally:
            engine.dispose()
        migrate.downgrade(url, "0010")
        engine = make_engine(url, pool_size=1)
        try:
            assert set(inspect(engine).get_table_names()) == before
            decisions = {c["name"] for c in inspect(engine).get_columns("placement_decisions")}
            assert not {"region_code", "outcome_features"} & decisions
        finally:
            engine.dispose()
        migrate.upgrade(url)
        engine = make_engine(url, pool_size=1)
        try:
            assert migrate.schema_drift(engine) == []
        finally:
            engine.dispose()
