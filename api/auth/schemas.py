"""Request and response bodies of API tokens."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.core.params import ID_MAX
from api.core.schemas import StrictBody, UtcDateTime


class TokenIn(StrictBody):
    name: str = Field(min_length=1, max_length=120)
    role: str = Field(max_length=16, examples=["centre"])
    region: str | None = Field(default=None, max_length=120)
    household_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    expires_in_days: int | None = Field(
        default=None, ge=1, le=3650, description="Lifetime; the service's default when absent."
    )


class TokenOut(BaseModel):
    id: int
    name: str
    role: str
    region_code: str | None
    household_id: int | None
    created_at: UtcDateTime | None
    revoked_at: UtcDateTime | None
    expires_at: UtcDateTime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown once, only its digest is stored.")
