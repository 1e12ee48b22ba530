"""The one message catalogue: every text a person reads, keyed, in kk, ru and en.

Messages live in TOML files under ``matching/text/messages/``, one file per area (``pages``,
``allocation``, ``scoring`` …). A file ``area.toml`` holding

    [unplaced.no_option]
    kk = "…"
    ru = "…"
    en = "…"

defines the key ``area.unplaced.no_option``. A table whose keys are exactly the three
languages is a message; any other table nests keys. Every message must carry all three forms
with the same ``{placeholders}``, so a missing translation fails at load time, not in front of
a user. Both the libraries (reasons) and the service (pages, problem titles) read from here.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from matching.text import LANGS, Text

MESSAGES_DIR = Path(__file__).with_name("messages")


class CatalogueError(ValueError):
    """A catalogue file is malformed: a message lacks a language, or forms disagree."""


def _placeholders(template: str) -> frozenset[str]:
    return frozenset(
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(template)
        if field
    )


def _is_message(node: Mapping[str, object]) -> bool:
    return set(node) == set(LANGS) and all(isinstance(v, str) for v in node.values())


def _walk(prefix: str, node: Mapping[str, object], out: dict[str, Text], source: str) -> None:
    for name, value in node.items():
        key = f"{prefix}.{name}"
        if not isinstance(value, dict):
            raise CatalogueError(f"{source}: {key} is neither a message nor a table")
        if _is_message(value):
            try:
                text = Text(kk=value["kk"], ru=value["ru"], en=value["en"])
            except ValueError as exc:
                raise CatalogueError(f"{source}: {key}: {exc}") from None
            forms = {lang: _placeholders(text.get(lang)) for lang in LANGS}
            if len(set(forms.values())) != 1:
                raise CatalogueError(f"{source}: {key} has different placeholders: {forms}")
            out[key] = text
        elif any(isinstance(value.get(lang), str) for lang in LANGS):
            missing = sorted(set(LANGS) - set(value))
            raise CatalogueError(f"{source}: {key} is missing {', '.join(missing) or 'nothing'}")
        else:
            _walk(key, value, out, source)


class Catalogue(Mapping[str, Text]):
    """Messages by key; read-only once loaded."""

    def __init__(self, messages: Mapping[str, Text]) -> None:
        self._messages = dict(messages)

    @classmethod
    def load(cls, directory: Path = MESSAGES_DIR) -> Catalogue:
        """Read every ``*.toml`` file of ``directory``; the file's stem is the key prefix."""
        messages: dict[str, Text] = {}
        for path in sorted(directory.glob("*.toml")):
            with path.open("rb") as handle:
                try:
                    data = tomllib.load(handle)
                except tomllib.TOMLDecodeError as exc:
                    raise CatalogueError(f"{path.name}: {exc}") from None
            _walk(path.stem, data, messages, path.name)
        return cls(messages)

    def __getitem__(self, key: str) -> Text:
        try:
            return self._messages[key]
        except KeyError:
            raise KeyError(f"no message {key!r} in the catalogue") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._messages)

    def __len__(self) -> int:
        return len(self._messages)

    def under(self, prefix: str) -> dict[str, Text]:
        """The messages whose key starts with ``prefix.``, keyed by the rest of the key."""
        head = prefix.rstrip(".") + "."
        return {k[len(head) :]: v for k, v in self._messages.items() if k.startswith(head)}


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The catalogue shipped with the package (loaded once per process)."""
    return Catalogue.load()


def msg(key: str, **values: object) -> Text:
    """The message ``key`` in all three languages, placeholders filled when values are given."""
    text = catalogue()[key]
    if not values:
        return text
    # The same few messages are filled with the same few values over and over (a ranked
    # answer explains 20 options × 11 components): remember the filled texts. The value's
    # type is part of the key because 1, 1.0 and True are equal but not written alike.
    try:
        return _filled(text, tuple([(k, type(v), v) for k, v in values.items()]))
    except TypeError:  # an unhashable value: fill it every time
        return text.format(**values)


@lru_cache(maxsize=16_384)
def _filled(text: Text, values: tuple[tuple[str, type, object], ...]) -> Text:
    return text.format(**{k: v for k, _, v in values})
