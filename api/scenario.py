"""Read a planner's scenario folder (CSV or Parquet tables) into an allocation batch.

A folder holds one file per table, ``NAME.csv`` or ``NAME.parquet``:

========================  ========  ===================================================
table                     required  columns
========================  ========  ===================================================
households                yes       the household frame of ``matching.scoring.features``
                                    (``household_id`` is the household's external id;
                                    ``pref_regions``/``pref_settlement_types`` are
                                    ``;``-separated in CSV)
members                   yes       the member frame (``household_id, member_no, age, …``)
experience                no        ``household_id, member_no, occupation, years, documented``
vacancies                 yes       the vacancy frame (``vacancy_id, locality_id, posts, …``)
homes                     yes       the home frame plus ``units`` (default 1)
capacities                no        ``locality_id, kindergarten_seats, school_seats,
                                    accommodation_beds``
quotas                    no        ``year, region_code, category, persons, families``
locks, bans               no        ``household_id, locality_id``
network                   no        ``origin_region, locality_id, movers`` (earlier movers)
========================  ========  ===================================================

Localities come from the reference data (destination regions of the programme version of
the quota year). Every problem in the folder is collected before anything runs: a
:class:`ScenarioError` lists them all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from matching.allocation import AllocationInstance, build_instance
from matching.ranking import MatchIndex
from matching.reference import ReferenceData, load_reference
from matching.scoring.features import (
    EXPERIENCE_SCHEMA,
    HOME_SCHEMA,
    HOUSEHOLD_SCHEMA,
    LOCALITY_SCHEMA,
    MEMBER_SCHEMA,
    VACANCY_SCHEMA,
    HouseholdFrame,
)

CATEGORIES = ("resettler", "kandas")
LIST_COLUMNS = ("pref_regions", "pref_settlement_types")
# Seats assumed where a locality has a kindergarten or school and the folder gives no
# capacity row (as api.frames does for the live tables); the allocator leaves them
# unconstrained.
ASSUMED_SEATS = 30
TABLES: dict[str, dict[str, Any]] = {
    "households": HOUSEHOLD_SCHEMA,
    "members": MEMBER_SCHEMA,
    "experience": EXPERIENCE_SCHEMA,
    "vacancies": VACANCY_SCHEMA,
    "homes": {**HOME_SCHEMA, "units": pl.Int64},
    "capacities": {
        "locality_id": pl.Utf8,
        "kindergarten_seats": pl.Int64,
        "school_seats": pl.Int64,
        "accommodation_beds": pl.Int64,
    },
    "quotas": {
        "year": pl.Int64,
        "region_code": pl.Utf8,
        "category": pl.Utf8,
        "persons": pl.Int64,
        "families": pl.Int64,
    },
    "locks": {"household_id": pl.Utf8, "locality_id": pl.Utf8},
    "bans": {"household_id": pl.Utf8, "locality_id": pl.Utf8},
    "network": {"origin_region": pl.Utf8, "locality_id": pl.Utf8, "movers": pl.Int64},
}
REQUIRED = ("households", "members", "vacancies", "homes")
# Columns a table may leave out, with the value they take.
OPTIONAL_COLUMNS: dict[str, dict[str, Any]] = {
    "homes": {"units": 1, "employer_id": None},
    "quotas": {"families": None},
    "vacancies": {"employer_id": None},
}


class ScenarioError(ValueError):
    """The folder cannot be used; the message lists every problem found."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"scenario {path} has {len(problems)} problem(s): " + "; ".join(problems))


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)

    def add(self, where: str, msg: str) -> None:
        self.items.append(f"{where}: {msg}")

    def rows(self, table: str, frame: pl.DataFrame, bad: pl.Series, msg: str) -> None:
        """One problem per offending row (file row numbers count the header as row 1)."""
        for i in frame.with_row_index("_i").filter(bad.fill_null(True))["_i"].to_list()[:20]:
            self.add(f"{table} row {i + 2}", msg)


def _read(path: Path, name: str, problems: _Problems) -> pl.DataFrame | None:
    csv, parquet = path / f"{name}.csv", path / f"{name}.parquet"
    try:
        if parquet.is_file():
            return pl.read_parquet(parquet)
        if csv.is_file():
            return pl.read_csv(csv, infer_schema=False)
    except Exception as exc:  # a broken file is one problem among the others
        problems.add(name, f"cannot read: {str(exc).splitlines()[0]}")
        return None
    if name in REQUIRED:
        problems.add(name, f"missing ({name}.csv or {name}.parquet)")
    return None


