"""Skills, licences and credentials of the synthetic programme (matching.synthetic.skills)."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.domain import LICENCES, licence_mask
from matching.programme.geography import load_reference
from matching.synthetic.priors import (
    LICENCE_SKILLS,
    OCCUPATION_LICENCE_HELD,
    OCCUPATION_LICENCES,
    SECTOR_OCCUPATIONS,
    VACANCY_MAX_SKILLS,
    VACANCY_NO_SKILLS_SHARE,
)
from matching.synthetic.programme import Programme, generate_programme, skills_summary
from taxonomy import Taxonomy
from taxonomy.load import default_taxonomy

KEY = ["household_id", "member_no"]
CAR = "lic.drive.B"


@lru_cache(maxsize=1)
def reference():  # type: ignore[no-untyped-def]
    return load_reference()


@lru_cache(maxsize=1)
def big() -> Programme:
    return generate_programme(6000, seed=11, reference=reference())


def small(n: int, seed: int) -> Programme:
    return generate_programme(n, 2 * n, seed=seed, reference=reference())


def linked(tax: Taxonomy, occupation: str, relation: str | None = None) -> set[str]:
    return {s for s, r in tax.occupation_skills.get(occupation, ()) if relation in (None, r)}


def closure(tax: Taxonomy, codes: set[str]) -> set[str]:
    out, todo = set(codes), list(codes)
    while todo:
        for nxt in tax.skill(todo.pop()).implies:
            if nxt not in out:
                out.add(nxt)
                todo.append(nxt)
    return out


def licences_of(tax: Taxonomy, codes: set[str], *, implied: bool) -> int:
    """Licences that ``codes`` stand for (with their implications for members)."""
    held = closure(tax, codes) if implied else codes
    return licence_mask(tuple(lic for lic in LICENCES if held & set(LICENCE_SKILLS[lic])))


def sector_pool(tax: Taxonomy, occupation: str) -> set[str]:
    """Skills linked to any occupation of a sector that employs ``occupation``."""
    out: set[str] = set()
    for quals, elementary in SECTOR_OCCUPATIONS.values():
        if occupation in (*quals, elementary):
            for occ in (*quals, elementary):
                out |= linked(tax, occ)
    return out


def occupation_licence_codes(occupation: str) -> set[str]:
    return {LICENCE_SKILLS[lic][0] for lic in OCCUPATION_LICENCES.get(occupation, ())}


def jobs(p: Programme) -> dict[tuple[str, int], list[str]]:
    """Occupations of each working member, main occupation first."""
    out: dict[tuple[str, int], list[str]] = {}
    for h, no, occ in p.experience.select(*KEY, "occupation").iter_rows():
        out.setdefault((h, no), []).append(occ)
    return out


def check_members(p: Programme, tax: Taxonomy) -> None:
    occupations = jobs(p)
    for h, no, skills, mask in p.members.select(*KEY, "skills", "licence_mask").iter_rows():
        held = set(skills)
        assert len(held) == len(skills) and skills == sorted(skills)
        assert held <= set(tax.skills), held - set(tax.skills)
        # The licence mask says exactly which licences the codes stand for.
        assert mask == licences_of(tax, held, implied=True)
        occs = occupations.get((h, no), [])
        own = {CAR}.union(*(linked(tax, o) | occupation_licence_codes(o) for o in occs))
        outside = held - own
        # At most one stray skill, from the main occupation's sector, never a licence.
        assert len(outside) <= (1 if occs else 0), (occs, outside)
        if outside:
            assert outside <= sector_pool(tax, occs[0])
            assert licences_of(tax, outside, implied=True) == 0


def check_vacancies(p: Programme, tax: Taxonomy) -> None:
    for occ, skills, mask in p.vacancies.select(
        "occupation", "required_skills", "required_licence_mask"
    ).iter_rows():
        need = set(skills)
        assert len(need) == len(skills) <= VACANCY_MAX_SKILLS
        assert need <= linked(tax, occ) and need <= set(tax.skills)
        essential = linked(tax, occ, "essential")
        if need and len(essential) <= VACANCY_MAX_SKILLS:
            assert essential <= need, "a vacancy listing skills lists its essential ones"
        occupation = licence_mask(OCCUPATION_LICENCES.get(occ, ()))
        assert mask == occupation | licences_of(tax, need, implied=False)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 150), st.integers(0, 2**31 - 1))
def test_every_skill_is_a_taxonomy_code_from_the_occupations_links(n: int, seed: int) -> None:
    p = small(n, seed)
    tax = default_taxonomy()
    check_members(p, tax)
    check_vacancies(p, tax)


def test_links_hold_at_scale() -> None:
    tax = default_taxonomy()
    check_members(big(), tax)
    check_vacancies(big(), tax)
    assert big().members["skills"].list.len().sum() > 0
    assert big().vacancies["required_skills"].list.len().sum() > 0


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 120), st.integers(0, 2**31 - 1))
def test_same_seed_same_skills_and_skills_leave_other_draws_alone(n: int, seed: int) -> None:
    a, b = small(n, seed), small(n, seed)
    assert a.members["skills"].equals(b.members["skills"])
    assert a.vacancies["required_skills"].equals(b.vacancies["required_skills"])
    # Without any occupation links nothing is drawn from the skill streams' results, and
    # every other column comes out the same: skills have streams of their own.
    bare = dataclasses.replace(default_taxonomy(), occupation_skills={})
    c = generate_programme(n, 2 * n, seed=seed, reference=reference(), taxonomy=bare)
    for frame in ("households", "experience", "employers", "homes", "localities", "network"):
        assert getattr(a, frame).equals(getattr(c, frame)), frame
    skill_cols = ["skills", "licence_mask"]
    assert a.members.drop(skill_cols).equals(c.members.drop(skill_cols))
    vac_cols = ["required_skills", "required_licence_mask"]
    assert a.vacancies.drop(vac_cols).equals(c.vacancies.drop(vac_cols))
    # Without links only licences remain, as codes that agree with the masks.
    check_members(c, bare)


def test_other_seed_other_skills() -> None:
    a, b = small(300, 1), small(300, 2)
    assert not a.members["skills"].equals(b.members["skills"])


class TestRates:
    """Drawn figures against the constants of priors.py (docs/synthetic_programme.md)."""

    def test_summary_figures(self) -> None:
        s = skills_summary(big())
        assert s["workers_missing_essential"] == pytest.approx(0.248, abs=0.03)  # T39 proxy
        assert s["licensed_workers_holding_licence"] == pytest.approx(
            OCCUPATION_LICENCE_HELD, abs=0.03
        )
        assert s["vacancies_without_skills"] == pytest.approx(VACANCY_NO_SKILLS_SHARE, abs=0.02)
        assert 2.0 <= s["worker_mean_skills"] <= 5.0
        assert 1.0 <= s["vacancy_mean_skills_when_listed"] <= VACANCY_MAX_SKILLS

    def test_not_every_worker_holds_every_required_skill(self) -> None:
        # Mismatch noise: among workers whose occupation has essential links, some lack one.
        tax = default_taxonomy()
        lacking = holding = 0
        for occs, skills in (
            big()
            .experience.group_by(KEY, maintain_order=True)
            .agg(pl.col("occupation").first())
            .join(big().members, on=KEY)
            .select("occupation", "skills")
            .iter_rows()
        ):
            essential = linked(tax, occs, "essential")
            if essential:
                lacking += not essential <= set(skills)
                holding += essential <= set(skills)
        assert lacking > 0 and holding > lacking


def test_domain_objects_carry_the_skills() -> None:
    p = small(80, 3)
    by_key = {(h, no): tuple(s) for h, no, s in p.members.select(*KEY, "skills").iter_rows()}
    for h in p.household_objects():
        for no, m in enumerate(h.members):
            assert m.skills == by_key[(h.household_id, no)]
    required = dict(p.vacancies.select("vacancy_id", "required_skills").iter_rows())
    assert all(tuple(required[v.vacancy_id]) == v.required_skills for v in p.vacancy_objects())
