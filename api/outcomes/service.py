"""Outcomes: read, write (PUT/PATCH and the import), list, and the frame the retention model reads.

Who may do what: the household's centres (of the region it came from, or of the region its
committed placement is in) and planners write; admins, planners and those centres read;
applicants never. Every write is one audit row with the old and new values.

What a centre records is per household: ``employed_3m``/``employed_6m``/``employed_12m`` are
how many of its members were in work 3, 6 and 12 months after the move (a centre checks the
household at each horizon; a count keeps both "someone works" and "how many"). ``returned``
with ``returned_on`` and a structured ``return_reason`` (housing, job, climate, family,
other), and a free ``note``.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import polars as pl
from fastapi import Request
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.auth.service import Principal
from api.core.pagination import Paging, Scoped, region_scoped_page
from api.core.problems import ProblemException
from api.core.schemas import Page
from api.core.validation import FieldError
from api.models.outcomes import OutcomeRecord
from api.outcomes.mappers import FIELDS, validate_outcome
from api.outcomes.repository import (
    HouseholdFacts,
    facts_of,
    frame_rows,
    outcome_of,
    page_outcomes,
)
from api.outcomes.schemas import OutcomeIn, OutcomeOut, OutcomePatch
from matching.text import msg

#: The columns of :func:`outcomes_frame`, in order, with their polars types.
FRAME_SCHEMA: dict[str, Any] = {
    "household_id": pl.Int64,
    "members": pl.Int64,
    "locality_id": pl.Utf8,
    "placed_at": pl.Datetime("us", "UTC"),
    "recorded_at": pl.Datetime("us", "UTC"),
    "employed_3m": pl.Int64,
    "employed_6m": pl.Int64,
    "employed_12m": pl.Int64,
    "still_resident": pl.Boolean,
    "returned": pl.Boolean,
    "returned_on": pl.Date,
    "return_reason": pl.Utf8,
}
YEAR = dt.timedelta(days=365)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def facts_or_404(session: Session, household_id: int) -> HouseholdFacts:
    facts = facts_of(session, household_id)
    if facts is None:
        raise ProblemException(
            404,
            msg("outcomes.unknown_household", id=household_id),
            type_="/problems/unknown-household",
        )
    return facts


def ensure_household_centre(principal: Principal, facts: HouseholdFacts) -> None:
    """403 unless a planner/admin or a centre of the household's origin or placement region."""
    principal.ensure_region(facts.origin_region_code, facts.placed_region_code)


def outcome_out(record: OutcomeRecord, facts: HouseholdFacts | None = None) -> OutcomeOut:
    out = OutcomeOut.model_validate(record)
    return out if facts is None else out.model_copy(update={"placed_at": facts.placed_at})


def outcome_values(record: OutcomeRecord) -> dict[str, Any]:
    # What the audit row compares: the recorded fields and the placement they belong to.
    return {"locality_id": record.locality_id, **{k: getattr(record, k) for k in FIELDS}}


def store(
    session: Session,
    actor: audit.Actor | None,
    facts: HouseholdFacts,
    values: dict[str, Any],
    existing: OutcomeRecord | None,
) -> OutcomeRecord:
    """Write checked values with their audit row; the caller commits."""
    before = None if existing is None else outcome_values(existing)
    record = existing or OutcomeRecord(household_id=facts.household_id)
    for name, value in values.items():
        setattr(record, name, value)
    record.locality_id = facts.locality_id
    record.recorded_at = dt.datetime.now(dt.UTC)
    record.recorded_by = None if actor is None else actor.name[:120]
    session.add(record)  # flushed with the caller's commit (an import writes many at once)
    action = "create" if before is None else "update"
    audit.record(
        session, actor, action, "outcome", facts.household_id, before=before,
        after=outcome_values(record), region_code=facts.origin_region_code,
    )  # fmt: skip
    return record


def _checked(values: dict[str, Any], facts: HouseholdFacts) -> dict[str, Any]:
    try:
        return validate_outcome(values, members=facts.members, placed_on=facts.placed_on,
                                today=today())  # fmt: skip
    except FieldError as exc:
        raise exc.as_problem() from None


def read(session: Session, principal: Principal, household_id: int) -> OutcomeOut:
    facts = facts_or_404(session, household_id)
    ensure_household_centre(principal, facts)
    record = outcome_of(session, household_id)
    if record is None:
        raise ProblemException(
            404, msg("outcomes.no_outcome", id=household_id), type_="/problems/unknown-outcome"
        )
    return outcome_out(record, facts)


