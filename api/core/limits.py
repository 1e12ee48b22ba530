"""A limit on request bodies: a too-large body is a 413 problem, before it is parsed.

Without it a 5 MB JSON body is read whole and answered with a 422 (or worse, holds a worker
while it is parsed). Paths with their own, larger limit (bulk-import uploads) are listed in
``larger`` by prefix; the route still checks its exact limit on the file it reads.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.problems import problem_response
from matching.text import Text

TOO_LARGE = Text(
    kk="Сұрау денесі тым үлкен (ең көбі {limit} байт).",
    ru="Тело запроса слишком большое (не больше {limit} байт).",
    en="The request body is too large (at most {limit} bytes).",
)


PAGES_PREFIX = "/app/"


class BodyTooLarge(StarletteHTTPException):
    """Raised while reading a body without Content-Length that passes the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, TOO_LARGE.format(limit=limit).en)
        self.text = TOO_LARGE.format(limit=limit)


class BodySizeLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})

    def limit_for(self, path: str) -> int:
        return next((n for p, n in self.larger.items() if path.startswith(p)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            request = Request(scope)
            text = TOO_LARGE.format(limit=limit)
            # A page's form gets a page back (the pages install ``page_error``), the API a problem.
            page_error = getattr(getattr(scope.get("app"), "state", None), "page_error", None)
            if page_error is not None and scope["path"].startswith(PAGES_PREFIX):
                response = page_error(request, 413, text)
            else:
                response = problem_response(request, 413, text, type_="/problems/too-large")
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)
