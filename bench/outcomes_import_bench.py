"""Bulk import speed of recorded outcomes: one row per household, imported twice.

Usage: ``.venv/bin/python bench/outcomes_import_bench.py [--rows 20000] [--backends sqlite,postgresql]``

Each backend gets a fresh database (migrated, reference data seeded, ``rows`` households
inserted directly). The CSV has one outcome per household (employment counts, residence, a
tenth returned with a reason). The first import inserts every outcome with its audit row; the
second must report every row unchanged. Prints rows per second per phase.
PostgreSQL: ``QONYS_BENCH_POSTGRES_URL`` (server-level URL; default as in the test suite).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import polars as pl
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.migrate import upgrade
from api.core.settings import REPO_ROOT
from api.imports.readers import read_table
from api.models import HouseholdRecord
from api.models.audit import AuditRecord
from api.outcomes.importer import import_outcomes
from api.reference.service import seed_reference

DATA = REPO_ROOT / "data"


def households(rows: int) -> list[dict[str, object]]:
    return [
        {
            "external_id": f"H{i:06d}",
            "applicant_iin": f"{900101300000 + i:012d}",
            "origin_region_code": "61",
            "origin_settlement": "village",
            "application_date": dt.date(2025, 3, 1),
            "category": "resettler",
        }
        for i in range(rows)
    ]


def outcomes_csv(rows: int, seed: int = 3) -> bytes:
    rng = np.random.default_rng(seed)
    returned = rng.random(rows) < 0.1
    frame = pl.DataFrame(
        {
            "household_external_id": [f"H{i:06d}" for i in range(rows)],
            "employed_3m": np.zeros(rows, dtype=np.int64),
            "still_resident": np.where(returned, "no", "yes"),
            "returned": np.where(returned, "yes", "no"),
            "returned_on": np.where(returned, "2026-01-15", ""),
            "return_reason": np.where(
                returned, rng.choice(["housing", "job", "climate", "family", "other"], rows), ""
            ),
        }
    )
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    return buffer.getvalue()


def run(url: str, rows: int) -> None:
    upgrade(url)
    engine = make_engine(url, pool_size=2)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as session:
        seed_reference(session, DATA)
        session.execute(insert(HouseholdRecord), households(rows))
    content = outcomes_csv(rows)
    for phase in ("first", "second"):
        started = time.perf_counter()
        with session_scope(sessions) as session:
            report = import_outcomes(session, read_table(content, "outcomes.csv"), actor=None)
        seconds = time.perf_counter() - started
        print(
            f"  {phase}: {rows / seconds:,.0f} rows/s ({seconds:.2f} s) inserted "
            f"{report.inserted}, unchanged {report.unchanged}, rejected {report.rejected}"
        )
    with session_scope(sessions) as session:
        audited = session.scalar(select(func.count()).select_from(AuditRecord))
    print(f"  audit rows: {audited}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        print(f"{backend}: {args.rows:,} outcome rows")
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.rows)
            continue
        admin_url = make_url(
            os.environ.get(
                "QONYS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
            )
        )
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        name = f"qonys_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(admin_url.set(database=name).render_as_string(hide_password=False), args.rows)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
