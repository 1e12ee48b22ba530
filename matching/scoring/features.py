"""Column stores the scorer reads: households, vacancies, homes and localities as numpy arrays.

Both scoring paths (one explained option, millions of vectorized options) gather from these
arrays, so they compute the same numbers. Frames come from polars (the generator, the
database loader) or from domain objects through the same polars conversion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import scipy.sparse as sp

from matching.domain import (
    CATEGORIES,
    DESTINATION_SETTLEMENTS,
    EDUCATION_LEVELS,
    HEATING_TYPES,
    HOME_KINDS,
    ORIGIN_SETTLEMENTS,
    TENURES,
    Home,
    Household,
    LocalityCapacity,
    Vacancy,
    licence_mask,
)
from matching.scoring.similarity import OccupationSpace

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# The 20 first-level units (KATO-based codes used in data/regions.csv); a region's position
# here is its bit in preference masks and its row in the network-count matrix.
REGION_CODES: tuple[str, ...] = (
    "10", "11", "15", "19", "23", "27", "31", "33", "35", "39",
    "43", "47", "55", "59", "61", "62", "63", "71", "75", "79",
)  # fmt: skip
REGION_INDEX: dict[str, int] = {code: i for i, code in enumerate(REGION_CODES)}
# Earner slots per household: members who seek work × their occupations, best first.
EARNER_SLOTS = 4
NOT_WORKING = ("student", "retired", "child", "maternity_leave", "homemaker")


def _codes(values: pl.Series, choices: Sequence[str]) -> IntArray:
    mapping = {c: i for i, c in enumerate(choices)}
    return np.array([mapping.get(v, -1) for v in values.to_list()], dtype=np.int64)


def region_positions(values: Sequence[str | None]) -> IntArray:
    """Row of each region code in :data:`REGION_CODES`; -1 for unknown codes."""
    return np.array([REGION_INDEX.get(v or "", -1) for v in values], dtype=np.int64)


def _mask(lists: Sequence[Sequence[str] | None], index: Mapping[str, int]) -> IntArray:
    out = np.zeros(len(lists), dtype=np.int64)
    for i, items in enumerate(lists):
        for item in items or ():
            if item in index:
                out[i] |= 1 << index[item]
    return out


# --------------------------------------------------------------------------- households

HOUSEHOLD_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "household_id": pl.Utf8,
    "iin": pl.Utf8,
    "origin_region": pl.Utf8,
    "origin_settlement": pl.Utf8,
    "origin_heating": pl.Utf8,
    "category": pl.Utf8,
    "citizen": pl.Boolean,
    "years_in_origin": pl.Float64,
    "pref_regions": pl.List(pl.Utf8),
    "pref_settlement_types": pl.List(pl.Utf8),
    "pref_tenure": pl.Utf8,
    "wants_land": pl.Boolean,
    "business_intent": pl.Boolean,
    "debt_tenge": pl.Float64,
    "documents_complete": pl.Boolean,
    "application_date": pl.Date,
    "origin_wage_tenge": pl.Float64,
}
MEMBER_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "household_id": pl.Utf8,
    "member_no": pl.Int64,
    "relation": pl.Utf8,
    "age": pl.Int64,
    "sex": pl.Utf8,
    "marital_status": pl.Utf8,
    "education": pl.Utf8,
    "employment_status": pl.Utf8,
    "licence_mask": pl.Int64,
    "needs_clinic": pl.Boolean,
    "needs_hospital": pl.Boolean,
    "needs_accessible": pl.Boolean,
    "skills": pl.List(pl.Utf8),  # skill codes (data/taxonomy/skills.csv); may be absent
}
EXPERIENCE_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "household_id": pl.Utf8,
    "member_no": pl.Int64,
    "occupation": pl.Utf8,
    "years": pl.Float64,
    "documented": pl.Boolean,
}


def households_to_frames(
    households: Sequence[Household],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Domain households → (households, members, experience) polars frames."""
    hh_rows = []
    member_rows = []
    exp_rows = []
    for h in households:
        p = h.preferences
        hh_rows.append(
            {
                "household_id": h.household_id,
                "iin": h.iin,
                "origin_region": h.origin_region,
                "origin_settlement": h.origin_settlement,
                "origin_heating": h.origin_heating,
                "category": h.category,
                "citizen": h.citizen,
                "years_in_origin": float(h.years_in_origin),
                "pref_regions": list(p.regions),
                "pref_settlement_types": list(p.settlement_types),
                "pref_tenure": p.tenure,
                "wants_land": p.wants_land,
                "business_intent": p.business_intent,
                "debt_tenge": float(h.debt_tenge),
                "documents_complete": h.documents_complete,
                "application_date": h.application_date,
                "origin_wage_tenge": float(h.origin_wage_tenge),
            }
        )
        for no, m in enumerate(h.members):
            member_rows.append(
                {
                    "household_id": h.household_id,
                    "member_no": no,
                    "relation": m.relation,
                    "age": m.age,
                    "sex": m.sex,
                    "marital_status": m.marital_status,
                    "education": m.education,
                    "employment_status": m.employment_status,
                    "licence_mask": licence_mask(m.licences),
                    "needs_clinic": m.health.clinic,
                    "needs_hospital": m.health.hospital,
                    "needs_accessible": m.health.accessible_home,
                    "skills": list(m.skills),
                }
            )
            for e in m.experience:
                exp_rows.append(
                    {
                        "household_id": h.household_id,
                        "member_no": no,
                        "occupation": e.occupation,
                        "years": float(e.years),
                        "documented": e.documented,
                    }
                )
    return (
        pl.DataFrame(hh_rows, schema=HOUSEHOLD_SCHEMA),
        pl.DataFrame(member_rows, schema=MEMBER_SCHEMA),
        pl.DataFrame(exp_rows, schema=EXPERIENCE_SCHEMA),
    )


