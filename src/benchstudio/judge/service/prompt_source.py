"""Where the judge gets its prompt text: the prompt library, wired by the composition root.

The judge only needs an entry's resolved version (its id, version number and `body`); the app
registers `prompts.service.resolve_prompt` here at start-up, so the judge's use cases and tests
do not depend on how the library stores prompts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from benchstudio.core.errors import AppError
from benchstudio.storage.service_context import ServiceContext


class ResolvedPrompt(Protocol):
    @property
    def entry_id(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def body(self) -> str: ...


PromptResolver = Callable[[ServiceContext, str, int | None], Awaitable[ResolvedPrompt]]
UseRecorder = Callable[[ServiceContext, str, int, str, str, str], Awaitable[None]]

_resolver: list[PromptResolver] = []
_recorder: list[UseRecorder] = []


def register_prompt_source(resolver: PromptResolver, recorder: UseRecorder | None = None) -> None:
    """Set (or replace) the library the judge resolves prompts from."""
    _resolver[:] = [resolver]
    _recorder[:] = [recorder] if recorder is not None else []


def has_prompt_source() -> bool:
    return bool(_resolver)


async def resolve_judge_prompt(
    ctx: ServiceContext, entry_id: str, version: int | None
) -> ResolvedPrompt:
    """The entry's version (latest when None); NotFoundError from the library if not the
    caller's nor a built-in."""
    if not _resolver:
        raise AppError(
            "The prompt library is not available.", code="prompts_unavailable", status_code=503
        )
    return await _resolver[0](ctx, entry_id, version)


async def record_prompt_use(
    ctx: ServiceContext, prompt: ResolvedPrompt, report_id: str, label: str
) -> None:
    """Best effort: a used-by row for the report (the library opens its own unit)."""
    if _recorder:
        await _recorder[0](ctx, prompt.entry_id, prompt.version, "judge_report", report_id, label)
