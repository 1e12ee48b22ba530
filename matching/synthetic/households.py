"""Synthetic households: members, education, work experience, origins and preferences."""

from __future__ import annotations

import numpy as np
import polars as pl

from matching.domain import DESTINATION_SETTLEMENTS
from matching.iin import make_iins
from matching.scoring.features import EXPERIENCE_SCHEMA, HOUSEHOLD_SCHEMA, MEMBER_SCHEMA
from matching.synthetic.priors import (
    AGE_BAND_P,
    AGE_BANDS,
    APPLICANT_FEMALE_P,
    BASE_WAGE_TENGE,
    CAR_LICENCE_P_FEMALE,
    CAR_LICENCE_P_MALE,
    CITY_REGIONS,
    CORRIDORS,
    DESTINATION_P,
    EDUCATION,
    EDUCATION_P,
    ELEMENTARY_OCCUPATIONS,
    HOUSEHOLD_SIZE_P,
    MARITAL,
    MARITAL_P_FEMALE,
    MARITAL_P_MALE,
    ORIGIN_P,
    ORIGIN_REGIONS,
    ORIGIN_SETTLEMENTS_OBLAST,
    ORIGIN_SETTLEMENTS_P,
    QUALIFIED_OCCUPATIONS,
    SECTOR_P_FEMALE,
    SECTOR_P_MALE,
    SECTOR_WAGE,
    SECTORS,
    draw_index,
)
from matching.synthetic.skills import SkillLinks, draw_member_skills, pair_lists


def draw_households(
    rng: np.random.Generator,
    n: int,
    year: int,
    links: SkillLinks,
    skill_rng: np.random.Generator,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Households with their members and work experience (frames in the scorer's schemas).

    Members' skills and licences come from ``links`` with draws from ``skill_rng``.
    """
    size = draw_index(rng, n, HOUSEHOLD_SIZE_P) + 1
    female = rng.random(n) < APPLICANT_FEMALE_P
    band = draw_index(rng, n, AGE_BAND_P)
    age = rng.integers(AGE_BANDS[band, 0], AGE_BANDS[band, 1] + 1)
    marital = np.where(female, draw_index(rng, n, MARITAL_P_FEMALE), draw_index(rng, n, MARITAL_P_MALE))
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
    edu_idx = draw_index(rng, len(hh_of), EDUCATION_P)
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
        draw_index(rng, len(w_idx), SECTOR_P_FEMALE),
        draw_index(rng, len(w_idx), SECTOR_P_MALE),
    )
    occ_pick = rng.integers(0, 5, len(w_idx))
    occ = QUALIFIED_OCCUPATIONS[sector, occ_pick]
    low_edu = edu_idx[w_idx] <= 1
    # Workers with at most general secondary education mostly hold elementary jobs.
    elementary = low_edu & (rng.random(len(w_idx)) < 0.5)
    occ[elementary] = ELEMENTARY_OCCUPATIONS[sector[elementary]]
    years = np.minimum(rng.gamma(2.0, 3.0, len(w_idx)), np.maximum(m_age[w_idx] - 18, 0)).round(1)
    documented = rng.random(len(w_idx)) < 0.85
    # A second occupation for 15 % of workers (estimate).
    second = rng.random(len(w_idx)) < 0.15
    s2 = np.where(w_female[second], draw_index(rng, second.sum(), SECTOR_P_FEMALE),
                  draw_index(rng, second.sum(), SECTOR_P_MALE))  # fmt: skip
    occ2 = QUALIFIED_OCCUPATIONS[s2, rng.integers(0, 5, second.sum())]
    drives = adult & (
        rng.random(len(hh_of)) < np.where(m_female, CAR_LICENCE_P_FEMALE, CAR_LICENCE_P_MALE)
    )
    # Skills, credentials and the licence mask they stand for, from the occupations' links.
    # Their own random stream, so the draws above and below do not depend on them.
    skills, lic = draw_member_skills(
        skill_rng, links, len(hh_of), drives,
        job_holder=np.concatenate([w_idx, w_idx[second]]).astype(np.int64),
        job_occupation=np.concatenate([occ, occ2]),
        worker=w_idx.astype(np.int64), worker_sector=sector.astype(np.int64),
    )  # fmt: skip

    # --- household-level attributes
    origin = np.array(ORIGIN_REGIONS, dtype=object)[draw_index(rng, n, ORIGIN_P)]
    kandas = origin == "abroad"
    origin = np.where(
        kandas, np.array(["61"] * n, dtype=object), origin
    )  # kandas settle via Turkestan lists
    settle = np.array(ORIGIN_SETTLEMENTS_OBLAST, dtype=object)[
        draw_index(rng, n, ORIGIN_SETTLEMENTS_P)
    ]
    settle = np.where(np.isin(origin, list(CITY_REGIONS)), "large_city", settle)
    rural = np.isin(settle, ["village", "township"])
    heating = np.where(
        rng.random(n) < np.where(rural, 0.35, 0.05), "stove",
        np.where(rng.random(n) < 0.8, "gas", "central"),
    )  # fmt: skip
    dest_codes = np.array(list(DESTINATION_P), dtype=object)
    want_region = rng.random(n) < 0.6  # estimate
    extra_pick = rng.integers(0, len(dest_codes), n)
    # Corridor origins state their corridor's regions, other origins one destination.
    in_corridor = np.isin(origin, list(CORRIDORS))
    pref_rows = [np.flatnonzero(want_region & ~in_corridor)]
    pref_vals = [dest_codes[extra_pick[pref_rows[0]]]]
    for code, regions in CORRIDORS.items():
        rows = np.flatnonzero(want_region & (origin == code))
        pref_rows.append(np.repeat(rows, len(regions)))
        pref_vals.append(np.tile(np.array(regions, dtype=object), len(rows)))
    by_row = np.argsort(np.concatenate(pref_rows), kind="stable")
    pref_regions = pair_lists(
        n,
        np.concatenate(pref_rows)[by_row],
        pl.Series(np.concatenate(pref_vals)[by_row].tolist(), dtype=pl.Utf8),
    )
    want_st = rng.random(n) < 0.3
    st_pick = draw_index(rng, n, [0.15, 0.15, 0.3, 0.1, 0.3])
    st_rows = np.flatnonzero(want_st)
    pref_st = pair_lists(
        n,
        st_rows,
        pl.Series(np.array(DESTINATION_SETTLEMENTS, dtype=object)[st_pick[st_rows]].tolist(),
                  dtype=pl.Utf8),
    )  # fmt: skip
    tenure = np.array(["rent", "buy", "employer"], dtype=object)[draw_index(rng, n, [0.6, 0.25, 0.15])]
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
            "skills": skills,
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


