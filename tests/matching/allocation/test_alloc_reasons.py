"""Reasons that say why, on hand-made batches: conflicts of infeasible runs (self-contradicting
locks, independent sets), zero-capacity rows, households without a feasible option, and the
summary's split of the unplaced households."""

from __future__ import annotations

import polars as pl

from matching.allocation import AllocationConfig, allocate, build_instance
from matching.allocation import reasons as R

CFG = AllocationConfig(deterministic=True, time_limit=5, baselines=False)


def option(hh: str, opt: str, home: str, *, locality: str = "L1", region: str = "59",
           children: int = 0, score: float = 0.8) -> dict[str, object]:
    return {
        "household_id": hh, "option_id": opt, "locality_id": locality, "region_code": region,
        "home_id": home, "vacancy_id": None, "second_vacancy_id": None, "score": score,
        "persons": 2 + children, "children_0_5": children, "children_6_17": 0,
    }  # fmt: skip


def batch(
    options: list[dict[str, object]],
    homes: dict[str, int],
    *,
    households: list[str] | None = None,
    locks: list[tuple[str, str]] = (),  # type: ignore[assignment]
    refused: dict[str, list[str]] | None = None,
    seats: int | None = None,
):  # type: ignore[no-untyped-def]
    ids = households or sorted({str(o["household_id"]) for o in options})
    refused = refused or {}
    hh = pl.DataFrame(
        {"household_id": ids, "refused_regions": [refused.get(h, []) for h in ids]},
        schema={"household_id": pl.Utf8, "refused_regions": pl.List(pl.Utf8)},
    )
    opts = pl.DataFrame(
        options, schema_overrides={"vacancy_id": pl.Utf8, "second_vacancy_id": pl.Utf8}
    )
    localities = pl.DataFrame(
        {"locality_id": ["L1", "L2"], "region_code": ["59", "11"], "settlement_type": ["rural", "urban"]}
    )
    if seats is not None:
        localities = localities.with_columns(kindergarten_seats=pl.lit(seats, dtype=pl.Int64))
    lock_frame = (
        pl.DataFrame({"household_id": [h for h, _ in locks], "option_id": [o for _, o in locks]})
        if locks
        else None
    )
    return build_instance(
        hh, opts, localities=localities,
        homes=pl.DataFrame({"home_id": list(homes), "units": list(homes.values())}),
        locks=lock_frame,
    )  # fmt: skip


def test_an_infeasible_run_returns_the_conflict_and_no_placed_others_reasons() -> None:
    inst = batch(
        [option("A", "a1", "H1"), option("B", "b1", "H1"), option("C", "c1", "H2", locality="L2", region="11")],
        {"H1": 1, "H2": 5},
        households=["A", "B", "C", "D"],  # D has no option at all
        locks=[("A", "a1"), ("B", "b1")],
    )
    res = allocate(inst, CFG)
    assert res.status == "infeasible" and res.conflict is not None
    assert len(res.conflict.sets) == 1
    assert {(m.kind, m.key) for m in res.conflict.sets[0]} == {(R.LOCK, "A"), (R.LOCK, "B"), (R.HOME, "H1")}
    # C could have been placed by some allocation; no allocation exists, so C gets no reason.
    # D's reason holds whatever the solve: it had no option.
    assert res.unplaced["household_id"].to_list() == ["D"]
    assert res.unplaced["category"].to_list() == [R.NO_FEASIBLE_OPTION]
    assert not res.unplaced["reason"].is_in([R.OBJECTIVE_TRADEOFF, R.HOME]).any()


def test_a_lock_onto_a_refused_region_says_so() -> None:
    inst = batch(
        [option("A", "a1", "H1"), option("B", "b1", "H1")],
        {"H1": 3},
        locks=[("A", "a1")],
        refused={"A": ["59"]},
    )
    res = allocate(inst, CFG)
    assert res.status == "infeasible" and res.conflict is not None
    (member,) = res.conflict.members
    assert (member.kind, member.key, member.cause) == (R.LOCK, "A", R.REFUSED_REGION)
    assert "region 59" in member.text.en and "refused" in member.text.en
    assert "59" in member.text.kk and "59" in member.text.ru


