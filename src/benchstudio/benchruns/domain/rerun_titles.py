"""Titles of re-runs: "Title (re-run N)", so history tells a re-run from its original.

A re-run of a re-run counts on from the same base ("Title (re-run 2)", not
"Title (re-run 1) (re-run 1)"); N is one past the highest number any of the owner's runs
with that base already carries, so deleting an earlier re-run never reuses a visible number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SUFFIX = re.compile(r"^(?P<base>.*?) \(re-run (?P<n>\d+)\)$")
TITLE_MAX_CHARS = 200


def rerun_base_title(title: str) -> str:
    """The title without a trailing " (re-run N)"."""
    match = _SUFFIX.match(title.strip())
    return match.group("base") if match else title.strip()


def rerun_title(base: str, existing_titles: Iterable[str]) -> str:
    """`base (re-run N)` with N one past the highest existing re-run number of `base`."""
    highest = 0
    for title in existing_titles:
        match = _SUFFIX.match(title.strip())
        if match and match.group("base") == base:
            highest = max(highest, int(match.group("n")))
    suffix = f" (re-run {highest + 1})"
    return base[: TITLE_MAX_CHARS - len(suffix)] + suffix
