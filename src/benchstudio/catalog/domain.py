"""Pure catalog rules: when a provider's new address may receive its stored secrets."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Origin:
    """Where a request goes: a key sent to one origin is readable by whoever runs it."""

    scheme: str
    host: str
    port: int | None

    @staticmethod
    def of(url: str) -> Origin:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        return Origin(
            scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme)
        )


def host_of(url: str) -> str:
    """Host and explicit port only (never path or query, which may carry secrets): for the
    audit log."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def secrets_to_reenter(
    old_url: str,
    new_url: str,
    *,
    has_key: bool,
    header_names: list[str],
    key_sent: bool,
    headers_sent: bool,
) -> list[str]:
    """The stored secrets the caller must send again before they may go to `new_url`.

    A new origin (scheme, host or port) could belong to anyone: the stored key and header
    values follow it only when the caller proves they know them by sending them again. A new
    path on the same origin reaches the same server, so nothing is asked.
    """
    if Origin.of(old_url) == Origin.of(new_url):
        return []
    missing = []
    if has_key and not key_sent:
        missing.append("api_key")
    if header_names and not headers_sent:
        missing.append("extra_headers")
    return missing
