"""The heap helpers, each checked in a fresh interpreter: `gc.collect()` walks every object the
process holds, seconds in a test worker that has run hundreds of tests, a blink in a new one."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_a_frozen_stretch_exempts_live_objects_and_hands_them_back() -> None:
    _run(
        """
        import gc
        from benchstudio.core.heap import frozen_heap

        kept = [object() for _ in range(1000)]
        with frozen_heap():
            assert gc.get_freeze_count() >= len(kept)
        assert gc.get_freeze_count() == 0
        assert len(kept) == 1000
        """
    )


def test_a_heap_frozen_for_good_stays_frozen_after_a_frozen_stretch() -> None:
    _run(
        """
        import gc
        from benchstudio.core.heap import freeze_heap, frozen_heap

        freeze_heap()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with frozen_heap():
            pass
        assert gc.get_freeze_count() == frozen
        """
    )