@dataclass(frozen=True)
class HouseholdFrame:
    """Households as arrays, one row each, plus padded earner slots ``(n, EARNER_SLOTS)``."""

    ids: list[str]
    row_of: dict[str, int]
    persons: IntArray
    children_0_5: IntArray
    children_6_17: IntArray
    seekers: IntArray  # members who seek work
    needs_clinic: BoolArray
    needs_hospital: BoolArray
    needs_accessible: BoolArray
    vulnerable_settlement: BoolArray  # raises the settlement-continuity weight
    vulnerable_network: BoolArray  # raises the network weight
    origin_region: IntArray
    origin_settlement: IntArray
    origin_heating: IntArray
    is_kandas: BoolArray
    citizen: BoolArray
    years_in_origin: FloatArray
    documents_complete: BoolArray
    pref_region_mask: IntArray
    pref_settlement_mask: IntArray
    pref_tenure: IntArray
    wants_land: BoolArray
    origin_wage: FloatArray
    slot_member: IntArray
    slot_occ: IntArray
    slot_years: FloatArray
    slot_edu: IntArray
    slot_lic: IntArray
    slot_documented: BoolArray
    # Skills held by each earner slot (implied credentials included), CSR of shape
    # (households · EARNER_SLOTS, skill ids); row = household row · EARNER_SLOTS + slot.
    slot_skills: sp.csr_matrix
    # The households frame it was built from (None when built from domain objects).
    frame: pl.DataFrame | None
    # Per-frame results of the scorer for a one-household frame (components.profile_fit).
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, household_ids: Sequence[str] | pl.Series) -> IntArray:
        """Row positions of ``household_ids`` (KeyError for unknown ids)."""
        return np.array([self.row_of[h] for h in household_ids], dtype=np.int64)

    @classmethod
    def from_households(
        cls, households: Sequence[Household], space: OccupationSpace
    ) -> HouseholdFrame:
        """Build from domain objects: the arrays :meth:`from_frames` gives for the frames of
        :func:`households_to_frames`, filled without building frames (a request's path)."""
        from matching.scoring.household_arrays import household_frame_of

        return household_frame_of(households, space)

    @classmethod
    def from_frames(
        cls,
        households: pl.DataFrame,
        members: pl.DataFrame,
        experience: pl.DataFrame,
        *,
        space: OccupationSpace,
    ) -> HouseholdFrame:
        """Build from polars frames with :data:`HOUSEHOLD_SCHEMA`, :data:`MEMBER_SCHEMA` and
        :data:`EXPERIENCE_SCHEMA` columns (a members frame without ``skills`` means none)."""
        ids = households["household_id"].to_list()
        n = len(ids)
        row_of = {h: i for i, h in enumerate(ids)}
        key = pl.DataFrame(
            {"household_id": ids, "_row": np.arange(n, dtype=np.int64)},
            schema={"household_id": pl.Utf8, "_row": pl.Int64},
        )
        m = members.join(key, on="household_id", how="inner")
        mrow = m["_row"].to_numpy()
        age = m["age"].to_numpy()
        status = m["employment_status"]
        seeks = ((age >= 18) & (age < 64) & ~status.is_in(NOT_WORKING).to_numpy()).astype(np.int64)

        def per_household(values: npt.ArrayLike) -> IntArray:
            return np.bincount(
                mrow, weights=np.asarray(values, dtype=np.float64), minlength=n
            ).astype(np.int64)

        persons = per_household(np.ones(len(m)))
        kids05 = per_household(age <= 5)
        kids617 = per_household((age >= 6) & (age <= 17))
        seekers = per_household(seeks)
        needs_clinic = per_household(m["needs_clinic"].to_numpy()) > 0
        needs_hospital = per_household(m["needs_hospital"].to_numpy()) > 0
        needs_accessible = per_household(m["needs_accessible"].to_numpy()) > 0
        is_app = (m["relation"] == "applicant").to_numpy()
        app_row = mrow[is_app]
        female = np.zeros(n, dtype=bool)
        female[app_row] = (m["sex"] == "F").to_numpy()[is_app]
        marital = np.full(n, "", dtype=object)
        marital[app_row] = m["marital_status"].to_numpy()[is_app]
        maternity = per_household((status == "maternity_leave").to_numpy()) > 0
        alone = np.isin(marital, ["divorced", "widowed"])
        # V1/V3 (seed 000 §6.5): divorced or widowed women, mothers of young children and
        # mothers on maternity leave feel a settlement-type change hardest (T41, T43).
        vulnerable_settlement = (female & (alone | (kids05 > 0))) | maternity
        vulnerable_network = alone | ((persons > 1) & (seekers <= 1) & alone)

        edu_rank = {e: i for i, e in enumerate(EDUCATION_LEVELS)}
        slots = (
            experience.join(
                m.select(
                    "household_id",
                    "member_no",
                    "_row",
                    "education",
                    "licence_mask",
                    pl.Series("seeks", seeks.astype(bool)),
                ),  # fmt: skip
                on=["household_id", "member_no"],
                how="inner",
            )
            .filter(pl.col("seeks"))
            # Ties broken by member and code so that slot order never depends on the batch.
            .sort(
                ["_row", "years", "member_no", "occupation"],
                descending=[False, True, False, False],
                maintain_order=True,
            )
            .with_columns(pl.int_range(pl.len()).over("_row").alias("_slot"))
            .filter(pl.col("_slot") < EARNER_SLOTS)
        )
        srow = slots["_row"].to_numpy()
        sidx = slots["_slot"].to_numpy()
        slot_member = np.full((n, EARNER_SLOTS), -1, dtype=np.int64)
        slot_occ = np.full((n, EARNER_SLOTS), -1, dtype=np.int64)
        slot_years = np.zeros((n, EARNER_SLOTS), dtype=np.float64)
        slot_edu = np.zeros((n, EARNER_SLOTS), dtype=np.int64)
        slot_lic = np.zeros((n, EARNER_SLOTS), dtype=np.int64)
        slot_doc = np.zeros((n, EARNER_SLOTS), dtype=bool)
        slot_member[srow, sidx] = slots["member_no"].to_numpy()
        slot_occ[srow, sidx] = space.index(slots["occupation"].to_list())
        slot_years[srow, sidx] = slots["years"].to_numpy()
        slot_edu[srow, sidx] = np.array(
            [edu_rank.get(e, 0) for e in slots["education"].to_list()], dtype=np.int64
        )
        slot_lic[srow, sidx] = slots["licence_mask"].to_numpy()
        slot_doc[srow, sidx] = slots["documented"].to_numpy()
        slot_skills = _slot_skills(m, slots, n, space)

        st_index: dict[str, int] = {s: i for i, s in enumerate(DESTINATION_SETTLEMENTS)}
        return cls(
            ids=ids,
            row_of=row_of,
            persons=persons,
            children_0_5=kids05,
            children_6_17=kids617,
            seekers=seekers,
            needs_clinic=needs_clinic,
            needs_hospital=needs_hospital,
            needs_accessible=needs_accessible,
            vulnerable_settlement=vulnerable_settlement,
            vulnerable_network=vulnerable_network,
            origin_region=region_positions(households["origin_region"].to_list()),
            origin_settlement=_codes(households["origin_settlement"], ORIGIN_SETTLEMENTS),
            origin_heating=_codes(households["origin_heating"], HEATING_TYPES),
            is_kandas=(households["category"] == CATEGORIES[1]).to_numpy(),
            citizen=households["citizen"].to_numpy(),
            years_in_origin=households["years_in_origin"].to_numpy().astype(np.float64),
            documents_complete=households["documents_complete"].to_numpy(),
            pref_region_mask=_mask(households["pref_regions"].to_list(), REGION_INDEX),
            pref_settlement_mask=_mask(households["pref_settlement_types"].to_list(), st_index),
            pref_tenure=_codes(households["pref_tenure"], TENURES),
            wants_land=(households["wants_land"] | households["business_intent"]).to_numpy(),
            origin_wage=households["origin_wage_tenge"].to_numpy().astype(np.float64),
            slot_member=slot_member,
            slot_occ=slot_occ,
            slot_years=slot_years,
            slot_edu=slot_edu,
            slot_lic=slot_lic,
            slot_documented=slot_doc,
            slot_skills=slot_skills,
            frame=households,
        )