def put(session: Session, principal: Principal, household_id: int, body: OutcomeIn) -> OutcomeOut:
    """Record the whole outcome (replacing what was recorded) and commit."""
    facts = facts_or_404(session, household_id)
    ensure_household_centre(principal, facts)
    values = _checked(body.model_dump(), facts)
    record = store(session, principal, facts, values, outcome_of(session, household_id))
    session.commit()
    return outcome_out(record, facts)


def patch(
    session: Session, principal: Principal, household_id: int, body: OutcomePatch
) -> OutcomeOut:
    """Change some fields of a recorded outcome and commit; 404 when none is recorded."""
    current = read(session, principal, household_id)
    facts = facts_or_404(session, household_id)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("returned") is False:
        # Undoing a return clears its date and reason unless they are sent too.
        changes = {"returned_on": None, "return_reason": None, **changes}
    merged = {**{k: getattr(current, k) for k in FIELDS}, **changes}
    record = store(session, principal, facts, _checked(merged, facts),
                   outcome_of(session, household_id))  # fmt: skip
    session.commit()
    return outcome_out(record, facts)


def list_outcomes(
    request: Request,
    session: Session,
    principal: Scoped,
    paging: Paging,
    *,
    region: str | None = None,
    returned: bool | None = None,
) -> Page[OutcomeOut]:
    """One page of outcomes; a centre sees its own region's (origin or placement) only."""
    return region_scoped_page(
        request, principal, region, paging,
        partial(page_outcomes, session, returned=returned), OutcomeOut, outcome_out,
    )  # fmt: skip


def outcomes_frame(session: Session) -> pl.DataFrame:
    """Every recorded outcome as one row per household (the retention model's input).

    Columns
    -------
    household_id : Int64
    members : Int64
        The household's size now (members registered).
    locality_id : Utf8
        Where its committed placement is (null: not placed through a committed run).
    placed_at : Datetime(UTC)
        When the placement was committed (null: not placed).
    recorded_at : Datetime(UTC)
        When the outcome was last written.
    employed_3m, employed_6m, employed_12m : Int64
        Members in work 3, 6 and 12 months after the move (null: not checked yet).
    still_resident : Boolean
        Still living in the locality at the last check (null: unknown).
    returned_12m : Boolean
        Returned within 12 months of ``placed_at`` (of the record when not placed); false
        when it did not and the record was written at least 12 months after the move; null
        when it has not returned and 12 months have not passed yet (censored).
    return_reason : Utf8
        housing, job, climate, family or other when it returned (any time), else null.
    """
    rows = [tuple(_naive_utc(v) for v in row) for row in frame_rows(session)]
    frame = pl.DataFrame(rows, schema=_raw_schema(), orient="row")
    frame = frame.with_columns(_as_utc("placed_at"), _as_utc("recorded_at"))
    moved = pl.coalesce(pl.col("placed_at"), pl.col("recorded_at")).dt.date()
    within = pl.col("returned") & (pl.col("returned_on") <= moved + pl.duration(days=365))
    observed = pl.col("recorded_at").dt.date() >= moved + pl.duration(days=365)
    returned_12m = (
        pl.when(within).then(True).when(observed).then(False).otherwise(None).alias("returned_12m")
    )
    return frame.with_columns(returned_12m).select(
        "household_id", "members", "locality_id", "placed_at", "recorded_at",
        "employed_3m", "employed_6m", "employed_12m", "still_resident", "returned_12m",
        "return_reason",
    )  # fmt: skip


def _raw_schema() -> dict[str, Any]:
    # The database answers timestamps with or without an offset; they are made UTC below.
    return {k: (pl.Datetime("us") if k in ("placed_at", "recorded_at") else v)
            for k, v in FRAME_SCHEMA.items()}  # fmt: skip


def _naive_utc(value: Any) -> Any:
    # PostgreSQL answers aware timestamps, SQLite naive ones (stored as UTC).
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _as_utc(column: str) -> pl.Expr:
    return pl.col(column).dt.replace_time_zone("UTC")


# What other features use of this one (they import nothing else from it).
__all__ = ["FRAME_SCHEMA", "list_outcomes", "outcomes_frame", "patch", "put", "read", "store"]
