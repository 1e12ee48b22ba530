"""Checking client input against the domain, shared by every feature's mappers.

A feature's ``validate_*`` takes client input (a request body or an import row, as a plain
dict with the DTO's field names), checks it by building the domain object, and returns the
column values to store. A rule that fails raises :class:`FieldError` naming the offending
field, so the REST routes and the importer report the same reasons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from api.core.problems import ProblemException
from matching.domain import DomainValidationError
from matching.programme.geography import (
    AmbiguousRegionError,
    ReferenceData,
    UnknownLocalityError,
    UnknownRegionError,
)
from matching.text import Text

T = TypeVar("T")
Path = tuple[str | int, ...]

OPEN_CLOSED = ("open", "closed")

CANDIDATE = Text(kk="нұсқа: {candidate}", ru="вариант: {candidate}", en="candidate {candidate}")


class FieldError(ValueError):
    """Input that cannot be stored; ``path`` names the field (``("members", 0, "iin")``)."""

    def __init__(self, path: Path, text: Text, *, candidates: Sequence[str] = ()) -> None:
        super().__init__(text.en)
        self.path = path
        self.text = text
        self.candidates = tuple(candidates)

    def as_problem(self, *, status: int = 422) -> ProblemException:
        """A 422 problem whose ``errors`` name the field (and list candidates, if any)."""
        loc: list[str | int] = ["body", *self.path]
        errors = [
            {"loc": loc, "msg": CANDIDATE.format(candidate=c), "type": "ambiguous"}
            for c in self.candidates
        ] or [{"loc": loc, "msg": self.text, "type": "value_error"}]
        return ProblemException(status, self.text, type_="/problems/invalid-field", errors=errors)

    @property
    def field(self) -> str:
        """The path as one string: ``members[0].iin``."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out


def trilingual(kk: str, ru: str, en: str) -> Text:
    return Text(kk=kk, ru=ru, en=en)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years between ``birth`` and ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def build_domain(factory: Callable[[], T], prefix: Path, keywords: Sequence[tuple[str, str]]) -> T:
    """Build a domain object; a DomainValidationError becomes a FieldError.

    The domain's English message names the offending value ("wage cannot be negative"); the
    first keyword it contains picks the field, so ``keywords`` list longer phrases first.
    """
    try:
        return factory()
    except DomainValidationError as exc:
        message = exc.text.en.lower()
        for keyword, field in keywords:
            if keyword in message:
                raise FieldError((*prefix, field), exc.text) from None
        raise FieldError(prefix or ("body",), exc.text) from None


def given(data: Mapping[str, Any], key: str, default: Any) -> Any:
    """``data[key]`` unless missing or None (0 and False are values, not "missing")."""
    value = data.get(key)
    return default if value is None else value


def choice(value: Any, allowed: Sequence[str], path: Path) -> str:
    if value not in allowed:
        raise FieldError(
            path,
            trilingual(
                f"{value!r} рұқсат етілмеген мән ({', '.join(allowed)})",
                f"недопустимое значение {value!r} ({', '.join(allowed)})",
                f"{value!r} is not one of {', '.join(allowed)}",
            ),
        )
    return str(value)


def resolve_region(reference: ReferenceData, key: str, path: Path) -> str:
    """Region code for a code, ISO code or name; unknown or ambiguous names are errors."""
    try:
        return reference.region(key).code
    except UnknownRegionError as exc:
        raise FieldError(path, exc.text) from None
    except AmbiguousRegionError as exc:
        raise FieldError(
            path, exc.text, candidates=[f"{r.code}: {r.name_en}" for r in exc.candidates]
        ) from None


def resolve_locality(reference: ReferenceData, locality_id: str, path: Path) -> str:
    """Region code of an existing locality."""
    try:
        return reference.locality(locality_id).region_code
    except UnknownLocalityError as exc:
        raise FieldError(path, exc.text) from None
