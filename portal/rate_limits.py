"""The in-process storage of the rate limits (login attempts per address, API calls per token).

limits' MemoryStorage counts correctly, but after any count it starts a `threading.Timer` to sweep expired
counters 10 ms later whenever no sweep is pending: under load that is a new thread for almost every API call
(1,857 of 2,000 payment posts), a twelfth of a post's CPU. Its reads already drop a counter past its expiry, so
the sweep only frees memory; this storage sweeps in the calling thread, at most once a second.
"""
from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

SCHEME = "cms-memory"
SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = [SCHEME]       # registers the scheme with limits: RATELIMIT_STORAGE_URI "cms-memory://"

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        self._next_sweep = 0.0
        self._sweeping = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:      # noqa: N802  what MemoryStorage calls on each count
        now = time.monotonic()
        if now < self._next_sweep or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()
        finally:
            self._sweeping.release()
