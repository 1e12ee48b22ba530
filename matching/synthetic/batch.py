"""Synthetic relocation batches for tests and benchmarks, deterministic from a seed.

Regions use their two-digit KATO codes (destination: 11 Akmola, 35 Karaganda, 39 Kostanay,
55 Pavlodar, 59 North Kazakhstan, 63 East Kazakhstan; origin: 19 Almaty region, 31 Zhambyl,
43 Kyzylorda, 47 Mangystau, 61 Turkestan, 79 Shymkent). Everything else (localities, homes,
vacancies, scores, subsidies, corridors) is invented: it has the shape of a real batch, not its
numbers. Capacities are set from the demand the options put on each resource, times a slack
factor, so ``slack < 1`` makes a contended batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from matching.allocation.build import build_instance
from matching.allocation.instance import AllocationInstance, PriorityWeights

DESTINATION_REGIONS: tuple[str, ...] = ("11", "35", "39", "55", "59", "63")
ORIGIN_REGIONS: tuple[str, ...] = ("19", "31", "43", "47", "61", "79")
# 2020 origin → destination persons (relocation programme brief §3.5) give the corridor shape;
# columns follow DESTINATION_REGIONS, Akmola and Karaganda (absent there) get a small share.
_CORRIDOR = np.array(
    [
        [30, 30, 66, 531, 269, 250],
        [20, 20, 111, 130, 191, 92],
        [20, 20, 100, 80, 120, 40],
        [10, 10, 125, 108, 54, 55],
        [30, 30, 118, 484, 416, 58],
        [20, 20, 90, 150, 200, 60],
    ],
    dtype=float,
)
_SIZE_P = np.array([0.10, 0.14, 0.20, 0.22, 0.17, 0.10, 0.05, 0.02])  # 1..8 persons, mean ≈ 3.8
MAX_ROOMS = 5
# Synthetic support per option (estimate for tests only; matching.programme.support computes real values).
_SUPPORT_PER_PERSON_TENGE = 140_000
_SUPPORT_RENT_TENGE = 180_000


@dataclass(frozen=True)
class SyntheticProgramme:
    """All tables of one synthetic batch (see :mod:`matching.allocation.build`)."""

    households: pl.DataFrame
    options: pl.DataFrame
    localities: pl.DataFrame
    homes: pl.DataFrame
    vacancies: pl.DataFrame
    quotas: pl.DataFrame
    budgets: pl.DataFrame
    earlier_movers: pl.DataFrame

    def instance(
        self,
        *,
        locks: pl.DataFrame | None = None,
        bans: pl.DataFrame | None = None,
        with_budgets: bool = True,
        priority: PriorityWeights | None = None,
    ) -> AllocationInstance:
        """Build the allocation instance of this batch."""
        return build_instance(
            self.households,
            self.options,
            localities=self.localities,
            homes=self.homes,
            vacancies=self.vacancies,
            quotas=self.quotas,
            budgets=self.budgets if with_budgets else None,
            locks=locks,
            bans=bans,
            priority=priority,
        )


def _cap(demand: np.ndarray, slack: np.ndarray, rng: np.random.Generator, floor: int) -> np.ndarray:
    jitter = rng.uniform(0.75, 1.25, size=demand.shape)
    return np.maximum(np.ceil(demand * slack * jitter), floor).astype(np.int64)


def generate_programme(
    n_households: int,
    *,
    seed: int = 0,
    options_per_household: int = 30,
    localities_per_region: int = 40,
    slack: float = 1.3,
    contended_regions: int = 0,
    refusal_rate: float = 0.1,
) -> SyntheticProgramme:
    """Generate a synthetic batch.

    Parameters
    ----------
    n_households
        Households in the batch.
    seed
        Seed of the generator; the same arguments give the same tables.
    options_per_household
        Candidate options per household (before refusals).
    localities_per_region
        Destination localities per region (six regions).
    slack
        Capacity over demand; each capacity is ``demand × slack × U(0.75, 1.25)`` where the
        demand is what every household's best option would consume.
    contended_regions
        Number of regions whose quotas, large homes and kindergarten seats get a further
        ×0.6 (demand above capacity there).
    refusal_rate
        Share of households that refused one region (and, separately, rural settlements).

    Returns
    -------
    SyntheticProgramme
    """
    rng = np.random.default_rng(seed)
    n_reg = len(DESTINATION_REGIONS)
    n_loc = n_reg * localities_per_region
    loc_region = np.repeat(np.arange(n_reg), localities_per_region)
    loc_urban = rng.random(n_loc) < 0.15
    loc_pull = rng.gamma(2.0, 1.0, n_loc) * np.where(loc_urban, 3.0, 1.0)
    loc_ids = np.array(
        [f"{DESTINATION_REGIONS[r]}-{i:03d}" for r, i in zip(loc_region, np.arange(n_loc), strict=True)]
    )

    H = n_households
    hh_ids = np.array([f"H{i:06d}" for i in range(H)])
    persons = rng.choice(np.arange(1, 9), size=H, p=_SIZE_P)
    adults = np.minimum(persons, np.where(rng.random(H) < 0.8, 2, 1))
    children = persons - adults
    young = rng.binomial(children, 0.35)
    origin = rng.integers(0, len(ORIGIN_REGIONS), H)
    category = np.where(rng.random(H) < 0.25, "kandas", "resettler")
    day = rng.integers(0, 365, H)
    vulnerable = (adults == 1) & (children > 0) & (rng.random(H) < 0.7)
    youth = rng.random(H) < 0.15
    second_earner = (adults >= 2) & (rng.random(H) < 0.5)
    refuse_region = np.where(rng.random(H) < refusal_rate, rng.integers(0, n_reg, H), -1)
    refuse_rural = rng.random(H) < refusal_rate * 0.5

    # Localities a household is offered: corridor weight of its origin × locality pull.
    K = options_per_household
    corr = _CORRIDOR / _CORRIDOR.sum(axis=1, keepdims=True)
    w = corr[:, loc_region] * loc_pull[None, :]
    cdf = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    u = rng.random((H, K))
    loc = np.empty((H, K), dtype=np.int64)
    for o in range(len(ORIGIN_REGIONS)):
        m = origin == o
        loc[m] = np.minimum(np.searchsorted(cdf[o], u[m], side="right"), n_loc - 1)
    need_rooms = np.clip(np.ceil(persons / 2), 1, MAX_ROOMS).astype(np.int64)
    rooms = np.minimum(need_rooms[:, None] + rng.integers(0, 2, (H, K)), MAX_ROOMS)
    vac_per_loc = np.maximum(2, np.round(loc_pull * max(1.0, H / n_loc) * 0.8)).astype(np.int64)
    vac_offset = np.concatenate([[0], np.cumsum(vac_per_loc)[:-1]])
    vac_local = (rng.random((H, K)) * vac_per_loc[loc]).astype(np.int64)
    vac = vac_offset[loc] + vac_local
    has_second = second_earner[:, None] & (rng.random((H, K)) < 0.6)
    vac2_local = (vac_local + 1 + (rng.random((H, K)) * (vac_per_loc[loc] - 1)).astype(np.int64)) % vac_per_loc[loc]
    vac2 = np.where(has_second, vac_offset[loc] + vac2_local, -1)
    affinity = rng.beta(2.0, 2.0, (H, n_reg))
    score = np.clip(0.25 + 0.35 * affinity[np.arange(H)[:, None], loc_region[loc]] + 0.4 * rng.beta(3.0, 3.0, (H, K)), 0.0, 1.0)
    uses_centre = loc_urban[loc] & (rng.random((H, K)) < 0.4)

    rows = np.repeat(np.arange(H), K)
    flat_loc = loc.ravel()
    home_ids = np.char.add(np.char.add(loc_ids[flat_loc], "/r"), rooms.ravel().astype(str))
    n_vac = int(vac_per_loc.sum())
    vac_loc = np.repeat(np.arange(n_loc), vac_per_loc)
    vac_ids = np.array([f"V{i:06d}" for i in range(n_vac)])
    v2 = vac2.ravel()
    support = persons[rows] * _SUPPORT_PER_PERSON_TENGE + _SUPPORT_RENT_TENGE
    options = pl.DataFrame(
        {
            "household_id": hh_ids[rows],
            "option_id": np.char.add("O", np.arange(H * K).astype(str)),
            "locality_id": loc_ids[flat_loc],
            "region_code": np.array(DESTINATION_REGIONS)[loc_region[flat_loc]],
            "home_id": home_ids,
            "vacancy_id": vac_ids[vac.ravel()],
            "second_vacancy_id": pl.Series(vac_ids[np.maximum(v2, 0)]).set(
                pl.Series(v2 < 0), None
            ),
            "score": score.ravel(),
            "persons": persons[rows],
            "children_0_5": young[rows],
            "children_6_17": (children - young)[rows],
            "support_tenge": support,
            "uses_centre": uses_centre.ravel(),
        }
    )
    households = pl.DataFrame(
        {
            "household_id": hh_ids,
            "category": category,
            "origin_region": np.array(ORIGIN_REGIONS)[origin],
            "application_day": day,
            "vulnerable": vulnerable,
            "youth": youth,
            "refused_regions": [
                [DESTINATION_REGIONS[r]] if r >= 0 else [] for r in refuse_region
            ],
            "refused_settlement_types": [["rural"] if f else [] for f in refuse_rural],
            "group": np.where(vulnerable, "vulnerable", np.where(category == "kandas", "kandas", "other")),
        },
        schema_overrides={"refused_regions": pl.List(pl.Utf8), "refused_settlement_types": pl.List(pl.Utf8)},
    )

    # Demand: what each household's best option would use.
    best = np.argmax(score, axis=1)
    b_loc = loc[np.arange(H), best]
    b_rooms = rooms[np.arange(H), best]
    reg_slack = np.full(n_reg, slack)
    contended = rng.permutation(n_reg)[:contended_regions]
    reg_slack[contended] *= 0.6
    loc_slack = reg_slack[loc_region]
    d_persons = np.bincount(b_loc, weights=persons, minlength=n_loc)
    d_young = np.bincount(b_loc, weights=young, minlength=n_loc)
    d_school = np.bincount(b_loc, weights=children - young, minlength=n_loc)
    d_centre = np.bincount(b_loc, weights=persons * uses_centre[np.arange(H), best], minlength=n_loc)
    localities = pl.DataFrame(
        {
            "locality_id": loc_ids,
            "region_code": np.array(DESTINATION_REGIONS)[loc_region],
            "settlement_type": np.where(loc_urban, "urban", "rural"),
            "person_cap": _cap(d_persons, loc_slack * 1.2, rng, 4),
            "centre_beds": pl.Series(_cap(d_centre, loc_slack, rng, 10)).set(
                pl.Series(~loc_urban), None
            ),
            "kindergarten_seats": _cap(d_young, loc_slack * 0.8, rng, 1),
            "school_seats": _cap(d_school, loc_slack * 1.2, rng, 2),
        }
    )
    home_demand = np.zeros((n_loc, MAX_ROOMS))
    np.add.at(home_demand, (b_loc, b_rooms - 1), 1.0)
    # Large homes are the scarce stock in northern villages.
    room_factor = np.array([1.2, 1.1, 1.0, 0.7, 0.5])
    units = _cap(home_demand, loc_slack[:, None] * room_factor[None, :], rng, 0)
    homes = pl.DataFrame(
        {
            "home_id": [f"{loc_ids[i]}/r{r + 1}" for i in range(n_loc) for r in range(MAX_ROOMS)],
            "locality_id": np.repeat(loc_ids, MAX_ROOMS),
            "rooms": np.tile(np.arange(1, MAX_ROOMS + 1), n_loc),
            "units": units.ravel(),
        }
    )
    b_vac = vac[np.arange(H), best]
    d_vac = np.bincount(b_vac, minlength=n_vac) + np.bincount(
        vac2[np.arange(H), best][vac2[np.arange(H), best] >= 0], minlength=n_vac
    )
    vacancies = pl.DataFrame(
        {
            "vacancy_id": vac_ids,
            "locality_id": loc_ids[vac_loc],
            "posts": np.clip(_cap(d_vac.astype(float), loc_slack[vac_loc], rng, 1), 1, 3),
        }
    )
    b_reg = loc_region[b_loc]
    cats = ("resettler", "kandas")
    q_rows = []
    for r in range(n_reg):
        for c in cats:
            m = (b_reg == r) & (category == c)
            f = reg_slack[r] * rng.uniform(0.8, 1.1)
            q_rows.append(
                {
                    "region_code": DESTINATION_REGIONS[r],
                    "category": c,
                    "persons": int(np.ceil(persons[m].sum() * f)) + 5,
                    "families": int(np.ceil(m.sum() * f)) + 1,
                }
            )
    quotas = pl.DataFrame(q_rows)
    d_budget = np.bincount(b_reg, weights=support.reshape(H, K)[np.arange(H), best], minlength=n_reg)
    budgets = pl.DataFrame(
        {
            "region_code": list(DESTINATION_REGIONS),
            "budget_tenge": np.ceil(d_budget * reg_slack * 1.1).astype(np.int64) + 1_000_000,
        }
    )
    movers = np.round(corr[:, loc_region] * loc_pull[None, :] * 40.0 * rng.random((len(ORIGIN_REGIONS), n_loc)))
    o_idx, l_idx = np.nonzero(movers > 0)
    earlier_movers = pl.DataFrame(
        {
            "origin_region": np.array(ORIGIN_REGIONS)[o_idx],
            "locality_id": loc_ids[l_idx],
            "movers": movers[o_idx, l_idx].astype(np.int64),
        }
    )
    return SyntheticProgramme(
        households=households,
        options=options,
        localities=localities,
        homes=homes,
        vacancies=vacancies,
        quotas=quotas,
        budgets=budgets,
        earlier_movers=earlier_movers,
    )
