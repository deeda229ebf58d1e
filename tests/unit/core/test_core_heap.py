from __future__ import annotations

import gc

from benchstudio.core.heap import freeze_heap, frozen_heap


def test_a_frozen_stretch_exempts_live_objects_and_hands_them_back() -> None:
    kept = [object() for _ in range(1000)]
    with frozen_heap():
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0
    assert len(kept) == 1000


def test_a_heap_frozen_for_good_stays_frozen_after_a_frozen_stretch() -> None:
    freeze_heap()
    try:
        frozen = gc.get_freeze_count()
        with frozen_heap():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
