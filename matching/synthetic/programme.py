"""Synthetic relocation programme: households, employers, vacancies, homes, locality capacity.

Deterministic for a seed and generated with numpy arrays (no Python loop per household), so
50,000 households and 100,000 vacancies take seconds. Every distribution and its source is
listed in docs/synthetic_programme.md; values the sources do not give are marked there as
estimates. Occupations are 4-digit ISCO-08 unit groups (data/taxonomy/isco08.csv).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from matching.domain import (
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
from matching.synthetic.destinations import (
    draw_capacities,
    draw_homes,
    draw_network,
    draw_vacancies,
)
from matching.synthetic.households import draw_households
from matching.synthetic.priors import (
    DESTINATION_P,
    VILLAGE_PLACEMENT_SHARE,
    FloatArray,
)
from matching.synthetic.skills import SkillLinks


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
                    skills=tuple(m["skills"] or ()),
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
                required_skills=tuple(r["required_skills"] or ()),
            )  # fmt: skip
            for r in self.vacancies.iter_rows(named=True)
        ]

    def employer_objects(self) -> list[Employer]:
        return [Employer(**r) for r in self.employers.iter_rows(named=True)]

    def home_objects(self) -> list[Home]:
        return [Home(**r) for r in self.homes.iter_rows(named=True)]

    def locality_objects(self) -> list[LocalityCapacity]:
        return [LocalityCapacity(**r) for r in self.localities.iter_rows(named=True)]


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


_LINKS: dict[int, tuple[Any, SkillLinks]] = {}


def skill_links(taxonomy: Any | None = None) -> SkillLinks:
    """The skill links of ``taxonomy`` (default: the repository's), built once per taxonomy."""
    if taxonomy is None:
        from taxonomy.load import default_taxonomy

        taxonomy = default_taxonomy()
    known = _LINKS.get(id(taxonomy))
    # The taxonomy is kept beside its links so that its id is not reused while cached.
    if known is None or known[0] is not taxonomy:
        if len(_LINKS) >= 4:
            _LINKS.clear()
        known = _LINKS[id(taxonomy)] = (taxonomy, SkillLinks.from_taxonomy(taxonomy))
    return known[1]


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
        ``ReferenceData`` (default: :func:`matching.programme.geography.load_reference`).
    taxonomy
        ``taxonomy.Taxonomy`` whose occupation → skill links give members' skills and
        vacancies' required skills (default: :func:`taxonomy.load.default_taxonomy`).
        Occupations stay ISCO-08 unit groups, which every taxonomy links.
    contention
        Households per unit of capacity: above 1, homes and qualified jobs are scarcer.
    year, programme_version
        Round year and programme version (destination regions, application dates).

    Returns
    -------
    Programme
    """
    from matching.programme.geography import load_reference

    if n_households < 0:
        raise ValueError("n_households must be >= 0")
    ref = reference if reference is not None else load_reference()
    links = skill_links(taxonomy)
    rng = np.random.default_rng(seed)
    # Skills draw from streams of their own, so every other draw is the same as without them.
    member_skill_rng, vacancy_skill_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)
    )
    n_vac = 2 * n_households if n_vacancies is None else n_vacancies
    contention = max(float(contention), 1e-6)

    locs = _destination_localities(ref, programme_version)
    loc_w = _locality_weights(locs)
    loc_ids = np.array(locs["locality_id"].to_list(), dtype=object)
    loc_region = np.array(locs["region_code"].to_list(), dtype=object)
    loc_type = np.array(locs["settlement_type"].to_list(), dtype=object)
    loc_urban = locs["is_urban"].to_numpy()

    households, members, experience = draw_households(
        rng, n_households, year, links, member_skill_rng
    )
    employers, vacancies = draw_vacancies(
        rng, n_vac, loc_ids, loc_region, loc_w, n_households, links, vacancy_skill_rng
    )
    homes = draw_homes(rng, n_households, contention, loc_ids, loc_region, loc_type, loc_urban, loc_w)
    capacities = draw_capacities(rng, locs, n_households, loc_w, contention)
    network = draw_network(rng, loc_ids, loc_region, loc_w, n_households)
    return Programme(
        households=households, members=members, experience=experience, employers=employers,
        vacancies=vacancies, homes=homes, localities=capacities, network=network,
        seed=seed, year=year,
    )  # fmt: skip



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


def skills_summary(p: Programme, taxonomy: Any | None = None) -> dict[str, float]:
    """Headline figures of the drawn skills and licences (docs/synthetic_programme.md)."""
    links = skill_links(taxonomy)
    key = ["household_id", "member_no"]
    # A worker's first experience row is their main occupation.
    workers = (
        p.experience.group_by(key, maintain_order=True)
        .agg(pl.col("occupation").first())
        .join(p.members.select(*key, "skills", "licence_mask"), on=key)
        .with_row_index("w")
    )
    occ_of_link = np.repeat(links.occupations, links.count)
    essential = pl.DataFrame(
        {"occupation": occ_of_link[links.essential].tolist(),
         "code": links.codes[links.skill[links.essential]].tolist()},
        schema={"occupation": pl.Utf8, "code": pl.Utf8},
    )  # fmt: skip
    lacking = (
        workers.join(essential, on="occupation")
        .filter(~pl.col("skills").list.contains(pl.col("code")))
        .select(pl.col("w").n_unique())
        .item()
    )
    bits = dict(zip(links.occupations.tolist(), links.occupation_licences.tolist(), strict=True))
    need = workers.with_columns(
        pl.col("occupation").replace_strict(bits, default=0, return_dtype=pl.Int64).alias("need")
    ).filter(pl.col("need") > 0)
    licensed = need.filter((pl.col("licence_mask") & pl.col("need")) == pl.col("need")).height
    listed = p.vacancies["required_skills"].list.len()
    return {
        "worker_mean_skills": _mean(workers["skills"].list.len()),
        "workers_missing_essential": lacking / max(workers.height, 1),
        "licensed_workers_holding_licence": licensed / max(need.height, 1),
        "vacancies_without_skills": _mean(listed == 0),
        "vacancy_mean_skills_when_listed": _mean(listed.filter(listed > 0)),
    }
