"""Write the example scenario folder data/examples/scenario/ (read by ``qonys allocate DIR``).

The programme tables are a generated programme (``matching.synthetic.programme.generate_programme``
through ``api.reference.demo.load_demo``, fixed seed) exported in the bulk-import columns by
``api.imports.exports.export_frame``, so running the script twice gives the same files. The quotas
are illustrative, sized to bind on a batch this small (estimates, not the published regional
split in data/quotas.csv). One household is locked to the locality of its best option and one
is banned from the locality of its best option, to show the formats of the two files.

Usage: .venv/bin/python data/tools/make_example_scenario.py  (the project must be installed)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from api.reference.demo import load_demo
from api.reference.seed import seed_reference
from sqlalchemy import select

from api.allocation.service import build_batch
from api.core.db import make_engine, make_sessionmaker, session_scope
from api.core.migrate import upgrade
from api.imports.exports import export_frame
from api.models import HouseholdRecord, MoverNetworkRecord
from matching.programme.geography import load_reference
from taxonomy import default_taxonomy

DATA = Path(__file__).resolve().parents[1]
OUT = DATA / "examples" / "scenario"
SEED = 11
YEAR = 2025
HOUSEHOLDS = 120
DESTINATIONS = ("10", "11", "35", "39", "55", "59", "62", "63")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    reference = load_reference(DATA)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'example.db'}"
        upgrade(url)
        engine = make_engine(url, pool_size=1)
        with session_scope(make_sessionmaker(engine)) as session:
            seed_reference(session, DATA)
            load_demo(
                session, reference, default_taxonomy(), households=HOUSEHOLDS, seed=SEED,
                with_tokens=False,
            )  # fmt: skip
            for kind in ("employers", "vacancies", "homes", "capacities"):
                export_frame(session, kind).write_csv(OUT / f"{kind}.csv")
            # The demo dates the applications in its programme year but the birth dates of
            # members without an IIN from today, so a baby can look born after the
            # application; the import rightly rejects that, so such births move back.
            households = export_frame(session, "households").with_columns(
                pl.min_horizontal(
                    pl.col("birth_date").cast(pl.Date), pl.col("application_date").cast(pl.Date)
                ).alias("birth_date")
            )
            households.write_csv(OUT / "households.csv")
            network = session.execute(
                select(
                    MoverNetworkRecord.origin_region_code,
                    MoverNetworkRecord.locality_id,
                    MoverNetworkRecord.movers,
                ).order_by(MoverNetworkRecord.origin_region_code, MoverNetworkRecord.locality_id)
            ).all()
            pl.DataFrame(
                [tuple(r) for r in network],
                schema=["origin_region", "locality_id", "movers"],
                orient="row",
            ).write_csv(OUT / "network.csv")
            batch = build_batch(session, reference, {"year": YEAR, "options_per_household": 3})
            external = dict(
                session.execute(select(HouseholdRecord.id, HouseholdRecord.external_id)).all()
            )
        engine.dispose()
    pl.DataFrame(
        {
            "year": [YEAR] * 2 * len(DESTINATIONS),
            "region_code": [r for r in DESTINATIONS for _ in (0, 1)],
            "category": ["resettler", "kandas"] * len(DESTINATIONS),
            "persons": [30, 8] * len(DESTINATIONS),
            "families": [10, 3] * len(DESTINATIONS),
        }
    ).write_csv(OUT / "quotas.csv")
    best = (
        batch.options.sort("score", descending=True)
        .unique("household_id", keep="first")
        .with_columns(pl.col("household_id").cast(pl.Int64))
        .sort("household_id")
    )
    rules = best.select(
        pl.col("household_id")
        .replace_strict(external, return_dtype=pl.Utf8)
        .alias("household_external_id"),
        "locality_id",
    )
    rules.head(1).write_csv(OUT / "locks.csv")
    rules.slice(1, 1).write_csv(OUT / "bans.csv")
    print(f"written {OUT}: {HOUSEHOLDS} households, {batch.options.height} options")


if __name__ == "__main__":
    main()
