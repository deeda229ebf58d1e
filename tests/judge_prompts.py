"""Judge tests read their prompts from the real prompt library (its built-in judge prompts),
wired as the app wires it; a test that builds no app calls `ensure_prompt_source` first."""

from __future__ import annotations

from benchstudio.app import register_domain_hooks

VERDICT_PROMPT_ID = "builtin-judge-verdict"


def ensure_prompt_source() -> None:
    register_domain_hooks()
