"""Read a planner's scenario folder (CSV, Parquet or Excel tables) into an allocation batch.

The programme tables are exactly the bulk import's (``api.imports``, docs/import_formats.md):
``employers``, ``vacancies``, ``homes``, ``capacities``, ``households`` (one row per member).
Three more tables describe the batch:

- ``quotas``: ``year, region_code, category, persons, families`` (replaces the published
  quotas; the latest year in the table is the batch's year);
- ``locks`` and ``bans``: ``household_external_id, locality_id``;
- ``network`` (optional): ``origin_region, locality_id, movers`` — earlier movers, for the
  status-quo baseline and the network component of the fit score.

The folder is imported into a throw-away SQLite database with the bulk import's own row
parsing and validation, then the batch is built from it exactly as for a run started over
HTTP (:func:`api.allocation.batch.build_batch`). Every problem — row errors of the import,
unknown localities, regions and households, negative quotas — is collected first, and a
:class:`ScenarioError` lists them all.
"""

from __future__ import annotations

import tempfile
import types
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import delete, insert, select

from api.allocation.batch import EmptyBatch, build_batch
from api.allocation.requests import validate_request
from api.allocation.reservations import RESERVATION_TABLES
from api.core.db import make_engine, make_sessionmaker
from api.core.migrate import upgrade
from api.core.settings import REPO_ROOT
from api.imports.service import ImportFileError, cast_column, import_table, read_table
from api.models import (
    HomeRecord,
    HouseholdRecord,
    MoverNetworkRecord,
    QuotaRecord,
    VacancyRecord,
)
from api.reference.service import seed_reference
from api.taxonomy.service import occupation_resolver
from matching.allocation import AllocationInstance
from matching.allocation.capacity_kinds import kinds
from matching.allocation.instance import LockConflict
from matching.programme.geography import ReferenceData, load_reference
from matching.programme.support import load_support_parameters

IMPORT_ORDER = ("employers", "vacancies", "homes", "capacities", "households")
REQUIRED = ("households", "vacancies", "homes")
SUFFIXES = (".csv", ".parquet", ".xlsx")
CATEGORIES = ("resettler", "kandas")
EXTRA_COLUMNS: dict[str, dict[str, str]] = {
    "quotas": {
        "year": "int",
        "region_code": "str",
        "category": "str",
        "persons": "int",
        "families": "int",
    },
    "locks": {"household_external_id": "str", "locality_id": "str"},
    "bans": {"household_external_id": "str", "locality_id": "str"},
    "network": {"origin_region": "str", "locality_id": "str", "movers": "int"},
}
OPTIONAL_EXTRA = {"families"}


