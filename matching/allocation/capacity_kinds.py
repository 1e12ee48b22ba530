"""The capacity kinds: every resource an option can use up, each declared once.

A :class:`CapacityKind` says, in one place,

- **supply** (:class:`Supply`): which batch table holds its capacities, and in which columns;
- **use** (:class:`Use`): how much of which row an option consumes, as polars expressions over
  the whole option frame (no loop per option);
- **reservation** (:class:`Reservation`): what committing a placement reserves in the
  service's tables, as plain data (table, key column, capacity and reserved columns, the
  placement column with the amount); the library holds no database code;
- **shortage**: the catalogue key (or text) saying that a row of the kind is exhausted.

:func:`matching.allocation.build.build_instance` turns every registered kind into resource
rows and usage, and :func:`matching.allocation.explain.unplaced_reasons` names the kind that
blocked a household from its shortage text. A new kind is one :func:`register` call (its
option columns and supply table passed to ``build_instance``); a kind registered after
import takes part in every batch built afterwards.

The service (``api/allocation``) iterates the registry too: its usage accounting
(``usage.committed_usage``, ``quotas_left``, ``capacity_left``), the batch's supply tables
(``batch.build_batch``), the stored summary's fill (``service.run_summary``, the kinds with
``in_summary``), capacity overrides (``requests.capacity_kinds``), the commit
(``commit._reserve``) and ``api/matches/frames.py::load_catalogue`` (capacity left per
column). A ``Reservation.table`` name is mapped to the database table in one place,
``api/allocation/reservations.py``.

What the service takes from a kind:

- **usage accounting** (what earlier commits already hold, subtracted from the supply before
  a run): for each kind with ``reservation.reserved`` set, the capacity left in
  ``reservation.table`` is ``reservation.capacity - reservation.reserved`` per
  ``reservation.key``; for a kind whose ``reserved`` is ``None`` (the quotas) the used amount
  is the sum of ``reservation.amount`` over the committed decisions grouped by
  ``reservation.option_keys`` (a constant ``amount`` of 1 counts decisions).
- **commit**: for each kind with a reservation, add up ``reservation.amount`` of the placements
  being committed per row named by each column of ``reservation.option_keys`` (a kind with
  several keys, such as the primary and second vacancy, charges each), then increment
  ``reservation.reserved`` conditionally (``reserved + n <= capacity``, and
  ``status = 'open'`` when ``only_open``), in key order; rows that refuse are the overbooked
  problems, named ``[kind.code, key]``. ``amount`` :data:`FROM_SNAPSHOT` means the amount is
  what the optimizer charged the option (the run snapshot's usage of that kind), because the
  placement row does not carry it (accommodation-centre beds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from matching.allocation import reasons as R
from matching.text import Text, msg

# Subsidy budgets are counted in thousands of tenge so that the rows stay in integer range.
BUDGET_UNIT_TENGE = 1000
# A reservation amount the placement does not carry: take what the run's snapshot charged.
FROM_SNAPSHOT = "snapshot"

SCOPES = ("region", "locality", "item")

RESOURCE_COLUMNS: dict[str, pl.DataType] = {
    "kind": pl.Utf8(),
    "key": pl.Utf8(),
    "capacity": pl.Int64(),
    "region_code": pl.Utf8(),
    "label": pl.Utf8(),
}


@dataclass(frozen=True, slots=True)
class Supply:
    """Where a kind's capacities are read: one resource row per row of a batch table.

    ``capacity`` lists the column and its accepted aliases; the first one present is read,
    and a table without any of them (or a null cell) gives no row, so it does not constrain.
    ``unit`` divides the capacity (floor) for kinds counted in larger units.
    """

    table: str
    key: pl.Expr
    capacity: tuple[str, ...]
    region: str = "region_code"
    unit: int = 1

    def rows(self, code: str, tables: Mapping[str, pl.DataFrame | None]) -> pl.DataFrame | None:
        """The kind's resource rows (:data:`RESOURCE_COLUMNS`), or None when absent."""
        table = tables.get(self.table)
        if table is None:
            return None
        column = next((c for c in self.capacity if c in table.columns), None)
        if column is None:
            return None
        region = pl.col(self.region) if self.region in table.columns else pl.lit(None)
        capacity = pl.col(column) if self.unit == 1 else pl.col(column) // self.unit
        return (
            table.select(
                pl.lit(code).alias("kind"),
                self.key.cast(pl.Utf8).alias("key"),
                capacity.cast(pl.Int64).alias("capacity"),
                region.cast(pl.Utf8).alias("region_code"),
            )
            .filter(pl.col("capacity").is_not_null())
            .with_columns(label=pl.col("key"))
        )


