"""Committing a run: placements become decisions and capacities are reserved, all or nothing.

Everything happens in one transaction on the caller's session. What is reserved is what each
registered capacity kind declares (:mod:`matching.allocation.capacity_kinds`, its
``Reservation``), applied to the table :mod:`api.allocation.reservations` maps it to:

- a kind that increments a column (homes, posts, seats, centre beds) gets conditional UPDATEs
  (``… SET posts_reserved = posts_reserved + n WHERE id = :id AND posts_reserved + n <=
  posts``, and ``status = 'open'`` where the kind says so), one row at a time in key order:
  the database re-checks the condition on the row's latest version under its row lock, so two
  planners committing competing runs at the same moment can never both take the last post,
  home unit, school seat or bed. The rows of a table are locked together first (in key order)
  since a row may be first touched by any of its columns;
- a kind that increments nothing (the quotas) is a sum over decisions: its rows are locked
  first (``SELECT … FOR UPDATE``, in id order) and what is committed is counted under the lock.

Tables are taken in the order of :data:`~api.allocation.reservations.RESERVATION_TABLES`
(quotas, vacancies, homes, locality capacities), households last, so two commits always take
their locks in the same order and cannot deadlock.

A kind whose amount is ``FROM_SNAPSHOT`` (accommodation-centre beds: an option that starts in
the locality's centre takes one bed per person, any other none) is reserved exactly as the
optimizer charged it, read from the usage the run was solved with
(:func:`~api.allocation.usage.snapshot_amounts`).

On SQLite the first statement is a write (stamping the run), which takes the database's
write lock at once: concurrent commits queue behind it (``busy_timeout``) instead of failing
on a read snapshot that another writer made stale.

Each decision keeps its placement's region and outcome features as the run scored them (the
retention model's training data), written with the decisions in the same transaction.

Anything that does not fit rolls the whole commit back; :class:`CommitConflict` lists every
row that would have been overbooked as ``[kind code, key]`` with a kk/ru/en message.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, insert, select, tuple_, update
from sqlalchemy.orm import Session

from api.allocation.reservations import lock_order, reservation_table
from api.allocation.usage import committed_usage, run_columns, snapshot_amounts
from api.audit import service as audit
from api.core.pause import pause_point
from api.models import (
    AllocationRunRecord,
    DecisionRecord,
    HouseholdRecord,
    JobRecord,
    PlacementRecord,
)
from matching.allocation.capacity_kinds import FROM_SNAPSHOT, CapacityKind, kinds
from matching.text import Text, msg
from matching.text.catalogue import catalogue

OVERBOOKED = msg("allocation_service.commit.overbooked")
NOT_FOUND = msg("allocation_service.commit.not_found")
NOT_DONE = msg("allocation_service.commit.not_done")
SCENARIO_RUN = Text(
    kk="Сценарий қалтасынан жасалған нұсқа тек салыстыруға арналған: оны бекітуге болмайды.",
    ru="Вариант по папке сценария служит только для сравнения: его нельзя утвердить.",
    en="A run over a scenario folder is a what-if: it cannot be committed.",
)
NOT_IN_RUN = msg("allocation_service.commit.not_in_run")
ACTIVE = ("registered", "admitted")


class CommitRefused(Exception):
    """The commit cannot start (unknown run, unfinished run, households not in the run)."""

    def __init__(self, status: int, text: Text, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(text.en)
        self.status = status
        self.text = text
        self.errors = errors or []


class CommitConflict(CommitRefused):
    """Some capacities would be overbooked; the transaction was rolled back."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(409, OVERBOOKED.format(n=len(errors)), errors)


@dataclass(frozen=True)
class CommitResult:
    run_id: str
    households: int
    persons: int
    committed_at: dt.datetime


def _problem(loc: list[Any], text: Text, type_: str = "overbooked") -> dict[str, Any]:
    return {"loc": loc, "msg": text, "type": type_}


def _overbooked(kind: str, key: Any, needed: int, left: int, year: int) -> dict[str, Any]:
    own = f"allocation_service.overbooked.{kind}"
    text = msg(own if own in catalogue() else "allocation_service.overbooked.row")
    values = {"kind": kind, "key": key, "needed": needed, "left": left, "year": year}
    return _problem([kind, key], text.format(**values))


def _value(p: PlacementRecord, column: str, category: dict[int, str], year: int) -> Any:
    """A placement's value of a reservation column (its household's category, the run's year)."""
    if column == "category":
        return category.get(p.household_id)
    if column == "year":
        return year
    return getattr(p, column)


