"""Signed webhook POSTs through the egress guard (`core.net`): what the schedules' alerts send.

The signature is HMAC-SHA256 over `<timestamp>.<raw body>` with the endpoint's secret, sent as
`X-BenchStudio-Signature: t=<timestamp>,v1=<hex>` (a receiver recomputes it over the bytes it
got and refuses stale timestamps). Redirects are not followed: a webhook answers where it is.
Outcomes never carry the URL (it may hold a token) or the response body.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

import aiohttp

from benchstudio.core.net import EgressPolicy, create_egress_session, egress_denial_of

SIGNATURE_HEADER = "X-BenchStudio-Signature"
EVENT_HEADER = "X-BenchStudio-Event"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value for `body` sent at `timestamp` (Unix seconds)."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance_s: int = 300) -> bool:
    """A receiver's check (used by tests and documented for users)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)


@dataclass(frozen=True)
class PostOutcome:
    status_code: int | None
    error: str | None
    duration_ms: float

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def post_signed(
    policy: EgressPolicy,
    url: str,
    secret: str,
    event: str,
    body: bytes,
    *,
    timeout_s: float = 10.0,
) -> PostOutcome:
    """POST `body` to `url`, signed; a refusal, a timeout or a connection error is an outcome
    with a short reason, not an exception."""
    started = time.monotonic()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "BenchStudio-Webhook",
        SIGNATURE_HEADER: signature(secret, int(time.time()), body),
        EVENT_HEADER: event,
    }
    session = create_egress_session(
        policy, timeout=aiohttp.ClientTimeout(total=timeout_s, sock_connect=min(5.0, timeout_s))
    )
    status: int | None = None
    error: str | None = None
    try:
        async with session.post(url, data=body, headers=headers, allow_redirects=False) as reply:
            status = reply.status
            if not 200 <= status < 300:
                error = f"HTTP {status}"
    except TimeoutError:
        error = "timed out"
    except (aiohttp.ClientError, OSError) as exc:
        denial = egress_denial_of(exc)
        error = _refusal(str(denial)) if denial is not None else type(exc).__name__
    finally:
        await session.close()
    return PostOutcome(status, error, round((time.monotonic() - started) * 1000.0, 1))


def _refusal(message: str) -> str:
    # "egress to <host> refused: <reason>": keep the reason, drop the host (it is in the URL).
    reason = message.rsplit("refused:", 1)[-1].strip()
    return f"refused by the egress guard: {reason}"[:300]
