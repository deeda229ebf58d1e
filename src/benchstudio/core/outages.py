"""Per-process state of each external dependency (the database, Redis): one log line when an
outage starts and one when it ends, instead of a traceback on every failed call.

The state is process-wide on purpose: the hub, the ticket store, the dispatcher and the
worker's receive loop all see the same Redis, and the operator wants one line per outage.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

from benchstudio.core.redaction import redact

log = logging.getLogger(__name__)
# `scheme://user:password@host` in a connection error: the credentials never reach the log.
_URL_CREDENTIALS = re.compile(r"(\w+://)[^/\s@]*@")


@dataclass
class Dependency:
    name: str
    up: bool = True
    down_since: float | None = None
    last_error: str | None = None
    # `time.monotonic()` when the last outage ended (None: none seen by this process).
    recovered_at: float | None = None
    # When a caller last tried the dependency while it was down (see `should_try`).
    _last_attempt: float = field(default=0.0, repr=False)

    def failed(self, exc: BaseException | str) -> None:
        """Record a failed call; logs once, when the outage starts."""
        text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
        self.last_error = redact(_URL_CREDENTIALS.sub(r"\1[REDACTED]@", text))[:200]
        self._last_attempt = time.monotonic()
        if self.up:
            self.up = False
            self.down_since = time.monotonic()
            log.warning(
                "%s unavailable: %s", self.name, self.last_error, extra={"dependency": self.name}
            )

    def succeeded(self) -> None:
        """Record a successful call; logs once, when the outage ends."""
        if not self.up:
            lasted = time.monotonic() - (self.down_since or time.monotonic())
            self.up = True
            self.down_since = None
            self.recovered_at = time.monotonic()
            log.warning(
                "%s available again after %.1f s",
                self.name,
                lasted,
                extra={"dependency": self.name, "outage_s": round(lasted, 1)},
            )

    def should_try(self, every_s: float) -> bool:
        """While down, callers that can do without it (event publishing) probe at most every
        `every_s`, so a job does not wait on a connect timeout per unit."""
        return self.up or time.monotonic() - self._last_attempt >= every_s


_STATES: dict[str, Dependency] = {}


def dependency(name: str) -> Dependency:
    """The process's state of `name` ("database", "redis")."""
    state = _STATES.get(name)
    if state is None:
        state = _STATES[name] = Dependency(name)
    return state


def seconds_since_recovery(*names: str) -> float | None:
    """How long ago the most recent outage of any of `names` ended in this process."""
    ended = [s.recovered_at for n in names if (s := _STATES.get(n)) and s.recovered_at]
    return time.monotonic() - max(ended) if ended else None


def reset() -> None:
    """Forget every state (tests start each scenario from "up")."""
    _STATES.clear()
