"""Integrity of data/taxonomy/isco08.csv (the ISCO-08 structure in three languages)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from taxonomy.translit import KAZAKH_SPECIFIC_CYRILLIC

ROOT = Path(__file__).resolve().parents[2]
ISCO_CSV = ROOT / "data" / "taxonomy" / "isco08.csv"
ESCO_GROUPS = ROOT.parent / "shared" / "esco" / "ISCOGroups_en.csv"
COLUMNS = ["code", "level", "parent", "title_en", "title_ru", "title_kk"]
LATIN_RE = re.compile("[A-Za-z]")
# Russian text plus the Kazakh letters; digits and ordinary punctuation allowed.
CYRILLIC_TITLE_RE = re.compile(r"^[А-Яа-яЁё" + KAZAKH_SPECIFIC_CYRILLIC + r"0-9 ,()\-–]+$")


def read_rows() -> list[dict[str, str]]:
    with ISCO_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = read_rows()
BY_CODE = {row["code"]: row for row in ROWS}


def test_header_is_the_contract() -> None:
    with ISCO_CSV.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == COLUMNS


def test_row_and_level_counts() -> None:
    assert len(ROWS) == 619
    assert len(BY_CODE) == 619, "codes must be unique"
    assert Counter(row["level"] for row in ROWS) == {"1": 10, "2": 43, "3": 130, "4": 436}


def test_codes_are_digits_of_their_level_length() -> None:
    for row in ROWS:
        assert row["code"].isdigit(), row
        assert len(row["code"]) == int(row["level"]), row


def test_parents_exist_one_level_up_and_prefix_their_children() -> None:
    for row in ROWS:
        level = int(row["level"])
        if level == 1:
            assert row["parent"] == "", row
            continue
        parent = BY_CODE.get(row["parent"])
        assert parent is not None, row
        assert int(parent["level"]) == level - 1, row
        assert row["code"].startswith(parent["code"]), row


def test_every_non_unit_group_has_children() -> None:
    parents = {row["parent"] for row in ROWS}
    for row in ROWS:
        if row["level"] != "4":
            assert row["code"] in parents, row


def test_all_ten_major_groups_present() -> None:
    majors = sorted(row["code"] for row in ROWS if row["level"] == "1")
    assert majors == [str(d) for d in range(10)]


@pytest.mark.parametrize("column", ["title_en", "title_ru", "title_kk"])
def test_titles_non_empty_and_trimmed(column: str) -> None:
    for row in ROWS:
        title = row[column]
        assert title, row
        assert title == title.strip(), row
        assert "  " not in title, row


@pytest.mark.parametrize("column", ["title_ru", "title_kk"])
def test_ru_and_kk_titles_are_cyrillic(column: str) -> None:
    for row in ROWS:
        assert not LATIN_RE.search(row[column]), row
        assert CYRILLIC_TITLE_RE.match(row[column]), row


def test_russian_titles_have_no_kazakh_letters() -> None:
    kazakh = set(KAZAKH_SPECIFIC_CYRILLIC)
    for row in ROWS:
        assert not set(row["title_ru"]) & kazakh, row


def test_kazakh_titles_use_kazakh_letters() -> None:
    kazakh = set(KAZAKH_SPECIFIC_CYRILLIC)
    used = {c for row in ROWS for c in row["title_kk"]}
    # һ is rare in Kazakh words; the other eight lowercase letters must all occur.
    assert set("әғқңөұүі") <= used
    # Most Kazakh titles are Kazakh phrases, not bare Russian loanwords.
    with_kazakh = [row for row in ROWS if set(row["title_kk"]) & kazakh]
    assert len(with_kazakh) / len(ROWS) > 0.8


def test_kazakh_titles_differ_from_russian() -> None:
    same = [row["code"] for row in ROWS if row["title_kk"] == row["title_ru"]]
    assert same == []


def test_english_titles_are_ascii() -> None:
    for row in ROWS:
        assert row["title_en"].isascii(), row


def test_single_child_repeats_parent_title_only_when_alone() -> None:
    # ISCO repeats a title down the tree only where a group has a single child.
    children = Counter(row["parent"] for row in ROWS)
    for row in ROWS:
        parent = BY_CODE.get(row["parent"])
        if parent is not None and parent["title_en"] == row["title_en"]:
            assert children[parent["code"]] == 1, row
            assert parent["title_ru"] == row["title_ru"], row
            assert parent["title_kk"] == row["title_kk"], row


def _comparable(title: str) -> str:
    # ILO writes -ize and "operators, and assemblers"; ESCO writes -ise, typographic
    # apostrophes and drops that comma.  Codes and words must otherwise agree.
    title = title.replace("’", "'").replace("operators, and", "operators and")
    return re.sub(r"(organi|speciali)s", r"\1z", title)


@pytest.mark.skipif(not ESCO_GROUPS.exists(), reason="ESCO sample not present in ../shared/esco")
def test_codes_and_english_titles_agree_with_esco() -> None:
    with ESCO_GROUPS.open(encoding="utf-8", newline="") as handle:
        esco = {r["code"]: r["preferredLabel"] for r in csv.DictReader(handle)}
    assert set(esco) == set(BY_CODE)
    mismatched = {
        code: (BY_CODE[code]["title_en"], label)
        for code, label in esco.items()
        if _comparable(BY_CODE[code]["title_en"]) != _comparable(label)
    }
    assert mismatched == {}
