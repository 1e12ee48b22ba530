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

A capacity that is absent (no row, or a null value) does not constrain.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import scipy.sparse as sp

from matching.allocation import reasons as R
from matching.allocation.instance import (
    SCORE_SCALE,
    AllocationInstance,
    LockConflict,
    PriorityWeights,
)

# Subsidy budgets are counted in thousands of tenge so that the rows stay in integer range.
BUDGET_UNIT_TENGE = 1000


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


def _resources(
    localities: pl.DataFrame | None,
    homes: pl.DataFrame | None,
    vacancies: pl.DataFrame | None,
    quotas: pl.DataFrame | None,
    budgets: pl.DataFrame | None,
) -> pl.DataFrame:
    parts: list[pl.DataFrame] = []

    def add(df: pl.DataFrame, kind: str, key: pl.Expr, cap: pl.Expr, region: pl.Expr) -> None:
        part = df.select(
            pl.lit(kind).alias("kind"),
            key.cast(pl.Utf8).alias("key"),
            cap.cast(pl.Int64).alias("capacity"),
            region.cast(pl.Utf8).alias("region_code"),
        ).filter(pl.col("capacity").is_not_null())
        parts.append(part.with_columns(label=pl.col("key")))

    if quotas is not None:
        qkey = pl.concat_str([pl.col("region_code").cast(pl.Utf8), pl.col("category")], separator="/")
        add(quotas, R.QUOTA_PERSONS, qkey, pl.col("persons"), pl.col("region_code"))
        add(quotas, R.QUOTA_FAMILIES, qkey, pl.col("families"), pl.col("region_code"))
    if localities is not None:
        if "centre_beds" not in localities.columns and "accommodation_beds" in localities.columns:
            # The programme generator's name for the same capacity.
            localities = localities.with_columns(centre_beds=pl.col("accommodation_beds"))
        for col, kind in (
            ("person_cap", R.LOCALITY_PERSONS),
            ("centre_beds", R.CENTRE_BEDS),
            ("kindergarten_seats", R.KINDERGARTEN),
            ("school_seats", R.SCHOOL),
        ):
            if col in localities.columns:
                add(localities, kind, pl.col("locality_id"), pl.col(col), pl.col("region_code"))
    if homes is not None:
        region = pl.col("region_code") if "region_code" in homes.columns else pl.lit(None)
        add(homes, R.HOME, pl.col("home_id"), pl.col("units"), region)
    if vacancies is not None:
        region = pl.col("region_code") if "region_code" in vacancies.columns else pl.lit(None)
        add(vacancies, R.VACANCY, pl.col("vacancy_id"), pl.col("posts"), region)
    if budgets is not None:
        add(
            budgets,
            R.BUDGET,
            pl.col("region_code"),
            (pl.col("budget_tenge") // BUDGET_UNIT_TENGE),
            pl.col("region_code"),
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "kind": pl.Utf8,
                "key": pl.Utf8,
                "capacity": pl.Int64,
                "region_code": pl.Utf8,
                "label": pl.Utf8,
            }
        )
    return pl.concat(parts, how="vertical")


def _usage(opts: pl.DataFrame, resources: pl.DataFrame) -> sp.csr_matrix:
    """Consumption triplets (option row, resource row, amount) joined on (kind, key)."""
    qkey = pl.concat_str([pl.col("region_code"), pl.col("category")], separator="/")
    persons = pl.col("persons")
    specs: list[tuple[str, pl.Expr, pl.Expr]] = [
        (R.QUOTA_PERSONS, qkey, persons),
        (R.QUOTA_FAMILIES, qkey, pl.lit(1)),
        (R.LOCALITY_PERSONS, pl.col("locality_id"), persons),
        (R.CENTRE_BEDS, pl.col("locality_id"), persons * pl.col("uses_centre").cast(pl.Int64)),
        (R.KINDERGARTEN, pl.col("locality_id"), pl.col("children_0_5")),
        (R.SCHOOL, pl.col("locality_id"), pl.col("children_6_17")),
        (R.HOME, pl.col("home_id"), pl.lit(1)),
        (R.VACANCY, pl.col("vacancy_id"), pl.lit(1)),
        (R.VACANCY, pl.col("second_vacancy_id"), pl.lit(1)),
        # Subsidies are rounded up so the budget row never under-counts.
        (R.BUDGET, pl.col("region_code"), (pl.col("support_tenge") + BUDGET_UNIT_TENGE - 1) // BUDGET_UNIT_TENGE),
    ]
    res_idx = resources.select("kind", "key").with_row_index("res")
    trip = pl.concat(
        [
            opts.select(
                pl.col("row"),
                pl.lit(kind).alias("kind"),
                key.cast(pl.Utf8).alias("key"),
                amount.cast(pl.Int64).alias("amount"),
            )
            for kind, key, amount in specs
        ],
        how="vertical",
    ).filter(pl.col("key").is_not_null() & (pl.col("amount") > 0))
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
) -> AllocationInstance:
    """Turn batch tables into an :class:`AllocationInstance`.

    Parameters
    ----------
    households, options, localities, homes, vacancies, quotas, budgets, locks, bans
        The tables described in this module's docstring.
    priority
        Bonuses on the fit score for vulnerable, large, young and early households.

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
    resources = _resources(localities, homes, vacancies, quotas, budgets)
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
