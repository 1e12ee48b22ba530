"""The household arrays built from domain objects equal those built through polars frames."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.domain import Experience, Household, Member
from matching.scoring import HouseholdFrame, OccupationSpace
from matching.scoring.features import EARNER_SLOTS, households_to_frames
from matching.scoring.household_arrays import household_frame_of
from matching.synthetic.programme import generate_programme
from tests.matching.test_scoring import make_household, prefix_similarity

ARRAYS = (
    "persons", "children_0_5", "children_6_17", "seekers", "needs_clinic", "needs_hospital",
    "needs_accessible", "vulnerable_settlement", "vulnerable_network", "origin_region",
    "origin_settlement", "origin_heating", "is_kandas", "citizen", "years_in_origin",
    "documents_complete", "pref_region_mask", "pref_settlement_mask", "pref_tenure",
    "wants_land", "origin_wage", "slot_member", "slot_years", "slot_edu", "slot_lic",
    "slot_documented",
)  # fmt: skip


@lru_cache(maxsize=1)
def households() -> list[Household]:
    return generate_programme(400, 800, seed=11).household_objects()


def held_codes(hf: HouseholdFrame, space: OccupationSpace) -> list[list[str]]:
    m = hf.slot_skills.tocsr()
    return [
        sorted(space.skills.codes[int(i)] for i in m.indices[m.indptr[r] : m.indptr[r + 1]])
        for r in range(m.shape[0])
    ]


def assert_same(sample: list[Household]) -> None:
    # Separate spaces: each build registers codes in its own order, so codes are compared.
    by_frames, direct = OccupationSpace(prefix_similarity), OccupationSpace(prefix_similarity)
    a = HouseholdFrame.from_frames(*households_to_frames(sample), space=by_frames)
    b = household_frame_of(sample, direct)
    assert a.ids == b.ids and a.row_of == b.row_of
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and x.shape == y.shape, name
        assert np.array_equal(x, y), name
    codes_a = np.array([*by_frames.codes, None], dtype=object)[a.slot_occ]
    codes_b = np.array([*direct.codes, None], dtype=object)[b.slot_occ]
    assert np.array_equal(codes_a, codes_b)
    assert a.slot_skills.shape[0] == b.slot_skills.shape[0] == len(sample) * EARNER_SLOTS
    assert held_codes(a, by_frames) == held_codes(b, direct)
    assert b.slot_skills.has_sorted_indices


def test_generated_households_give_equal_arrays() -> None:
    sample = households()
    assert sum(bool(m.skills) for h in sample for m in h.members) > 0  # skills are exercised
    assert_same(sample)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 399), min_size=1, max_size=12, unique=True))
def test_any_subset_gives_equal_arrays(rows: list[int]) -> None:
    assert_same([households()[i] for i in rows])


@pytest.mark.parametrize("documented", [(True, False), (False, True)])
def test_equal_experiences_keep_their_order(documented: tuple[bool, bool]) -> None:
    # Same member, occupation and years twice: the slots keep the experiences' order.
    twice = tuple(Experience("7212", 3.0, d) for d in documented)
    applicant = Member("applicant", 40, "F", "married", "vocational", twice)
    spouse = Member("spouse", 41, "M", "married", experience=(Experience("2341", 3.0),))
    assert_same([make_household(members=(applicant, spouse))])
