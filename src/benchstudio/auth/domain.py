"""Pure rules of authentication: scopes a principal holds, login throttle arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from benchstudio.core.errors import PermissionDeniedError

Scope = Literal["read", "run", "admin"]
ALL_SCOPES: tuple[Scope, ...] = ("read", "run", "admin")


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user through a browser session (JWT) or a personal API token."""

    user_id: str
    role: str
    scopes: frozenset[str]
    via: Literal["session", "api_token"]
    token_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and "admin" in self.scopes


def session_scopes(role: str) -> frozenset[str]:
    """An interactive session can do everything its role allows."""
    return frozenset(ALL_SCOPES) if role == "admin" else frozenset({"read", "run"})


def api_token_scopes(granted: list[str], role: str) -> frozenset[str]:
    """A token never holds more than its owner's role: `admin` needs an admin owner."""
    allowed = session_scopes(role)
    return frozenset(s for s in granted if s in allowed)


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    window_started_at: datetime
    blocked_until: datetime | None


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: timedelta

    def retry_after_s(self, state: ThrottleState | None, now: datetime) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        if state is None or state.blocked_until is None or state.blocked_until <= now:
            return 0
        return max(1, int((state.blocked_until - now).total_seconds() + 0.999))

    def after_failure(self, state: ThrottleState | None, now: datetime) -> ThrottleState:
        """Count one failure; block until the window ends once the limit is reached."""
        if state is None or now - state.window_started_at >= self.window:
            state = ThrottleState(0, now, None)
        failures = state.failures + 1
        blocked = state.window_started_at + self.window if failures >= self.max_failures else None
        return ThrottleState(failures, state.window_started_at, blocked)


class AccountDisabledError(PermissionDeniedError):
    """A disabled account signs in, or uses a session or token it still holds: it is told why
    (the credentials were right), not handed a generic "sign in again"."""

    code = "account_disabled"

    def __init__(self) -> None:
        super().__init__(
            "This account is disabled. Ask an administrator of this server to enable it again."
        )