def _typed(name: str, raw: pl.DataFrame, problems: _Problems) -> pl.DataFrame | None:
    """Cast to the table's schema; every missing column and unparsable cell is a problem."""
    schema = TABLES[name]
    defaults = OPTIONAL_COLUMNS.get(name, {})
    missing = [c for c in schema if c not in raw.columns and c not in defaults]
    for col in missing:
        problems.add(name, f"column {col!r} is missing")
    if missing:
        return None
    cols: list[pl.Series] = []
    ok = True
    for col, dtype in schema.items():
        if col not in raw.columns:
            cols.append(pl.Series(col, [defaults[col]] * raw.height, dtype=dtype))
            continue
        values = raw[col]
        if col in LIST_COLUMNS and values.dtype == pl.Utf8:
            values = (
                values.fill_null("")
                .str.split(";")
                .list.eval(pl.element().str.strip_chars().filter(pl.element() != ""))
            )
        elif dtype == pl.Boolean and values.dtype == pl.Utf8:
            lowered = values.str.strip_chars().str.to_lowercase()
            values = lowered.replace_strict(
                {
                    "true": True,
                    "1": True,
                    "yes": True,
                    "false": False,
                    "0": False,
                    "no": False,
                    "": None,
                },
                default=None,
                return_dtype=pl.Boolean,
            )
            bad = lowered.is_not_null() & (lowered != "") & values.is_null()
            if bad.any():
                problems.rows(name, raw, bad, f"{col} is not true/false")
                ok = False
        elif dtype == pl.Date and values.dtype == pl.Utf8:
            parsed = values.str.to_date(strict=False)
            bad = values.is_not_null() & parsed.is_null()
            if bad.any():
                problems.rows(name, raw, bad, f"{col} is not a date (YYYY-MM-DD)")
                ok = False
            values = parsed
        elif values.dtype != dtype:
            cast = values.cast(dtype, strict=False)
            bad = values.is_not_null() & cast.is_null()
            if bad.any():
                problems.rows(name, raw, bad, f"{col} is not a {dtype}")
                ok = False
            values = cast
        cols.append(values.alias(col))
    return pl.DataFrame(cols) if ok else None


def _check_refs(
    name: str, frame: pl.DataFrame, col: str, known: set[str], what: str, problems: _Problems
) -> None:
    bad = frame[col].is_not_null() & ~frame[col].is_in(sorted(known))
    for i, value in frame.with_row_index("_i").filter(bad).select("_i", col).rows()[:20]:
        problems.add(f"{name} row {i + 2}", f"unknown {what} {value!r}")


