"""Taxonomy for the pages: the autocomplete's JSON and the admin's review of corrections.

``GET /app/taxonomy/suggest`` is JSON, not a page: the household form's script asks it as the
clerk types. It calls the taxonomy service's :func:`~api.taxonomy.service.suggest` (word
starts, then the normalizer for typos, its suggestions when it abstains), in the visitor's
language; staff only, like the forms that use it.

``/app/taxonomy/corrections`` lists the corrections waiting for review (admins only), with
an approve and a reject button each (the same :func:`~api.taxonomy.corrections.review` as
the API); ``/app/taxonomy/corrections/export.csv`` downloads the approved aliases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from api.core.deps import SessionDep
from api.core.params import IdPath
from api.core.problems import ProblemException
from api.models.taxonomy import TaxonomyCorrectionRecord
from api.taxonomy import corrections
from api.taxonomy.service import TaxonomyService, suggest
from api.web.session import Visitor, as_page, require_staff
from api.web.signin import redirect
from api.web.templates import register_nav, register_templates, render, translate
from matching.text import Text

register_templates("taxonomy", Path(__file__).with_name("templates") / "taxonomy")
register_nav(
    "taxonomy.nav.corrections", "/app/taxonomy/corrections", roles=("admin",), order=40
)
router = APIRouter(prefix="/app/taxonomy", include_in_schema=False)
PER_PAGE = 20


def _service(request: Request) -> TaxonomyService:
    svc: TaxonomyService = request.app.state.taxonomy
    return svc


@router.get("/suggest")
def suggestions(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
    kind: Literal["occupation", "skill"] = "occupation",
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
    visitor: Visitor = require_staff(),
) -> JSONResponse:
    svc = _service(request)
    svc.refresh(session)
    found = suggest(svc, q, kind, visitor.lang, limit) if len(q.strip()) >= 2 else []
    response = JSONResponse(
        {"items": [{"code": s.code, "isco": s.isco, "label": s.label} for s in found]}
    )
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _list_page(
    request: Request,
    session: SessionDep,
    visitor: Visitor,
    page: int,
    messages: list[dict[str, str]],
    status: int = 200,
) -> Response:
    svc = _service(request)
    total, rows = corrections.page(
        session, status="pending", kind=None, offset=(page - 1) * PER_PAGE, limit=PER_PAGE
    )
    max_page = max(1, -(-total // PER_PAGE))

    def label(code: str | None) -> str:
        taxonomy = svc.taxonomy
        if code and (code in taxonomy.occupations or code in taxonomy.skills):
            return taxonomy.label(code, visitor.lang)
        return code or ""

    context = {
        "rows": rows,
        "total": total,
        "page": min(page, max_page),
        "max_page": max_page,
        "label": label,
        "messages": messages,
    }
    return render(request, "taxonomy/corrections.html", context, status)


@router.get("/corrections")
def corrections_page(
    request: Request,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=10**6)] = 1,
    done: Literal["approved", "rejected"] | None = None,
    id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    visitor: Visitor = require_staff("admin"),
) -> Response:
    messages = []
    if done is not None and id is not None:
        row = session.get(TaxonomyCorrectionRecord, id)
        if row is not None and row.status == done:
            text = translate(visitor.lang, f"taxonomy.corrections.{done}", text=row.text, code=row.code)
            messages.append({"kind": "ok", "text": text})
    return _list_page(request, session, visitor, page, messages)


@router.post("/corrections/{correction_id}/{action}")
def review_correction(
    request: Request,
    session: SessionDep,
    correction_id: IdPath,
    action: Literal["approve", "reject"],
    visitor: Visitor = require_staff("admin"),
) -> Response:
    author = corrections.Author(visitor.role or "", visitor.username or "", user_id=visitor.user_id)
    svc = _service(request)
    try:
        as_page(
            lambda: corrections.review(
                session, svc, correction_id, author, approve=action == "approve"
            )
        )
    except ProblemException as exc:
        if exc.status != 409:
            raise
        session.rollback()
        detail = exc.detail
        text = detail.get(visitor.lang) if isinstance(detail, Text) else str(detail)
        return _list_page(request, session, visitor, 1, [{"kind": "error", "text": text}], 409)
    done = "approved" if action == "approve" else "rejected"
    return redirect(request, f"/app/taxonomy/corrections?done={done}&id={correction_id}")


@router.get("/corrections/export.csv")
def export_page(
    session: SessionDep,
    kind: Literal["occupation", "skill"] = "occupation",
    visitor: Visitor = require_staff("admin"),
) -> Response:
    return corrections.export_download(session, kind)
