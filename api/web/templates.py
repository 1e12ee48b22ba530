"""One Jinja2 environment for every page, with the catalogue as its only source of words.

Interface::

    register_templates("applicants", Path(".../api/applicants/templates"))
        # templates of a feature, addressed as "applicants/<name>.html"
    register_nav("pages.nav.households", "/app/centre/", roles=("centre", "admin"), order=10)
        # a link in the header for these roles (label is a catalogue key)
    render(request, "applicants/me.html", {"household": ...}, status=200) -> HTMLResponse

In every template: ``t(key, **values)`` (the catalogue message in the page language),
``lang``, ``static_url(name)``, ``csrf_token`` and macro ``csrf()``, ``user`` (the
:class:`~api.web.session.Visitor`), ``request``, ``nav`` (links for the visitor's role),
``lang_url(code)`` (this page in another language); filter ``tenge`` groups digits.
Import macros ``with context`` (they call ``t``). Autoescape is on. Layout templates live
in ``api/web/templates/`` (``base.html``, ``macros.html``, ``error.html``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape

from matching.text import LANGS, Lang
from matching.text.catalogue import catalogue

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
STATIC_PREFIX = "/app/static"

_prefixed: dict[str, FileSystemLoader] = {}
environment = Environment(
    loader=ChoiceLoader([FileSystemLoader(WEB_DIR / "templates"), PrefixLoader(_prefixed)]),
    autoescape=select_autoescape(["html"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def register_templates(feature: str, directory: Path) -> None:
    """Make ``directory``'s templates available as ``"<feature>/<name>"``."""
    _prefixed[feature] = FileSystemLoader(directory)


@dataclass(frozen=True)
class NavLink:
    label_key: str
    path: str
    roles: tuple[str, ...]
    order: int


_nav: dict[str, NavLink] = {}


def register_nav(label_key: str, path: str, *, roles: tuple[str, ...], order: int = 50) -> None:
    """Add a header link shown to ``roles`` (registering the same path again replaces it)."""
    _nav[path] = NavLink(label_key, path, roles, order)


def nav_for(role: str | None) -> list[NavLink]:
    return sorted(
        (link for link in _nav.values() if role is not None and role in link.roles),
        key=lambda link: (link.order, link.path),
    )


def translate(lang: Lang, key: str, **values: Any) -> str:
    """The catalogue's ``key`` in ``lang`` (a missing key fails loudly, in tests too)."""
    text = catalogue()[key]
    return (text.format(**values) if values else text).get(lang)


@lru_cache(maxsize=64)
def _fingerprint(name: str) -> str:
    # Content hash in the query string: browsers may cache assets forever, edits still show.
    path = STATIC_DIR / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"


def static_url(name: str) -> str:
    return f"{STATIC_PREFIX}/{name}?v={_fingerprint(name)}"


def group_digits(value: float | int | None) -> str:
    """``1234567`` → ``1 234 567`` with no-break spaces (how tenge are written in kk and ru)."""
    if value is None:
        return ""
    return f"{round(value):,}".replace(",", "\u00a0")


environment.globals["static_url"] = static_url
environment.filters["tenge"] = group_digits
environment.globals["LANGS"] = LANGS


def lang_url(request: Request, code: str) -> str:
    """This page's address with ``?lang=code`` (other query parameters kept)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*query, ('lang', code)])}"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """Render ``template`` for this request's visitor, in their language."""
    from api.web.session import anonymous_visitor, apply_cookies

    visitor = getattr(request.state, "visitor", None) or anonymous_visitor(request)
    lang = visitor.lang

    def t(key: str, **values: Any) -> str:
        return translate(lang, key, **values)

    page = environment.get_template(template).render(
        {
            **(context or {}),
            "request": request,
            "t": t,
            "lang": lang,
            "user": visitor,
            "csrf_token": visitor.csrf_token,
            "nav": nav_for(visitor.role),
            "lang_url": lambda code: lang_url(request, code),
        }
    )
    response = HTMLResponse(page, status_code=status)
    response.headers["Content-Language"] = lang
    # Pages show personal data: never cache them in shared caches or the back/forward cache.
    response.headers["Cache-Control"] = "no-store"
    apply_cookies(request, response)
    return response
