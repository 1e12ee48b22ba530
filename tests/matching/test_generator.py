from __future__ import annotations

from functools import lru_cache

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.iin import is_valid_iin, parse_iin
from matching.programme.geography import load_reference
from matching.synthetic.programme import Programme, generate_programme, programme_summary


@lru_cache(maxsize=1)
def reference():  # type: ignore[no-untyped-def]
    return load_reference()


@lru_cache(maxsize=1)
def big() -> Programme:
    return generate_programme(6000, seed=11, reference=reference())


def frames(p: Programme) -> list[pl.DataFrame]:
    return [p.households, p.members, p.experience, p.employers, p.vacancies, p.homes,
            p.localities, p.network]  # fmt: skip


class TestDeterminism:
    def test_same_seed_same_programme(self) -> None:
        a = generate_programme(200, 300, seed=5, reference=reference())
        b = generate_programme(200, 300, seed=5, reference=reference())
        for x, y in zip(frames(a), frames(b), strict=True):
            assert x.equals(y)

    def test_other_seed_other_programme(self) -> None:
        a = generate_programme(200, 300, seed=5, reference=reference())
        b = generate_programme(200, 300, seed=6, reference=reference())
        assert not a.households.equals(b.households)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 120), st.integers(0, 200), st.integers(0, 10_000))
def test_sizes_as_asked_and_iins_valid(n_households: int, n_vacancies: int, seed: int) -> None:
    p = generate_programme(n_households, n_vacancies, seed=seed, reference=reference())
    assert p.households.height == n_households
    assert p.vacancies.height == n_vacancies
    assert p.households["household_id"].n_unique() == n_households
    assert all(is_valid_iin(i) for i in p.households["iin"].to_list())
    applicants = p.members.filter(pl.col("relation") == "applicant")
    assert applicants.height == n_households
    assert set(p.members["household_id"].to_list()) == set(p.households["household_id"].to_list())


class TestCalibration:
    """Generated figures against the evidence (docs/synthetic_programme.md)."""

    def test_headline_figures(self) -> None:
        s = programme_summary(big())
        assert 3.5 <= s["mean_size"] <= 3.9  # T10/T11: 3.4–3.9
        assert 0.70 <= s["share_with_children"] <= 0.82  # 76 % have children
        assert 0.40 <= s["children_share_of_persons"] <= 0.50  # 0.43–0.48
        assert s["qualified_vacancy_share"] == pytest.approx(0.5, abs=0.03)  # §3.3.1
        assert s["applicant_female_share"] == pytest.approx(0.483, abs=0.03)
        assert s["higher_education_adults"] == pytest.approx(0.45, abs=0.05)

    def test_corridors_show_in_preferences(self) -> None:
        hh = big().households.filter(pl.col("origin_region") == "61")
        stated = hh.filter(pl.col("pref_regions").list.len() > 0)
        assert stated.height > 0
        assert stated["pref_regions"].list.contains("39").all()

    def test_turkestan_is_the_largest_origin(self) -> None:
        counts = big().households.group_by("origin_region").len().sort("len", descending=True)
        assert counts["origin_region"][0] == "61"

    def test_destinations_are_programme_destinations(self) -> None:
        destinations = {
            r.code for r in reference().regions_with_role("strong_regions_2022", "destination")
        }
        p = big()
        assert set(p.localities["region_code"].to_list()) <= destinations
        locs = set(p.localities["locality_id"].to_list())
        assert set(p.vacancies["locality_id"].to_list()) <= locs
        assert set(p.homes["locality_id"].to_list()) <= locs

    def test_accommodation_beds_only_in_regional_centres(self) -> None:
        loc = big().localities
        assert (
            loc.filter(pl.col("accommodation_beds") > 0)["settlement_type"] == "regional_centre"
        ).all()

    def test_contention_shrinks_capacity(self) -> None:
        loose = generate_programme(1000, seed=2, reference=reference(), contention=0.5)
        tight = generate_programme(1000, seed=2, reference=reference(), contention=2.0)
        assert tight.homes.height < loose.homes.height


def test_domain_objects_validate_and_agree_with_frames() -> None:
    p = big()
    households = p.household_objects(limit=300)
    assert len(households) == 300
    for h, row in zip(households, p.households.head(300).iter_rows(named=True), strict=True):
        assert h.household_id == row["household_id"]
        assert parse_iin(h.iin).sex == h.applicant.sex
    assert len(p.vacancy_objects()) == p.vacancies.height
    assert len(p.home_objects()) == p.homes.height
    assert len(p.locality_objects()) == p.localities.height
