"""API tokens: an admin issues one per person or system, lists and revokes any; every other
holder lists and revokes their own (the tokens under the same name as the one they present)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy import select

from api.auth.schemas import TokenCreated, TokenIn, TokenOut
from api.auth.service import (
    Principal,
    PrincipalDep,
    hash_token,
    issue_token,
    require_roles,
    revoke_token,
)
from api.core.deps import SessionDep
from api.core.lookups import reference_of
from api.core.params import IdPath
from api.core.problems import ProblemException, problem_responses
from api.core.validation import FieldError, resolve_region
from api.models import ApiTokenRecord, HouseholdRecord
from api.models.auth import ROLES
from matching.text import Text

router = APIRouter(prefix="/tokens", tags=["tokens"])

ADMIN = require_roles("admin")

UNKNOWN_TOKEN = Text(
    kk="№{id} токен табылмады.", ru="Токен №{id} не найден.", en="Token {id} was not found."
)
NEEDS = Text(
    kk="«{role}» рөліне {what} қажет.",
    ru="Для роли «{role}» нужно указать {what}.",
    en="The role '{role}' needs {what}.",
)


def token_out(record: ApiTokenRecord) -> TokenOut:
    return TokenOut(
        id=record.id,
        name=record.name,
        role=record.role,
        region_code=record.region_code,
        household_id=record.household_id,
        created_at=record.created_at,
        revoked_at=record.revoked_at,
        expires_at=record.expires_at,
    )


@router.post(
    "",
    response_model=TokenCreated,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
)
def create_token(
    request: Request, session: SessionDep, body: TokenIn, principal: Principal = ADMIN
) -> TokenCreated:
    """Issue a token; the secret is in this response only."""
    if body.role not in ROLES:
        raise FieldError(
            ("role",),
            Text(
                kk="рөл: " + ", ".join(ROLES),
                ru="роль: " + ", ".join(ROLES),
                en="role must be one of " + ", ".join(ROLES),
            ),
        ).as_problem()
    region_code = None
    if body.role == "centre":
        if not body.region:
            raise FieldError(("region",), NEEDS.format(role=body.role, what="region")).as_problem()
        try:
            region_code = resolve_region(reference_of(request), body.region, ("region",))
        except FieldError as exc:
            raise exc.as_problem() from None
    if body.role == "applicant":
        if body.household_id is None or session.get(HouseholdRecord, body.household_id) is None:
            raise FieldError(
                ("household_id",), NEEDS.format(role=body.role, what="household_id")
            ).as_problem()
    secret = issue_token(
        session,
        name=body.name,
        role=body.role,
        region_code=region_code,
        household_id=body.household_id,
        actor=principal,
        lifetime=dt.timedelta(
            days=body.expires_in_days or request.app.state.settings.token_lifetime_days
        ),
    )
    record = session.scalars(
        select(ApiTokenRecord).where(ApiTokenRecord.token_hash == hash_token(secret))
    ).one_or_none()
    assert record is not None
    session.commit()
    session.refresh(record)
    return TokenCreated(**token_out(record).model_dump(), token=secret)


@router.get("", response_model=list[TokenOut], responses=problem_responses(401, 403, 422))
def read_tokens(
    session: SessionDep,
    principal: PrincipalDep,
    name: str | None = Query(None, max_length=120, description="Only the tokens of this holder."),
    role: str | None = Query(None, max_length=16),
    active: bool | None = Query(None, description="Only usable (true) or only unusable tokens."),
) -> list[TokenOut]:
    """Tokens (never the secrets): an admin sees all, anyone else the tokens of their own name."""
    query = select(ApiTokenRecord).order_by(ApiTokenRecord.id)
    if principal.role != "admin":
        query = query.where(ApiTokenRecord.name == principal.name)
    if name is not None:
        query = query.where(ApiTokenRecord.name == name)
    if role is not None:
        query = query.where(ApiTokenRecord.role == role)
    records = [token_out(r) for r in session.scalars(query)]
    if active is not None:
        records = [r for r in records if _usable(r) == active]
    return records


def _usable(token: TokenOut) -> bool:
    moment = dt.datetime.now(dt.UTC)
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > moment)


@router.delete(
    "/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
)
def delete_token(session: SessionDep, token_id: IdPath, principal: PrincipalDep) -> Response:
    """Revoke a token; it stops working at once. Anyone but an admin revokes only their own."""
    record = session.get(ApiTokenRecord, token_id)
    # Another holder's token is "not found": its existence is not disclosed.
    if record is None or (principal.role != "admin" and record.name != principal.name):
        raise ProblemException(404, UNKNOWN_TOKEN.format(id=token_id))
    revoke_token(session, token_id, actor=principal)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
