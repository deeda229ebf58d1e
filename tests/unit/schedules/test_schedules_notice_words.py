"""Which skips start a span the owner hears about, and the notices' words."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from benchstudio.schedules.domain.owner_notices import (
    PreviousOccurrence,
    is_told,
    paused_notice,
    skipped_notice,
    starts_span,
    webhook_payload,
)

CAP = "skipped: Your monthly spend cap is 5.00 USD; 4.9900 USD spent or reserved this month."
CAP_LATER = "skipped: Your monthly spend cap is 5.00 USD; 5.0100 USD spent or reserved this month."
LIMIT = "skipped: You can start 60 jobs per hour; try again later."


@pytest.mark.parametrize(
    ("reason", "told"),
    [
        ("skipped: overlap", True),
        (LIMIT, True),
        (CAP, True),
        ("skipped: missed", False),
        ("skipped: max_runs", False),
        ("skipped: ended", False),
    ],
)
def test_which_skips_are_told(reason: str, told: bool) -> None:
    assert is_told(reason) is told


@pytest.mark.parametrize(
    ("previous", "reason", "starts"),
    [
        (None, "skipped: overlap", True),
        (PreviousOccurrence("done", None), "skipped: overlap", True),
        (PreviousOccurrence("dispatched", None), LIMIT, True),
        (PreviousOccurrence("skipped", "skipped: overlap"), "skipped: overlap", False),
        (PreviousOccurrence("skipped", CAP), CAP_LATER, False),  # refusals: one span
        (PreviousOccurrence("skipped", LIMIT), CAP, False),
        (PreviousOccurrence("skipped", "skipped: overlap"), LIMIT, True),
        (PreviousOccurrence("skipped", "skipped: missed"), "skipped: overlap", True),
        (None, "skipped: missed", False),
    ],
)
def test_a_span_starts_after_anything_but_the_same_kind_of_skip(
    previous: PreviousOccurrence | None, reason: str, starts: bool
) -> None:
    assert starts_span(previous, reason) is starts


def test_the_words_and_the_webhook_body() -> None:
    at = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    skipped = skipped_notice("s1", "Nightly", at, LIMIT)
    assert skipped.title == "Nightly: a run was skipped"
    assert skipped.body.startswith(
        "The run due at 2026-03-29 01:30 UTC did not start: You can start 60 jobs per hour; "
        "try again later. Further runs"
    )
    paused = paused_notice("s1", "Nightly", "its last 3 runs failed")
    assert (paused.kind, paused.link) == ("schedule.paused", "/schedules/s1")
    assert json.loads(webhook_payload(paused, "s1", "Nightly")) == {
        "event": "schedule.paused",
        "schedule": {"id": "s1", "name": "Nightly"},
        "title": "Nightly: paused",
        "body": paused.body,
        "link": "/schedules/s1",
    }
