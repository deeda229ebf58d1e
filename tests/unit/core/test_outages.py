"""One log line when a dependency's outage starts and one when it ends, however many calls
fail in between; while down, optional callers probe it only now and then."""

from __future__ import annotations

import logging

import pytest

from benchstudio.core.outages import Dependency


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="benchstudio.core.outages")
    redis = Dependency("redis")
    redis.succeeded()
    for _ in range(50):
        redis.failed(ConnectionError("Error 111 connecting to redis://:hunter2secret@cache:6379"))
    for _ in range(5):
        redis.succeeded()
    redis.failed(TimeoutError("again"))
    messages = [r.getMessage() for r in caplog.records]
    assert [m.split(":")[0].split(" after")[0] for m in messages] == [
        "redis unavailable",
        "redis available again",
        "redis unavailable",
    ]
    assert "hunter2secret" not in messages[0]
    assert redis.recovered_at is not None


def test_while_down_optional_callers_probe_only_every_so_often() -> None:
    redis = Dependency("redis")
    assert redis.should_try(60.0)
    redis.failed("refused")
    assert not redis.should_try(60.0)
    assert redis.should_try(0.0)
    redis.succeeded()
    assert redis.should_try(60.0)
