"""Importing households: rows grouped by household external id, one row per member."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from api.core.validation import FieldError
from api.households.service import validate_household
from api.imports.columns import (
    HOUSEHOLD_COLUMNS,
    split_list,
)
from api.imports.rows import (
    BAD_PAIR,
    HOUSEHOLD_REJECTED,
    INCONSISTENT,
    OTHER_REGION,
    Checkpoint,
    ImportReport,
    Typed,
    bulk_insert,
    chunks,
    clean,
    no_checkpoint,
)
from api.models import (
    HouseholdMemberRecord,
    HouseholdRecord,
)
from matching.programme.geography import ReferenceData

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


def import_households(
    session: Session,
    typed: Typed,
    reference: ReferenceData,
    region_scope: str | None,
    checkpoint: Checkpoint = no_checkpoint,
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
    for number, (key, indexes) in enumerate(groups.items()):
        if number % 2000 == 0:
            checkpoint("validate", number / len(groups))
        if not any(i in typed.errors for i in indexes):
            members = []
            for position, index in enumerate(indexes):
                try:
                    members.append(_member_input(clean(rows[index])))
                except FieldError as exc:
                    typed.add(index, exc.field, exc.text)
                del position
            if not any(i in typed.errors for i in indexes):
                try:
                    values = validate_household(
                        _household_input(clean(rows[indexes[0]]), members), reference
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
    checkpoint("write", 1.0)

    keys = list(accepted)
    stored: dict[str, HouseholdRecord] = {}
    for chunk in chunks(keys):
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
    for chunk in chunks(ids):
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
        for chunk in chunks([i for i, _ in updates]):
            session.execute(
                delete(HouseholdMemberRecord).where(HouseholdMemberRecord.household_id.in_(chunk))
            )
        for i, k in updates:
            member_rows.extend({**m, "household_id": i} for m in accepted[k][1])
    if member_rows:
        bulk_insert(session, HouseholdMemberRecord, member_rows)
    report.inserted, report.updated = len(inserts), len(updates)
    return report
