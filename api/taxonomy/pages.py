"""``GET /app/taxonomy/suggest``: occupation and skill suggestions for the pages' autocomplete.

JSON, not a page: the household form's script asks it as the clerk types. It calls the
taxonomy service's :func:`~api.taxonomy.service.suggest` (word starts, then the normalizer
for typos), in the visitor's language; staff only, like the forms that use it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from api.taxonomy.service import TaxonomyService, suggest
from api.web.session import Visitor, require_staff

router = APIRouter(prefix="/app/taxonomy", include_in_schema=False)


@router.get("/suggest")
def suggestions(
    request: Request,
    q: Annotated[str, Query(max_length=100)] = "",
    kind: Literal["occupation", "skill"] = "occupation",
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
    visitor: Visitor = require_staff(),
) -> JSONResponse:
    svc: TaxonomyService = request.app.state.taxonomy
    found = suggest(svc, q, kind, visitor.lang, limit) if len(q.strip()) >= 2 else []
    response = JSONResponse(
        {"items": [{"code": s.code, "isco": s.isco, "label": s.label} for s in found]}
    )
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
