"""Security headers on every response (API, pages, static files, docs) and the CORS switch.

The pages are self-hosted (scripts and styles are files under ``/static``, no inline script or
style attribute), so the policy allows ``'self'`` only; the docs page sets its own policy with
the hashes of Swagger UI's inline start-up script (``api.core.docs``), and a response that
already carries a header keeps it. ``Cache-Control: no-store`` goes on everything that may
hold personal data: any request that sent credentials (a bearer token or a session cookie)
and every page; stylesheets, scripts, images and fonts stay cacheable.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000; includeSubDomains"
SESSION_COOKIE = b"qonys_session"
# Assets hold no personal data and are fetched with the session cookie too: keep them cacheable.
CACHEABLE = ("text/css", "text/javascript", "application/javascript", "image/", "font/")
PAGES_PREFIX = "/app/"


def _personal(scope: Scope) -> bool:
    if scope["path"].startswith(PAGES_PREFIX):
        return True
    for name, value in scope.get("headers") or []:
        if name == b"authorization" or (name == b"cookie" and SESSION_COOKIE in value):
            return True
    return False


class SecurityHeadersMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware: it breaks streaming)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        personal = _personal(scope)
        # HSTS only over HTTPS (the scheme uvicorn's proxy headers report behind a proxy):
        # browsers ignore it over http, and a local http run must stay reachable.
        hsts = self.hsts and scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in BASE_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if personal and not headers.get("content-type", "").startswith(CACHEABLE):
                    headers["Cache-Control"] = "no-store"
                if hsts:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def cors_origins(setting: str) -> list[str]:
    """``QONYS_CORS_ORIGINS``: comma-separated origins; empty (the default) means no CORS."""
    return [origin.strip().rstrip("/") for origin in setting.split(",") if origin.strip()]
