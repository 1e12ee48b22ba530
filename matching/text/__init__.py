"""Texts a person reads, always in the three languages of the service."""

from __future__ import annotations

from dataclasses import dataclass
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

    def format(self, **values: object) -> Text:
        """Fill ``{placeholders}`` in all three forms at once."""
        return Text(
            kk=self.kk.format(**values), ru=self.ru.format(**values), en=self.en.format(**values)
        )

    def as_dict(self) -> dict[str, str]:
        return {"kk": self.kk, "ru": self.ru, "en": self.en}


def msg(key: str, **values: object) -> Text:
    """The catalogue's message ``key`` (see :mod:`matching.text.catalogue`)."""
    from matching.text.catalogue import msg as _msg  # the catalogue imports Text from here

    return _msg(key, **values)
