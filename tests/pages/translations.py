"""``assert_translated(page_text, lang)``: no untranslated words on a page.

It fails when the visible text shows a catalogue key (``centre.form.save``), a format
``{placeholder}`` left unfilled, or a catalogue message in another language where that
language's form differs from ``lang``'s (a Russian label on a Kazakh page). Messages under
five letters are not looked for: "нет" or "газ" also occur inside ordinary words and data.
"""

from __future__ import annotations

import re
from functools import lru_cache

from matching.text import LANGS
from matching.text.catalogue import catalogue

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_MIN_LETTERS = 5


@lru_cache(maxsize=4)
def _foreign(lang: str) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(key, text, pattern) of every message whose other-language form differs from ``lang``'s."""
    found = []
    for key, text in catalogue().items():
        own = text.get(lang)  # type: ignore[arg-type]
        for other in LANGS:
            form = text.get(other)
            if other == lang or form == own or _PLACEHOLDER.search(form):
                continue
            if sum(ch.isalpha() for ch in form) < _MIN_LETTERS or form in own:
                continue
            pattern = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)")
            found.append((key, form, pattern))
    return tuple(found)


@lru_cache(maxsize=1)
def _keys() -> re.Pattern[str]:
    keys = sorted(catalogue(), key=len, reverse=True)
    return re.compile(r"(?<![\w.])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w.])")


def untranslated(page_text: str, lang: str) -> list[str]:
    """What in ``page_text`` is not in ``lang`` (empty when the page is translated)."""
    problems = [f"catalogue key {m.group(1)!r}" for m in _keys().finditer(page_text)]
    problems += [f"placeholder {m.group(0)!r}" for m in _PLACEHOLDER.finditer(page_text)]
    for key, form, pattern in _foreign(lang):
        if pattern.search(page_text):
            problems.append(f"{key} in another language: {form!r}")
    return problems


def assert_translated(page_text: str, lang: str) -> None:
    problems = untranslated(page_text, lang)
    assert not problems, f"untranslated on a {lang} page:\n" + "\n".join(problems)
