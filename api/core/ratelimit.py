"""Failed sign-ins and bearer tokens, counted per key in a sliding window.

``FailureLimiter.retry_after(*keys)`` is the number of seconds until the next attempt is
allowed for the most-limited key (``None`` when none is blocked); ``fail(*keys)`` records a
failure under each key. Keys are tuples such as ``("address", "10.0.0.7")``, ``("user",
"centre61")`` or ``("token", "qn_Ab3xY")`` (a token's first 8 characters: enough to slow a
guesser, not enough to identify anyone).

The counters live in this process's memory (``app.state.failures``). With several workers
each one counts its own, so the effective limit is ``limit × workers`` per window: still a
bound on guessing, and a restart forgets. A deployment that needs one shared count keeps it in
the database or a cache in front; nothing else here would change. A hand-written window
rather than the ``limits`` package: ours needs an injectable clock (tests move time instead
of sleeping) and counts only failures, which is some 50 lines.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable

# Bound on memory under a flood of distinct keys: the stalest keys are dropped first.
MAX_KEYS = 100_000


class FailureLimiter:
    def __init__(
        self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = float(window_seconds)
        self.clock = clock
        self._failures: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: Hashable, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, *keys: Hashable) -> int | None:
        """Seconds until an attempt is allowed again, or None when no key is blocked."""
        with self._lock:
            now = self.clock()
            wait = 0.0
            for key in keys:
                times = self._recent(key, now)
                if times is not None and len(times) >= self.limit:
                    # Allowed again once the oldest failure still counted leaves the window.
                    wait = max(wait, times[-self.limit] + self.window - now)
            return max(1, math.ceil(wait)) if wait > 0 else None

    def fail(self, *keys: Hashable) -> None:
        with self._lock:
            now = self.clock()
            for key in keys:
                times = self._recent(key, now)
                if times is None:
                    if len(self._failures) >= MAX_KEYS:
                        self._failures.pop(next(iter(self._failures)))
                    times = self._failures[key] = deque()
                times.append(now)
                while len(times) > self.limit:
                    times.popleft()
