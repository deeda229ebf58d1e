"""A plain-words note when best vs baseline's interval and test point different ways.

The interval (Newcombe's score method) and the test (McNemar's exact test, or the
two-proportion z-test) are separate methods: with few cases that differ they can disagree,
e.g. 1 of 8 vs 5 of 8 on the same cases gives a 95% interval of +2.9 to +75.9 points while
McNemar's exact p is 0.125. The significance verdict stays the test's; the note says why the
interval seems to say otherwise, so nobody reads "significant" off the interval alone.
"""

from __future__ import annotations

EXCLUDES_BUT_NOT_SIGNIFICANT = (
    "The 95% interval leaves out zero but the test is not significant: too few cases differ "
    "to call the difference established. Run more cases or re-run best to confirm."
)
SIGNIFICANT_BUT_INCLUDES = (
    "The test is significant but the 95% interval includes zero: a borderline difference. "
    "Re-run best to confirm."
)


def interval_test_note(ci95: tuple[float, float] | None, significant: bool) -> str | None:
    """The note to show, or None when the interval and the test agree (or there's no interval)."""
    if ci95 is None:
        return None
    low, high = ci95
    excludes_zero = low > 0 or high < 0
    if excludes_zero and not significant:
        return EXCLUDES_BUT_NOT_SIGNIFICANT
    if significant and not excludes_zero:
        return SIGNIFICANT_BUT_INCLUDES
    return None
