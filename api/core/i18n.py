"""Choosing the language of a response: ``?lang=`` first, then ``Accept-Language``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from matching.text import DEFAULT_LANG, LANGS, Lang

_ALIASES = {"kz": "kk", "kaz": "kk", "rus": "ru", "eng": "en"}


def pick_lang(query: str | None, header: str | None) -> Lang:
    """The first supported language named by the query or the header (by q-weight)."""
    if query:
        lang = _ALIASES.get(query.lower(), query.lower())
        if lang in LANGS:
            return lang  # type: ignore[return-value]
    if header:
        ranked: list[tuple[float, str]] = []
        for part in header.split(","):
            piece = part.strip()
            if not piece:
                continue
            tag, _, params = piece.partition(";")
            weight = 1.0
            if params.strip().startswith("q="):
                try:
                    weight = float(params.strip()[2:])
                except ValueError:
                    weight = 0.0
            primary = tag.strip().lower().split("-")[0]
            ranked.append((weight, _ALIASES.get(primary, primary)))
        for _, lang in sorted(ranked, key=lambda item: -item[0]):
            if lang in LANGS:
                return lang  # type: ignore[return-value]
    return DEFAULT_LANG


def lang_of(request: Request) -> Lang:
    return pick_lang(request.query_params.get("lang"), request.headers.get("accept-language"))


async def get_lang(
    request: Request,
    lang: Annotated[
        str | None,
        Query(description="Response language: kk, ru or en (overrides Accept-Language)."),
    ] = None,
) -> Lang:
    return pick_lang(lang, request.headers.get("accept-language"))
