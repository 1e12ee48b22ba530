"""A :class:`~matching.scoring.features.HouseholdFrame` straight from domain households.

A ranked-matches request turns one household into arrays. Going through polars frames
(:meth:`HouseholdFrame.from_frames`: three small frames, two joins, a windowed sort) cost
several milliseconds for a handful of members; here the same arrays are filled from the
members directly. The loops run over members and their experiences, never over options.
:meth:`HouseholdFrame.from_frames` stays the path for frames (the generator, the database
loader); both give equal arrays (tests/matching/test_household_arrays.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from matching.domain import (
    CATEGORIES,
    DESTINATION_SETTLEMENTS,
    EDUCATION_LEVELS,
    HEATING_TYPES,
    ORIGIN_SETTLEMENTS,
    TENURES,
    Household,
    licence_mask,
)
from matching.scoring.similarity import OccupationSpace

if TYPE_CHECKING:
    from matching.scoring.features import HouseholdFrame

_EDU_RANK = {e: i for i, e in enumerate(EDUCATION_LEVELS)}
_ORIGIN_SETTLEMENT = {s: i for i, s in enumerate(ORIGIN_SETTLEMENTS)}
_HEATING = {s: i for i, s in enumerate(HEATING_TYPES)}
_TENURE = {s: i for i, s in enumerate(TENURES)}
_DEST_SETTLEMENT = {s: i for i, s in enumerate(DESTINATION_SETTLEMENTS)}


def household_frame_of(households: Sequence[Household], space: OccupationSpace) -> HouseholdFrame:
    """The arrays of ``households`` in ``space`` (unseen occupation and skill codes are
    registered, as :meth:`HouseholdFrame.from_frames` does)."""
    from matching.scoring.features import (
        EARNER_SLOTS,
        NOT_WORKING,
        REGION_INDEX,
        HouseholdFrame,
    )

    n = len(households)
    ids = [h.household_id for h in households]
    persons = np.zeros(n, dtype=np.int64)
    kids05 = np.zeros(n, dtype=np.int64)
    kids617 = np.zeros(n, dtype=np.int64)
    seekers = np.zeros(n, dtype=np.int64)
    needs_clinic = np.zeros(n, dtype=bool)
    needs_hospital = np.zeros(n, dtype=bool)
    needs_accessible = np.zeros(n, dtype=bool)
    female = np.zeros(n, dtype=bool)
    alone = np.zeros(n, dtype=bool)
    maternity = np.zeros(n, dtype=bool)
    slot_member = np.full((n, EARNER_SLOTS), -1, dtype=np.int64)
    slot_years = np.zeros((n, EARNER_SLOTS), dtype=np.float64)
    slot_edu = np.zeros((n, EARNER_SLOTS), dtype=np.int64)
    slot_lic = np.zeros((n, EARNER_SLOTS), dtype=np.int64)
    slot_doc = np.zeros((n, EARNER_SLOTS), dtype=bool)
    # Filled slots in order: (row, slot, occupation code, skills of the member).
    slot_codes: list[str] = []
    slot_at: list[tuple[int, int]] = []
    slot_skill_lists: list[tuple[str, ...]] = []
    any_skills = False
    for row, h in enumerate(households):
        candidates: list[tuple[float, int, str, int, bool]] = []
        seeker_of: dict[int, tuple[int, int, tuple[str, ...]]] = {}
        for no, m in enumerate(h.members):
            persons[row] += 1
            kids05[row] += m.age <= 5
            kids617[row] += 6 <= m.age <= 17
            needs_clinic[row] |= m.health.clinic
            needs_hospital[row] |= m.health.hospital
            needs_accessible[row] |= m.health.accessible_home
            maternity[row] |= m.employment_status == "maternity_leave"
            any_skills = any_skills or bool(m.skills)
            if m.relation == "applicant":
                female[row] = m.sex == "F"
                alone[row] = m.marital_status in ("divorced", "widowed")
            if 18 <= m.age < 64 and m.employment_status not in NOT_WORKING:
                seekers[row] += 1
                seeker_of[no] = (_EDU_RANK.get(m.education, 0), licence_mask(m.licences), m.skills)
                for k, e in enumerate(m.experience):
                    candidates.append((float(e.years), no, e.occupation, k, e.documented))
        # The order of from_frames: most years first, then member, then code (stable).
        candidates.sort(key=lambda c: (-c[0], c[1], c[2], c[3]))
        for slot, (years, no, code, _, documented) in enumerate(candidates[:EARNER_SLOTS]):
            edu, lic, skills = seeker_of[no]
            slot_member[row, slot] = no
            slot_years[row, slot] = years
            slot_edu[row, slot] = edu
            slot_lic[row, slot] = lic
            slot_doc[row, slot] = documented
            slot_codes.append(code)
            slot_at.append((row, slot))
            slot_skill_lists.append(skills)
    slot_occ = np.full((n, EARNER_SLOTS), -1, dtype=np.int64)
    if slot_at:
        at = np.array(slot_at, dtype=np.int64)
        slot_occ[at[:, 0], at[:, 1]] = space.index(slot_codes)
    vulnerable_settlement = (female & (alone | (kids05 > 0))) | maternity
    vulnerable_network = alone | ((persons > 1) & (seekers <= 1) & alone)
    pref_region = np.zeros(n, dtype=np.int64)
    pref_settlement = np.zeros(n, dtype=np.int64)
    for row, h in enumerate(households):
        for code in h.preferences.regions:
            if code in REGION_INDEX:
                pref_region[row] |= 1 << REGION_INDEX[code]
        for st in h.preferences.settlement_types:
            if st in _DEST_SETTLEMENT:
                pref_settlement[row] |= 1 << _DEST_SETTLEMENT[st]
    return HouseholdFrame(
        ids=ids,
        row_of={h: i for i, h in enumerate(ids)},
        persons=persons,
        children_0_5=kids05,
        children_6_17=kids617,
        seekers=seekers,
        needs_clinic=needs_clinic,
        needs_hospital=needs_hospital,
        needs_accessible=needs_accessible,
        vulnerable_settlement=vulnerable_settlement,
        vulnerable_network=vulnerable_network,
        origin_region=np.array(
            [REGION_INDEX.get(h.origin_region, -1) for h in households], dtype=np.int64
        ),
        origin_settlement=np.array(
            [_ORIGIN_SETTLEMENT.get(h.origin_settlement, -1) for h in households], dtype=np.int64
        ),
        origin_heating=np.array(
            [_HEATING.get(h.origin_heating, -1) for h in households], dtype=np.int64
        ),
        is_kandas=np.array([h.category == CATEGORIES[1] for h in households], dtype=bool),
        citizen=np.array([h.citizen for h in households], dtype=bool),
        years_in_origin=np.array([float(h.years_in_origin) for h in households], dtype=np.float64),
        documents_complete=np.array([h.documents_complete for h in households], dtype=bool),
        pref_region_mask=pref_region,
        pref_settlement_mask=pref_settlement,
        pref_tenure=np.array(
            [_TENURE.get(h.preferences.tenure, -1) for h in households], dtype=np.int64
        ),
        wants_land=np.array(
            [h.preferences.wants_land or h.preferences.business_intent for h in households],
            dtype=bool,
        ),
        origin_wage=np.array([float(h.origin_wage_tenge) for h in households], dtype=np.float64),
        slot_member=slot_member,
        slot_occ=slot_occ,
        slot_years=slot_years,
        slot_edu=slot_edu,
        slot_lic=slot_lic,
        slot_documented=slot_doc,
        slot_skills=_slot_skills(slot_at, slot_skill_lists, n, space, any_skills),
        frame=None,
    )


def _slot_skills(
    slot_at: list[tuple[int, int]],
    skill_lists: list[tuple[str, ...]],
    n: int,
    space: OccupationSpace,
    any_skills: bool,
) -> sp.csr_matrix:
    """Held skills (implied credentials included) of each filled slot, CSR rows
    ``household row · EARNER_SLOTS + slot``, binary and with sorted column ids."""
    from matching.scoring.features import EARNER_SLOTS

    vocabulary = space.skills
    rows: list[int] = []
    codes: list[str] = []
    if any_skills:
        for (row, slot), skills in zip(slot_at, skill_lists, strict=True):
            held = {d: None for c in skills for d in vocabulary.closure(c)}
            rows += [row * EARNER_SLOTS + slot] * len(held)
            codes += list(held)
    cols = vocabulary.index(codes)
    shape = (n * EARNER_SLOTS, len(vocabulary))
    if not rows:
        return sp.csr_matrix(shape, dtype=np.float64)
    out = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (np.array(rows, dtype=np.int64), cols)),
        shape=shape,
    )
    out.sort_indices()
    return out
