"""A reusable check that a page shows only translated words in its language.

``assert_translated(page)`` fails when any text a person reads or hears (text nodes,
including screen-reader-only ones, and ``aria-label``/``title``/``placeholder``/``alt``/
button values):

- equals a catalogue key or contains one (``applicant.home.title``): a ``t()`` that was
  not called or a key that was passed as text;
- contains an unfilled ``{placeholder}``;
- is, on a page in language L, exactly another language's form of a catalogue message
  whose L form is different (a Russian or English string left on a Kazakh page).

Text inside an element whose ``lang`` differs from the page's (the language switch names
each language in itself) is exempt: it is marked up as foreign on purpose.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page

from matching.text import LANGS
from matching.text.catalogue import catalogue

_TEXTS_JS = """
() => {
  const page = document.documentElement.lang;
  const out = [];
  const own = (el) => (el.closest('[lang]') || document.documentElement).lang;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || ['SCRIPT', 'STYLE'].includes(parent.tagName)) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) out.push([text, own(parent)]);
  }
  for (const el of document.querySelectorAll('[aria-label],[title],[placeholder],[alt],input[type=submit],input[type=button]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt', 'value']) {
      if (name === 'value' && !['submit', 'button'].includes(el.type)) continue;
      const value = el.getAttribute(name);
      if (value && value.trim()) out.push([value.trim(), own(el)]);
    }
  }
  return [page, out];
}
"""
_KEYISH = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b")
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_SPACES = re.compile(r"\s+")


def _squeeze(text: str) -> str:
    # As the page's text is read: any run of white space (no-break spaces too) is one space.
    return _SPACES.sub(" ", text).strip()


def _foreign_forms(lang: str) -> dict[str, str]:
    """Other languages' forms of messages whose ``lang`` form differs: text → key."""
    forms: dict[str, str] = {}
    for key, text in catalogue().items():
        mine = text.get(lang)
        for other in LANGS:
            form = text.get(other)
            if other != lang and form != mine:
                forms.setdefault(_squeeze(form), key)
    return forms


def untranslated(page: Page) -> list[str]:
    """Every problem of the current page (empty when it is fully translated)."""
    lang, texts = page.evaluate(_TEXTS_JS)
    keys = set(catalogue())
    foreign = _foreign_forms(lang)
    # A form can legitimately be the same words as another message's form in this language.
    own_forms = {_squeeze(text.get(lang)) for text in catalogue().values()}
    problems: list[str] = []
    for text, text_lang in texts:
        if text_lang != lang:
            continue
        for candidate in _KEYISH.findall(text):
            if candidate in keys:
                problems.append(f"catalogue key shown as text: {candidate!r} in {text!r}")
        if _PLACEHOLDER.search(text):
            problems.append(f"unfilled placeholder in {text!r}")
        key = foreign.get(text)
        if key is not None and text not in own_forms:
            problems.append(f"{key} shown in another language than {lang}: {text!r}")
    return problems


def assert_translated(page: Page) -> None:
    problems = untranslated(page)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
