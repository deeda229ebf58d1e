"""Scrub secrets from any text before it is logged or shown.

Covers provider API keys (OpenAI/Anthropic/Google/... shapes), bearer tokens, JWTs,
`key=`/`api_key=`/`token=` query parameters and `x-api-key`-style header values.
"""

from __future__ import annotations

import re

REDACTED = "[REDACTED]"

_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Authorization: Bearer <token>
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    # ?key=... &api_key=... token=... access_token=... in URLs and text
    re.compile(
        r"(?i)([?&;\s\"']?(?:key|api[_-]?key|apikey|token|access[_-]?token|refresh[_-]?token"
        r"|password|secret)=)[^&\s\"'#]+"
    ),
    # header or JSON style: "x-api-key": "..." / api_key: ...
    re.compile(
        r"(?i)((?:x-api-key|x-goog-api-key|api[_-]?key|authorization|password|secret|token)"
        r"[\"']?\s*[:=]\s*[\"']?)(?!\[REDACTED\])[^\s\"',}]{6,}"
    ),
    # Well-known key shapes even without a label.
    re.compile(r"\b(sk-(?:ant-|proj-|or-)?)[A-Za-z0-9_-]{8,}"),
    re.compile(r"\b(AIza)[A-Za-z0-9_-]{20,}"),
    re.compile(r"\b(gsk_|xai-|pplx-|bsk_|bst_)[A-Za-z0-9_-]{8,}"),
    # JWTs
    re.compile(r"\b(eyJ)[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
)


def redact(text: str) -> str:
    """Return `text` with every recognised secret replaced by a marker."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text
