"""Kazakh script conversion and spelling folds used for matching.

Official Latin alphabet
-----------------------
``kk_cyr_to_lat`` follows the Kazakh Latin alphabet presented by the government in
January 2021 (31 letters)::

    A Ä B D E F G Ğ H I İ J K L M N Ñ O Ö P Q R S Ş T U Ū Ü V Y Z

Letter correspondences (Cyrillic -> Latin):

===========  ======  ==============================================
Cyrillic     Latin   Note
===========  ======  ==============================================
а ә б в г    a ä b v g
ғ д е ж з    ğ d e j z
и й          i       both become dotted ``i`` (capital ``İ``)
і            ı       dotless ``ı``; its capital is plain ``I``
ы            y
к қ л м н ң  k q l m n ñ
о ө п р с т  o ö p r s t
у ұ ү        u ū ü
ф х һ        f h h   х and һ merge into ``h``
ш            ş
===========  ======  ==============================================

Letters outside the 31-letter alphabet are written as the 2021 guidance suggests:
ц -> ``ts``, ч -> ``ş`` (the guidance also allows ``tş``; we take ``ş`` because
people who type ``ch`` then fold onto the same key), щ -> ``şş``, ё -> ``io``,
ю -> ``iu``, я -> ``ia``, э -> ``e``; ъ and ь are dropped.  A two-letter
rendering of a capital is title case (``Ц`` -> ``Ts``) unless a neighbouring
letter is also a capital, then it is all caps (``ЦЕХ`` -> ``TSEH``).

Inverse (best effort)
---------------------
``kk_lat_to_cyr`` cannot undo the merges above; it resolves them as follows and
is exact for native Kazakh words without х/һ, ц, ч, щ or э:

* ``i`` after a vowel is й, otherwise и (``söilesıp`` -> сөйлесіп);
* ``ia``/``iu``/``io`` at the start of a word or after a vowel are я/ю/ё
  (``qoian`` -> қоян), after a consonant they stay иа/иу/ио;
* ``h`` is always х (һ words such as шаһар come back as шахар);
* ``ts`` and ``şş`` are ц and щ only at the start of a word (inside a word they are
  usually т+с and ш+ш, as in ``ketse``);
* ``ş`` is ш (ч is not recovered); dropped ъ/ь are not restored; ``e`` is е.

Folds for matching
------------------
``fold_kazakh_latin`` maps the official 2021 spelling, the 2017 apostrophe and
2018 acute-accent alphabets, Russian-style romanisation (``zh``, ``sh``, ``ch``,
``kh``, ``ya``, ``ye``) and plain-ASCII typing onto one lowercase ASCII key.  It is
deliberately lossy: all i-like vowels (``i``, ``ı``, ``y``) meet, front and back
vowel pairs meet (ä/a, ö/o, ü/ū/u), and the velars g, ğ, k, q and h/kh meet as
``k`` (Kazakh speakers use them interchangeably when typing without diacritics:
``mugalim``, ``muqalim``, ``mughalim`` and ``muğalım`` all fold to ``mukalim``).
Because ң is typed as ``n`` or ``ng`` and ңғ as ``ñğ``, ``ng`` or ``nq``, a velar
right after ``n`` is absorbed (``Mañğystau`` and ``Mangystau`` give ``manistau``;
the price is that ``bank`` and ``ban`` meet too).  The other rules, in order:

* 2017 apostrophe letters ``a' g' i' n' o' s' c' u' y'`` are ä ğ и ң ө ш ч ү у
  (note ``y'`` is у); 2018 acute letters ``á ǵ ń ó ú`` are ä ğ ң ө ү and ``ý`` is у;
* any other apostrophe is dropped and any other diacritic is stripped;
* ``sh``, ``ch``, ``ş``, ``ç`` -> ``sh``; ``zh``, ``dzh``, ``dj`` -> ``j``;
  ``gh`` -> ``g``; ``c`` and ``tc`` -> ``ts``; ``x`` -> ``ks``; ``w`` -> ``u``;
  a ``y`` that starts a word before ``e`` is dropped (``Yerlan``/``Erlan``);
* ``y`` -> ``i``; g, q, h -> ``k``; a run of one letter becomes one letter.

``fold_cyrillic_kazakh`` maps the nine Kazakh-specific Cyrillic letters onto the
Russian letters people type on a Russian keyboard.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "KAZAKH_SPECIFIC_CYRILLIC",
    "fold_cyrillic_kazakh",
    "fold_kazakh_latin",
    "kk_cyr_to_lat",
    "kk_lat_to_cyr",
]

#: The nine letters Kazakh Cyrillic adds to the Russian alphabet (both cases).
KAZAKH_SPECIFIC_CYRILLIC = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"

# --------------------------------------------------------------------------- #
# Cyrillic -> Latin
# --------------------------------------------------------------------------- #
_CYR_TO_LAT_SINGLE: dict[str, str] = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e",
    "ж": "j", "з": "z", "и": "i", "й": "i", "і": "ı", "к": "k", "қ": "q", "л": "l",
    "м": "m", "н": "n", "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ұ": "ū", "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ч": "ş",
    "ш": "ş", "ы": "y", "э": "e", "ъ": "", "ь": "",
    "А": "A", "Ә": "Ä", "Б": "B", "В": "V", "Г": "G", "Ғ": "Ğ", "Д": "D", "Е": "E",
    "Ж": "J", "З": "Z", "И": "İ", "Й": "İ", "І": "I", "К": "K", "Қ": "Q", "Л": "L",
    "М": "M", "Н": "N", "Ң": "Ñ", "О": "O", "Ө": "Ö", "П": "P", "Р": "R", "С": "S",
    "Т": "T", "У": "U", "Ұ": "Ū", "Ү": "Ü", "Ф": "F", "Х": "H", "Һ": "H", "Ч": "Ş",
    "Ш": "Ş", "Ы": "Y", "Э": "E", "Ъ": "", "Ь": "",
}  # fmt: skip
_CYR_TO_LAT_TABLE = str.maketrans(_CYR_TO_LAT_SINGLE)

# Letters rendered by two Latin letters; value is (lowercase, title case, all caps).
_CYR_MULTI: dict[str, tuple[str, str, str]] = {
    "ё": ("io", "İo", "İO"),
    "ю": ("iu", "İu", "İU"),
    "я": ("ia", "İa", "İA"),
    "ц": ("ts", "Ts", "TS"),
    "щ": ("şş", "Şş", "ŞŞ"),
}
_CYR_MULTI_RE = re.compile("[ЁЮЯЦЩёюяцщ]")


def _cyr_multi(match: re.Match[str]) -> str:
    char = match.group()
    lower, title, upper = _CYR_MULTI[char.lower()]
    if char.islower():
        return lower
    text = match.string
    start, end = match.span()
    prev_upper = start > 0 and text[start - 1].isupper()
    next_upper = end < len(text) and text[end].isupper()
    return upper if prev_upper or next_upper else title


def kk_cyr_to_lat(text: str) -> str:
    """Transliterate Kazakh Cyrillic text into the 2021 Kazakh Latin alphabet.

    Characters that are not letters of the Kazakh Cyrillic alphabet (digits,
    punctuation, Latin text, Ukrainian ї or є) are kept as they are.

    Parameters
    ----------
    text : str
        Text in Kazakh (or Russian) Cyrillic.

    Returns
    -------
    str
        The same text in the official Latin alphabet (see the module docstring).

    Examples
    --------
    >>> kk_cyr_to_lat("Қазақстан Республикасы")
    'Qazaqstan Respublikasy'
    >>> kk_cyr_to_lat("Шығыс Қазақстан облысы")
    'Şyğys Qazaqstan oblysy'
    >>> kk_cyr_to_lat("мұғалім")
    'mūğalım'
    """
    return _CYR_MULTI_RE.sub(_cyr_multi, text).translate(_CYR_TO_LAT_TABLE)


# --------------------------------------------------------------------------- #
# Latin -> Cyrillic
# --------------------------------------------------------------------------- #
_LAT_TO_CYR_SINGLE: dict[str, str] = {
    "a": "а", "ä": "ә", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "ğ": "ғ",
    "h": "х", "ı": "і", "i": "и", "j": "ж", "k": "к", "l": "л", "m": "м", "n": "н",
    "ñ": "ң", "o": "о", "ö": "ө", "p": "п", "q": "қ", "r": "р", "s": "с", "ş": "ш",
    "t": "т", "u": "у", "ū": "ұ", "ü": "ү", "v": "в", "y": "ы", "z": "з",
    "A": "А", "Ä": "Ә", "B": "Б", "D": "Д", "E": "Е", "F": "Ф", "G": "Г", "Ğ": "Ғ",
    "H": "Х", "I": "І", "İ": "И", "J": "Ж", "K": "К", "L": "Л", "M": "М", "N": "Н",
    "Ñ": "Ң", "O": "О", "Ö": "Ө", "P": "П", "Q": "Қ", "R": "Р", "S": "С", "Ş": "Ш",
    "T": "Т", "U": "У", "Ū": "Ұ", "Ü": "Ү", "V": "В", "Y": "Ы", "Z": "З",
}  # fmt: skip
_LAT_TO_CYR_TABLE = str.maketrans(_LAT_TO_CYR_SINGLE)
_LAT_VOWELS = "aäeıioöuūüyAÄEIİOÖUŪÜY"
_IOTATED = {"a": "я", "u": "ю", "o": "ё"}

_LAT_SPECIAL_RE = re.compile(
    r"(?<!\w)(?P<ts>[Tt][Ss])"
    r"|(?<!\w)(?P<shch>[Şş][Şş])"
    rf"|(?:(?<!\w)|(?<=[{_LAT_VOWELS}]))(?P<iot>[İi][AaUuOo])"
    rf"|(?<=[{_LAT_VOWELS}])(?P<yot>[İi])"
)


def _lat_special(match: re.Match[str]) -> str:
    token = match.group()
    upper = token[0].isupper()
    if match.lastgroup == "ts":
        out = "ц"
    elif match.lastgroup == "shch":
        out = "щ"
    elif match.lastgroup == "iot":
        out = _IOTATED[token[1].lower()]
    else:
        out = "й"
    return out.upper() if upper else out


def kk_lat_to_cyr(text: str) -> str:
    """Convert text in the 2021 Kazakh Latin alphabet back to Cyrillic (best effort).

    The official alphabet merges several Cyrillic letters, so the inverse is
    ambiguous; the module docstring lists how each ambiguity is resolved.  Latin
    letters outside the alphabet (c, w, x) are kept as they are.

    Parameters
    ----------
    text : str
        Text in the official Kazakh Latin alphabet.

    Returns
    -------
    str
        Kazakh Cyrillic text.

    Examples
    --------
    >>> kk_lat_to_cyr("Qazaqstan")
    'Қазақстан'
    >>> kk_lat_to_cyr("mūğalım")
    'мұғалім'
    >>> kk_lat_to_cyr("söilesıp")
    'сөйлесіп'
    """
    text = unicodedata.normalize("NFC", text)
    return _LAT_SPECIAL_RE.sub(_lat_special, text).translate(_LAT_TO_CYR_TABLE)


# --------------------------------------------------------------------------- #
# Latin fold
# --------------------------------------------------------------------------- #
# The ш/ч class is spelt "sh"/"ch" until the digraph step turns it into "S", a
# free ASCII placeholder (the text is lowercase by then), so that folding h into
# the velars cannot touch it; "S" becomes "sh" again at the end.
_SH = "S"

# 2017 alphabet: a letter followed by an apostrophe (any of the usual glyphs);
# applied to lowercased text.
_APOSTROPHE_GLYPHS = "'’ʼ`´ʻ"
_APOSTROPHE_LETTER_RE = re.compile(f"([agnoscuiy])[{_APOSTROPHE_GLYPHS}]")
_APOSTROPHE_LETTER_MAP = {
    "a": "a", "g": "g", "i": "i", "n": "n", "o": "o",
    "s": "sh", "c": "ch", "u": "u", "y": "u",  # 2017: y' is у
}  # fmt: skip


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _latin_table() -> dict[int, str]:
    # One table for lowercased text: apostrophes go, Kazakh letters with their
    # own fold, then every other Latin letter with a diacritic -> its base letter
    # (precomputed so that common input never takes the generic slow path).
    table: dict[int, str] = dict.fromkeys(range(0x300, 0x370), "")
    for cp in range(0xC0, 0x250):
        base = _strip_marks(chr(cp)).lower()
        if base != chr(cp) and base.isascii():
            table[cp] = base
    own = {
        "ş": "sh", "ç": "ch", "š": "sh",
        "ý": "u",  # 2018: ý is у
        "ı": "i", "ə": "a", "ŋ": "n", "ß": "ss", "æ": "a", "ø": "o", "đ": "d", "ł": "l",
    }  # fmt: skip
    table.update({ord(k): v for k, v in own.items()})
    table.update(dict.fromkeys(map(ord, _APOSTROPHE_GLYPHS), ""))
    return table


_LAT_TABLE = _latin_table()
_DIGRAPH_RE = re.compile(r"dzh|dj|zh|sh|ch|gh|tc(?!h)|c|x|w|\by(?=e)")
_DIGRAPH_MAP = {
    "dzh": "j", "dj": "j", "zh": "j", "sh": _SH, "ch": _SH,
    "gh": "g", "tc": "ts", "c": "ts", "x": "ks", "w": "u", "y": "",
}  # fmt: skip
_LAT_POST_TABLE = str.maketrans("ygqh", "ikkk")
# ң is written ñ, n or ng, and ңғ as ñğ, ng, ngg, nq...: a velar after n is
# absorbed (after the velars have met as k) so that all of these give "n".
_N_VELAR_RE = re.compile(r"nk+")
_REPEAT_RE = re.compile(r"([a-zS])\1+")


def fold_kazakh_latin(text: str) -> str:
    """Fold any Latin spelling of Kazakh onto a lowercase ASCII matching key.

    Official 2021 spelling, the 2017 apostrophe and 2018 acute alphabets,
    Russian-style romanisation and diacritic-free typing of the same word all give
    the same key.  The fold is idempotent and lossy (see the module docstring);
    use it to compare spellings, never to display text.  Letters of other
    scripts are only lowercased and stripped of diacritics (й -> и), so transliterate
    Cyrillic first (``kk_cyr_to_lat``) when both scripts must meet.

    Parameters
    ----------
    text : str
        Kazakh text written in any Latin spelling.

    Returns
    -------
    str
        Matching key: lowercase ASCII letters (``sh`` for ш/ч), with digits,
        spaces and other characters kept.

    Examples
    --------
    >>> {fold_kazakh_latin(w) for w in ["muğalım", "mughalim", "mugalim", "muqalim"]}
    {'mukalim'}
    >>> fold_kazakh_latin("Şyğys") == fold_kazakh_latin("Shygys")
    True
    >>> fold_kazakh_latin("JÚRGIZÝSHI") == fold_kazakh_latin("jürgızuşı")
    True
    """
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    text = _APOSTROPHE_LETTER_RE.sub(lambda m: _APOSTROPHE_LETTER_MAP[m.group(1)], text)
    text = text.translate(_LAT_TABLE)
    if not text.isascii():
        # Other scripts and compatibility characters: generic decomposition.
        text = _strip_marks(text).lower().translate(_LAT_TABLE)
    text = _DIGRAPH_RE.sub(lambda m: _DIGRAPH_MAP[m.group()], text)
    text = text.translate(_LAT_POST_TABLE)
    text = _N_VELAR_RE.sub("n", text)
    text = _REPEAT_RE.sub(r"\1", text)
    return text.replace(_SH, "sh")


# --------------------------------------------------------------------------- #
# Cyrillic fold
# --------------------------------------------------------------------------- #
_CYR_FOLD_TABLE = str.maketrans(
    {
        "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х",
        "і": "и", "Ә": "А", "Ғ": "Г", "Қ": "К", "Ң": "Н", "Ө": "О", "Ұ": "У", "Ү": "У",
        "Һ": "Х", "І": "И",
    }
)  # fmt: skip
# A Latin i typed inside a Cyrillic word stands for і (the letter shares its key
# on many Kazakh layouts and looks identical).
_LATIN_I_IN_CYRILLIC_RE = re.compile(r"(?<=[\u0400-\u04ff])[iI]|[iI](?=[\u0400-\u04ff])")


def fold_cyrillic_kazakh(text: str) -> str:
    """Map Kazakh-specific Cyrillic letters onto the Russian letters typed instead.

    ә→а, ғ→г, қ→к, ң→н, ө→о, ұ→у, ү→у, һ→х, і→и (both cases), and a Latin ``i``
    written next to Cyrillic letters is read as і and becomes и.  Everything else
    is kept, including case.  The fold is idempotent.

    Parameters
    ----------
    text : str
        Kazakh or Russian Cyrillic text.

    Returns
    -------
    str
        Text using only letters of the Russian alphabet for Kazakh letters.

    Examples
    --------
    >>> fold_cyrillic_kazakh("мұғалім")
    'мугалим'
    >>> fold_cyrillic_kazakh("мұғалім") == fold_cyrillic_kazakh("мугалим")
    True
    """
    if "i" in text or "I" in text:
        text = _LATIN_I_IN_CYRILLIC_RE.sub(lambda m: "и" if m.group() == "i" else "И", text)
    return text.translate(_CYR_FOLD_TABLE)
