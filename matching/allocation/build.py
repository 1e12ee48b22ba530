"""Build an :class:`AllocationInstance` from the batch tables.

Input tables (polars), all but ``households`` and ``options`` optional:

- ``households``: ``household_id`` plus optional ``category`` ("resettler" | "kandas"),
  ``origin_region``, ``application_day`` (int, smaller is earlier), ``vulnerable``, ``youth``
  (bool), ``refused_regions``, ``refused_settlement_types`` (list[str]), ``group`` (str, for
  fairness rules).
- ``options``: the scorer's feasible options ``household_id, option_id, locality_id,
  region_code, home_id, vacancy_id, second_vacancy_id, score, persons, children_0_5,
  children_6_17`` plus optional ``support_tenge`` (int) and ``uses_centre`` (bool: the household
  first stays in the locality's accommodation centre).
- ``localities``: ``locality_id, region_code, settlement_type`` ("urban" | "rural") and optional
  capacities ``person_cap, centre_beds`` (or ``accommodation_beds``), ``kindergarten_seats,
  school_seats``.
- ``homes``: ``home_id, units`` (optional ``rooms``).
- ``vacancies``: ``vacancy_id, posts``.
- ``quotas``: ``region_code, category, persons, families``.
- ``budgets``: ``region_code, budget_tenge``.
- ``locks``: ``household_id`` plus ``option_id`` or ``locality_id`` (a household may have
  several rows: it must take one of them).
- ``bans``: ``household_id`` plus ``option_id`` or ``locality_id``.

A capacity that is absent (no row, or a null value) does not constrain. Which table and
column each kind of capacity is read from, and how an option uses it, is declared once per
kind in :mod:`matching.allocation.capacity_kinds`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl
import scipy.sparse as sp

from matching.allocation import reasons as R
from matching.allocation.capacity_kinds import RESOURCE_COLUMNS, kinds
from matching.allocation.instance import (
    SCORE_SCALE,
    AllocationInstance,
    LockConflict,
    PriorityWeights,
)


def _household_table(households: pl.DataFrame) -> pl.DataFrame:
    hh = households
    defaults: dict[str, pl.Expr] = {
        "category": pl.lit("resettler"),
        "origin_region": pl.lit(None, dtype=pl.Utf8),
        "application_day": pl.lit(0, dtype=pl.Int64),
        "vulnerable": pl.lit(False),
        "youth": pl.lit(False),
        "refused_regions": pl.lit([], dtype=pl.List(pl.Utf8)),
        "refused_settlement_types": pl.lit([], dtype=pl.List(pl.Utf8)),
        "group": pl.lit("all"),
    }
    hh = hh.with_columns([expr.alias(c) for c, expr in defaults.items() if c not in hh.columns])
    hh = hh.with_columns(pl.col("household_id").cast(pl.Utf8), pl.col("category").cast(pl.Utf8))
    day = pl.col("application_day").cast(pl.Float64)
    span = (day.max() - day.min()).clip(lower_bound=1.0)
    return hh.with_columns(
        early=(1.0 - (day - day.min()) / span).fill_null(0.0),
    ).with_row_index("hh")


def _removal_flags(
    opts: pl.DataFrame, bans: pl.DataFrame | None, locks: pl.DataFrame | None
) -> pl.DataFrame:
    """Add a ``reason`` column (null when the option stays) to the options."""
    opts = opts.with_columns(
        refused_region=pl.col("refused_regions").list.contains(pl.col("region_code")),
        refused_settlement=pl.col("refused_settlement_types")
        .list.contains(pl.col("settlement_type"))
        .fill_null(False),
    )
    banned = pl.lit(False)
    if bans is not None and bans.height:
        opts = _mark(opts, bans, "is_banned")
        banned = pl.col("is_banned")
    locked_elsewhere = pl.lit(False)
    if locks is not None and locks.height:
        opts = _mark(opts, locks, "is_lock_target")
        locked_hh = locks.select(pl.col("household_id").cast(pl.Utf8)).unique()
        opts = opts.with_columns(is_locked=pl.col("household_id").is_in(locked_hh["household_id"].to_list()))
        locked_elsewhere = pl.col("is_locked") & ~pl.col("is_lock_target")
    return opts.with_columns(
        reason=pl.when(pl.col("refused_region"))
        .then(pl.lit(R.REFUSED_REGION))
        .when(pl.col("refused_settlement"))
        .then(pl.lit(R.REFUSED_SETTLEMENT))
        .when(banned)
        .then(pl.lit(R.BANNED))
        .when(locked_elsewhere)
        .then(pl.lit(R.LOCKED_ELSEWHERE))
        .otherwise(pl.lit(None, dtype=pl.Utf8))
    )


def _mark(opts: pl.DataFrame, rules: pl.DataFrame, name: str) -> pl.DataFrame:
    """Flag options matched by (household_id, option_id) or (household_id, locality_id)."""
    flag = pl.lit(False)
    rules = rules.with_columns(pl.col("household_id").cast(pl.Utf8))
    for col in ("option_id", "locality_id"):
        if col not in rules.columns:
            continue
        pairs = rules.filter(pl.col(col).is_not_null()).select(
            "household_id", pl.col(col).cast(opts.schema[col])
        )
        pairs = pairs.unique().with_columns(pl.lit(True).alias(f"_{name}_{col}"))
        opts = opts.join(pairs, on=["household_id", col], how="left")
        flag = flag | pl.col(f"_{name}_{col}").fill_null(False)
    return opts.with_columns(flag.alias(name))


def _resources(tables: Mapping[str, pl.DataFrame | None]) -> pl.DataFrame:
    """One row per capacity of every registered kind, in registration order."""
    parts = [rows for kind in kinds() if (rows := kind.supply.rows(kind.code, tables)) is not None]
    if not parts:
        return pl.DataFrame(schema=RESOURCE_COLUMNS)
    return pl.concat(parts, how="vertical")


def _usage(opts: pl.DataFrame, resources: pl.DataFrame) -> sp.csr_matrix:
    """Consumption triplets (option row, resource row, amount) joined on (kind, key)."""
    res_idx = resources.select("kind", "key").with_row_index("res")
    trip = pl.concat([kind.usage(opts) for kind in kinds()], how="vertical")
    trip = trip.filter(pl.col("key").is_not_null() & (pl.col("amount") > 0))
    trip = trip.join(res_idx, on=["kind", "key"], how="inner")
    rows = trip["row"].to_numpy().astype(np.int64)
    cols = trip["res"].to_numpy().astype(np.int64)
    vals = trip["amount"].to_numpy().astype(np.int64)
    usage = sp.csr_matrix((vals, (rows, cols)), shape=(opts.height, resources.height))
    usage.sum_duplicates()
    return usage


def build_instance(
    households: pl.DataFrame,
    options: pl.DataFrame,
    *,
    localities: pl.DataFrame | None = None,
    homes: pl.DataFrame | None = None,
    vacancies: pl.DataFrame | None = None,
    quotas: pl.DataFrame | None = None,
    budgets: pl.DataFrame | None = None,
    locks: pl.DataFrame | None = None,
    bans: pl.DataFrame | None = None,
    priority: PriorityWeights | None = None,
    tables: Mapping[str, pl.DataFrame] | None = None,
) -> AllocationInstance:
    """Turn batch tables into an :class:`AllocationInstance`.

    Parameters
    ----------
    households, options, localities, homes, vacancies, quotas, budgets, locks, bans
        The tables described in this module's docstring.
    priority
        Bonuses on the fit score for vulnerable, large, young and early households.
    tables
        Further supply tables by name, for capacity kinds registered outside the library
        (:mod:`matching.allocation.capacity_kinds`); the named tables above take precedence.

    Returns
    -------
    AllocationInstance
        Options left after refusals, bans and locks, with the consumption matrix.

    Examples
    --------
    >>> from matching.synthetic.batch import generate_programme
    >>> prog = generate_programme(n_households=20, seed=1)
    >>> inst = prog.instance()
    >>> inst.usage.shape[0] == inst.n_options
    True
    """
    priority = priority or PriorityWeights()
    hh = _household_table(households)
    opts = options.with_columns(
        pl.col("household_id").cast(pl.Utf8),
        pl.col("region_code").cast(pl.Utf8),
        pl.col("locality_id").cast(pl.Utf8),
        pl.col("home_id").cast(pl.Utf8),
        pl.col("vacancy_id").cast(pl.Utf8),
        pl.col("second_vacancy_id").cast(pl.Utf8),
    )
    if "support_tenge" not in opts.columns:
        opts = opts.with_columns(support_tenge=pl.lit(0, dtype=pl.Int64))
    if "uses_centre" not in opts.columns:
        opts = opts.with_columns(uses_centre=pl.lit(False))
    if localities is not None and "settlement_type" in localities.columns:
        opts = opts.join(
            localities.select(pl.col("locality_id").cast(pl.Utf8), "settlement_type"),
            on="locality_id",
            how="left",
        )
    else:
        opts = opts.with_columns(settlement_type=pl.lit(None, dtype=pl.Utf8))
    opts = opts.join(
        hh.select(
            "household_id", "hh", "category", "refused_regions", "refused_settlement_types",
            "vulnerable", "youth", "early",
        ),
        on="household_id",
        how="inner",
    )
    opts = _removal_flags(opts, bans, locks)
    removed = opts.filter(pl.col("reason").is_not_null()).select(
        "option_id", "household_id", "locality_id", "region_code", "reason"
    )
    kept = opts.filter(pl.col("reason").is_null()).sort(["hh", "score"], descending=[False, True])
    bonus = (
        1.0
        + priority.vulnerable * pl.col("vulnerable").cast(pl.Float64)
        + priority.large_family * (pl.col("persons") >= priority.large_family_persons).cast(pl.Float64)
        + priority.youth * pl.col("youth").cast(pl.Float64)
        + priority.early_application * pl.col("early")
    )
    kept = kept.with_columns(
        weight=(pl.col("score").clip(0.0, 1.0) * SCORE_SCALE * bonus).round().cast(pl.Int64)
    ).with_row_index("row")
    named = {
        "localities": localities, "homes": homes, "vacancies": vacancies, "quotas": quotas,
        "budgets": budgets,
    }  # fmt: skip
    supply = {**(tables or {}), **{k: v for k, v in named.items() if v is not None}}
    resources = _resources(supply)
    usage = _usage(kept, resources)

    # Persons and children live on the options in the scorer's shape; keep one copy per household.
    sizes = options.group_by(pl.col("household_id").cast(pl.Utf8)).agg(
        pl.col("persons").first(), pl.col("children_0_5").first(), pl.col("children_6_17").first()
    )
    hh = hh.drop([c for c in ("persons", "children_0_5", "children_6_17") if c in hh.columns])
    hh = hh.join(sizes, on="household_id", how="left").with_columns(
        pl.col("persons").fill_null(0), pl.col("children_0_5").fill_null(0),
        pl.col("children_6_17").fill_null(0),
    ).sort("hh")
    conflicts: list[LockConflict] = []
    if locks is not None and locks.height:
        locked = set(locks["household_id"].cast(pl.Utf8).to_list())
        with_opts = set(kept["household_id"].unique().to_list())
        conflicts = [LockConflict(h, R.LOCK) for h in sorted(locked - with_opts)]
        hh = hh.with_columns(must_place=pl.col("household_id").is_in(sorted(locked & with_opts)))
    else:
        hh = hh.with_columns(must_place=pl.lit(False))
    options_out = kept.select(
        "option_id", "household_id", pl.col("hh").cast(pl.Int64), "locality_id", "region_code",
        "home_id", "vacancy_id", "second_vacancy_id", "score", "weight", "support_tenge",
        "persons",
    )
    return AllocationInstance(
        households=hh.select(
            "household_id", pl.col("hh").cast(pl.Int64), "persons", "children_0_5",
            "children_6_17", "category", "origin_region", "application_day", "vulnerable",
            "youth", "group", "must_place",
        ),
        options=options_out,
        removed=removed,
        resources=resources,
        usage=usage,
        lock_conflicts=tuple(conflicts),
    )
