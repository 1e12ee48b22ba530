"""Bulk import of outcomes (CSV, Parquet, Excel): one row per household, by its external id.

The same pattern as the other import kinds: the columns are typed at once with the imports'
own readers and casts, the households and their stored outcomes are looked up in one query
each, every row is checked by the same rules as ``PUT /outcomes/{id}``; bad rows are
reported with their reasons and left out, good rows are kept. A row equal to what is stored
counts as unchanged and is not written (importing a file twice changes nothing the second
time). Each written outcome is an audit row with its old and new values; the batch is one
more with its counts.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.core.validation import FieldError
from api.imports.service import ImportFileError, ImportReport, RowError, cast_column
from api.outcomes.mappers import FIELDS, validate_outcome
from api.outcomes.repository import facts_by_external, outcomes_of
from api.outcomes.service import store, today
from matching.text import Text, msg

KEY = "household_external_id"
COLUMNS: dict[str, Any] = {
    KEY: "str",
    "employed_3m": "int",
    "employed_6m": "int",
    "employed_12m": "int",
    "still_resident": "bool",
    "returned": "bool",
    "returned_on": "date",
    "return_reason": "str",
    "note": "str",
}
MISSING = Text(
    kk="Файлда міндетті баған жоқ: {columns}.",
    ru="В файле нет обязательного столбца: {columns}.",
    en="The file lacks the required column: {columns}.",
)
UNKNOWN = Text(
    kk="Файлда белгісіз бағандар бар: {columns} (рұқсат етілгені: {allowed}).",
    ru="В файле неизвестные столбцы: {columns} (допустимы: {allowed}).",
    en="The file has unknown column(s): {columns} (allowed: {allowed}).",
)


def _typed(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[int, list[tuple[str, Text]]]]:
    """Every column in its type; the cells that could not be read, by row index."""
    if KEY not in frame.columns:
        raise ImportFileError(MISSING.format(columns=KEY), missing=(KEY,))
    unknown = [c for c in frame.columns if c not in COLUMNS]
    if unknown:
        raise ImportFileError(
            UNKNOWN.format(columns=", ".join(unknown), allowed=", ".join(COLUMNS))
        )
    columns: dict[str, pl.Series] = {}
    errors: dict[int, list[tuple[str, Text]]] = {}
    for name, type_ in COLUMNS.items():
        raw = frame[name] if name in frame.columns else pl.Series([None] * frame.height)
        typed, bad = cast_column(raw.cast(pl.Utf8) if raw.dtype == pl.Null else raw, type_)
        for index in bad.arg_true().to_list():
            errors.setdefault(index, []).append(
                (name, msg("outcomes.bad_value", value=str(raw[index])))
            )
        columns[name] = typed.alias(name)
    return pl.DataFrame(columns), errors


def import_outcomes(
    session: Session,
    frame: pl.DataFrame,
    *,
    actor: audit.Actor | None,
    region_scope: str | None = None,
) -> ImportReport:
    """Import ``frame``; the caller commits. ``region_scope``: a centre's region (rows of
    households neither from it nor placed in it are rejected)."""
    typed, cell_errors = _typed(frame)
    report = ImportReport("outcomes", rows=typed.height)
    facts = facts_by_external(session, [k for k in typed[KEY].to_list() if k])
    stored = outcomes_of(session, [f.household_id for f in facts.values()])
    first_row: dict[str, int] = {}
    day = today()
    for index, row in enumerate(typed.iter_rows(named=True)):
        key = row[KEY]

        def reject(field: str | None, text: Text, index: int = index, key: Any = key) -> None:
            report.errors.append(RowError(index + 1, key, field, text))

        if index in cell_errors:
            for name, text in cell_errors[index]:
                reject(name, text)
        elif key is None:
            reject(KEY, msg("outcomes.required"))
        elif key in first_row:
            reject(KEY, msg("outcomes.repeated", first=first_row[key]))
        elif key not in facts:
            reject(KEY, msg("outcomes.unknown_external", id=key))
        elif region_scope is not None and region_scope not in (
            facts[key].origin_region_code,
            facts[key].placed_region_code,
        ):
            reject(KEY, msg("outcomes.other_region", region=region_scope))
        else:
            household = facts[key]
            try:
                values = validate_outcome(
                    row, members=household.members, placed_on=household.placed_on, today=day
                )
            except FieldError as exc:
                reject(exc.field, exc.text)
            else:
                existing = stored.get(household.household_id)
                if (
                    existing is not None
                    and all(getattr(existing, k) == values[k] for k in FIELDS)
                    and existing.locality_id == household.locality_id
                ):
                    report.unchanged += 1
                else:
                    stored[household.household_id] = store(
                        session, actor, household, values, existing
                    )
                    if existing is None:
                        report.inserted += 1
                    else:
                        report.updated += 1
        if key is not None:
            first_row.setdefault(key, index + 1)
        if report.errors and report.errors[-1].row == index + 1:
            report.rejected += 1
    counts = {k: v for k, v in report.as_dict().items() if k != "errors"}
    audit.record(session, actor, "import", "outcomes", after=counts, region_code=region_scope)
    return report
