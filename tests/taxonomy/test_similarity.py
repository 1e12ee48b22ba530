"""Occupation similarity from the ISCO hierarchy and shared skills."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxonomy.load import default_taxonomy
from taxonomy.similarity import occupation_similarity, similarity_matrix

TAX = default_taxonomy()
CODES = sorted(TAX.occupations) + sorted(g.code for g in TAX.groups.values() if g.level == 4)


def code_of(title_ru: str) -> str:
    matches = [o.code for o in TAX.occupations.values() if o.title_ru == title_ru]
    assert matches, f"no occupation titled {title_ru!r}"
    return matches[0]


class TestExamples:
    def test_maths_and_physics_teachers_are_close(self) -> None:
        sim = occupation_similarity(code_of("учитель математики"), code_of("учитель физики"))
        assert sim >= 0.8

    def test_doctor_and_nurse_are_related(self) -> None:
        sim = occupation_similarity(
            code_of("врач-терапевт"), code_of("палатная медицинская сестра")
        )
        assert 0.3 <= sim <= 0.7

    def test_welder_and_teacher_are_far(self) -> None:
        sim = occupation_similarity(code_of("электрогазосварщик"), code_of("учитель математики"))
        assert sim <= 0.15

    def test_unit_group_codes_accepted(self) -> None:
        assert occupation_similarity("2330", "2330") == 1.0
        assert occupation_similarity(code_of("учитель математики"), "2330") > occupation_similarity(
            code_of("учитель математики"), "7212"
        )

    def test_unknown_code_raises(self) -> None:
        with pytest.raises(KeyError):
            occupation_similarity("Q9999.99", "2330")


class TestProperties:
    @given(st.sampled_from(CODES), st.sampled_from(CODES))
    @settings(max_examples=200, deadline=None)
    def test_symmetric_bounded_self_one(self, a: str, b: str) -> None:
        ab = occupation_similarity(a, b)
        assert ab == pytest.approx(occupation_similarity(b, a))
        assert 0.0 <= ab <= 1.0
        assert occupation_similarity(a, a) == pytest.approx(1.0)

    @given(
        st.lists(st.sampled_from(CODES), min_size=1, max_size=30),
        st.lists(st.sampled_from(CODES), min_size=1, max_size=30),
    )
    @settings(max_examples=40, deadline=None)
    def test_matrix_matches_pairs(self, a: list[str], b: list[str]) -> None:
        matrix = similarity_matrix(a, b)
        assert matrix.shape == (len(a), len(b))
        assert matrix.dtype == np.float32
        i, j = len(a) // 2, len(b) - 1
        assert matrix[i, j] == pytest.approx(occupation_similarity(a[i], b[j]))


def test_large_matrix_is_consistent_with_its_transpose() -> None:
    rng = np.random.default_rng(7)
    a = list(rng.choice(CODES, size=800))
    b = list(rng.choice(CODES, size=600))
    forward = similarity_matrix(a, b)
    backward = similarity_matrix(b, a)
    assert np.allclose(forward, backward.T)
    assert forward.min() >= 0.0 and forward.max() <= 1.0
