"""The service's tables behind the capacity kinds' reservations: one small map.

A :class:`~matching.allocation.capacity_kinds.Reservation` names its table by the string the
library knows (``"homes"``, ``"quotas"`` …); this map turns that name into the database table.
Its order is the order a commit locks the rows of the tables in (quotas first, then vacancies,
homes and the locality capacities; households are locked last by the commit itself), so two
commits always take their locks in the same order and cannot deadlock. A kind reserving in a
new table adds one entry here (after the others) besides its ``register`` call.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from api.models import HomeRecord, LocalityCapacityRecord, QuotaRecord, VacancyRecord

RESERVATION_TABLES: dict[str, Table] = {
    "quotas": cast(Table, QuotaRecord.__table__),
    "vacancies": cast(Table, VacancyRecord.__table__),
    "homes": cast(Table, HomeRecord.__table__),
    "locality_capacities": cast(Table, LocalityCapacityRecord.__table__),
}


def reservation_table(name: str) -> Table:
    """The table a reservation named ``name`` reserves in."""
    try:
        return RESERVATION_TABLES[name]
    except KeyError:
        raise KeyError(
            f"no table {name!r} in api.allocation.reservations.RESERVATION_TABLES"
        ) from None


def lock_order(name: str) -> int:
    """Where the rows of table ``name`` are locked in a commit (smaller first)."""
    reservation_table(name)
    return list(RESERVATION_TABLES).index(name)
