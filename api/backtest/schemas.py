"""Request and response bodies of back-tests."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.core.schemas import StrictBody


class BacktestIn(StrictBody):
    """A back-test: cohorts of generated households placed by every policy, outcomes simulated."""

    seeds: int = Field(20, ge=1, le=1000, description="Back-test cohorts (seeds), at least 2.")
    households: int = Field(1000, ge=1, le=100_000, description="Households per cohort, at least 50.")
    time_limit: float = Field(15.0, gt=0, le=600, description="Seconds per optimizer run.")
    training_seeds: int = Field(4, ge=2, le=20, description="Cohorts of simulated history.")
    workers: int = Field(1, ge=1, le=2, description="Processes placing cohorts in parallel.")


class BacktestAccepted(BaseModel):
    id: str
    status: str


class BacktestOut(BaseModel):
    id: str
    status: str
    progress: float
    phase: str
    message: str
    params: dict[str, Any]
    result: dict[str, Any] | None = Field(
        None, description="Headline differences from the status quo, model version, files."
    )
    report_markdown: str | None = Field(None, description="The report (Markdown) when done.")
    error: dict[str, Any] | None = None
