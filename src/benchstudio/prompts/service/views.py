"""Rows and built-in constants as API shapes (no unit of work here)."""

from __future__ import annotations

from benchstudio.prompts.domain import placeholders
from benchstudio.prompts.domain.builtin_prompts import PUBLISHED, BuiltinPrompt
from benchstudio.prompts.models import PromptEntry, PromptVersion
from benchstudio.prompts.schemas import (
    PromptDetail,
    PromptEntryOut,
    PromptTextIn,
    PromptVersionOut,
    PromptVersionSummary,
    text_problem,
)


def _problem(row: PromptEntry, latest: PromptVersion | None) -> str | None:
    """A template stored before user prompts were required cannot run until edited."""
    if latest is None:
        return "This prompt has no text yet."
    text = PromptTextIn(
        system_prompt=latest.system_prompt, user_prompt=latest.user_prompt, body=latest.body
    )
    found = text_problem(row.kind, text)
    if found is None:
        return None
    if found[0] == "empty_user_prompt":
        return "This template has no user prompt. Edit it to add the message sent to the model."
    return "This prompt has no text. Save a version with its text."


def entry_out(row: PromptEntry, latest: PromptVersion | None) -> PromptEntryOut:
    texts = (latest.system_prompt, latest.user_prompt, latest.body) if latest else ()
    return PromptEntryOut.model_validate(
        {
            "id": row.id,
            "kind": row.kind,
            "name": row.name,
            "description": row.description,
            "tags": list(row.tags or []),
            "latest_version": row.latest_version,
            "copied_from": row.copied_from,
            "builtin": False,
            "placeholders": placeholders(*texts),
            "problem": _problem(row, latest),
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
    )


def version_out(row: PromptEntry, version: PromptVersion) -> PromptVersionOut:
    return PromptVersionOut(
        entry_id=row.id,
        kind=row.kind,
        name=row.name,
        version=version.version,
        system_prompt=version.system_prompt,
        user_prompt=version.user_prompt,
        body=version.body,
        note=version.note,
        created_at=version.created_at,
    )


def detail_out(row: PromptEntry, versions: list[PromptVersion]) -> PromptDetail:
    latest = next(v for v in versions if v.version == row.latest_version)
    return PromptDetail(
        **entry_out(row, latest).model_dump(),
        versions=[
            PromptVersionSummary(version=v.version, note=v.note, created_at=v.created_at)
            for v in versions
        ],
        latest=version_out(row, latest),
    )


def builtin_entry_out(prompt: BuiltinPrompt) -> PromptEntryOut:
    return PromptEntryOut(
        id=prompt.id,
        kind="judge",
        name=prompt.name,
        description=prompt.description,
        tags=list(prompt.tags),
        latest_version=prompt.latest_version,
        copied_from=None,
        builtin=True,
        placeholders=placeholders(prompt.versions[-1].body),
        created_at=PUBLISHED,
        updated_at=PUBLISHED,
    )


def builtin_version_out(prompt: BuiltinPrompt, version: int) -> PromptVersionOut | None:
    if not 1 <= version <= prompt.latest_version:
        return None
    text = prompt.versions[version - 1]
    return PromptVersionOut(
        entry_id=prompt.id,
        kind="judge",
        name=prompt.name,
        version=version,
        system_prompt="",
        user_prompt="",
        body=text.body,
        note=text.note,
        created_at=PUBLISHED,
    )


def builtin_detail_out(prompt: BuiltinPrompt) -> PromptDetail:
    latest = builtin_version_out(prompt, prompt.latest_version)
    assert latest is not None  # a built-in has at least one version
    return PromptDetail(
        **builtin_entry_out(prompt).model_dump(),
        versions=[
            PromptVersionSummary(version=n, note=prompt.versions[n - 1].note, created_at=PUBLISHED)
            for n in range(prompt.latest_version, 0, -1)
        ],
        latest=latest,
    )
