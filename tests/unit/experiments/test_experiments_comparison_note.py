"""The note shown when best vs baseline's interval and test disagree."""

from __future__ import annotations

from benchstudio.experiments.domain.comparison_note import (
    EXCLUDES_BUT_NOT_SIGNIFICANT,
    SIGNIFICANT_BUT_INCLUDES,
    interval_test_note,
)


def test_interval_excluding_zero_without_significance_is_explained() -> None:
    # 1 of 8 vs 5 of 8 on the same cases: Newcombe paired (+0.029, +0.759), McNemar p = 0.125.
    assert interval_test_note((0.029, 0.759), significant=False) == EXCLUDES_BUT_NOT_SIGNIFICANT
    assert interval_test_note((-0.6, -0.1), significant=False) == EXCLUDES_BUT_NOT_SIGNIFICANT


def test_significance_with_an_interval_over_zero_is_borderline() -> None:
    assert interval_test_note((-0.01, 0.3), significant=True) == SIGNIFICANT_BUT_INCLUDES


def test_agreeing_interval_and_test_need_no_note() -> None:
    assert interval_test_note((0.05, 0.4), significant=True) is None
    assert interval_test_note((-0.1, 0.4), significant=False) is None
    assert interval_test_note(None, significant=False) is None
    # An interval touching zero includes it.
    assert interval_test_note((0.0, 0.4), significant=False) is None