def _slot_skills(
    members: pl.DataFrame, slots: pl.DataFrame, n: int, space: OccupationSpace
) -> sp.csr_matrix:
    """Skills of each earner slot's member as CSR rows ``household row · EARNER_SLOTS + slot``."""
    shape_rows = n * EARNER_SLOTS
    if (
        "skills" not in members.columns
        or slots.height == 0
        or not members["skills"].list.len().sum()
    ):
        return sp.csr_matrix((shape_rows, len(space.skills)), dtype=np.float64)
    slot_members = slots.select("household_id", "member_no", "_row", "_slot").join(
        members.select("household_id", "member_no", "skills"),
        on=["household_id", "member_no"],
        how="left",
        maintain_order="left",
    )
    held = space.skills.matrix(slot_members["skills"], implied=True).tocoo()
    flat = slot_members["_row"].to_numpy() * EARNER_SLOTS + slot_members["_slot"].to_numpy()
    return sp.csr_matrix((held.data, (flat[held.row], held.col)), shape=(shape_rows, held.shape[1]))


# --------------------------------------------------------------------------- catalogue

VACANCY_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "vacancy_id": pl.Utf8,
    "employer_id": pl.Utf8,
    "locality_id": pl.Utf8,
    "occupation": pl.Utf8,
    "wage_tenge": pl.Float64,
    "required_education": pl.Utf8,
    "required_licence_mask": pl.Int64,
    "permanent": pl.Boolean,
    "posts": pl.Int64,
    "employer_housing": pl.Boolean,
    "qualified": pl.Boolean,
    "sector": pl.Utf8,
    "required_skills": pl.List(pl.Utf8),  # skill codes; may be absent (= none required)
}
HOME_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "home_id": pl.Utf8,
    "locality_id": pl.Utf8,
    "kind": pl.Utf8,
    "rooms": pl.Int64,
    "capacity": pl.Int64,
    "rent_tenge": pl.Float64,
    "price_tenge": pl.Float64,
    "condition": pl.Int64,
    "heating": pl.Utf8,
    "piped_water": pl.Boolean,
    "accessible": pl.Boolean,
    "employer_id": pl.Utf8,
}
LOCALITY_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "locality_id": pl.Utf8,
    "region_code": pl.Utf8,
    "settlement_type": pl.Utf8,
    "is_urban": pl.Boolean,
    "kindergarten_seats": pl.Int64,
    "school_seats": pl.Int64,
    "clinic": pl.Boolean,
    "hospital_km": pl.Float64,
    "heating": pl.Utf8,
    "piped_water": pl.Boolean,
    "bus_link": pl.Boolean,
    "land_plots": pl.Int64,
    "accommodation_beds": pl.Int64,
}


