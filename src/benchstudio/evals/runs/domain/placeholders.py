"""Cases that still hold the `<your value>` placeholder an MCP import drafts for arguments it
could not give an example value for (pure). Running them sends the placeholder to the model,
so a run warns first; the web app's features/tooleval/placeholders.ts applies the same rule."""

from __future__ import annotations

from benchstudio.toolcall.schemas import Suite, TestCase

PLACEHOLDER = "<your value>"
PLACEHOLDER_WARNING = "placeholders"


def holds_placeholder(case: TestCase) -> bool:
    """The case's prompt, or any of its messages, still contains the placeholder."""
    texts = [case.prompt or ""] + [m.content for m in case.messages or []]
    return any(PLACEHOLDER in text for text in texts)


def placeholder_case_ids(suite: Suite) -> list[str]:
    """Ids of the suite's cases that hold the placeholder, in suite order."""
    return [case.id for case in suite.cases if holds_placeholder(case)]


def placeholder_message(case_ids: list[str]) -> str:
    count = len(case_ids)
    shown = ", ".join(case_ids[:5]) + (f" and {count - 5} more" if count > 5 else "")
    cases = "case still holds" if count == 1 else "cases still hold"
    return f"{count} {cases} {PLACEHOLDER} placeholders: {shown}."
