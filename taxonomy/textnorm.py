"""Text normalization for matching occupation and skill names.

Every alias in the taxonomy and every incoming title go through the same
:func:`comparison_key`, so two spellings of one title meet on one string:

1. Unicode NFC, lowercase, ``ё`` -> ``е``.
2. Expand abbreviations from :data:`taxonomy.abbreviations.ABBREVIATIONS`.
3. For occupations, strip vacancy noise that is not part of the title: salary,
   required experience, school and organisation numbers, licence categories and
   grades (those are skills), city and region names, words such as "требуется".
4. Split into word tokens (hyphenated words split; pure numbers dropped for
   occupations).
5. Fold every token to one ASCII form across scripts: Cyrillic is transliterated with
   :func:`taxonomy.translit.kk_cyr_to_lat`, then all Latin spellings are folded with
   :func:`taxonomy.translit.fold_kazakh_latin`.  ``мұғалім``, ``мугалим``,
   ``muğalım`` and ``mugalim`` all become ``mukalim``.
6. Light stemming: a small rule-based stripper removes Russian and Kazakh
   inflectional endings (and an English plural ``s``) from the folded token.
7. Drop stop words, sort the tokens (word order does not matter) and join them.

Grades and categories that are skills (``кат. C``, ``III группа``, ``5 разряд``)
are removed from occupation keys but kept, unfolded, in skill keys, because there
they carry the meaning (licence C is not licence B).  The one exception is a
driver's licence category in a driver's title: it becomes a vehicle mark
(``#car``, ``#lorry``, ``#bus``) because it decides the ISCO unit group.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Literal

from taxonomy.abbreviations import ABBREVIATIONS
from taxonomy.translit import fold_cyrillic_kazakh, fold_kazakh_latin, kk_cyr_to_lat

__all__ = [
    "Kind",
    "comparison_key",
    "compact_key",
    "fold_token",
    "russian_lemma",
    "script_class",
    "stem_token",
    "tokens",
]

Kind = Literal["occupation", "skill"]

_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_WORD_RE = re.compile(r"[#\w]+")

# --------------------------------------------------------------------------- #
# Stemming (on folded ASCII tokens)
# --------------------------------------------------------------------------- #
# Russian endings written as they look after folding (ого -> oko, ых -> ik,
# я -> ia, ей -> ei ...) and Kazakh case, plural and possessive endings (лар,
# дың, ға, да, дан, мен ...).  One list serves both languages because folded
# Russian and Kazakh share letters; the stripper is applied repeatedly, which
# makes a stem and its inflected forms converge (механик/механика -> mekan).
_RUSSIAN_SUFFIXES = {
    "ami", "iak", "ak", "iam", "am", "oko", "eko", "omu", "emu", "aia", "iaia", "iia",
    "oe", "ee", "ie", "ik", "ii", "oi", "ei", "uiu", "om", "em", "ov", "ev", "a", "ia",
    "i", "u", "iu", "e",
}  # fmt: skip
# Kazakh endings that Russian words rarely end with.
_KAZAKH_DISTINCT = {"lar", "ler", "nin", "daki", "deki", "taki", "teki", "dan", "den", "nan", "nen"}
_KAZAKH_OTHER = {
    "dar", "der", "tar", "ter", "si", "in", "din", "tin", "ka", "ke", "na", "ne", "da",
    "de", "ta", "te", "tan", "ten", "ni", "di", "ti", "men", "ben", "pen", "nda", "nde",
}  # fmt: skip


def _longest_first(suffixes: set[str]) -> tuple[str, ...]:
    return tuple(sorted(suffixes, key=lambda x: (-len(x), x)))


# Words written in Cyrillic without Kazakh-specific letters are taken for Russian
# and lose Russian endings only (so кондитер keeps its "-тер"); Kazakh words and
# Latin-script words lose both.
_SUFFIXES_RUSSIAN = _longest_first(_RUSSIAN_SUFFIXES | _KAZAKH_DISTINCT)
_SUFFIXES_ALL = _longest_first(_RUSSIAN_SUFFIXES | _KAZAKH_DISTINCT | _KAZAKH_OTHER)
_MIN_STEM = 4


@lru_cache(maxsize=200_000)
def stem_token(token: str, latin_origin: bool = False, russian: bool = False) -> str:
    """Strip Russian and Kazakh inflectional endings from a folded token.

    Parameters
    ----------
    token : str
        A token already folded by :func:`fold_token`.
    latin_origin : bool
        The token was written in Latin letters; then an English plural ``s`` is
        stripped as well.
    russian : bool
        The token was written in Cyrillic without Kazakh letters; then only Russian
        endings (and unmistakably Kazakh ones) are stripped.

    Returns
    -------
    str
        The stem; at least four letters are always kept.

    Examples
    --------
    >>> stem_token("ushitelia") == stem_token("ushitel")
    True
    >>> stem_token("mukalimderi")
    'mukalim'
    """
    if token.startswith("#"):
        return token
    # English plural: "teachers" -> "teacher", but Kazakh "jumys" keeps its s.
    if latin_origin and len(token) > _MIN_STEM and token.endswith("s") and token[-2] not in "aeious":
        token = token[:-1]
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES_RUSSIAN if russian else _SUFFIXES_ALL:
            if (
                token.endswith(suffix)
                and len(token) - len(suffix) >= _MIN_STEM
                and _harmonic(suffix, token[-len(suffix) - 1])
            ):
                token = token[: -len(suffix)]
                changed = True
                break
    return token


# Kazakh picks the first consonant of a plural or case ending by the sound before
# it (мұғалім-дер, жұмысшы-лар, мектеп-тер, but never бухгал-тер): an ending that
# could not follow the preceding letter is part of the stem (loanwords like
# бухгалтер, кондитер).
_VOICELESS = "kpstfh"
_AFTER: dict[str, str] = {
    "lar": "aeiouri", "ler": "aeiouri",
    "dar": "mnjzlbvd", "der": "mnjzlbvd",
    "tar": _VOICELESS, "ter": _VOICELESS,
    "tan": _VOICELESS, "ten": _VOICELESS, "tin": _VOICELESS,
}  # fmt: skip
_NOT_AFTER: dict[str, str] = {"dan": _VOICELESS, "den": _VOICELESS, "din": _VOICELESS}


def _harmonic(suffix: str, before: str) -> bool:
    if suffix in _AFTER:
        return before in _AFTER[suffix]
    if suffix in _NOT_AFTER:
        return before not in _NOT_AFTER[suffix]
    return True


@lru_cache(maxsize=200_000)
def fold_token(token: str) -> str:
    """Fold one lowercase token, in any script, onto its ASCII comparison form.

    Parameters
    ----------
    token : str
        A lowercase word in Cyrillic (Kazakh or Russian) or Latin letters, or mixed.

    Returns
    -------
    str
        Folded ASCII form (see :func:`taxonomy.translit.fold_kazakh_latin`).

    Examples
    --------
    >>> fold_token("мұғалім") == fold_token("muğalım") == fold_token("мугалим")
    True
    """
    if token.startswith("#"):
        return token
    if _CYRILLIC_RE.search(token):
        token = kk_cyr_to_lat(fold_cyrillic_kazakh(token))
    return fold_kazakh_latin(token)


# --------------------------------------------------------------------------- #
# Abbreviations
# --------------------------------------------------------------------------- #
def _abbreviation_regex() -> re.Pattern[str]:
    keys = sorted(ABBREVIATIONS, key=len, reverse=True)
    parts = []
    for key in keys:
        # "нач. кл" also matches "нач.кл" and "нач кл": any dot may be followed or
        # replaced by spaces.
        pattern = re.escape(key).replace(r"\.\ ", r"\.?\s*").replace(r"\ ", r"\.?\s+")
        parts.append(pattern)
    return re.compile(r"(?<![\w/])(?:" + "|".join(parts) + r")(?:\.|(?![\w/]))")


_ABBREVIATION_RE = _abbreviation_regex()
_ABBREVIATION_LOOKUP = {re.sub(r"[.\s]+", " ", k).strip(): v for k, v in ABBREVIATIONS.items()}


def _expand_abbreviation(match: re.Match[str]) -> str:
    raw = re.sub(r"[.\s]+", " ", match.group()).strip()
    return " " + _ABBREVIATION_LOOKUP.get(raw, match.group()) + " "


# --------------------------------------------------------------------------- #
# Vacancy noise
# --------------------------------------------------------------------------- #
_CATEGORY_WORD = (
    r"(?:кат(?:егори[яиюей]*)?|санат(?:ы|ты|ымен|қа)?|category|cat|kat|sanat\w*"
    r"|разряд[аов]*|разрядт?ы|группа|группы|группой|гр|тобы|топ|class|grade)"
)
_GRADE = r"(?:[a-eа-еcс][1-2]?[eе]?|[ivxі]{1,4}|\d{1,2}|высш\w*|перв\w*|втор\w*|жоғары|бірінші|екінші)"
_GRADE_LIST = rf"{_GRADE}(?:\s*(?:,|/|и|және|-|\s)\s*{_GRADE})*"

_OCCUPATION_NOISE: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        # salary, with or without an amount and currency
        r"(?:з/п|з\.п\.?|зп|зарплата|заработная плата|оклад|жалақы(?:сы)?|айлық|salary)"
        r"\s*[:\-]?\s*(?:от|до|from)?\s*[\d\s.,]*\s*(?:тыс\.?|млн\.?|тг\.?|тенге|₸|kzt)?",
        r"\d[\d\s.,]*\s*(?:тг\.?|тенге|₸|kzt)",
        # required experience
        r"(?:стаж|опыт)\w*\s*(?:работы|вождения|по специальности)?\s*(?:от|не менее|более|свыше)?\s*\d+[\d\-–+]*\s*"
        r"(?:лет|года|год|г\.)?",
        r"без опыта(?: работы)?",
        r"(?:жұмыс )?(?:өтілі|тәжірибесі)\s*\d*\s*(?:жыл\w*)?",
        r"\d+\s*(?:жыл|жылдан)\s*(?:астам)?\s*(?:тәжірибе\w*|өтіл\w*)?",
        # licence categories, grades and qualification categories (those are skills)
        rf"(?:{_GRADE_LIST})\s*{_CATEGORY_WORD}\.?(?![\w])",
        rf"(?<![\w]){_CATEGORY_WORD}\.?\s*(?:{_GRADE_LIST})(?![\w])",
        rf"(?<![\w]){_CATEGORY_WORD}\.?(?![\w])",
        # numbered organisations: "в СОШ №3", "КГУ ОШ № 12", "№3 ЖОМ-да"
        r"(?<![\w])(?:в|во|на|для)?\s*(?:кгу|гу|гкку|кгкп|гккп|ммм|тоо|ао|ип|сош|ош|оош|"
        r"жом|жббм|ббм|жоб)(?![\w])\s*[\"«]?\s*(?:№\s*\d+)?",
        # "в школу", "в детский сад", "мектепке": where, not what
        r"(?<![\w])(?:в|во|на|для)\s+(?:школ\w*|гимнази\w*|лице[йяею]\w*|детск\w* сад\w*|"
        r"ясли\w*)(?:\s*№\s*\d+)?",
        r"(?<![\w])(?:мектепке|мектепте|мектептегі|мектебіне|мектебінде|балабақшаға|"
        r"балабақшада|бөбекжайға)(?![\w])",
        r"№\s*\d+\S*",
        # pay and working patterns
        r"(?:вахт\w*|вахталық)(?:\s+метод\w*)?",
        r"(?:полн\w*|неполн\w*|частичн\w*)\s+(?:рабоч\w*\s+)?(?:день|дня|занятост\w*)",
        r"(?:ставк\w*)\s*[\d.,]*",
        r"\d+[.,]?\d*\s*ставк\w*",
    )
)

# One alternation, one pass over the text: the patterns above, longest first as
# listed (salary and experience before bare numbers).
_OCCUPATION_NOISE_RE = re.compile("|".join(f"(?:{p.pattern})" for p in _OCCUPATION_NOISE))

# Words that carry no title meaning in a vacancy headline.  They are compared
# after folding and stemming, so inflected forms are covered.
_NOISE_WORDS = (
    "требуется требуются требуется срочно срочно нужен нужна нужны ищем ищу вакансия "
    "вакансии приглашаем приглашается набор открыта работа работу работа на постоянную "
    "постоянная постоянно временно временная подработка сезонный сезонная "
    "город г обл область области район района р-н село поселок аул с пос мкр "
    "облысы облысының ауданы ауданының ауылы ауыл қаласы қала "
    "керек қажет қажетті талап етіледі шақырамыз бос орын орны "
    "шұғыл болып істедім істеймін істеген жыл тәжірибе тәжірибесі тәжірибем тәжірибелі "
    "опытный опытная опытные ответственный ответственная квалифицированный "
    "hiring wanted urgent required vacancy needed experienced city region district "
    "права правами удостоверение лет года стаж вождения опыт "
    "петропавловск петропавл кокшетау көкшетау костанай қостанай кустанай павлодар "
    "астана нур-султан нұр-сұлтан караганда қарағанды усть-каменогорск өскемен семей "
    "алматы шымкент актобе ақтөбе атырау уральск орал тараз кызылорда қызылорда "
    "туркестан түркістан актау ақтау экибастуз екібастұз рудный темиртау теміртау "
    "жезказган жезқазған балхаш балқаш степногорск щучинск лисаковск аркалык арқалық "
    "талдыкорган талдықорған сатпаев аксу ақсу житикара шахтинск сарань "
    "северо-казахстанская солтүстік акмолинская ақмола костанайская павлодарская "
    "восточно-казахстанская шығыс карагандинская абай абайская улытау ұлытау "
    "сқо вко ско"
)
# Function words dropped from every key (Russian, Kazakh, English).
_STOP_WORDS = "в во на по и для с со к из от до а или and or of the for in at to with және мен"


_KAZAKH_LETTER_RE = re.compile("[әғқңөұүһі]")
_RUSSIAN_WORD_RE = re.compile(r"^[а-я]{3,}$")


@lru_cache(maxsize=1)
def _morph() -> Any:
    # pymorphy3 with the OpenCorpora Russian dictionary (pymorphy3-dicts-ru): loaded
    # once, on first use (about 50 ms).
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def russian_lemma(word: str) -> str:
    """Dictionary form of a Russian word (``машиниста`` -> ``машинист``), cached per word.

    Only words the OpenCorpora dictionary knows are lemmatized, with the analyzer's
    most probable parse; unknown words (misspellings, trade slang, Kazakh words
    written without Kazakh letters) are returned unchanged and left to the suffix
    stripper, because pymorphy3's guesses for them are often wrong.

    Examples
    --------
    >>> russian_lemma("машиниста"), russian_lemma("слесарей")
    ('машинист', 'слесарь')
    """
    if not _RUSSIAN_WORD_RE.match(word):
        return word
    morph = _morph()
    if not morph.word_is_known(word):
        return word
    lemma: str = morph.parse(word)[0].normal_form
    return lemma.replace("ё", "е")


@lru_cache(maxsize=200_000)
def _stem_raw(folded: str, raw: str, kazakh_text: bool = False) -> str:
    # A Cyrillic word is taken for Russian unless it, or the text it is in, has
    # Kazakh letters (сыныпта in a Kazakh sentence is Kazakh).
    cyrillic = bool(_CYRILLIC_RE.search(raw))
    russian = cyrillic and not kazakh_text and not _KAZAKH_LETTER_RE.search(raw)
    return stem_token(folded, not cyrillic, russian)


def _mostly_russian(words: tuple[str, ...]) -> bool:
    cyrillic = [w for w in words if _RUSSIAN_WORD_RE.match(w)]
    if not cyrillic:
        return False
    known = sum(russian_lemma(w) != w or _morph().word_is_known(w) for w in cyrillic)
    return 2 * known > len(cyrillic)


def _raw_tokens(text: str) -> list[str]:
    return [t for t in _WORD_RE.findall(text.replace("-", " ")) if t]


@lru_cache(maxsize=1)
def _noise_keys() -> frozenset[str]:
    out = set()
    for word in _NOISE_WORDS.split():
        for token in _raw_tokens(word):
            if len(token) > 1:
                out.add(_stem_raw(fold_token(token), token))
                out.add(_stem_raw(fold_token(russian_lemma(token)), token))
    return frozenset(out)


@lru_cache(maxsize=1)
def _stop_keys() -> frozenset[str]:
    return frozenset(fold_token(w) for w in _STOP_WORDS.split())


# Cyrillic letters written for Latin licence categories (В = B, С = C ...).
_CYR_TO_LAT_CATEGORY = str.maketrans("авседі", "abcedi")
_SKILL_GRADE_RE = re.compile(
    rf"(?<![\w])({_CATEGORY_WORD})\.?\s*({_GRADE_LIST})(?![\w])"
    rf"|(?<![\w])({_GRADE_LIST})\s*({_CATEGORY_WORD})\.?(?![\w])"
)


def _category_name(word: str) -> str:
    # Licence categories, trade grades and electrical safety groups are different
    # things; every spelling of each becomes one token.
    if word.startswith(("разряд", "grade")):
        return "#grade"
    if word.startswith(("груп", "гр", "тоб", "топ", "class")):
        return "#group"
    return "#category"


def _mark_grades(match: re.Match[str]) -> str:
    word = match.group(1) or match.group(4) or ""
    grades = match.group(2) or match.group(3) or ""
    marked = [
        "#" + g.translate(_CYR_TO_LAT_CATEGORY)
        for g in re.split(r"\s*(?:,|/|\bи\b|және|-|\s)\s*", grades)
        if g
    ]
    return f" {_category_name(word)} {' '.join(marked)} "


# A driver's licence category names the vehicle, and the vehicle names the ISCO unit
# group (car 8322, lorry 8332, bus 8331): in a driver's title the category stays in
# the occupation key as a vehicle mark instead of being stripped as a skill.
_DRIVER_RE = re.compile(r"водител|жүргізуш|жургизуш|voditel|zhurgizush|jurgizush|jürgızuş|driver|шофер")
_LICENCE_WORD = r"(?:кат(?:егори[яиюей]*)?|санат(?:ы|ты|ымен|қа)?|category|cat|kat|sanat\w*)"
_LICENCE_GRADE = r"(?:[a-eа-еcсвд][1]?[eе]?)"
_LICENCE_LIST = rf"{_LICENCE_GRADE}(?:\s*(?:,|/|и|және|-|\s)\s*{_LICENCE_GRADE})*"
_LICENCE_RE = re.compile(
    rf"(?<![\w]){_LICENCE_WORD}\.?\s*({_LICENCE_LIST})(?![\w])"
    rf"|(?<![\w])({_LICENCE_LIST})\s*{_LICENCE_WORD}\.?(?![\w])"
)
_CYR_TO_LAT_LICENCE = str.maketrans("авседі", "abcede")


_VEHICLE_MARKS = frozenset({"#lorry", "#bus", "#car"})


def _mark_vehicle(match: re.Match[str]) -> str:
    grades = (match.group(1) or match.group(2) or "").translate(_CYR_TO_LAT_LICENCE)
    letters = set(re.findall(r"[a-e]", grades))
    heavy, bus = bool(letters & {"c", "e"}), "d" in letters
    if heavy and not bus:
        return " #lorry "
    if bus and not heavy:
        return " #bus "
    if letters and letters <= {"a", "b"}:
        return " #car "
    return " "


def _prepare(text: str, kind: Kind) -> str:
    text = unicodedata.normalize("NFC", text).lower().replace("ё", "е")
    text = _ABBREVIATION_RE.sub(_expand_abbreviation, text)
    if kind == "occupation":
        if _DRIVER_RE.search(text):
            text = _LICENCE_RE.sub(_mark_vehicle, text)
        text = _OCCUPATION_NOISE_RE.sub(" ", text)
    else:
        text = _SKILL_GRADE_RE.sub(_mark_grades, text)
    return text


def tokens(text: str, kind: Kind = "occupation") -> list[str]:
    """Return the folded, stemmed tokens of ``text`` in their original order.

    Parameters
    ----------
    text : str
        A title or skill name as people write it.
    kind : {"occupation", "skill"}
        Occupations lose vacancy noise and grades; skills keep grades as
        ``#``-marked tokens.

    Returns
    -------
    list of str
        Comparison tokens (may be empty when the text is only noise).

    Examples
    --------
    >>> tokens("Требуется учитель математики в СОШ №3")
    ['ushitel', 'matemat']
    """
    prepared = _prepare(text, kind)
    noise = _noise_keys() if kind == "occupation" else frozenset()
    stop = _stop_keys()
    kazakh_text = bool(_KAZAKH_LETTER_RE.search(prepared))
    raw_tokens = _raw_tokens(prepared)
    # Kazakh written without its own letters ("аула сыпырушы") must not be read as
    # Russian ("аула" is also a form of Russian "аул"): a text is lemmatized only
    # when more than half of its Cyrillic words are in the Russian dictionary.
    russian_text = not kazakh_text and _mostly_russian(tuple(raw_tokens))
    out: list[str] = []
    pending_prefix = ""
    for raw in raw_tokens:
        if raw.startswith("#"):
            if (kind == "skill" and len(raw) > 1) or raw in _VEHICLE_MARKS:
                out.append(raw)
            continue
        if raw.isdigit() or (len(raw) == 1 and kind == "occupation"):
            continue
        if russian_text:
            # Inflected Russian forms meet their dictionary form before folding
            # (the suffix stripper alone misses stem changes: специалиста/специалистов
            # agree, but отца/отец, швеи/швея do not).
            raw = russian_lemma(raw)
        folded = fold_token(raw)
        if folded in stop:
            continue
        # "электро сварщик" and "электросварщик" are one word written two ways.
        if folded in ("elektro", "kazo", "avto", "akro"):
            pending_prefix += folded
            continue
        folded = pending_prefix + folded
        pending_prefix = ""
        stem = _stem_raw(folded, raw, kazakh_text)
        if stem in noise:
            continue
        out.append(stem)
    if pending_prefix:
        out.append(pending_prefix)
    return out


@lru_cache(maxsize=100_000)
def comparison_key(text: str, kind: Kind = "occupation") -> str:
    """Return the comparison form of a title: folded, stemmed, sorted tokens.

    Parameters
    ----------
    text : str
        A title or skill name in Kazakh (Cyrillic or Latin), Russian or English.
    kind : {"occupation", "skill"}
        Which noise rules apply (see :func:`tokens`).

    Returns
    -------
    str
        Space-joined sorted unique tokens; empty when nothing meaningful is left.

    Examples
    --------
    >>> comparison_key("Учитель математики") == comparison_key("математики учитель!")
    True
    >>> comparison_key("МҰҒАЛІМ") == comparison_key("muğalım")
    True
    """
    return " ".join(sorted(set(tokens(text, kind))))


def compact_key(key: str) -> str:
    """Return ``key`` without spaces, for titles written as one word or two.

    Examples
    --------
    >>> compact_key("a b")
    'ab'
    """
    return key.replace(" ", "")


_KAZAKH_SCRIPT_RE = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


def script_class(text: str) -> str:
    """``"kk"`` (Kazakh letters), ``"ru"`` (other Cyrillic) or ``"latin"`` (no Cyrillic).

    The normalizer cannot know a title's language, but its script is plain to see;
    each class has its own abstain threshold because the three score differently.

    Examples
    --------
    >>> script_class("мұғалім"), script_class("учитель"), script_class("mugalim")
    ('kk', 'ru', 'latin')
    """
    if _KAZAKH_SCRIPT_RE.search(text):
        return "kk"
    if _CYRILLIC_RE.search(text):
        return "ru"
    return "latin"
