"""The SSRF-guarded egress clients: every outbound request to a user-supplied URL goes here.

The guard runs at connect time, on the addresses actually dialled: a custom aiohttp resolver
filters DNS answers (so DNS rebinding between a check and the connect cannot slip through), a
client middleware checks literal-IP hosts on every hop (aiohttp skips the resolver for those,
and redirects re-enter the middleware), and the httpx variant (`core.egress_httpx`, imported
only by its users: httpx is not needed on the streaming path) resolves and checks inside its
network backend. Environment proxies are ignored so a proxy cannot dial for us unchecked.

Modes: `dev` allows loopback and private ranges (local model servers); `production` allows only
public addresses. In both modes an allow-list of hosts or CIDRs opens specific destinations.
Link-local ranges, cloud metadata and wire-server addresses and the IETF protocol-assignment
block stay refused in every mode; only an allow-list entry that names them (an address or a CIDR
no wider than the refused range, or the host name) opens them, so `0.0.0.0/0` does not.
"""

from __future__ import annotations

import ipaddress
import socket
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64_PREFIXES = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
)
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure IMDS, OpenStack, Oracle, DigitalOcean
        "169.254.170.2",  # AWS ECS task credentials
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure WireServer (a public address: `is_global` lets it through)
        "fd00:ec2::254",  # AWS IMDS over IPv6
    )
)
# Refused in every mode, even dev: nothing serves models there, credentials and host agents do.
_ALWAYS_DENIED: tuple[tuple[IPNetwork, str], ...] = (
    (ipaddress.IPv4Network("169.254.0.0/16"), "link-local address"),
    (ipaddress.IPv6Network("fe80::/10"), "link-local address"),
    # IETF protocol assignments; Python counts only parts of it as private, the rest "global".
    (ipaddress.IPv4Network("192.0.0.0/24"), "IETF protocol-assignment address"),
    (ipaddress.IPv6Network("fd00:ec2::/64"), "AWS link-local service address"),
)
_METADATA_HOSTNAMES = frozenset({"metadata.google.internal", "metadata", "instance-data"})


class EgressMode(StrEnum):
    DEV = "dev"
    PRODUCTION = "production"


class EgressDeniedError(OSError):
    """The destination is not allowed by the egress policy (an OSError so clients surface it).

    aiohttp wraps it (`ClientConnectorDNSError.os_error`, `ClientOSError.__cause__`); use
    `egress_denial_of` to find it inside whatever the client raised.
    """


def egress_denial_of(exc: BaseException) -> EgressDeniedError | None:
    """The `EgressDeniedError` behind an exception raised by a client, if there is one."""
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return None
        if isinstance(seen, EgressDeniedError):
            return seen
        inner = getattr(seen, "os_error", None)
        if isinstance(inner, EgressDeniedError):
            return inner
        seen = seen.__cause__ or seen.__context__
    return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in IPv4-mapped, IPv4-compatible, 6to4, NAT64 or Teredo forms."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in prefix for prefix in _NAT64_PREFIXES):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0:  # deprecated IPv4-compatible ::a.b.c.d (and ::, ::1)
        return ipaddress.IPv4Address(int(address))
    return None


def _always_denied_prefix(address: IPAddress) -> int | None:
    """The prefix length of the narrowest always-refused range holding `address` (None: none)."""
    inner = embedded_ipv4(address)
    if address in _METADATA_ADDRESSES or (
        inner is not None and _always_denied_prefix(inner) is not None
    ):
        return address.max_prefixlen  # disguised forms open only when named exactly
    prefixes = [net.prefixlen for net, _ in _ALWAYS_DENIED if address in net]
    return max(prefixes, default=None)


