"""Stored rows ⇄ matching.domain objects, and the field each validation rule names."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.core.validation import FieldError, age_on
from api.homes.mappers import capacity_to_domain, home_to_domain, validate_capacity, validate_home
from api.households.mappers import household_to_domain, validate_household
from api.models import (
    HomeRecord,
    HouseholdMemberRecord,
    HouseholdRecord,
    LocalityCapacityRecord,
    VacancyRecord,
)
from api.vacancies.mappers import vacancy_to_domain, validate_vacancy
from matching.domain import EDUCATION_LEVELS, RELATIONS
from matching.programme.geography import ReferenceData, load_reference
from matching.text import Text
from tests.api.test_households_api import iin_of

REFERENCE: ReferenceData = load_reference()
APPLIED = dt.date(2025, 3, 1)
REFERENCE_TEXT = Text(kk="қате", ru="ошибка", en="error")


def stored_household(data: dict[str, Any]) -> HouseholdRecord:
    """What the routes store for ``data`` (validated), as an in-memory ORM record."""
    values = validate_household(data, REFERENCE)
    record = HouseholdRecord(id=7, **values.household)
    record.members = [HouseholdMemberRecord(**m) for m in values.members]
    return record


member_strategy = st.fixed_dictionaries(
    {
        "relation": st.sampled_from([r for r in RELATIONS if r != "applicant"]),
        "birth_date": st.dates(dt.date(1940, 1, 1), dt.date(2024, 12, 31)),
        "sex": st.sampled_from(["M", "F"]),
        "education": st.sampled_from(EDUCATION_LEVELS),
        "licences": st.lists(st.sampled_from(["B", "C", "tractor"]), unique=True, max_size=2),
        "skills": st.lists(st.sampled_from(["S_WELD_MIG", "S_MILKING"]), unique=True, max_size=2),
    }
)


@settings(max_examples=40, deadline=None)
@given(
    applicant_birth=st.dates(dt.date(1950, 1, 1), dt.date(2005, 1, 1)),
    applicant_sex=st.sampled_from(["M", "F"]),
    others=st.lists(member_strategy, max_size=5),
    debt=st.integers(0, 5_000_000),
    years=st.floats(0, 60, allow_nan=False),
)
def test_stored_household_maps_back_to_the_validated_domain_object(
    applicant_birth: dt.date,
    applicant_sex: str,
    others: list[dict[str, Any]],
    debt: int,
    years: float,
) -> None:
    applicant = {
        "relation": "applicant",
        "birth_date": applicant_birth,
        "sex": applicant_sex,
        "iin": iin_of(applicant_birth, applicant_sex, 11),
        "experience": [{"occupation": "7212", "years": 3.5, "documented": False}],
        "languages": [{"lang": "kk", "level": "native"}],
        "health": {"clinic": True, "hospital": False, "accessible_home": False},
    }
    data = {
        "external_id": "H",
        "origin_region": "Жамбыл облысы",
        "origin_settlement": "village",
        "application_date": APPLIED,
        "debt_tenge": debt,
        "years_in_origin": years,
        "preferences": {"regions": ["59"], "tenure": "buy"},
        "members": [applicant, *others],
    }
    validated = validate_household(data, REFERENCE).domain
    mapped = household_to_domain(stored_household(data), as_of=APPLIED)
    assert mapped.household_id == "7"
    assert mapped.members == validated.members
    assert (mapped.iin, mapped.debt_tenge, mapped.years_in_origin) == (
        validated.iin,
        validated.debt_tenge,
        validated.years_in_origin,
    )
    assert mapped.preferences == validated.preferences and mapped.origin_region == "31"
    assert mapped.applicant.experience[0].documented is False


@given(
    st.dates(dt.date(1900, 1, 1), dt.date(2030, 1, 1)),
    st.dates(dt.date(1900, 1, 1), dt.date(2030, 1, 1)),
)
def test_age_counts_whole_years(born: dt.date, day: dt.date) -> None:
    age = age_on(born, day)

    # Adding that many years to the birth date does not pass the day; one more would.
    def plus(years: int) -> dt.date:
        try:
            return born.replace(year=born.year + years)
        except ValueError:  # 29 February
            return born.replace(year=born.year + years, day=28) + dt.timedelta(days=1)

    if day >= born:
        assert plus(age) <= day < plus(age + 1)


def test_ages_follow_the_as_of_day() -> None:
    born = dt.date(2000, 6, 15)
    data = {
        "external_id": "H",
        "origin_region": "61",
        "origin_settlement": "city",
        "application_date": APPLIED,
        "members": [
            {"relation": "applicant", "birth_date": born, "sex": "F", "iin": iin_of(born, "F")}
        ],
    }
    record = stored_household(data)
    assert household_to_domain(record, as_of=dt.date(2025, 6, 14)).applicant.age == 24
    assert household_to_domain(record, as_of=dt.date(2025, 6, 15)).applicant.age == 25


def vacancy_data(**extra: Any) -> dict[str, Any]:
    return {
        "external_id": "V",
        "locality_id": "59-petropavl",
        "title": "сварщик",
        "wage_tenge": 300000,
        **extra,
    }


def test_vacancy_maps_with_free_posts_only() -> None:
    values = validate_vacancy(
        vacancy_data(posts=5, required_licences=["C", "B", "C"]),
        REFERENCE,
        employer_id=3,
        occupation="Q7212.01",
        isco="7212",
        occupation_score=0.91,
    )
    assert values["region_code"] == "59" and values["required_licences"] == ["B", "C"]
    record = VacancyRecord(id=12, posts_reserved=2, **values)
    domain = vacancy_to_domain(record)
    assert (domain.vacancy_id, domain.employer_id, domain.posts) == ("12", "3", 3)
    assert domain.required_licences == frozenset({"B", "C"})


@pytest.mark.parametrize(
    ("extra", "path"),
    [
        ({"wage_tenge": -1}, ("wage_tenge",)),
        ({"posts": 0}, ("posts",)),
        ({"required_education": "x"}, ("required_education",)),
        ({"required_licences": ["Q"]}, ("required_licences",)),
        ({"locality_id": "x"}, ("locality_id",)),
    ],
)
def test_vacancy_rules_name_their_field(extra: dict[str, Any], path: tuple[str, ...]) -> None:
    with pytest.raises(FieldError) as caught:
        validate_vacancy(
            vacancy_data(**extra),
            REFERENCE,
            employer_id=1,
            occupation="7212",
            isco="7212",
            occupation_score=None,
        )
    assert caught.value.path == path and caught.value.text.kk and caught.value.text.ru


def test_home_and_capacity_map_to_the_domain() -> None:
    values = validate_home(
        {
            "external_id": "D",
            "locality_id": "59-petropavl",
            "kind": "rental",
            "rooms": 2,
            "capacity_persons": 3,
        },
        REFERENCE,
        employer_id=None,
    )
    home = home_to_domain(HomeRecord(id=4, units_reserved=0, **values))
    assert (home.home_id, home.capacity, home.rent_tenge, home.condition) == ("4", 3, 0.0, 3)
    caps = validate_capacity(
        "59-petropavl", {"school_seats": 100, "accommodation_beds": 20}, REFERENCE
    )
    record = LocalityCapacityRecord(
        **caps, kindergarten_reserved=0, school_reserved=30, land_plots_reserved=0
    )
    domain = capacity_to_domain(record, REFERENCE)
    assert domain.school_seats == 70 and domain.region_code == "59"
    assert domain.settlement_type == REFERENCE.locality("59-petropavl").settlement_type


def test_field_error_paths_read_as_text() -> None:
    assert FieldError(("members", 2, "iin"), REFERENCE_TEXT).field == "members[2].iin"
    assert FieldError(("wage_tenge",), REFERENCE_TEXT).field == "wage_tenge"
