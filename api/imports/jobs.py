"""Imports as jobs: the upload is stored, a job of kind ``import`` runs it, a report stays.

The uploaded bytes are kept in ``import_files`` (the database, not a local folder), so
whichever worker process claims the job — the API's own thread, ``qonys worker`` on another
machine — can read them. The job reads and validates the file, then writes every good row
and the error report in **one transaction**: an import is whole or absent. A cancellation
(checked while validating, and once more just before the commit) or a crash of the worker
leaves nothing of it in the programme tables. Importing the same file again (same kind and
SHA-256 of the bytes) changes nothing (records are matched by external id) and the report
names the earlier job.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.core.jobs import JobContext, JobFailed, enqueue
from api.core.pause import pause_point
from api.imports.readers import ImportFileError, read_table
from api.imports.rows import ImportReport
from api.imports.tables import import_table
from api.models import ImportFileRecord, JobRecord
from api.taxonomy.service import OccupationResolver, occupation_resolver

IMPORT_JOB = "import"
# The job's stored result lists this many errors; the CSV report has all of them.
ERRORS_IN_RESULT = 200


def file_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def enqueue_import(
    session: Session,
    kind: str,
    content: bytes,
    filename: str | None,
    *,
    region_scope: str | None = None,
    created_by: str | None = None,
    actor: audit.Actor | None = None,
) -> JobRecord:
    """Store the upload and queue its import job (the caller commits).

    Who uploaded, and the request's id, travel in the job's parameters: the batch's audit row
    is written by the worker, in the import's own transaction, but names the uploader.
    """
    digest = file_digest(content)
    job = enqueue(
        session,
        IMPORT_JOB,
        {
            "kind": kind,
            "filename": filename or "",
            "sha256": digest,
            "region_scope": region_scope,
            "actor": audit.actor_snapshot(actor),
            "request_id": audit.request_id(),
        },
        created_by=created_by,
    )
    session.add(
        ImportFileRecord(
            job_id=job.id,
            kind=kind,
            filename=(filename or "")[:300],
            sha256=digest,
            size=len(content),
            content=content,
            region_scope=region_scope,
        )
    )
    session.flush()
    return job


def previous_import(session: Session, kind: str, digest: str, job_id: str) -> str | None:
    """The latest earlier import of the same bytes as ``kind`` that succeeded."""
    return session.scalar(
        select(JobRecord.id)
        .join(ImportFileRecord, ImportFileRecord.job_id == JobRecord.id)
        .where(
            ImportFileRecord.kind == kind,
            ImportFileRecord.sha256 == digest,
            JobRecord.status == "succeeded",
            JobRecord.id != job_id,
        )
        .order_by(JobRecord.finished_at.desc())
        .limit(1)
    )


def errors_csv(report: ImportReport, rows: list[dict[str, Any]]) -> bytes:
    """The bad rows: row number, id, column, the reason in kk/ru/en, then the row's cells."""
    cells = list(rows[0]) if rows else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["row", "external_id", "field", "reason_kk", "reason_ru", "reason_en", *cells])
    for e in sorted(report.errors, key=lambda e: (e.row, e.field or "")):
        source = rows[e.row - 1] if 0 < e.row <= len(rows) else {}
        writer.writerow(
            [e.row, e.external_id or "", e.field or "", e.text.kk, e.text.ru, e.text.en]
            + ["" if source.get(c) is None else str(source.get(c)) for c in cells]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def result_of(report: ImportReport, previous: str | None) -> dict[str, Any]:
    errors = sorted(report.errors, key=lambda e: (e.row, e.field or ""))
    return {
        "kind": report.kind,
        "rows": report.rows,
        "inserted": report.inserted,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "errors_total": len(errors),
        "errors": [
            {
                "row": e.row,
                "external_id": e.external_id,
                "field": e.field,
                "message": e.text.as_dict(),
            }
            for e in errors[:ERRORS_IN_RESULT]
        ],
        "previous_job_id": previous,
    }


def _file_error(exc: ImportFileError) -> JobFailed:
    errors = [
        {"loc": ["file", column], "msg": "missing column", "type": "missing"}
        for column in exc.missing
    ]
    return JobFailed(exc.text, errors=errors)


def _checkpoint(ctx: JobContext, session: Session) -> Callable[[str, float], None]:
    def checkpoint(phase: str, fraction: float) -> None:
        if phase == "write":
            ctx.check_cancelled()
            ctx.progress("write", 0.8, "writing the rows", force=True)
            if session.get_bind().dialect.name == "sqlite":
                # End the read snapshot and take the write lock now: a WAL reader whose
                # snapshot went stale (a heartbeat committed meanwhile) cannot become a writer.
                session.commit()
                session.execute(
                    update(JobRecord).where(JobRecord.id == ctx.job_id).values(phase="write")
                )
            return
        ctx.progress("validate", 0.1 + 0.7 * fraction, "checking the rows")
        if fraction > 0:
            ctx.check_cancelled()

    return checkpoint


def run_import_job(ctx: JobContext) -> dict[str, Any]:
    """Job handler ``import``: read, validate and write one stored upload in one transaction."""
    ctx.progress("read", 0.02, "reading the file", force=True)
    with ctx.sessions() as session:
        stored = session.scalars(
            select(ImportFileRecord).where(ImportFileRecord.job_id == ctx.job_id)
        ).one()
        kind, content, filename = stored.kind, stored.content, stored.filename
        region_scope = stored.region_scope
    try:
        frame = read_table(content, filename)
    except ImportFileError as exc:
        raise _file_error(exc) from None
    del content
    ctx.progress("validate", 0.1, f"{frame.height} rows", force=True)
    ctx.check_cancelled()
    with (
        ctx.sessions() as session,
        structlog.contextvars.bound_contextvars(request_id=ctx.params.get("request_id")),
    ):
        try:
            report = import_table(
                session,
                kind,
                frame,
                reference=ctx.services["reference"],
                occupations=lambda: _occupations(ctx, session),
                region_scope=region_scope,
                checkpoint=_checkpoint(ctx, session),
                actor=audit.actor_from(ctx.params.get("actor")),
            )
        except ImportFileError as exc:
            raise _file_error(exc) from None
        pause_point("import.written")
        ctx.fence(session)  # cancelled or taken over: the transaction is rolled back unsaved
        previous = previous_import(session, kind, stored.sha256, ctx.job_id)
        session.execute(
            update(ImportFileRecord)
            .where(ImportFileRecord.job_id == ctx.job_id)
            .values(errors_csv=errors_csv(report, frame.to_dicts() if report.errors else []))
        )
        session.commit()
    return result_of(report, previous)


def _occupations(ctx: JobContext, session: Session) -> OccupationResolver:
    state = ctx.services.get("taxonomy_state")
    if state is None:
        from types import SimpleNamespace

        state = ctx.services["taxonomy_state"] = SimpleNamespace()
    return occupation_resolver(state, ctx.services.get("taxonomy_dir"), session=session)
