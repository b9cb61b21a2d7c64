"""Merging rate-limit windows reported by concurrent workers (in-memory store)."""

from __future__ import annotations

from xget.x.ratelimits import MemoryRateLimitStore


async def test_lowest_remaining_wins_within_a_window_and_a_later_reset_starts_a_new_one():
    store = MemoryRateLimitStore(clock=lambda: 1000.0)
    await store.record("a", "UserTweets", remaining=5, reset_at=1900.0, limit=50)
    await store.record("a", "UserTweets", remaining=0, reset_at=1900.0)
    await store.record("a", "UserTweets", remaining=3, reset_at=1900.0)  # late, out of order
    assert await store.exhausted("UserTweets") == {"a": 1900.0}
    await store.record("a", "UserTweets", remaining=10, reset_at=1800.0)  # older window: ignored
    assert await store.exhausted("UserTweets") == {"a": 1900.0}
    await store.record("a", "UserTweets", remaining=49, reset_at=2800.0)
    assert await store.exhausted("UserTweets") == {}
    assert (await store.window("a", "UserTweets")).remaining == 49


async def test_windows_are_per_operation_and_expire():
    store = MemoryRateLimitStore(clock=lambda: 1000.0)
    await store.record("a", "UserTweets", remaining=0, reset_at=1500.0)
    assert await store.exhausted("SearchTimeline") == {}
    assert await store.exhausted("UserTweets", now=1600.0) == {}