@dataclass
class _Placed:
    """The placements being committed, and how to read a reservation's columns off them."""

    session: Session
    run_id: str
    year: int
    placements: list[PlacementRecord]
    category: dict[int, str]

    def needs(self, kind: CapacityKind) -> Counter[Any]:
        """What the placements need of ``kind``, per row key (a key column per option key;
        a tuple of the option keys for a counted kind). Rows needing 0 are kept: they are
        locked with the others."""
        res = kind.reservation
        assert res is not None
        if res.amount == FROM_SNAPSHOT:
            return snapshot_amounts(self.session, self.run_id, self.placements, kind.code)
        need: Counter[Any] = Counter()
        for p in self.placements:
            n = res.amount if isinstance(res.amount, int) else int(self.value(p, res.amount) or 0)
            values = [self.value(p, c) for c in res.option_keys]
            if res.reserved is None:
                if None not in values:
                    need[tuple(values)] += n
                continue
            for value in values:
                if value is not None:
                    need[value] += n
        return need

    def value(self, p: PlacementRecord, column: str) -> Any:
        return _value(p, column, self.category, self.year)

    def run_value(self, column: str) -> Any:
        """A key column fixed by the run rather than by a placement."""
        if column != "year":
            raise KeyError(f"a run has no column {column!r}")
        return self.year


def _check_counted(
    placed: _Placed, table: Table, group: list[CapacityKind]
) -> list[dict[str, Any]]:
    """Counted kinds of one table (the quotas): lock the rows the placements fall in (in
    primary-key order), then compare what is committed under the lock plus what is wanted
    with each kind's capacity column. Nothing is incremented."""
    problems: list[dict[str, Any]] = []
    res = group[0].reservation
    assert res is not None
    needs = {k.code: placed.needs(k) for k in group}
    wanted = sorted(set().union(*needs.values()))
    if not wanted:
        return problems
    keys = [table.c[c] for c in res.option_keys]
    fixed = [table.c[c] == placed.run_value(c) for c in run_columns(res)]
    where = keys[0].in_([w[0] for w in wanted]) if len(keys) == 1 else tuple_(*keys).in_(wanted)
    rows = placed.session.execute(
        select(*keys, *(table.c[k.reservation.capacity] for k in group if k.reservation))
        .where(*fixed, where)
        .order_by(*table.primary_key.columns)
        .with_for_update()
    ).all()
    used = committed_usage(placed.session, placed.year)
    for row in rows:
        key = tuple(row[: len(keys)])
        for i, kind in enumerate(group):
            capacity = row[len(keys) + i]
            want = needs[kind.code].get(key, 0)
            taken = used.get(kind.code, {}).get(key, 0)
            if capacity is not None and taken + want > capacity:
                label = "/".join(str(v) for v in key)
                left = max(0, capacity - taken)
                problems.append(_overbooked(kind.code, label, want, left, placed.year))
    return problems


def _reserve_rows(
    placed: _Placed, table: Table, group: list[CapacityKind]
) -> list[dict[str, Any]]:
    """Kinds that increment a column of one table: lock every row any of them touches (in key
    order, before any column is incremented: a row may be first touched by any of its
    columns), then increment each kind's column conditionally, one row at a time in key order.
    A key without a row has no recorded limit (the allocator does not constrain it either)."""
    problems: list[dict[str, Any]] = []
    needs = {k.code: placed.needs(k) for k in group}
    touched = sorted(set().union(*needs.values()))
    if not touched:
        return problems
    names = {k.reservation.key for k in group if k.reservation}
    if len(names) != 1 or len(next(iter(names))) != 1:
        raise ValueError(f"kinds reserving in {table.name} need one shared key column: {names}")
    key = table.c[next(iter(names))[0]]
    with_rows = set(
        placed.session.scalars(
            select(key).where(key.in_(touched)).order_by(key).with_for_update()
        )
    )
    for kind in group:
        res = kind.reservation
        assert res is not None and res.reserved is not None
        capacity, reserved = table.c[res.capacity], table.c[res.reserved]
        extra = (table.c.status == "open",) if res.only_open else ()
        need = needs[kind.code]
        for ident in sorted(k for k in need if k in with_rows):
            n = need[ident]
            if n <= 0:
                continue
            done = placed.session.execute(
                update(table)
                .where(key == ident, reserved + n <= capacity, *extra)
                .values({reserved.name: reserved + n})
            ).rowcount  # type: ignore[attr-defined]
            if done != 1:
                row = placed.session.execute(select(capacity, reserved).where(key == ident)).first()
                left = 0 if row is None else max(0, int(row[0]) - int(row[1]))
                problems.append(_overbooked(kind.code, ident, n, left, placed.year))
    return problems


