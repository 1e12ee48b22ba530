"""A back-test cohort: one generated programme round, its options and its allocation instance.

Every policy of the back-test places the same cohort (same households, options, capacities
and quotas), so their outcomes differ by the placement only. Options come from the ranked
matching index (:class:`~matching.ranking.MatchIndex`) with at most ``per_locality`` options
in one locality, plus ``alternative_homes`` other homes of the same locality per option:
the index proposes the best few homes of a locality for a household's profile, so without
them households of one profile would all compete for the same two homes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl

from matching.allocation import AllocationInstance, build_instance
from matching.programme.support import SupportParameters, relocation_and_rent_tenge
from matching.ranking import MatchIndex
from matching.scoring.components import OUTCOME_FEATURES
from matching.scoring.scorer import Scorer
from matching.scoring.weights import RetentionPredictor, ScoringConfig, default_config
from matching.synthetic.programme import Programme, generate_programme

# Applicant groups the back-test reports on; youth is 18–29 as in seed 000 T31.
GROUPS: tuple[str, ...] = ("women", "youth", "divorced_widowed", "village_origin")
YOUTH_MAX_AGE = 29
# Fairness-floor label of a household: the first group it belongs to, in this order.
FLOOR_GROUPS: tuple[str, ...] = ("divorced_widowed", "women", "youth")


@dataclass(frozen=True)
class CohortSettings:
    """How a cohort is generated (defaults: the back-test's; see docs/backtest/README.md)."""

    households: int = 5000
    year: int = 2023
    contention: float = 0.5
    top_per_household: int = 12
    per_locality: int = 2
    vacancies_per_locality: int = 8
    alternative_homes: int = 3
    quota_share: float = 0.45  # quota families as a share of the cohort's households


@dataclass
class Cohort:
    """One seed's cohort. ``options`` carry the score, the fit components (``c_*``), the
    outcome features and ``support_tenge``; ``households`` the applicant groups."""

    seed: int
    households: pl.DataFrame
    options: pl.DataFrame
    instance: AllocationInstance
    network: pl.DataFrame
    quotas: pl.DataFrame
    index: MatchIndex
    tables: dict[str, pl.DataFrame]

    def rescored(self, config: ScoringConfig) -> Cohort:
        """The same cohort with every option scored again under ``config``."""
        scorer = Scorer(self.index.catalogue, self.index.space, config)
        assert self.index.households is not None
        scored = scorer.score_options(
            self.index.households, self.options.drop("score", "feasible"), components=False
        )
        options = self.options.with_columns(score=scored["score"])
        return replace(self, options=options, instance=_instance(self.households, options, self.tables))


def household_groups(programme: Programme) -> pl.DataFrame:
    """Applicant groups of every household: women, youth, divorced or widowed, village origin."""
    applicant = programme.members.filter(pl.col("relation") == "applicant").select(
        "household_id", "sex", "age", "marital_status"
    )
    persons = programme.members.group_by("household_id").agg(pl.len().alias("persons"))
    frame = (
        programme.households.select(
            "household_id",
            "category",
            "origin_region",
            "origin_settlement",
            pl.col("application_date").cast(pl.Int64).alias("application_day"),
        )
        .join(applicant, on="household_id", how="left")
        .join(persons, on="household_id", how="left")
        .with_columns(
            women=pl.col("sex") == "F",
            youth=pl.col("age").is_between(18, YOUTH_MAX_AGE),
            divorced_widowed=pl.col("marital_status").is_in(["divorced", "widowed"]),
            village_origin=pl.col("origin_settlement") == "village",
        )
    )
    label = pl.lit("other")
    for g in reversed(FLOOR_GROUPS):
        label = pl.when(pl.col(g)).then(pl.lit(g)).otherwise(label)
    return frame.with_columns(group=label).drop("sex", "age", "marital_status")


def cohort_quotas(
    published: pl.DataFrame, households: pl.DataFrame, share: float
) -> pl.DataFrame:
    """Quotas for the cohort: ``share`` of its households (and their persons), split over the
    destination regions as the published quota's persons are, and over the categories as
    the cohort's households are.

    ``published`` has ``region_code`` and ``persons`` (one year of data/quotas.csv).
    """
    region = published.group_by("region_code").agg(pl.col("persons").sum()).sort("region_code")
    region_share = region["persons"].to_numpy() / max(float(region["persons"].sum()), 1.0)
    cats = households.group_by("category").agg(pl.len().alias("n"), pl.col("persons").sum())
    rows = []
    for code, rs in zip(region["region_code"].to_list(), region_share, strict=True):
        for cat, n, persons in cats.select("category", "n", "persons").iter_rows():
            rows.append(
                {
                    "region_code": str(code),
                    "category": cat,
                    "families": int(np.ceil(share * rs * n)),
                    "persons": int(np.ceil(share * rs * persons)),
                }
            )
    return pl.DataFrame(rows)


def _alternative_homes(
    options: pl.DataFrame, homes: pl.DataFrame, k: int, rng: np.random.Generator
) -> pl.DataFrame:
    if k <= 0 or options.height == 0:
        return options
    h = homes.select("home_id", "locality_id").sort("locality_id", "home_id")
    loc = h["locality_id"].to_numpy()
    ids = h["home_id"].to_numpy()
    uniq, start, count = np.unique(loc, return_index=True, return_counts=True)
    pos = np.searchsorted(uniq, options["locality_id"].to_numpy())
    ok = (pos < len(uniq)) & (uniq[np.minimum(pos, len(uniq) - 1)] == options["locality_id"].to_numpy())
    pick = start[np.minimum(pos, len(uniq) - 1)][:, None] + (
        rng.random((options.height, k)) * count[np.minimum(pos, len(uniq) - 1)][:, None]
    ).astype(np.int64)
    rows = np.repeat(np.flatnonzero(ok), k)
    alt = options[rows].with_columns(home_id=pl.Series(ids[pick[ok].ravel()], dtype=pl.Utf8))
    return pl.concat([options, alt], how="vertical").unique(
        ["household_id", "vacancy_id", "home_id", "second_vacancy_id"],
        keep="first",
        maintain_order=True,
    )


def _instance(
    households: pl.DataFrame, options: pl.DataFrame, tables: dict[str, pl.DataFrame]
) -> AllocationInstance:
    return build_instance(
        households.select("household_id", "category", "origin_region", "application_day", "group"),
        options,
        localities=tables["localities"],
        tables=tables,
    )


def build_cohort(
    seed: int,
    settings: CohortSettings,
    *,
    published_quotas: pl.DataFrame,
    support: SupportParameters,
    reference: Any | None = None,
    config: ScoringConfig | None = None,
) -> Cohort:
    """Generate the programme of ``seed``, its options and its allocation instance."""
    from matching.programme.geography import load_reference

    ref = reference if reference is not None else load_reference()
    cfg = config or default_config(None, settings.year, reference=ref, support=support)
    programme = generate_programme(
        settings.households, seed=seed, reference=ref, contention=settings.contention,
        year=settings.year,
    )  # fmt: skip
    index = MatchIndex.from_programme(
        programme, config=cfg, vacancies_per_locality=settings.vacancies_per_locality
    )
    assert index.households is not None
    base = index.options_for_households(
        top_per_household=settings.top_per_household, per_locality=settings.per_locality
    )
    rng = np.random.default_rng([seed, 17])
    widened = _alternative_homes(base, programme.homes, settings.alternative_homes, rng)
    ev = index.scorer.evaluate_frame(index.households, widened)
    keep = np.flatnonzero(ev.feasible)
    part = ev.take(keep)
    options = (
        widened[keep]
        .with_columns(
            score=pl.Series(part.total),
            option_id=pl.concat_str(
                ["household_id", "vacancy_id", "home_id", pl.col("second_vacancy_id").fill_null("")],
                separator="|",
            ),
            **{f"c_{c}": pl.Series(v) for c, v in part.values.items()},
            **{f"f_{k}": pl.Series(part.features[k]) for k in OUTCOME_FEATURES},
        )
        .sort(["household_id", "score", "option_id"], descending=[False, True, False])
        .group_by("household_id", maintain_order=True)
        .head(settings.top_per_household + settings.alternative_homes * 2)
    )
    urban = options.join(
        programme.localities.select("locality_id", "is_urban"), on="locality_id", how="left"
    )["is_urban"].fill_null(False)
    options = options.with_columns(
        support_tenge=pl.Series(
            relocation_and_rent_tenge(
                support, options["persons"].to_numpy().clip(1), urban.to_numpy(), settings.year
            ),
            dtype=pl.Int64,
        ),
        feasible=pl.lit(True),
    )
    households = household_groups(programme)
    quotas = cohort_quotas(published_quotas, households, settings.quota_share)
    localities = programme.localities.select(
        "locality_id", "region_code", "settlement_type", "kindergarten_seats", "school_seats",
        "accommodation_beds",
    )  # fmt: skip
    tables = {
        "localities": localities,
        "homes": programme.homes.select("home_id", pl.lit(1, dtype=pl.Int64).alias("units")),
        "vacancies": programme.vacancies.select("vacancy_id", "posts"),
        "quotas": quotas,
    }
    return Cohort(
        seed=seed,
        households=households,
        options=options,
        instance=_instance(households, options, tables),
        network=programme.network,
        quotas=quotas,
        index=index,
        tables=tables,
    )


def with_retention(config: ScoringConfig, model: RetentionPredictor, weight: float) -> ScoringConfig:
    """``config`` with the retention component switched on at ``weight``."""
    return replace(config.with_weights(retention=weight), retention_model=model)
