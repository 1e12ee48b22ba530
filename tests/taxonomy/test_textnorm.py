"""Comparison keys: one key for the many ways a title is written."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from taxonomy.textnorm import comparison_key, fold_token, stem_token, tokens

TITLES = ["Учитель математики", "мұғалім", "тракторист-машинист", "Vet doctor", "медсестра"]


class TestFolding:
    def test_kazakh_scripts_meet(self) -> None:
        forms = ["мұғалім", "МҰҒАЛІМ", "мугалим", "muğalım", "mugalim", "mughalim"]
        assert len({comparison_key(f) for f in forms}) == 1

    def test_mixed_script_meets_cyrillic(self) -> None:
        # Latin "a" and "i" typed inside a Cyrillic word.
        assert comparison_key("мұғaлiм") == comparison_key("мұғалім")

    def test_fold_token_is_ascii(self) -> None:
        assert fold_token("жүргізуші").isascii()


class TestStemming:
    def test_russian_case_endings(self) -> None:
        assert comparison_key("учителя математики") == comparison_key("учитель математики")
        assert comparison_key("учителей математики") == comparison_key("учитель математике")

    def test_kazakh_plural_and_possessive(self) -> None:
        base = comparison_key("бастауыш сынып мұғалімі")
        assert comparison_key("бастауыш сынып мұғалімдері") == base

    def test_stem_keeps_four_letters(self) -> None:
        assert len(stem_token("vrasha")) >= 4


class TestNoise:
    def test_vacancy_noise_is_removed(self) -> None:
        noisy = "Требуется учитель математики в СОШ №3 г. Петропавловск, стаж 5 лет, з/п 180 000 тг"
        assert comparison_key(noisy) == comparison_key("учитель математики")

    def test_category_is_not_part_of_occupation(self) -> None:
        assert comparison_key("тракторист-машинист кат. А") == comparison_key("тракторист-машинист")

    def test_category_is_kept_for_skills(self) -> None:
        b = comparison_key("права категории B", "skill")
        c = comparison_key("права категории C", "skill")
        assert b != c
        # Cyrillic С typed for the Latin category letter C.
        assert comparison_key("права кат. С", "skill") == c

    def test_meaningful_words_stay(self) -> None:
        assert "matemat" in " ".join(tokens("учитель математики"))
        assert comparison_key("директор школы") != comparison_key("директор")

    def test_abbreviation_expanded(self) -> None:
        assert comparison_key("учитель нач. классов") == comparison_key("учитель начальных классов")
        assert comparison_key("эл/газосварщик") == comparison_key("электрогазосварщик")


class TestKeyProperties:
    @given(st.sampled_from(TITLES), st.lists(st.sampled_from(" .,;!-()"), max_size=4))
    @settings(max_examples=60, deadline=None)
    def test_stable_under_case_and_punctuation(self, title: str, junk: list[str]) -> None:
        noisy = "".join(junk) + title.upper() + "".join(junk)
        assert comparison_key(noisy) == comparison_key(title)

    @given(
        st.text(
            alphabet=string.ascii_letters + "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі .-",
            max_size=40,
        )
    )
    @settings(max_examples=200, deadline=None)
    def test_key_is_sorted_unique_lowercase_tokens(self, text: str) -> None:
        key = comparison_key(text)
        assert key == " ".join(sorted(set(key.split())))
        assert key == key.lower()
        assert comparison_key(text) == key


class TestDriverLicenceCategory:
    """A driver's licence category names the vehicle, so it stays in occupation keys."""

    @given(
        st.sampled_from(["водитель", "жүргізуші", "voditel", "zhurgizushi"]),
        st.sampled_from(["кат. C", "категории С", "кат. C, E", "kat CE", "С санаты"]),
    )
    @settings(max_examples=40, deadline=None)
    def test_lorry_categories_differ_from_car_and_bus(self, word: str, lorry: str) -> None:
        heavy = comparison_key(f"{word} {lorry}")
        assert heavy == comparison_key(f"{lorry} {word}")
        assert heavy != comparison_key(f"{word} кат. B")
        assert heavy != comparison_key(f"{word} кат. D")
        assert heavy != comparison_key(word)

    def test_category_of_other_titles_is_still_noise(self) -> None:
        assert comparison_key("медсестра высшей категории") == comparison_key("медсестра")
        assert comparison_key("инженер 1 категории") == comparison_key("инженер")

    def test_mixed_car_and_bus_categories_decide_nothing(self) -> None:
        assert comparison_key("водитель кат. B, C, D") == comparison_key("водитель")


def test_slash_shorthand_for_auto() -> None:
    assert comparison_key("а/слесарь") == comparison_key("автослесарь")
