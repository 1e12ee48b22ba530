"""API tokens (admin only): issue one per person or system, revoke when no longer needed."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import select

from api.auth.schemas import TokenCreated, TokenIn, TokenOut
from api.auth.service import Principal, hash_token, issue_token, require_roles, revoke_token
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
    )
    record = session.scalars(
        select(ApiTokenRecord).where(ApiTokenRecord.token_hash == hash_token(secret))
    ).one_or_none()
    assert record is not None
    session.commit()
    session.refresh(record)
    return TokenCreated(**token_out(record).model_dump(), token=secret)


@router.get("", response_model=list[TokenOut], responses=problem_responses(401, 403))
def read_tokens(session: SessionDep, principal: Principal = ADMIN) -> list[TokenOut]:
    """Every token (never the secrets)."""
    return [
        token_out(r) for r in session.scalars(select(ApiTokenRecord).order_by(ApiTokenRecord.id))
    ]


@router.delete(
    "/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
)
def delete_token(session: SessionDep, token_id: IdPath, principal: Principal = ADMIN) -> Response:
    """Revoke a token; it stops working at once."""
    if session.get(ApiTokenRecord, token_id) is None:
        raise ProblemException(404, UNKNOWN_TOKEN.format(id=token_id))
    revoke_token(session, token_id, actor=principal)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
