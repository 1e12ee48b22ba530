"""Bulk import speed: 100,000 vacancy rows into SQLite and PostgreSQL, imported as jobs.

Usage: ``.venv/bin/python bench/import_bench.py [--rows 100000] [--backends sqlite,postgresql]``

Each backend gets a fresh database (migrated, reference data seeded, 2,000 employers). The
generated CSV has half its rows with an occupation code and half with a title only (titles
drawn from the taxonomy's aliases, so the normalizer runs on them). Every import runs the way
``POST /imports/vacancies`` has it run: the upload is stored and queued, and a job worker
(lease and heartbeat thread included) claims and runs it. The first import inserts
everything; the second (the same file) must report every row unchanged and name the first
job; the third changes every wage. Prints seconds from queueing to "succeeded" and rows/s.
PostgreSQL: ``QONYS_BENCH_POSTGRES_URL`` (server-level URL; default as in the test suite).
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from api.app import job_worker
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.job_worker import JobWorker
from api.core.migrate import upgrade
from api.core.settings import REPO_ROOT
from api.imports.readers import read_table
from api.imports.service import enqueue_import, import_table
from api.models import ImportFileRecord, JobRecord
from api.reference.service import seed_reference
from api.taxonomy.service import occupation_resolver
from matching.programme.geography import load_reference
from matching.programme.support import load_support_parameters

DATA = REPO_ROOT / "data"


class _State:
    """Stands in for ``app.state``: holds the occupation resolver once built."""


def make_files(rows: int, seed: int = 7) -> tuple[bytes, bytes]:
    """Employers CSV and vacancies CSV."""
    rng = np.random.default_rng(seed)
    reference = load_reference(DATA)
    destinations = [
        loc.id
        for loc in reference.all_localities
        if loc.region_code in {"10", "11", "35", "39", "55", "59", "63"}
    ]
    employers = pl.DataFrame(
        {
            "external_id": [f"E{i:05d}" for i in range(2000)],
            "name": [f"Employer {i}" for i in range(2000)],
            "locality_id": rng.choice(destinations, 2000).tolist(),
        }
    )
    resolver = occupation_resolver(_State())
    aliases = [a for a in resolver.taxonomy.occupation_aliases if a.lang == "ru"]
    pick = rng.choice(len(aliases), min(3000, len(aliases)), replace=False)
    titles = [aliases[i].alias for i in pick]
    codes = [aliases[i].code for i in pick]
    which = rng.integers(0, len(titles), rows)
    with_code = rng.random(rows) < 0.5
    emp_idx = rng.integers(0, 2000, rows)
    emp_locality = employers["locality_id"].to_list()
    vacancies = pl.DataFrame(
        {
            "external_id": [f"V{i:07d}" for i in range(rows)],
            "employer_external_id": [f"E{i:05d}" for i in emp_idx],
            "locality_id": [emp_locality[i] for i in emp_idx],
            "title": [titles[i] for i in which],
            "occupation": [codes[i] if c else None for i, c in zip(which, with_code, strict=True)],
            "wage_tenge": rng.integers(85, 600, rows) * 1000,
            "required_education": rng.choice(["secondary", "vocational", "higher"], rows).tolist(),
            "required_licences": rng.choice(["", "B", "C;CE", "tractor"], rows).tolist(),
            "posts": rng.integers(1, 4, rows),
            "employer_housing": rng.random(rows) < 0.2,
        }
    )
    out = []
    for frame in (employers, vacancies):
        buffer = io.BytesIO()
        frame.write_csv(buffer)
        out.append(buffer.getvalue())
    return out[0], out[1]


def run(url: str, employers_csv: bytes, vacancies_csv: bytes, rows: int) -> None:
    upgrade(url)
    engine = make_engine(url, pool_size=2)
    factory = make_sessionmaker(engine)
    reference = load_reference(DATA)
    state = _State()
    occupation_resolver(state)  # built before timing: the app builds it once per process
    with session_scope(factory) as session:
        seed_reference(session, DATA)
    with session_scope(factory) as session:
        import_table(session, "employers", read_table(employers_csv, "e.csv"), reference=reference,
                     occupations=lambda: occupation_resolver(state))  # fmt: skip
    backend = make_url(url).get_backend_name()
    runner = job_worker(factory, reference, load_support_parameters(DATA), taxonomy_state=state)
    first, inserted = "", 0
    for attempt in ("first", "second"):
        seconds, job_id, result = import_as_job(factory, runner, vacancies_csv)
        print(
            f"{backend:10s} {attempt:6s} import job: {rows:,} rows in {seconds:6.2f} s "
            f"= {rows / seconds:8,.0f} rows/s  (inserted {result['inserted']:,}, updated "
            f"{result['updated']:,}, unchanged {result['unchanged']:,}, rejected "
            f"{result['rejected']:,})"
        )
        if attempt == "first":
            first, inserted = job_id, result["inserted"]
        else:
            # Titles the normalizer abstains on are rejected both times; the rest is unchanged.
            assert result["unchanged"] == inserted and result["inserted"] == result["updated"] == 0
            assert result["previous_job_id"] == first, "the repeated file names the first job"
    # Third pass: every wage changed, so every stored row is updated.
    changed = pl.read_csv(io.BytesIO(vacancies_csv), infer_schema=False).with_columns(
        (pl.col("wage_tenge").cast(pl.Int64) + 1000).cast(pl.Utf8)
    )
    buffer = io.BytesIO()
    changed.write_csv(buffer)
    seconds, job_id, result = import_as_job(factory, runner, buffer.getvalue())
    with factory() as session:
        report = session.scalar(
            select(ImportFileRecord.errors_csv).where(ImportFileRecord.job_id == job_id)
        )
    print(
        f"{backend:10s} update import job: {rows:,} rows in {seconds:6.2f} s = "
        f"{rows / seconds:8,.0f} rows/s  (updated {result['updated']:,}, unchanged "
        f"{result['unchanged']:,}; error report {len(report or b'') / 1024:.0f} KB)"
    )
    engine.dispose()


def import_as_job(
    factory: sessionmaker[Session], runner: JobWorker, content: bytes
) -> tuple[float, str, dict[str, Any]]:
    """Queue the upload, let the worker run it; seconds from queueing to the job's end."""
    start = time.perf_counter()
    with session_scope(factory) as session:
        job_id = enqueue_import(session, "vacancies", content, "v.csv").id
    while runner.run_once():
        pass
    seconds = time.perf_counter() - start
    with factory() as session:
        job = session.get(JobRecord, job_id)
        assert job is not None and job.status == "succeeded", job and (job.status, job.error)
        return seconds, job_id, dict(job.result or {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    print("load:", os.getloadavg())
    start = time.perf_counter()
    employers_csv, vacancies_csv = make_files(args.rows)
    print(f"generated {args.rows:,} vacancy rows ({len(vacancies_csv) / 2**20:.1f} MB CSV) "
          f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                run(f"sqlite:///{Path(tmp) / 'bench.db'}", employers_csv, vacancies_csv, args.rows)
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
            run(admin_url.set(database=name).render_as_string(hide_password=False),
                employers_csv, vacancies_csv, args.rows)  # fmt: skip
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