def vacancies_frame(vacancies: Sequence[Vacancy]) -> pl.DataFrame:
    """Domain vacancies → a frame with :data:`VACANCY_SCHEMA`."""
    return pl.DataFrame(
        [
            {
                "vacancy_id": v.vacancy_id,
                "employer_id": v.employer_id,
                "locality_id": v.locality_id,
                "occupation": v.occupation,
                "wage_tenge": float(v.wage_tenge),
                "required_education": v.required_education,
                "required_licence_mask": licence_mask(v.required_licences),
                "permanent": v.permanent,
                "posts": v.posts,
                "employer_housing": v.employer_housing,
                "qualified": v.qualified,
                "sector": v.sector,
                "required_skills": list(v.required_skills),
            }
            for v in vacancies
        ],
        schema=VACANCY_SCHEMA,
    )


def homes_frame(homes: Sequence[Home]) -> pl.DataFrame:
    """Domain homes → a frame with :data:`HOME_SCHEMA`."""
    return pl.DataFrame(
        [
            {
                "home_id": h.home_id,
                "locality_id": h.locality_id,
                "kind": h.kind,
                "rooms": h.rooms,
                "capacity": h.capacity,
                "rent_tenge": float(h.rent_tenge),
                "price_tenge": float(h.price_tenge),
                "condition": h.condition,
                "heating": h.heating,
                "piped_water": h.piped_water,
                "accessible": h.accessible,
                "employer_id": h.employer_id,
            }
            for h in homes
        ],
        schema=HOME_SCHEMA,
    )


