"""Recorded outcomes over HTTP: read, record (PUT), correct (PATCH), list, bulk import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile

from api.auth.service import Principal, require_roles
from api.core.deps import LangDep, SessionDep
from api.core.pagination import PagingDep
from api.core.params import IdPath
from api.core.problems import problem_responses
from api.core.schemas import Page
from api.imports.service import ImportFileError, read_table, read_upload, unreadable_file
from api.outcomes import service
from api.outcomes.importer import import_outcomes
from api.outcomes.schemas import OutcomeImportOut, OutcomeIn, OutcomeOut, OutcomePatch

router = APIRouter(prefix="/outcomes", tags=["outcomes"])

READERS = require_roles("admin", "planner", "centre")
WRITERS = require_roles("planner", "centre")
MAX_UPLOAD_BYTES = 16 * 1024 * 1024


@router.get("", response_model=Page[OutcomeOut], responses=problem_responses(401, 403, 404, 422))
def read_outcomes(
    request: Request,
    session: SessionDep,
    paging: PagingDep,
    region: Annotated[
        str | None, Query(description="Origin or placement region.", max_length=120)
    ] = None,
    returned: bool | None = None,
    principal: Principal = READERS,
) -> Page[OutcomeOut]:
    """Recorded outcomes, newest first; a centre sees its own region's households only."""
    return service.list_outcomes(
        request, session, principal, paging, region=region, returned=returned
    )


@router.get(
    "/{household_id}", response_model=OutcomeOut, responses=problem_responses(401, 403, 404)
)
def read_outcome(
    session: SessionDep, household_id: IdPath, principal: Principal = READERS
) -> OutcomeOut:
    """The household's recorded outcome."""
    return service.read(session, principal, household_id)


@router.put(
    "/{household_id}", response_model=OutcomeOut, responses=problem_responses(401, 403, 404, 422)
)
def put_outcome(
    session: SessionDep, body: OutcomeIn, household_id: IdPath, principal: Principal = WRITERS
) -> OutcomeOut:
    """Record the household's outcome (replaces what was recorded; audited)."""
    return service.put(session, principal, household_id, body)


@router.patch(
    "/{household_id}", response_model=OutcomeOut, responses=problem_responses(401, 403, 404, 422)
)
def patch_outcome(
    session: SessionDep, body: OutcomePatch, household_id: IdPath, principal: Principal = WRITERS
) -> OutcomeOut:
    """Correct some fields of the recorded outcome (audited)."""
    return service.patch(session, principal, household_id, body)


@router.post(
    "/imports", response_model=OutcomeImportOut, responses=problem_responses(401, 403, 413, 422)
)
def import_file(
    session: SessionDep, lang: LangDep, file: UploadFile, principal: Principal = WRITERS
) -> OutcomeImportOut:
    """Import outcomes from CSV, Parquet or Excel (``household_external_id``, ``employed_3m``,
    ``employed_6m``, ``employed_12m``, ``still_resident``, ``returned``, ``returned_on``,
    ``return_reason``, ``note``); bad rows are reported, good rows kept."""
    content = read_upload(file.file, MAX_UPLOAD_BYTES)
    try:
        report = import_outcomes(
            session,
            read_table(content, file.filename),
            actor=principal,
            region_scope=principal.region_code if principal.role == "centre" else None,
        )
    except ImportFileError as exc:
        raise unreadable_file(exc) from None
    session.commit()
    return OutcomeImportOut.model_validate(report.as_dict(lang))
