from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from matching.domain import (
    DomainValidationError,
    Experience,
    Home,
    Household,
    LocalityCapacity,
    Member,
    Vacancy,
)
from matching.iin import make_iins


def an_iin(sex: str = "F", born: str = "1988-04-12") -> str:
    return make_iins(
        np.array([born], dtype="datetime64[D]"), np.array([sex == "M"]), np.array([321])
    )[0]


def make_household(**overrides: Any) -> Household:
    fields: dict[str, Any] = {
        "household_id": "h",
        "iin": an_iin("F"),
        "members": (
            Member("applicant", 35, "F", "married", "higher", (Experience("2341", 8),)),
            Member("spouse", 37, "M", "married", "vocational", (Experience("7212", 10),)),
            Member("child", 4, "M", employment_status="child"),
            Member("child", 11, "F", employment_status="child"),
        ),
        "origin_region": "61",
        "origin_settlement": "city",
    }
    fields.update(overrides)
    return Household(**fields)


def assert_trilingual(err: pytest.ExceptionInfo[DomainValidationError]) -> None:
    text = err.value.text
    assert text.kk.strip() and text.ru.strip() and text.en.strip()
    assert len({text.kk, text.ru, text.en}) == 3


class TestHousehold:
    def test_counts(self) -> None:
        h = make_household()
        assert h.persons == 4
        assert h.children(0, 5) == 1
        assert h.children(6, 17) == 1
        assert h.applicant.relation == "applicant"

    def test_without_applicant_is_rejected(self) -> None:
        with pytest.raises(DomainValidationError) as err:
            make_household(members=(Member("spouse", 30, "M"),))
        assert_trilingual(err)

    def test_two_applicants_are_rejected(self) -> None:
        with pytest.raises(DomainValidationError):
            make_household(members=(Member("applicant", 30, "F"), Member("applicant", 31, "M")))

    def test_empty_household_is_rejected(self) -> None:
        with pytest.raises(DomainValidationError):
            make_household(members=())

    def test_wrong_check_digit_is_rejected(self) -> None:
        iin = an_iin("F")
        bad = iin[:11] + str((int(iin[11]) + 1) % 10)
        with pytest.raises(DomainValidationError) as err:
            make_household(iin=bad)
        assert_trilingual(err)

    def test_iin_sex_must_match_the_applicant(self) -> None:
        with pytest.raises(DomainValidationError):
            make_household(iin=an_iin("M"))

    def test_unknown_origin_settlement_is_rejected(self) -> None:
        with pytest.raises(DomainValidationError):
            make_household(origin_settlement="metropolis")


class TestMember:
    def test_negative_age_is_rejected(self) -> None:
        with pytest.raises(DomainValidationError) as err:
            Member("child", -1, "F")
        assert_trilingual(err)

    def test_unknown_licence_is_rejected(self) -> None:
        with pytest.raises(DomainValidationError):
            Member("applicant", 30, "M", licences=frozenset({"pilot"}))

    def test_negative_experience_is_rejected(self) -> None:
        with pytest.raises(DomainValidationError):
            Experience("2341", -2)

    @pytest.mark.parametrize(
        ("age", "status", "seeks"),
        [
            (30, "jobseeker", True),
            (30, "maternity_leave", False),
            (15, "student", False),
            (70, "retired", False),
        ],
    )
    def test_who_seeks_work(self, age: int, status: str, seeks: bool) -> None:
        assert Member("spouse", age, "F", employment_status=status).seeks_work is seeks  # type: ignore[arg-type]


class TestSupplySide:
    def test_vacancy_needs_a_post(self) -> None:
        with pytest.raises(DomainValidationError):
            Vacancy("v", "e", "l", "2341", 200_000, posts=0)

    def test_home_condition_range(self) -> None:
        with pytest.raises(DomainValidationError):
            Home("d", "l", "rental", 2, 4, condition=6)

    def test_home_capacity(self) -> None:
        with pytest.raises(DomainValidationError):
            Home("d", "l", "rental", 2, 0)

    def test_accommodation_beds_only_in_regional_centres(self) -> None:
        with pytest.raises(DomainValidationError):
            LocalityCapacity("l", "59", "village", False, 0, 0, True, 30.0, "stove", False, False,
                             accommodation_beds=5)  # fmt: skip
        ok = LocalityCapacity("l", "59", "regional_centre", True, 10, 10, True, 0.0, "central", True,
                              True, accommodation_beds=5)  # fmt: skip
        assert ok.accommodation_beds == 5
