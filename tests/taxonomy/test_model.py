"""Loading the tables, labels in four languages and autocomplete."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxonomy.load import default_taxonomy, load_taxonomy
from taxonomy.translit import kk_cyr_to_lat

TAX = default_taxonomy()


class TestLoad:
    def test_tables_are_linked(self) -> None:
        assert {g.level for g in TAX.groups.values()} == {1, 2, 3, 4}
        for occ in TAX.occupations.values():
            assert TAX.isco_group(occ.isco).level == 4
        for alias in TAX.occupation_aliases:
            assert alias.code in TAX.occupations

    def test_default_is_cached_and_load_is_fresh(self) -> None:
        assert default_taxonomy() is TAX
        assert load_taxonomy() is not TAX

    def test_unknown_codes_raise(self) -> None:
        with pytest.raises(KeyError):
            TAX.occupation("Q0000.00")
        with pytest.raises(KeyError):
            TAX.label("nope", "ru")
        with pytest.raises(ValueError, match="language"):
            TAX.label("2330", "de")


class TestLabels:
    @given(st.sampled_from(sorted(TAX.occupations)))
    @settings(max_examples=50, deadline=None)
    def test_kazakh_latin_is_transliterated_kazakh(self, code: str) -> None:
        occ = TAX.occupation(code)
        assert TAX.label(code, "kk_latn") == kk_cyr_to_lat(occ.title_kk)
        assert TAX.label(code, "ru") == occ.title_ru
        assert TAX.label(code, "en") == occ.title_en

    def test_skill_and_group_labels(self) -> None:
        skill = next(iter(TAX.skills.values()))
        assert TAX.label(skill.code, "kk") == skill.title_kk
        assert TAX.label("2330", "ru") == TAX.isco_group("2330").title_ru


class TestSearch:
    @pytest.mark.parametrize(
        ("prefix", "isco"), [("сварщ", "7212"), ("тракторист-маш", "8341"), ("бухг", "2411")]
    )
    def test_prefix_finds_occupation(self, prefix: str, isco: str) -> None:
        hits = TAX.search_occupations(prefix, "ru", limit=5)
        assert hits
        assert isco in {o.isco for o in hits}

    def test_kazakh_in_either_script(self) -> None:
        cyr = [o.code for o in TAX.search_occupations("мұғалім", "kk", limit=5)]
        lat = [o.code for o in TAX.search_occupations("muğalım", "kk", limit=5)]
        assert cyr and cyr == lat

    def test_several_words_all_must_match(self) -> None:
        hits = TAX.search_occupations("учит мат", "ru", limit=10)
        assert hits
        assert all(o.isco.startswith("23") for o in hits)

    @given(st.text(max_size=12), st.integers(min_value=0, max_value=8))
    @settings(max_examples=100, deadline=None)
    def test_limit_and_distinct(self, q: str, limit: int) -> None:
        hits = TAX.search_occupations(q, "ru", limit=limit)
        assert len(hits) <= limit
        assert len({o.code for o in hits}) == len(hits)
