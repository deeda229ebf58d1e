"""A step an interruption cuts short keeps its client's diagnostics: the measuring child reports
its open windows, the parent stores the last report per (step, attempt) with the rows, and a
resume lists the earlier attempt with them, marked partial."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, cast

import pytest

from benchstudio.benchruns.domain.attempts import (
    StoredPart,
    WindowReport,
    carried_steps,
    earlier_reports,
    stored_reports,
    with_attempts,
)
from benchstudio.benchruns.tasks import handler
from benchstudio.benchruns.tasks.handler import ResultPump
from benchstudio.jobs.context import JobContext
from benchstudio.speed.diagnostics import Diagnostics, DiagnosticWindow, WindowSoFar


def _report(window: DiagnosticWindow, into: WindowSoFar) -> None:
    into.apply(window.progress())


async def test_reports_of_an_open_window_add_up_to_its_samples_and_start_over_on_restart() -> None:
    window = DiagnosticWindow(requested_rate=4.0)
    received = WindowSoFar()
    window.start()
    await asyncio.sleep(0.03)
    _report(window, received)
    first = len(received.diagnostics.loop_lag_ms)
    await asyncio.sleep(0.03)
    window.diagnostics.dispatch_lag_ms.extend([1.0, 2.0])
    window.diagnostics.completed = 3
    _report(window, received)
    assert first > 0 and len(received.diagnostics.loop_lag_ms) > first
    # Only the new samples crossed: the receiver holds exactly the window's samples so far.
    final = await window.stop(3)
    sent = len(received.diagnostics.loop_lag_ms)
    assert received.diagnostics.loop_lag_ms == final.loop_lag_ms[:sent]
    assert received.diagnostics.dispatch_lag_ms == [1.0, 2.0]
    assert received.diagnostics.completed == 3 and received.diagnostics.requested_rate == 4.0
    assert 0 < received.diagnostics.wall_s <= final.wall_s
    # After a restart (warm-ups done) the earlier samples no longer belong to the window.
    window.restart()
    window.diagnostics.dispatch_lag_ms.clear()
    _report(window, received)
    assert received.diagnostics.loop_lag_ms == [] and received.diagnostics.dispatch_lag_ms == []


def test_the_figures_of_the_reports_are_the_statistics_modules() -> None:
    received = WindowSoFar()
    lags = [0.1 * i for i in range(200)]
    base = {"restart": True, "cpu_s": 0.9, "wall_s": 1.0, "completed": 5, "workers": 1}
    received.apply({**base, "loop_lag_ms": lags[:120], "dispatch_lag_ms": []})
    received.apply(
        {**base, "restart": False, "loop_lag_ms": lags[120:], "dispatch_lag_ms": [], "cpu_s": 0.9}
    )
    expected = Diagnostics(wall_s=1.0, cpu_s=0.9, loop_lag_ms=lags, completed=5).to_dict()
    assert received.to_dict() == expected
    assert expected["trustworthy"] is False  # 90% CPU, lag p99 19.7 ms: both reasons kept
    assert len(expected["untrustworthy_reasons"]) == 2


def test_an_earlier_attempts_report_joins_its_kept_part_or_stands_alone() -> None:
    diagnostics = {"client_cpu_share": 0.2, "event_loop_lag_ms": {"p99": 1.5}}
    parts = [
        ("m@0", StoredPart(1, 1, True, 0.0)),
        ("m@0", StoredPart(1, 4, False, 1500.0)),
    ]
    reports = [WindowReport("m@0", 1, diagnostics), WindowReport("m@0:c=4", 1, diagnostics)]
    carried = carried_steps(parts, reports)
    profile, load = carried["m@0"], carried["m@0:c=4"]
    assert [(p.rows, p.superseded, p.diagnostics) for p in profile.parts] == [
        (4, False, diagnostics),
        (1, True, None),
    ]
    # A load window cut short stored no row (its records wait for its end): listed anyway.
    assert [(p.attempt, p.rows, p.diagnostics) for p in load.parts] == [(1, 0, diagnostics)]
    merged = with_attempts(
        {"name": "m@0", "wall_s": 3.0, "diagnostics": {"trustworthy": True}},
        profile,
        attempt=2,
        rows=6,
    )
    assert merged["wall_s"] == 4.5  # the window still adds the kept requests' time
    first, cut, this = merged["attempts"]
    assert first == {
        "attempt": 1,
        "rows": 4,
        "superseded": False,
        "diagnostics": diagnostics,
        "partial": True,
    }
    assert "partial" not in cut and "diagnostics" not in cut
    assert this["attempt"] == 2 and "partial" not in this


def test_only_reports_of_earlier_attempts_carry_over() -> None:
    stored = [
        {"step": "a", "attempt": 1, "diagnostics": {"wall_s": 1.0}},
        {"step": "b", "attempt": 2, "diagnostics": {"wall_s": 2.0}},
        {"step": "c", "attempt": 1, "diagnostics": {}},  # an empty report says nothing
    ]
    reports = earlier_reports(stored, before=2)
    assert reports == [WindowReport("a", 1, {"wall_s": 1.0})]
    assert stored_reports(reports) == stored[:1]
    assert earlier_reports(None, before=3) == []


class _Context:
    """The job context as the pump uses it: one unit per call, written at once."""

    database: Any = None
    owner_id = "owner-1"

    def __init__(self) -> None:
        self.units = 0

    async def record_unit(self, write: Any, events: Sequence[Any], **_: Any) -> None:
        self.units += 1
        if write is not None:
            await write(None)

    async def progress(self, percent: float, detail: str | None = None) -> None:
        return None


async def test_the_pump_stores_the_open_windows_with_the_rows_and_drops_finished_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stored: list[list[dict[str, Any]] | None] = []

    async def store_batch(
        _ctx: Any,
        _run: str,
        _rows: Any,
        _steps: Any,
        windows: list[dict[str, Any]] | None = None,
    ) -> None:
        stored.append(windows)

    monkeypatch.setattr(handler.recording, "store_batch", store_batch)
    ctx = _Context()
    pump = ResultPump(cast(JobContext, ctx), "run-1", 10)
    pump.attempt = 2
    pump.reports = [WindowReport("m@0", 1, {"wall_s": 1.0})]
    report: Mapping[str, Any] = {
        "restart": True,
        "wall_s": 0.5,
        "cpu_s": 0.05,
        "completed": 2,
        "workers": 1,
        "loop_lag_ms": [0.2, 0.4],
        "dispatch_lag_ms": [],
    }
    await pump.handle([("window", {"steps": {"m@0": report, "m@1": report}})])
    (windows,) = stored
    assert windows is not None
    assert [(w["step"], w["attempt"]) for w in windows] == [("m@0", 1), ("m@0", 2), ("m@1", 2)]
    assert windows[1]["diagnostics"]["client_cpu_share"] == 0.1
    # The step finished: its window is in its metadata now, no longer among the open ones.
    step = {"name": "m@0", "target": "m", "wall_s": 0.6, "diagnostics": {}}
    await pump.handle([("batch", {"records": [], "steps": [step]})])
    assert [(w["step"], w["attempt"]) for w in stored[-1] or []] == [("m@0", 1), ("m@1", 2)]
    # Records alone leave the stored reports as they are (not rewritten every batch).
    await pump.handle([("batch", {"records": [], "steps": []})])
    assert len(stored) == 2
