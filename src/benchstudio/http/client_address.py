"""The client's address, through trusted proxies only (issue 15 item 11).

`BENCHSTUDIO_TRUSTED_PROXIES` lists the reverse proxies (IPs or CIDRs) in front of the server.
`EdgeMiddleware` resolves each request once: when the peer is a listed proxy, the forwarded
headers (`Forwarded`, else `X-Forwarded-For` / `X-Forwarded-Proto`) are read right to left,
skipping listed proxies, and the first other address is the client; from any other peer the
headers are ignored. The result replaces `scope["client"]`, so `client_ip(request)`, the
per-IP throttles and the audit log all see the same address. The middleware also puts it in
`client_ip_var` for the request's duration, which the audit log reads when a use case records
an action without passing the address itself (issue 17 bug 14).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from contextvars import ContextVar

from starlette.requests import HTTPConnection
from starlette.types import Scope

# The resolved client address of the request being served (None outside a request: jobs, CLI).
client_ip_var: ContextVar[str | None] = ContextVar("benchstudio_client_ip", default=None)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """IPs and CIDRs; raises ValueError naming a bad entry."""
    networks = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or CIDR: {text!r}") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _node(value: str) -> str:
    """An address from a `Forwarded: for=` or `X-Forwarded-For` element, port stripped."""
    text = value.strip().strip('"').strip()
    if text.startswith("["):  # [v6] or [v6]:port
        return text[1 : text.find("]")] if "]" in text else text[1:]
    if text.count(":") == 1:  # v4:port
        return text.split(":", 1)[0]
    return text


def _header_values(scope: Scope, name: bytes) -> list[str]:
    return [
        value.decode("latin-1") for key, value in scope.get("headers") or [] if key.lower() == name
    ]


def _forwarded_hops(scope: Scope) -> tuple[list[str], str | None]:
    """(client-side first list of hop addresses, protocol of the outermost hop) from headers."""
    forwarded = _header_values(scope, b"forwarded")
    if forwarded:
        hops: list[str] = []
        protocol: str | None = None
        for element in ",".join(forwarded).split(","):
            pairs = dict(
                (key.strip().lower(), value)
                for key, _, value in (part.partition("=") for part in element.split(";"))
            )
            if "for" in pairs:
                hops.append(_node(pairs["for"]))
            if "proto" in pairs:
                protocol = pairs["proto"].strip().strip('"').lower()
        return hops, protocol
    hops = [_node(item) for item in ",".join(_header_values(scope, b"x-forwarded-for")).split(",")]
    hops = [hop for hop in hops if hop]
    protocols = _header_values(scope, b"x-forwarded-proto")
    protocol = protocols[-1].split(",")[-1].strip().lower() if protocols else None
    return hops, protocol


class TrustedProxies:
    def __init__(self, entries: Sequence[str] = ()) -> None:
        self.networks = parse_networks(entries)

    def trusts(self, host: str | None) -> bool:
        address = _address(host) if host else None
        return address is not None and any(address in network for network in self.networks)

    def resolve(self, scope: Scope) -> tuple[str | None, str | None]:
        """(client address, scheme the client used) for this connection's scope."""
        client = scope.get("client")
        peer = client[0] if client else None
        scheme = scope.get("scheme")
        if not self.networks or not self.trusts(peer):
            return peer, scheme
        hops, protocol = _forwarded_hops(scope)
        resolved = peer
        for hop in reversed(hops):
            if _address(hop) is None:
                break  # garbage a trusted proxy passed on: keep the last address we trust
            resolved = hop
            if not self.trusts(hop):
                break
        if protocol in ("http", "https"):
            secure = protocol == "https"
            scheme = ("wss" if secure else "ws") if scope["type"] == "websocket" else protocol
        return resolved, scheme

    def apply(self, scope: Scope) -> None:
        """Rewrite `scope["client"]` and `scope["scheme"]` to what the client used."""
        if not self.networks:
            return
        client = scope.get("client")
        host, scheme = self.resolve(scope)
        if host is not None and client is not None and host != client[0]:
            scope["client"] = (host, 0)
        if scheme is not None:
            scope["scheme"] = scheme


def client_ip(connection: HTTPConnection) -> str | None:
    """The client's address, as resolved through the trusted proxies: the one to key on."""
    client = connection.client
    return client.host if client else None
