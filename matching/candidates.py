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

from matching.domain import HOME_KINDS
from matching.scoring.components import slot_fit
from matching.scoring.features import REGION_CODES, Catalogue, HouseholdFrame
from matching.scoring.similarity import OccupationSpace
from matching.scoring.weights import TENURE_MATCH, ScoringConfig

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_BED = HOME_KINDS.index("accommodation_bed")


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

    def of(self, keys: IntArray) -> IntArray:
        """Concatenated rows of several keys (keys beyond the table give nothing)."""
        keys = keys[(keys >= 0) & (keys < len(self.ptr) - 1)]
        if len(keys) == 0:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([self.rows[self.ptr[k] : self.ptr[k + 1]] for k in keys])


class CandidateIndex:
    """Groupings of a catalogue used to generate options quickly.

    Parameters
    ----------
    catalogue, space, config
        What the scorer uses.
    homes_per_locality
        Homes kept per (option locality) for a household, best pre-scored first.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        space: OccupationSpace,
        config: ScoringConfig,
        *,
        homes_per_locality: int = 2,
    ) -> None:
        self.catalogue = catalogue
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
        self.qualified_by_occ = Groups.build(cat.v_occ, k, usable & cat.v_qualified)
        self.vacancies_by_occ = Groups.build(cat.v_occ, k, usable)
        fits = self.home_open & (cat.h_kind != _BED)
        self.homes_by_locality = Groups.build(cat.h_loc, len(cat.l_region), fits)
        self.similar = self.space.matrix >= self.config.min_similarity
        self._home_cache: dict[tuple[int, int, bool], tuple[IntArray, IntArray]] = {}

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

    def _similar_codes(self, occ: IntArray) -> IntArray:
        self.sync()
        occ = occ[occ >= 0]
        if len(occ) == 0 or self.similar.size == 0:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self.similar[np.unique(occ)].any(axis=0)).astype(np.int64)

    def primary_vacancies(self, hf: HouseholdFrame, hrow: int) -> IntArray:
        """Qualified open vacancies in destination localities that a member might qualify for."""
        return np.unique(self.qualified_by_occ.of(self._similar_codes(hf.slot_occ[hrow])))

    def best_homes(
        self, hf: HouseholdFrame, hrow: int, localities: IntArray
    ) -> tuple[IntArray, IntArray]:
        """Up to ``homes_per_locality`` fitting homes per locality, best pre-score first.

        Returns (home rows, their locality rows), sorted by locality. The pre-score ranks
        homes on what does not depend on the job — tenure wanted, condition, size, cost —
        so it is computed once per (tenure, household size, accessibility) for all
        localities and cached; the full score decides among the kept homes later.
        """
        key = (
            max(int(hf.pref_tenure[hrow]), 0),
            int(min(hf.persons[hrow], 12)),
            bool(hf.needs_accessible[hrow]),
        )
        if key not in self._home_cache:
            self._home_cache[key] = self._rank_homes(*key)
        homes, hloc = self._home_cache[key]
        keep = np.zeros(len(self.catalogue.l_region), dtype=bool)
        keep[localities] = True
        sel = keep[hloc]
        return homes[sel], hloc[sel]

    def _rank_homes(self, tenure: int, persons: int, accessible: bool) -> tuple[IntArray, IntArray]:
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
        order = np.lexsort((homes, -pre, loc))
        homes, loc = homes[order], loc[order]
        start = np.searchsorted(loc, loc, side="left")
        keep = (np.arange(len(loc)) - start) < self.homes_per_locality
        return homes[keep], loc[keep]

    def second_jobs(
        self, hf: HouseholdFrame, hrow: int, localities: IntArray
    ) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
        """Best two open vacancies per (locality, member) for every job-seeking member.

        Returns parallel arrays (locality row, member number, vacancy row, fit), sorted by
        locality, member and decreasing fit, at most two rows per (locality, member).
        """
        cat = self.catalogue
        empty = np.zeros(0, dtype=np.int64)
        if hf.seekers[hrow] < 2:
            return empty, empty, empty, np.zeros(0)
        vac = np.unique(self.vacancies_by_occ.of(self._similar_codes(hf.slot_occ[hrow])))
        vac = vac[np.isin(cat.v_loc[vac], localities)]
        if len(vac) == 0:
            return empty, empty, empty, np.zeros(0)
        hrows = np.full(len(vac), hrow, dtype=np.int64)
        fit, _, _ = slot_fit(hf, cat, self.space, hrows, vac, self.config)
        members = hf.slot_member[hrow]
        loc_out, mem_out, vac_out, fit_out = [], [], [], []
        for m in np.unique(members[members >= 0]):
            f = np.where(members == m, fit, -1.0).max(axis=1)
            loc_out.append(cat.v_loc[vac])
            mem_out.append(np.full(len(vac), m, dtype=np.int64))
            vac_out.append(vac)
            fit_out.append(f)
        loc = np.concatenate(loc_out)
        mem = np.concatenate(mem_out)
        vv = np.concatenate(vac_out)
        ff = np.concatenate(fit_out)
        order = np.lexsort((-ff, mem, loc))
        loc, mem, vv, ff = loc[order], mem[order], vv[order], ff[order]
        key = loc * 64 + mem
        start = np.searchsorted(key, key, side="left")
        keep = (np.arange(len(key)) - start) < 2
        return loc[keep], mem[keep], vv[keep], ff[keep]

    def households_for_vacancy(self, hf: HouseholdFrame, vrow: int) -> IntArray:
        """Household rows with an earner slot similar enough to the vacancy's occupation."""
        self.sync()
        occ = int(self.catalogue.v_occ[vrow])
        if occ < 0 or self.similar.size == 0:
            return np.zeros(0, dtype=np.int64)
        slot_occ = hf.slot_occ
        ok = (slot_occ >= 0) & self.similar[np.maximum(slot_occ, 0), occ]
        return np.flatnonzero(ok.any(axis=1)).astype(np.int64)
