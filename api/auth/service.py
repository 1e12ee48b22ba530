"""Bearer-token authentication and role checks.

Roles: ``admin`` (everything), ``planner`` (every region, allocation runs), ``centre``
(employment-centre staff: households, vacancies and homes of their own region), ``applicant``
(their own household only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.audit import service as audit
from api.auth.token_cache import TokenCache, forget_everywhere
from api.core.deps import SessionDep
from api.core.problems import ProblemException
from api.core.ratelimit import FailureLimiter
from api.models.auth import ROLES, ApiTokenRecord
from matching.text import Text

NO_TOKEN = Text(
    kk="API токені қажет: «Authorization: Bearer <токен>» тақырыбын жіберіңіз.",
    ru="Нужен API-токен: передайте заголовок «Authorization: Bearer <токен>».",
    en="An API token is required: send 'Authorization: Bearer <token>'.",
)
BAD_TOKEN = Text(
    kk="API токені жарамсыз немесе кері қайтарылған.",
    ru="API-токен недействителен или отозван.",
    en="The API token is invalid or revoked.",
)
WRONG_ROLE = Text(
    kk="Бұл әрекет «{role}» рөліне рұқсат етілмеген.",
    ru="Это действие недоступно для роли «{role}».",
    en="This action is not allowed for the role '{role}'.",
)
OTHER_REGION = Text(
    kk="Сіздің токеніңіз тек {region} өңірінің деректеріне рұқсат береді.",
    ru="Ваш токен даёт доступ только к данным региона {region}.",
    en="Your token gives access to region {region} only.",
)
EXPIRED_TOKEN = Text(
    kk="API токенінің мерзімі өтіп кетті: әкімшіден жаңасын сұраңыз.",
    ru="Срок действия API-токена истёк: попросите новый у администратора.",
    en="The API token has expired: ask an administrator for a new one.",
)
TOO_MANY_FAILURES = Text(
    kk="Сәтсіз әрекеттер тым көп. {seconds} секундтан кейін қайталаңыз.",
    ru="Слишком много неудачных попыток. Повторите через {seconds} с.",
    en="Too many failed attempts. Try again in {seconds} s.",
)
OTHER_HOUSEHOLD = Text(
    kk="Сіз тек өз отбасыңыздың деректерін көре аласыз.",
    ru="Вы можете видеть только данные своей семьи.",
    en="You can only see your own household.",
)


DEFAULT_LIFETIME = dt.timedelta(days=90)
PREFIX_LENGTH = 8


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back naive (they were stored as UTC).
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def expired(record: ApiTokenRecord, at: dt.datetime | None = None) -> bool:
    return record.expires_at is not None and aware(record.expires_at) <= (at or now())


def client_address(request: Request) -> str:
    # Behind a proxy, uvicorn's --proxy-headers puts the client's own address here.
    return request.client.host if request.client else "unknown"


def too_many_failures(request: Request, *keys: tuple[str, str]) -> None:
    """429 (with Retry-After) while any key has used up its failed attempts."""
    limiter: FailureLimiter | None = getattr(request.app.state, "failures", None)
    wait = limiter.retry_after(*keys) if limiter is not None else None
    if wait is not None:
        raise ProblemException(
            429,
            TOO_MANY_FAILURES.format(seconds=wait),
            type_="/problems/too-many-failures",
            headers={"Retry-After": str(wait)},
        )


def record_failure(request: Request, *keys: tuple[str, str]) -> None:
    limiter: FailureLimiter | None = getattr(request.app.state, "failures", None)
    if limiter is not None:
        limiter.fail(*keys)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session,
    *,
    name: str,
    role: str,
    region_code: str | None = None,
    household_id: int | None = None,
    token: str | None = None,
    actor: audit.Actor | None = None,
    lifetime: dt.timedelta = DEFAULT_LIFETIME,
) -> str:
    """Create a token and return its secret (shown once; only its digest is stored).

    It stops working ``lifetime`` after now (90 days unless the caller passes the setting).
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if role == "centre" and not region_code:
        raise ValueError("a centre token needs a region")
    if role == "applicant" and household_id is None:
        raise ValueError("an applicant token needs a household")
    secret = token or f"qn_{secrets.token_urlsafe(24)}"
    record = ApiTokenRecord(
        token_hash=hash_token(secret),
        name=name,
        role=role,
        region_code=region_code if role == "centre" else None,
        household_id=household_id if role == "applicant" else None,
        created_at=now(),
        expires_at=now() + lifetime,
    )
    session.add(record)
    session.flush()
    audit.record(session, actor, "create", "token", record.id, after=_token_values(record))
    return secret


