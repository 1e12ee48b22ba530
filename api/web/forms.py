"""Validation errors as per-field messages next to the fields, with the input kept.

Interface::

    form = FormState.of(await request.form())     # the input, kept for re-rendering
    try:
        body = SomeModel.model_validate(form.values)
    except ValidationError as exc:
        form.add_validation(exc, visitor.lang)
    except ProblemException as exc:               # the API's own checks, same texts
        form.add_problem(exc, visitor.lang)
    if form.errors: return render(request, "...", {"form": form}, status=422)

Field names are the error ``loc`` without ``body`` joined by dots (``members.0.iin``).
Texts are the API's: a problem's ``errors[].msg`` and ``detail``; pydantic's common error
types are worded from the catalogue (``pages.field.<type>``), the rest keep pydantic's text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from api.core.problems import ProblemException
from matching.text import Lang, Text
from matching.text.catalogue import catalogue


def field_name(loc: Iterable[Any]) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "query", "path", "form"))


def _worded(kind: str, fallback: str, lang: Lang) -> str:
    key = f"pages.field.{kind}"
    messages = catalogue()
    return messages[key].get(lang) if key in messages else fallback


@dataclass
class FormState:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    summary: str | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> FormState:
        # Secrets are never echoed back into a page.
        return cls(
            {k: v for k, v in data.items() if isinstance(v, str) and k not in _SECRET_FIELDS}
        )

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def add_validation(self, exc: ValidationError, lang: Lang) -> None:
        for err in exc.errors():
            self.add(field_name(err["loc"]), _worded(err["type"], err["msg"], lang))

    def add_problem(self, exc: ProblemException, lang: Lang) -> None:
        for err in exc.errors or []:
            kind = str(err.get("type", ""))
            message = err.get("msg", "")
            # Service errors carry their message in the three languages; pydantic's are English.
            worded = message.get(lang) if isinstance(message, Text) else _worded(kind, str(message), lang)
            self.add(field_name(err.get("loc", ())), worded)
        detail = exc.detail
        self.summary = detail.get(lang) if isinstance(detail, Text) else detail

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


_SECRET_FIELDS = frozenset({"password", "csrf_token"})
