"""Fill a judge prompt body's `{placeholders}` (pure).

Only `{name}` with a known name is replaced; unknown placeholders stay verbatim, and any other
brace (a JSON example in the rubric, `{{`, a lone `}`) is left alone, so a prompt never fails
to fill. This is not `str.format`: `{{` is not an escape and stays doubled. Values are inserted
as-is in one pass, so braces inside them are never read as placeholders.
"""

from __future__ import annotations

import re
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
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill_prompt(body: str, values: Mapping[str, str]) -> str:
    """`body` with each `{name}` whose name is in `values` replaced by its value."""

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in values else match.group(0)

    return _PLACEHOLDER.sub(value_of, body)


def placeholders_in(body: str) -> list[str]:
    """The `{identifier}` names a body uses, in order of first use."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(body)))
