"""The API docs page with Swagger UI served from the package, and where ``/`` leads.

FastAPI's default ``/docs`` loads Swagger UI's script and style from a public CDN, so the page
is blank on a machine without internet access (a centre's office network, a laptop on a
train). The files come from the ``swagger-ui-bundle-v2`` package instead (Swagger UI 5, which
renders OpenAPI 3.1) and are served under :data:`ASSETS`.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

# Where ``GET /`` leads: the docs until the server-rendered pages land (then ``/app/``).
HOME = "/app/"  # the pages: each visitor lands on their own home page
DOCS = "/docs"
ASSETS = "/docs/assets"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def install_docs(app: FastAPI) -> None:
    """``/docs`` with local assets and ``/`` redirecting to :data:`HOME` (create with docs_url=None)."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get(DOCS, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _allow_inline_scripts(
            get_swagger_ui_html(
                openapi_url=app.openapi_url or "/openapi.json",
                title=f"{app.title} — API",
                swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{ASSETS}/swagger-ui.css",
                swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
                oauth2_redirect_url=OAUTH2_REDIRECT,
            )
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return _allow_inline_scripts(get_swagger_ui_oauth2_redirect_html())

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(HOME, status_code=307)


def _allow_inline_scripts(page: HTMLResponse) -> HTMLResponse:
    """The page's own Content-Security-Policy: Swagger UI starts from an inline script, so its
    hash is allowed (that script only, never others); Swagger UI sets inline styles."""
    body = bytes(page.body).decode("utf-8")
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in re.findall(r"<script>(.*?)</script>", body, flags=re.S)
    )
    page.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
    )
    return page