def localities_frame(capacities: Sequence[LocalityCapacity]) -> pl.DataFrame:
    """Domain locality capacities → a frame with :data:`LOCALITY_SCHEMA`."""
    return pl.DataFrame(
        [{name: getattr(c, name) for name in LOCALITY_SCHEMA} for c in capacities],
        schema=LOCALITY_SCHEMA,
    )


def _skill_sets(required: sp.csr_matrix) -> IntArray:
    """Same id for vacancies requiring the same set of skills; 0 for those requiring none."""
    n = required.shape[0]
    if required.nnz == 0:
        return np.zeros(n, dtype=np.int64)
    m = required.tocsr()
    m.sort_indices()
    lengths = np.diff(m.indptr)
    # Each row's sorted skill ids (+1, 0 = padding) side by side: equal rows are equal sets.
    row = np.repeat(np.arange(n), lengths)
    pos = np.arange(m.nnz) - np.repeat(m.indptr[:-1], lengths)
    padded = np.zeros((n, int(lengths.max())), dtype=np.int64)
    padded[row, pos] = m.indices + 1
    _, inverse = np.unique(padded, axis=0, return_inverse=True)
    # The all-padding row (no skills) sorts first; keep 0 for it even when no row is empty.
    return inverse.ravel().astype(np.int64) + int((lengths > 0).all())


