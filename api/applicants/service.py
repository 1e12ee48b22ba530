"""Access links, consent and decisions of applicants: the rules, without HTTP.

- ``issue_link`` makes a single-use link that expires (default 7 days); only its SHA-256 is
  stored, the secret is returned once. ``exchange_link`` spends it (or says why it cannot),
  ``revoke_link`` stops it.
- ``has_consent`` / ``give_consent``: consent to processing personal data, per text version.
- ``record_decision``: accept or decline a suggested locality, with an optional reason for a
  decline; the latest decision per locality counts (``current_decisions``).
- ``with_declines``: an allocation batch's bans plus every locality its households declined,
  so a decline is a ban in the next batch built from live data. Nothing here touches a
  committed decision or a reservation: a decline never releases what was committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.models.applicants import (
    DECISIONS,
    DECLINE_REASONS,
    AccessLinkRecord,
    ApplicantDecisionRecord,
    ConsentRecord,
)
from api.web.security import digest, new_secret

CONSENT_VERSION = "2026-12-v1"
LINK_DAYS_DEFAULT = 7
LINK_DAYS_MAX = 30


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns naive timestamps; they were written as UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def link_state(link: AccessLinkRecord, at: dt.datetime | None = None) -> str:
    """``active``, ``used``, ``revoked`` or ``expired``."""
    if link.revoked_at is not None:
        return "revoked"
    if link.used_at is not None:
        return "used"
    expires = _aware(link.expires_at)
    assert expires is not None
    return "expired" if expires <= (at or now()) else "active"


@dataclass(frozen=True)
class IssuedLink:
    record: AccessLinkRecord
    secret: str

    @property
    def path(self) -> str:
        return f"/app/link/{self.secret}"


def issue_link(
    session: Session,
    household_id: int,
    *,
    issued_by: str,
    valid_days: int = LINK_DAYS_DEFAULT,
    secret: str | None = None,
    actor: audit.Actor | None = None,
) -> IssuedLink:
    """A new link for the household (flushes); ``secret`` is shown once."""
    token = secret or new_secret()
    issued = now()
    record = AccessLinkRecord(
        token_hash=digest(token),
        household_id=household_id,
        issued_by=issued_by,
        created_at=issued,
        expires_at=issued + dt.timedelta(days=valid_days),
    )
    session.add(record)
    session.flush()
    link = {"household_id": household_id, "expires_at": record.expires_at}
    audit.record(session, actor, "create", "access_link", record.id, after=link)
    return IssuedLink(record, token)


class LinkUnusable(Exception):
    """The link cannot sign anyone in; ``state`` says why (unknown, used, revoked, expired)."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


def _usable_link(session: Session, secret: str, *, lock: bool) -> AccessLinkRecord:
    if not secret or len(secret) > 200:
        raise LinkUnusable("unknown")
    query = select(AccessLinkRecord).where(AccessLinkRecord.token_hash == digest(secret))
    if lock:
        query = query.with_for_update()  # two taps on the same link: only one session
    link = session.scalars(query).first()
    if link is None:
        raise LinkUnusable("unknown")
    state = link_state(link)
    if state != "active":
        raise LinkUnusable(state)
    return link


def check_link(session: Session, secret: str) -> None:
    """Raise :class:`LinkUnusable` unless the link could be spent now; spends nothing.

    Opening the address only looks: messengers and mail scanners fetch links to preview
    them, and a preview must not use up the applicant's single-use link.
    """
    _usable_link(session, secret, lock=False)


def exchange_link(session: Session, secret: str) -> int:
    """Spend the link and return its household id (flushes), or raise :class:`LinkUnusable`."""
    link = _usable_link(session, secret, lock=True)
    link.used_at = now()
    session.flush()
    return link.household_id


def links_of(session: Session, household_id: int) -> list[AccessLinkRecord]:
    return list(
        session.scalars(
            select(AccessLinkRecord)
            .where(AccessLinkRecord.household_id == household_id)
            .order_by(AccessLinkRecord.id.desc())
        )
    )


def revoke_link(
    session: Session, household_id: int, link_id: int, actor: audit.Actor | None = None
) -> bool:
    """Revoke one of the household's links; False when it has no such link."""
    link = session.get(AccessLinkRecord, link_id)
    if link is None or link.household_id != household_id:
        return False
    if link.revoked_at is None:
        link.revoked_at = now()
        session.flush()
        revoked = {"household_id": household_id, "revoked_at": link.revoked_at}
        audit.record(session, actor, "revoke", "access_link", link_id, after=revoked)
    return True


def has_consent(session: Session, household_id: int, version: str = CONSENT_VERSION) -> bool:
    return (
        session.scalar(
            select(ConsentRecord.id).where(
                ConsentRecord.household_id == household_id,
                ConsentRecord.text_version == version,
            )
        )
        is not None
    )


