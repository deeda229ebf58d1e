from __future__ import annotations

import pytest

from benchstudio.accounts.service import user_state_cache
from benchstudio.accounts.service.user_state_cache import UserStateCache


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(user_state_cache.time, "monotonic", fake)
    return fake


def test_a_stored_state_is_served_until_it_expires(clock: _Clock) -> None:
    cache: UserStateCache[str] = UserStateCache(ttl_s=5.0, max_entries=10)
    cache.put("u1", "active", cache.generation())
    clock.now += 4.9
    assert cache.get("u1") == "active"
    clock.now += 0.2
    assert cache.get("u1") is None


def test_forget_drops_the_state_at_once(clock: _Clock) -> None:
    cache: UserStateCache[str] = UserStateCache(ttl_s=5.0, max_entries=10)
    cache.put("u1", "active", cache.generation())
    cache.forget("u1")
    assert cache.get("u1") is None


def test_a_read_that_began_before_a_change_is_not_stored(clock: _Clock) -> None:
    cache: UserStateCache[str] = UserStateCache(ttl_s=5.0, max_entries=10)
    began = cache.generation()  # a request starts reading the user ...
    cache.forget("u1")  # ... an admin disables them and commits ...
    cache.put("u1", "active (stale)", began)  # ... the request stores what it read
    assert cache.get("u1") is None
    cache.put("u1", "disabled", cache.generation())
    assert cache.get("u1") == "disabled"


def test_the_least_recently_stored_entries_go_first(clock: _Clock) -> None:
    cache: UserStateCache[str] = UserStateCache(ttl_s=5.0, max_entries=2)
    for user in ("a", "b", "c"):
        cache.put(user, user.upper(), cache.generation())
    assert [cache.get(u) for u in ("a", "b", "c")] == [None, "B", "C"]
