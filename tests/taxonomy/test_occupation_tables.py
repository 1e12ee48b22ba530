"""Integrity of data/taxonomy/occupations.csv and data/taxonomy/occupation_aliases.csv."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[2]
TAXONOMY = ROOT / "data" / "taxonomy"
OCCUPATION_COLUMNS = [
    "code", "isco", "nkz_code", "title_en", "title_ru", "title_ru_f", "title_kk",
    "education_min", "qualified",
]  # fmt: skip
ALIAS_COLUMNS = ["code", "alias", "lang", "kind"]
LANGS = {"en", "ru", "kk", "kk_latn"}
KINDS = {"title", "feminine", "abbreviation", "misspelling", "variant", "colloquial"}
EDUCATION = {"none", "secondary", "vocational", "higher"}
CODE_RE = re.compile(r"^Q(\d{4})\.(\d{2})$")
CYRILLIC_RE = re.compile("[А-Яа-яЁё]")
KAZAKH_LETTERS_RE = re.compile("[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
LATIN_RE = re.compile("[A-Za-z]")
# A Russian word typed with the English keyboard layout still on ("сварщик" -> "cdfhobr").
EN_TO_RU_LAYOUT = str.maketrans(
    "qwertyuiop[]asdfghjkl;'zxcvbnm,.`", "йцукенгшщзхъфывапролджэячсмитьбюё"
)

# Words that honestly name occupations in more than one ISCO-08 unit group. An alias found in two
# unit groups must be listed here with the reason, or the normalizer cannot tell them apart.
ALLOWED_AMBIGUOUS: dict[str, str] = {
    "водитель": "car (8322) or lorry (8332) driver: only the licence category in the text decides",
    "учитель": "primary (2341) or subject (2330) teacher: vacancies often omit the level",
    "механик": "vehicle mechanic (7231) or mechanical technician (3115) in a workshop",
    "оператор": "operator of what: boiler house (8182), PC (4110), call centre (4222), line (8219)",
    "мастер": "foreman (3122/3123), craft or beauty master (5142): the word alone says nothing",
}


# Codes that once named an occupation and moved away with it (data/taxonomy/README.md): other
# tables and stored vacancies may still hold them, so they must never name something else.
RETIRED_CODES = {
    "Q2132.04", "Q2132.05", "Q2144.02", "Q2411.02", "Q3119.01", "Q3214.02",
    "Q3116.01", "Q3252.02", "Q3353.01", "Q4323.01", "Q4419.01", "Q5111.01", "Q6129.01", "Q6222.01",
    "Q7231.03", "Q7233.09", "Q7321.01", "Q7412.01", "Q7413.03", "Q7543.01",
    "Q8343.02",
}  # fmt: skip


def read_csv(name: str) -> list[dict[str, str]]:
    with (TAXONOMY / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def header(name: str) -> list[str]:
    with (TAXONOMY / name).open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


KAZAKH_TO_RUSSIAN_KEYS = str.maketrans("әғқңөұүһі", "агкноуухи")


def same(text: str) -> str:
    """Identity key of the contract: case-folded, single spaces."""
    return " ".join(text.casefold().split())


def key(text: str) -> str:
    """Looser comparison key: also ё as е, the usual difference between two spellings."""
    return same(text).replace("ё", "е")


OCCUPATIONS = read_csv("occupations.csv")
ALIASES = read_csv("occupation_aliases.csv")
BY_CODE = {row["code"]: row for row in OCCUPATIONS}
TITLE_COLUMNS = ("title_en", "title_ru", "title_ru_f", "title_kk")


def test_headers_are_the_contract() -> None:
    assert header("occupations.csv") == OCCUPATION_COLUMNS
    assert header("occupation_aliases.csv") == ALIAS_COLUMNS


def test_at_least_400_occupations_with_unique_codes() -> None:
    assert len(OCCUPATIONS) >= 400
    duplicates = [code for code, n in Counter(r["code"] for r in OCCUPATIONS).items() if n > 1]
    assert duplicates == []


def test_retired_codes_are_never_reused() -> None:
    assert RETIRED_CODES.isdisjoint(BY_CODE)


def test_code_form_matches_its_isco_unit_group() -> None:
    for row in OCCUPATIONS:
        match = CODE_RE.match(row["code"])
        assert match is not None, row["code"]
        assert match.group(1) == row["isco"], row
        assert match.group(2) != "00", row


def test_isco_codes_exist_as_unit_groups() -> None:
    path = TAXONOMY / "isco08.csv"
    if not path.exists():
        pytest.skip("data/taxonomy/isco08.csv is not written yet: ISCO codes cannot be checked")
    unit_groups = {row["code"] for row in read_csv("isco08.csv") if row["level"] == "4"}
    unknown = sorted({row["isco"] for row in OCCUPATIONS} - unit_groups)
    assert unknown == [], f"ISCO unit groups not in isco08.csv: {unknown}"


def test_titles_present_trimmed_and_in_the_right_script() -> None:
    for row in OCCUPATIONS:
        for column in ("title_en", "title_ru", "title_kk"):
            assert row[column], (row["code"], column)
        for column in TITLE_COLUMNS:
            assert row[column] == row[column].strip() and "  " not in row[column], row
        assert not CYRILLIC_RE.search(row["title_en"]), row
        assert LATIN_RE.search(row["title_en"]), row
        for column in ("title_ru", "title_ru_f"):
            assert not KAZAKH_LETTERS_RE.search(row[column]), (row["code"], column)
        assert CYRILLIC_RE.search(row["title_ru"]) and CYRILLIC_RE.search(row["title_kk"]), row


def test_russian_titles_name_one_occupation_each() -> None:
    counts = Counter(key(row["title_ru"]) for row in OCCUPATIONS)
    assert [title for title, n in counts.items() if n > 1] == []


def test_education_qualified_and_national_code_values() -> None:
    for row in OCCUPATIONS:
        assert row["education_min"] in EDUCATION, row
        assert row["qualified"] in {"true", "false"}, row
        assert row["nkz_code"] == "" or row["nkz_code"][:4] == row["isco"], row
        if row["education_min"] == "higher":
            assert row["qualified"] == "true", row


def test_unqualified_posts_are_elementary_or_simple_service_work() -> None:
    unqualified = [row for row in OCCUPATIONS if row["qualified"] == "false"]
    assert unqualified, "the labourers, cleaners and loaders must be marked unqualified"
    for row in unqualified:
        # sales/service (5), farm (6) and elementary (9) work are where unskilled posts sit
        assert row["isco"][0] in {"5", "6", "9"}, row
    group_9 = [row for row in OCCUPATIONS if row["isco"].startswith("9")]
    share = sum(row["qualified"] == "false" for row in group_9) / len(group_9)
    assert share >= 0.75, f"only {share:.0%} of major group 9 is marked unqualified"


def test_aliases_reference_existing_occupations_with_known_lang_and_kind() -> None:
    for row in ALIASES:
        assert row["code"] in BY_CODE, row
        assert row["lang"] in LANGS, row
        assert row["kind"] in KINDS, row
        assert row["alias"] and row["alias"] == row["alias"].strip(), row


def test_enough_aliases_overall_and_per_occupation() -> None:
    assert len(ALIASES) >= 4000
    per_code = Counter(row["code"] for row in ALIASES)
    too_few = sorted(code for code in BY_CODE if per_code[code] < 3)
    assert too_few == []


def test_every_occupation_has_russian_and_kazakh_latin_aliases() -> None:
    langs: dict[str, set[str]] = defaultdict(set)
    for row in ALIASES:
        langs[row["code"]].add(row["lang"])
    for code, occupation in BY_CODE.items():
        assert "ru" in langs[code], code
        # an international word (аудитор, логопед) written in Latin is the English title itself
        shared_word = key(occupation["title_kk"]) == key(occupation["title_ru"])
        assert "kk_latn" in langs[code] or shared_word, (code, langs[code])


def test_no_duplicate_alias_per_occupation_and_no_title_repeated() -> None:
    pairs = Counter((same(row["alias"]), row["code"]) for row in ALIASES)
    assert [pair for pair, n in pairs.items() if n > 1] == []
    for row in ALIASES:
        titles = {same(BY_CODE[row["code"]][column]) for column in TITLE_COLUMNS}
        assert same(row["alias"]) not in titles, f"{row} repeats a title (titles count already)"


def test_alias_script_matches_its_language() -> None:
    for row in ALIASES:
        text, lang = row["alias"], row["lang"]
        if lang in {"en", "kk_latn"}:
            assert not CYRILLIC_RE.search(text), row
            assert LATIN_RE.search(text) or not text.isalpha(), row
        elif lang == "ru":
            # a keyboard-layout slip is the one Russian alias written in Latin letters
            assert CYRILLIC_RE.search(text) or row["kind"] == "misspelling", row
            assert not KAZAKH_LETTERS_RE.search(text), row
        else:
            assert CYRILLIC_RE.search(text), row


def test_misspellings_stay_close_to_a_correct_form_of_the_same_occupation() -> None:
    def loose(text: str) -> str:
        # typing Kazakh on a Russian keyboard (мұғалім -> мугалим) is a misspelling kind too
        return key(text).translate(KAZAKH_TO_RUSSIAN_KEYS)

    correct: dict[str, list[str]] = defaultdict(list)
    for code, occupation in BY_CODE.items():
        correct[code].extend(loose(occupation[c]) for c in TITLE_COLUMNS if occupation[c])
    for row in ALIASES:
        if row["kind"] != "misspelling":
            correct[row["code"]].append(loose(row["alias"]))
    far = []
    for row in ALIASES:
        if row["kind"] != "misspelling":
            continue
        text = loose(row["alias"])
        if not CYRILLIC_RE.search(text) and row["lang"] == "ru":
            text = text.translate(EN_TO_RU_LAYOUT)
        best = process.extractOne(text, correct[row["code"]], scorer=fuzz.ratio)
        if best is None or best[1] < 70:
            far.append((row["code"], row["alias"], best))
    assert far == [], f"misspellings far from every correct form: {far}"


def test_an_alias_names_one_isco_unit_group_unless_allow_listed() -> None:
    groups: dict[str, set[str]] = defaultdict(set)
    for occupation in OCCUPATIONS:
        for column in TITLE_COLUMNS:
            if occupation[column]:
                groups[key(occupation[column])].add(occupation["isco"])
    for row in ALIASES:
        groups[key(row["alias"])].add(BY_CODE[row["code"]]["isco"])
    ambiguous = {
        text: sorted(isco)
        for text, isco in groups.items()
        if len(isco) > 1 and text not in ALLOWED_AMBIGUOUS
    }
    assert ambiguous == {}, f"aliases shared by several unit groups: {ambiguous}"


def test_allow_list_stays_small_and_explained() -> None:
    assert len(ALLOWED_AMBIGUOUS) <= 15
    for word, reason in ALLOWED_AMBIGUOUS.items():
        assert word == key(word) and len(reason) > 20, word


def test_programme_core_occupations_are_present() -> None:
    # the occupations the relocation programme's regions ask for most (research brief, §3.4.3)
    wanted = {
        "2330", "2341", "2342", "2211", "2212", "3221", "2240", "8341", "8332", "8322",
        "7212", "7411", "7412", "5120", "7112", "8342", "8343", "2250", "6121", "2132",
    }  # fmt: skip
    present = {row["isco"] for row in OCCUPATIONS}
    assert wanted <= present, sorted(wanted - present)
