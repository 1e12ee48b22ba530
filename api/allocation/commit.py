"""Committing a run: placements become decisions and capacities are reserved, all or nothing.

Everything happens in one transaction on the caller's session. Capacities are reserved with
conditional UPDATEs (``… SET posts_reserved = posts_reserved + n WHERE id = :id AND
posts_reserved + n <= posts``): the database re-checks the condition on the row's latest
version under its row lock, so two planners committing competing runs at the same moment can
never both take the last post, home unit, school seat or accommodation-centre bed. Quotas are
not a row to increment but a sum over decisions, so the quota rows of the affected regions are
locked first (``SELECT … FOR UPDATE``, in id order; then vacancies, homes, localities and
households, each in id order, so two commits always take their locks in the same order and
cannot deadlock). The locality capacity rows are locked together before any of their columns
is incremented, since a row may be first touched by its kindergarten, school or bed column.

Accommodation-centre beds are reserved exactly as the optimizer charged them: an option that
starts in the locality's centre (``uses_centre``) takes one bed per person, any other option
none. A placement does not carry that flag, so the amounts are read from the usage the run was
solved with (its snapshot, :func:`~api.allocation.usage.snapshot_charges`).

On SQLite the first statement is a write (stamping the run), which takes the database's
write lock at once: concurrent commits queue behind it (``busy_timeout``) instead of failing
on a read snapshot that another writer made stale.

Anything that does not fit rolls the whole commit back; :class:`CommitConflict` lists every
resource that would have been overbooked.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import and_, insert, select, tuple_, update
from sqlalchemy.orm import Session

from api.allocation.usage import OPTION_KEY, committed_usage, snapshot_charges
from api.models import (
    AllocationRunRecord,
    DecisionRecord,
    HomeRecord,
    HouseholdRecord,
    JobRecord,
    LocalityCapacityRecord,
    PlacementRecord,
    QuotaRecord,
    VacancyRecord,
)
from matching.allocation import reasons as R
from matching.text import Text

OVERBOOKED = Text(
    kk="Бекіту кері қайтарылды: {n} ресурс жетпейді, ештеңе сақталмады.",
    ru="Утверждение отменено: не хватает ресурсов ({n}), ничего не сохранено.",
    en="The commit was rolled back: {n} resource(s) would be overbooked; nothing was written.",
)
NOT_FOUND = Text(
    kk="Бөлу нұсқасы табылмады.",
    ru="Вариант распределения не найден.",
    en="Allocation run not found.",
)
NOT_DONE = Text(
    kk="Бөлу әлі аяқталмаған немесе сәтсіз аяқталды ({status}).",
    ru="Распределение ещё не завершено или завершилось ошибкой ({status}).",
    en="The allocation run has not finished successfully ({status}).",
)
NOT_IN_RUN = Text(
    kk="Кейбір отбасылар бұл нұсқада орналастырылмаған.",
    ru="Некоторые семьи не размещены в этом варианте.",
    en="Some households are not placed by this run.",
)
SCENARIO_RUN = Text(
    kk="Сценарий қалтасынан жасалған нұсқа тек салыстыруға арналған: оны бекітуге болмайды.",
    ru="Вариант по папке сценария служит только для сравнения: его нельзя утвердить.",
    en="A run over a scenario folder is a what-if: it cannot be committed.",
)
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


def _problem(
    loc: list[str | int], msg: str, type_: str = "overbooked", **facts: Any
) -> dict[str, Any]:
    # The figures travel with the English text, so a page can word them in any language.
    return {"loc": loc, "msg": msg, "type": type_, **facts}


def _reserve(
    session: Session,
    needs: dict[Any, int],
    *,
    table: Any,
    key: Any,
    reserved: Any,
    capacity: Any,
    kind: str,
    extra: Iterable[Any] = (),
) -> list[dict[str, Any]]:
    """Conditional increments, one row at a time in key order; the rows that refused."""
    problems: list[dict[str, Any]] = []
    for ident in sorted(needs):
        n = needs[ident]
        if n <= 0:
            continue
        done = session.execute(
            update(table)
            .where(key == ident, reserved + n <= capacity, *extra)
            .values({reserved.key: reserved + n})
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if done != 1:
            row = session.execute(select(capacity, reserved).where(key == ident)).first()
            left = 0 if row is None else max(0, int(row[0]) - int(row[1]))
            text = f"{kind} {ident}: {n} needed, {left} left"
            problems.append(_problem([kind, ident], text, needed=n, left=left))
    return problems


def _centre_beds(session: Session, run_id: str, placements: list[PlacementRecord]) -> Counter[str]:
    """Accommodation-centre beds the optimizer charged the placements, per locality."""
    if not placements:
        return Counter()
    snapshot = session.scalar(
        select(AllocationRunRecord.snapshot).where(AllocationRunRecord.id == run_id)
    )
    charges = snapshot_charges(snapshot, R.CENTRE_BEDS)
    if charges.height == 0:
        return Counter()

    def text(value: int | None) -> str:
        return "" if value is None else str(value)

    chosen = pl.DataFrame(
        [
            (str(p.household_id), text(p.home_id), text(p.vacancy_id), text(p.second_vacancy_id))
            for p in placements
        ],
        schema=dict.fromkeys(OPTION_KEY, pl.Utf8),
        orient="row",
    )
    # One option per key; a repeated (option, resource) row is one charge, not two.
    per_option = charges.group_by([*OPTION_KEY, "key"]).agg(pl.col("amount").max())
    used = chosen.join(per_option, on=list(OPTION_KEY), how="inner")
    return Counter(
        {str(k): int(n) for k, n in used.group_by("key").agg(pl.col("amount").sum()).iter_rows()}
    )


def commit_run(
    session: Session,
    run_id: str,
    *,
    household_ids: Iterable[int] | None = None,
    by: str | None = None,
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
    if (request or {}).get("scenario_dir"):
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
                        f"household {h} is not placed by this run",
                        "not_placed",
                    )
                    for h in missing
                ],
            )
    problems: list[dict[str, Any]] = []
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

    # Quotas: lock the rows, then count what is committed under the lock.
    need_persons: Counter[tuple[str, str]] = Counter()
    need_families: Counter[tuple[str, str]] = Counter()
    for p in placements:
        key = (str(p.region_code), str(category.get(p.household_id)))
        need_persons[key] += p.persons
        need_families[key] += 1
    if need_persons:
        quota_stmt = (
            select(
                QuotaRecord.region_code,
                QuotaRecord.category,
                QuotaRecord.persons,
                QuotaRecord.families,
            )
            .where(
                QuotaRecord.year == year,
                tuple_(QuotaRecord.region_code, QuotaRecord.category).in_(list(need_persons)),
            )
            .order_by(QuotaRecord.id)
            .with_for_update()
        )
        quotas = session.execute(quota_stmt).all()
        used = {(r, c): (p, f) for r, c, p, f in committed_usage(session, year).iter_rows()}
        for region, cat, persons, families in quotas:
            up, uf = used.get((region, cat), (0, 0))
            want_p = need_persons[(region, cat)]
            want_f = need_families[(region, cat)]
            if up + want_p > persons:
                problems.append(
                    _problem(
                        ["quota_persons", f"{region}/{cat}"],
                        f"quota {year} {region}/{cat}: {want_p} persons needed, {max(0, persons - up)} left",
                        needed=want_p, left=max(0, persons - up),  # fmt: skip
                    )
                )
            if families is not None and uf + want_f > families:
                problems.append(
                    _problem(
                        ["quota_families", f"{region}/{cat}"],
                        f"quota {year} {region}/{cat}: {want_f} families needed, {max(0, families - uf)} left",
                        needed=want_f, left=max(0, families - uf),  # fmt: skip
                    )
                )

    posts: Counter[int] = Counter()
    units: Counter[int] = Counter()
    kindergarten: Counter[str] = Counter()
    school: Counter[str] = Counter()
    for p in placements:
        if p.vacancy_id is not None:
            posts[p.vacancy_id] += 1
        if p.second_vacancy_id is not None:
            posts[p.second_vacancy_id] += 1
        if p.home_id is not None:
            units[p.home_id] += 1
        if p.locality_id is not None:
            kindergarten[p.locality_id] += p.children_0_5
            school[p.locality_id] += p.children_6_17
    problems += _reserve(
        session, dict(posts), table=VacancyRecord, key=VacancyRecord.id,
        reserved=VacancyRecord.posts_reserved, capacity=VacancyRecord.posts, kind="vacancy",
        extra=(VacancyRecord.status == "open",),
    )  # fmt: skip
    problems += _reserve(
        session, dict(units), table=HomeRecord, key=HomeRecord.id,
        reserved=HomeRecord.units_reserved, capacity=HomeRecord.units, kind="home",
        extra=(HomeRecord.status == "open",),
    )  # fmt: skip
    beds = _centre_beds(session, run_id, placements)
    # A locality without a capacity row has no recorded seat or bed limit (the allocator does
    # not constrain it either). The rows are locked in id order before any column is touched.
    with_caps = set(
        session.scalars(
            select(LocalityCapacityRecord.locality_id)
            .where(
                LocalityCapacityRecord.locality_id.in_(
                    sorted(set(kindergarten) | set(school) | set(beds))
                )
            )
            .order_by(LocalityCapacityRecord.locality_id)
            .with_for_update()
        )
    )
    problems += _reserve(
        session, {k: v for k, v in kindergarten.items() if k in with_caps},
        table=LocalityCapacityRecord, key=LocalityCapacityRecord.locality_id,
        reserved=LocalityCapacityRecord.kindergarten_reserved,
        capacity=LocalityCapacityRecord.kindergarten_seats, kind="kindergarten",
    )  # fmt: skip
    problems += _reserve(
        session, {k: v for k, v in school.items() if k in with_caps},
        table=LocalityCapacityRecord, key=LocalityCapacityRecord.locality_id,
        reserved=LocalityCapacityRecord.school_reserved,
        capacity=LocalityCapacityRecord.school_seats, kind="school",
    )  # fmt: skip
    problems += _reserve(
        session, {k: v for k, v in beds.items() if k in with_caps},
        table=LocalityCapacityRecord, key=LocalityCapacityRecord.locality_id,
        reserved=LocalityCapacityRecord.accommodation_beds_reserved,
        capacity=LocalityCapacityRecord.accommodation_beds, kind=R.CENTRE_BEDS,
    )  # fmt: skip

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
                    f"household {hid} is no longer waiting (status {status})",
                    "household_taken",
                    status=status,
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
                    "decided_by": by,
                    "decided_at": now,
                }
                for p in placements
            ],
        )
    return CommitResult(run_id, len(placements), sum(p.persons for p in placements), now)
