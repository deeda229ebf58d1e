"""Egress: link-local ranges, metadata and wire-server addresses are refused in every mode.

Issue 15 item 16: production let 168.63.129.16 (Azure WireServer) and 192.0.0.0/24 outside /29
through, and dev let every link-local address but four metadata IPs through. Checked on literal
IPs (the save-time and per-hop check), on names that resolve to them (the connect-time resolver)
and through the API, in both modes; only an allow-list entry that names them opens them.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from fastapi.testclient import TestClient
from security_platform import create_app, sign_up

from benchstudio.config import Settings
from benchstudio.core.net import EgressDeniedError, EgressPolicy, GuardedResolver

MODES = ["dev", "production"]
ALWAYS_DENIED = [
    "169.254.0.1",
    "169.254.255.254",
    "169.254.0.23",  # Tencent Cloud metadata
    "168.63.129.16",  # Azure WireServer
    "192.0.0.9",
    "192.0.0.170",
    "192.0.0.192",
    "fe80::1",
    "fe80::a9fe:a9fe",
    "febf:ffff::1",
    "fd00:ec2::23",
    "fd00:ec2::254",
    "::ffff:169.254.0.1",
    "::ffff:168.63.129.16",
    "64:ff9b::a83f:8110",
    "2002:a9fe:1::1",
]


class OneAnswer(AbstractResolver):
    def __init__(self, address: str) -> None:
        self._address = address

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        family = socket.AF_INET6 if ":" in self._address else socket.AF_INET
        return [
            ResolveResult(
                hostname=host, host=self._address, port=port, family=family, proto=0, flags=0
            )
        ]

    async def close(self) -> None:
        pass


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("address", ALWAYS_DENIED)
def test_literal_addresses_are_refused_in_every_mode(mode: str, address: str) -> None:
    with pytest.raises(EgressDeniedError, match="refused"):
        EgressPolicy.from_allow_list(mode).check_literal_host(f"[{address}]")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("address", ALWAYS_DENIED)
def test_names_resolving_to_them_are_refused_in_every_mode(mode: str, address: str) -> None:
    resolver = GuardedResolver(EgressPolicy.from_allow_list(mode), OneAnswer(address))
    with pytest.raises(EgressDeniedError, match="refused"):
        asyncio.run(resolver.resolve("innocent.example", 80))


@pytest.mark.parametrize("mode", MODES)
def test_wide_allow_list_entries_do_not_open_them(mode: str) -> None:
    policy = EgressPolicy.from_allow_list(mode, ["0.0.0.0/0", "::/0", "168.0.0.0/8"])
    for address in ("169.254.1.1", "168.63.129.16", "fe80::1", "::ffff:169.254.169.254"):
        with pytest.raises(EgressDeniedError):
            policy.check_literal_host(f"[{address}]")
    policy.check_literal_host("8.8.8.8")


@pytest.mark.parametrize("mode", MODES)
def test_entries_that_name_them_open_them(mode: str) -> None:
    policy = EgressPolicy.from_allow_list(
        mode, ["169.254.10.0/24", "168.63.129.16", "fe80::/10", "node.local"]
    )
    for host in ("169.254.10.7", "168.63.129.16", "[fe80::5]"):
        policy.check_literal_host(host)
    with pytest.raises(EgressDeniedError):
        policy.check_literal_host("169.254.11.1")
    resolver = GuardedResolver(policy, OneAnswer("169.254.99.1"))
    assert asyncio.run(resolver.resolve("node.local", 80))[0]["host"] == "169.254.99.1"


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "192.168.1.20", "fd12::1"])
def test_dev_still_allows_loopback_and_private_model_servers(address: str) -> None:
    EgressPolicy.from_allow_list("dev").check_literal_host(f"[{address}]")


@pytest.fixture(params=MODES)
def mode_client(request: pytest.FixtureRequest, settings: Settings) -> Iterator[TestClient]:
    changed = settings.model_copy(update={"egress_mode": request.param, "egress_allow": []})
    with TestClient(create_app(changed), raise_server_exceptions=False) as client:
        yield client


def test_providers_on_those_addresses_are_refused_on_save(mode_client: TestClient) -> None:
    user = sign_up(mode_client, "linklocal@example.com")
    for host in ("169.254.0.1", "168.63.129.16", "192.0.0.9", "[fe80::1]", "[fd00:ec2::23]"):
        created = mode_client.post(
            "/api/providers",
            json={"name": "x", "base_url": f"http://{host}/v1"},
            headers=user.headers,
        )
        assert created.status_code == 400, f"{host}: {created.text}"
        assert created.json()["error"]["code"] == "egress_denied"