def _profiles(
    occ: IntArray, edu: IntArray, lic: IntArray, skill_set: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Distinct (occupation, education, licences, skill set) rows: (profiles (p, 4), profile
    of each vacancy, first vacancy of each profile)."""
    keys = np.stack([occ, edu, lic, skill_set], axis=1).astype(np.int64)
    if len(keys) == 0:
        return keys, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    profiles, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return profiles, inverse.ravel().astype(np.int64), first.astype(np.int64)


# Up to this many ids are looked up one by one in the id dictionaries (see ids_to_rows):
# cheaper than building a join key over the whole catalogue for a request-sized frame.
DICT_LOOKUP_MAX = 1_000


@dataclass(frozen=True)
class Catalogue:
    """Vacancies, homes and localities as arrays, with id → row lookups.

    ``network`` holds earlier movers per (origin region row, locality row).
    """

    vacancies: pl.DataFrame
    homes: pl.DataFrame
    localities: pl.DataFrame
    v_row: dict[str, int]
    h_row: dict[str, int]
    l_row: dict[str, int]
    v_loc: IntArray
    v_occ: IntArray
    v_wage: FloatArray
    v_edu: IntArray
    v_lic: IntArray
    v_qualified: BoolArray
    v_permanent: BoolArray
    v_skills: sp.csr_matrix  # vacancies × skill ids, required skills as written
    v_skill_set: IntArray  # id of the vacancy's set of required skills (0 = none)
    h_loc: IntArray
    h_kind: IntArray
    h_rooms: IntArray
    h_capacity: IntArray
    h_rent: FloatArray
    h_price: FloatArray
    h_condition: IntArray
    h_heating: IntArray
    h_water: BoolArray
    h_accessible: BoolArray
    l_region: IntArray
    l_settlement: IntArray
    l_urban: BoolArray
    l_kg_seats: IntArray
    l_school_seats: IntArray
    l_clinic: BoolArray
    l_hospital_km: FloatArray
    l_bus: BoolArray
    l_land: IntArray
    network: IntArray
    # Job profiles: what an earner's fit for a vacancy depends on (occupation, required
    # education, licences and skills). 100,000 vacancies have under a thousand; a
    # household's fit is computed once per profile (``components.profile_fit``).
    v_profile: IntArray  # profile row of each vacancy
    p_occ: IntArray
    p_edu: IntArray
    p_lic: IntArray
    p_skills: sp.csr_matrix  # profiles × skill ids, required skills

    @property
    def n_profiles(self) -> int:
        return len(self.p_occ)

    @classmethod
    def build(
        cls,
        vacancies: pl.DataFrame,
        homes: pl.DataFrame,
        localities: pl.DataFrame,
        *,
        space: OccupationSpace,
        network: pl.DataFrame | None = None,
    ) -> Catalogue:
        """Index the frames. ``network`` has columns origin_region, locality_id, movers."""
        l_row = {lid: i for i, lid in enumerate(localities["locality_id"].to_list())}

        def loc_rows(series: pl.Series) -> IntArray:
            return np.array([l_row.get(x, -1) for x in series.to_list()], dtype=np.int64)

        edu_rank = {e: i for i, e in enumerate(EDUCATION_LEVELS)}
        v_skills = (
            space.skills.matrix(vacancies["required_skills"], implied=False)
            if "required_skills" in vacancies.columns
            else sp.csr_matrix((vacancies.height, len(space.skills)), dtype=np.float64)
        )
        v_occ = space.index(vacancies["occupation"].to_list())
        v_edu = np.array(
            [edu_rank.get(e, 0) for e in vacancies["required_education"].to_list()],
            dtype=np.int64,
        )
        v_lic = vacancies["required_licence_mask"].to_numpy().astype(np.int64)
        v_skill_set = _skill_sets(v_skills)
        profiles, v_profile, first = _profiles(v_occ, v_edu, v_lic, v_skill_set)
        net = np.zeros((len(REGION_CODES), len(l_row)), dtype=np.int64)
        if network is not None and network.height:
            r = region_positions(network["origin_region"].to_list())
            c = loc_rows(network["locality_id"])
            ok = (r >= 0) & (c >= 0)
            np.add.at(net, (r[ok], c[ok]), network["movers"].to_numpy()[ok])
        return cls(
            vacancies=vacancies,
            homes=homes,
            localities=localities,
            v_row={v: i for i, v in enumerate(vacancies["vacancy_id"].to_list())},
            h_row={h: i for i, h in enumerate(homes["home_id"].to_list())},
            l_row=l_row,
            v_loc=loc_rows(vacancies["locality_id"]),
            v_occ=v_occ,
            v_wage=vacancies["wage_tenge"].to_numpy().astype(np.float64),
            v_edu=v_edu,
            v_lic=v_lic,
            v_qualified=vacancies["qualified"].to_numpy(),
            v_permanent=vacancies["permanent"].to_numpy(),
            v_skills=v_skills,
            v_skill_set=v_skill_set,
            h_loc=loc_rows(homes["locality_id"]),
            h_kind=_codes(homes["kind"], HOME_KINDS),
            h_rooms=homes["rooms"].to_numpy().astype(np.int64),
            h_capacity=homes["capacity"].to_numpy().astype(np.int64),
            h_rent=homes["rent_tenge"].to_numpy().astype(np.float64),
            h_price=homes["price_tenge"].to_numpy().astype(np.float64),
            h_condition=homes["condition"].to_numpy().astype(np.int64),
            h_heating=_codes(homes["heating"], HEATING_TYPES),
            h_water=homes["piped_water"].to_numpy(),
            h_accessible=homes["accessible"].to_numpy(),
            l_region=region_positions(localities["region_code"].to_list()),
            l_settlement=_codes(localities["settlement_type"], DESTINATION_SETTLEMENTS),
            l_urban=localities["is_urban"].to_numpy(),
            l_kg_seats=localities["kindergarten_seats"].to_numpy().astype(np.int64),
            l_school_seats=localities["school_seats"].to_numpy().astype(np.int64),
            l_clinic=localities["clinic"].to_numpy(),
            l_hospital_km=localities["hospital_km"].to_numpy().astype(np.float64),
            l_bus=localities["bus_link"].to_numpy(),
            l_land=localities["land_plots"].to_numpy().astype(np.int64),
            network=net,
            v_profile=v_profile,
            p_occ=profiles[:, 0].copy(),
            p_edu=profiles[:, 1].copy(),
            p_lic=profiles[:, 2].copy(),
            p_skills=v_skills[first].tocsr(),
        )

    def ids_to_rows(self, ids: pl.Series, kind: str) -> IntArray:
        """Rows for a column of ids (``kind`` = vacancy|home|locality); null/unknown → -1.

        Large frames go through a polars join, not a Python loop, because option frames can
        hold millions of rows.
        """
        if len(ids) <= DICT_LOOKUP_MAX:
            # A request-sized frame: the id dictionaries beat building a 100,000-row join key.
            rows_of = {"vacancy": self.v_row, "home": self.h_row, "locality": self.l_row}[kind]
            return np.array(
                [-1 if x is None else rows_of.get(x, -1) for x in ids.cast(pl.Utf8).to_list()],
                dtype=np.int64,
            )
        column = {"vacancy": "vacancy_id", "home": "home_id", "locality": "locality_id"}[kind]
        table = {"vacancy": self.vacancies, "home": self.homes, "locality": self.localities}[kind]
        key = table.select(pl.col(column).alias("_id")).with_row_index("_row")
        joined = pl.DataFrame({"_id": ids.cast(pl.Utf8)}).join(
            key, on="_id", how="left", maintain_order="left"
        )
        return joined["_row"].fill_null(-1).cast(pl.Int64).to_numpy()
