"""The rate limits' in-process storage (portal/rate_limits.py): counts as limits' MemoryStorage does, without the
thread limits starts after a count, sweeping expired counters at most once a second in the caller's thread."""
from __future__ import annotations

import pickle
import threading
import time

from portal.extensions import limiter
from portal.rate_limits import SCHEME, SweptMemoryStorage


def test_counting_starts_no_thread(monkeypatch):
    started = []
    monkeypatch.setattr(threading.Timer, "start", lambda timer: started.append(timer))
    storage = SweptMemoryStorage()
    assert [storage.incr("api-token:x", 60) for _ in range(100)][-1] == 100
    assert storage.get("api-token:x") == 100 and len(started) == 1      # MemoryStorage's own, cancelled
    assert not started[0].is_alive()


def test_expired_counters_are_swept_at_most_once_a_second():
    storage = SweptMemoryStorage()
    storage.incr("old", 60)
    storage.expirations["old"] = time.time() - 1        # its window ended
    storage.incr("new", 60)
    assert "old" in storage.storage                     # the sweep ran with the first count, before it ended
    storage._next_sweep = 0.0                           # a second later
    storage.incr("new", 60)
    assert "old" not in storage.storage and storage.get("new") == 2


class _Racing(dict):
    """Expirations as a sweep sees them when another thread drops a key between the listing and the read."""

    def keys(self):
        return [*super().keys(), "dropped"]

    def items(self):
        return [*super().items(), ("dropped", 0.0)]


def test_a_key_dropped_under_the_sweep_fails_no_count():
    storage = SweptMemoryStorage()
    storage.expirations = _Racing(storage.expirations)
    assert storage.incr("k", 60) == 1                   # limits' own sweep raised KeyError('dropped') here


def test_it_pickles_as_memory_storage_does():
    storage = SweptMemoryStorage()
    storage.incr("k", 60)
    assert pickle.loads(pickle.dumps(storage)).get("k") == 1


def test_the_app_counts_in_it_by_default(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == f"{SCHEME}://"
    with app.app_context():
        assert isinstance(limiter.storage, SweptMemoryStorage)
