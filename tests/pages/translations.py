"""``assert_translated(page_text, lang)``: a page shows no untranslated words.

It fails when the visible text contains a catalogue key (``planner.run.title``), a
``{placeholder}`` left unformatted, or a whole line equal to another language's form of a
message whose form in ``lang`` differs (a Russian or English sentence on a Kazakh page).
Lines are what ``page.inner_text("body")`` gives; whole lines are compared so that data
(names of places, numbers) never trips the check.
"""

from __future__ import annotations

import re
from functools import lru_cache

from matching.text import LANGS
from matching.text.catalogue import catalogue

_KEY = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b")
_PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")


@lru_cache(maxsize=3)
def _foreign_forms(lang: str) -> frozenset[str]:
    """Placeholder-free forms in other languages that differ from every form in ``lang``."""
    messages = catalogue()
    own = {text.get(lang).strip() for text in messages.values()}  # type: ignore[arg-type]
    foreign: set[str] = set()
    for text in messages.values():
        mine = text.get(lang)  # type: ignore[arg-type]
        for other in LANGS:
            form = text.get(other).strip()
            if other != lang and form != mine and "{" not in form and form not in own:
                foreign.add(form)
    return frozenset(foreign)


def untranslated(page_text: str, lang: str) -> list[str]:
    messages = catalogue()
    problems = [f"catalogue key {k!r}" for k in _KEY.findall(page_text) if k in messages]
    problems += [f"placeholder {p!r}" for p in _PLACEHOLDER.findall(page_text)]
    foreign = _foreign_forms(lang)
    for line in page_text.splitlines():
        for part in re.split(r"\t| {2,}", line):
            segment = part.strip()
            if segment and segment in foreign:
                problems.append(f"not in {lang}: {segment!r}")
    return problems


def assert_translated(page_text: str, lang: str) -> None:
    problems = untranslated(page_text, lang)
    assert not problems, f"untranslated on a {lang} page:\n" + "\n".join(problems)
