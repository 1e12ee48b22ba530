"""The columns of each import kind and their vectorized type checks.

Every kind is a flat table; list cells are ``;``-separated (``B;CE``), pairs inside a cell
use ``=`` (``kk=native;ru=fluent``). Types are checked column-wise with polars: a cell that
cannot be read as its type becomes a row error, never a failed file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from matching.text import Text

ColumnType = Literal["str", "int", "float", "bool", "date", "list"]

TRUE_WORDS = ("true", "1", "yes", "y", "да", "иә", "ия", "t")
FALSE_WORDS = ("false", "0", "no", "n", "нет", "жоқ", "f")


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "str"
    required: bool = False


def _c(name: str, type_: ColumnType = "str", required: bool = False) -> Column:
    return Column(name, type_, required)


HOUSEHOLD_COLUMNS = (
    _c("external_id", required=True),
    _c("origin_region", required=True),
    _c("origin_settlement", required=True),
    _c("application_date", "date", required=True),
    _c("category"),
    _c("origin_heating"),
    _c("origin_wage_tenge", "int"),
    _c("years_in_origin", "float"),
    _c("citizen", "bool"),
    _c("documents_complete", "bool"),
    _c("debt_tenge", "int"),
    _c("status"),
    _c("pref_regions", "list"),
    _c("pref_settlement_types", "list"),
    _c("pref_tenure"),
    _c("pref_wants_land", "bool"),
    _c("pref_business_intent", "bool"),
)
MEMBER_COLUMNS = (
    _c("relation", required=True),
    _c("birth_date", "date", required=True),
    _c("sex", required=True),
    _c("iin"),
    _c("marital_status"),
    _c("education"),
    _c("employment_status"),
    _c("experience", "list"),
    _c("skills", "list"),
    _c("licences", "list"),
    _c("languages", "list"),
    _c("health_clinic", "bool"),
    _c("health_hospital", "bool"),
    _c("health_accessible_home", "bool"),
)
COLUMNS: dict[str, tuple[Column, ...]] = {
    "households": HOUSEHOLD_COLUMNS + MEMBER_COLUMNS,
    "employers": (
        _c("external_id", required=True),
        _c("name", required=True),
        _c("bin"),
        _c("region"),
        _c("locality_id"),
        _c("sector"),
    ),
    "vacancies": (
        _c("external_id", required=True),
        _c("employer_external_id", required=True),
        _c("locality_id", required=True),
        _c("title", required=True),
        _c("occupation"),
        _c("wage_tenge", "int", required=True),
        _c("sector"),
        _c("required_education"),
        _c("required_licences", "list"),
        _c("required_skills", "list"),
        _c("min_experience_years", "float"),
        _c("permanent", "bool"),
        _c("posts", "int"),
        _c("employer_housing", "bool"),
        _c("qualified", "bool"),
        _c("status"),
    ),
    "homes": (
        _c("external_id", required=True),
        _c("locality_id", required=True),
        _c("kind", required=True),
        _c("rooms", "int", required=True),
        _c("capacity_persons", "int", required=True),
        _c("rent_tenge", "int"),
        _c("price_tenge", "int"),
        _c("condition", "int"),
        _c("heating"),
        _c("piped_water", "bool"),
        _c("accessible", "bool"),
        _c("employer_external_id"),
        _c("units", "int"),
        _c("status"),
    ),
    "capacities": (
        _c("locality_id", required=True),
        _c("kindergarten_seats", "int"),
        _c("school_seats", "int"),
        _c("land_plots", "int"),
        _c("accommodation_beds", "int"),
    ),
}
KINDS = tuple(COLUMNS)

BAD_TYPE: dict[ColumnType, Text] = {
    "int": Text(kk="бүтін сан емес: {value!r}", ru="не целое число: {value!r}", en="not a whole number: {value!r}"),
    "float": Text(kk="сан емес: {value!r}", ru="не число: {value!r}", en="not a number: {value!r}"),
    "bool": Text(
        kk="иә/жоқ мәні емес: {value!r}", ru="не да/нет: {value!r}", en="not true/false: {value!r}"
    ),
    "date": Text(
        kk="ЖЖЖЖ-АА-КК күні емес: {value!r}",
        ru="не дата ГГГГ-ММ-ДД: {value!r}",
        en="not a YYYY-MM-DD date: {value!r}",
    ),
}  # fmt: skip
REQUIRED = Text(
    kk="міндетті өріс бос", ru="обязательное поле не заполнено", en="required value is empty"
)


def _as_text(series: pl.Series) -> pl.Series:
    if series.dtype == pl.Utf8:
        text = series
    elif series.dtype in (pl.Date, pl.Datetime):
        text = series.cast(pl.Date).cast(pl.Utf8)
    else:
        text = series.cast(pl.Utf8)
    text = text.str.strip_chars()
    return text.set(text == "", None) if text.null_count() < len(text) else text


def cast_column(series: pl.Series, type_: ColumnType) -> tuple[pl.Series, pl.Series]:
    """The column in its type and a boolean mask of cells that could not be read as it."""
    if type_ == "date" and series.dtype in (pl.Date, pl.Datetime):
        out = series.cast(pl.Date)
        return out, pl.Series([False] * len(series))
    text = _as_text(series)
    if type_ in ("str", "list"):
        out = text
    elif type_ == "int":
        number = text.cast(pl.Float64, strict=False)
        whole = number.round(0) == number
        out = number.set(~whole.fill_null(True), None).cast(pl.Int64, strict=False)
    elif type_ == "float":
        out = text.cast(pl.Float64, strict=False)
    elif type_ == "bool":
        lowered = text.str.to_lowercase()
        out = (
            pl.DataFrame({"v": lowered})
            .select(
                pl.when(pl.col("v").is_in(TRUE_WORDS))
                .then(True)
                .when(pl.col("v").is_in(FALSE_WORDS))
                .then(False)
                .otherwise(None)
                .alias("v")
            )
            .to_series()
        )
    else:
        out = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    bad = text.is_not_null() & out.is_null()
    return out, bad


def split_list(cell: str | None) -> list[str]:
    """``"B; CE"`` → ``["B", "CE"]``; empty cells give an empty list."""
    if not cell:
        return []
    return [part.strip() for part in cell.split(";") if part.strip()]


def join_list(values: list[str] | None) -> str | None:
    return ";".join(values) if values else None
