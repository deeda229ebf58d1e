"""The SSRF egress guard: address classification, resolver filtering, sessions, redirects."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator

import aiohttp
import httpx
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from benchstudio.core.egress_httpx import create_egress_httpx_client
from benchstudio.core.net import (
    EgressDeniedError,
    EgressMode,
    EgressPolicy,
    GuardedResolver,
    create_egress_session,
    egress_denial_of,
    refusal_reason,
)

PROD = EgressMode.PRODUCTION
DEV = EgressMode.DEV


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",
        "2002:7f00:1::",
        "2002:a00:1::1",
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::a00:1",
        "ff02::1",
        "192.0.2.1",
    ],
)
def test_production_refuses_non_public_addresses_and_their_ipv6_disguises(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address), PROD) is not None


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_production_allows_public_addresses(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address), PROD) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "::1", "192.168.0.10"])
def test_dev_allows_loopback_and_private(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address), DEV) is None


@pytest.mark.parametrize(
    "address", ["169.254.169.254", "::ffff:169.254.169.254", "0.0.0.0", "224.0.0.1"]
)
def test_dev_still_refuses_metadata_unspecified_and_multicast(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address), DEV) is not None


def test_allow_list_opens_cidrs_and_host_names() -> None:
    policy = EgressPolicy.from_allow_list("production", ["10.0.0.0/8", "Models.Local."])
    policy.check_address(ipaddress.ip_address("10.9.8.7"), "10.9.8.7")
    policy.check_address(ipaddress.ip_address("192.168.1.1"), "models.local")
    with pytest.raises(EgressDeniedError):
        policy.check_address(ipaddress.ip_address("192.168.1.1"), "other.local")
    with pytest.raises(EgressDeniedError, match="metadata"):
        policy.check_literal_host("metadata.google.internal")


class FakeResolver(AbstractResolver):
    """Answers from a script: each call pops the next answer (DNS rebinding in miniature)."""

    def __init__(self, answers: list[list[str]]) -> None:
        self.answers = answers
        self.calls = 0

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return [
            ResolveResult(
                hostname=host,
                host=a,
                port=port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for a in answer
        ]

    async def close(self) -> None:
        return None


async def test_resolver_checks_every_resolution_so_rebinding_is_caught() -> None:
    policy = EgressPolicy.from_allow_list(PROD)
    resolver = GuardedResolver(policy, FakeResolver([["8.8.8.8"], ["127.0.0.1"]]))
    assert [r["host"] for r in await resolver.resolve("rebind.test", 80)] == ["8.8.8.8"]
    with pytest.raises(EgressDeniedError, match="loopback"):
        await resolver.resolve("rebind.test", 80)


async def test_resolver_drops_forbidden_answers_from_mixed_results() -> None:
    policy = EgressPolicy.from_allow_list(PROD)
    resolver = GuardedResolver(policy, FakeResolver([["10.0.0.1", "8.8.4.4"]]))
    assert [r["host"] for r in await resolver.resolve("mixed.test", 443)] == ["8.8.4.4"]


@pytest.fixture
async def local_server() -> AsyncIterator[str]:
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="secret")

    async def bounce(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    app = web.Application()
    app.router.add_get("/ok", ok)
    app.router.add_get("/bounce", bounce)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"127.0.0.1:{port}"
    await runner.cleanup()


async def _fetch(session: aiohttp.ClientSession, url: str) -> str:
    try:
        async with session.get(url) as resp:
            return await resp.text()
    except aiohttp.ClientError as exc:
        denial = egress_denial_of(exc)
        raise denial or exc from None


async def test_production_session_refuses_loopback_literal(local_server: str) -> None:
    async with create_egress_session(EgressPolicy.from_allow_list(PROD)) as session:
        with pytest.raises(EgressDeniedError):
            await _fetch(session, f"http://{local_server}/ok")


async def test_production_session_refuses_names_resolving_to_loopback(local_server: str) -> None:
    port = local_server.split(":")[1]
    async with create_egress_session(EgressPolicy.from_allow_list(PROD)) as session:
        with pytest.raises(EgressDeniedError, match="loopback"):
            await _fetch(session, f"http://localhost:{port}/ok")


async def test_dev_session_and_allow_list_reach_local_server(local_server: str) -> None:
    async with create_egress_session(EgressPolicy.from_allow_list(DEV)) as session:
        assert await _fetch(session, f"http://{local_server}/ok") == "secret"
    allow = EgressPolicy.from_allow_list(PROD, ["127.0.0.1/32"])
    async with create_egress_session(allow) as session:
        assert await _fetch(session, f"http://{local_server}/ok") == "secret"


async def test_redirect_hops_are_checked_again(local_server: str) -> None:
    port = local_server.split(":")[1]
    # Only the name is allow-listed; the redirect target is the bare loopback address.
    policy = EgressPolicy.from_allow_list(PROD, ["localhost"])
    async with create_egress_session(policy) as session:
        url = f"http://localhost:{port}/bounce?to=http://127.0.0.1:{port}/ok"
        with pytest.raises(EgressDeniedError):
            await _fetch(session, url)
        assert await _fetch(session, f"http://localhost:{port}/ok") == "secret"


async def test_httpx_variant_guards_connects_and_redirects(local_server: str) -> None:
    port = local_server.split(":")[1]
    async with create_egress_httpx_client(EgressPolicy.from_allow_list(PROD)) as client:
        with pytest.raises(EgressDeniedError):
            await client.get(f"http://{local_server}/ok")
        with pytest.raises(EgressDeniedError):
            await client.get(f"http://localhost:{port}/ok")
    policy = EgressPolicy.from_allow_list(PROD, ["localhost"])
    async with create_egress_httpx_client(policy, follow_redirects=True) as client:
        assert (await client.get(f"http://localhost:{port}/ok")).text == "secret"
        with pytest.raises(EgressDeniedError):
            await client.get(f"http://localhost:{port}/bounce?to=http://127.0.0.1:{port}/ok")
    async with create_egress_httpx_client(EgressPolicy.from_allow_list(DEV)) as client:
        response: httpx.Response = await client.get(f"http://{local_server}/ok")
        assert response.text == "secret"