def give_consent(
    session: Session, household_id: int, lang: str, actor: audit.Actor | None = None
) -> None:
    """Record consent to the current text once (a second call changes nothing)."""
    if not has_consent(session, household_id):
        session.add(
            ConsentRecord(
                household_id=household_id, text_version=CONSENT_VERSION, lang=lang, given_at=now()
            )
        )
        session.flush()
        consent = {"household_id": household_id, "text_version": CONSENT_VERSION, "lang": lang}
        audit.record(session, actor, "consent", "household", household_id, after=consent)


class InvalidDecision(ValueError):
    """The decision or its reason is not one the page offers; ``field`` names the input."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def record_decision(
    session: Session,
    household_id: int,
    locality_id: str,
    decision: str,
    reason: str | None = None,
    *,
    allowed_localities: Iterable[str],
    actor: audit.Actor | None = None,
) -> ApplicantDecisionRecord:
    """Store an accept or decline of one of ``allowed_localities`` (the suggestions)."""
    if decision not in DECISIONS:
        raise InvalidDecision("decision")
    if locality_id not in set(allowed_localities):
        raise InvalidDecision("locality_id")
    reason = reason or None
    if reason is not None and (decision != "decline" or reason not in DECLINE_REASONS):
        raise InvalidDecision("reason")
    record = ApplicantDecisionRecord(
        household_id=household_id,
        locality_id=locality_id,
        decision=decision,
        reason=reason,
        decided_at=now(),
    )
    session.add(record)
    session.flush()
    made = {"household_id": household_id, "locality_id": locality_id, "decision": decision}
    made["reason"] = reason
    audit.record(session, actor, "decide", "applicant_decision", record.id, after=made)
    return record


def decisions_of(session: Session, household_id: int) -> list[ApplicantDecisionRecord]:
    """Every decision of the household, newest first."""
    return list(
        session.scalars(
            select(ApplicantDecisionRecord)
            .where(ApplicantDecisionRecord.household_id == household_id)
            .order_by(ApplicantDecisionRecord.decided_at.desc(), ApplicantDecisionRecord.id.desc())
        )
    )


def current_decisions(session: Session, household_id: int) -> dict[str, ApplicantDecisionRecord]:
    """The latest decision per locality."""
    latest: dict[str, ApplicantDecisionRecord] = {}
    for record in decisions_of(session, household_id):
        latest.setdefault(record.locality_id, record)
    return latest


def declined_localities(session: Session, household_ids: Iterable[int]) -> pl.DataFrame:
    """``household_id, locality_id`` (strings) whose latest decision is a decline."""
    ids = list(household_ids)
    rows = (
        session.execute(
            select(
                ApplicantDecisionRecord.household_id,
                ApplicantDecisionRecord.locality_id,
                ApplicantDecisionRecord.decision,
            )
            .where(ApplicantDecisionRecord.household_id.in_(ids))
            .order_by(ApplicantDecisionRecord.decided_at, ApplicantDecisionRecord.id)
        ).all()
        if ids
        else []
    )
    latest: dict[tuple[int, str], str] = {}
    for household_id, locality_id, decision in rows:
        latest[(household_id, locality_id)] = decision
    declined = [key for key, decision in latest.items() if decision == "decline"]
    return pl.DataFrame(
        {
            "household_id": [str(h) for h, _ in declined],
            "locality_id": [loc for _, loc in declined],
        },
        schema={"household_id": pl.Utf8, "locality_id": pl.Utf8},
    )


def with_declines(
    session: Session, bans: pl.DataFrame | None, household_ids: Iterable[str]
) -> pl.DataFrame | None:
    """A batch's bans plus its households' declined localities (None when there are none)."""
    declined = declined_localities(session, [int(h) for h in household_ids])
    if declined.height == 0:
        return bans
    if bans is None or bans.height == 0:
        return declined
    return pl.concat([bans.select("household_id", "locality_id"), declined]).unique(
        maintain_order=True
    )


@dataclass(frozen=True)
class LinkRow:
    """One access link as a clerk sees it (never its secret)."""

    id: int
    state: str
    created_at: dt.datetime
    expires_at: dt.datetime
    issued_by: str


@dataclass(frozen=True)
class ApplicantOverview:
    """What the centre's household page shows of the applicant feature."""

    links: list[LinkRow]
    decisions: list[ApplicantDecisionRecord]


def applicant_overview(session: Session, household_id: int) -> ApplicantOverview:
    """The household's links (newest first, with their state) and decisions (newest first)."""
    at = now()
    links = [
        LinkRow(
            id=link.id,
            state=link_state(link, at),
            created_at=_aware(link.created_at) or at,
            expires_at=_aware(link.expires_at) or at,
            issued_by=link.issued_by,
        )
        for link in links_of(session, household_id)
    ]
    return ApplicantOverview(links, decisions_of(session, household_id))
