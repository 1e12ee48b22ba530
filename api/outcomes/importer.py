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

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.core.validation import FieldError
from api.imports.service import ImportFileError, ImportReport, RowError, cast_column
from api.models.outcomes import OutcomeRecord
from api.outcomes.mappers import validate_outcome
from api.outcomes.repository import facts_by_external, outcomes_of
from api.outcomes.service import outcome_values, today
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
    written: dict[int, tuple[dict[str, Any], OutcomeRecord | None]] = {}
    for index, row in enumerate(typed.iter_rows(named=True)):
        key = row[KEY]
        problems: list[tuple[str | None, Text]] = list(cell_errors.get(index, []))
        household = facts.get(key) if key is not None else None
        if problems:
            pass
        elif key is None:
            problems.append((KEY, msg("outcomes.required")))
        elif key in first_row:
            problems.append((KEY, msg("outcomes.repeated", first=first_row[key])))
        elif household is None:
            problems.append((KEY, msg("outcomes.unknown_external", id=key)))
        elif region_scope is not None and region_scope not in (
            household.origin_region_code,
            household.placed_region_code,
        ):
            problems.append((KEY, msg("outcomes.other_region", region=region_scope)))
        else:
            try:
                values = validate_outcome(
                    row, members=household.members, placed_on=household.placed_on, today=day
                )
            except FieldError as exc:
                problems.append((exc.field, exc.text))
            else:
                values["locality_id"] = household.locality_id
                existing = stored.get(household.household_id)
                if existing is not None and outcome_values(existing) == values:
                    report.unchanged += 1
                else:
                    written[household.household_id] = (values, existing)
        if key is not None:
            first_row.setdefault(key, index + 1)
        if problems:
            report.rejected += 1
            report.errors += [RowError(index + 1, key, f, t) for f, t in problems]
    _write(session, actor, written, report, region_scope)
    counts = {k: v for k, v in report.as_dict().items() if k != "errors"}
    audit.record(session, actor, "import", "outcomes", after=counts, region_code=region_scope)
    return report


def _write(
    session: Session,
    actor: audit.Actor | None,
    written: dict[int, tuple[dict[str, Any], OutcomeRecord | None]],
    report: ImportReport,
    region_scope: str | None,
) -> None:
    """Inserts and updates as bulk statements, and their audit rows (old and new values)."""
    stamp = {"recorded_at": dt.datetime.now(dt.UTC), "recorded_by": _name(actor)}
    inserts = [
        {"household_id": hid, **values, **stamp}
        for hid, (values, existing) in written.items()
        if existing is None
    ]
    updates = [
        {"id": existing.id, **values, **stamp}
        for values, existing in written.values()
        if existing is not None
    ]
    many = insert(OutcomeRecord).execution_options(render_nulls=True)  # one statement per batch
    for start in range(0, len(inserts), 1000):
        session.execute(many, inserts[start : start + 1000])
    if updates:
        session.execute(update(OutcomeRecord), updates)  # by primary key, executemany
    report.inserted, report.updated = len(inserts), len(updates)
    created = [(hid, None, values) for hid, (values, old) in written.items() if old is None]
    changed = [
        (hid, outcome_values(old), values)
        for hid, (values, old) in written.items()
        if old is not None
    ]
    audit.record_many(session, actor, "create", "outcome", created, region_code=region_scope)
    audit.record_many(session, actor, "update", "outcome", changed, region_code=region_scope)


def _name(actor: audit.Actor | None) -> str | None:
    return None if actor is None else actor.name[:120]
