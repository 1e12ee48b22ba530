"""Bulk import: typed columns, row-level errors, idempotent upsert by external id.

One call reads every column of the file at once (polars), looks up the existing records of
the table in one query, validates each record through the same mappers as the REST routes,
and writes inserts and updates as bulk statements. Rows with errors are reported and left
out; good rows are kept. A record whose stored values equal the file's is counted as
unchanged and not written, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import JSON, delete, insert, select, update
from sqlalchemy.orm import Session

from api.imports.columns import (
    BAD_TYPE,
    COLUMNS,
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
    REQUIRED,
    cast_column,
    split_list,
)
from api.imports.occupations import OccupationResolver, occupation_error_text
from api.imports.readers import ImportFileError
from api.mappers import (
    FieldError,
    validate_capacity,
    validate_employer,
    validate_home,
    validate_household,
    validate_vacancy,
)
from api.models import (
    EmployerRecord,
    HomeRecord,
    HouseholdMemberRecord,
    HouseholdRecord,
    LocalityCapacityRecord,
    VacancyRecord,
)
from matching.programme.geography import ReferenceData
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


@dataclass
class _Typed:
    frame: pl.DataFrame  # typed columns plus "_row" (1-based data row)
    errors: dict[int, list[RowError]]  # by 0-based row index

    def add(self, index: int, field_: str | None, text: Text) -> None:
        key = self.frame["_key"][index] if "_key" in self.frame.columns else None
        self.errors.setdefault(index, []).append(RowError(index + 1, key, field_, text))


def _typed(kind: str, frame: pl.DataFrame) -> _Typed:
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
    typed_frame = _Typed(out, {})
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


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    # Empty cells fall back to the defaults of the REST bodies.
    return {k: v for k, v in row.items() if v is not None and not k.startswith("_")}


def _field_error(typed: _Typed, index: int, exc: FieldError, column: str | None = None) -> None:
    typed.add(index, column or exc.field, exc.text)


def _chunks(values: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _bulk_insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
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

_MODELS: dict[str, Any] = {
    "employers": EmployerRecord,
    "vacancies": VacancyRecord,
    "homes": HomeRecord,
    "capacities": LocalityCapacityRecord,
}


def _existing(
    session: Session, model: Any, key: str, columns: Sequence[str]
) -> dict[str, tuple[Any, ...]]:
    """key → (primary key, *columns) for every stored row, in one query."""
    pk = "locality_id" if model is LocalityCapacityRecord else "id"
    stmt = select(getattr(model, key), getattr(model, pk), *(getattr(model, c) for c in columns))
    return {str(row[0]): tuple(row[1:]) for row in session.execute(stmt)}


def _import_flat(
    session: Session,
    kind: str,
    typed: _Typed,
    reference: ReferenceData,
    occupations: Callable[[], OccupationResolver],
    region_scope: str | None,
) -> ImportReport:
    frame = typed.frame
    report = ImportReport(kind, rows=frame.height)
    model = _MODELS[kind]
    key = "locality_id" if kind == "capacities" else "external_id"

    # Later rows repeating an id are rejected; the first one stands.
    first_of: dict[str, int] = {}
    for index, value in enumerate(frame["_key"].to_list()):
        if value is None:
            continue
        if value in first_of:
            typed.add(index, key, REPEATED.format(first=first_of[value] + 1))
        else:
            first_of[value] = index

    extra: dict[str, list[Any]] = {}
    if kind in ("vacancies", "homes"):
        employers = dict(
            session.execute(select(EmployerRecord.external_id, EmployerRecord.id)).all()
        )
        ext = frame["employer_external_id"].to_list()
        extra["employer_id"] = [employers.get(e) if e is not None else None for e in ext]
        for index, (e, found) in enumerate(zip(ext, extra["employer_id"], strict=True)):
            if e is not None and found is None:
                typed.add(index, "employer_external_id", UNKNOWN_EMPLOYER.format(id=e))
    if kind == "vacancies":
        ok = pl.Series([i not in typed.errors for i in range(frame.height)])
        resolved = occupations().resolve(
            frame["occupation"].filter(ok), frame["title"].filter(ok).fill_null("")
        )
        positions = ok.arg_true().to_list()
        occupation = [None] * frame.height
        isco: list[str | None] = [None] * frame.height
        score: list[float | None] = [None] * frame.height
        for pos, occ, group, s, err in zip(positions, *resolved.get_columns(), strict=True):
            if err is not None:
                code = frame["occupation"][pos]
                typed.add(
                    pos,
                    "occupation" if code else "title",
                    occupation_error_text(err, code, frame["title"][pos]),
                )
            occupation[pos], isco[pos], score[pos] = occ, group, s
        extra.update(occupation=occupation, isco=isco, occupation_score=score)

    stored_columns: list[str] | None = None
    values_by_index: dict[int, dict[str, Any]] = {}
    existing_capacity: dict[str, Any] = {}
    if kind == "capacities":
        existing_capacity = {
            r.locality_id: r for r in session.scalars(select(LocalityCapacityRecord))
        }
    list_columns = {c.name for c in COLUMNS[kind] if c.type == "list"}
    rows = frame.to_dicts()
    for index, row in enumerate(rows):
        if index in typed.errors:
            continue
        data = _clean(row)
        for name in list_columns & data.keys():
            data[name] = split_list(data[name])
        try:
            if kind == "employers":
                values = validate_employer(data, reference)
            elif kind == "vacancies":
                values = validate_vacancy(
                    data,
                    reference,
                    employer_id=extra["employer_id"][index],
                    occupation=extra["occupation"][index],
                    isco=extra["isco"][index],
                    occupation_score=extra["occupation_score"][index],
                )
            elif kind == "homes":
                values = validate_home(data, reference, employer_id=extra["employer_id"][index])
            else:
                held = existing_capacity.get(data["locality_id"])
                reserved = (
                    {
                        "kindergarten_reserved": held.kindergarten_reserved,
                        "school_reserved": held.school_reserved,
                        "land_plots_reserved": held.land_plots_reserved,
                        "accommodation_beds_reserved": held.accommodation_beds_reserved,
                    }
                    if held is not None
                    else None
                )
                values = validate_capacity(data["locality_id"], data, reference, reserved=reserved)
                values["region_code"] = reference.locality(data["locality_id"]).region_code
        except FieldError as exc:
            _field_error(typed, index, exc)
            continue
        region = values.get("region_code")
        if region_scope is not None and region != region_scope:
            typed.add(index, "region_code", OTHER_REGION.format(region=region_scope))
            continue
        if kind == "capacities":
            values.pop("region_code")
        values_by_index[index] = values
        if stored_columns is None:
            stored_columns = [c for c in values if c != key]

    report.errors = [e for errs in typed.errors.values() for e in errs]
    report.rejected = len(typed.errors)
    if not values_by_index or stored_columns is None:
        return report
    existing = _existing(session, model, key, stored_columns)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    pk = "locality_id" if kind == "capacities" else "id"
    for values in values_by_index.values():
        found = existing.get(str(values[key]))
        if found is None:
            inserts.append(values)
            continue
        if tuple(values[c] for c in stored_columns) == found[1:]:
            report.unchanged += 1
        else:
            updates.append({**values, pk: found[0]})
    if inserts:
        _bulk_insert(session, model, inserts)
    if updates:
        session.execute(update(model), updates)
    report.inserted, report.updated = len(inserts), len(updates)
    return report


# Households ---------------------------------------------------------------------------------

_HOUSEHOLD_FIELDS = [c.name for c in HOUSEHOLD_COLUMNS]
_PATH_TO_COLUMN = {"preferences": "pref_", "health": "health_"}


def _pairs(cell: str | None, column: str) -> list[tuple[str, str]]:
    out = []
    for item in split_list(cell):
        sep = "=" if "=" in item else ("~" if "~" in item else None)
        if sep is None:
            raise FieldError((column,), BAD_PAIR.format(item=item))
        left, _, right = item.rpartition(sep)
        out.append((left.strip(), f"{sep}{right.strip()}"))
    return out


def _member_input(row: dict[str, Any]) -> dict[str, Any]:
    experience = []
    for code, value in _pairs(row.get("experience"), "experience"):
        try:
            years = float(value[1:])
        except ValueError:
            raise FieldError(("experience",), BAD_PAIR.format(item=f"{code}{value}")) from None
        experience.append({"occupation": code, "years": years, "documented": value[0] == "="})
    languages = [
        {"lang": lang, "level": level[1:]}
        for lang, level in _pairs(row.get("languages"), "languages")
    ]
    member = {
        "iin": row.get("iin"),
        "relation": row["relation"],
        "birth_date": row["birth_date"],
        "sex": row["sex"],
        "marital_status": row.get("marital_status"),
        "education": row.get("education"),
        "employment_status": row.get("employment_status"),
        "experience": experience,
        "skills": split_list(row.get("skills")),
        "licences": split_list(row.get("licences")),
        "languages": languages,
        "health": {
            "clinic": bool(row.get("health_clinic") or False),
            "hospital": bool(row.get("health_hospital") or False),
            "accessible_home": bool(row.get("health_accessible_home") or False),
        },
    }
    return member


def _household_input(first: dict[str, Any], members: list[dict[str, Any]]) -> dict[str, Any]:
    data = {
        k: first[k]
        for k in _HOUSEHOLD_FIELDS
        if first.get(k) is not None and not k.startswith("pref_")
    }
    data["preferences"] = {
        "regions": split_list(first.get("pref_regions")),
        "settlement_types": split_list(first.get("pref_settlement_types")),
        "tenure": first.get("pref_tenure") or "rent",
        "wants_land": bool(first.get("pref_wants_land") or False),
        "business_intent": bool(first.get("pref_business_intent") or False),
    }
    data["members"] = members
    return data


def _column_of(path: tuple[str | int, ...]) -> str:
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return "external_id"
    if names[0] == "preferences" and len(names) > 1:
        return "pref_" + names[1]
    if names[0] == "members" and len(names) == 1:
        return "relation"
    if names[0] == "members":
        return names[-1] if names[-1] != "health" else "health_clinic"
    return names[-1]


def _import_households(
    session: Session, typed: _Typed, reference: ReferenceData, region_scope: str | None
) -> ImportReport:
    frame = typed.frame
    report = ImportReport("households", rows=frame.height)
    groups: dict[str, list[int]] = {}
    for index, value in enumerate(frame["_key"].to_list()):
        if value is not None:
            groups.setdefault(value, []).append(index)
    # Household columns must repeat the same value on every member row (vectorized check).
    varying = (
        frame.filter(pl.col("_key").is_not_null())
        .group_by("_key")
        .agg(pl.col(c).n_unique().alias(c) for c in _HOUSEHOLD_FIELDS)
    )
    for c in _HOUSEHOLD_FIELDS:
        for key in varying.filter(pl.col(c) > 1)["_key"].to_list():
            for index in groups[key][1:]:
                typed.add(index, c, INCONSISTENT)

    rows = frame.to_dicts()
    accepted: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for key, indexes in groups.items():
        if not any(i in typed.errors for i in indexes):
            members = []
            for position, index in enumerate(indexes):
                try:
                    members.append(_member_input(_clean(rows[index])))
                except FieldError as exc:
                    typed.add(index, exc.field, exc.text)
                del position
            if not any(i in typed.errors for i in indexes):
                try:
                    values = validate_household(
                        _household_input(_clean(rows[indexes[0]]), members), reference
                    )
                except FieldError as exc:
                    path = exc.path
                    at = (
                        indexes[path[1]]
                        if len(path) > 2 and path[0] == "members" and isinstance(path[1], int)
                        else indexes[0]
                    )
                    typed.add(at, _column_of(path), exc.text)
                else:
                    if (
                        region_scope is not None
                        and values.household["origin_region_code"] != region_scope
                    ):
                        typed.add(
                            indexes[0], "origin_region", OTHER_REGION.format(region=region_scope)
                        )
                    else:
                        accepted[key] = (values.household, values.members)
        bad = [i for i in indexes if i in typed.errors]
        if bad:
            # A household is never split: its other rows are rejected with it.
            for index in indexes:
                if index not in typed.errors:
                    typed.add(index, None, HOUSEHOLD_REJECTED.format(row=bad[0] + 1))
    report.errors = [e for errs in typed.errors.values() for e in errs]
    report.rejected = sum(1 for idx in groups.values() if any(i in typed.errors for i in idx))
    report.rejected += sum(1 for i in range(frame.height) if frame["_key"][i] is None)
    if not accepted:
        return report

    keys = list(accepted)
    stored: dict[str, HouseholdRecord] = {}
    for chunk in _chunks(keys):
        for record in session.scalars(
            select(HouseholdRecord).where(HouseholdRecord.external_id.in_(chunk))
        ):
            stored[record.external_id] = record
    stored_members: dict[int, list[dict[str, Any]]] = {}
    member_columns = [
        c.key
        for c in HouseholdMemberRecord.__table__.columns
        if c.key not in ("id", "household_id")
    ]
    ids = [r.id for r in stored.values()]
    for chunk in _chunks(ids):
        for m in session.scalars(
            select(HouseholdMemberRecord)
            .where(HouseholdMemberRecord.household_id.in_(chunk))
            .order_by(HouseholdMemberRecord.household_id, HouseholdMemberRecord.position)
        ):
            stored_members.setdefault(m.household_id, []).append(
                {c: getattr(m, c) for c in member_columns}
            )
    inserts: list[str] = []
    updates: list[tuple[int, str]] = []
    for key in keys:
        household, members = accepted[key]
        found = stored.get(key)
        if found is None:
            inserts.append(key)
            continue
        same = all(getattr(found, c) == v for c, v in household.items()) and [
            {c: m[c] for c in member_columns} for m in members
        ] == stored_members.get(found.id, [])
        if same:
            report.unchanged += 1
        else:
            updates.append((found.id, key))
    session.expunge_all()
    member_rows: list[dict[str, Any]] = []
    if inserts:
        result = session.execute(
            insert(HouseholdRecord).returning(HouseholdRecord.id, HouseholdRecord.external_id),
            [accepted[k][0] for k in inserts],
        )
        for new_id, key in result.all():
            member_rows.extend({**m, "household_id": new_id} for m in accepted[key][1])
    if updates:
        session.execute(update(HouseholdRecord), [{**accepted[k][0], "id": i} for i, k in updates])
        for chunk in _chunks([i for i, _ in updates]):
            session.execute(
                delete(HouseholdMemberRecord).where(HouseholdMemberRecord.household_id.in_(chunk))
            )
        for i, k in updates:
            member_rows.extend({**m, "household_id": i} for m in accepted[k][1])
    if member_rows:
        _bulk_insert(session, HouseholdMemberRecord, member_rows)
    report.inserted, report.updated = len(inserts), len(updates)
    return report


def import_table(
    session: Session,
    kind: str,
    frame: pl.DataFrame,
    *,
    reference: ReferenceData,
    occupations: Callable[[], OccupationResolver],
    region_scope: str | None = None,
) -> ImportReport:
    """Import ``frame`` as ``kind``; the caller commits (or rolls back) the session.

    Parameters
    ----------
    kind : {"households", "employers", "vacancies", "homes", "capacities"}
    frame : polars.DataFrame
        The file as read by :func:`api.imports.readers.read_table`.
    occupations : callable
        Returns the occupation resolver (called only when a vacancy needs it).
    region_scope : str, optional
        A centre's region: rows of other regions are rejected.

    Raises
    ------
    ImportFileError
        Required columns are missing or unknown ones present; nothing is written.
    """
    if kind not in COLUMNS:
        raise ValueError(f"unknown import kind {kind!r}")
    typed = _typed(kind, frame)
    if kind == "households":
        return _import_households(session, typed, reference, region_scope)
    return _import_flat(session, kind, typed, reference, occupations, region_scope)


__all__ = ["ImportReport", "RowError", "import_table", "MEMBER_COLUMNS"]
