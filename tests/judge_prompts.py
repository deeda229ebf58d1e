"""A stand-in prompt library for judge tests: serves the built-in verdict prompt id.

The `prompts` domain is wired into the judge by the composition root when present; tests that
judge register this one only when no library is registered.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchstudio.core.errors import NotFoundError
from benchstudio.judge.service.prompt_source import has_prompt_source, register_prompt_source
from benchstudio.storage.service_context import ServiceContext

VERDICT_PROMPT_ID = "builtin-judge-verdict"
TEST_VERDICT_BODY = (
    "You grade one tool-calling case (judge_verdict). Score 1-5; pass, marginal or fail.\n"
    "Tools:\n{tools}\nCase:\n{case_prompt}\nExpected:\n{expected_calls}\n"
    "Transcript:\n{transcript}\nAutomated:\n{automated_result}\n"
)


@dataclass(frozen=True)
class _Prompt:
    entry_id: str
    version: int
    body: str


async def _resolve(ctx: ServiceContext, entry_id: str, version: int | None) -> _Prompt:
    if entry_id != VERDICT_PROMPT_ID or version not in (None, 1):
        raise NotFoundError("No such prompt.")
    return _Prompt(entry_id, 1, TEST_VERDICT_BODY)


def ensure_prompt_source() -> None:
    if not has_prompt_source():
        register_prompt_source(_resolve)