def _localities(
    reference: ReferenceData, year: int, caps: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    version = reference.default_programme_version(year).programme_version
    destinations = {r.code for r in reference.regions_with_role(version, "destination")}
    cap = {r["locality_id"]: r for r in (caps.to_dicts() if caps is not None else [])}
    rows = []
    for loc in reference.all_localities:
        if loc.region_code not in destinations:
            continue
        c = cap.get(loc.id)
        rows.append(
            {
                "locality_id": loc.id,
                "region_code": loc.region_code,
                "settlement_type": loc.settlement_type,
                "is_urban": loc.is_urban,
                "kindergarten_seats": c["kindergarten_seats"]
                if c
                else (ASSUMED_SEATS if loc.kindergarten else 0),
                "school_seats": c["school_seats"] if c else (ASSUMED_SEATS if loc.school else 0),
                "clinic": loc.clinic,
                "hospital_km": float(loc.hospital_km),
                "heating": loc.heating,
                "piped_water": loc.piped_water,
                "bus_link": loc.bus_link,
                "land_plots": 0,
                "accommodation_beds": (c["accommodation_beds"] or 0) if c else 0,
            }
        )
    localities = pl.DataFrame(rows, schema=LOCALITY_SCHEMA)
    limits = localities.select("locality_id", "region_code", "settlement_type")
    if caps is not None:
        limits = limits.join(
            caps.select(
                "locality_id",
                "kindergarten_seats",
                "school_seats",
                pl.col("accommodation_beds").alias("centre_beds"),
            ),
            on="locality_id",
            how="left",
        )
    return localities, limits


def load_scenario_dir(
    path: Path,
    *,
    reference: ReferenceData | None = None,
    options_per_household: int = 10,
    year: int | None = None,
) -> tuple[AllocationInstance, pl.DataFrame | None]:
    """Validate a scenario folder and build its allocation batch.

    Parameters
    ----------
    path
        The folder (see the module docstring for its tables).
    reference
        Reference data (default: the repository's ``data/``).
    options_per_household
        Ranked options kept per household.
    year
        Quota year (default: the latest year in ``quotas``, else the current year).

    Returns
    -------
    (AllocationInstance, earlier movers or None)

    Raises
    ------
    ScenarioError
        Listing every problem of the folder.
    """
    if not path.is_dir():
        raise ScenarioError(path, ["not a folder"])
    reference = reference or load_reference()
    problems = _Problems()
    tables: dict[str, pl.DataFrame | None] = {}
    for name in TABLES:
        raw = _read(path, name, problems)
        tables[name] = None if raw is None else _typed(name, raw, problems)
    if problems.items:
        raise ScenarioError(path, problems.items)
    t = {k: v for k, v in tables.items() if v is not None}
    locality_ids = {loc.id for loc in reference.all_localities}
    regions = {r.code for r in reference.regions}
    hh_ids = set(t["households"]["household_id"].to_list())
    for name, col in (
        ("vacancies", "locality_id"),
        ("homes", "locality_id"),
        ("capacities", "locality_id"),
        ("locks", "locality_id"),
        ("bans", "locality_id"),
        ("network", "locality_id"),
    ):
        if name in t:
            _check_refs(name, t[name], col, locality_ids, "locality", problems)
    for name, col in (
        ("households", "origin_region"),
        ("quotas", "region_code"),
        ("network", "origin_region"),
    ):
        if name in t:
            _check_refs(name, t[name], col, regions, "region", problems)
    for name in ("members", "experience", "locks", "bans"):
        if name in t:
            _check_refs(name, t[name], "household_id", hh_ids, "household", problems)
    _check_refs("households", t["households"], "category", set(CATEGORIES), "category", problems)
    dup = t["households"]["household_id"].is_duplicated()
    if dup.any():
        problems.rows("households", t["households"], dup, "household_id appears twice")
    for name, cols in (
        ("quotas", ("persons", "families")),
        ("vacancies", ("posts",)),
        ("homes", ("units",)),
        ("capacities", ("kindergarten_seats", "school_seats", "accommodation_beds")),
    ):
        if name not in t:
            continue
        for col in cols:
            neg = t[name][col] < 0
            if neg.fill_null(False).any():
                problems.rows(name, t[name], neg.fill_null(False), f"{col} is negative")
    if problems.items:
        raise ScenarioError(path, problems.items)

    quotas = t.get("quotas")
    if year is None:
        years = quotas["year"].drop_nulls().to_list() if quotas is not None else []
        year = max(years) if years else dt.date.today().year
    if quotas is not None:
        quotas = quotas.filter(pl.col("year") == year)
    localities, limits = _localities(reference, year, t.get("capacities"))
    households = t["households"]
    index = MatchIndex(
        t["vacancies"], t["homes"].drop("units"), localities, network=t.get("network")
    )
    index.set_households(
        HouseholdFrame.from_frames(
            households,
            t["members"],
            t.get("experience", pl.DataFrame(schema=EXPERIENCE_SCHEMA)),
            space=index.space,
        )
    )
    options = index.options_for_households(top_per_household=options_per_household)
    instance = build_instance(
        households.select(
            "household_id",
            "category",
            "origin_region",
            pl.col("application_date").cast(pl.Int64).alias("application_day"),
            pl.col("category").alias("group"),
        ),
        options,
        localities=limits,
        homes=t["homes"].select("home_id", "units"),
        vacancies=t["vacancies"].select("vacancy_id", "posts"),
        quotas=quotas.drop("year") if quotas is not None else None,
        locks=t.get("locks"),
        bans=t.get("bans"),
    )
    return instance, t.get("network")
