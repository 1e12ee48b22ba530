"""Integrity of the skill tables: skills.csv, skill_aliases.csv and occupation_skills.csv.

The checks read the CSV files directly, so they hold whatever loader the library puts on top.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

TAXONOMY = Path(__file__).resolve().parents[2] / "data" / "taxonomy"

GROUPS = {
    "driving_licence",
    "tractor_licence",
    "welding",
    "electrical_safety",
    "teaching",
    "medical",
    "language",
    "computer",
    "trade",
    "agriculture",
    "construction",
    "transport",
    "safety",
    "care",
    "service",
    "management",
    "other",
}
LANGS = {"en", "ru", "kk", "kk_latn"}
KINDS = {"title", "feminine", "abbreviation", "misspelling", "variant", "colloquial"}
RELATIONS = {"essential", "optional"}
# A readable dotted code: a lowercase family, then one or more dotted parts (`lic.drive.CE`).
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$")
CYRILLIC_RE = re.compile(r"[\u0400-\u04FF]")
KAZAKH_ONLY_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def read_rows(name: str) -> list[dict[str, str]]:
    path = TAXONOMY / name
    if not path.exists():
        pytest.fail(f"{path} is missing")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def skills() -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in read_rows("skills.csv")}


@cache
def implies_graph() -> dict[str, list[str]]:
    return {code: [c for c in row["implies"].split(";") if c] for code, row in skills().items()}


def closure(code: str) -> set[str]:
    """Every skill that `code` implies, directly or through a chain."""
    graph = implies_graph()
    seen: set[str] = set()
    stack = list(graph[code])
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(graph[current])
    return seen


# --- skills.csv -----------------------------------------------------------------------------


def test_skills_header_and_size() -> None:
    rows = read_rows("skills.csv")
    assert list(rows[0]) == [
        "code",
        "group",
        "title_en",
        "title_ru",
        "title_kk",
        "is_credential",
        "implies",
    ]
    assert len(rows) >= 300
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes)), "skill codes repeat"


def test_skill_codes_groups_and_flags() -> None:
    for code, row in skills().items():
        assert CODE_RE.match(code), f"bad code {code!r}"
        assert row["group"] in GROUPS, f"{code}: unknown group {row['group']!r}"
        assert row["is_credential"] in {"true", "false"}, code


def test_every_group_is_populated() -> None:
    counts: dict[str, int] = defaultdict(int)
    for row in skills().values():
        counts[row["group"]] += 1
    # `other` is a catch-all and may stay small; every named group must hold something.
    assert GROUPS - {"other"} <= set(counts)


def test_titles_present_in_three_languages_and_scripts() -> None:
    for code, row in skills().items():
        for column in ("title_en", "title_ru", "title_kk"):
            text = row[column]
            assert text.strip() == text and text, f"{code}: empty or padded {column}"
            assert unicodedata.normalize("NFC", text) == text, f"{code}: {column} not NFC"
        assert not CYRILLIC_RE.search(row["title_en"]), f"{code}: Cyrillic in English title"
        assert CYRILLIC_RE.search(row["title_ru"]), f"{code}: Russian title has no Cyrillic"
        assert CYRILLIC_RE.search(row["title_kk"]), f"{code}: Kazakh title has no Cyrillic"
        assert not KAZAKH_ONLY_LETTERS & set(row["title_ru"]), f"{code}: Kazakh letter in Russian"


def test_kazakh_titles_are_not_russian_copies() -> None:
    same = [c for c, r in skills().items() if r["title_kk"] == r["title_ru"]]
    # Loan words (Терапия, Аудит, AutoCAD) are legitimately identical; whole tables are not.
    assert len(same) < 0.1 * len(skills()), same


def test_implies_references_existing_codes_without_self_loops() -> None:
    for code, targets in implies_graph().items():
        for target in targets:
            assert target in skills(), f"{code} implies unknown {target}"
            assert target != code, f"{code} implies itself"
        assert len(targets) == len(set(targets)), f"{code}: repeated implies"


def test_implies_has_no_cycles() -> None:
    graph = implies_graph()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                pytest.fail("implies cycle: " + " -> ".join([*path, node, nxt]))
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for code in graph:
        if code not in state:
            visit(code, [])


def test_driving_licences_imply_only_driving_licences() -> None:
    # A driving licence can only imply other driving licences: a lorry licence does not
    # make anyone a welder. Other families (machines -> licences) may cross groups.
    for code, row in skills().items():
        if row["group"] == "driving_licence":
            assert row["is_credential"] == "true"
            for target in implies_graph()[code]:
                assert skills()[target]["group"] == "driving_licence", (code, target)


KAZAKH_DRIVING_CATEGORIES = [
    "A1",
    "A",
    "B1",
    "B",
    "BE",
    "C1",
    "C",
    "C1E",
    "CE",
    "D1",
    "D",
    "D1E",
    "DE",
    "Tm",
    "Tb",
]


def test_kazakhstan_licence_and_certificate_families_are_complete() -> None:
    codes = set(skills())
    for cat in KAZAKH_DRIVING_CATEGORIES:
        assert f"lic.drive.{cat}" in codes
    for cat in "ABCDEF":
        assert f"lic.tractor.{cat}" in codes
    for roman in ("I", "II", "III", "IV", "V"):
        assert f"elec.group.{roman}" in codes
    for grade in range(2, 7):
        assert f"weld.grade.{grade}" in codes
    for lang in ("kk", "ru", "en"):
        for level in ("A1", "A2", "B1", "B2", "C1", "C2"):
            assert f"lang.{lang}.{level}" in codes
    for category in ("moderator", "expert", "researcher", "master"):
        assert f"teach.cat.{category}" in codes
    for category in ("second", "first", "higher"):
        assert f"med.cat.{category}" in codes


@pytest.mark.parametrize(
    ("higher", "lower"),
    [
        ("lic.drive.CE", "lic.drive.C"),
        ("lic.drive.CE", "lic.drive.B"),
        ("lic.drive.DE", "lic.drive.D"),
        ("lic.drive.C", "lic.drive.C1"),
        ("elec.group.IV", "elec.group.III"),
        ("elec.group.V", "elec.group.II"),
        ("weld.grade.6", "weld.grade.3"),
        ("teach.cat.master", "teach.cat.moderator"),
        ("med.cat.higher", "med.cat.second"),
        ("lang.en.C2", "lang.en.A1"),
        ("lang.kk.kaztest.B2", "lang.kk.B1"),
    ],
)
def test_higher_credentials_imply_lower_ones(higher: str, lower: str) -> None:
    assert lower in closure(higher)
    assert higher not in closure(lower)


def test_no_driving_category_implies_a_bus_from_a_lorry() -> None:
    # Lorry and bus licences are separate ladders in the Law on road traffic.
    assert not any(c.startswith("lic.drive.D") for c in closure("lic.drive.CE"))
    assert not any(c.startswith("lic.drive.C") for c in closure("lic.drive.DE"))


# --- skill_aliases.csv ----------------------------------------------------------------------


@cache
def alias_rows() -> list[dict[str, str]]:
    return read_rows("skill_aliases.csv")


def test_alias_header_size_and_references() -> None:
    rows = alias_rows()
    assert list(rows[0]) == ["code", "alias", "lang", "kind"]
    assert len(rows) >= 1500
    for row in rows:
        assert row["code"] in skills(), f"alias for unknown skill {row['code']}"
        assert row["lang"] in LANGS, row
        assert row["kind"] in KINDS, row
        assert row["alias"] and row["alias"].strip() == row["alias"], row


def test_every_language_has_aliases_and_latin_script_ones_are_latin() -> None:
    by_lang: dict[str, int] = defaultdict(int)
    for row in alias_rows():
        by_lang[row["lang"]] += 1
        if row["lang"] in {"kk_latn", "en"}:
            assert not CYRILLIC_RE.search(row["alias"]), row
        assert "  " not in row["alias"], row
    assert all(by_lang[lang] >= 100 for lang in LANGS), dict(by_lang)


def test_an_alias_names_one_skill_only() -> None:
    owner: dict[tuple[str, str], str] = {}
    for row in alias_rows():
        key = (row["alias"].casefold(), row["lang"])
        assert owner.setdefault(key, row["code"]) == row["code"], (
            f"{row['alias']!r} ({row['lang']}) names both {owner[key]} and {row['code']}"
        )


def test_aliases_do_not_repeat_titles() -> None:
    titles = {
        (row[f"title_{lang}"].casefold(), lang)
        for row in skills().values()
        for lang in ("en", "ru", "kk")
    }
    repeats = [r for r in alias_rows() if (r["alias"].casefold(), r["lang"]) in titles]
    assert not repeats, repeats[:5]


def test_most_skills_have_extra_aliases() -> None:
    with_alias = {row["code"] for row in alias_rows()}
    assert len(with_alias) >= 0.95 * len(skills())


@pytest.mark.parametrize(
    ("alias", "code"),
    [
        ("кат. В", "lic.drive.B"),  # Cyrillic В, as typed on a Russian keyboard
        ("кат. B", "lic.drive.B"),
        ("в/у кат. С", "lic.drive.C"),
        ("права категории Е", "lic.drive.CE"),  # the Soviet single trailer category
        ("ЭБ III гр.", "elec.group.III"),
        ("1С", "it.1c"),
        ("эксель", "it.excel"),
        ("педагог-сарапшы", "teach.cat.expert"),
    ],
)
def test_common_spellings_resolve(alias: str, code: str) -> None:
    found = {r["code"] for r in alias_rows() if r["alias"].casefold() == alias.casefold()}
    assert found == {code}


# --- occupation_skills.csv ------------------------------------------------------------------


@cache
def occupation_skill_rows() -> list[dict[str, str]]:
    return read_rows("occupation_skills.csv")


def test_occupation_skills_shape() -> None:
    rows = occupation_skill_rows()
    assert list(rows[0]) == ["occupation", "skill", "relation"]
    pairs = [(r["occupation"], r["skill"]) for r in rows]
    assert len(pairs) == len(set(pairs)), "repeated occupation-skill pair"
    for row in rows:
        assert row["skill"] in skills(), f"unknown skill {row['skill']}"
        assert row["relation"] in RELATIONS, row
        assert re.fullmatch(r"\d{4}|Q\d{4}\.\d{2}", row["occupation"]), row


def test_occupation_skills_reference_isco_unit_groups() -> None:
    path = TAXONOMY / "isco08.csv"
    if not path.exists():
        pytest.skip("isco08.csv is not written yet: unit-group references cannot be checked")
    units = {r["code"] for r in read_rows("isco08.csv") if r["level"] == "4"}
    for row in occupation_skill_rows():
        occ = row["occupation"]
        if len(occ) == 4:
            assert occ in units, f"{occ} is not an ISCO-08 unit group"


def test_occupation_skills_reference_qonys_occupations() -> None:
    path = TAXONOMY / "occupations.csv"
    if not path.exists():
        pytest.skip("occupations.csv is not written yet: occupation codes cannot be checked")
    occupations = {r["code"]: r["isco"] for r in read_rows("occupations.csv")}
    for row in occupation_skill_rows():
        occ = row["occupation"]
        if occ.startswith("Q"):
            assert occ in occupations, f"{occ} is not in occupations.csv"
            assert occupations[occ] == occ[1:5], f"{occ}: code and ISCO group disagree"


def test_occupation_rows_refine_their_unit_group() -> None:
    # An occupation row may raise a skill of its unit group to essential (a surgeon among
    # specialist doctors); repeating the group's pair or lowering it says nothing new.
    by_pair = {(r["occupation"], r["skill"]): r["relation"] for r in occupation_skill_rows()}
    for (occ, skill), relation in by_pair.items():
        group_relation = by_pair.get((occ[1:5], skill)) if occ.startswith("Q") else None
        if group_relation is not None:
            assert (group_relation, relation) == ("optional", "essential"), (occ, skill)


def test_every_listed_occupation_has_an_essential_skill() -> None:
    # A unit group whose occupations differ in their core craft (agronomist vs zootechnician
    # among farm advisers) may leave essentials to its occupations; then each of them has one.
    essential: dict[str, set[str]] = defaultdict(set)
    listed: set[str] = set()
    for row in occupation_skill_rows():
        listed.add(row["occupation"])
        if row["relation"] == "essential":
            essential[row["occupation"]].add(row["skill"])
    occupations_by_group: dict[str, list[str]] = defaultdict(list)
    for occ in listed:
        if occ.startswith("Q"):
            occupations_by_group[occ[1:5]].append(occ)
    if (TAXONOMY / "occupations.csv").exists():
        # occupations without rows of their own count too: they rely on their group alone
        for row in read_rows("occupations.csv"):
            if row["isco"] in listed and row["code"] not in occupations_by_group[row["isco"]]:
                occupations_by_group[row["isco"]].append(row["code"])
    for occ in listed:
        if occ.startswith("Q"):
            assert essential[occ] | essential[occ[1:5]], f"{occ} has no essential skill"
        elif not essential[occ]:
            assert occupations_by_group[occ], f"unit group {occ} has no essential skill"
            for child in occupations_by_group[occ]:
                assert essential[child], f"{child} has no essential skill"


@pytest.mark.parametrize(
    ("unit_group", "skill_prefix"),
    [
        ("8331", "lic.drive."),  # bus, tram and trolleybus drivers
        ("8332", "lic.drive.C"),  # heavy truck drivers
        ("7212", "weld."),  # welders and flame cutters
        ("7411", "elec.group."),  # building electricians
        ("8341", "lic.tractor."),  # mobile farm machinery operators
        ("2341", "teach."),  # primary school teachers
        ("3221", "med.nursing"),  # nursing associate professionals
    ],
)
def test_regulated_work_requires_its_credential(unit_group: str, skill_prefix: str) -> None:
    # Checked for each occupation of the group (its own rows plus the group's), or for the
    # group itself while occupations.csv lists none of it.
    essential: dict[str, set[str]] = defaultdict(set)
    for row in occupation_skill_rows():
        if row["relation"] == "essential":
            essential[row["occupation"]].add(row["skill"])
    members: list[str] = []
    if (TAXONOMY / "occupations.csv").exists():
        members = [r["code"] for r in read_rows("occupations.csv") if r["isco"] == unit_group]
    for occ in members or [unit_group]:
        found = essential[occ] | essential[unit_group]
        assert any(code.startswith(skill_prefix) for code in found), (occ, found)
