"""Synthetic relocation programme: households, employers, vacancies, homes, locality capacity.

Deterministic for a seed and generated with numpy arrays (no Python loop per household), so
50,000 households and 100,000 vacancies take seconds. Every distribution and its source is
listed in docs/synthetic_programme.md; values the sources do not give are marked there as
estimates. Occupations are 4-digit ISCO-08 unit groups (data/taxonomy/isco08.csv).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.domain import (
    DESTINATION_SETTLEMENTS,
    LICENCES,
    Employer,
    Experience,
    HealthNeeds,
    Home,
    Household,
    LocalityCapacity,
    Member,
    Preferences,
    Vacancy,
)
from matching.iin import make_iins
from matching.scoring.features import (
    EXPERIENCE_SCHEMA,
    HOME_SCHEMA,
    HOUSEHOLD_SCHEMA,
    LOCALITY_SCHEMA,
    MEMBER_SCHEMA,
    VACANCY_SCHEMA,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# ---------------------------------------------------------------- priors (docs list sources)

HOUSEHOLD_SIZE_P = np.array([0.10, 0.15, 0.20, 0.25, 0.18, 0.08, 0.04])  # sizes 1..7 (§6.7)
APPLICANT_FEMALE_P = 0.483  # seed 000 §2.1
AGE_BANDS = np.array([[18, 29], [30, 39], [40, 49], [50, 62]])
AGE_BAND_P = np.array([0.384, 0.35, 0.18, 0.086])  # T46 / Fig. 2; split of 30+ an estimate
MARITAL = ("single", "married", "divorced", "widowed")
MARITAL_P_MALE = np.array([0.208, 0.765, 0.022, 0.005])  # seed 000 §2.1
MARITAL_P_FEMALE = np.array([0.152, 0.638, 0.192, 0.018])
EDUCATION = ("none", "secondary", "vocational", "higher")
EDUCATION_P = np.array([0.03, 0.22, 0.30, 0.45])  # higher ≈0.45 (Fig. 1); rest estimate
ORIGIN_REGIONS = ("61", "19", "71", "43", "31", "79", "75", "47", "abroad")
ORIGIN_P = np.array([0.243, 0.172, 0.147, 0.127, 0.121, 0.090, 0.059, 0.028, 0.012])  # T12
CITY_REGIONS = frozenset({"71", "75", "79"})
# T13 previous settlement type without the large-city class, for origin oblasts.
ORIGIN_SETTLEMENTS_OBLAST = ("regional_centre", "city", "township", "district_centre", "village")
ORIGIN_SETTLEMENTS_P = np.array([0.260, 0.068, 0.079, 0.155, 0.322])
# Destination mix of placements, Jan–Jun 2024 (EXT-Q via regions brief §5.4).
DESTINATION_P: Mapping[str, float] = {
    "55": 0.42, "59": 0.24, "39": 0.11, "63": 0.08, "10": 0.07, "11": 0.06, "35": 0.01, "62": 0.01,
}  # fmt: skip
# Informal corridors (S001 §5): Turkestan → Kostanay, Pavlodar, NKO; Almaty region → EKO,
# Pavlodar. Other origins prefer any destination.
CORRIDORS: Mapping[str, tuple[str, ...]] = {"61": ("39", "55", "59"), "19": ("63", "55")}
VILLAGE_PLACEMENT_SHARE = 0.67  # seed 000 §3.5.1: 65–70 % of placements go to villages

# Sectors: pooled T30 employment of placed workers (men and women averaged); military dropped.
SECTORS = (
    "education", "health", "agriculture", "services", "construction", "transport",
    "industry", "state", "finance", "municipal",
)  # fmt: skip
SECTOR_P_MALE = np.array([0.159, 0.114, 0.102, 0.159, 0.125, 0.097, 0.091, 0.068, 0.017, 0.045])
SECTOR_P_FEMALE = np.array([0.291, 0.223, 0.108, 0.209, 0.0, 0.0, 0.020, 0.061, 0.041, 0.041])
# T9 vacancies (education, health, agriculture) per destination region; Abai uses East
# Kazakhstan's row and Ulytau Karaganda's (both split from them in 2022).
T9: Mapping[str, tuple[int, int, int]] = {
    "59": (66, 98, 38), "63": (183, 248, 61), "39": (90, 295, 57), "11": (96, 155, 66),
    "55": (64, 64, 62), "35": (66, 204, 186), "10": (183, 248, 61), "62": (66, 204, 186),
}  # fmt: skip
# Occupations per sector: (qualified ISCO-08 unit groups, elementary unit group for unskilled).
SECTOR_OCCUPATIONS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "education": (("2341", "2330", "2342", "2351", "2310"), "9412"),
    "health": (("2211", "2221", "3221", "2262", "5322"), "9112"),
    "agriculture": (("6121", "8341", "6111", "3240", "7233"), "9211"),
    "services": (("5120", "5223", "5131", "4110", "9412"), "9112"),
    "construction": (("7112", "7115", "7411", "7126", "7212"), "9313"),
    "transport": (("8332", "8322", "8331", "7231", "4110"), "9329"),
    "industry": (("7212", "7233", "8111", "3118", "2151"), "9329"),
    "state": (("2422", "3343", "4110", "2411", "4311"), "9112"),
    "finance": (("2411", "4311", "3343", "4110", "2422"), "9112"),
    "municipal": (("7126", "8182", "7411", "8322", "4110"), "9613"),
}
QUALIFIED_VACANCY_SHARE = 0.5  # seed 000 §3.3.1: about half of vacancies are unskilled
# Licences implied by an occupation (driver categories, tractor, medical, welding).
OCCUPATION_LICENCES: Mapping[str, tuple[str, ...]] = {
    "8332": ("C", "CE"), "8331": ("D",), "8322": ("B",), "8341": ("tractor",),
    "2211": ("medical",), "2221": ("medical",), "3221": ("medical",), "7212": ("welding",),
}  # fmt: skip
# Relative wage by sector (S002 B3, 2008 USD, male and female averaged, over the total).
SECTOR_WAGE: Mapping[str, float] = {
    "education": 0.59, "health": 0.62, "agriculture": 0.49, "services": 0.92,
    "construction": 1.27, "transport": 1.34, "industry": 1.15, "state": 0.77,
    "finance": 2.47, "municipal": 1.03,
}  # fmt: skip
BASE_WAGE_TENGE = 300_000.0  # national mean monthly wage level, 2023 order of magnitude (estimate)
# Housing: share of households with pre-arranged housing (T29) → built-for-migrants share.
BUILT_SHARE: Mapping[str, float] = {
    "59": 0.217, "39": 0.179, "55": 0.142, "63": 0.036, "10": 0.036, "11": 0.15, "35": 0.15,
    "62": 0.15,
}  # fmt: skip
# Quality below price (§3.4.2): EK 70.6 %, NK 51.4 %, Pavlodar 40.9 %, Kostanay 33.3 %.
POOR_QUALITY: Mapping[str, float] = {
    "63": 0.706, "10": 0.706, "59": 0.514, "55": 0.409, "39": 0.333, "11": 0.45, "35": 0.45,
    "62": 0.45,
}  # fmt: skip
LAND_P = np.array([0.4, 0.3, 0.3])  # none / remote / adequate (§6.7, an assumption)


@dataclass
class Programme:
    """A generated programme. Frames are the source of truth; object lists are built lazily."""

    households: pl.DataFrame
    members: pl.DataFrame
    experience: pl.DataFrame
    employers: pl.DataFrame
    vacancies: pl.DataFrame
    homes: pl.DataFrame
    localities: pl.DataFrame
    network: pl.DataFrame  # origin_region, locality_id, movers
    seed: int
    year: int
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def network_counts(self) -> dict[tuple[str, str], int]:
        """Earlier movers per (origin region, locality id)."""
        return {
            (r, loc): int(m)
            for r, loc, m in self.network.select(
                "origin_region", "locality_id", "movers"
            ).iter_rows()
        }

    def household_objects(self, limit: int | None = None) -> list[Household]:
        """Households as validated domain objects (the first ``limit`` if given)."""
        hh = self.households if limit is None else self.households.head(limit)
        ids = set(hh["household_id"].to_list())
        members: dict[str, list[dict[str, Any]]] = {}
        for row in self.members.filter(pl.col("household_id").is_in(ids)).iter_rows(named=True):
            members.setdefault(row["household_id"], []).append(row)
        exps: dict[tuple[str, int], list[Experience]] = {}
        for row in self.experience.filter(pl.col("household_id").is_in(ids)).iter_rows(named=True):
            exps.setdefault((row["household_id"], row["member_no"]), []).append(
                Experience(row["occupation"], row["years"], row["documented"])
            )
        out = []
        for h in hh.iter_rows(named=True):
            ms = tuple(
                Member(
                    relation=m["relation"],
                    age=m["age"],
                    sex=m["sex"],
                    marital_status=m["marital_status"],
                    education=m["education"],
                    experience=tuple(exps.get((h["household_id"], m["member_no"]), ())),
                    licences=frozenset(
                        lic for b, lic in enumerate(LICENCES) if m["licence_mask"] >> b & 1
                    ),
                    employment_status=m["employment_status"],
                    health=HealthNeeds(
                        m["needs_clinic"], m["needs_hospital"], m["needs_accessible"]
                    ),
                )
                for m in sorted(members[h["household_id"]], key=lambda r: r["member_no"])
            )
            out.append(
                Household(
                    household_id=h["household_id"],
                    iin=h["iin"],
                    members=ms,
                    origin_region=h["origin_region"],
                    origin_settlement=h["origin_settlement"],
                    origin_heating=h["origin_heating"],
                    category=h["category"],
                    citizen=h["citizen"],
                    years_in_origin=h["years_in_origin"],
                    preferences=Preferences(
                        regions=tuple(h["pref_regions"]),
                        settlement_types=tuple(h["pref_settlement_types"]),
                        tenure=h["pref_tenure"],
                        wants_land=h["wants_land"],
                        business_intent=h["business_intent"],
                    ),
                    debt_tenge=h["debt_tenge"],
                    documents_complete=h["documents_complete"],
                    application_date=h["application_date"],
                    origin_wage_tenge=h["origin_wage_tenge"],
                )
            )
        return out

    def vacancy_objects(self) -> list[Vacancy]:
        return [
            Vacancy(
                vacancy_id=r["vacancy_id"],
                employer_id=r["employer_id"],
                locality_id=r["locality_id"],
                occupation=r["occupation"],
                wage_tenge=r["wage_tenge"],
                required_education=r["required_education"],
                required_licences=frozenset(
                    lic for b, lic in enumerate(LICENCES) if r["required_licence_mask"] >> b & 1
                ),
                permanent=r["permanent"],
                posts=r["posts"],
                employer_housing=r["employer_housing"],
                qualified=r["qualified"],
                sector=r["sector"],
            )  # fmt: skip
            for r in self.vacancies.iter_rows(named=True)
        ]

    def employer_objects(self) -> list[Employer]:
        return [Employer(**r) for r in self.employers.iter_rows(named=True)]

    def home_objects(self) -> list[Home]:
        return [Home(**r) for r in self.homes.iter_rows(named=True)]

    def locality_objects(self) -> list[LocalityCapacity]:
        return [LocalityCapacity(**r) for r in self.localities.iter_rows(named=True)]


def _choice(rng: np.random.Generator, n: int, p: npt.ArrayLike) -> IntArray:
    p = np.asarray(p, dtype=np.float64)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").astype(np.int64)


def _destination_localities(reference: Any, version: str) -> pl.DataFrame:
    regions = [r.code for r in reference.regions_with_role(version, "destination")]
    rows = [
        {
            "locality_id": loc.id,
            "region_code": loc.region_code,
            "settlement_type": loc.settlement_type,
            "is_urban": loc.is_urban,
            "population": loc.population,
            "school": loc.school,
            "kindergarten": loc.kindergarten,
            "clinic": loc.clinic,
            "hospital_km": loc.hospital_km,
            "heating": loc.heating,
            "piped_water": loc.piped_water,
            "bus_link": loc.bus_link,
        }  # fmt: skip
        for code in regions
        for loc in reference.localities(region_code=code)
    ]
    return pl.DataFrame(rows)


def _locality_weights(locs: pl.DataFrame) -> FloatArray:
    """Placement weight per locality: region share × settlement share × population."""
    region = locs["region_code"].to_numpy()
    village = (locs["settlement_type"] == "village").to_numpy()
    pop = np.sqrt(locs["population"].to_numpy().astype(np.float64) + 1.0)
    w = np.zeros(locs.height)
    for code, share in DESTINATION_P.items():
        in_r = region == code
        if not in_r.any():
            continue
        for mask, part in ((in_r & village, VILLAGE_PLACEMENT_SHARE),
                           (in_r & ~village, 1 - VILLAGE_PLACEMENT_SHARE)):  # fmt: skip
            if mask.any():
                w[mask] = share * part * pop[mask] / pop[mask].sum()
    return w / w.sum()


def generate_programme(
    n_households: int,
    n_vacancies: int | None = None,
    seed: int = 0,
    reference: Any | None = None,
    taxonomy: Any | None = None,
    contention: float = 1.0,
    *,
    year: int = 2023,
    programme_version: str = "strong_regions_2022",
) -> Programme:
    """Generate a synthetic programme round.

    Parameters
    ----------
    n_households
        Households applying.
    n_vacancies
        Vacancies offered (default ``2 × n_households``; about half are unskilled).
    seed
        Random seed; equal seeds give equal programmes.
    reference
        ``ReferenceData`` (default: :func:`matching.reference.load_reference`).
    taxonomy
        Unused placeholder for a taxonomy whose codes should replace ISCO unit groups.
    contention
        Households per unit of capacity: above 1, homes and qualified jobs are scarcer.
    year, programme_version
        Round year and programme version (destination regions, application dates).

    Returns
    -------
    Programme
    """
    from matching.reference import load_reference

    del taxonomy  # occupations are ISCO-08 unit groups, which every taxonomy maps to
    if n_households < 0:
        raise ValueError("n_households must be >= 0")
    ref = reference if reference is not None else load_reference()
    rng = np.random.default_rng(seed)
    n_vac = 2 * n_households if n_vacancies is None else n_vacancies
    contention = max(float(contention), 1e-6)

    locs = _destination_localities(ref, programme_version)
    loc_w = _locality_weights(locs)
    loc_ids = np.array(locs["locality_id"].to_list(), dtype=object)
    loc_region = np.array(locs["region_code"].to_list(), dtype=object)
    loc_type = np.array(locs["settlement_type"].to_list(), dtype=object)
    loc_urban = locs["is_urban"].to_numpy()

    households, members, experience = _households(rng, n_households, year)
    employers, vacancies = _vacancies(rng, n_vac, loc_ids, loc_region, loc_w, n_households)
    homes = _homes(rng, n_households, contention, loc_ids, loc_region, loc_type, loc_urban, loc_w)
    capacities = _capacities(rng, locs, n_households, loc_w, contention)
    network = _network(rng, loc_ids, loc_region, loc_w, n_households)
    return Programme(
        households=households, members=members, experience=experience, employers=employers,
        vacancies=vacancies, homes=homes, localities=capacities, network=network,
        seed=seed, year=year,
    )  # fmt: skip


def _households(
    rng: np.random.Generator, n: int, year: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    size = _choice(rng, n, HOUSEHOLD_SIZE_P) + 1
    female = rng.random(n) < APPLICANT_FEMALE_P
    band = _choice(rng, n, AGE_BAND_P)
    age = rng.integers(AGE_BANDS[band, 0], AGE_BANDS[band, 1] + 1)
    marital = np.where(female, _choice(rng, n, MARITAL_P_FEMALE), _choice(rng, n, MARITAL_P_MALE))
    # A household of two or more led by a single person is a parent with children; a
    # married applicant of a household of one moves ahead of the spouse.
    married = (marital == 1) & (size >= 2)
    has_parent = (size >= 4) & (rng.random(n) < 0.25)  # elderly parent (estimate)
    hid = np.array([f"H{i:07d}" for i in range(n)], dtype=object)

    # --- members: applicant, spouse, children, parent in that order
    hh_of = np.repeat(np.arange(n), size)
    member_no = np.arange(len(hh_of)) - np.repeat(np.cumsum(size) - size, size)
    rel = np.full(len(hh_of), "child", dtype=object)
    rel[member_no == 0] = "applicant"
    spouse_pos = (member_no == 1) & married[hh_of]
    rel[spouse_pos] = "spouse"
    parent_pos = (member_no == size[hh_of] - 1) & has_parent[hh_of]
    rel[parent_pos] = "parent"
    m_age = np.zeros(len(hh_of), dtype=np.int64)
    m_female = np.zeros(len(hh_of), dtype=bool)
    app = rel == "applicant"
    m_age[app] = age
    m_female[app] = female
    sp = rel == "spouse"
    m_age[sp] = np.clip(age[hh_of[sp]] + rng.integers(-4, 5, sp.sum()), 18, 75)
    m_female[sp] = ~female[hh_of[sp]]
    ch = rel == "child"
    # Children of older applicants may be adults who still move with the family.
    max_child_age = np.clip(age[hh_of[ch]] - 18, 0, 30)
    m_age[ch] = (rng.random(ch.sum()) * (max_child_age + 1)).astype(np.int64)
    m_female[ch] = rng.random(ch.sum()) < 0.49
    pa = rel == "parent"
    m_age[pa] = np.clip(age[hh_of[pa]] + rng.integers(22, 32, pa.sum()), 55, 95)
    m_female[pa] = rng.random(pa.sum()) < 0.6
    adult = m_age >= 18
    m_marital = np.where(adult, "single", "single").astype(object)
    m_marital[app] = np.array(MARITAL, dtype=object)[marital]
    m_marital[sp] = "married"
    m_marital[pa] = np.where(rng.random(pa.sum()) < 0.5, "widowed", "married")
    edu_idx = _choice(rng, len(hh_of), EDUCATION_P)
    edu_idx = np.where(m_age < 16, 0, np.where(m_age < 18, np.minimum(edu_idx, 1), edu_idx))
    m_edu = np.array(EDUCATION, dtype=object)[edu_idx]

    youngest = np.full(n, 99, dtype=np.int64)
    np.minimum.at(youngest, hh_of[ch], m_age[ch])
    status = np.full(len(hh_of), "jobseeker", dtype=object)
    status[~adult] = "child"
    status[(m_age >= 16) & (m_age < 18)] = "student"
    status[pa | (m_age >= 63)] = "retired"
    # 14.6 % of women on maternity leave (§2.1): mothers of a child under 3, when adult and
    # not the only possible earner.
    mother = adult & m_female & ~pa & (youngest[hh_of] <= 2)
    status[mother & (rng.random(len(hh_of)) < 0.6) & married[hh_of]] = "maternity_leave"
    status[adult & m_female & ~pa & (status == "jobseeker") & (rng.random(len(hh_of)) < 0.06)] = (
        "homemaker"
    )
    needs_clinic = (pa & (rng.random(len(hh_of)) < 0.5)) | (rng.random(len(hh_of)) < 0.02)
    needs_hospital = (pa & (rng.random(len(hh_of)) < 0.15)) | (rng.random(len(hh_of)) < 0.005)
    needs_access = (pa & (rng.random(len(hh_of)) < 0.05)) | (rng.random(len(hh_of)) < 0.003)

    # --- occupations of working-age adults
    worker = adult & ~pa & (m_age < 63)
    w_idx = np.flatnonzero(worker)
    w_female = m_female[w_idx]
    sector = np.where(
        w_female,
        _choice(rng, len(w_idx), SECTOR_P_FEMALE),
        _choice(rng, len(w_idx), SECTOR_P_MALE),
    )
    occ_pick = rng.integers(0, 5, len(w_idx))
    sector_names = np.array(SECTORS, dtype=object)[sector]
    occ = np.array(
        [SECTOR_OCCUPATIONS[s][0][k] for s, k in zip(sector_names, occ_pick, strict=True)],
        dtype=object,
    )
    low_edu = edu_idx[w_idx] <= 1
    # Workers with at most general secondary education mostly hold elementary jobs.
    elementary = low_edu & (rng.random(len(w_idx)) < 0.5)
    occ[elementary] = np.array(
        [SECTOR_OCCUPATIONS[s][1] for s in sector_names[elementary]], dtype=object
    )
    years = np.minimum(rng.gamma(2.0, 3.0, len(w_idx)), np.maximum(m_age[w_idx] - 18, 0)).round(1)
    documented = rng.random(len(w_idx)) < 0.85
    # A second occupation for 15 % of workers (estimate).
    second = rng.random(len(w_idx)) < 0.15
    s2 = np.where(w_female[second], _choice(rng, second.sum(), SECTOR_P_FEMALE),
                  _choice(rng, second.sum(), SECTOR_P_MALE))  # fmt: skip
    occ2 = np.array(
        [
            SECTOR_OCCUPATIONS[SECTORS[s]][0][k]
            for s, k in zip(s2, rng.integers(0, 5, second.sum()), strict=True)
        ],
        dtype=object,
    )
    lic = np.zeros(len(hh_of), dtype=np.int64)
    drives = adult & (rng.random(len(hh_of)) < np.where(m_female, 0.15, 0.45))  # estimate
    lic[drives] |= 1 << LICENCES.index("B")
    for code, lics in OCCUPATION_LICENCES.items():
        has = w_idx[occ == code]
        for lc in lics:
            lic[has] |= 1 << LICENCES.index(lc)

    # --- household-level attributes
    origin = np.array(ORIGIN_REGIONS, dtype=object)[_choice(rng, n, ORIGIN_P)]
    kandas = origin == "abroad"
    origin = np.where(
        kandas, np.array(["61"] * n, dtype=object), origin
    )  # kandas settle via Turkestan lists
    settle = np.array(ORIGIN_SETTLEMENTS_OBLAST, dtype=object)[
        _choice(rng, n, ORIGIN_SETTLEMENTS_P)
    ]
    settle = np.where(np.isin(origin, list(CITY_REGIONS)), "large_city", settle)
    rural = np.isin(settle, ["village", "township"])
    heating = np.where(
        rng.random(n) < np.where(rural, 0.35, 0.05), "stove",
        np.where(rng.random(n) < 0.8, "gas", "central"),
    )  # fmt: skip
    pref_regions: list[list[str]] = []
    dest_codes = list(DESTINATION_P)
    want_region = rng.random(n) < 0.6  # estimate
    extra_pick = rng.integers(0, len(dest_codes), n)
    for i in range(n):
        if not want_region[i]:
            pref_regions.append([])
        elif origin[i] in CORRIDORS:
            pref_regions.append(list(CORRIDORS[origin[i]]))
        else:
            pref_regions.append([dest_codes[extra_pick[i]]])
    want_st = rng.random(n) < 0.3
    st_pick = _choice(rng, n, [0.15, 0.15, 0.3, 0.1, 0.3])
    pref_st = [[DESTINATION_SETTLEMENTS[st_pick[i]]] if want_st[i] else [] for i in range(n)]
    tenure = np.array(["rent", "buy", "employer"], dtype=object)[_choice(rng, n, [0.6, 0.25, 0.15])]
    business = rng.random(n) < np.where(female, 0.129, 0.265)  # T20
    wants_land = business & (rng.random(n) < 0.6) | (rural & (rng.random(n) < 0.15))
    debt = np.where(rng.random(n) < 0.39, rng.lognormal(np.log(1.5e6), 0.7, n), 0.0).round(-3)
    docs = rng.random(n) < 0.93  # estimate
    years_in_origin = np.where(
        rng.random(n) < 0.03, rng.random(n), 1 + rng.gamma(2.0, 5.0, n)
    ).round(1)
    app_day = rng.integers(0, 365, n)
    app_dates = (np.datetime64(f"{year}-01-01") + app_day.astype("timedelta64[D]")).astype(
        "datetime64[D]"
    )
    # Origin wage: the applicant's sector wage level in the south (estimate around the base).
    app_sector = np.full(n, -1, dtype=np.int64)
    app_w = hh_of[w_idx] if len(w_idx) else np.array([], dtype=np.int64)
    is_app_worker = rel[w_idx] == "applicant"
    app_sector[app_w[is_app_worker]] = sector[is_app_worker]
    rel_wage = np.array([SECTOR_WAGE[s] for s in SECTORS] + [0.6])[app_sector]
    origin_wage = (BASE_WAGE_TENGE * 0.85 * rel_wage * rng.lognormal(0, 0.2, n)).round(-2)

    birth = (
        np.datetime64(f"{year}-06-30")
        - (m_age * 365.25 + rng.integers(0, 365, len(hh_of))).astype("timedelta64[D]")
    ).astype("datetime64[D]")
    iins = np.array(make_iins(birth[app], ~m_female[app], rng.integers(0, 10000, n)), dtype=object)

    households = pl.DataFrame(
        {
            "household_id": hid,
            "iin": iins,
            "origin_region": origin,
            "origin_settlement": settle,
            "origin_heating": heating,
            "category": np.where(kandas, "kandas", "resettler"),
            "citizen": ~kandas,
            "years_in_origin": years_in_origin,
            "pref_regions": pref_regions,
            "pref_settlement_types": pref_st,
            "pref_tenure": tenure,
            "wants_land": wants_land,
            "business_intent": business,
            "debt_tenge": debt,
            "documents_complete": docs,
            "application_date": app_dates,
            "origin_wage_tenge": origin_wage,
        },
        schema=HOUSEHOLD_SCHEMA,
    )
    members = pl.DataFrame(
        {
            "household_id": hid[hh_of] if n else np.array([], dtype=object),
            "member_no": member_no,
            "relation": rel,
            "age": m_age,
            "sex": np.where(m_female, "F", "M"),
            "marital_status": m_marital,
            "education": m_edu,
            "employment_status": status,
            "licence_mask": lic,
            "needs_clinic": needs_clinic,
            "needs_hospital": needs_hospital,
            "needs_accessible": needs_access,
            # The generator draws no skill codes yet: every member holds none.
            "skills": pl.Series([[]] * len(m_age), dtype=pl.List(pl.Utf8)),
        },
        schema=MEMBER_SCHEMA,
    )
    exp_hh = np.concatenate([hh_of[w_idx], hh_of[w_idx[second]]])
    experience = pl.DataFrame(
        {
            "household_id": hid[exp_hh] if n else np.array([], dtype=object),
            "member_no": np.concatenate([member_no[w_idx], member_no[w_idx[second]]]),
            "occupation": np.concatenate([occ, occ2]),
            "years": np.concatenate([years, (years[second] * 0.5).round(1)]),
            "documented": np.concatenate([documented, documented[second]]),
        },
        schema=EXPERIENCE_SCHEMA,
    )
    return households, members, experience


def _vacancies(
    rng: np.random.Generator,
    n: int,
    loc_ids: npt.NDArray[np.object_],
    loc_region: npt.NDArray[np.object_],
    loc_w: FloatArray,
    n_households: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    n_emp = max(1, n // 8) if n else 0
    emp_loc = _choice(rng, n_emp, loc_w)
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
        emp_sector[mask] = _choice(rng, int(mask.sum()), p)
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
    occ = np.array(
        [
            SECTOR_OCCUPATIONS[SECTORS[s]][0][k] if q else SECTOR_OCCUPATIONS[SECTORS[s]][1]
            for s, k, q in zip(sec, pick, qualified, strict=True)
        ],
        dtype=object,
    )
    higher = np.isin(occ, ["2341", "2330", "2342", "2351", "2310", "2211", "2221", "2262", "2422",
                           "2411", "2151", "3240"])  # fmt: skip
    req_edu = np.where(higher, "higher", np.where(qualified, "vocational", "none"))
    lic = np.zeros(n, dtype=np.int64)
    for code, lics in OCCUPATION_LICENCES.items():
        for lc in lics:
            lic[occ == code] |= 1 << LICENCES.index(lc)
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
            "required_skills": pl.Series([[]] * n, dtype=pl.List(pl.Utf8)),
        },
        schema=VACANCY_SCHEMA,
    )
    del n_households
    return employers, vacancies


def _homes(
    rng: np.random.Generator,
    n_households: int,
    contention: float,
    loc_ids: npt.NDArray[np.object_],
    loc_region: npt.NDArray[np.object_],
    loc_type: npt.NDArray[np.object_],
    loc_urban: npt.NDArray[np.bool_],
    loc_w: FloatArray,
) -> pl.DataFrame:
    n = int(round(n_households * 1.2 / contention))
    loc = _choice(rng, n, loc_w)
    region = loc_region[loc]
    built_p = np.array([BUILT_SHARE.get(str(r), 0.15) for r in region])
    u = rng.random(n)
    kind = np.where(
        u < built_p, "built_for_migrants",
        np.where(u < built_p + 0.12, "employer_flat",
                 np.where(u < built_p + 0.32, "for_sale", "rental")),
    )  # fmt: skip
    rooms = _choice(rng, n, [0.2, 0.35, 0.3, 0.15]) + 1
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


def _capacities(
    rng: np.random.Generator,
    locs: pl.DataFrame,
    n_households: int,
    loc_w: FloatArray,
    contention: float,
) -> pl.DataFrame:
    n = locs.height
    expected = n_households * loc_w / contention
    # Seats free for newcomers: about one child of each age group per expected household,
    # where the locality has the service at all (reference flags from S004 priors).
    kg = np.where(locs["kindergarten"].to_numpy(), rng.poisson(0.5 * expected + 2), 0)
    school = np.where(locs["school"].to_numpy(), rng.poisson(1.0 * expected + 5), 0)
    land_kind = _choice(rng, n, LAND_P)
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


def _network(
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


def _mean(series: pl.Series) -> float:
    value = series.cast(pl.Float64).mean()
    return float(value) if isinstance(value, (int, float)) else 0.0


def programme_summary(p: Programme) -> dict[str, float]:
    """Headline figures to compare with the calibration sources."""
    m = p.members
    sizes = m.group_by("household_id").len()["len"]
    kids = m.filter(pl.col("age") < 18).group_by("household_id").len().height
    n = max(p.households.height, 1)
    return {
        "households": float(p.households.height),
        "mean_size": _mean(sizes),
        "share_with_children": kids / n,
        "children_share_of_persons": _mean(m["age"] < 18),
        "qualified_vacancy_share": _mean(p.vacancies["qualified"]),
        "applicant_female_share": _mean(m.filter(pl.col("relation") == "applicant")["sex"] == "F"),
        "higher_education_adults": _mean(m.filter(pl.col("age") >= 18)["education"] == "higher"),
    }
