"""What a schedule's owner is told when an occurrence is skipped or the schedule pauses itself,
in words, and which skips start a new span (one notice per span of skips, not per occurrence).

Pure: the caller passes the schedule's name, the instants and the previous occurrence."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from benchstudio.schedules.domain.due import SkipReason

SKIPPED = "schedule.skipped"
PAUSED = "schedule.paused"

# Skips the owner hears about: the overlap policy, and a run a limit or the spend cap refused.
# Missed runs (the server was down), "max_runs" and "ended" are in the occurrence log only.
_REASONS = frozenset(r.value for r in SkipReason)
_QUIET = _REASONS - {SkipReason.OVERLAP.value}
_PREFIX = "skipped: "


@dataclass(frozen=True)
class OwnerNotice:
    kind: str  # schedule.skipped | schedule.paused
    title: str
    body: str
    link: str


@dataclass(frozen=True)
class PreviousOccurrence:
    """The occurrence decided just before the one skipped now (its status and reason)."""

    status: str
    reason: str | None


def _cause(reason: str) -> str:
    """The skip's cause without the log's prefix: "overlap", or the refusal's message."""
    return reason.removeprefix(_PREFIX)


def _span_key(reason: str | None) -> str | None:
    """Skips in one span share this: the skip reason, or "refused" for any refusal (a spend
    cap's message carries amounts that change from one refusal to the next)."""
    if reason is None:
        return None
    cause = _cause(reason)
    return cause if cause in _REASONS else "refused"


def is_told(reason: str) -> bool:
    """Whether a skip with this occurrence-log reason is one the owner hears about."""
    return _cause(reason) not in _QUIET


def starts_span(previous: PreviousOccurrence | None, reason: str) -> bool:
    """A told skip starts a new span unless the occurrence before it was skipped the same way."""
    if not is_told(reason):
        return False
    if previous is None or previous.status != "skipped":
        return True
    return _span_key(previous.reason) != _span_key(reason)


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def schedule_link(schedule_id: str) -> str:
    return f"/schedules/{schedule_id}"


def skipped_notice(
    schedule_id: str, name: str, occurrence_at: datetime, reason: str
) -> OwnerNotice:
    cause = _cause(reason)
    if cause == SkipReason.OVERLAP.value:
        why = "the previous run was still queued or running"
    else:
        why = cause.rstrip(".")
    body = (
        f"The run due at {_when(occurrence_at)} did not start: {why}. Further runs skipped "
        "for the same reason are not reported until a run starts again."
    )
    return OwnerNotice(SKIPPED, f"{name}: a run was skipped", body, schedule_link(schedule_id))


def paused_notice(schedule_id: str, name: str, reason: str) -> OwnerNotice:
    body = (
        f"The schedule switched itself off: {reason}. Switch it on again on its page once "
        "that is fixed; it resumes from its next occurrence."
    )
    return OwnerNotice(PAUSED, f"{name}: paused", body, schedule_link(schedule_id))


def webhook_payload(notice: OwnerNotice, schedule_id: str, name: str) -> str:
    """The JSON body webhooks receive: the alerts' fields that apply (no metric, no run)."""
    body = {
        "event": notice.kind,
        "schedule": {"id": schedule_id, "name": name},
        "title": notice.title,
        "body": notice.body,
        "link": notice.link,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True)
