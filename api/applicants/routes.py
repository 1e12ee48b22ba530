"""API: access links a centre issues to an applicant, and the applicant's decisions.

Region-scoped exactly as ``GET /households/{id}``: a centre acts on its own region's
households only (``Principal.ensure_household``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.applicants import service as rules
from api.auth.service import Principal, require_roles
from api.core.deps import LangDep, SessionDep
from api.core.problems import ProblemException, problem_responses
from api.core.schemas import StrictBody, UtcDateTime
from api.households.service import load as load_household
from api.models import HouseholdRecord
from api.models.applicants import AccessLinkRecord
from api.web.session import aware
from matching.text import msg

router = APIRouter(prefix="/households", tags=["applicants"])

ISSUERS = require_roles("admin", "centre")
READERS = require_roles("admin", "planner", "centre", "applicant")
HouseholdId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class LinkIn(StrictBody):
    valid_days: int = Field(
        rules.LINK_DAYS_DEFAULT, ge=1, le=rules.LINK_DAYS_MAX, description="Days until it expires."
    )


class LinkOut(BaseModel):
    id: int
    household_id: int
    state: str = Field(description="active, used, revoked or expired")
    issued_by: str
    created_at: UtcDateTime
    expires_at: UtcDateTime
    used_at: UtcDateTime | None
    revoked_at: UtcDateTime | None


class IssuedLinkOut(LinkOut):
    path: str = Field(description="Give the applicant this address (shown once).")
    url: str


class DecisionOut(BaseModel):
    id: int
    household_id: int
    locality_id: str
    decision: str
    reason: str | None
    reason_text: str | None
    decided_at: UtcDateTime


def _household(session: Session, principal: Principal, household_id: int) -> HouseholdRecord:
    record = load_household(session, household_id)
    principal.ensure_household(household_id, record.origin_region_code)
    return record


def _link_out(link: AccessLinkRecord) -> LinkOut:
    return LinkOut(
        id=link.id,
        household_id=link.household_id,
        state=rules.link_state(link),
        issued_by=link.issued_by,
        created_at=aware(link.created_at),
        expires_at=aware(link.expires_at),
        used_at=aware(link.used_at) if link.used_at else None,
        revoked_at=aware(link.revoked_at) if link.revoked_at else None,
    )


@router.post(
    "/{household_id}/access-links",
    response_model=IssuedLinkOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 422),
)
def issue_access_link(
    request: Request,
    session: SessionDep,
    household_id: HouseholdId,
    body: LinkIn | None = None,
    principal: Principal = ISSUERS,
) -> IssuedLinkOut:
    """A single-use sign-in link for the household's applicant (expires; revocable)."""
    _household(session, principal, household_id)
    issued = rules.issue_link(
        session,
        household_id,
        issued_by=principal.name,
        valid_days=body.valid_days if body else rules.LINK_DAYS_DEFAULT,
        actor=principal,
    )
    session.commit()
    out = _link_out(issued.record)
    return IssuedLinkOut(
        **out.model_dump(), path=issued.path, url=str(request.base_url).rstrip("/") + issued.path
    )


@router.get(
    "/{household_id}/access-links",
    response_model=list[LinkOut],
    responses=problem_responses(401, 403, 404),
)
def list_access_links(
    session: SessionDep, household_id: HouseholdId, principal: Principal = ISSUERS
) -> list[LinkOut]:
    """The household's access links, newest first (secrets are never shown again)."""
    _household(session, principal, household_id)
    return [_link_out(link) for link in rules.links_of(session, household_id)]


@router.delete(
    "/{household_id}/access-links/{link_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
)
def revoke_access_link(
    session: SessionDep,
    household_id: HouseholdId,
    link_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    principal: Principal = ISSUERS,
) -> Response:
    """Revoke a link: it stops working at once (a session it opened is not affected)."""
    _household(session, principal, household_id)
    if not rules.revoke_link(session, household_id, link_id, actor=principal):
        raise ProblemException(
            404, msg("applicant.api.unknown_link", id=link_id), type_="/problems/unknown-link"
        )
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{household_id}/decisions",
    response_model=list[DecisionOut],
    responses=problem_responses(401, 403, 404),
)
def list_decisions(
    session: SessionDep, lang: LangDep, household_id: HouseholdId, principal: Principal = READERS
) -> list[DecisionOut]:
    """The applicant's accept/decline decisions on suggested localities, newest first."""
    _household(session, principal, household_id)
    return [
        DecisionOut(
            id=d.id,
            household_id=d.household_id,
            locality_id=d.locality_id,
            decision=d.decision,
            reason=d.reason,
            reason_text=msg(f"applicant.reason.{d.reason}").get(lang) if d.reason else None,
            decided_at=aware(d.decided_at),
        )
        for d in rules.decisions_of(session, household_id)
    ]
