"""The rate limits' in-process storage (portal/rate_limits.py): counts as limits' MemoryStorage does, without the
thread limits starts after a count, sweeping expired counters at most once a second in the caller's thread."""
from __future__ import annotations

import threading
import time

from portal.extensions import limiter
from portal.rate_limits import SCHEME, SweptMemoryStorage


def test_counting_starts_no_thread(monkeypatch):
    storage = SweptMemoryStorage()
    started = []
    monkeypatch.setattr(threading.Timer, "start", lambda timer: started.append(timer))
    assert [storage.incr("api-token:x", 60) for _ in range(100)][-1] == 100
    assert storage.get("api-token:x") == 100 and started == []


def test_expired_counters_are_swept_at_most_once_a_second():
    storage = SweptMemoryStorage()
    storage.incr("old", 60)
    storage.expirations["old"] = time.time() - 1        # its window ended
    storage.incr("new", 60)
    assert "old" in storage.storage                     # the sweep ran with the first count, before it ended
    storage._next_sweep = 0.0                           # a second later
    storage.incr("new", 60)
    assert "old" not in storage.storage and storage.get("new") == 2


def test_the_app_counts_in_it_by_default(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == f"{SCHEME}://"
    with app.app_context():
        assert isinstance(limiter.storage, SweptMemoryStorage)
