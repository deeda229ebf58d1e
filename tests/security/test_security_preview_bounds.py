"""Benchmark previews cannot be used to burn the server's CPU and memory.

Issue 15 item 8: a preview accepted 16 tiers of 10M tokens, unthrottled; four in parallel ran
75 s and peaked at 1.77 GB RSS. Now tiers are bounded (2M tokens each, 4M together, and by the
targets' context windows where all are known), sized prompts are cached, and previews are
throttled per user: 429 with `Retry-After` after N calls a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from security_platform import Tenant, create_app, sign_up

from benchstudio.config import Settings
from benchstudio.core.rate_window import WindowLimiter
from benchstudio.speed import prompts

PREVIEWS_PER_MINUTE = 4


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    changed = settings.model_copy(update={"benchmark_previews_per_minute": PREVIEWS_PER_MINUTE})
    with TestClient(create_app(changed), raise_server_exceptions=False) as client:
        yield client


def _demo_target(
    client: TestClient, user: Tenant, model_id: str = "unknown-window"
) -> dict[str, str]:
    providers = client.get("/api/providers", headers=user.headers).json()
    demo = next(p for p in providers if p["is_demo"])
    return {"provider_id": demo["id"], "model_id": model_id}


def _preview(client: TestClient, user: Tenant, **body: Any) -> httpx.Response:
    return client.post("/api/benchmarks/preview", json=body, headers=user.headers)


def _refused_422(response: httpx.Response, *words: str) -> str:
    assert response.status_code == 422, response.text
    message = str(response.json()["error"]["message"])
    for word in words:
        assert word in message, message
    return message


def test_tiers_beyond_the_absolute_bound_are_refused(client: TestClient) -> None:
    user = sign_up(client, "tiers@example.com")
    target = _demo_target(client, user)
    for tiers in ([10_000_000], [2_000_001], [0, 2_000_000, 2_000_000, 1]):
        response = _preview(client, user, targets=[target], context_tokens=tiers)
        _refused_422(response, "context")
    sixteen_big = [1_000_000 + i for i in range(16)]
    _refused_422(_preview(client, user, targets=[target], context_tokens=sixteen_big), "4,000,000")


def test_tiers_beyond_every_known_context_window_are_refused(client: TestClient) -> None:
    user = sign_up(client, "window@example.com")
    target = _demo_target(client, user, "window-8k")
    model = {"provider_id": target["provider_id"], "model_id": "window-8k", "context_window": 8192}
    assert client.post("/api/models", json=model, headers=user.headers).status_code == 201
    response = _preview(client, user, targets=[target], context_tokens=[0, 100_000], max_tokens=64)
    message = _refused_422(response, "100,000", "8,192")
    assert response.json()["error"]["code"] == "context_tier_too_large", message
    fits = _preview(client, user, targets=[target], context_tokens=[0, 4000], max_tokens=64)
    assert fits.status_code == 200, fits.text


def test_previews_are_throttled_per_user(client: TestClient) -> None:
    alice = sign_up(client, "throttle-a@example.com")
    bob = sign_up(client, "throttle-b@example.com")
    target = _demo_target(client, alice)
    for _ in range(PREVIEWS_PER_MINUTE):
        assert _preview(client, alice, targets=[target]).status_code == 200
    refused = _preview(client, alice, targets=[target])
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    assert _preview(client, bob, targets=[_demo_target(client, bob)]).status_code == 200


def test_sized_prompts_are_cached_across_previews(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    original = prompts.build_prompt

    def counting(prompt: str, **kwargs: Any) -> prompts.BuiltPrompt:
        built.append(kwargs["target_tokens"])
        return original(prompt, **kwargs)

    monkeypatch.setattr(prompts, "build_prompt", counting)
    prompts.SIZED_COUNTS.clear()
    user = sign_up(client, "cache@example.com")
    body = {"targets": [_demo_target(client, user)], "context_tokens": [0, 1500, 3000]}
    first = _preview(client, user, **body)
    assert first.status_code == 200, first.text
    assert sorted(built) == [0, 1500, 3000]
    second = _preview(client, user, **body)
    assert second.status_code == 200, second.text
    assert sorted(built) == [0, 1500, 3000]  # nothing built again
    assert second.json()["input_tokens"] == first.json()["input_tokens"]


def test_the_window_limiter_stays_bounded_and_recovers() -> None:
    now = [0.0]
    limiter = WindowLimiter(2, 60.0, clock=lambda: now[0], max_keys=3)
    assert limiter.hit("a") is None and limiter.hit("a") is None
    assert limiter.hit("a") == 60
    now[0] = 30.0
    assert limiter.hit("a") == 30
    now[0] = 60.5
    assert limiter.hit("a") is None
    for key in "bcdef":
        limiter.hit(key)
    assert limiter.tracked_keys() == 3
