"""Texts a person reads, always in the three languages of the service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

Lang = Literal["kk", "ru", "en"]
LANGS: tuple[Lang, ...] = ("kk", "ru", "en")
DEFAULT_LANG: Lang = "ru"


@dataclass(frozen=True, slots=True)
class Text:
    """One message in Kazakh (Cyrillic), Russian and English."""

    kk: str
    ru: str
    en: str

    def __post_init__(self) -> None:
        for lang in LANGS:
            if not getattr(self, lang).strip():
                raise ValueError(f"text is missing its {lang} form: {self!r}")

    def get(self, lang: str) -> str:
        """The text in ``lang``; unknown languages fall back to Russian."""
        return str(getattr(self, lang)) if lang in LANGS else self.ru

    @classmethod
    def each(cls, form: Callable[[Lang], str]) -> Text:
        """The text whose form in each language is ``form(lang)``.

        For texts that come from data (a taxonomy label, a number written the language's
        way), not for messages: those live in the catalogue.
        """
        return cls(kk=form("kk"), ru=form("ru"), en=form("en"))

    def format(self, **values: object) -> Text:
        """Fill ``{placeholders}`` in all three forms at once.

        A :class:`Text` value fills each form with its own form in that language.
        """

        def filled(lang: Lang) -> str:
            own = {k: v.get(lang) if isinstance(v, Text) else v for k, v in values.items()}
            return self.get(lang).format(**own)

        return Text.each(filled)

    def as_dict(self) -> dict[str, str]:
        return {"kk": self.kk, "ru": self.ru, "en": self.en}


def msg(key: str, **values: object) -> Text:
    """The catalogue's message ``key`` (see :mod:`matching.text.catalogue`)."""
    return _catalogue_msg()(key, **values)


@cache
def _catalogue_msg() -> Callable[..., Text]:
    # Imported on first use: the catalogue imports Text from here.
    from matching.text.catalogue import msg as catalogue_msg

    return catalogue_msg
