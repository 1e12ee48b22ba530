"""Tests for Kazakh transliteration and the spelling folds used for matching."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from taxonomy.translit import (
    KAZAKH_SPECIFIC_CYRILLIC,
    fold_cyrillic_kazakh,
    fold_kazakh_latin,
    kk_cyr_to_lat,
    kk_lat_to_cyr,
)

CYRILLIC_RE = re.compile("[\u0400-\u04ff]")

# Region names and occupation words written in native Kazakh spelling (no х/һ, ц,
# ч, щ, э, ё, ю, я), for which the official Latin spelling is reversible.
KAZAKH_WORDS = [
    "Қазақстан", "Ақмола", "Қостанай", "Павлодар", "Солтүстік", "Шығыс", "Батыс",
    "Оңтүстік", "Түркістан", "Жамбыл", "Қызылорда", "Маңғыстау", "Атырау", "Ақтөбе",
    "Қарағанды", "Абай", "Жетісу", "Ұлытау", "Алматы", "Астана", "Шымкент", "Көкшетау",
    "Петропавл", "Өскемен", "Семей", "Талдықорған", "Тараз", "облысы", "ауылы",
    "мұғалім", "дәрігер", "жүргізуші", "тәрбиеші", "мейірбике", "дәнекерлеуші",
    "құрылысшы", "аспаз", "сатушы", "бухгалтер", "тракторшы", "күзетші", "инженер",
    "малшы", "егінші", "ұста", "тігінші", "сылақшы", "механик", "жұмысшы",
    "қызметкер", "еңбек", "жұмыс", "маман", "оқытушы", "бағбан", "шаштараз", "даяшы",
    "кітапханашы", "заңгер", "сөйлесіп", "үйіне", "Қабанбай", "қоян", "аю", "бие",
]  # fmt: skip


class TestCyrToLat:
    @pytest.mark.parametrize(
        ("cyrillic", "latin"),
        [
            ("Қазақстан", "Qazaqstan"),
            ("Шығыс", "Şyğys"),
            ("Қазақстан Республикасы", "Qazaqstan Respublikasy"),
            ("Солтүстік Қазақстан облысы", "Soltüstık Qazaqstan oblysy"),
            ("Ақмола", "Aqmola"),
            ("Ұлытау", "Ūlytau"),
            ("Жетісу", "Jetısu"),
            ("Түркістан", "Türkıstan"),
            ("Маңғыстау", "Mañğystau"),
            ("Өскемен", "Öskemen"),
            ("мұғалім", "mūğalım"),
            ("дәрігер", "därıger"),
            ("жүргізуші", "jürgızuşı"),
            ("тәрбиеші", "tärbieşı"),
            ("мейірбике", "meiırbike"),
            ("дәнекерлеуші", "dänekerleuşı"),
            ("Қабанбай", "Qabanbai"),
            ("Инженер", "İnjener"),
            ("Ілияс", "Iliias"),
            ("Ыбырай", "Ybyrai"),
        ],
    )
    def test_official_spellings(self, cyrillic: str, latin: str) -> None:
        assert kk_cyr_to_lat(cyrillic) == latin

    @pytest.mark.parametrize(
        ("cyrillic", "latin"),
        [
            ("химик", "himik"),  # х -> h
            ("шаһар", "şahar"),  # һ -> h
            ("вакансия", "vakansiia"),  # в -> v, я -> ia
            ("фельдшер", "feldşer"),  # ф -> f, ь dropped
            ("объект", "obekt"),  # ъ dropped
            ("цех", "tseh"),  # ц -> ts
            ("Цех", "Tseh"),
            ("ЦЕХ", "TSEH"),  # all caps keeps the digraph in caps
            ("чек", "şek"),  # ч -> ş
            ("ащы", "aşşy"),  # щ -> şş
            ("актёр", "aktior"),  # ё -> io
            ("Юрист", "İurist"),  # ю -> iu
            ("экономист", "ekonomist"),  # э -> e
            ("ауыл", "auyl"),  # у -> u
            ("ШЫҒЫС", "ŞYĞYS"),
        ],
    )
    def test_letters_outside_the_alphabet(self, cyrillic: str, latin: str) -> None:
        assert kk_cyr_to_lat(cyrillic) == latin

    def test_non_letters_are_kept(self) -> None:
        assert kk_cyr_to_lat("5 жыл, 2-санат!") == "5 jyl, 2-sanat!"

    @given(
        st.text(
            alphabet="АаӘәБбВвГгҒғДдЕеЁёЖжЗзИиЙйКкҚқЛлМмНнҢңОоӨөПпРрСсТтУуҰұҮүФфХхҺһЦцЧчШшЩщЪъЫыІіЬьЭэЮюЯя -,.0123456789"
        )
    )
    def test_output_has_no_cyrillic(self, text: str) -> None:
        assert not CYRILLIC_RE.search(kk_cyr_to_lat(text))

    @given(
        st.text(
            alphabet="АаӘәБбВвГгҒғДдЕеЁёЖжЗзИиЙйКкҚқЛлМмНнҢңОоӨөПпРрСсТтУуҰұҮүФфХхҺһЦцЧчШшЩщЪъЫыІіЬьЭэЮюЯя"
        )
    )
    def test_output_uses_only_the_official_alphabet(self, text: str) -> None:
        official = set("AÄBDEFGĞHIİJKLMNÑOÖPQRSŞTUŪÜVYZ") | set("aäbdefgğhıijklmnñoöpqrsştuūüvyz")
        assert set(kk_cyr_to_lat(text)) <= official


class TestLatToCyr:
    @pytest.mark.parametrize("word", KAZAKH_WORDS)
    def test_round_trip_real_words(self, word: str) -> None:
        assert kk_lat_to_cyr(kk_cyr_to_lat(word)) == word

    @pytest.mark.parametrize("word", ["Қазақстан", "Шығыс", "Ақтөбе", "Ұлытау"])
    def test_round_trip_all_caps(self, word: str) -> None:
        assert kk_lat_to_cyr(kk_cyr_to_lat(word.upper())) == word.upper()

    @settings(max_examples=200)
    @given(
        st.text(alphabet="АаӘәБбГгҒғДдЕеЖжЗзКкҚқЛлМмНнҢңОоӨөПпРрСсТтУуҰұҮүФфШшЫыІі ", min_size=1)
    )
    def test_round_trip_without_merged_letters(self, text: str) -> None:
        # Without и/й, х/һ, ц, ч, щ, э, ъ, ь, ё, ю, я the only ambiguity left is
        # a word starting with тс or шш (read back as ц and щ).
        assume(not re.search(r"(?<!\w)(тс|шш)", text, flags=re.IGNORECASE))
        assert kk_lat_to_cyr(kk_cyr_to_lat(text)) == text

    def test_documented_ambiguities(self) -> None:
        assert kk_lat_to_cyr("şahar") == "шахар"  # һ is not recovered
        assert kk_lat_to_cyr("ketse") == "кетсе"  # inner ts stays т+с
        assert kk_lat_to_cyr("tseh") == "цех"  # word-initial ts is ц
        assert kk_lat_to_cyr("Aiaulym") == "Аяулым"  # ia after a vowel is я


# Informal and older romanisations a person might use for each Cyrillic letter.
# Built independently of the module's tables: Russian-style romanisation, plain
# ASCII, the 2017 apostrophe alphabet and the 2018 acute-accent alphabet.
INFORMAL = {
    "а": ["a"], "ә": ["a", "ä", "a'", "á"], "б": ["b"], "в": ["v"], "г": ["g"],
    "ғ": ["g", "gh", "ğ", "g'", "ǵ", "q"], "д": ["d"], "е": ["e"],
    "ж": ["j", "zh"], "з": ["z"], "и": ["i", "iy", "i'"], "й": ["y", "i", "i'"],
    "к": ["k"], "қ": ["k", "q", "kh"], "л": ["l"], "м": ["m"], "н": ["n"],
    "ң": ["n", "ng", "ñ", "n'", "ń"], "о": ["o"], "ө": ["o", "ö", "o'", "ó"],
    "п": ["p"], "р": ["r"], "с": ["s"], "т": ["t"], "у": ["u", "w", "y'", "ý"],
    "ұ": ["u", "ū"], "ү": ["u", "ü", "u'", "ú"], "ф": ["f"], "х": ["h", "kh"],
    "һ": ["h"], "ш": ["sh", "ş", "s'"], "ы": ["y", "i", "ı"], "і": ["i", "ı"],
    "я": ["ia", "ya"], "ю": ["iu", "yu"],
}  # fmt: skip


@st.composite
def informal_spelling(draw: st.DrawFn, word: str) -> str:
    letters = [draw(st.sampled_from(INFORMAL[ch.lower()])) for ch in word]
    text = "".join(letters)
    case = draw(st.sampled_from(["lower", "upper", "title"]))
    return {"lower": text, "upper": text.upper(), "title": text.title()}[case]


class TestFoldKazakhLatin:
    @pytest.mark.parametrize(
        "spelling", ["muğalım", "mughalim", "mugalim", "muqalim", "mug'alim", "muǵalim", "MUĞALIM"]
    )
    def test_teacher_spellings_meet(self, spelling: str) -> None:
        assert fold_kazakh_latin(spelling) == fold_kazakh_latin(kk_cyr_to_lat("мұғалім"))

    @pytest.mark.parametrize(
        ("official", "informal"),
        [
            ("Şyğys", "Shygys"),
            ("jürgızuşı", "zhurgizushi"),
            ("Qazaqstan", "Kazakhstan"),
            ("Mañğystau", "Mangystau"),
            ("Eñbek", "Yenbek"),
            ("Qabanbai", "Kabanbay"),
            ("därıger", "dariger"),
            ("tärbieşı", "tarbieshi"),
            ("şek", "chek"),
            ("Ūlytau", "Ulytau"),
        ],
    )
    def test_known_pairs(self, official: str, informal: str) -> None:
        assert fold_kazakh_latin(official) == fold_kazakh_latin(informal)

    def test_different_words_stay_apart(self) -> None:
        assert fold_kazakh_latin("mūğalım") != fold_kazakh_latin("därıger")
        assert fold_kazakh_latin("aspaz") != fold_kazakh_latin("satuşy")

    def test_key_is_ascii(self) -> None:
        key = fold_kazakh_latin(kk_cyr_to_lat("Бұрыңғы Өскемен Үржар Іле Шығыс Жаңаөзен"))
        assert key.isascii()
        assert key == key.lower()

    @given(st.data(), st.sampled_from(KAZAKH_WORDS))
    def test_official_equals_informal(self, data: st.DataObject, word: str) -> None:
        informal = data.draw(informal_spelling(word))
        assert fold_kazakh_latin(kk_cyr_to_lat(word)) == fold_kazakh_latin(informal)

    @given(st.text())
    def test_idempotent_on_any_text(self, text: str) -> None:
        once = fold_kazakh_latin(text)
        assert fold_kazakh_latin(once) == once

    @given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzäğıñöşūüáǵńóúýçİI'’ -"))
    def test_latin_input_gives_ascii(self, text: str) -> None:
        assert fold_kazakh_latin(text).isascii()


class TestFoldCyrillicKazakh:
    def test_teacher(self) -> None:
        assert fold_cyrillic_kazakh("мұғалім") == fold_cyrillic_kazakh("мугалим") == "мугалим"

    def test_every_kazakh_letter_is_folded(self) -> None:
        folded = fold_cyrillic_kazakh(KAZAKH_SPECIFIC_CYRILLIC)
        assert folded == "АаГгКкНнОоУуУуХхИи"

    def test_latin_i_inside_a_cyrillic_word(self) -> None:
        assert fold_cyrillic_kazakh("мұғалiм") == "мугалим"
        assert fold_cyrillic_kazakh("IT маман") == "IT маман"

    @given(
        st.text(
            alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ -,.0123456789"
        )
    )
    def test_russian_text_is_unchanged(self, text: str) -> None:
        assert fold_cyrillic_kazakh(text) == text

    @given(st.text())
    def test_idempotent_and_removes_kazakh_letters(self, text: str) -> None:
        once = fold_cyrillic_kazakh(text)
        assert fold_cyrillic_kazakh(once) == once
        assert not set(once) & set(KAZAKH_SPECIFIC_CYRILLIC)
