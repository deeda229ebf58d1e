"""Job progress follows the requests the measuring child has finished, not only stored rows."""

from __future__ import annotations

from typing import Any, cast

from benchstudio.benchruns.tasks.handler import ResultPump
from benchstudio.jobs.context import JobContext


class FakeContext:
    """Records what the pump reports, as the job context would publish it."""

    def __init__(self) -> None:
        self.reported: list[tuple[float, str | None]] = []

    async def progress(self, percent: float, detail: str | None = None) -> None:
        self.reported.append((percent, detail))


def _pump(ctx: FakeContext, expected: int, kept: int = 0) -> ResultPump:
    pump = ResultPump(cast(JobContext, ctx), "run-1", expected)
    pump.done_requests = pump.kept_requests = kept
    return pump


async def test_finished_requests_move_progress_before_their_records_exist() -> None:
    ctx = FakeContext()
    pump = _pump(ctx, expected=40)
    assert (
        await pump.handle([("progress", {"finished": 4}), ("progress", {"finished": 10})]) is None
    )
    assert ctx.reported == [(25.0, "10 of ~40 requests")]
    await pump.handle([("progress", {"finished": 10})])  # no news: nothing published
    await pump.handle([("progress", {"finished": 9})])  # an older count never goes back
    assert ctx.reported == [(25.0, "10 of ~40 requests")]


async def test_a_resumed_attempt_counts_the_rows_kept_from_earlier_attempts() -> None:
    ctx = FakeContext()
    pump = _pump(ctx, expected=200, kept=100)
    done: dict[str, Any] = {"status": "completed"}
    assert await pump.handle([("progress", {"finished": 50}), ("done", done)]) == done
    assert ctx.reported == [(75.0, "150 of ~200 requests")]
    await pump.handle([("progress", {"finished": 500})])
    assert ctx.reported[-1] == (99.0, "600 of ~200 requests")  # never 100 before the end


async def test_a_known_count_is_shown_without_a_tilde() -> None:
    ctx = FakeContext()
    pump = ResultPump(cast(JobContext, ctx), "run-1", 40, exact=True)
    await pump.handle([("progress", {"finished": 10})])
    assert ctx.reported == [(25.0, "10 of 40 requests")]
