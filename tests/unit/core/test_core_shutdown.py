"""Bounded shutdown steps: a stuck step is given up on and named in the log."""

from __future__ import annotations

import asyncio
import logging

import pytest

from benchstudio.core.shutdown import bounded_step


async def test_a_stuck_step_is_cancelled_after_its_bound(caplog: pytest.LogCaptureFixture) -> None:
    stuck = asyncio.create_task(asyncio.Event().wait())
    with caplog.at_level(logging.WARNING):
        await bounded_step("stuck relay", stuck, timeout_s=0.05)
    await asyncio.sleep(0)
    assert stuck.cancelled()
    assert any(getattr(r, "step", None) == "stuck relay" for r in caplog.records)


async def test_a_quick_step_finishes_normally(caplog: pytest.LogCaptureFixture) -> None:
    done: list[str] = []

    async def step() -> None:
        done.append("ran")

    with caplog.at_level(logging.WARNING):
        await bounded_step("quick", step(), timeout_s=1.0)
    assert done == ["ran"] and not caplog.records
