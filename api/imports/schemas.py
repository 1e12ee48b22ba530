"""Response bodies of a bulk import."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ImportErrorOut(BaseModel):
    row: int = Field(description="1-based data row (the header row is not counted).")
    external_id: str | None
    field: str | None
    message: str


class ImportReportOut(BaseModel):
    kind: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[ImportErrorOut]
