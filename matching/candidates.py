"""Candidate generation: which (vacancy, home, second vacancy) triples are worth scoring.

Scoring every household against every vacancy and home is quadratic. The index here groups
rows once — qualified vacancies by occupation, all vacancies by occupation, homes by
locality, households by occupation — so a query touches only the vacancies a member could
qualify for (similarity ≥ the qualification threshold), the homes that fit in their
localities, and the best second job per locality. Everything is numpy; the only Python
loops run over occupations or earner slots, never over pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.domain import EDUCATION_LEVELS, HOME_KINDS
from matching.ordering import lex_order
from matching.scoring.components import member_fit
from matching.scoring.features import REGION_CODES, Catalogue, HouseholdFrame
from matching.scoring.similarity import OccupationSpace
from matching.scoring.weights import TENURE_MATCH, ScoringConfig

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_BED = HOME_KINDS.index("accommodation_bed")
# Wages above this rank equal in the per-locality pre-ranking of jobs (see MatchIndex).
WAGE_CAP = 1_000_000.0


def sorted_unique(values: IntArray) -> IntArray:
    """Sorted distinct values. Sorting beats numpy's hash-based ``unique`` on the large
    integer key arrays built here."""
    a = np.sort(np.asarray(values, dtype=np.int64))
    if len(a) == 0:
        return a
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


@dataclass(frozen=True)
class Groups:
    """Rows grouped by an integer key (CSR layout): rows of key k are ``rows[ptr[k]:ptr[k+1]]``."""

    ptr: IntArray
    rows: IntArray

    @classmethod
    def build(cls, keys: IntArray, n_keys: int, mask: BoolArray | None = None) -> Groups:
        keep = (keys >= 0) if mask is None else (mask & (keys >= 0))
        rows = np.flatnonzero(keep)
        order = np.argsort(keys[rows], kind="stable")
        rows = rows[order]
        counts = np.bincount(keys[rows], minlength=n_keys)
        ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(ptr=ptr, rows=rows.astype(np.int64))

    @classmethod
    def from_pairs(cls, keys: IntArray, rows: IntArray, n_keys: int) -> Groups:
        """Group explicit (key, row) pairs; a row may sit under several keys."""
        order = lex_order((rows, keys))
        counts = (
            np.bincount(keys, minlength=n_keys) if len(keys) else np.zeros(n_keys, dtype=np.int64)
        )
        ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(ptr=ptr, rows=rows[order].astype(np.int64))

    def expand(self, keys: IntArray) -> tuple[IntArray, IntArray]:
        """Rows of every key, vectorized: (position of the key in ``keys``, row)."""
        keys = np.asarray(keys, dtype=np.int64)
        valid = (keys >= 0) & (keys < len(self.ptr) - 1)
        safe = np.where(valid, keys, 0)
        starts = self.ptr[safe]
        counts = np.where(valid, self.ptr[safe + 1] - starts, 0)
        owner = np.repeat(np.arange(len(keys), dtype=np.int64), counts)
        offs = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(counts) - counts, counts
        )
        return owner, self.rows[np.repeat(starts, counts) + offs]

    def of(self, keys: IntArray) -> IntArray:
        """Concatenated rows of several keys (keys beyond the table give nothing)."""
        keys = keys[(keys >= 0) & (keys < len(self.ptr) - 1)]
        if len(keys) == 0:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([self.rows[self.ptr[k] : self.ptr[k + 1]] for k in keys])


def _first_slots(members: IntArray) -> BoolArray:
    """Slots that hold their member's first appearance in the row (filled slots only)."""
    same = members[:, :, None] == members[:, None, :]
    earlier = np.tril(np.ones((members.shape[1],) * 2, dtype=bool), -1)
    return (members >= 0) & ~(same & earlier[None, :, :]).any(axis=2)


