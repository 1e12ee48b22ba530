"""Synthetic skills, licences and credentials, drawn from the taxonomy's occupation → skill links.

Every draw is one row per (holder, linked skill) in numpy arrays, so 50,000 households cost no
loop per member. Rates are named in :mod:`matching.synthetic.priors` (see
docs/synthetic_programme.md); skill codes are the taxonomy's (data/taxonomy/skills.csv), the
same codes the scorer (:mod:`matching.scoring.skills`) and the API store.

The licence bit mask of :data:`matching.domain.LICENCES`, on which the scorer gates, and the
skill codes agree: a member's mask holds exactly the licences their codes stand for
(:data:`~matching.synthetic.priors.LICENCE_SKILLS`, implications included), and a vacancy's
mask holds its occupation's licences plus every licence its listed codes name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.domain import LICENCES
from matching.synthetic.priors import (
    ESSENTIAL_SKILL_HELD,
    LICENCE_SKILLS,
    OCCUPATION_LICENCE_HELD,
    OCCUPATION_LICENCES,
    OPTIONAL_SKILL_HELD,
    SECTOR_OCCUPATIONS,
    SECTORS,
    STRAY_SKILL_SHARE,
    VACANCY_MAX_SKILLS,
    VACANCY_NO_SKILLS_SHARE,
    VACANCY_OPTIONAL_LISTED,
    IntArray,
)

BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]


def _bits(licences: Iterable[str]) -> int:
    out = 0
    for lic in licences:
        out |= 1 << LICENCES.index(lic)
    return out


def _closure(code: str, implies: dict[str, tuple[str, ...]]) -> set[str]:
    seen, todo = {code}, [code]
    while todo:
        for nxt in implies.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@dataclass(frozen=True)
class SkillLinks:
    """The taxonomy's skills and occupation links as flat arrays, for vectorized draws.

    Skill ids index :attr:`codes` (sorted, so id order is code order); link rows are grouped
    by occupation (``start``/``count`` per entry of :attr:`occupations`, sorted).
    """

    codes: ObjectArray  # skill code per id
    occupations: ObjectArray  # the generator's occupation codes, sorted
    start: IntArray  # per occupation: first link row
    count: IntArray  # per occupation: number of link rows
    skill: IntArray  # per link row: skill id
    essential: BoolArray  # per link row: relation "essential"
    family: IntArray  # per link row: the occupation's licences that holding the code gives
    occupation_licences: IntArray  # per occupation: bits of OCCUPATION_LICENCES
    held_bits: IntArray  # per skill id: licences held through it (implications included)
    named_bits: IntArray  # per skill id: licences it names as written
    licence_skill: IntArray  # per licence of LICENCES: id of the code standing for it
    pool_start: IntArray  # per sector: first row of ``pool``
    pool_count: IntArray  # per sector: skills linked to the sector's occupations
    pool: IntArray  # skill ids, grouped by sector

    @classmethod
    def from_taxonomy(cls, taxonomy: Any) -> SkillLinks:
        """Links of every occupation the generator draws (``SECTOR_OCCUPATIONS``)."""
        codes = np.array(sorted(taxonomy.skills), dtype=object)
        sid = {c: i for i, c in enumerate(codes)}
        implies = {c: tuple(s.implies) for c, s in taxonomy.skills.items()}
        held_bits = np.zeros(len(codes), dtype=np.int64)
        named_bits = np.zeros(len(codes), dtype=np.int64)
        for b, lic in enumerate(LICENCES):
            stands = set(LICENCE_SKILLS[lic])
            for c, i in sid.items():
                if c in stands:
                    named_bits[i] |= 1 << b
                if stands & _closure(c, implies):
                    held_bits[i] |= 1 << b
        occs = sorted(
            {o for quals, elementary in SECTOR_OCCUPATIONS.values() for o in (*quals, elementary)}
        )
        start: list[int] = []
        count: list[int] = []
        skill: list[int] = []
        essential: list[bool] = []
        family: list[int] = []
        occ_lic: list[int] = []
        for occ in occs:
            bits = _bits(OCCUPATION_LICENCES.get(occ, ()))
            # Link codes the taxonomy does not define are left out (none in the shipped tables).
            rows = {s: rel for s, rel in taxonomy.occupation_skills.get(occ, ()) if s in sid}
            start.append(len(skill))
            count.append(len(rows))
            occ_lic.append(bits)
            for s, rel in sorted(rows.items()):
                skill.append(sid[s])
                essential.append(rel == "essential")
                family.append(int(held_bits[sid[s]]) & bits)
        pool_start: list[int] = []
        pool_count: list[int] = []
        pool: list[int] = []
        for sector in SECTORS:
            quals, elementary = SECTOR_OCCUPATIONS[sector]
            # Licences and what implies them are never stray: they come from their own draws.
            linked = sorted(
                {sid[s] for o in (*quals, elementary) for s, _ in
                 taxonomy.occupation_skills.get(o, ()) if s in sid and not held_bits[sid[s]]}
            )  # fmt: skip
            pool_start.append(len(pool))
            pool_count.append(len(linked))
            pool.extend(linked)
        as_int = lambda xs: np.array(xs, dtype=np.int64)  # noqa: E731
        return cls(
            codes=codes,
            occupations=np.array(occs, dtype=object),
            start=as_int(start), count=as_int(count), skill=as_int(skill),
            essential=np.array(essential, dtype=bool), family=as_int(family),
            occupation_licences=as_int(occ_lic), held_bits=held_bits, named_bits=named_bits,
            licence_skill=as_int([sid[LICENCE_SKILLS[lic][0]] for lic in LICENCES]),
            pool_start=as_int(pool_start), pool_count=as_int(pool_count), pool=as_int(pool),
        )  # fmt: skip

    def occupation_index(self, occupations: ObjectArray) -> IntArray:
        """Row of each occupation code in :attr:`occupations` (every code must be there)."""
        idx = np.searchsorted(self.occupations, occupations).astype(np.int64)
        if len(idx) and not (self.occupations[np.minimum(idx, len(self.occupations) - 1)]
                             == occupations).all():  # fmt: skip
            raise ValueError("an occupation outside SECTOR_OCCUPATIONS has no links table")
        return idx

    def links_of(self, occ: IntArray) -> tuple[IntArray, IntArray]:
        """Every link row of each occupation: (position in ``occ``, link row) pairs."""
        n = self.count[occ]
        pos = np.repeat(np.arange(len(occ), dtype=np.int64), n)
        within = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
        return pos, self.start[occ][pos] + within

    def lists(self, n: int, rows: IntArray, ids: IntArray) -> pl.Series:
        """One sorted list of skill codes per row ``0 … n-1`` from (row, skill id) pairs."""
        # Sorting row · ids + id gives each row's ids ascending, i.e. codes in code order;
        # equal neighbours are the same pair drawn twice.
        key = np.sort(rows * len(self.codes) + ids)
        key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
        codes = pl.Series(self.codes.tolist(), dtype=pl.Utf8).gather(key % len(self.codes))
        return pair_lists(n, key // len(self.codes), codes)


def pair_lists(n: int, rows: IntArray, values: pl.Series) -> pl.Series:
    """One list per row ``0 … n-1`` of the ``values`` paired with it, in pair order.

    ``rows`` must be ascending; rows without a pair get an empty list.
    """
    dtype = pl.List(values.dtype)
    if n == 0:
        return pl.Series([], dtype=dtype)
    agg = (
        pl.DataFrame({"r": np.asarray(rows, dtype=np.int64), "v": values})
        .group_by("r", maintain_order=True)
        .agg("v")
    )
    full = pl.DataFrame({"r": np.arange(n, dtype=np.int64)}).join(
        agg, on="r", how="left", maintain_order="left"
    )
    return full["v"].fill_null(pl.lit([], dtype=dtype))


def draw_job_skills(
    rng: np.random.Generator, links: SkillLinks, holder: IntArray, occupation: ObjectArray
) -> tuple[IntArray, IntArray]:
    """(holder, skill id) pairs of the skills each job's holder brings from that occupation.

    The occupation's licences (OCCUPATION_LICENCES) are held with OCCUPATION_LICENCE_HELD,
    all together; a holder without them holds no code of those licences' families. Every
    other linked skill is held with ESSENTIAL_SKILL_HELD or OPTIONAL_SKILL_HELD.
    """
    occ = links.occupation_index(occupation)
    bits = links.occupation_licences[occ]
    licensed = (bits != 0) & (rng.random(len(occ)) < OCCUPATION_LICENCE_HELD)
    pos, link = links.links_of(occ)
    p = np.where(links.essential[link], ESSENTIAL_SKILL_HELD, OPTIONAL_SKILL_HELD)
    held = (rng.random(len(link)) < p) & ((links.family[link] == 0) | licensed[pos])
    out_h, out_s = [holder[pos[held]]], [links.skill[link[held]]]
    for b in range(len(LICENCES)):
        has = licensed & (bits >> b & 1).astype(bool)
        out_h.append(holder[has])
        out_s.append(np.full(int(has.sum()), links.licence_skill[b], dtype=np.int64))
    return np.concatenate(out_h), np.concatenate(out_s)


def draw_member_skills(
    rng: np.random.Generator,
    links: SkillLinks,
    n_members: int,
    car: BoolArray,
    job_holder: IntArray,
    job_occupation: ObjectArray,
    worker: IntArray,
    worker_sector: IntArray,
) -> tuple[pl.Series, IntArray]:
    """Skill codes and the licence mask of every member.

    Parameters
    ----------
    car
        Per member: holds a car licence (B) whatever their work.
    job_holder, job_occupation
        One row per job held (main and second occupations): member row and occupation code.
    worker, worker_sector
        Each worker's member row and sector index, for the stray skill of the sector.

    Returns
    -------
    (polars.Series, numpy.ndarray)
        A ``List(Utf8)`` of sorted codes per member, and the mask their codes stand for.
    """
    h, s = draw_job_skills(rng, links, job_holder, job_occupation)
    stray = (rng.random(len(worker)) < STRAY_SKILL_SHARE) & (links.pool_count[worker_sector] > 0)
    sec = worker_sector[stray]
    pick = links.pool_start[sec] + (rng.random(len(sec)) * links.pool_count[sec]).astype(np.int64)
    drivers = np.flatnonzero(car).astype(np.int64)
    rows = np.concatenate([h, worker[stray], drivers])
    ids = np.concatenate(
        [s, links.pool[pick], np.full(len(drivers), links.licence_skill[LICENCES.index("B")])]
    )
    mask = np.zeros(n_members, dtype=np.int64)
    np.bitwise_or.at(mask, rows, links.held_bits[ids])
    return links.lists(n_members, rows, ids), mask


def draw_vacancy_skills(
    rng: np.random.Generator, links: SkillLinks, occupation: ObjectArray
) -> tuple[pl.Series, IntArray]:
    """Required skills of each vacancy and its licence mask (occupation's plus those named).

    A share VACANCY_NO_SKILLS_SHARE lists none; the others list every essential skill of the
    occupation and each optional one with VACANCY_OPTIONAL_LISTED, at most VACANCY_MAX_SKILLS
    (essential ones first, the rest in random order).
    """
    n = len(occupation)
    occ = links.occupation_index(occupation)
    lists = rng.random(n) >= VACANCY_NO_SKILLS_SHARE
    pos, link = links.links_of(occ)
    keep = lists[pos] & (links.essential[link] | (rng.random(len(link)) < VACANCY_OPTIONAL_LISTED))
    pos, link = pos[keep], link[keep]
    # Rank within each vacancy: essential first, then a random order; keep the first few.
    order = np.lexsort((rng.random(len(link)), ~links.essential[link], pos))
    pos, link = pos[order], link[order]
    first = np.searchsorted(pos, pos, side="left")
    rank = np.arange(len(pos)) - first
    pos, ids = pos[rank < VACANCY_MAX_SKILLS], links.skill[link[rank < VACANCY_MAX_SKILLS]]
    mask = links.occupation_licences[occ].copy()
    np.bitwise_or.at(mask, pos, links.named_bits[ids])
    return links.lists(n, pos, ids), mask
