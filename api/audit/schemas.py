"""Audit rows as the API shows them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from api.core.schemas import UtcDateTime


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDateTime
    request_id: str | None
    actor_kind: str
    actor_token_id: int | None
    actor_user_id: int | None
    actor_name: str | None
    actor_role: str | None
    action: str
    entity: str
    entity_id: str | None
    region_code: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
