"""What is already used: committed persons and families, what-is-left quotas, snapshot charges.

Both the batch (quotas left for a new run) and the commit (what an option of a stored run
consumes) read these; neither reaches into the other.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import (
    AllocationRunRecord,
    DecisionRecord,
    HouseholdRecord,
    LocalityRecord,
    QuotaRecord,
)

OPTION_KEY = ("household_id", "home_id", "vacancy_id", "second_vacancy_id")


def snapshot_charges(data: bytes | None, kind: str) -> pl.DataFrame:
    """What each option of a stored run consumes of the resources of ``kind``.

    One row per (option, resource) with a positive amount: the option's
    :data:`OPTION_KEY` (strings; no second vacancy is ``""``), the resource ``key`` and
    ``amount``, read from the usage triplets the optimizer solved with. Empty for a run
    without a snapshot or whose options consume nothing of ``kind`` (the options table is
    not read then).
    """
    schema = {**dict.fromkeys(OPTION_KEY, pl.Utf8), "key": pl.Utf8, "amount": pl.Int64}
    if not data:
        return pl.DataFrame(schema=schema)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        resources = pl.read_parquet(io.BytesIO(zf.read("resources.parquet")))
        rows = resources.with_row_index("resource_row").filter(pl.col("kind") == kind)
        if rows.height == 0:
            return pl.DataFrame(schema=schema)
        trip = pl.read_parquet(io.BytesIO(zf.read("usage.parquet"))).join(
            rows.select(pl.col("resource_row").cast(pl.Int64), pl.col("key").cast(pl.Utf8)),
            on="resource_row",
            how="inner",
        )
        trip = trip.filter(pl.col("amount") > 0)
        if trip.height == 0:
            return pl.DataFrame(schema=schema)
        options = pl.read_parquet(
            io.BytesIO(zf.read("options.parquet")), columns=list(OPTION_KEY)
        ).with_row_index("option_row")
    return trip.join(
        options.with_columns(pl.col("option_row").cast(pl.Int64)), on="option_row"
    ).select(
        *(pl.col(c).cast(pl.Utf8).fill_null("") for c in OPTION_KEY),
        pl.col("key").cast(pl.Utf8),
        pl.col("amount").cast(pl.Int64),
    )


def committed_usage(session: Session, year: int) -> pl.DataFrame:
    """Persons and families already committed per region and category for ``year``."""
    rows = session.execute(
        select(
            LocalityRecord.region_code,
            HouseholdRecord.category,
            func.coalesce(func.sum(DecisionRecord.persons), 0),
            func.count(DecisionRecord.id),
        )
        .join(AllocationRunRecord, AllocationRunRecord.id == DecisionRecord.run_id)
        .join(LocalityRecord, LocalityRecord.id == DecisionRecord.locality_id)
        .join(HouseholdRecord, HouseholdRecord.id == DecisionRecord.household_id)
        .where(AllocationRunRecord.year == year)
        .group_by(LocalityRecord.region_code, HouseholdRecord.category)
    ).all()
    return pl.DataFrame(
        [(r[0], r[1], int(r[2]), int(r[3])) for r in rows],
        schema={
            "region_code": pl.Utf8,
            "category": pl.Utf8,
            "used_persons": pl.Int64,
            "used_families": pl.Int64,
        },
        orient="row",
    )


def quotas_left(session: Session, year: int, overrides: list[dict[str, Any]]) -> pl.DataFrame:
    """Quotas of ``year`` (request overrides replace rows) minus what is already committed."""
    rows = session.execute(
        select(
            QuotaRecord.region_code, QuotaRecord.category, QuotaRecord.persons, QuotaRecord.families
        ).where(QuotaRecord.year == year)
    ).all()
    schema = {
        "region_code": pl.Utf8,
        "category": pl.Utf8,
        "persons": pl.Int64,
        "families": pl.Int64,
    }
    base = pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")
    if overrides:
        over = pl.DataFrame(
            [(o["region_code"], o["category"], o["persons"], o.get("families")) for o in overrides],
            schema=schema,
            orient="row",
        )
        base = pl.concat(
            [base.join(over, on=["region_code", "category"], how="anti"), over], how="vertical"
        )
    used = committed_usage(session, year)
    return (
        base.join(used, on=["region_code", "category"], how="left")
        .with_columns(
            persons=(pl.col("persons") - pl.col("used_persons").fill_null(0)).clip(lower_bound=0),
            families=(pl.col("families") - pl.col("used_families").fill_null(0)).clip(
                lower_bound=0
            ),
        )
        .select("region_code", "category", "persons", "families")
    )
