"""Pooled connections opened without a request, closed when idle, and connect times per request.

The counting proxy in front of the simulator is the truth: it sees every connection opened.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from benchstudio.core.net import EgressPolicy, create_egress_session, egress_policy_of
from benchstudio.providers.base import ChatRequest
from benchstudio.providers.connections import (
    close_idle_connections,
    connect_times,
    open_connections,
)
from benchstudio.providers.openai_compat import OpenAICompatAdapter
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
from connection_proxy import CountingProxy


@pytest.fixture
async def proxy() -> AsyncIterator[CountingProxy]:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=2, itl_ms=1, output_tokens=3))
    async with SimulatorServer(config) as sim, CountingProxy(sim.port) as counting:
        yield counting


async def _send(adapter: OpenAICompatAdapter) -> str:
    request = ChatRequest(model="m", messages=[{"role": "user", "content": "hi"}], max_tokens=3)
    async for _event in adapter.stream(request):
        pass
    return request.request_id


async def test_open_connections_opens_them_without_sending_a_request(proxy: CountingProxy) -> None:
    session = create_egress_session(EgressPolicy.from_allow_list("dev"))
    try:
        adapter = OpenAICompatAdapter(f"{proxy.base_url}/v1", session=session)
        assert await open_connections(adapter, 5) == 5
        assert await proxy.settled(5) == 5
        assert all(c.request_ids() == [] for c in proxy.connections)
        # Idle ones count towards the next call: 2 more, not 7.
        assert await open_connections(adapter, 7) == 7
        assert await proxy.settled(7) == 7
        # Requests use them: 7 at once open nothing new.
        await asyncio.gather(*(_send(adapter) for _ in range(7)))
        assert proxy.accepted == 7
        assert all(len(c.request_ids()) == 1 for c in proxy.connections)
    finally:
        await session.close()


async def test_connect_times_tell_new_connections_from_reused_ones(proxy: CountingProxy) -> None:
    session = create_egress_session(EgressPolicy.from_allow_list("dev"))
    try:
        adapter = OpenAICompatAdapter(f"{proxy.base_url}/v1", session=session)
        times = connect_times(adapter)
        assert times is not None
        assert connect_times(adapter) is times  # attached once per session
        await open_connections(adapter, 2)
        ids = await asyncio.gather(*(_send(adapter) for _ in range(5)))
        measured = {request_id: times.pop(request_id) for request_id in ids}
        opened = {request_id for request_id, ns in measured.items() if ns}
        # Exactly the requests the proxy saw first on a connection it accepted after the
        # two idle ones opened them; the others reused a pooled connection (0).
        assert len(opened) == 3
        assert opened == proxy.first_request_ids() - {
            c.request_ids()[0] for c in proxy.connections[:2]
        }
        assert all(ns is not None and ns >= 0 for ns in measured.values())
        assert times.pop(ids[0]) is None  # read once
        assert len(times) == 0
    finally:
        await session.close()


async def test_close_idle_connections_empties_the_pool_for_that_host(proxy: CountingProxy) -> None:
    session = create_egress_session(EgressPolicy.from_allow_list("dev"))
    try:
        adapter = OpenAICompatAdapter(f"{proxy.base_url}/v1", session=session)
        await open_connections(adapter, 3)
        # aiohttp's idle pool, read by close_idle_connections: key -> (protocol, time) pairs.
        pools = session.connector._conns  # type: ignore[union-attr]
        assert [len(idle) for idle in pools.values()] == [3]
        assert close_idle_connections(adapter) == 3
        assert close_idle_connections(adapter) == 0
        times = connect_times(adapter)
        assert times is not None
        request_id = await _send(adapter)
        assert (times.pop(request_id) or 0) > 0  # had to connect again
        assert await proxy.settled(4) == 4
    finally:
        await session.close()


async def test_the_egress_policy_applies_to_connections_opened_ahead(proxy: CountingProxy) -> None:
    session = create_egress_session(EgressPolicy.from_allow_list("production"))
    try:
        assert egress_policy_of(session) is not None
        adapter = OpenAICompatAdapter(f"{proxy.base_url}/v1", session=session)
        assert await open_connections(adapter, 3) == 0  # loopback is refused in production
        assert close_idle_connections(adapter) == 0
        await asyncio.sleep(0.01)
        assert proxy.accepted == 0
    finally:
        await session.close()


async def test_adapters_without_a_session_are_left_alone() -> None:
    class Fake:
        base_url = "http://127.0.0.1:9"

    assert await open_connections(Fake(), 3) == 0
    assert close_idle_connections(Fake()) == 0
    assert connect_times(Fake()) is None
    async with aiohttp.ClientSession() as plain:
        adapter = OpenAICompatAdapter("http://127.0.0.1:9/v1", session=plain)
        assert egress_policy_of(plain) is None
        assert connect_times(adapter) is not None  # no egress guard to check, still timed


def _tls_contexts(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server, client) contexts for a self-signed 127.0.0.1 certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    return server, ssl.create_default_context(cafile=str(cert_path))


async def test_tls_connections_opened_ahead_are_the_ones_requests_use(tmp_path: Path) -> None:
    server_tls, client_tls = _tls_contexts(tmp_path)
    config = SimulatorConfig(default=ModelProfile(ttft_ms=2, itl_ms=1, output_tokens=3))
    async with (
        SimulatorServer(config) as sim,
        CountingProxy(sim.port, tls=server_tls) as proxy,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_tls)) as session,
    ):
        adapter = OpenAICompatAdapter(f"{proxy.base_url}/v1", session=session)
        assert proxy.base_url.startswith("https://")
        times = connect_times(adapter)
        assert times is not None
        assert await open_connections(adapter, 3) == 3
        assert await proxy.settled(3) == 3  # three TLS handshakes done, no request sent
        ids = await asyncio.gather(*(_send(adapter) for _ in range(3)))
        assert [times.pop(i) for i in ids] == [0, 0, 0]  # same pool key as the requests'
        assert proxy.accepted == 3
        assert close_idle_connections(adapter) == 3
        request_id = await _send(adapter)
        assert (times.pop(request_id) or 0) > 0
        assert proxy.accepted == 4