def test_a_lock_that_needs_more_seats_than_exist_is_a_set_of_its_own() -> None:
    inst = batch(
        [option("A", "a1", "H1", children=3), option("B", "b1", "H1")],
        {"H1": 3},
        locks=[("A", "a1")],
        seats=2,
    )
    res = allocate(inst, CFG)
    assert res.status == "infeasible" and res.conflict is not None
    (member,) = res.conflict.members
    assert member.cause == R.LOCK_CANNOT_FIT
    assert (member.resource_kind, member.resource_key) == (R.KINDERGARTEN, "L1")
    assert "3 kindergarten seats" in member.text.en and "2 in all" in member.text.en


def test_two_independent_conflicts_are_two_minimal_sets() -> None:
    inst = batch(
        [
            option("A", "a1", "H1"), option("B", "b1", "H1"),
            option("C", "c1", "H2", locality="L2", region="11"),
            option("D", "d1", "H2", locality="L2", region="11"),
        ],
        {"H1": 1, "H2": 1},
        locks=[("A", "a1"), ("B", "b1"), ("C", "c1"), ("D", "d1")],
    )  # fmt: skip
    res = allocate(inst, CFG)
    assert res.status == "infeasible" and res.conflict is not None
    sets = sorted(sorted((m.kind, m.key) for m in s) for s in res.conflict.sets)
    assert sets == [
        [(R.HOME, "H1"), (R.LOCK, "A"), (R.LOCK, "B")],
        [(R.HOME, "H2"), (R.LOCK, "C"), (R.LOCK, "D")],
    ]
    assert res.conflict.minimal


def test_a_zero_capacity_home_is_named_as_such() -> None:
    inst = batch([option("A", "a1", "H0"), option("B", "b1", "H1")], {"H0": 0, "H1": 1})
    res = allocate(inst, CFG)
    row = res.unplaced.row(0, named=True)
    assert row["household_id"] == "A"
    assert (row["category"], row["reason"]) == (R.NO_FEASIBLE_OPTION, R.ZERO_CAPACITY)
    assert (row["resource_kind"], row["resource_key"]) == (R.HOME, "H0")
    assert "0 units" in row["text_en"] and "no suitable home left" not in row["text_en"]
    assert res.unplaced_split[R.NO_FEASIBLE_OPTION]["first_rule"] == {"zero_capacity:home": 1}


def test_households_without_a_feasible_option_lost_ones_and_refusals_are_split() -> None:
    inst = batch(
        [
            option("A", "a1", "H1", children=3),  # needs 3 seats, the locality has 2
            option("B", "b1", "H1", score=0.9), option("C", "c1", "H1", score=0.5),
            option("E", "e1", "H1"),
        ],
        {"H1": 1},
        households=["A", "B", "C", "D", "E"],  # D: no option from the scorer
        refused={"E": ["59"]},
        seats=2,
    )  # fmt: skip
    res = allocate(inst, CFG)
    assert res.placements["household_id"].to_list() == ["B"]
    by_hh = {r["household_id"]: r for r in res.unplaced.iter_rows(named=True)}
    assert by_hh["A"]["category"] == R.NO_FEASIBLE_OPTION
    assert by_hh["A"]["reason"] == R.EXCEEDS_CAPACITY and by_hh["A"]["resource_kind"] == R.KINDERGARTEN
    assert by_hh["D"]["category"] == R.NO_FEASIBLE_OPTION and by_hh["D"]["reason"] == R.NO_OPTIONS
    assert by_hh["C"]["category"] == R.LOST_TO_OTHERS and by_hh["C"]["resource_key"] == "H1"
    assert by_hh["E"]["category"] == R.REFUSED
    split = res.unplaced_split
    assert split[R.NO_FEASIBLE_OPTION]["households"] == 2
    assert split[R.NO_FEASIBLE_OPTION]["first_rule"] == {"exceeds_capacity:kindergarten": 1, R.NO_OPTIONS: 1}
    assert split[R.LOST_TO_OTHERS]["households"] == 1
    assert [(r["kind"], r["key"], r["households"]) for r in split[R.LOST_TO_OTHERS]["rows"]] == [(R.HOME, "H1", 1)]
    assert split[R.REFUSED]["households"] == 1
    for entry in split.values():
        assert all(entry["text"][lang] for lang in ("kk", "ru", "en"))
