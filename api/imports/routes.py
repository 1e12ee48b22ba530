"""Bulk import (CSV, Parquet, Excel) as jobs with a row-level report, and export in the same
columns."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.service import Principal, require_roles
from api.core.deps import LangDep, SessionDep
from api.core.job_errors import error_in
from api.core.job_phases import phase_message
from api.core.jobs import request_cancel
from api.core.problems import ProblemException, problem_responses
from api.imports.exports import MEDIA_TYPES, export_frame, to_bytes
from api.imports.jobs import enqueue_import
from api.imports.readers import ImportFileError, read_table, read_upload, unreadable_file
from api.imports.rows import check_columns
from api.imports.schemas import ImportJobError, ImportJobOut, ImportReportOut
from api.models import ImportFileRecord, JobRecord
from matching.text import Lang, Text, msg

router = APIRouter(tags=["imports"])

Kind = Literal["households", "employers", "vacancies", "homes", "capacities"]
STAFF = require_roles("admin", "planner", "centre")
MAX_UPLOAD_BYTES = 64 * 1024 * 1024

NOT_FINISHED = Text(
    kk="Импорт әлі аяқталмаған ({status}): қателер есебі кейін дайын болады.",
    ru="Импорт ещё не завершён ({status}): отчёт об ошибках появится позже.",
    en="The import has not finished yet ({status}): the error report comes later.",
)
PLANNERS_READ_HOUSEHOLDS = Text(
    kk="Жоспарлаушылар отбасылар деректерін өзгерте алмайды.",
    ru="Планировщики не могут изменять данные семей.",
    en="Planners cannot change households.",
)


def _no_planner_households(kind: str, principal: Principal) -> None:
    if kind == "households" and principal.role == "planner":
        raise ProblemException(403, PLANNERS_READ_HOUSEHOLDS, type_="/problems/forbidden-role")


@router.post(
    "/imports/{kind}",
    status_code=202,
    response_model=ImportJobOut,
    responses=problem_responses(401, 403, 413, 422),
)
def import_file(
    response: Response,
    session: SessionDep,
    lang: LangDep,
    kind: Annotated[Kind, Path()],
    file: UploadFile,
    principal: Principal = STAFF,
) -> ImportJobOut:
    """Queue the import of a CSV, Parquet or Excel file: 202 with the job's address.

    The file is checked as a whole first (readable, the kind's columns): a file that cannot
    be imported is a 422 at once and nothing is queued. The job then validates every row —
    bad rows are reported (`errors_url`: a CSV with the reasons), good rows kept — and writes
    them in one transaction: an import is whole or absent, also when it is cancelled or its
    worker dies. Records are matched by external id (capacities by locality id): importing
    the same file twice changes nothing, and the report names the earlier import. Households
    take one row per member; a bad member row rejects the whole household. Centre staff can
    import rows of their own region only.
    """
    _no_planner_households(kind, principal)
    content = read_upload(file.file, MAX_UPLOAD_BYTES)
    try:
        check_columns(kind, read_table(content, file.filename))
    except ImportFileError as exc:
        raise unreadable_file(exc) from None
    job = enqueue_import(
        session,
        kind,
        content,
        file.filename,
        region_scope=principal.region_code if principal.role == "centre" else None,
        created_by=principal.name,
        actor=principal,
    )
    session.commit()
    out = _job_out(session, job.id, lang)
    response.headers["Location"] = out.url
    return out


def _job_out(session: Session, job_id: str, lang: Lang) -> ImportJobOut:
    row = session.execute(
        select(JobRecord, ImportFileRecord)
        .join(ImportFileRecord, ImportFileRecord.job_id == JobRecord.id)
        .where(JobRecord.id == job_id)
    ).first()
    if row is None:
        raise ProblemException(
            404, msg("jobs.not_found", id=job_id), type_="/problems/unknown-import"
        )
    job, stored = row
    report = None
    if job.status == "succeeded" and job.result:
        result = dict(job.result)
        result["errors"] = [
            {**e, "message": (e.get("message") or {}).get(lang, "")}
            for e in result.get("errors") or []
        ]
        report = ImportReportOut.model_validate(result)
    stored_error = error_in(job.error, lang)
    error = None if stored_error is None else ImportJobError(**stored_error)
    url = f"/imports/jobs/{job.id}"
    return ImportJobOut(
        id=job.id,
        kind=stored.kind,
        status=job.status,  # type: ignore[arg-type]
        progress=job.progress,
        phase=job.phase,
        message=phase_message(job.phase, job.status, lang),
        filename=stored.filename,
        sha256=stored.sha256,
        attempts=job.attempts,
        cancel_requested=job.cancel_requested,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        report=report,
        error=error,
        url=url,
        errors_url=f"{url}/errors.csv",
        cancel_url=f"{url}/cancel",
    )


def _visible(session: Session, job_id: str, principal: Principal) -> None:
    """404 unless the job is an import this principal may see (centres: their region's)."""
    scope = session.scalar(
        select(ImportFileRecord.region_scope).where(ImportFileRecord.job_id == job_id)
    )
    exists = session.scalar(select(ImportFileRecord.id).where(ImportFileRecord.job_id == job_id))
    if exists is None or (principal.role == "centre" and scope != principal.region_code):
        raise ProblemException(
            404, msg("jobs.not_found", id=job_id), type_="/problems/unknown-import"
        )


JobPath = Annotated[str, Path(min_length=1, max_length=32, pattern="^[0-9a-f]+$")]


@router.get(
    "/imports/jobs/{job_id}",
    response_model=ImportJobOut,
    responses=problem_responses(401, 403, 404),
)
def import_job(
    session: SessionDep, lang: LangDep, job_id: JobPath, principal: Principal = STAFF
) -> ImportJobOut:
    """An import job: status, phase and progress; counts and errors once it succeeded."""
    _visible(session, job_id, principal)
    return _job_out(session, job_id, lang)


@router.post(
    "/imports/jobs/{job_id}/cancel",
    status_code=202,
    response_model=ImportJobOut,
    responses=problem_responses(401, 403, 404, 409),
)
def cancel_import(
    session: SessionDep, lang: LangDep, job_id: JobPath, principal: Principal = STAFF
) -> ImportJobOut:
    """Cancel an import: a queued one at once, a running one at its next checkpoint (at the
    latest just before it would commit). A cancelled import has written nothing."""
    _visible(session, job_id, principal)
    job = request_cancel(session, job_id)
    session.commit()
    if job is not None and job.status in ("succeeded", "failed"):
        raise ProblemException(
            409,
            msg("jobs.cancel_too_late", id=job_id, status=job.status),
            type_="/problems/job-finished",
        )
    return _job_out(session, job_id, lang)


@router.get(
    "/imports/jobs/{job_id}/errors.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(401, 403, 404, 409)},
)
def import_errors(session: SessionDep, job_id: JobPath, principal: Principal = STAFF) -> Response:
    """The bad rows of a finished import with their reasons (kk, ru, en) and cells, as CSV."""
    _visible(session, job_id, principal)
    content = session.scalar(
        select(ImportFileRecord.errors_csv).where(ImportFileRecord.job_id == job_id)
    )
    if content is None:
        status = session.scalar(select(JobRecord.status).where(JobRecord.id == job_id))
        raise ProblemException(
            409, NOT_FINISHED.format(status=status), type_="/problems/import-not-finished"
        )
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}-errors.csv"'},
    )


@router.get(
    "/exports/{kind}",
    response_class=Response,
    responses={
        200: {"content": {m.split(";")[0]: {} for m in MEDIA_TYPES.values()}},
        **problem_responses(401, 403, 422),
    },
)
def export_file(
    session: SessionDep,
    kind: Annotated[Kind, Path()],
    format: Annotated[Literal["csv", "parquet", "xlsx"], Query()] = "csv",
    principal: Principal = STAFF,
) -> Response:
    """The stored records in the import columns; centre staff get their own region."""
    region = principal.list_scope(None)
    content = to_bytes(export_frame(session, kind, region_code=region), format)
    return Response(
        content,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{kind}.{format}"'},
    )
