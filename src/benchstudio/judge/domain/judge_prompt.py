"""Fill a judge prompt body's `{placeholders}` (pure).

Only `{name}` with a known name is replaced; unknown placeholders stay verbatim, and any other
brace (a JSON example in the rubric, `{{`, a lone `}`) is left alone, so a prompt never fails
to fill. Values are inserted as-is: braces inside them are never read as placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping

VERDICT_PLACEHOLDERS = (
    "tools",
    "case_prompt",
    "expected_calls",
    "transcript",
    "automated_result",
    "rubric",
)
COMPARE_PLACEHOLDERS = (
    "tools",
    "case_prompt",
    "expected_calls",
    "transcript_a",
    "transcript_b",
    "rubric",
)


def fill_prompt(body: str, values: Mapping[str, str]) -> str:
    """`body` with each `{name}` whose name is in `values` replaced by its value."""
    raise NotImplementedError


def placeholders_in(body: str) -> list[str]:
    """The `{identifier}` names a body uses, in order of first use."""
    raise NotImplementedError