def _token_values(record: ApiTokenRecord) -> dict[str, object]:
    # Never the digest: the audit log says which token, not how to forge it.
    return {
        "name": record.name,
        "role": record.role,
        "region_code": record.region_code,
        "household_id": record.household_id,
        "revoked_at": record.revoked_at,
        "expires_at": record.expires_at,
    }


@dataclass(frozen=True)
class Principal:
    token_id: int
    name: str
    role: str
    region_code: str | None
    household_id: int | None
    # A signed-in staff user of the pages (token_id is then 0); the audit log names them.
    user_id: int | None = None

    def can_read_region(self, region_code: str | None) -> bool:
        if self.role in ("admin", "planner"):
            return True
        return self.role == "centre" and region_code is not None and region_code == self.region_code

    def ensure_region(self, *region_codes: str | None) -> None:
        """403 unless the principal may act on at least one of these regions."""
        if self.role in ("admin", "planner"):
            return
        if self.role == "centre" and any(code == self.region_code for code in region_codes if code):
            return
        if self.role == "centre":
            raise ProblemException(
                403,
                OTHER_REGION.format(region=self.region_code),
                type_="/problems/forbidden-region",
            )
        raise ProblemException(
            403, WRONG_ROLE.format(role=self.role), type_="/problems/forbidden-role"
        )

    def list_scope(self, requested: str | None) -> str | None:
        """Region a list is limited to: a centre sees its own region only (403 for another)."""
        if self.role in ("admin", "planner"):
            return requested
        if self.role == "centre":
            if requested is not None and requested != self.region_code:
                self.ensure_region(requested)
            return self.region_code
        raise ProblemException(
            403, WRONG_ROLE.format(role=self.role), type_="/problems/forbidden-role"
        )

    def ensure_household(self, household_id: int, *region_codes: str | None) -> None:
        if self.role == "applicant":
            if self.household_id != household_id:
                raise ProblemException(403, OTHER_HOUSEHOLD, type_="/problems/forbidden-household")
            return
        self.ensure_region(*region_codes)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def token_cache(request: Request) -> TokenCache | None:
    cache: TokenCache | None = getattr(request.app.state, "token_cache", None)
    return cache


async def current_principal(request: Request, session: SessionDep) -> Principal:
    # async: a token remembered by the process (api.auth.token_cache) is answered on the
    # event loop; only a lookup goes to a worker thread.
    token = _bearer(request)
    challenge = {"WWW-Authenticate": 'Bearer realm="qonys"'}
    if token is None:
        raise ProblemException(401, NO_TOKEN, type_="/problems/unauthenticated", headers=challenge)
    # Checked before the lookup, so a blocked guesser learns nothing from the answer.
    keys = (("bearer-address", client_address(request)), ("bearer-prefix", token[:PREFIX_LENGTH]))
    too_many_failures(request, *keys)
    digest = hash_token(token)
    cache = token_cache(request)
    known = cache.get(digest, now()) if cache is not None else None
    if known is not None:
        return known
    record = await run_in_threadpool(_token_record, session, digest)
    if record is None or record.revoked_at is not None:
        record_failure(request, *keys)
        raise ProblemException(401, BAD_TOKEN, type_="/problems/unauthenticated", headers=challenge)
    if expired(record):
        record_failure(request, *keys)
        raise ProblemException(
            401, EXPIRED_TOKEN, type_="/problems/token-expired", headers=challenge
        )
    principal = Principal(
        record.id, record.name, record.role, record.region_code, record.household_id
    )
    if cache is not None:
        cache.put(digest, principal, aware(record.expires_at) if record.expires_at else None)
    return principal


def _token_record(session: Session, digest: str) -> ApiTokenRecord | None:
    return session.scalars(
        select(ApiTokenRecord).where(ApiTokenRecord.token_hash == digest)
    ).first()


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str):  # type: ignore[no-untyped-def]
    """Dependency factory: the caller must hold one of ``roles``."""

    async def _check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise ProblemException(
                403, WRONG_ROLE.format(role=principal.role), type_="/problems/forbidden-role"
            )
        return principal

    return Depends(_check)


def revoke_token(session: Session, token_id: int, actor: audit.Actor | None = None) -> None:
    record = session.get(ApiTokenRecord, token_id)
    if record is not None and record.revoked_at is None:
        before = _token_values(record)
        record.revoked_at = now()
        forget_everywhere(token_id)
        after = _token_values(record)
        audit.record(session, actor, "revoke", "token", token_id, before=before, after=after)
