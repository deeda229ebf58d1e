"""SSRF: in production egress mode, at least 40 URL forms of internal destinations are refused.

Each URL is saved as a provider and health-checked through the API. IP literals are refused
when saved (400 egress_denied); everything else is refused by the guard at connect time (the
error says "egress to … refused"). A server really listens on 127.0.0.1 so that a guard that
let a request through would make the health check succeed.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from fastapi.testclient import TestClient
from security_platform import sign_up
from security_servers import LocalServer, models_ok, redirect_to

from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.core.net import (
    EgressDeniedError,
    EgressPolicy,
    GuardedResolver,
    create_egress_session,
)


def corpus(port: int) -> list[str]:
    """URL forms that all point at loopback, private, link-local, metadata or odd addresses."""
    p = port
    return [
        f"http://127.0.0.1:{p}/v1",
        f"http://localhost:{p}/v1",
        f"http://LOCALHOST:{p}/v1",
        f"http://0x7f.1:{p}/v1",
        f"http://127.1:{p}/v1",
        f"http://127.0.1:{p}/v1",
        f"http://0177.0.0.1:{p}/v1",
        f"http://0x7f.0.0.1:{p}/v1",
        f"http://0x7f000001:{p}/v1",
        f"http://2130706433:{p}/v1",
        f"http://017700000001:{p}/v1",
        f"http://127.000.000.001:{p}/v1",
        f"http://127.0.0.2:{p}/v1",
        f"https://127.0.0.1:{p}/v1",
        f"http://[::1]:{p}/v1",
        f"http://[0:0:0:0:0:0:0:1]:{p}/v1",
        f"http://[::ffff:127.0.0.1]:{p}/v1",
        f"http://[::ffff:7f00:1]:{p}/v1",
        f"http://[0:0:0:0:0:ffff:127.0.0.1]:{p}/v1",
        f"http://[::127.0.0.1]:{p}/v1",
        f"http://[64:ff9b::127.0.0.1]:{p}/v1",
        f"http://[2002:7f00:1::]:{p}/v1",
        f"http://0.0.0.0:{p}/v1",
        f"http://0:{p}/v1",
        f"http://[::]:{p}/v1",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/",
        "http://[::ffff:a9fe:a9fe]/latest/",
        "http://2852039166/latest/",
        "http://0xa9fea9fe/latest/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://metadata/computeMetadata/v1/",
        "http://169.254.170.2/v2/credentials",
        "http://100.100.100.200/latest/meta-data",
        "http://[fd00:ec2::254]/latest/",
        "http://10.0.0.1/v1",
        "http://172.16.0.1/v1",
        "http://192.168.1.1/v1",
        "http://100.64.0.1/v1",
        "http://198.18.0.1/v1",
        "http://[fc00::1]/v1",
        "http://[fe80::1]/v1",
        "http://169.254.0.1/v1",
        "http://224.0.0.1/v1",
        "http://255.255.255.255/v1",
        "http://[::ffff:10.0.0.1]/v1",
        "http://[ff02::1]/v1",
    ]


@pytest.fixture
def listener() -> Iterator[LocalServer]:
    with LocalServer(models_ok) as server:
        yield server


@pytest.fixture
def production_client(settings: Settings) -> Iterator[TestClient]:
    changed = settings.model_copy(
        update={"egress_mode": "production", "egress_allow": [], "provider_probe_timeout_s": 3.0}
    )
    with TestClient(create_app(changed), raise_server_exceptions=False) as client:
        yield client


def _refused(client: TestClient, headers: dict[str, str], url: str) -> str:
    """How `url` was refused ("on save" or "at connect"); fails if it was reachable."""
    created = client.post("/api/providers", json={"name": "x", "base_url": url}, headers=headers)
    if created.status_code == 400:
        assert created.json()["error"]["code"] == "egress_denied", created.text
        return "on save"
    if created.status_code == 422:
        assert "canonical" in created.text, created.text
        return "odd numeric form"
    assert created.status_code == 201, f"{url}: {created.text}"
    provider_id = created.json()["id"]
    health = client.post(f"/api/providers/{provider_id}/health", headers=headers).json()
    assert health["ok"] is False, f"{url} was reachable: {health}"
    assert "egress to" in health["error"]["message"], f"{url}: {health['error']}"
    return "at connect"


def test_at_least_40_internal_url_forms_are_refused(
    production_client: TestClient, listener: LocalServer
) -> None:
    user = sign_up(production_client, "ssrf@example.com")
    urls = corpus(listener.port)
    assert len(urls) >= 40
    outcomes = {url: _refused(production_client, user.headers, url) for url in urls}
    assert set(outcomes.values()) == {"on save", "odd numeric form", "at connect"}


def test_the_listener_is_reachable_when_allow_listed(
    settings: Settings, listener: LocalServer
) -> None:
    """Control: the same server, allow-listed by the operator, answers (the corpus is honest)."""
    changed = settings.model_copy(
        update={"egress_mode": "production", "egress_allow": ["127.0.0.1"]}
    )
    with TestClient(create_app(changed), raise_server_exceptions=False) as client:
        user = sign_up(client, "control@example.com")
        created = client.post(
            "/api/providers", json={"name": "x", "base_url": listener.url}, headers=user.headers
        ).json()
        health = client.post(f"/api/providers/{created['id']}/health", headers=user.headers)
        assert health.json()["ok"] is True


async def _fetch(policy: EgressPolicy, url: str) -> Any:
    async with create_egress_session(policy) as session, session.get(url) as response:
        return response.status


def _denied(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, EgressDeniedError) or isinstance(
            getattr(seen, "os_error", None), EgressDeniedError
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port}/",
        "http://[::1]:{port}/",
        "http://169.254.169.254/latest/",
        "http://metadata.google.internal/",
        "http://10.1.2.3/",
    ],
)
def test_redirects_to_internal_addresses_are_refused(target: str) -> None:
    with LocalServer(models_ok) as inner:
        location = target.format(port=inner.port)
        with LocalServer(redirect_to(location)) as outer:
            # The operator allow-lists the first hop only; the redirect must not escape.
            policy = EgressPolicy.from_allow_list("production", ["127.0.0.1/32"])
            with pytest.raises((aiohttp.ClientError, OSError)) as caught:
                asyncio.run(_fetch(policy, outer.url + "/start"))
            assert _denied(caught.value), repr(caught.value)


class ScriptedResolver(AbstractResolver):
    """DNS answers that change between lookups (rebinding) or mix public and private."""

    def __init__(self, answers: list[list[str]]) -> None:
        self._answers = answers
        self.calls = 0

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answer = self._answers[min(self.calls, len(self._answers) - 1)]
        self.calls += 1
        return [
            ResolveResult(hostname=host, host=ip, port=port, family=family, proto=0, flags=0)
            for ip in answer
        ]

    async def close(self) -> None:
        pass


def test_dns_answers_that_change_are_checked_on_every_lookup() -> None:
    policy = EgressPolicy.from_allow_list("production")
    inner = ScriptedResolver([["93.184.216.34"], ["127.0.0.1"], ["169.254.169.254"]])
    resolver = GuardedResolver(policy, inner)

    async def scenario() -> list[str]:
        first = await resolver.resolve("rebind.example", 80)
        refusals = []
        for _ in range(2):
            try:
                await resolver.resolve("rebind.example", 80)
            except EgressDeniedError as exc:
                refusals.append(str(exc))
        return [first[0]["host"], *refusals]

    public, *refusals = asyncio.run(scenario())
    assert public == "93.184.216.34" and len(refusals) == 2


def test_mixed_dns_answers_keep_only_public_addresses() -> None:
    policy = EgressPolicy.from_allow_list("production")
    resolver = GuardedResolver(
        policy, ScriptedResolver([["10.0.0.7", "93.184.216.34", "::1", "fd00::1"]])
    )
    results = asyncio.run(resolver.resolve("mixed.example", 443))
    assert [r["host"] for r in results] == ["93.184.216.34"]


def test_dev_mode_still_refuses_metadata_addresses() -> None:
    policy = EgressPolicy.from_allow_list("dev")
    for address in ("169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254"):
        with pytest.raises(EgressDeniedError):
            policy.check_literal_host(address)
    with pytest.raises(EgressDeniedError):
        policy.check_host_name("metadata.google.internal")
