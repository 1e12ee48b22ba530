"""Long-lived data out of the cyclic garbage collector's way (in a serving process).

A serving process holds large structures for its whole life: the taxonomy with its
normalizer, the match index, the reference data. CPython's cyclic collector walks every
tracked object of the oldest generation on each full collection; with the taxonomy loaded one
such pass takes about half a second on our 2-core machines, with the GIL held, so every request
in flight waits for it (the p99 of the load benchmark). ``gc.freeze()`` moves everything alive
at that moment into a permanent generation that the collector no longer walks. Reference
counting still frees frozen objects (an index replaced by a rebuilt one goes away as before);
reference cycles among frozen objects would stay until the process ends, so garbage is
collected first and the freeze happens only after the rare builds of those structures.

Off unless the app factory enables it (``QONYS_GC_FREEZE``, on outside tests): a test process
builds and drops many apps, and freezing would keep every one of them.
"""

from __future__ import annotations

import gc

_enabled = False


def enable_freezing(on: bool = True) -> None:
    global _enabled
    _enabled = on


def freeze_long_lived() -> bool:
    """Collect garbage, then exempt every object alive now from later collections (call
    after building big read-only data). Returns whether it froze (enabled)."""
    if not _enabled:
        return False
    gc.collect()
    gc.freeze()
    return True