def refusal_reason(address: IPAddress, mode: EgressMode) -> str | None:
    """Why `address` may not be dialled in `mode` (None: it may)."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = refusal_reason(inner, mode)
        return f"{reason} (embedded in {address})" if reason else None
    if address in _METADATA_ADDRESSES:
        return "cloud metadata address"
    for network, reason in _ALWAYS_DENIED:
        if address in network:
            return reason
    if address.is_unspecified:
        return "unspecified address"
    if address.is_multicast:
        return "multicast address"
    if mode is EgressMode.DEV:
        return None
    if address.is_loopback:
        return "loopback address"
    if address.is_link_local:
        return "link-local address"
    if address.is_private:
        return "private address"
    if not address.is_global:
        return "non-public address"
    return None


def parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class EgressPolicy:
    """What may be dialled. Build with `EgressPolicy.from_allow_list`."""

    mode: EgressMode = EgressMode.PRODUCTION
    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def from_allow_list(cls, mode: EgressMode | str, entries: Iterable[str] = ()) -> EgressPolicy:
        """Entries are host names (exact, case-insensitive), IP addresses or CIDRs."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(EgressMode(mode), frozenset(hosts), tuple(networks))

    def host_is_allow_listed(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.allowed_hosts

    def address_is_allow_listed(self, address: IPAddress) -> bool:
        # An always-refused address opens only for an entry no wider than its refused range.
        floor = _always_denied_prefix(address) or 0
        return any(
            address in net and net.prefixlen >= floor
            for net in self.allowed_networks
            if net.version == address.version
        )

    def check_address(self, address: IPAddress, host: str) -> None:
        """Raise `EgressDeniedError` unless dialling `address` (for `host`) is allowed."""
        if self.host_is_allow_listed(host) or self.address_is_allow_listed(address):
            return
        reason = refusal_reason(address, self.mode)
        if reason:
            raise EgressDeniedError(f"egress to {host} refused: {reason}")

    def check_host_name(self, host: str) -> None:
        """Refuse well-known metadata names before any lookup."""
        name = host.lower().rstrip(".")
        if name in _METADATA_HOSTNAMES and not self.host_is_allow_listed(name):
            raise EgressDeniedError(f"egress to {host} refused: cloud metadata host")

    def check_literal_host(self, host: str) -> None:
        """Check a URL host that is an IP literal (clients skip DNS for those)."""
        address = parse_ip(host)
        if address is not None:
            self.check_address(address, host)
        else:
            self.check_host_name(host)

    def filter_addresses(self, host: str, addresses: Iterable[str]) -> list[str]:
        """Keep the resolved addresses that may be dialled; refuse if none remain."""
        self.check_host_name(host)
        allowed: list[str] = []
        first_error: EgressDeniedError | None = None
        for text in addresses:
            address = parse_ip(text)
            if address is None:
                continue
            try:
                self.check_address(address, host)
            except EgressDeniedError as exc:
                first_error = first_error or exc
                continue
            allowed.append(text)
        if not allowed:
            raise first_error or EgressDeniedError(f"egress to {host} refused: no addresses")
        return allowed


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that drops (and, if nothing is left, refuses) forbidden addresses."""

    def __init__(self, policy: EgressPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self._policy.check_host_name(host)
        results = await self._inner.resolve(host, port, family)
        allowed = set(self._policy.filter_addresses(host, (r["host"] for r in results)))
        return [r for r in results if r["host"] in allowed]

    async def close(self) -> None:
        await self._inner.close()


def _egress_middleware(policy: EgressPolicy) -> aiohttp.ClientMiddlewareType:
    async def check_literal_hosts(
        request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        # Runs for every hop, redirects included; named hosts are checked by the resolver.
        policy.check_literal_host(request.url.raw_host or "")
        return await handler(request)

    return check_literal_hosts


def create_egress_session(
    policy: EgressPolicy,
    *,
    limit: int = 0,
    timeout: aiohttp.ClientTimeout | None = None,
    **session_kwargs: Any,
) -> aiohttp.ClientSession:
    """An aiohttp session whose every connection passes the egress policy.

    `limit=0` means no connection-pool cap (load tests open many streams at once).
    Must be called inside a running event loop; close it with `await session.close()`.
    """
    connector = aiohttp.TCPConnector(
        resolver=GuardedResolver(policy), limit=limit, ttl_dns_cache=10
    )
    session = aiohttp.ClientSession(
        connector=connector,
        middlewares=(_egress_middleware(policy),),
        timeout=timeout or aiohttp.ClientTimeout(total=None, sock_connect=15),
        trust_env=False,
        **session_kwargs,
    )
    _SESSION_POLICIES[session] = policy
    return session


# Sessions made by `create_egress_session` -> their policy, for code that opens pooled
# connections without a request (`providers.connections`): the middleware never runs there.
_SESSION_POLICIES: weakref.WeakKeyDictionary[aiohttp.ClientSession, EgressPolicy] = (
    weakref.WeakKeyDictionary()
)


def egress_policy_of(session: aiohttp.ClientSession) -> EgressPolicy | None:
    """The policy guarding `session` (None for a session not made here)."""
    return _SESSION_POLICIES.get(session)
