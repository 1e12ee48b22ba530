"""Migration 0004: capacity rows recorded before it get 0 reserved beds, and the check
constraint keeps reserved beds between 0 and the beds recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from api.core import migrate
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.settings import REPO_ROOT
from api.reference.service import seed_reference
from tests.databases import fresh_database

LOCALITY = "55-pavlodar"


def test_existing_rows_get_zero_reserved_beds_and_the_check_holds(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        migrate.upgrade(url, "0003")
        engine = make_engine(url, pool_size=1)
        try:
            with session_scope(make_sessionmaker(engine)) as session:
                seed_reference(session, REPO_ROOT / "data")
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO locality_capacities (locality_id, kindergarten_seats, "
                        "school_seats, land_plots, accommodation_beds, kindergarten_reserved, "
                        "school_reserved, land_plots_reserved) "
                        "VALUES (:id, 10, 10, 0, 20, 0, 0, 0)"
                    ),
                    {"id": LOCALITY},
                )
        finally:
            engine.dispose()
        migrate.upgrade(url)
        engine = make_engine(url, pool_size=1)
        try:
            with engine.begin() as conn:
                beds, held = conn.execute(
                    text(
                        "SELECT accommodation_beds, accommodation_beds_reserved "
                        "FROM locality_capacities WHERE locality_id = :id"
                    ),
                    {"id": LOCALITY},
                ).one()
            assert (beds, held) == (20, 0)
            for value in (21, -1):
                with pytest.raises(IntegrityError), engine.begin() as conn:
                    conn.execute(
                        text(
                            "UPDATE locality_capacities SET accommodation_beds_reserved = :v "
                            "WHERE locality_id = :id"
                        ),
                        {"v": value, "id": LOCALITY},
                    )
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "UPDATE locality_capacities SET accommodation_beds_reserved = 20 "
                        "WHERE locality_id = :id"
                    ),
                    {"id": LOCALITY},
                )
        finally:
            engine.dispose()
