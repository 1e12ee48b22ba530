"""``/taxonomy/corrections``: clerks propose title → code corrections, an admin reviews them.

Centre staff and admins propose; only admins list, approve, reject and export. An approved
correction is an alias of the normalizer at once in this process (and within the taxonomy
service's refresh interval in the others); the export is the alias tables' CSV.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from api.auth.service import Principal, require_roles
from api.core.deps import LangDep, SessionDep
from api.core.pagination import PagingDep, paged
from api.core.params import IdPath
from api.core.problems import problem_responses
from api.core.schemas import Page
from api.models.taxonomy import TaxonomyCorrectionRecord
from api.taxonomy import corrections
from api.taxonomy.schemas import CorrectionIn, CorrectionOut, Kind, Status
from api.taxonomy.service import TaxonomyService

router = APIRouter(prefix="/taxonomy/corrections", tags=["taxonomy"])


def _service(request: Request) -> TaxonomyService:
    svc: TaxonomyService = request.app.state.taxonomy
    return svc


def author_of(principal: Principal) -> corrections.Author:
    return corrections.Author(principal.role, principal.name, token_id=principal.token_id)


def correction_out(
    svc: TaxonomyService, row: TaxonomyCorrectionRecord, lang: str
) -> CorrectionOut:
    taxonomy = svc.taxonomy
    known = row.code in taxonomy.occupations or row.code in taxonomy.skills
    label = taxonomy.label(row.code, lang) if known else row.code
    return CorrectionOut.model_validate({**_columns(row), "label": label})


def _columns(row: TaxonomyCorrectionRecord) -> dict[str, object]:
    return {c.key: getattr(row, c.key) for c in TaxonomyCorrectionRecord.__table__.columns}


@router.post(
    "",
    response_model=CorrectionOut,
    status_code=201,
    responses={
        200: {"description": "The same correction was already proposed"},
        **problem_responses(401, 403, 422),
    },
)
def propose(
    body: CorrectionIn,
    request: Request,
    session: SessionDep,
    lang: LangDep,
    principal: Principal = require_roles("centre", "admin"),
) -> Response:
    """Propose that a title maps to a code (stored pending, for an admin to review)."""
    svc = _service(request)
    row, created = corrections.record(
        session,
        svc,
        author_of(principal),
        text=body.text,
        kind=body.kind,
        lang=body.lang or corrections.guess_lang(body.text, lang),
        code=body.code.strip(),
        source="api",
    )
    session.commit()
    out = correction_out(svc, row, lang)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if created else 200)


@router.get("", response_model=Page[CorrectionOut], responses=problem_responses(401, 403, 422))
def list_corrections(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    paging: PagingDep,
    status: Status | None = None,
    kind: Kind | None = None,
    principal: Principal = require_roles("admin"),
) -> Page[CorrectionOut]:
    """Corrections, oldest first (``status=pending`` is the review queue)."""
    svc = _service(request)
    total, rows = corrections.page(
        session, status=status, kind=kind, offset=paging.offset, limit=paging.limit
    )
    return paged(CorrectionOut, total, rows, paging, lambda r: correction_out(svc, r, lang))


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(401, 403, 422)},
)
def export(
    request: Request,
    session: SessionDep,
    format: Annotated[Literal["csv"], Query(description="Only CSV.")] = "csv",
    kind: Kind = "occupation",
    principal: Principal = require_roles("admin"),
) -> Response:
    """Approved corrections as rows of the alias table (``occupation_aliases.csv`` columns)."""
    return corrections.export_download(session, kind)


@router.post(
    "/{correction_id}/{action}",
    response_model=CorrectionOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def review(
    correction_id: IdPath,
    action: Literal["approve", "reject"],
    request: Request,
    session: SessionDep,
    lang: LangDep,
    principal: Principal = require_roles("admin"),
) -> CorrectionOut:
    """Approve a pending correction (its title becomes an alias of its code at once) or
    reject it (kept, with who rejected it; never an alias). A decision is made once: 409."""
    svc = _service(request)
    row = corrections.review(
        session, svc, correction_id, author_of(principal), approve=action == "approve"
    )
    return correction_out(svc, row, lang)
