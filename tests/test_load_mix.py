"""The load benchmark's request mix (bench/load/mix.py): shares, roles and a saved plan."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from bench.load.mix import MIX, Plan, next_request


def _plan() -> Plan:
    households = [(i, "61" if i % 2 else "51") for i in range(1, 101)]
    return Plan(households, {"61": "c61", "51": "c51"}, "planner", "run-1")


def test_shares_add_up_and_match_the_brief() -> None:
    shares = dict(MIX)
    assert abs(sum(shares.values()) - 1.0) < 1e-9
    matching = shares["GET /households/{id}/matches"] + shares["GET /households/{id}/localities"]
    centre = sum(
        v
        for k, v in shares.items()
        if k.startswith(("GET /households/{id}", "GET /households?", "PATCH"))
    )
    assert abs(matching - 0.70) < 1e-9
    assert abs(centre - matching - 0.20) < 1e-9


def test_requests_follow_the_mix_with_the_right_tokens() -> None:
    plan = _plan()
    rng = random.Random(5)
    drawn = [next_request(rng, plan) for _ in range(20_000)]
    counts = Counter(r.name for r in drawn)
    for name, share in MIX:
        assert abs(counts[name] / len(drawn) - share) < 0.015, name
    region = dict(plan.households)
    for r in drawn:
        if r.name == "GET /allocation-runs/{id}":
            assert (r.token, r.path) == ("planner", "/allocation-runs/run-1")
        elif r.path.startswith("/households/"):
            household = int(r.path.split("/")[2].split("?")[0])
            # A centre acts on the households of its own region only.
            assert r.token == plan.centre_tokens[region[household]]
        if r.method == "PATCH":
            assert r.body is not None and len(r.body["phone"]) == 12


def test_plan_round_trips_through_its_file(tmp_path: Path) -> None:
    plan = _plan()
    plan.save(tmp_path / "plan.json")
    assert Plan.load(tmp_path / "plan.json") == plan
