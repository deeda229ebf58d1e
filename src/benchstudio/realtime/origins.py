"""Origin checks for browser tickets and sockets (pure string logic)."""

from __future__ import annotations

from urllib.parse import urlsplit

_HTTP_FOR_WS = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


def own_origin(scheme: str, netloc: str) -> str:
    """The origin a page served by us has, from the request's scheme and Host."""
    return f"{_HTTP_FOR_WS.get(scheme, scheme)}://{netloc}".lower()


def normalize(origin: str) -> str:
    parts = urlsplit(origin.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(origin: str, own: str, allowed: frozenset[str]) -> bool:
    value = normalize(origin)
    return value == own or value in {normalize(a) for a in allowed}
