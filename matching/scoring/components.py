"""The score formulas, written once over numpy arrays of options.

:func:`evaluate` takes row indexes into a :class:`HouseholdFrame` and a :class:`Catalogue`
(one entry per option) and returns every gate, component value, effective weight and the
total. The explained single-option path calls it with arrays of length one, so both paths
agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching.domain import HEATING_TYPES, HOME_KINDS
from matching.scoring.features import EARNER_SLOTS, REGION_CODES, Catalogue, HouseholdFrame
from matching.scoring.similarity import OccupationSpace
from matching.scoring.skills import SkillContext, skill_coverage
from matching.scoring.weights import (
    COMPONENTS,
    GATES,
    SETTLEMENT_CONTINUITY,
    TENURE_MATCH,
    ScoringConfig,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_BED = HOME_KINDS.index("accommodation_bed")
_STOVE = HEATING_TYPES.index("stove")
_PURCHASE_KINDS = np.array(
    [HOME_KINDS.index("for_sale"), HOME_KINDS.index("built_for_migrants")], dtype=np.int64
)
# Sub-weights inside the occupation fit: similarity dominates because the survey's
# job-education mismatch is an occupation mismatch (seed 000 T31).
_OCC_SIM, _OCC_EDU, _OCC_EXP, _OCC_LIC = 0.60, 0.15, 0.15, 0.10
_UNDOCUMENTED = 0.85  # unconfirmed skills count less (DM 2.1.2, §3.4.3)
# Share of the occupation fit that rides on holding the vacancy's required skills: a member
# with none of them keeps 1 − 0.30 of the fit. Multiplicative so that vacancies requiring no
# skills (coverage 1) score exactly as before. Judgement value (estimate, docs/scoring.md).
_OCC_SKILLS = 0.30
# Sub-weights inside housing fit.
_H_SIZE, _H_TENURE, _H_COND, _H_AFFORD = 0.25, 0.30, 0.20, 0.25
# Sub-weights inside climate and infrastructure (stove heating is the named problem).
_C_HEAT, _C_WATER, _C_BUS = 0.5, 0.25, 0.25
# What an outcome model sees of a placement: fit components, the housing cost after the
# subsidy against wages (1 = affordable) and whether the household is vulnerable (0/1).
OUTCOME_FEATURES: tuple[str, ...] = (
    "occupation", "housing", "affordability", "settlement", "network", "family_services",
    "climate", "wage", "vulnerable",
)  # fmt: skip
_REGION_OR_NONE = np.array([*REGION_CODES, ""], dtype=object)


def outcome_features(
    values: dict[str, FloatArray], affordability: FloatArray, vulnerable: BoolArray
) -> dict[str, FloatArray]:
    """The :data:`OUTCOME_FEATURES` of evaluated options (one array each)."""
    out = {k: values[k] for k in OUTCOME_FEATURES if k in values}
    out["affordability"] = np.clip(np.asarray(affordability, dtype=np.float64), 0.0, 1.0)
    out["vulnerable"] = np.asarray(vulnerable, dtype=np.float64)
    return {k: out[k] for k in OUTCOME_FEATURES}


@dataclass(frozen=True)
class Evaluation:
    """Everything computed for n options; arrays have length n."""

    gates: dict[str, BoolArray]
    values: dict[str, FloatArray]
    weights: dict[str, FloatArray]
    feasible: BoolArray
    total: FloatArray
    primary_slot: IntArray  # earner slot of the primary member
    primary_member: IntArray
    second_member: IntArray  # -1 when none
    similarity: FloatArray
    second_similarity: FloatArray
    net_rent: FloatArray
    own_share: FloatArray
    rent_subsidy: FloatArray
    network_movers: IntArray
    wage_ratio: FloatArray
    skill_coverage: FloatArray  # of the primary member for the primary vacancy
    skill_row: IntArray  # primary member's earner-slot row in ``skills.have`` (-1 = none)
    vacancy_row: IntArray  # primary vacancy row in ``skills.need`` (-1 = none)
    skills: SkillContext
    features: dict[str, FloatArray]  # OUTCOME_FEATURES of every option

    def take(self, rows: IntArray) -> Evaluation:
        """The evaluation of the options ``rows`` only (in that order).

        Lets a caller that ranked many options explain the best few from the same
        evaluation instead of evaluating them again.
        """
        return Evaluation(
            gates={k: a[rows] for k, a in self.gates.items()},
            values={k: a[rows] for k, a in self.values.items()},
            weights={k: a[rows] for k, a in self.weights.items()},
            feasible=self.feasible[rows],
            total=self.total[rows],
            primary_slot=self.primary_slot[rows],
            primary_member=self.primary_member[rows],
            second_member=self.second_member[rows],
            similarity=self.similarity[rows],
            second_similarity=self.second_similarity[rows],
            net_rent=self.net_rent[rows],
            own_share=self.own_share[rows],
            rent_subsidy=self.rent_subsidy[rows],
            network_movers=self.network_movers[rows],
            wage_ratio=self.wage_ratio[rows],
            skill_coverage=self.skill_coverage[rows],
            skill_row=self.skill_row[rows],
            vacancy_row=self.vacancy_row[rows],
            skills=self.skills,
            features={k: a[rows] for k, a in self.features.items()},
        )


def slot_skill_rows(hrow: IntArray) -> IntArray:
    """Rows of each option's earner slots in :attr:`HouseholdFrame.slot_skills`: (n, slots)."""
    return hrow[:, None] * EARNER_SLOTS + np.arange(EARNER_SLOTS, dtype=np.int64)[None, :]


