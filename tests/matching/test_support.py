"""The support calculator against the sources' own worked figures, plus invariants."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.programme.support import (
    HouseholdError,
    MciNotFoundError,
    SupportError,
    SupportPackage,
    SupportParameters,
    UnknownProgrammeVersionError,
    estimate_support,
    load_support_parameters,
    mci_tenge,
    relocation_and_rent_tenge,
)

PARAMS = load_support_parameters()
YEARS = st.integers(min_value=2017, max_value=2026)


@pytest.fixture(scope="module")
def params() -> SupportParameters:
    return PARAMS


def _tenge(pkg: SupportPackage, code: str) -> int:
    line = pkg.line(code)
    assert line is not None, code
    return line.tenge


def _round_100(x: int) -> int:
    return int(round(x, -2))


class TestSeedFigures:
    def test_s001_2023_per_person_and_family_of_four(self, params: SupportParameters) -> None:
        # S001 §6: 70 MCI = 241,500 tenge in 2023; the research brief's family-of-4 example.
        one = estimate_support(params, household_size=1, is_urban=True, year=2023)
        four = estimate_support(params, household_size=4, is_urban=False, year=2023)
        assert one.programme_version == "strong_regions_2022"
        assert one.mci_tenge == 3450
        assert _tenge(one, "relocation_subsidy") == 241_500
        assert _tenge(four, "relocation_subsidy") == 966_000
        line = four.line("relocation_subsidy")
        assert line is not None and line.mci == 280
        assert line.basis.en == "70 MCI × 3,450 ₸ × 4 persons"

    def test_s001_2023_employer_subsidy(self, params: SupportParameters) -> None:
        # S001 §6: 400 "MEC" = 1,380,000 tenge in 2023, on permanent employment with housing.
        pkg = estimate_support(
            params,
            household_size=3,
            is_urban=True,
            year=2023,
            hired_members=1,
            employer_provides_housing=True,
        )
        assert _tenge(pkg, "employer_hiring_subsidy") == 1_380_000
        assert pkg.total_employer_tenge == 1_380_000
        line = pkg.line("employer_hiring_subsidy")
        assert line is not None and line.paid_to == "employer"

    def test_s001_employer_subsidy_needs_housing_and_permanent_job(
        self, params: SupportParameters
    ) -> None:
        no_housing = estimate_support(
            params, household_size=2, is_urban=True, year=2023, hired_members=1
        )
        temporary = estimate_support(
            params,
            household_size=2,
            is_urban=True,
            year=2023,
            hired_members=1,
            employer_provides_housing=True,
            employment_permanent=False,
        )
        for pkg in (no_housing, temporary):
            assert pkg.line("employer_hiring_subsidy") is None
            assert pkg.total_employer_tenge == 0
            assert len(pkg.notes) == 1

    def test_2023_rent_is_twelve_times_the_band(self, params: SupportParameters) -> None:
        # Brief §5.3: rent support 12 × (15…30) × 3,450 = 621,000 … 1,242,000 tenge in 2023.
        rural_single = estimate_support(params, household_size=1, is_urban=False, year=2023)
        urban_big = estimate_support(params, household_size=6, is_urban=True, year=2023)
        assert _tenge(rural_single, "rent_subsidy") == 621_000
        assert _tenge(urban_big, "rent_subsidy") == 1_242_000
        assert _tenge(urban_big, "rent_subsidy") == 12 * 30 * 3450

    @pytest.mark.parametrize(
        ("is_urban", "size", "printed"),
        [(True, 1, 61_300), (True, 5, 91_900), (False, 1, 45_900), (False, 5, 64_300)],
    )
    def test_s001_2022_monthly_rent_figures(
        self, params: SupportParameters, is_urban: bool, size: int, printed: int
    ) -> None:
        # S001 §4.1 prints the 2022 bands with the January 2022 MCI, rounded to 100 tenge.
        pkg = estimate_support(params, household_size=size, is_urban=is_urban, year=2022)
        assert _round_100(_tenge(pkg, "rent_subsidy") // 12) == printed

    def test_s001_2022_relocation_uses_the_june_mci(self, params: SupportParameters) -> None:
        # S001 §4.1: 70 MCI = 222,600 tenge in 2022, i.e. the MCI in force from 1 June 2022.
        june = estimate_support(
            params, household_size=1, is_urban=True, year=2022, mci_date=date(2022, 6, 1)
        )
        january = estimate_support(params, household_size=1, is_urban=True, year=2022)
        assert _tenge(june, "relocation_subsidy") == 222_600
        assert january.mci_tenge == 3063 and june.mci_tenge == 3180

    def test_seed000_enbek_2020_figures(self, params: SupportParameters) -> None:
        # Seed 000 §3.4.5: 70 MCI = 194,460 tenge at the April 2020 MCI of 2,778; employers
        # got 450 MCI per permanent hire.
        pkg = estimate_support(
            params,
            household_size=1,
            is_urban=False,
            year=2020,
            hired_members=1,
            mci_date=date(2020, 4, 1),
        )
        assert pkg.programme_version == "enbek_2017_2021"
        assert _tenge(pkg, "relocation_subsidy") == 194_460
        assert _tenge(pkg, "employer_hiring_subsidy") == 450 * 2778
        assert _tenge(pkg, "rent_subsidy") == 12 * 15 * 2778

    def test_seed000_2019_relocation_was_35_mci(self, params: SupportParameters) -> None:
        pkg = estimate_support(params, household_size=2, is_urban=True, year=2019)
        assert _tenge(pkg, "relocation_subsidy") == 2 * 35 * 2525

    def test_housing_certificate_caps(self, params: SupportParameters) -> None:
        cheap = estimate_support(
            params, household_size=3, is_urban=True, year=2025, home_price_tenge=6_000_000
        )
        dear = estimate_support(
            params, household_size=3, is_urban=True, year=2025, home_price_tenge=20_000_000
        )
        in_2023 = estimate_support(
            params, household_size=3, is_urban=True, year=2023, home_price_tenge=20_000_000
        )
        assert _tenge(cheap, "housing_certificate") == 3_000_000
        assert _tenge(dear, "housing_certificate") == 4_560_000
        assert _tenge(in_2023, "housing_certificate") == 4_000_000
        before = estimate_support(
            params, household_size=3, is_urban=True, year=2022, home_price_tenge=9_000_000
        )
        assert before.line("housing_certificate") is None and before.notes

    def test_quota_version_inherits_strong_regions_measures(
        self, params: SupportParameters
    ) -> None:
        quota = estimate_support(params, household_size=4, is_urban=True, year=2026)
        parent = estimate_support(
            params,
            household_size=4,
            is_urban=True,
            year=2026,
            programme_version="strong_regions_2022",
        )
        assert quota.programme_version == "quota_2026"
        assert quota.total_household_tenge == parent.total_household_tenge > 0


class TestErrors:
    def test_year_without_mci(self, params: SupportParameters) -> None:
        with pytest.raises(MciNotFoundError) as info:
            params.mci(2016)
        assert "2016" in info.value.text.ru

    def test_household_size_below_one(self, params: SupportParameters) -> None:
        with pytest.raises(HouseholdError) as info:
            estimate_support(params, household_size=0, is_urban=True, year=2023)
        assert isinstance(info.value, ValueError)
        assert info.value.text.kk and info.value.text.ru and info.value.text.en

    def test_hired_members_more_than_household(self, params: SupportParameters) -> None:
        with pytest.raises(HouseholdError):
            estimate_support(params, household_size=2, is_urban=True, year=2023, hired_members=3)

    def test_unknown_version_and_version_outside_its_years(self, params: SupportParameters) -> None:
        with pytest.raises(UnknownProgrammeVersionError):
            estimate_support(
                params, household_size=2, is_urban=True, year=2023, programme_version="nurly_kosh"
            )
        with pytest.raises(UnknownProgrammeVersionError):
            estimate_support(
                params,
                household_size=2,
                is_urban=True,
                year=2023,
                programme_version="enbek_2017_2021",
            )

    def test_errors_share_a_value_error_base(self) -> None:
        for cls in (HouseholdError, MciNotFoundError, UnknownProgrammeVersionError):
            assert issubclass(cls, SupportError) and issubclass(cls, ValueError)

    def test_vectorized_rejects_empty_households(self, params: SupportParameters) -> None:
        with pytest.raises(HouseholdError):
            relocation_and_rent_tenge(params, np.array([2, 0]), np.array([True, True]), 2023)


class TestProperties:
    @given(
        size=st.integers(1, 12),
        urban=st.booleans(),
        year=YEARS,
        hired=st.integers(0, 12),
        housing=st.booleans(),
        permanent=st.booleans(),
        price=st.one_of(st.none(), st.integers(0, 60_000_000)),
    )
    def test_lines_sum_to_non_negative_totals(
        self,
        size: int,
        urban: bool,
        year: int,
        hired: int,
        housing: bool,
        permanent: bool,
        price: int | None,
    ) -> None:
        pkg = estimate_support(
            PARAMS,
            household_size=size,
            is_urban=urban,
            year=year,
            hired_members=min(hired, size),
            employer_provides_housing=housing,
            employment_permanent=permanent,
            home_price_tenge=price,
        )
        assert all(line.tenge >= 0 for line in pkg.lines)
        household = sum(ln.tenge for ln in pkg.lines if ln.paid_to == "household")
        employer = sum(ln.tenge for ln in pkg.lines if ln.paid_to == "employer")
        assert (household, employer) == (pkg.total_household_tenge, pkg.total_employer_tenge)
        for line in pkg.lines:
            if line.mci is not None:
                assert line.tenge == mci_tenge(line.mci, pkg.mci_tenge)
        assert len({line.code for line in pkg.lines}) == len(pkg.lines)

    @given(size=st.integers(1, 11), urban=st.booleans(), year=YEARS)
    def test_monotone_in_household_size(self, size: int, urban: bool, year: int) -> None:
        smaller = estimate_support(PARAMS, household_size=size, is_urban=urban, year=year)
        larger = estimate_support(PARAMS, household_size=size + 1, is_urban=urban, year=year)
        assert larger.total_household_tenge > smaller.total_household_tenge
        for code in ("relocation_subsidy", "rent_subsidy"):
            assert _tenge(larger, code) >= _tenge(smaller, code)

    @given(size=st.integers(1, 12), year=YEARS)
    def test_urban_rent_at_least_rural(self, size: int, year: int) -> None:
        urban = estimate_support(PARAMS, household_size=size, is_urban=True, year=year)
        rural = estimate_support(PARAMS, household_size=size, is_urban=False, year=year)
        assert _tenge(urban, "rent_subsidy") > _tenge(rural, "rent_subsidy")

    @given(
        sizes=st.lists(st.integers(1, 10), min_size=1, max_size=40),
        data=st.data(),
        year=YEARS,
    )
    def test_vectorized_equals_itemized(
        self, sizes: list[int], data: st.DataObject, year: int
    ) -> None:
        urban = data.draw(st.lists(st.booleans(), min_size=len(sizes), max_size=len(sizes)))
        got = relocation_and_rent_tenge(PARAMS, np.array(sizes), np.array(urban), year)
        expected = []
        for size, is_urban in zip(sizes, urban, strict=True):
            pkg = estimate_support(PARAMS, household_size=size, is_urban=is_urban, year=year)
            expected.append(_tenge(pkg, "relocation_subsidy") + _tenge(pkg, "rent_subsidy"))
        assert got.dtype == np.int64
        assert got.tolist() == expected

    def test_vectorized_broadcasts_and_keeps_shape(self) -> None:
        sizes = np.array([[1, 2], [3, 4]])
        got = relocation_and_rent_tenge(PARAMS, sizes, True, 2024)
        assert got.shape == (2, 2)
        assert (np.diff(got.ravel()) > 0).all()
        empty = relocation_and_rent_tenge(PARAMS, np.array([], dtype=int), np.array([]), 2024)
        assert empty.shape == (0,)
