"""Outcome bodies: what a centre records, and what the API answers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.core.schemas import StrictBody, UtcDateTime

ReturnReason = Literal["housing", "job", "climate", "family", "other"]
Employed = Field(
    default=None, ge=0, le=100, description="Members in work at that horizon (null: not checked)."
)


class OutcomeIn(StrictBody):
    """The whole outcome (PUT): fields left out are unknown (null), ``returned`` false."""

    employed_3m: int | None = Employed
    employed_6m: int | None = Employed
    employed_12m: int | None = Employed
    still_resident: bool | None = None
    returned: bool = False
    returned_on: dt.date | None = None
    return_reason: ReturnReason | None = None
    note: str | None = Field(default=None, max_length=500, pattern=r"^[^\x00]*$")


class OutcomePatch(StrictBody):
    """Some fields (PATCH); a null clears a field, ``returned: false`` clears the return."""

    employed_3m: int | None = Employed
    employed_6m: int | None = Employed
    employed_12m: int | None = Employed
    still_resident: bool | None = None
    returned: bool | None = None
    returned_on: dt.date | None = None
    return_reason: ReturnReason | None = None
    note: str | None = Field(default=None, max_length=500, pattern=r"^[^\x00]*$")


class OutcomeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    household_id: int
    locality_id: str | None
    placed_at: UtcDateTime | None = None
    employed_3m: int | None
    employed_6m: int | None
    employed_12m: int | None
    still_resident: bool | None
    returned: bool
    returned_on: dt.date | None
    return_reason: ReturnReason | None
    note: str | None
    recorded_at: UtcDateTime
    recorded_by: str | None


class OutcomeImportError(BaseModel):
    row: int
    external_id: str | None
    field: str | None
    message: str


class OutcomeImportOut(BaseModel):
    kind: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[OutcomeImportError]
