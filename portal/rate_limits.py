"""The in-process storage of the rate limits (login attempts per address, API calls per token).

limits' MemoryStorage counts correctly, but after any count it starts a `threading.Timer` to sweep expired
counters 10 ms later whenever no sweep is pending: under load that is a new thread for almost every API call
(1,857 of 2,000 payment posts), a twelfth of a post's CPU. Its reads already drop a counter past its expiry, so
the sweep only frees memory; this storage sweeps in the calling thread, at most once a second, with a sweep of
its own: limits' reads a key another thread may drop meanwhile (its KeyError killed only the timer thread; in
the caller it would fail the request).
"""
from __future__ import annotations

import bisect
import threading
import time

from limits.storage import MemoryStorage

SCHEME = "cms-memory"
SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = [SCHEME]       # registers the scheme with limits: RATELIMIT_STORAGE_URI "cms-memory://"

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()         # the one MemoryStorage starts: this storage sweeps without threads
        self._next_sweep, self._sweeping = 0.0, threading.Lock()

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_sweeping", None)
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        self.timer.cancel()
        self._sweeping = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:      # noqa: N802  what MemoryStorage calls on each count
        now = time.monotonic()
        if now < self._next_sweep or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_SECONDS
            self._sweep(time.time())
        finally:
            self._sweeping.release()

    def _sweep(self, now: float) -> None:
        """Drop expired counters and moving-window entries; a key another thread drops meanwhile is skipped."""
        for key, expiry in list(self.expirations.items()):
            if expiry <= now:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)
                self.locks.pop(key, None)
        for key in list(self.events):
            with self.locks[key]:
                events = self.events.get(key)
                if events:
                    self.events[key] = events[:bisect.bisect_left(events, -now, key=lambda event: -event.expiry)]
                if not self.events.get(key):
                    self.locks.pop(key, None)       # as MemoryStorage's sweep: the (empty) list stays