class CandidateIndex:
    """Groupings of a catalogue used to generate options quickly.

    Parameters
    ----------
    catalogue, space, config
        What the scorer uses.
    homes_per_locality
        Homes kept per (household, locality), best pre-scored first.
    vacancies_per_locality
        Qualifying vacancies kept per (household, locality), best fit first.
    prune_profiles
        Index only the vacancies a query can pick (see :meth:`_prune`); results are the
        same either way, pruning makes queries faster.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        space: OccupationSpace,
        config: ScoringConfig,
        *,
        homes_per_locality: int = 2,
        vacancies_per_locality: int = 4,
        prune_profiles: bool = True,
    ) -> None:
        self.catalogue = catalogue
        self.vacancies_per_locality = vacancies_per_locality
        self.prune_profiles = prune_profiles
        self.space = space
        self.config = config
        self.homes_per_locality = homes_per_locality
        cat = catalogue
        self.vacancy_open = np.ones(len(cat.v_occ), dtype=bool)
        self.home_open = np.ones(len(cat.h_kind), dtype=bool)
        dest = np.array([c in config.destination_regions for c in REGION_CODES])
        self.locality_ok = (cat.l_region >= 0) & dest[np.maximum(cat.l_region, 0)]
        self.rebuild()

    def rebuild(self) -> None:
        """Recompute the groupings (after the occupation space or availability changed)."""
        cat = self.catalogue
        k = len(self.space.codes)
        in_dest = (cat.v_loc >= 0) & self.locality_ok[np.maximum(cat.v_loc, 0)]
        usable = self.vacancy_open & in_dest
        qualified_by_occ = Groups.build(cat.v_occ, k, usable & cat.v_qualified)
        vacancies_by_occ = Groups.build(cat.v_occ, k, usable)
        fits = self.home_open & (cat.h_kind != _BED)
        self.homes_by_locality = Groups.build(cat.h_loc, len(cat.l_region), fits)
        self.similar = self.space.matrix >= self.config.min_similarity
        # Per occupation code: the open vacancies whose occupation is similar enough to
        # qualify (qualified posts) or to be worth a second job (any post).
        n_loc = len(cat.l_region)
        code, rows = self._by_similar(qualified_by_occ, k)
        code, rows = self._prune(code, rows, self.vacancies_per_locality, by_wage=True)
        self.qualified_by_similar = Groups.from_pairs(code, rows, k)
        code, rows = self._by_similar(vacancies_by_occ, k)
        code, rows = self._prune(code, rows, 2, by_wage=False)
        # Second jobs are looked up only in the option's locality: key code × locality.
        self.vacancies_by_similar_locality = Groups.from_pairs(
            code * n_loc + cat.v_loc[rows], rows, k * n_loc
        )
        self._home_tables: dict[tuple[int, int, bool], IntArray] = {}

    def _by_similar(self, groups: Groups, k: int) -> tuple[IntArray, IntArray]:
        """(code, vacancy row) for every code and every vacancy of a similar occupation."""
        parts = []
        counts = np.zeros(k, dtype=np.int64)
        for code in range(k):  # once per occupation code, at build time
            rows = sorted_unique(groups.of(np.flatnonzero(self.similar[code]).astype(np.int64)))
            parts.append(rows)
            counts[code] = len(rows)
        rows = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
        return np.repeat(np.arange(k, dtype=np.int64), counts), rows

    def _prune(
        self, code: IntArray, rows: IntArray, keep: int, *, by_wage: bool
    ) -> tuple[IntArray, IntArray]:
        """Keep ``keep`` vacancies per (code, locality, job profile).

        A vacancy's fit for any earner depends only on its profile (occupation, required
        education, licences, required skills), so a query that keeps the best ``keep`` per locality —
        ordered by fit, then wage (``by_wage``), then row — only ever picks among the first
        ``keep`` vacancies of each profile in that order. Pruning here keeps results exact.
        """
        cat = self.catalogue
        if len(rows) == 0 or not self.prune_profiles:
            return code, rows
        loc = cat.v_loc[rows]
        profile = (cat.v_occ[rows] * len(EDUCATION_LEVELS) + cat.v_edu[rows]) * 256 + cat.v_lic[
            rows
        ]
        n_sets = int(cat.v_skill_set.max(initial=0)) + 1
        if n_sets > 1:
            # Required skills change the fit too; compact ids keep the group key small.
            profile = np.unique(profile * n_sets + cat.v_skill_set[rows], return_inverse=True)[1]
            profile = profile.astype(np.int64)
        wage = -np.minimum(cat.v_wage[rows], WAGE_CAP) if by_wage else np.zeros(len(rows))
        order = lex_order((rows, wage, profile, loc, code))
        code, rows, loc, profile = code[order], rows[order], loc[order], profile[order]
        group = (code * len(cat.l_region) + loc) * (int(profile.max()) + 1) + profile
        rank = np.arange(len(group)) - np.searchsorted(group, group, side="left")
        kept = rank < keep
        return code[kept], rows[kept]

    def set_open(
        self, *, vacancy_rows: IntArray | None = None, home_rows: IntArray | None = None,
        is_open: bool = False,
    ) -> None:  # fmt: skip
        """Mark vacancies or homes as taken (``is_open=False``) or released, then regroup."""
        if vacancy_rows is not None:
            self.vacancy_open[vacancy_rows] = is_open
        if home_rows is not None:
            self.home_open[home_rows] = is_open
        self.rebuild()

    def sync(self) -> None:
        """Regroup when the occupation space grew (new household codes were registered)."""
        if self.similar.shape[0] != len(self.space.codes):
            self.rebuild()

    def _slot_pairs(self, hf: HouseholdFrame, rows: IntArray) -> tuple[IntArray, IntArray]:
        """(household row, occupation code) of every filled earner slot of ``rows``."""
        occ = hf.slot_occ[rows]
        r, _ = np.nonzero(occ >= 0)
        return rows[r], occ[occ >= 0]

    def primary_pairs(self, hf: HouseholdFrame, rows: IntArray) -> tuple[IntArray, IntArray]:
        """Unique (household row, vacancy row) pairs a member might qualify for, sorted."""
        self.sync()
        h, occ = self._slot_pairs(hf, rows)
        owner, vac = self.qualified_by_similar.expand(occ)
        key = sorted_unique(h[owner] * len(self.catalogue.v_occ) + vac)
        return key // len(self.catalogue.v_occ), key % len(self.catalogue.v_occ)

    def home_table(self, tenure: int, persons: int, accessible: bool) -> IntArray:
        """``(localities, homes_per_locality)`` best fitting homes (-1 = none), cached.

        The pre-score ranks homes on what does not depend on the job — tenure wanted,
        condition, size, cost — so one table serves every household with the same
        (tenure, size, accessibility); the full score decides among the kept homes.
        """
        key = (tenure, persons, accessible)
        if key in self._home_tables:
            return self._home_tables[key]
        cat = self.catalogue
        homes = self.homes_by_locality.rows
        fit = cat.h_capacity[homes] >= persons
        if accessible:
            fit &= cat.h_accessible[homes]
        homes = homes[fit]
        tenure_fit = TENURE_MATCH[tenure, cat.h_kind[homes]]
        # Oversized homes rank lower so that big homes stay free for big families.
        spare = (cat.h_capacity[homes] - persons) / 10.0
        cost = (cat.h_rent[homes] + cat.h_price[homes] / 120.0) / 1e6
        pre = tenure_fit + 0.2 * cat.h_condition[homes] / 5.0 - 0.1 * spare - 0.2 * cost
        loc = cat.h_loc[homes]
        order = lex_order((homes, -pre, loc))
        homes, loc = homes[order], loc[order]
        rank = np.arange(len(loc)) - np.searchsorted(loc, loc, side="left")
        keep = rank < self.homes_per_locality
        table = np.full((len(cat.l_region), self.homes_per_locality), -1, dtype=np.int64)
        table[loc[keep], rank[keep]] = homes[keep]
        self._home_tables[key] = table
        return table

    def homes_for(
        self, hf: HouseholdFrame, hrow: IntArray, lrow: IntArray
    ) -> tuple[IntArray, IntArray]:
        """Best homes for (household, locality) pairs: (pair position, home row)."""
        tenure = np.maximum(hf.pref_tenure[hrow], 0)
        persons = np.minimum(hf.persons[hrow], 12)
        access = hf.needs_accessible[hrow]
        code = (tenure * 13 + persons) * 2 + access
        owners, homes = [], []
        for c in np.unique(code):  # one per (tenure, size, accessibility) class
            sel = np.flatnonzero(code == c)
            c = int(c)
            table = self.home_table(c // 26, (c // 2) % 13, bool(c % 2))
            picked = table[lrow[sel]]  # (len(sel), homes_per_locality)
            r, j = np.nonzero(picked >= 0)
            owners.append(sel[r])
            homes.append(picked[r, j])
        if not owners:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        owner = np.concatenate(owners)
        home = np.concatenate(homes)
        order = lex_order((home, owner))
        return owner[order], home[order]

    def second_entries(
        self, hf: HouseholdFrame, rows: IntArray, group_keys: IntArray
    ) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
        """Best two open posts per (household, locality, member) for second earners.

        ``group_keys`` are the sorted ``household row × localities + locality row`` keys
        of the options. Returns (group key, member, vacancy row, fit) sorted by key,
        member, decreasing fit and vacancy, at most two rows per (key, member).
        """
        cat = self.catalogue
        n_loc = len(cat.l_region)
        empty = np.zeros(0, dtype=np.int64)
        rows = rows[hf.seekers[rows] >= 2]
        if len(rows) == 0 or len(group_keys) == 0:
            return empty, empty, empty, np.zeros(0)
        # (household, locality) groups of those households × their filled earner slots.
        g_h = group_keys // n_loc
        g_l = group_keys % n_loc
        g_keep = np.isin(g_h, rows)
        g_h, g_l = g_h[g_keep], g_l[g_keep]
        occ = hf.slot_occ[g_h]  # (groups, slots)
        gi, si = np.nonzero(occ >= 0)
        owner, vac = self.vacancies_by_similar_locality.expand(occ[gi, si] * n_loc + g_l[gi])
        pair = sorted_unique(g_h[gi][owner] * len(cat.v_occ) + vac)
        h, vac = pair // len(cat.v_occ), pair % len(cat.v_occ)
        members = hf.slot_member[h]  # (n, slots)
        # Each member's fit is the best over that member's slots; emit it once per member
        # (at the member's first slot), so no deduplication is needed afterwards.
        best = member_fit(hf, cat, self.space, h, vac, self.config)
        if len(h) and (h == h[0]).all():
            # One household (a request): one pattern of members over its slots.
            first_slot = np.broadcast_to(_first_slots(members[:1]), members.shape)
        else:
            first_slot = _first_slots(members)
        r, e = np.nonzero(first_slot)
        m = members[r, e]
        f = best[r, e]
        vv = vac[r]
        g = h[r] * n_loc + cat.v_loc[vv]
        order = lex_order((vv, -f, m, g))
        g, m, vv, f = g[order], m[order], vv[order], f[order]
        gm = g * 64 + m
        keep = (np.arange(len(gm)) - np.searchsorted(gm, gm, side="left")) < 2
        return g[keep], m[keep], vv[keep], f[keep]

    def households_for_vacancy(self, hf: HouseholdFrame, vrow: int) -> IntArray:
        """Household rows with an earner slot similar enough to the vacancy's occupation."""
        self.sync()
        occ = int(self.catalogue.v_occ[vrow])
        if occ < 0 or self.similar.size == 0:
            return np.zeros(0, dtype=np.int64)
        slot_occ = hf.slot_occ
        ok = (slot_occ >= 0) & self.similar[np.maximum(slot_occ, 0), occ]
        return np.flatnonzero(ok.any(axis=1)).astype(np.int64)
