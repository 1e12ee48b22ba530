"""Synthetic destinations: employers and vacancies, homes, locality capacities, movers."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.scoring.features import HOME_SCHEMA, LOCALITY_SCHEMA, VACANCY_SCHEMA
from matching.synthetic.priors import (
    BASE_WAGE_TENGE,
    BUILT_SHARE,
    CORRIDORS,
    ELEMENTARY_OCCUPATIONS,
    LAND_P,
    ORIGIN_P,
    ORIGIN_REGIONS,
    POOR_QUALITY,
    QUALIFIED_OCCUPATIONS,
    QUALIFIED_VACANCY_SHARE,
    SECTOR_P_FEMALE,
    SECTOR_P_MALE,
    SECTOR_WAGE,
    SECTORS,
    T9,
    FloatArray,
    draw_index,
)
from matching.synthetic.skills import SkillLinks, draw_vacancy_skills


def draw_vacancies(
    rng: np.random.Generator,
    n: int,
    loc_ids: npt.NDArray[np.object_],
    loc_region: npt.NDArray[np.object_],
    loc_w: FloatArray,
    n_households: int,
    links: SkillLinks,
    skill_rng: np.random.Generator,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Employers and their vacancies in the destination localities (sector mix by region).

    Required skills and licences come from ``links`` with draws from ``skill_rng``.
    """
    n_emp = max(1, n // 8) if n else 0
    emp_loc = draw_index(rng, n_emp, loc_w)
    # Sector per employer: T30 pooled mix with education/health/agriculture reshaped by T9.
    base = (SECTOR_P_MALE + SECTOR_P_FEMALE) / 2
    emp_sector = np.zeros(n_emp, dtype=np.int64)
    for code in np.unique(loc_region):
        mask = loc_region[emp_loc] == code
        if not mask.any():
            continue
        p = base.copy()
        t9 = np.array(T9.get(str(code), (565, 1064, 470)), dtype=np.float64)
        p[:3] = base[:3].sum() * t9 / t9.sum()
        emp_sector[mask] = draw_index(rng, int(mask.sum()), p)
    employers = pl.DataFrame(
        {
            "employer_id": [f"E{i:06d}" for i in range(n_emp)],
            "name": [f"Employer {i:06d}" for i in range(n_emp)],
            "locality_id": loc_ids[emp_loc] if n_emp else np.array([], dtype=object),
            "sector": np.array(SECTORS, dtype=object)[emp_sector],
        },
        schema={"employer_id": pl.Utf8, "name": pl.Utf8, "locality_id": pl.Utf8, "sector": pl.Utf8},
    )
    emp = rng.integers(0, max(n_emp, 1), n)
    sec = emp_sector[emp] if n_emp else np.zeros(n, dtype=np.int64)
    qualified = rng.random(n) < QUALIFIED_VACANCY_SHARE
    pick = rng.integers(0, 5, n)
    occ = np.where(qualified, QUALIFIED_OCCUPATIONS[sec, pick], ELEMENTARY_OCCUPATIONS[sec])
    higher = np.isin(occ, ["2341", "2330", "2342", "2351", "2310", "2211", "2221", "2262", "2422",
                           "2411", "2151", "3240"])  # fmt: skip
    req_edu = np.where(higher, "higher", np.where(qualified, "vocational", "none"))
    # Required skills from the occupation's links; the licence mask is the occupation's
    # licences plus those the listed codes name. Own random stream (see draw_households).
    required_skills, lic = draw_vacancy_skills(skill_rng, links, occ)
    wage_rel = np.array([SECTOR_WAGE[s] for s in SECTORS])[sec]
    # No northern allowance (DM 2.3.1): same level as the origin, with employer spread.
    wage = (
        BASE_WAGE_TENGE * wage_rel * np.where(qualified, 1.0, 0.7) * rng.lognormal(0, 0.15, n)
    ).round(-2)
    vacancies = pl.DataFrame(
        {
            "vacancy_id": [f"V{i:07d}" for i in range(n)],
            "employer_id": [f"E{e:06d}" for e in emp] if n_emp else [None] * n,
            "locality_id": loc_ids[emp_loc[emp]] if n_emp else np.array([], dtype=object),
            "occupation": occ,
            "wage_tenge": wage,
            "required_education": req_edu,
            "required_licence_mask": lic,
            "permanent": rng.random(n) < 0.8,  # estimate
            "posts": np.ones(n, dtype=np.int64),
            "employer_housing": rng.random(n) < 0.12,  # estimate
            "qualified": qualified,
            "sector": np.array(SECTORS, dtype=object)[sec],
            "required_skills": required_skills,
        },
        schema=VACANCY_SCHEMA,
    )
    del n_households
    return employers, vacancies


def draw_homes(
    rng: np.random.Generator,
    n_households: int,
    contention: float,
    loc_ids: npt.NDArray[np.object_],
    loc_region: npt.NDArray[np.object_],
    loc_type: npt.NDArray[np.object_],
    loc_urban: npt.NDArray[np.bool_],
    loc_w: FloatArray,
) -> pl.DataFrame:
    """Homes offered in the destination localities (about 1.2 per household, fewer under contention)."""
    n = int(round(n_households * 1.2 / contention))
    loc = draw_index(rng, n, loc_w)
    region = loc_region[loc]
    built_p = np.array([BUILT_SHARE.get(str(r), 0.15) for r in region])
    u = rng.random(n)
    kind = np.where(
        u < built_p, "built_for_migrants",
        np.where(u < built_p + 0.12, "employer_flat",
                 np.where(u < built_p + 0.32, "for_sale", "rental")),
    )  # fmt: skip
    rooms = draw_index(rng, n, [0.2, 0.35, 0.3, 0.15]) + 1
    house = np.isin(kind, ["built_for_migrants", "for_sale"]) & ~loc_urban[loc]
    capacity = rooms * 2 + house.astype(np.int64)
    urban = loc_urban[loc]
    rent = np.where(
        np.isin(kind, ["rental"]),
        np.where(urban, 60_000, 35_000) * (0.7 + 0.3 * rooms) * rng.lognormal(0, 0.2, n),
        np.where(kind == "employer_flat", np.where(rng.random(n) < 0.5, 0.0, 20_000.0), 0.0),
    ).round(-2)
    price = np.where(
        np.isin(kind, ["for_sale", "built_for_migrants"]),
        np.where(urban, 5_000_000, 2_500_000) * (0.6 + 0.4 * rooms) * rng.lognormal(0, 0.3, n),
        0.0,
    ).round(-3)
    poor = np.array([POOR_QUALITY.get(str(r), 0.45) for r in region])
    condition = np.where(
        kind == "built_for_migrants", rng.integers(3, 6, n),
        np.where(rng.random(n) < poor, rng.integers(1, 4, n), rng.integers(3, 6, n)),
    )  # fmt: skip
    village = loc_type[loc] == "village"
    heating = np.where(
        village & (rng.random(n) < 0.6), "stove",
        np.where(urban, "central", np.where(rng.random(n) < 0.5, "gas", "stove")),
    )  # fmt: skip
    water = np.where(village, rng.random(n) < 0.6, rng.random(n) < 0.97)
    return pl.DataFrame(
        {
            "home_id": [f"D{i:07d}" for i in range(n)],
            "locality_id": loc_ids[loc] if n else np.array([], dtype=object),
            "kind": kind,
            "rooms": rooms,
            "capacity": capacity,
            "rent_tenge": rent,
            "price_tenge": price,
            "condition": condition,
            "heating": heating,
            "piped_water": water,
            "accessible": rng.random(n) < 0.05,
            "employer_id": [None] * n,
        },
        schema=HOME_SCHEMA,
    )


def draw_capacities(
    rng: np.random.Generator,
    locs: pl.DataFrame,
    n_households: int,
    loc_w: FloatArray,
    contention: float,
) -> pl.DataFrame:
    """Per-locality capacities: kindergarten and school seats, land plots, centre beds."""
    n = locs.height
    expected = n_households * loc_w / contention
    # Seats free for newcomers: about one child of each age group per expected household,
    # where the locality has the service at all (reference flags from S004 priors).
    kg = np.where(locs["kindergarten"].to_numpy(), rng.poisson(0.5 * expected + 2), 0)
    school = np.where(locs["school"].to_numpy(), rng.poisson(1.0 * expected + 5), 0)
    land_kind = draw_index(rng, n, LAND_P)
    land = np.where(land_kind == 0, 0, rng.poisson(0.2 * expected + 3))
    rc = (locs["settlement_type"] == "regional_centre").to_numpy()
    beds = np.where(rc, rng.integers(10, 40, n), 0)
    return pl.DataFrame(
        {
            "locality_id": locs["locality_id"],
            "region_code": locs["region_code"],
            "settlement_type": locs["settlement_type"],
            "is_urban": locs["is_urban"],
            "kindergarten_seats": kg,
            "school_seats": school,
            "clinic": locs["clinic"],
            "hospital_km": locs["hospital_km"],
            "heating": locs["heating"],
            "piped_water": locs["piped_water"],
            "bus_link": locs["bus_link"],
            "land_plots": land,
            "accommodation_beds": beds,
        },
        schema=LOCALITY_SCHEMA,
    )


def draw_network(
    rng: np.random.Generator,
    loc_ids: npt.NDArray[np.object_],
    loc_region: npt.NDArray[np.object_],
    loc_w: FloatArray,
    n_households: int,
) -> pl.DataFrame:
    """Earlier movers per (origin, locality): corridor-weighted, earlier rounds ≈ this round."""
    origins = [o for o in ORIGIN_REGIONS if o != "abroad"]
    op = ORIGIN_P[: len(origins)] / ORIGIN_P[: len(origins)].sum()
    rows_o, rows_l, rows_m = [], [], []
    total = max(n_households, 1) * 0.5
    for o, share in zip(origins, op, strict=True):
        corridor = CORRIDORS.get(o)
        boost = np.where(np.isin(loc_region, list(corridor)), 3.0, 1.0) if corridor else 1.0
        w = loc_w * boost
        lam = total * share * w / w.sum()
        movers = rng.poisson(lam)
        nz = np.flatnonzero(movers)
        rows_o.extend([o] * len(nz))
        rows_l.extend(loc_ids[nz].tolist())
        rows_m.extend(movers[nz].tolist())
    return pl.DataFrame(
        {"origin_region": rows_o, "locality_id": rows_l, "movers": rows_m},
        schema={"origin_region": pl.Utf8, "locality_id": pl.Utf8, "movers": pl.Int64},
    )