def slot_fit(
    hf: HouseholdFrame,
    cat: Catalogue,
    space: OccupationSpace,
    hrow: IntArray,
    vrow: IntArray,
    cfg: ScoringConfig,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Fit, similarity and qualification of every earner slot for each vacancy: (n, slots)."""
    fit, sim, qualifies, _ = slot_fit_with_coverage(hf, cat, space, hrow, vrow, cfg)
    return fit, sim, qualifies


def slot_fit_with_coverage(
    hf: HouseholdFrame,
    cat: Catalogue,
    space: OccupationSpace,
    hrow: IntArray,
    vrow: IntArray,
    cfg: ScoringConfig,
) -> tuple[FloatArray, FloatArray, BoolArray, FloatArray]:
    """:func:`slot_fit` plus each slot's coverage of the vacancy's required skills (1.0 when
    none are required or the slot is empty): four (n, slots) arrays."""
    by_profile = _profile_rows(hf, cat, space, cfg, hrow, vrow)
    if by_profile is not None:
        (fit, sim, qualifies, coverage), prof = by_profile
        return fit[prof], sim[prof], qualifies[prof], coverage[prof]
    return _slot_fit(
        hf, space, cfg, hrow, hf.slot_occ[hrow], cat.v_occ, cat.v_edu, cat.v_lic,
        cat.v_skills, vrow,
    )  # fmt: skip


def member_fit(
    hf: HouseholdFrame,
    cat: Catalogue,
    space: OccupationSpace,
    hrow: IntArray,
    vrow: IntArray,
    cfg: ScoringConfig,
) -> FloatArray:
    """For every earner slot, the best fit for the vacancy over all slots of the same member
    (a member with two occupations counts the better one): (n, slots), -1 for empty slots."""
    by_profile = _profile_rows(hf, cat, space, cfg, hrow, vrow)
    if by_profile is not None:
        return _member_profile_fit(hf, cat, space, cfg, int(hrow[0]))[by_profile[1]]
    fit, _, _ = slot_fit(hf, cat, space, hrow, vrow, cfg)
    return _best_of_member(hf.slot_member[hrow], fit)


def _best_of_member(members: IntArray, fit: FloatArray) -> FloatArray:
    same = members[:, :, None] == members[:, None, :]
    return np.where(same, fit[:, None, :], -1.0).max(axis=2)


def _profile_rows(
    hf: HouseholdFrame,
    cat: Catalogue,
    space: OccupationSpace,
    cfg: ScoringConfig,
    hrow: IntArray,
    vrow: IntArray,
) -> tuple[tuple[FloatArray, FloatArray, BoolArray, FloatArray], IntArray] | None:
    """The per-profile table and each pair's row in it, when the pairs are one household
    against more vacancies than there are job profiles (a ranked request); else None.

    Gathering from the table gives the numbers the pairwise formulas give: the same
    formulas on the same values (tests/matching/test_fast_paths.py).
    """
    if len(hrow) <= cat.n_profiles or not (hrow == hrow[0]).all():
        return None
    # -1 (no vacancy) reads the last row, which profile_fit leaves empty.
    prof = np.where(vrow >= 0, cat.v_profile[np.maximum(vrow, 0)], -1)
    return profile_fit(hf, cat, space, cfg, int(hrow[0])), prof


def _member_profile_fit(
    hf: HouseholdFrame, cat: Catalogue, space: OccupationSpace, cfg: ScoringConfig, row: int
) -> FloatArray:
    memo = hf.memo if len(hf) == 1 else None
    key = ("member_profile_fit", row)
    if memo is not None:
        known = memo.get(key)
        if known is not None and known[0] is cat and known[1] is cfg and known[2] is space.matrix:
            return known[3]
    fit = profile_fit(hf, cat, space, cfg, row)[0]
    members = np.broadcast_to(hf.slot_member[row], fit.shape)
    out = _best_of_member(members, fit)
    if memo is not None:
        memo[key] = (cat, cfg, space.matrix, out)
    return out


def _slot_fit(
    hf: HouseholdFrame,
    space: OccupationSpace,
    cfg: ScoringConfig,
    hrow: IntArray,
    occ: IntArray,
    j_occ: IntArray,
    j_edu: IntArray,
    j_lic: IntArray,
    j_skills: sp.csr_matrix,
    jrow: IntArray,
) -> tuple[FloatArray, FloatArray, BoolArray, FloatArray]:
    """The fit formulas for earner slots ``occ`` (n, slots) of households ``hrow`` against
    jobs ``jrow`` of the job arrays ``j_*`` (vacancies or job profiles; -1 = none)."""
    safe_v = np.maximum(jrow, 0)
    v_occ = np.where(jrow >= 0, j_occ[safe_v], -1)
    sim = space.lookup(occ, v_occ[:, None])
    edu_gap = j_edu[safe_v][:, None] - hf.slot_edu[hrow]
    edu = np.where(edu_gap <= 0, 1.0, np.where(edu_gap == 1, 0.5, 0.0))
    exp = 0.3 + 0.7 * np.minimum(hf.slot_years[hrow] / cfg.full_experience_years, 1.0)
    lic_ok = (j_lic[safe_v][:, None] & ~hf.slot_lic[hrow]) == 0
    fit = _OCC_SIM * sim + _OCC_EDU * edu + _OCC_EXP * exp + _OCC_LIC * lic_ok
    fit = fit * np.where(hf.slot_documented[hrow], 1.0, _UNDOCUMENTED)
    present = (occ >= 0) & (jrow >= 0)[:, None]
    if j_skills.nnz:
        # Only pairs that can count are multiplied out (absent slots are zeroed anyway).
        have_rows = np.where(present, slot_skill_rows(hrow), -1)
        need_rows = np.broadcast_to(np.where(present, jrow[:, None], -1), have_rows.shape)
        coverage = skill_coverage(
            hf.slot_skills, j_skills, have_rows.ravel(), need_rows.ravel()
        ).reshape(have_rows.shape)
        fit = fit * (1.0 - _OCC_SKILLS * (1.0 - coverage))
    else:
        # No vacancy requires a skill: the fit is left exactly as it was without skills.
        coverage = np.ones(occ.shape, dtype=np.float64)
    fit = np.where(present, fit, 0.0)
    qualifies = present & (sim >= cfg.min_similarity) & (edu_gap <= 1) & lic_ok
    return np.clip(fit, 0.0, 1.0), sim, qualifies, coverage


def profile_fit(
    hf: HouseholdFrame, cat: Catalogue, space: OccupationSpace, cfg: ScoringConfig, row: int
) -> tuple[FloatArray, FloatArray, BoolArray, FloatArray]:
    """Fit, similarity, qualification and skill coverage of household ``row``'s earner slots
    for every job profile of ``cat``: (profiles + 1, slots) arrays whose last row is "no
    vacancy" (fit 0, not qualifying, coverage 1).

    Remembered on a one-household frame (a request builds one and drops it), for as long as
    the catalogue, configuration and occupation matrix are the same objects.
    """
    memo = hf.memo if len(hf) == 1 else None
    key = ("profile_fit", row)
    if memo is not None:
        known = memo.get(key)
        if known is not None and known[0] is cat and known[1] is cfg and known[2] is space.matrix:
            return known[3]
    n = cat.n_profiles
    jrow = np.append(np.arange(n, dtype=np.int64), -1)
    hrow = np.full(n + 1, row, dtype=np.int64)
    out = _slot_fit(
        hf, space, cfg, hrow, hf.slot_occ[hrow], cat.p_occ, cat.p_edu, cat.p_lic,
        cat.p_skills, jrow,
    )  # fmt: skip
    if memo is not None:
        memo[key] = (cat, cfg, space.matrix, out)
    return out


def eligible(hf: HouseholdFrame, hrow: IntArray, cfg: ScoringConfig) -> BoolArray:
    """The eligibility gate of households ``hrow`` (it does not depend on the option)."""
    origin_codes = np.array([c in cfg.origin_regions for c in REGION_CODES])
    o_reg = hf.origin_region[hrow]
    from_origin = (o_reg >= 0) & origin_codes[np.maximum(o_reg, 0)]
    kandas = hf.is_kandas[hrow]
    resident = (hf.years_in_origin[hrow] >= cfg.min_years_in_origin) & from_origin
    # Kandas (ethnic Kazakh returnees) come from abroad: no citizenship or origin residence
    # condition applies to them under the programme's kandas quota.
    out: BoolArray = kandas | (hf.citizen[hrow] & resident)
    return out


def could_be_feasible(hf: HouseholdFrame, hrow: IntArray, cfg: ScoringConfig) -> BoolArray:
    """Households that pass the gates no option can change (eligibility, documents): the
    others have no feasible option at all."""
    out: BoolArray = eligible(hf, hrow, cfg) & hf.documents_complete[hrow]
    return out


def evaluate(
    hf: HouseholdFrame,
    cat: Catalogue,
    space: OccupationSpace,
    cfg: ScoringConfig,
    hrow: IntArray,
    lrow: IntArray,
    home_row: IntArray,
    vrow: IntArray,
    v2row: IntArray,
) -> Evaluation:
    """Gates, components and totals for options given as row indexes (-1 = missing).

    Parameters
    ----------
    hf, cat, space, cfg
        Household arrays, catalogue arrays, occupation space and configuration.
    hrow, lrow, home_row, vrow, v2row
        Per option: household row, locality row, home row, primary vacancy row and second
        vacancy row (``-1`` when the option has no second job).

    Returns
    -------
    Evaluation
    """
    n = len(hrow)
    idx = np.arange(n)
    safe_l = np.maximum(lrow, 0)
    safe_home = np.maximum(home_row, 0)
    safe_v = np.maximum(vrow, 0)
    safe_v2 = np.maximum(v2row, 0)
    has_v2 = v2row >= 0
    persons = hf.persons[hrow]

    # ---- gates
    dest_codes = np.array([c in cfg.destination_regions for c in REGION_CODES])
    o_reg = hf.origin_region[hrow]
    eligibility = eligible(hf, hrow, cfg)
    l_reg = cat.l_region[safe_l]
    destination = (lrow >= 0) & (l_reg >= 0) & dest_codes[np.maximum(l_reg, 0)]

    fit, sim, qualifies, coverage = slot_fit_with_coverage(hf, cat, space, hrow, vrow, cfg)
    qualified_vacancy = (vrow >= 0) & cat.v_qualified[safe_v]
    any_qualifies = qualifies.any(axis=1) & qualified_vacancy
    # Primary member: the best-fitting qualifying slot, else the best slot at all.
    ranked = np.where(qualifies, fit + 2.0, fit)
    primary_slot = ranked.argmax(axis=1)
    occupation = fit[idx, primary_slot]
    primary_sim = sim[idx, primary_slot]
    slot_members = hf.slot_member[hrow]
    primary_member = slot_members[idx, primary_slot]
    primary_present = (hf.slot_occ[hrow][idx, primary_slot] >= 0) & (vrow >= 0)
    skill_row = np.where(primary_present, hrow * EARNER_SLOTS + primary_slot, -1)

    fit2, sim2, _ = slot_fit(hf, cat, space, hrow, v2row, cfg)
    other = (slot_members >= 0) & (slot_members != primary_member[:, None])
    fit2 = np.where(other, fit2, -1.0)
    second_slot = fit2.argmax(axis=1)
    second_fit = np.maximum(fit2[idx, second_slot], 0.0)
    second_member = np.where(
        has_v2 & (fit2[idx, second_slot] >= 0), slot_members[idx, second_slot], -1
    )
    second_sim = np.where(second_member >= 0, sim2[idx, second_slot], 0.0)

    same_place = (
        (lrow >= 0)
        & (home_row >= 0)
        & (cat.h_loc[safe_home] == lrow)
        & (vrow >= 0)
        & (cat.v_loc[safe_v] == lrow)
    )
    second_ok = ~has_v2 | ((cat.v_loc[safe_v2] == lrow) & (v2row != vrow) & (second_member >= 0))
    household_intact = same_place & second_ok

    kind = cat.h_kind[safe_home]
    home_fits = (
        (home_row >= 0)
        & (cat.h_capacity[safe_home] >= persons)
        & (kind != _BED)
        & (~hf.needs_accessible[hrow] | cat.h_accessible[safe_home])
    )
    documents = hf.documents_complete[hrow]
    gates = {
        "eligibility": eligibility,
        "documents": documents,
        "destination": destination,
        "household_intact": household_intact,
        "qualified_member": any_qualifies,
        "home_fits": home_fits,
    }
    feasible = np.logical_and.reduce([gates[g] for g in GATES])

    # ---- components
    wages = np.where(vrow >= 0, cat.v_wage[safe_v], 0.0) + np.where(
        has_v2, cat.v_wage[safe_v2], 0.0
    )
    urban = cat.l_urban[safe_l].astype(np.int64)
    rent_subsidy = cfg.rent_subsidy_monthly[urban, np.clip(persons, 0, 10)]
    rent = cat.h_rent[safe_home]
    net_rent = np.maximum(rent - rent_subsidy, 0.0)
    price = cat.h_price[safe_home]
    certificate = np.minimum(cfg.certificate_cap_tenge, cfg.certificate_share * price)
    own_share = np.maximum(price - certificate, 0.0)
    # Two kinds: two comparisons are cheaper than np.isin's sort on request-sized arrays.
    buying = ((kind == _PURCHASE_KINDS[0]) | (kind == _PURCHASE_KINDS[1])) & (price > 0)
    burden_rent = net_rent / np.maximum(wages, 1.0)
    burden_buy = own_share / np.maximum(wages * cfg.purchase_income_months, 1.0)
    afford = np.where(buying, 1.0 - burden_buy, 1.0 - burden_rent / cfg.rent_burden_limit)
    rooms_needed = np.ceil(persons / 2.0)
    size = np.minimum(cat.h_rooms[safe_home] / np.maximum(rooms_needed, 1.0), 1.0)
    tenure = TENURE_MATCH[np.maximum(hf.pref_tenure[hrow], 0), kind]
    condition = (cat.h_condition[safe_home] - 1) / 4.0
    housing = (
        _H_SIZE * size + _H_TENURE * tenure + _H_COND * condition
        + _H_AFFORD * np.clip(afford, 0.0, 1.0)
    )  # fmt: skip

    settlement = SETTLEMENT_CONTINUITY[
        np.maximum(hf.origin_settlement[hrow], 0), np.maximum(cat.l_settlement[safe_l], 0)
    ]

    k05 = hf.children_0_5[hrow]
    k617 = hf.children_6_17[hrow]
    kg_seats = cat.l_kg_seats[safe_l]
    school_seats = cat.l_school_seats[safe_l]
    kg = np.where(kg_seats >= k05, 1.0, np.where(kg_seats > 0, 0.5, 0.0))
    school = np.where(school_seats >= k617, 1.0, np.where(school_seats > 0, 0.5, 0.0))
    clinic = np.where(cat.l_clinic[safe_l], 1.0, 0.3)
    km = cat.l_hospital_km[safe_l]
    hospital = np.clip(
        (cfg.hospital_far_km - km) / (cfg.hospital_far_km - cfg.hospital_ok_km), 0.0, 1.0
    )
    parts = np.vstack([kg, school, clinic, hospital])
    applies = np.vstack([k05 > 0, k617 > 0, hf.needs_clinic[hrow], hf.needs_hospital[hrow]])
    n_parts = applies.sum(axis=0)
    family = np.where(n_parts > 0, (parts * applies).sum(axis=0) / np.maximum(n_parts, 1), 1.0)

    origin_wage = hf.origin_wage[hrow]
    primary_wage = np.where(vrow >= 0, cat.v_wage[safe_v], 0.0)
    wage_ratio = primary_wage / np.maximum(origin_wage, 1.0)
    wage = np.clip(
        (wage_ratio - cfg.wage_ratio_zero) / (cfg.wage_ratio_full - cfg.wage_ratio_zero), 0.0, 1.0
    )

    region_bit = np.where(l_reg >= 0, np.left_shift(1, np.maximum(l_reg, 0)), 0)
    st_bit = np.left_shift(1, np.maximum(cat.l_settlement[safe_l], 0))
    pr = hf.pref_region_mask[hrow]
    ps = hf.pref_settlement_mask[hrow]
    region_match = (pr & region_bit) != 0
    st_match = (ps & st_bit) != 0
    n_pref = (pr != 0).astype(np.int64) + (ps != 0)
    preferences = np.where(
        n_pref > 0,
        (np.where(pr != 0, region_match, 0.0) + np.where(ps != 0, st_match, 0.0))
        / np.maximum(n_pref, 1),
        1.0,
    )

    used_to_gas = hf.origin_heating[hrow] != _STOVE
    stove = cat.h_heating[safe_home] == _STOVE
    heat = np.where(stove & used_to_gas, 0.3, 1.0)
    climate = (
        _C_HEAT * heat
        + _C_WATER * np.where(cat.h_water[safe_home], 1.0, 0.5)
        + _C_BUS * np.where(cat.l_bus[safe_l], 1.0, 0.5)
    )

    movers = np.where(o_reg >= 0, cat.network[np.maximum(o_reg, 0), safe_l], 0)
    network = 1.0 - np.exp(-movers / cfg.network_scale)

    land = np.where(cat.l_land[safe_l] > 0, 1.0, 0.0)
    vulnerable = hf.vulnerable_settlement[hrow] | hf.vulnerable_network[hrow]

    values = {
        "occupation": occupation,
        "second_earner": np.where(has_v2, second_fit, 0.0),
        "housing": housing,
        "settlement": settlement,
        "family_services": family,
        "wage": wage,
        "preferences": preferences,
        "climate": climate,
        "network": network,
        "land": land,
    }
    values = {k: np.clip(np.asarray(v, dtype=np.float64), 0.0, 1.0) for k, v in values.items()}
    features = outcome_features(values, afford, vulnerable)
    model = cfg.retention_model
    # Predicted 12-month retention: only with a fitted model, from the other components.
    values["retention"] = (
        np.clip(model.predict_retention(features, _REGION_OR_NONE[l_reg]), 0.0, 1.0)
        if model is not None and n
        else np.zeros(n)
    )
    ones = np.ones(n)
    vm = cfg.vulnerable_multiplier
    weights = {
        "occupation": ones * cfg.weight("occupation"),
        "second_earner": np.where(hf.seekers[hrow] >= 2, cfg.weight("second_earner"), 0.0),
        "housing": ones * cfg.weight("housing"),
        "settlement": np.where(hf.vulnerable_settlement[hrow], vm, 1.0) * cfg.weight("settlement"),
        "family_services": np.where(n_parts > 0, cfg.weight("family_services"), 0.0),
        "wage": np.where(origin_wage > 0, cfg.weight("wage"), 0.0),
        "preferences": np.where(n_pref > 0, cfg.weight("preferences"), 0.0),
        "climate": ones * cfg.weight("climate"),
        "network": np.where(hf.vulnerable_network[hrow], vm, 1.0) * cfg.weight("network"),
        "land": np.where(hf.wants_land[hrow], cfg.weight("land"), 0.0),
        "retention": ones * (cfg.weight("retention") if model is not None else 0.0),
    }
    assert tuple(values) == COMPONENTS
    wsum = np.sum([weights[c] for c in COMPONENTS], axis=0)
    mean = np.sum([weights[c] * values[c] for c in COMPONENTS], axis=0) / np.maximum(wsum, 1e-12)
    critical = values["occupation"] ** cfg.occupation_exponent * (
        values["housing"] ** cfg.housing_exponent
    )
    total = np.where(feasible, np.clip(mean * critical, 0.0, 1.0), 0.0)
    return Evaluation(
        gates=gates,
        values=values,
        weights=weights,
        feasible=feasible,
        total=total,
        primary_slot=primary_slot,
        primary_member=primary_member,
        second_member=second_member,
        similarity=primary_sim,
        second_similarity=second_sim,
        net_rent=net_rent,
        own_share=np.where(buying, own_share, 0.0),
        rent_subsidy=rent_subsidy,
        network_movers=movers.astype(np.int64),
        wage_ratio=wage_ratio,
        skill_coverage=coverage[idx, primary_slot],
        skill_row=skill_row.astype(np.int64),
        vacancy_row=vrow.astype(np.int64),
        skills=SkillContext(hf.slot_skills, cat.v_skills, space.skills),
        features=features,
    )