def _reserve(placed: _Placed) -> list[dict[str, Any]]:
    """Every registered kind with a reservation, table by table in the lock order of
    :data:`~api.allocation.reservations.RESERVATION_TABLES` (kinds of a table in registry
    order); the rows that would be overbooked."""
    tables: dict[str, list[CapacityKind]] = {}
    for kind in kinds():
        if kind.reservation is not None:
            tables.setdefault(kind.reservation.table, []).append(kind)
    problems: list[dict[str, Any]] = []
    for name in sorted(tables, key=lock_order):
        table = reservation_table(name)
        counted: dict[tuple[tuple[str, ...], tuple[str, ...]], list[CapacityKind]] = {}
        for kind in tables[name]:
            res = kind.reservation
            if res is not None and res.reserved is None:
                counted.setdefault((res.key, res.option_keys), []).append(kind)
        for group in counted.values():
            problems += _check_counted(placed, table, group)
        reserving = [k for k in tables[name] if k.reservation and k.reservation.reserved]
        if reserving:
            problems += _reserve_rows(placed, table, reserving)
    return problems


def commit_run(
    session: Session,
    run_id: str,
    *,
    household_ids: Iterable[int] | None = None,
    by: str | None = None,
    actor: audit.Actor | None = None,
) -> CommitResult:
    """Commit a run's placements (or the given households' only) in one transaction.

    Raises
    ------
    CommitRefused
        404 unknown run, 409 unfinished run, 422 households the run does not place.
    CommitConflict
        409: the resources that would be overbooked; nothing was written.
    """
    try:
        result = _commit(session, run_id, household_ids, by)
        wanted = None if household_ids is None else sorted(set(household_ids))
        done = {"household_ids": wanted, "households": result.households, "persons": result.persons}
        audit.record(session, actor, "commit", "allocation_run", run_id, after=done)
        pause_point("commit.reserved")  # crash tests: everything reserved, nothing committed
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return result


def _commit(
    session: Session, run_id: str, household_ids: Iterable[int] | None, by: str | None
) -> CommitResult:
    now = dt.datetime.now(dt.UTC)
    stamped = session.execute(
        update(AllocationRunRecord)
        .where(AllocationRunRecord.id == run_id)
        .values(committed_at=now, committed_by=by)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if stamped != 1:
        raise CommitRefused(404, NOT_FOUND)
    year, job_status, request = session.execute(
        select(AllocationRunRecord.year, JobRecord.status, AllocationRunRecord.scenario)
        .join(JobRecord, JobRecord.id == AllocationRunRecord.job_id)
        .where(AllocationRunRecord.id == run_id)
    ).one()
    if job_status != "succeeded":
        raise CommitRefused(409, NOT_DONE.format(status=job_status))
    if (request or {}).get("scenario_dir"):  # its households are not live rows
        raise CommitRefused(409, SCENARIO_RUN)
    stmt = select(PlacementRecord).where(
        PlacementRecord.run_id == run_id, PlacementRecord.placed.is_(True)
    )
    wanted = None if household_ids is None else sorted({int(h) for h in household_ids})
    if wanted is not None:
        stmt = stmt.where(PlacementRecord.household_id.in_(wanted))
    placements = sorted(session.scalars(stmt), key=lambda p: p.household_id)
    if wanted is not None:
        missing = sorted(set(wanted) - {p.household_id for p in placements})
        if missing:
            raise CommitRefused(
                422,
                NOT_IN_RUN,
                [
                    _problem(
                        ["body", "household_ids"],
                        msg("allocation_service.commit.not_placed", household=h),
                        "not_placed",
                    )
                    for h in missing
                ],
            )
    ids = [p.household_id for p in placements]
    category = (
        dict(
            session.execute(
                select(HouseholdRecord.id, HouseholdRecord.category).where(
                    HouseholdRecord.id.in_(ids)
                )
            ).all()
        )
        if ids
        else {}
    )
    problems = _reserve(_Placed(session, run_id, year, placements, category))

    for hid in ids:
        done = session.execute(
            update(HouseholdRecord)
            .where(and_(HouseholdRecord.id == hid, HouseholdRecord.status.in_(ACTIVE)))
            .values(status="placed")
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if done != 1:
            status = session.scalar(select(HouseholdRecord.status).where(HouseholdRecord.id == hid))
            problems.append(
                _problem(
                    ["household", hid],
                    msg("allocation_service.commit.household_taken", household=hid, status=status),
                    "household_taken",
                )
            )
    if problems:
        raise CommitConflict(problems)
    if placements:
        session.execute(
            insert(DecisionRecord),
            [
                {
                    "household_id": p.household_id,
                    "run_id": run_id,
                    "locality_id": p.locality_id,
                    "home_id": p.home_id,
                    "vacancy_id": p.vacancy_id,
                    "second_vacancy_id": p.second_vacancy_id,
                    "persons": p.persons,
                    "children_0_5": p.children_0_5,
                    "children_6_17": p.children_6_17,
                    "score": p.score or 0.0,
                    "region_code": p.region_code,
                    "outcome_features": p.outcome_features,
                    "decided_by": by,
                    "decided_at": now,
                }
                for p in placements
            ],
        )
    return CommitResult(run_id, len(placements), sum(p.persons for p in placements), now)
