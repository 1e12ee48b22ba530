"""The applicant block of the centre's household page: issue and revoke access links.

A clerk of the household's region (or an admin) issues a single-use link and hands it to the
applicant; the secret is shown on the page once, right after issuing, and never again (only
its hash is stored). The same region rule as ``POST /households/{id}/access-links``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from starlette.responses import Response

from api.applicants import service as rules
from api.core.deps import SessionDep
from api.core.params import IdPath
from api.households.service import load as load_household
from api.web.session import PageNotFound, Visitor, as_page, require_staff
from api.web.signin import redirect
from api.web.templates import render

router = APIRouter(prefix="/app/centre/households", include_in_schema=False)
CLERKS = ("centre", "admin")
LinkId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


def _check(session: SessionDep, visitor: Visitor, household_id: int) -> None:
    record = as_page(lambda: load_household(session, household_id))
    visitor.ensure_household(record.id, record.origin_region_code)


@router.post("/{household_id}/access-links")
def issue_link(
    request: Request,
    session: SessionDep,
    household_id: IdPath,
    visitor: Visitor = require_staff(*CLERKS),
) -> Response:
    _check(session, visitor, household_id)
    issued = rules.issue_link(
        session, household_id, issued_by=visitor.principal.name, actor=visitor.principal
    )
    session.commit()
    url = str(request.base_url).rstrip("/") + issued.path
    context = {"household_id": household_id, "url": url, "days": rules.LINK_DAYS_DEFAULT}
    return render(request, "applicants/link_issued.html", context)


@router.post("/{household_id}/access-links/{link_id}/revoke")
def revoke_link(
    request: Request,
    session: SessionDep,
    household_id: IdPath,
    link_id: LinkId,
    visitor: Visitor = require_staff(*CLERKS),
) -> Response:
    _check(session, visitor, household_id)
    if not rules.revoke_link(session, household_id, link_id, actor=visitor.principal):
        raise PageNotFound()
    session.commit()
    return redirect(request, f"/app/centre/households/{household_id}#applicant-h")