@dataclass(frozen=True, slots=True)
class Use:
    """How an option consumes a kind: ``amount`` of the row named by ``key``.

    Both are expressions over the option frame (its columns plus the household's
    ``category``); a null key or a non-positive amount consumes nothing.
    """

    key: pl.Expr
    amount: pl.Expr


@dataclass(frozen=True, slots=True)
class Reservation:
    """What committing a placement reserves, for the service to apply (see the module doc).

    ``table`` and the columns are the service's table and column names; ``option_keys`` and
    ``amount`` are columns of a placement joined with its household (``category``);
    ``amount`` may also be :data:`FROM_SNAPSHOT`, or a constant count per placement. ``reserved`` None: nothing is incremented, the usage is
    counted from the committed decisions.
    """

    table: str
    key: tuple[str, ...]
    capacity: str
    reserved: str | None
    option_keys: tuple[str, ...]
    amount: str | int
    only_open: bool = False


@dataclass(frozen=True, slots=True)
class CapacityKind:
    """One kind of capacity; see the module docstring for what each part is used for.

    ``shortage`` is a catalogue key, or a :class:`~matching.text.Text` for a kind registered
    outside the package; either has a ``{label}`` placeholder for the exhausted row.
    """

    code: str
    supply: Supply
    uses: tuple[Use, ...]
    shortage: str | Text
    reservation: Reservation | None = None
    # When several rows block an option, the kind with the smallest precedence is named.
    precedence: int = 99
    # Whether a run's stored summary keeps the fill of the kind's rows; False for kinds with a
    # row per home or vacancy (a national batch has hundreds of thousands of them).
    in_summary: bool = True
    # What one row of the kind stands for: a region's figure (quotas, budget), a locality's
    # (intake cap, beds, seats) or a single item (a home, a vacancy). Reports group fill by it.
    scope: str = "locality"

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"capacity kind {self.code!r}: scope must be one of {SCOPES}")

    def shortage_text(self, label: str) -> Text:
        """The text saying that the row labelled ``label`` is exhausted."""
        text = self.shortage if isinstance(self.shortage, Text) else msg(self.shortage)
        return text.format(label=label)

    def usage(self, options: pl.DataFrame) -> pl.DataFrame:
        """``row, kind, key, amount`` for every use of the kind by the ``row``-indexed options."""
        return pl.concat(
            [
                options.select(
                    pl.col("row"),
                    pl.lit(self.code).alias("kind"),
                    use.key.cast(pl.Utf8).alias("key"),
                    use.amount.cast(pl.Int64).alias("amount"),
                )
                for use in self.uses
            ],
            how="vertical",
        )


_REGISTRY: dict[str, CapacityKind] = {}


def register(kind: CapacityKind, *, replace: bool = False) -> CapacityKind:
    """Add ``kind`` to the registry (after the kinds already there) and return it.

    Registering a code twice is refused unless ``replace``; a replaced kind keeps its place.

    Examples
    --------
    >>> clinic = CapacityKind(
    ...     "clinic_places",
    ...     Supply("clinics", pl.col("locality_id"), ("places",)),
    ...     (Use(pl.col("locality_id"), pl.col("persons")),),
    ...     shortage="allocation.resource_full.locality_persons",
    ... )
    >>> register(clinic).code in [k.code for k in kinds()]
    True
    >>> unregister("clinic_places")
    """
    if kind.code in _REGISTRY and not replace:
        raise ValueError(f"capacity kind {kind.code!r} is already registered")
    _REGISTRY[kind.code] = kind
    return kind


def unregister(code: str) -> None:
    """Remove the kind ``code`` (for kinds registered by tests or plug-ins)."""
    _REGISTRY.pop(code, None)


def kinds() -> tuple[CapacityKind, ...]:
    """The registered kinds in registration order (the order shortages are named in)."""
    return tuple(_REGISTRY.values())


def capacity_kind(code: str) -> CapacityKind:
    """The registered kind ``code``."""
    try:
        return _REGISTRY[code]
    except KeyError:
        raise KeyError(f"no capacity kind {code!r} is registered") from None


