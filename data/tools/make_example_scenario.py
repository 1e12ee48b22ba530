"""Write the example scenario folder data/examples/scenario/ (read by ``qonys allocate DIR``).

Households, members, experience, vacancies, homes and locality capacities come from
``matching.generator.generate_programme`` with a fixed seed, so running the script twice gives
the same files. The quotas are illustrative, sized to bind on a batch this small (they are
estimates, not the published regional split in data/quotas.csv). One household is locked to
the locality of its best option and one is banned from the locality of its best option, to
show the two files' formats.

Usage: .venv/bin/python data/tools/make_example_scenario.py  (the project must be installed)
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from matching.generator import generate_programme
from matching.ranking import MatchIndex

OUT = Path(__file__).resolve().parents[1] / "examples" / "scenario"
SEED = 11
YEAR = 2025
HOUSEHOLDS = 120


def main() -> None:
    programme = generate_programme(HOUSEHOLDS, seed=SEED, year=YEAR)
    OUT.mkdir(parents=True, exist_ok=True)
    households = programme.households.with_columns(
        pl.col(c).list.join(";") for c in ("pref_regions", "pref_settlement_types")
    )
    households.write_csv(OUT / "households.csv")
    programme.members.write_csv(OUT / "members.csv")
    programme.experience.write_csv(OUT / "experience.csv")
    programme.vacancies.write_csv(OUT / "vacancies.csv")
    programme.homes.with_columns(units=pl.lit(1)).write_csv(OUT / "homes.csv")
    used = set(programme.vacancies["locality_id"]) | set(programme.homes["locality_id"])
    programme.localities.filter(pl.col("locality_id").is_in(sorted(used))).select(
        "locality_id", "kindergarten_seats", "school_seats", "accommodation_beds"
    ).sort("locality_id").write_csv(OUT / "capacities.csv")
    regions = sorted(programme.localities["region_code"].unique().to_list())
    pl.DataFrame(
        {
            "year": [YEAR] * 2 * len(regions),
            "region_code": [r for r in regions for _ in (0, 1)],
            "category": ["resettler", "kandas"] * len(regions),
            "persons": [30, 8] * len(regions),
            "families": [10, 3] * len(regions),
        }
    ).write_csv(OUT / "quotas.csv")
    programme.network.write_csv(OUT / "network.csv")
    options = MatchIndex.from_programme(programme).options_for_households(top_per_household=3)
    best = options.sort("score", descending=True).unique("household_id", keep="first")
    best = best.sort("household_id")
    best.head(1).select("household_id", "locality_id").write_csv(OUT / "locks.csv")
    best.slice(1, 1).select("household_id", "locality_id").write_csv(OUT / "bans.csv")
    print(f"written {OUT}: {programme.households.height} households, {options.height} options")


if __name__ == "__main__":
    main()
