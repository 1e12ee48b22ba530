"""What is already used, per registered capacity kind: committed decisions, what-is-left
quotas and reservation tables, snapshot charges.

Kinds whose reservation increments a column (homes, posts, seats, beds) hold their use in that
column; kinds whose reservation increments nothing (the quotas) are counted from the committed
decisions (:func:`committed_usage`). Both the batch (what is left for a new run) and the commit
(what an option of a stored run consumes) read these; neither reaches into the other.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Iterable
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.allocation.reservations import reservation_table
from api.models import (
    AllocationRunRecord,
    DecisionRecord,
    HouseholdRecord,
    LocalityRecord,
    PlacementRecord,
)
from matching.allocation.capacity_kinds import FROM_SNAPSHOT, CapacityKind, Reservation, kinds

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



def snapshot_amounts(
    session: Session, run_id: str, placements: list[PlacementRecord], kind: str
) -> Counter[str]:
    """What the optimizer charged ``placements`` of ``kind``, per resource key: the amount of
    a reservation taken ``FROM_SNAPSHOT`` (a placement does not carry it)."""
    if not placements:
        return Counter()
    snapshot = session.scalar(
        select(AllocationRunRecord.snapshot).where(AllocationRunRecord.id == run_id)
    )
    charges = snapshot_charges(snapshot, kind)
    if charges.height == 0:
        return Counter()

    def text(value: int | None) -> str:
        return "" if value is None else str(value)

    chosen = pl.DataFrame(
        [
            (str(p.household_id), text(p.home_id), text(p.vacancy_id), text(p.second_vacancy_id))
            for p in placements
        ],
        schema=dict.fromkeys(OPTION_KEY, pl.Utf8),
        orient="row",
    )
    # One option per key; a repeated (option, resource) row is one charge, not two.
    per_option = charges.group_by([*OPTION_KEY, "key"]).agg(pl.col("amount").max())
    used = chosen.join(per_option, on=list(OPTION_KEY), how="inner")
    return Counter(
        {str(k): int(n) for k, n in used.group_by("key").agg(pl.col("amount").sum()).iter_rows()}
    )


# The columns of a committed decision a reservation may name (``key``, ``option_keys`` and
# ``amount`` of :class:`~matching.allocation.capacity_kinds.Reservation`), as SQL.
DECISION_COLUMNS: dict[str, Any] = {
    "year": AllocationRunRecord.year,
    "region_code": LocalityRecord.region_code,
    "category": HouseholdRecord.category,
    "household_id": DecisionRecord.household_id,
    "locality_id": DecisionRecord.locality_id,
    "home_id": DecisionRecord.home_id,
    "vacancy_id": DecisionRecord.vacancy_id,
    "second_vacancy_id": DecisionRecord.second_vacancy_id,
    "persons": DecisionRecord.persons,
    "children_0_5": DecisionRecord.children_0_5,
    "children_6_17": DecisionRecord.children_6_17,
}


def counted_kinds() -> tuple[CapacityKind, ...]:
    """The registered kinds whose use is counted from the committed decisions (the quotas):
    their reservation increments no column."""
    return tuple(
        k for k in kinds() if k.reservation is not None and k.reservation.reserved is None
    )


def run_columns(reservation: Reservation) -> tuple[str, ...]:
    """Key columns of a counted reservation fixed by the run, not by the option (the year)."""
    return tuple(c for c in reservation.key if c not in reservation.option_keys)


def _amount(reservation: Reservation) -> Any:
    amount = reservation.amount
    if isinstance(amount, int):
        count = func.count(DecisionRecord.id)
        return count if amount == 1 else count * amount
    if amount == FROM_SNAPSHOT:
        raise ValueError("a counted reservation cannot take its amount from the snapshot")
    return func.coalesce(func.sum(DECISION_COLUMNS[amount]), 0)


def committed_usage(session: Session, year: int) -> dict[str, dict[tuple[Any, ...], int]]:
    """What the committed decisions of ``year`` use of every counted kind, per row.

    ``{kind code: {option_keys values: used}}``: e.g. ``quota_persons`` → ``{("55",
    "kandas"): 12}``. Kinds with the same keys are summed in one query.
    """
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[CapacityKind]] = {}
    for kind in counted_kinds():
        res = kind.reservation
        assert res is not None
        groups.setdefault((res.option_keys, run_columns(res)), []).append(kind)
    values = {"year": year}
    out: dict[str, dict[tuple[Any, ...], int]] = {}
    for (keys, fixed), group in groups.items():
        columns = [DECISION_COLUMNS[c] for c in keys]
        rows = session.execute(
            select(*columns, *(_amount(k.reservation) for k in group if k.reservation))
            .join(AllocationRunRecord, AllocationRunRecord.id == DecisionRecord.run_id)
            .join(LocalityRecord, LocalityRecord.id == DecisionRecord.locality_id)
            .join(HouseholdRecord, HouseholdRecord.id == DecisionRecord.household_id)
            .where(*(DECISION_COLUMNS[c] == values[c] for c in fixed))
            .group_by(*columns)
        ).all()
        for i, kind in enumerate(group):
            out[kind.code] = {tuple(r[: len(keys)]): int(r[len(keys) + i]) for r in rows}
    return out


def quotas_left(session: Session, year: int, overrides: list[dict[str, Any]]) -> pl.DataFrame:
    """The ``quotas`` supply table: quotas of ``year`` (request overrides replace rows) minus
    what is already committed, one capacity column per counted kind reserving in it."""
    quota_kinds = [
        k for k in counted_kinds() if k.reservation and k.reservation.table == "quotas"
    ]
    table = reservation_table("quotas")
    keys = ["region_code", "category"]
    capacities = [k.reservation.capacity for k in quota_kinds if k.reservation]
    rows = session.execute(
        select(*(table.c[c] for c in (*keys, *capacities))).where(table.c.year == year)
    ).all()
    schema = {**dict.fromkeys(keys, pl.Utf8), **dict.fromkeys(capacities, pl.Int64)}
    base = pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")
    if overrides:
        over = pl.DataFrame(
            [tuple(o.get(c) for c in schema) for o in overrides], schema=schema, orient="row"
        )
        base = pl.concat([base.join(over, on=keys, how="anti"), over], how="vertical")
    used = committed_usage(session, year)
    for kind in quota_kinds:
        assert kind.reservation is not None
        column, res_keys = kind.reservation.capacity, list(kind.reservation.option_keys)
        taken = pl.DataFrame(
            [(*k, n) for k, n in used.get(kind.code, {}).items()],
            schema={**dict.fromkeys(res_keys, pl.Utf8), "_used": pl.Int64},
            orient="row",
        )
        base = (
            base.join(taken, on=res_keys, how="left")
            .with_columns(
                (pl.col(column) - pl.col("_used").fill_null(0)).clip(lower_bound=0).alias(column)
            )
            .drop("_used")
        )
    return base


def capacity_left(
    session: Session, kind: CapacityKind, region_codes: Iterable[str] | None = None
) -> pl.DataFrame | None:
    """A supply table for ``kind`` read from its reservation's table: capacity − reserved per
    row, in the kind's (first) supply capacity column; None for a kind that reserves nothing.

    For kinds whose supply table the catalogue does not build (a kind registered outside the
    shipped ones): the reservation's key columns are named as in the supply table, and the
    region column, when the table has one, is kept and filtered by ``region_codes``.
    """
    res = kind.reservation
    if res is None or res.reserved is None:
        return None
    table = reservation_table(res.table)
    names = [*res.key]
    if kind.supply.region in table.c and kind.supply.region not in names:
        names.append(kind.supply.region)
    left = (table.c[res.capacity] - table.c[res.reserved]).label(kind.supply.capacity[0])
    stmt = select(*(table.c[c] for c in names), left)
    if res.only_open:
        stmt = stmt.where(table.c.status == "open")
    if region_codes is not None and kind.supply.region in table.c:
        stmt = stmt.where(table.c[kind.supply.region].in_(list(region_codes)))
    rows = session.execute(stmt).all()
    return pl.DataFrame(
        [tuple(r) for r in rows], schema=[*names, kind.supply.capacity[0]], orient="row"
    )
