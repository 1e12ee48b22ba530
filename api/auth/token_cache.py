"""Bearer tokens that were found valid, remembered for a few seconds per process.

Every API request names its token; reading the token row for each one was a database round
trip per request. A token found valid is remembered here (by its digest) for
``token_cache_seconds`` (5 s unless configured; 0 turns the cache off), so a burst of requests
with one token reads it once. What that means for revocation:

* a token revoked through this process (``DELETE /tokens/{id}``, ``revoke_token``) is
  forgotten at once, by every cache of the process;
* a token revoked elsewhere (another worker, the CLI, the database) still works in a process
  that remembered it for at most ``token_cache_seconds``.

Expiry stays exact: the expiry time is remembered with the token and checked on every use.
Unknown, revoked and expired tokens are never remembered (each attempt reaches the database
and counts as a failure for the rate limiter).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.auth.service import Principal

# Bounded: tokens are few (one per person or system); a flood of distinct valid tokens
# only empties the cache.
MAX_TOKENS = 10_000

_caches: weakref.WeakSet[TokenCache] = weakref.WeakSet()
_registry_lock = threading.Lock()


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    expires_at: dt.datetime | None
    until: float  # monotonic time after which the row is read again


class TokenCache:
    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[str, _Entry] = {}
        with _registry_lock:
            _caches.add(self)

    def get(self, digest: str, now: dt.datetime) -> Principal | None:
        """The principal of a token found valid less than ``seconds`` ago and not expired."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if self.clock() >= entry.until or (
            entry.expires_at is not None and entry.expires_at <= now
        ):
            self._entries.pop(digest, None)
            return None
        return entry.principal

    def put(self, digest: str, principal: Principal, expires_at: dt.datetime | None) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) >= MAX_TOKENS:
            self._entries.clear()
        self._entries[digest] = _Entry(principal, expires_at, self.clock() + self.seconds)

    def forget(self, token_id: int) -> None:
        for digest, entry in list(self._entries.items()):
            if entry.principal.token_id == token_id:
                self._entries.pop(digest, None)


def forget_everywhere(token_id: int) -> None:
    """Drop a revoked token from every cache of this process."""
    with _registry_lock:
        caches = list(_caches)
    for cache in caches:
        cache.forget(token_id)
