"""Response and request bodies shared across routes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from api.core.params import DB_INT_MAX, DB_INT_MIN

T = TypeVar("T")



def _as_utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands stored UTC timestamps back naive; RFC 3339 (OpenAPI's date-time) needs the
    # offset, so a response says "+00:00" on both databases.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


UtcDateTime = Annotated[dt.datetime, AfterValidator(_as_utc)]

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


def _within_64_bits(value: Any) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if value > DB_INT_MAX:
            raise PydanticCustomError(
                "less_than_equal", "Input should be less than or equal to {le}", {"le": DB_INT_MAX}
            )
        if value < DB_INT_MIN:
            raise PydanticCustomError(
                "greater_than_equal",
                "Input should be greater than or equal to {ge}",
                {"ge": DB_INT_MIN},
            )
    elif isinstance(value, list | tuple | set):
        for item in value:
            _within_64_bits(item)


class StrictBody(BaseModel):
    """Request bodies reject unknown fields and NUL characters (PostgreSQL cannot store NUL).

    Integers (also in lists) must fit the database's 64-bit columns: a larger one is a 422,
    not an ``OverflowError`` from the driver.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _fits_the_database(cls, value: Any) -> Any:
        _within_64_bits(value)
        return value


class HealthStatus(BaseModel):
    status: str = Field(examples=["ok"])
    database: str | None = Field(default=None, examples=["ok"], description="ok or unavailable")
    backend: str | None = Field(
        default=None, examples=["postgresql"], description="sqlite or postgresql"
    )
