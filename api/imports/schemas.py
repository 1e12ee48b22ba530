"""Response bodies of a bulk import and of its job."""

from __future__ import annotations

import datetime as dt
from typing import Literal

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
    errors: list[ImportErrorOut] = Field(
        description="The first 200 row errors; the CSV at `errors_url` lists all of them."
    )
    errors_total: int = 0
    previous_job_id: str | None = Field(
        default=None,
        description="An earlier import of the very same file (same kind and bytes); "
        "importing it again changes nothing.",
    )


class ImportJobError(BaseModel):
    status: int
    detail: str
    errors: list[dict[str, object]] = []


class ImportJobOut(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    progress: float
    phase: str
    message: str
    filename: str
    sha256: str
    attempts: int
    cancel_requested: bool
    created_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    report: ImportReportOut | None = Field(description="Counts and errors once it succeeded.")
    error: ImportJobError | None = None
    url: str
    errors_url: str = Field(description="CSV of the bad rows with their reasons (when finished).")
    cancel_url: str
