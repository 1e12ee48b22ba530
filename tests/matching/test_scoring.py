from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.domain import (
    Experience,
    HealthNeeds,
    Home,
    Household,
    LocalityCapacity,
    Member,
    Option,
    Preferences,
    Vacancy,
)
from matching.iin import make_iins
from matching.scoring import COMPONENTS, GATES, HouseholdFrame, Scorer, ScoringConfig
from matching.synthetic.programme import Programme, generate_programme


def prefix_similarity(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Small test similarity: shared leading ISCO digits / 4."""
    out = np.zeros((len(a), len(b)))
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            k = 0
            while k < 4 and x[k] == y[k]:
                k += 1
            out[i, j] = k / 4
    return out


def an_iin(sex: str) -> str:
    return make_iins(
        np.array(["1987-03-03"], dtype="datetime64[D]"), np.array([sex == "M"]), np.array([11])
    )[0]


def make_household(**overrides: Any) -> Household:
    fields: dict[str, Any] = {
        "household_id": "h1",
        "iin": an_iin("F"),
        "members": (
            Member("applicant", 36, "F", "married", "higher", (Experience("2341", 9),)),
            Member("child", 3, "M", employment_status="child"),
            Member("child", 8, "F", employment_status="child"),
        ),
        "origin_region": "61",
        "origin_settlement": "city",
        "origin_heating": "gas",
        "origin_wage_tenge": 200_000,
    }
    fields.update(overrides)
    return Household(**fields)


def make_locality(lid: str, settlement: str = "city", **overrides: Any) -> LocalityCapacity:
    fields: dict[str, Any] = {
        "locality_id": lid,
        "region_code": "59",
        "settlement_type": settlement,
        "is_urban": settlement in ("regional_centre", "city"),
        "kindergarten_seats": 20,
        "school_seats": 50,
        "clinic": True,
        "hospital_km": 5.0,
        "heating": "central",
        "piped_water": True,
        "bus_link": True,
        "land_plots": 3,
    }
    fields.update(overrides)
    return LocalityCapacity(**fields)


def make_home(hid: str, lid: str, **overrides: Any) -> Home:
    fields: dict[str, Any] = {
        "home_id": hid, "locality_id": lid, "kind": "rental", "rooms": 2, "capacity": 4,
        "rent_tenge": 90_000, "condition": 4,
    }  # fmt: skip
    fields.update(overrides)
    return Home(**fields)


def make_vacancy(vid: str, lid: str, occupation: str = "2341", **overrides: Any) -> Vacancy:
    fields: dict[str, Any] = {
        "vacancy_id": vid, "employer_id": "e", "locality_id": lid, "occupation": occupation,
        "wage_tenge": 220_000, "required_education": "vocational",
    }  # fmt: skip
    fields.update(overrides)
    return Vacancy(**fields)


def make_scorer(
    vacancies: Sequence[Vacancy], homes: Sequence[Home], localities: Sequence[LocalityCapacity],
    network: dict[tuple[str, str], int] | None = None, config: ScoringConfig | None = None,
) -> Scorer:  # fmt: skip
    return Scorer.from_objects(
        vacancies, homes, localities, config=config or ScoringConfig(),
        similarity=prefix_similarity, network=network,
    )  # fmt: skip


class TestEvidenceOrderings:
    def test_teacher_fits_teacher_vacancy_better_than_welder_vacancy(self) -> None:
        loc = make_locality("L")
        s = make_scorer([make_vacancy("T", "L", "2341"), make_vacancy("W", "L", "7212")],
                        [make_home("D", "L")], [loc])  # fmt: skip
        h = make_household()
        teacher = s.score(h, Option("L", "D", "T"))
        welder = s.score(h, Option("L", "D", "W"))
        assert teacher.feasible
        assert teacher.total > welder.total
        assert teacher.component("occupation").value > welder.component("occupation").value
        assert not welder.gate("qualified_member").passed

    def test_city_to_village_without_kindergarten_scores_below_city_with_kindergarten(self) -> None:
        city = make_locality("C", "city")
        village = make_locality("V", "village", kindergarten_seats=0, heating="stove",
                                piped_water=False, bus_link=False)  # fmt: skip
        s = make_scorer(
            [make_vacancy("vc", "C"), make_vacancy("vv", "V")],
            [make_home("dc", "C"), make_home("dv", "V", heating="stove", piped_water=False)],
            [city, village],
        )
        h = make_household()
        to_city = s.score(h, Option("C", "dc", "vc"))
        to_village = s.score(h, Option("V", "dv", "vv"))
        assert to_city.feasible and to_village.feasible
        assert to_village.total < to_city.total
        assert to_village.component("settlement").value < to_city.component("settlement").value
        assert (
            to_village.component("family_services").value
            < to_city.component("family_services").value
        )
        assert to_village.component("climate").value < to_city.component("climate").value

    def test_small_town_to_district_centre_is_the_easiest_change(self) -> None:
        locs = [make_locality(t, t) for t in ("regional_centre", "district_centre", "village")]
        s = make_scorer([make_vacancy(f"v{t.locality_id}", t.locality_id) for t in locs],
                        [make_home(f"d{t.locality_id}", t.locality_id) for t in locs], locs)  # fmt: skip
        h = make_household(origin_settlement="city")
        values = {
            t.locality_id: s.score(
                h, Option(t.locality_id, f"d{t.locality_id}", f"v{t.locality_id}")
            )
            .component("settlement")
            .value
            for t in locs
        }
        assert values["district_centre"] >= values["regional_centre"] > values["village"]

    def test_earlier_movers_from_the_same_origin_raise_the_score(self) -> None:
        loc = make_locality("L")
        args = ([make_vacancy("v", "L")], [make_home("d", "L")], [loc])
        h = make_household()
        lonely = make_scorer(*args).score(h, Option("L", "d", "v"))
        networked = make_scorer(*args, network={("61", "L"): 12}).score(h, Option("L", "d", "v"))
        other_origin = make_scorer(*args, network={("19", "L"): 12}).score(h, Option("L", "d", "v"))
        assert networked.total > lonely.total
        assert other_origin.total == lonely.total

    def test_a_job_for_the_spouse_raises_the_score(self) -> None:
        h = make_household(
            iin=an_iin("M"),
            members=(
                Member("applicant", 36, "M", "married", "vocational", (Experience("7212", 9),)),
                Member("spouse", 34, "F", "married", "higher", (Experience("2341", 7),)),
            ),
        )
        s = make_scorer([make_vacancy("w", "L", "7212"), make_vacancy("t", "L", "2341")],
                        [make_home("d", "L")], [make_locality("L")])  # fmt: skip
        one = s.score(h, Option("L", "d", "w"))
        two = s.score(h, Option("L", "d", "w", "t"))
        assert one.feasible and two.feasible
        assert two.total > one.total
        assert two.component("second_earner").value > one.component("second_earner").value

    def test_stated_region_preference_counts(self) -> None:
        locs = [make_locality("N", region_code="59"), make_locality("K", region_code="39")]
        s = make_scorer([make_vacancy("vn", "N"), make_vacancy("vk", "K")],
                        [make_home("dn", "N"), make_home("dk", "K")], locs)  # fmt: skip
        h = make_household(preferences=Preferences(regions=("39",)))
        assert s.score(h, Option("K", "dk", "vk")).total > s.score(h, Option("N", "dn", "vn")).total

    def test_cheaper_rent_scores_higher(self) -> None:
        s = make_scorer([make_vacancy("v", "L")],
                        [make_home("cheap", "L", rent_tenge=60_000), make_home("dear", "L", rent_tenge=250_000)],
                        [make_locality("L")])  # fmt: skip
        h = make_household()
        assert (
            s.score(h, Option("L", "cheap", "v")).total > s.score(h, Option("L", "dear", "v")).total
        )


class TestGates:
    def setup_method(self) -> None:
        self.locs = [make_locality("A"), make_locality("B"),
                     make_locality("S", region_code="61")]  # fmt: skip
        self.scorer = make_scorer(
            [make_vacancy("va", "A"), make_vacancy("vb", "B"), make_vacancy("vs", "S"),
             make_vacancy("unskilled", "A", "9412", qualified=False)],
            [make_home("da", "A"), make_home("db", "B"), make_home("tiny", "A", capacity=2),
             make_home("ds", "S")],
            self.locs,
        )  # fmt: skip

    def failed(self, h: Household, option: Option) -> set[str]:
        result = self.scorer.score(h, option)
        assert result.feasible is (not [g for g in result.gates if not g.passed])
        if not result.feasible:
            assert result.total == 0.0
        return {g.name for g in result.gates if not g.passed}

    def test_feasible_option(self) -> None:
        assert self.failed(make_household(), Option("A", "da", "va")) == set()

    def test_household_is_never_split(self) -> None:
        assert "household_intact" in self.failed(make_household(), Option("A", "db", "va"))
        assert "household_intact" in self.failed(make_household(), Option("A", "da", "vb"))

    def test_home_must_fit_everyone(self) -> None:
        assert "home_fits" in self.failed(make_household(), Option("A", "tiny", "va"))

    def test_unskilled_vacancy_does_not_qualify(self) -> None:
        assert "qualified_member" in self.failed(make_household(), Option("A", "da", "unskilled"))

    def test_eligibility(self) -> None:
        assert "eligibility" in self.failed(
            make_household(years_in_origin=0.5), Option("A", "da", "va")
        )
        assert "eligibility" in self.failed(
            make_household(origin_region="59"), Option("A", "da", "va")
        )
        assert "eligibility" in self.failed(make_household(citizen=False), Option("A", "da", "va"))
        kandas = make_household(category="kandas", citizen=False, years_in_origin=0.0)
        assert "eligibility" not in self.failed(kandas, Option("A", "da", "va"))

    def test_destination_must_be_a_programme_destination(self) -> None:
        assert "destination" in self.failed(make_household(), Option("S", "ds", "vs"))

    def test_accessible_home_needed(self) -> None:
        h = make_household(members=(
            Member("applicant", 36, "F", "married", "higher", (Experience("2341", 9),),
                   health=HealthNeeds(accessible_home=True)),
        ))  # fmt: skip
        assert "home_fits" in self.failed(h, Option("A", "da", "va"))

    def test_documents(self) -> None:
        assert "documents" in self.failed(
            make_household(documents_complete=False), Option("A", "da", "va")
        )

    def test_every_result_is_fully_explained(self) -> None:
        r = self.scorer.score(make_household(), Option("A", "da", "va"))
        assert [g.name for g in r.gates] == list(GATES)
        assert [c.name for c in r.components] == list(COMPONENTS)
        for item in [*r.gates, *r.components]:
            assert item.reason.kk and item.reason.ru and item.reason.en
            assert item.reason.kk != item.reason.en


class TestWeights:
    def test_a_zero_weight_removes_a_component(self) -> None:
        args = ([make_vacancy("v", "L")], [make_home("d", "L")], [make_locality("L")])
        h = make_household()
        base = make_scorer(*args).score(h, Option("L", "d", "v"))
        cfg = ScoringConfig().with_weights(network=0.0)
        no_net = make_scorer(*args, config=cfg).score(h, Option("L", "d", "v"))
        assert no_net.component("network").weight == 0.0
        # Network is 0 here (no movers), so removing it can only raise the mean.
        assert no_net.total > base.total

    def test_family_services_do_not_apply_without_children(self) -> None:
        h = make_household(
            members=(Member("applicant", 36, "F", "married", "higher", (Experience("2341", 9),)),)
        )
        s = make_scorer([make_vacancy("v", "L")], [make_home("d", "L")],
                        [make_locality("L", kindergarten_seats=0, school_seats=0)])  # fmt: skip
        assert s.score(h, Option("L", "d", "v")).component("family_services").weight == 0.0


# ---------------------------------------------------------------- vectorized == explained


@lru_cache(maxsize=1)
def programme() -> Programme:
    return generate_programme(300, 600, seed=7)


@lru_cache(maxsize=1)
def programme_scorer() -> tuple[Scorer, HouseholdFrame, list[Household]]:
    p = programme()
    households = p.household_objects()
    scorer = make_scorer(p.vacancy_objects(), p.home_objects(), p.locality_objects(),
                         network=p.network_counts())  # fmt: skip
    return scorer, scorer.household_frame(households), households


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1))
def test_vectorized_scores_equal_explained_scores(seed: int) -> None:
    scorer, hf, households = programme_scorer()
    p = programme()
    rng = np.random.default_rng(seed)
    n = 30
    vac = p.vacancies.sample(n, seed=seed, with_replacement=True)
    # Homes from the vacancy's locality half of the time, anywhere otherwise.
    homes = p.homes.sample(n, seed=seed + 1, with_replacement=True)["home_id"].to_list()
    by_loc = p.homes.group_by("locality_id").agg(pl.col("home_id").first())
    local = dict(zip(by_loc["locality_id"].to_list(), by_loc["home_id"].to_list(), strict=True))
    home_ids = [local.get(lo, h) if rng.random() < 0.5 else h
                for lo, h in zip(vac["locality_id"].to_list(), homes, strict=True)]  # fmt: skip
    seconds = p.vacancies.sample(n, seed=seed + 2, with_replacement=True)["vacancy_id"].to_list()
    second_ids = [s if rng.random() < 0.4 else None for s in seconds]
    picked = rng.integers(0, len(households), n)
    options = pl.DataFrame(
        {
            "household_id": [households[i].household_id for i in picked],
            "locality_id": vac["locality_id"],
            "home_id": home_ids,
            "vacancy_id": vac["vacancy_id"],
            "second_vacancy_id": second_ids,
        },
        schema=dict.fromkeys(
            ("household_id", "locality_id", "home_id", "vacancy_id", "second_vacancy_id"), pl.Utf8
        ),
    )
    scored = scorer.score_options(hf, options, components=True)
    assert scored["score"].is_between(0.0, 1.0).all()
    for k, row in enumerate(scored.iter_rows(named=True)):
        result = scorer.score(
            households[picked[k]],
            Option(row["locality_id"], row["home_id"], row["vacancy_id"], row["second_vacancy_id"]),
        )
        assert abs(result.total - row["score"]) < 1e-12
        assert result.feasible == row["feasible"]
        for c in result.components:
            assert abs(c.value - row[f"c_{c.name}"]) < 1e-12


@settings(max_examples=40, deadline=None)
@given(
    st.integers(18, 62),
    st.sampled_from(["none", "secondary", "vocational", "higher"]),
    st.floats(0, 40),
    st.integers(0, 5),
    st.sampled_from(
        ["large_city", "regional_centre", "city", "district_centre", "township", "village"]
    ),
    st.sampled_from(["regional_centre", "city", "district_centre", "township", "village"]),
    st.integers(1, 6),
    st.floats(0, 400_000),
    st.integers(1, 5),
    st.sampled_from(
        ["rental", "employer_flat", "built_for_migrants", "for_sale", "accommodation_bed"]
    ),
    st.sampled_from(["2341", "2342", "7212", "9412"]),
)
def test_scores_are_bounded_and_gates_respected(
    age: int, edu: str, years: float, kids: int, origin: str, dest: str, capacity: int,
    rent: float, condition: int, kind: str, occupation: str,
) -> None:  # fmt: skip
    members = [Member("applicant", age, "F", "divorced", edu, (Experience("2341", years),))]  # type: ignore[arg-type]
    members += [Member("child", k % 18, "M", employment_status="child") for k in range(kids)]
    h = make_household(members=tuple(members), origin_settlement=origin)
    loc = make_locality("L", dest)
    s = make_scorer(
        [make_vacancy("v", "L", occupation, qualified=occupation != "9412")],
        [make_home("d", "L", kind=kind, capacity=capacity, rent_tenge=rent, condition=condition,
                   price_tenge=rent * 60)],
        [loc],
    )  # fmt: skip
    r = s.score(h, Option("L", "d", "v"))
    assert 0.0 <= r.total <= 1.0
    assert all(0.0 <= c.value <= 1.0 and c.weight >= 0.0 for c in r.components)
    assert r.feasible == all(g.passed for g in r.gates)
    if not r.feasible:
        assert r.total == 0.0
    if capacity < h.persons or kind == "accommodation_bed":
        assert not r.gate("home_fits").passed
