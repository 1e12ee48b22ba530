"""Importing the flat kinds: employers, vacancies, homes and capacities (one row, one record)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.core.validation import FieldError
from api.homes.service import validate_capacity, validate_home
from api.imports.columns import (
    COLUMNS,
    split_list,
)
from api.imports.rows import (
    MODELS,
    OTHER_REGION,
    REPEATED,
    UNKNOWN_EMPLOYER,
    Checkpoint,
    ImportReport,
    Typed,
    bulk_insert,
    clean,
    existing_rows,
    field_error,
    no_checkpoint,
)
from api.models import (
    EmployerRecord,
    LocalityCapacityRecord,
)
from api.taxonomy.service import OccupationResolver, occupation_error_text
from api.vacancies.service import validate_employer, validate_vacancy
from matching.programme.geography import ReferenceData


def import_flat(
    session: Session,
    kind: str,
    typed: Typed,
    reference: ReferenceData,
    occupations: Callable[[], OccupationResolver],
    region_scope: str | None,
    checkpoint: Checkpoint = no_checkpoint,
) -> ImportReport:
    frame = typed.frame
    report = ImportReport(kind, rows=frame.height)
    model = MODELS[kind]
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
        if index % 5000 == 0:
            checkpoint("validate", index / len(rows))
        if index in typed.errors:
            continue
        data = clean(row)
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
            field_error(typed, index, exc)
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
    checkpoint("write", 1.0)
    existing = existing_rows(session, model, key, stored_columns)
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
        bulk_insert(session, model, inserts)
    if updates:
        session.execute(update(model), updates)
    report.inserted, report.updated = len(inserts), len(updates)
    return report
