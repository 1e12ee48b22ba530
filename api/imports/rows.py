"""Pieces every import kind shares: messages, the typed frame, the report, bulk writes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import JSON, select
from sqlalchemy.orm import Session

from api.core.validation import FieldError
from api.imports.columns import (
    BAD_TYPE,
    COLUMNS,
    REQUIRED,
    cast_column,
)
from api.imports.readers import ImportFileError
from api.models import (
    EmployerRecord,
    HomeRecord,
    LocalityCapacityRecord,
    VacancyRecord,
)
from matching.text import Lang, Text

MISSING_COLUMNS = Text(
    kk="Файлда міндетті бағандар жоқ: {columns}.",
    ru="В файле нет обязательных столбцов: {columns}.",
    en="The file lacks required column(s): {columns}.",
)
UNKNOWN_COLUMNS = Text(
    kk="Файлда белгісіз бағандар бар: {columns} (рұқсат етілгені: {allowed}).",
    ru="В файле неизвестные столбцы: {columns} (допустимы: {allowed}).",
    en="The file has unknown column(s): {columns} (allowed: {allowed}).",
)
REPEATED = Text(
    kk="бұл идентификатор файлда бұрын кездесті ({first}-жол)",
    ru="этот идентификатор уже встречался в файле (строка {first})",
    en="this id already appeared in the file (row {first})",
)
INCONSISTENT = Text(
    kk="бір отбасының жолдарында мәні әртүрлі",
    ru="значение различается в строках одной семьи",
    en="the value differs between the rows of one household",
)
HOUSEHOLD_REJECTED = Text(
    kk="отбасы толығымен қабылданбады: {row}-жолда қате бар",
    ru="семья не принята целиком: ошибка в строке {row}",
    en="the whole household is rejected: row {row} has an error",
)
OTHER_REGION = Text(
    kk="сіздің токеніңіз тек {region} өңіріне рұқсат береді",
    ru="ваш токен даёт доступ только к региону {region}",
    en="your token gives access to region {region} only",
)
UNKNOWN_EMPLOYER = Text(
    kk="«{id}» жұмыс берушісі тіркелмеген",
    ru="работодатель «{id}» не зарегистрирован",
    en="employer '{id}' is not registered",
)
BAD_PAIR = Text(
    kk="«{item}» элементі «код=мән» пішімінде емес",
    ru="элемент «{item}» не в формате «код=значение»",
    en="item '{item}' is not in the form 'code=value'",
)


@dataclass(frozen=True)
class RowError:
    row: int
    external_id: str | None
    field: str | None
    text: Text


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self, lang: Lang = "en") -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [
                {
                    "row": e.row,
                    "external_id": e.external_id,
                    "field": e.field,
                    "message": e.text.get(lang),
                }
                for e in sorted(self.errors, key=lambda e: (e.row, e.field or ""))
            ],
        }


# Called by an import at its phases: ("validate", fraction done) now and then, and
# ("write", 1.0) once, right before its first write (a job checks for cancellation there).
Checkpoint = Callable[[str, float], None]


def no_checkpoint(phase: str, fraction: float) -> None:
    del phase, fraction


@dataclass
class Typed:
    frame: pl.DataFrame  # typed columns plus "_row" (1-based data row)
    errors: dict[int, list[RowError]]  # by 0-based row index

    def add(self, index: int, field_: str | None, text: Text) -> None:
        key = self.frame["_key"][index] if "_key" in self.frame.columns else None
        self.errors.setdefault(index, []).append(RowError(index + 1, key, field_, text))


def check_columns(kind: str, frame: pl.DataFrame) -> None:
    """Raise :class:`ImportFileError` when required columns are missing or unknown ones
    present (checked before an import is queued, and again by the job)."""
    specs = COLUMNS[kind]
    names = [c.name for c in specs]
    missing = [c.name for c in specs if c.required and c.name not in frame.columns]
    if missing:
        raise ImportFileError(
            MISSING_COLUMNS.format(columns=", ".join(missing)), missing=tuple(missing)
        )
    unknown = [c for c in frame.columns if c not in names]
    if unknown:
        raise ImportFileError(
            UNKNOWN_COLUMNS.format(columns=", ".join(unknown), allowed=", ".join(names))
        )


def typed_frame(kind: str, frame: pl.DataFrame) -> Typed:
    specs = COLUMNS[kind]
    check_columns(kind, frame)
    n = frame.height
    columns: dict[str, pl.Series] = {}
    bad_masks: list[tuple[str, pl.Series, pl.Series]] = []
    for spec in specs:
        if spec.name in frame.columns:
            raw = frame[spec.name]
            typed, bad = cast_column(raw, spec.type)
            if bad.any():
                bad_masks.append((spec.name, bad, raw))
        else:
            typed = pl.Series([None] * n, dtype=pl.Utf8)
            typed, _ = cast_column(typed, spec.type)
        columns[spec.name] = typed.alias(spec.name)
    key_name = "locality_id" if kind == "capacities" else "external_id"
    out = pl.DataFrame(columns).with_columns(pl.col(key_name).alias("_key"))
    typed_frame = Typed(out, {})
    for name, bad, raw in bad_masks:
        spec_type = next(c.type for c in specs if c.name == name)
        for index in bad.arg_true().to_list():
            typed_frame.add(index, name, BAD_TYPE[spec_type].format(value=str(raw[index])))
    for spec in specs:
        if spec.required:
            for index in out[spec.name].is_null().arg_true().to_list():
                if not any(e.field == spec.name for e in typed_frame.errors.get(index, [])):
                    typed_frame.add(index, spec.name, REQUIRED)
    return typed_frame


def clean(row: dict[str, Any]) -> dict[str, Any]:
    # Empty cells fall back to the defaults of the REST bodies.
    return {k: v for k, v in row.items() if v is not None and not k.startswith("_")}


def field_error(typed: Typed, index: int, exc: FieldError, column: str | None = None) -> None:
    typed.add(index, column or exc.field, exc.text)


def chunks(values: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def bulk_insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows: COPY on PostgreSQL, one Core executemany elsewhere.

    psycopg's executemany costs a round trip per row (about 1,800 rows/s measured);
    COPY streams them in one statement. JSON columns are sent as JSON text.
    """
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        # Core, not ORM: the ORM splits rows into a statement per run of rows whose None
        # columns differ, which here meant one statement per two rows.
        connection.execute(model.__table__.insert(), rows)
        return
    table = model.__table__
    columns = list(rows[0])
    # COPY bypasses SQLAlchemy, so the model's Python-side defaults are filled in here.
    defaults = {
        c.name: (c.default.arg if c.default.is_scalar else c.default.arg(None))
        for c in table.columns
        if c.name not in columns and c.default is not None and not c.primary_key
    }
    if defaults:
        rows = [{**row, **defaults} for row in rows]
        columns += list(defaults)
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    names = ", ".join(f'"{c}"' for c in columns)
    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[c], ensure_ascii=False) if c in json_columns else row[c]
                    for c in columns
                ]
            )


# Flat kinds ---------------------------------------------------------------------------------

MODELS: dict[str, Any] = {
    "employers": EmployerRecord,
    "vacancies": VacancyRecord,
    "homes": HomeRecord,
    "capacities": LocalityCapacityRecord,
}


def existing_rows(
    session: Session, model: Any, key: str, columns: Sequence[str]
) -> dict[str, tuple[Any, ...]]:
    """key → (primary key, *columns) for every stored row, in one query."""
    pk = "locality_id" if model is LocalityCapacityRecord else "id"
    stmt = select(getattr(model, key), getattr(model, pk), *(getattr(model, c) for c in columns))
    return {str(row[0]): tuple(row[1:]) for row in session.execute(stmt)}
