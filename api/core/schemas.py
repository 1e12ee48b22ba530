"""Response and request bodies shared across routes."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

ExternalId = Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")


class Names(BaseModel):
    kk: str
    kk_latn: str
    ru: str
    en: str


class Pagination(BaseModel):
    total_count: int
    page: int
    limit: int
    max_page: int


class Page(BaseModel, Generic[T]):
    items: list[T]
    pagination: Pagination


class StrictBody(BaseModel):
    """Request bodies reject unknown fields and NUL characters (PostgreSQL cannot store NUL)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class HealthStatus(BaseModel):
    status: str = Field(examples=["ok"])
    database: str | None = Field(default=None, examples=["ok"], description="ok or unavailable")
    backend: str | None = Field(
        default=None, examples=["postgresql"], description="sqlite or postgresql"
    )