def shortage_text(code: str, label: str) -> Text:
    """The text saying that the row ``label`` of kind ``code`` is exhausted."""
    return capacity_kind(code).shortage_text(label)


def _shipped(
    code: str,
    precedence: int,
    supply: Supply,
    uses: tuple[Use, ...],
    reservation: Reservation | None = None,
    *,
    in_summary: bool = True,
    scope: str = "locality",
) -> None:
    register(
        CapacityKind(
            code, supply, uses, f"allocation.resource_full.{code}", reservation, precedence,
            in_summary, scope,
        )
    )  # fmt: skip


# The shipped kinds. Registration order is the order of the resource rows; ``precedence`` the
# order a shortage is named in when several rows block an option (quotas first).
_QUOTA_KEY = pl.concat_str([pl.col("region_code").cast(pl.Utf8), pl.col("category")], separator="/")
_QUOTA_ROW = ("year", "region_code", "category")
_LOCALITY = pl.col("locality_id")
_shipped(
    R.QUOTA_PERSONS, 0, Supply("quotas", _QUOTA_KEY, ("persons",)),
    (Use(_QUOTA_KEY, pl.col("persons")),),
    Reservation("quotas", _QUOTA_ROW, "persons", None, ("region_code", "category"), "persons"),
    scope="region",
)  # fmt: skip
_shipped(
    R.QUOTA_FAMILIES, 1, Supply("quotas", _QUOTA_KEY, ("families",)),
    (Use(_QUOTA_KEY, pl.lit(1)),),
    Reservation("quotas", _QUOTA_ROW, "families", None, ("region_code", "category"), 1),
    scope="region",
)  # fmt: skip
# The service does not reserve a locality's intake cap: it is a planning figure per batch.
_shipped(
    R.LOCALITY_PERSONS, 2, Supply("localities", _LOCALITY, ("person_cap",)),
    (Use(_LOCALITY, pl.col("persons")),),
)  # fmt: skip
# "accommodation_beds" is the programme generator's and the database's name for the beds.
_shipped(
    R.CENTRE_BEDS, 4, Supply("localities", _LOCALITY, ("centre_beds", "accommodation_beds")),
    (Use(_LOCALITY, pl.col("persons") * pl.col("uses_centre").cast(pl.Int64)),),
    Reservation("locality_capacities", ("locality_id",), "accommodation_beds",
                "accommodation_beds_reserved", ("locality_id",), FROM_SNAPSHOT),
)  # fmt: skip
_shipped(
    R.KINDERGARTEN, 5, Supply("localities", _LOCALITY, ("kindergarten_seats",)),
    (Use(_LOCALITY, pl.col("children_0_5")),),
    Reservation("locality_capacities", ("locality_id",), "kindergarten_seats",
                "kindergarten_reserved", ("locality_id",), "children_0_5"),
)  # fmt: skip
_shipped(
    R.SCHOOL, 6, Supply("localities", _LOCALITY, ("school_seats",)),
    (Use(_LOCALITY, pl.col("children_6_17")),),
    Reservation("locality_capacities", ("locality_id",), "school_seats", "school_reserved",
                ("locality_id",), "children_6_17"),
)  # fmt: skip
_shipped(
    R.HOME, 3, Supply("homes", pl.col("home_id"), ("units",)),
    (Use(pl.col("home_id"), pl.lit(1)),),
    Reservation("homes", ("id",), "units", "units_reserved", ("home_id",), 1, only_open=True),
    in_summary=False, scope="item",
)  # fmt: skip
_shipped(
    R.VACANCY, 7, Supply("vacancies", pl.col("vacancy_id"), ("posts",)),
    (Use(pl.col("vacancy_id"), pl.lit(1)), Use(pl.col("second_vacancy_id"), pl.lit(1))),
    Reservation("vacancies", ("id",), "posts", "posts_reserved",
                ("vacancy_id", "second_vacancy_id"), 1, only_open=True),
    in_summary=False, scope="item",
)  # fmt: skip
# The budget is the request's, per run: nothing to reserve. Subsidies are rounded up so the
# budget row never under-counts.
_shipped(
    R.BUDGET, 8,
    Supply("budgets", pl.col("region_code"), ("budget_tenge",), unit=BUDGET_UNIT_TENGE),
    (Use(pl.col("region_code"),
         (pl.col("support_tenge") + BUDGET_UNIT_TENGE - 1) // BUDGET_UNIT_TENGE),),
    scope="region",
)  # fmt: skip