class ScenarioError(ValueError):
    """The folder cannot be used; the message lists every problem found."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"scenario {path} has {len(problems)} problem(s): " + "; ".join(problems))


def _file(path: Path, name: str) -> Path | None:
    for suffix in SUFFIXES:
        if (path / f"{name}{suffix}").is_file():
            return path / f"{name}{suffix}"
    return None


def _read(path: Path, name: str, problems: list[str]) -> pl.DataFrame | None:
    file = _file(path, name)
    if file is None:
        if name in REQUIRED:
            problems.append(f"{name}: missing ({name}.csv, .parquet or .xlsx)")
        return None
    try:
        return read_table(file.read_bytes(), file.name)
    except ImportFileError as exc:
        problems.append(f"{file.name}: {exc.text.en}")
        return None


def _typed_extra(
    name: str, raw: pl.DataFrame, file: str, problems: list[str]
) -> pl.DataFrame | None:
    columns = EXTRA_COLUMNS[name]
    missing = [c for c in columns if c not in raw.columns and c not in OPTIONAL_EXTRA]
    if missing:
        problems.append(f"{file}: missing column(s) {', '.join(missing)}")
        return None
    out: dict[str, pl.Series] = {}
    ok = True
    for col, type_ in columns.items():
        if col not in raw.columns:
            out[col] = pl.Series(col, [None] * raw.height, dtype=pl.Int64)
            continue
        values, bad = cast_column(raw[col], type_)  # type: ignore[arg-type]
        for i in bad.arg_true().to_list()[:20]:
            problems.append(
                f"{file} row {i + 2}: {col} is not a {'whole number' if type_ == 'int' else type_}"
            )
            ok = False
        out[col] = values.alias(col)
    return pl.DataFrame(list(out.values())) if ok else None


def _check_extras(
    extras: dict[str, pl.DataFrame],
    files: dict[str, str],
    reference: ReferenceData,
    known_households: set[str],
    problems: list[str],
) -> None:
    regions = {r.code for r in reference.regions}
    localities = {loc.id for loc in reference.all_localities}
    for name, frame in extras.items():
        file = files[name]
        for i, row in enumerate(frame.iter_rows(named=True)):
            where = f"{file} row {i + 2}"
            if name == "quotas":
                if row["region_code"] not in regions:
                    problems.append(f"{where}: unknown region {row['region_code']!r}")
                if row["category"] not in CATEGORIES:
                    problems.append(f"{where}: unknown category {row['category']!r}")
                for col in ("persons", "families"):
                    if row[col] is not None and row[col] < 0:
                        problems.append(f"{where}: negative quota {col} {row[col]}")
            elif name == "network":
                if row["origin_region"] not in regions:
                    problems.append(f"{where}: unknown region {row['origin_region']!r}")
                if row["locality_id"] not in localities:
                    problems.append(f"{where}: unknown locality {row['locality_id']!r}")
                if (row["movers"] or 0) < 0:
                    problems.append(f"{where}: negative movers {row['movers']}")
            else:
                if row["locality_id"] not in localities:
                    problems.append(f"{where}: unknown locality {row['locality_id']!r}")
                if row["household_external_id"] not in known_households:
                    problems.append(f"{where}: unknown household {row['household_external_id']!r}")


def load_scenario_dir(
    path: Path,
    *,
    reference: ReferenceData | None = None,
    options_per_household: int = 10,
    data_dir: Path | None = None,
) -> tuple[AllocationInstance, pl.DataFrame | None]:
    """Validate a scenario folder and build its allocation batch.

    Parameters
    ----------
    path
        The folder (see the module docstring for its tables).
    reference
        Reference data (default: loaded from ``data_dir``).
    options_per_household
        Ranked options kept per household.
    data_dir
        The reference data folder (default: the repository's ``data/``).

    Returns
    -------
    (AllocationInstance, earlier movers or None)

    Raises
    ------
    ScenarioError
        Listing every problem of the folder.
    """
    if not path.is_dir():
        raise ScenarioError(path, ["not a folder"])
    data_dir = data_dir or REPO_ROOT / "data"
    reference = reference or load_reference(data_dir)
    problems: list[str] = []
    tables = {name: _read(path, name, problems) for name in IMPORT_ORDER}
    files: dict[str, str] = {}
    extras: dict[str, pl.DataFrame] = {}
    for name in EXTRA_COLUMNS:
        raw = _read(path, name, problems)
        if raw is None:
            continue
        files[name] = _file(path, name).name  # type: ignore[union-attr]
        typed = _typed_extra(name, raw, files[name], problems)
        if typed is not None:
            extras[name] = typed
    households = tables.get("households")
    known = (
        set(households["external_id"].cast(pl.Utf8).drop_nulls().to_list())
        if households is not None and "external_id" in households.columns
        else set()
    )
    _check_extras(extras, files, reference, known, problems)

    with tempfile.TemporaryDirectory(prefix="qonys-scenario-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'scenario.db'}"
        upgrade(url)
        engine = make_engine(url, pool_size=1)
        try:
            with make_sessionmaker(engine)() as session:
                seed_reference(session, data_dir)
                state = types.SimpleNamespace()
                for name in IMPORT_ORDER:
                    frame = tables.get(name)
                    if frame is None:
                        continue
                    try:
                        report = import_table(
                            session,
                            name,
                            frame,
                            reference=reference,
                            occupations=lambda: occupation_resolver(state, data_dir / "taxonomy"),
                        )
                    except ImportFileError as exc:
                        problems.append(f"{_file(path, name).name}: {exc.text.en}")  # type: ignore[union-attr]
                        continue
                    for e in sorted(report.errors, key=lambda e: (e.row, e.field or "")):
                        field = f" {e.field}" if e.field else ""
                        problems.append(f"{name} row {e.row + 1}{field}: {e.text.en}")
                if problems:
                    raise ScenarioError(path, problems)
                request = _request(session, extras, options_per_household)
                errors = validate_request(session, reference, request)
                if errors:
                    raise ScenarioError(
                        path,
                        [f"{'/'.join(map(str, e['loc'][1:]))}: {e['msg'].en}" for e in errors],
                    )
                try:
                    batch = build_batch(
                        session, reference, request, support=load_support_parameters(data_dir)
                    )
                except EmptyBatch as exc:
                    raise ScenarioError(path, [f"households: {exc}"]) from None
                instance = _with_external_ids(batch.instance, session)
        finally:
            engine.dispose()
    movers = batch.movers if batch.movers.height else None
    return instance, movers


def _with_external_ids(inst: AllocationInstance, session: Any) -> AllocationInstance:
    """The batch with the folder's own ids (the scratch database's ids mean nothing outside)."""

    def ids(model: Any) -> dict[str, str]:
        return {str(i): e for i, e in session.execute(select(model.id, model.external_id)).all()}

    households, homes, vacancies = ids(HouseholdRecord), ids(HomeRecord), ids(VacancyRecord)

    def swap(col: str, mapping: dict[str, str]) -> pl.Expr:
        return pl.col(col).replace(mapping)

    options = inst.options.with_columns(
        swap("household_id", households),
        swap("home_id", homes),
        swap("vacancy_id", vacancies),
        swap("second_vacancy_id", vacancies),
    ).with_columns(
        # The same form as matching.ranking.option_id: no trailing bar without a second vacancy.
        option_id=pl.concat_str(
            [pl.col("household_id"), pl.col("vacancy_id"), pl.col("home_id")], separator="|"
        )
        + pl.when(pl.col("second_vacancy_id").fill_null("") == "")
        .then(pl.lit(""))
        .otherwise(pl.lit("|") + pl.col("second_vacancy_id"))
    )  # fmt: skip
    removed = inst.removed.with_columns(swap("household_id", households))
    # Resource rows keyed by a row of a table with external ids (homes, vacancies, and any
    # registered kind reserving in such a table) take the folder's ids, also as their label.
    resources = inst.resources
    for kind in kinds():
        res = kind.reservation
        table = RESERVATION_TABLES.get(res.table) if res and res.reserved else None
        if res is None or table is None or "external_id" not in table.c or len(res.key) != 1:
            continue
        rows = session.execute(select(table.c[res.key[0]], table.c.external_id)).all()
        mine, mapping = pl.col("kind") == kind.code, {str(i): e for i, e in rows}
        resources = resources.with_columns(
            pl.when(mine).then(swap("key", mapping)).otherwise(pl.col("key")).alias("key")
        ).with_columns(pl.when(mine).then(pl.col("key")).otherwise(pl.col("label")).alias("label"))
    return replace(
        inst,
        households=inst.households.with_columns(swap("household_id", households)),
        options=options,
        removed=removed,
        resources=resources,
        lock_conflicts=tuple(
            LockConflict(households.get(c.household_id, c.household_id), c.reason)
            for c in inst.lock_conflicts
        ),
    )


def _request(
    session: Any, extras: dict[str, pl.DataFrame], options_per_household: int
) -> dict[str, Any]:
    """Store quotas and the network in the scratch database; the locks and bans as a request."""
    import datetime as dt

    year = dt.date.today().year
    quotas = extras.get("quotas")
    if quotas is not None and quotas.height:
        year = int(quotas["year"].max())  # type: ignore[arg-type]
        session.execute(delete(QuotaRecord))
        session.execute(
            insert(QuotaRecord),
            [{**q, "source": "scenario"} for q in quotas.filter(pl.col("year") == year).to_dicts()],
        )
    network = extras.get("network")
    if network is not None:
        session.execute(delete(MoverNetworkRecord))
        if network.height:
            session.execute(
                insert(MoverNetworkRecord),
                [
                    {"origin_region_code": r["origin_region"], "locality_id": r["locality_id"],
                     "movers": int(r["movers"] or 0), "source": "scenario"}
                    for r in network.to_dicts()
                ],
            )  # fmt: skip
    session.flush()
    ids = dict(session.execute(select(HouseholdRecord.external_id, HouseholdRecord.id)).all())
    rules = {
        name: [
            {"household_id": ids[r["household_external_id"]], "locality_id": r["locality_id"]}
            for r in extras[name].to_dicts()
        ]
        for name in ("locks", "bans")
        if name in extras
    }
    return {
        "year": year,
        "options_per_household": options_per_household,
        "locks": rules.get("locks", []),
        "bans": rules.get("bans", []),
    }


def demo_batch(
    households: int, *, seed: int = 0, options_per_household: int = 10, data_dir: Path | None = None
) -> tuple[AllocationInstance, pl.DataFrame | None]:
    """A batch of a generated programme in the real destination localities.

    The programme (``matching.synthetic.programme``) is loaded into a throw-away SQLite database and the
    batch built from it exactly as for a run started over HTTP; ids are the generated ones.
    """
    import datetime as dt

    from api.demo.service import load_demo
    from taxonomy import load_taxonomy

    data_dir = data_dir or REPO_ROOT / "data"
    reference = load_reference(data_dir)
    with tempfile.TemporaryDirectory(prefix="qonys-demo-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        upgrade(url)
        engine = make_engine(url, pool_size=1)
        try:
            with make_sessionmaker(engine)() as session:
                seed_reference(session, data_dir)
                load_demo(
                    session,
                    reference,
                    load_taxonomy(data_dir / "taxonomy"),
                    households=households,
                    seed=seed,
                    with_tokens=False,
                )
                request = {
                    "year": dt.date.today().year,
                    "options_per_household": options_per_household,
                }
                batch = build_batch(
                    session, reference, request, support=load_support_parameters(data_dir)
                )
                instance = _with_external_ids(batch.instance, session)
        finally:
            engine.dispose()
    return instance, batch.movers if batch.movers.height else None
