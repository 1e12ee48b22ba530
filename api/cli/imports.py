"""``qonys import``: one file imported as a job of this process, with the job's report.

The file is stored and queued like an upload over HTTP, then claimed and run here at once
(under a lease with heartbeats, so a killed ``qonys import`` leaves a job another worker
reclaims, and none of its rows). Exit code 0 with the counts and every bad row; 1 with one
line when the file cannot be imported.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import describe, fail


def import_command(
    kind: Annotated[
        str, typer.Argument(help="households, employers, vacancies, homes or capacities.")
    ],
    file: Annotated[Path, typer.Argument(help="CSV, Parquet or Excel file.")],
) -> None:
    """Import a file: good rows are stored, rows with errors are listed (see docs/import_formats.md)."""
    from sqlalchemy import select

    from api.app import job_worker
    from api.core.db import make_engine, make_sessionmaker, session_scope
    from api.core.jobs import claim_job, run_job
    from api.core.settings import get_settings
    from api.imports.service import (
        IMPORT_JOB,
        KINDS,
        ImportFileError,
        check_columns,
        enqueue_import,
        read_table,
    )
    from api.models import ImportFileRecord, JobRecord
    from matching.programme.geography import load_reference
    from matching.programme.support import load_support_parameters

    if kind not in KINDS:
        raise fail(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror or exc}") from exc
    try:
        check_columns(kind, read_table(content, file.name))
    except ImportFileError as exc:
        raise fail(f"{file}: {exc.text.en}") from exc
    settings = get_settings()
    engine = make_engine(settings.database_url, pool_size=2)
    sessions = make_sessionmaker(engine)
    name = f"import-{os.getpid()}"
    try:
        with session_scope(sessions) as session:
            job_id = enqueue_import(session, kind, content, file.name, created_by="cli").id
        runner = job_worker(
            sessions,
            load_reference(settings.data_dir),
            load_support_parameters(settings.data_dir),
            settings=settings,
        )
        job = claim_job(sessions, job_id, name, lease_seconds=runner.lease_seconds)
        if job is None:
            raise RuntimeError("the queued import was taken by another worker")
        run_job(
            job,
            sessions,
            {IMPORT_JOB: runner.handlers[IMPORT_JOB]},
            runner.services,
            worker=name,
            heartbeat_seconds=runner.heartbeat_seconds,
            lease_seconds=runner.lease_seconds,
        )
        with sessions() as session:
            done = session.get(JobRecord, job_id)
            report_csv = session.scalar(
                select(ImportFileRecord.errors_csv).where(ImportFileRecord.job_id == job_id)
            )
    except typer.Exit:
        raise
    except Exception as exc:
        raise fail(f"import failed: {describe(exc)}") from exc
    finally:
        engine.dispose()
    if done is None or done.status != "succeeded" or not done.result:
        detail = ((done.error or {}).get("detail") or {}).get("en") if done else None
        raise fail(f"{file}: {detail or 'the import did not finish'}")
    r = done.result
    typer.echo(
        f"{kind}: {r['rows']} rows; inserted {r['inserted']}, updated {r['updated']}, "
        f"unchanged {r['unchanged']}, rejected {r['rejected']}"
    )
    if r.get("previous_job_id"):
        typer.echo(f"  the same file was imported before (job {r['previous_job_id']})")
    for error in csv.DictReader(io.StringIO((report_csv or b"").decode("utf-8-sig"))):
        where = f"row {error['row']}" + (
            f" ({error['external_id']})" if error["external_id"] else ""
        )
        typer.echo(f"  {where}: {error['field'] or '-'}: {error['reason_en']}")
