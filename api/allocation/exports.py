"""The placement list of a run as a CSV or Excel file: the API's placements, every row.

The rows are exactly ``GET /allocation-runs/{id}/placements`` (``runs.placements_page``,
same order, same columns, names and reasons in the asked language) without the score
breakdown, which is a nested list a spreadsheet cannot hold.
"""

from __future__ import annotations

import io

import polars as pl
from sqlalchemy.orm import Session

from api.allocation import runs
from matching.programme.geography import ReferenceData
from matching.text import Lang

COLUMNS: dict[str, type[pl.DataType]] = {
    "household_id": pl.Int64,
    "external_id": pl.Utf8,
    "placed": pl.Boolean,
    "locality_id": pl.Utf8,
    "locality_name": pl.Utf8,
    "region_code": pl.Utf8,
    "home_id": pl.Int64,
    "vacancy_id": pl.Int64,
    "second_vacancy_id": pl.Int64,
    "score": pl.Float64,
    "persons": pl.Int64,
    "reason_code": pl.Utf8,
    "reason": pl.Utf8,
}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def placements_frame(
    session: Session, reference: ReferenceData, run_id: str, lang: Lang
) -> pl.DataFrame:
    items, _ = runs.placements_page(session, reference, run_id, lang, limit=None)
    rows = [item.model_dump(include=set(COLUMNS)) for item in items]
    return pl.DataFrame(rows, schema=COLUMNS, orient="row")


def placements_file(
    session: Session, reference: ReferenceData, run_id: str, lang: Lang, fmt: str
) -> tuple[bytes, str]:
    """(file bytes, media type) for ``fmt`` ``csv`` or ``xlsx``."""
    frame = placements_frame(session, reference, run_id, lang)
    buffer = io.BytesIO()
    if fmt == "csv":
        frame.write_csv(buffer)
    elif fmt == "xlsx":
        frame.write_excel(buffer, worksheet="placements", autofit=False)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return buffer.getvalue(), MEDIA_TYPES[fmt]
