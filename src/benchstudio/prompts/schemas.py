"""Prompt library shapes: entries, versions, diffs, usages, and the old template alias shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    computed_field,
    field_validator,
)
from pydantic_core import PydanticCustomError

from benchstudio.core.input_types import CleanInput
from benchstudio.prompts.domain import (
    MAX_TAG_LENGTH,
    MAX_TAGS,
    DiffOp,
    PromptKind,
    clean_tags,
    placeholders,
)

MAX_TEXT = 200_000
NO_USER_PROMPT = "Write the user prompt: it is the message sent to the model."
NO_BODY = "Write the prompt's text."

Tags = list[str]


def _tags(value: list[str]) -> list[str]:
    tags = clean_tags(value)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    if any(len(t) > MAX_TAG_LENGTH for t in tags):
        raise ValueError(f"a tag has at most {MAX_TAG_LENGTH} characters")
    return tags


class PromptTextIn(CleanInput):
    """The text of a version. Benchmark entries use `system_prompt` and `user_prompt` (the
    user prompt is required); system, judge and meta entries use `body` (required)."""

    system_prompt: str = Field(default="", max_length=MAX_TEXT)
    user_prompt: str = Field(default="", max_length=MAX_TEXT)
    body: str = Field(default="", max_length=MAX_TEXT)
    note: str = Field(default="", max_length=2000, description="What changed, and why.")


def text_problem(kind: str, text: PromptTextIn) -> tuple[str, str] | None:
    """(code, message) when a version's text is unusable for its kind, else None."""
    if kind == "benchmark" and not text.user_prompt.strip():
        return "empty_user_prompt", NO_USER_PROMPT
    if kind != "benchmark" and not text.body.strip():
        return "empty_body", NO_BODY
    return None


class PromptCreate(CleanInput):
    kind: PromptKind
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    tags: Tags = Field(default_factory=list)
    # After `kind`: each text is checked against it, and a refusal names its own field.
    system_prompt: str = Field(default="", max_length=MAX_TEXT)
    user_prompt: str = Field(default="", max_length=MAX_TEXT, validate_default=True)
    body: str = Field(default="", max_length=MAX_TEXT, validate_default=True)
    note: str = Field(default="", max_length=2000, description="A note on the first version.")

    @field_validator("tags")
    @classmethod
    def _clean(cls, value: list[str]) -> list[str]:
        return _tags(value)

    @field_validator("user_prompt", "body")
    @classmethod
    def _text_for_kind(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind is None:  # the kind itself was refused: that error is enough
            return value
        needed = "user_prompt" if kind == "benchmark" else "body"
        if info.field_name == needed and not value.strip():
            problem = NO_USER_PROMPT if needed == "user_prompt" else NO_BODY
            raise PydanticCustomError(f"empty_{needed}", problem)
        return value

    def text(self) -> PromptTextIn:
        return PromptTextIn(
            system_prompt=self.system_prompt,
            user_prompt=self.user_prompt,
            body=self.body,
            note=self.note,
        )


class PromptPatch(CleanInput):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    tags: Tags | None = None

    @field_validator("tags")
    @classmethod
    def _clean(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _tags(value)


class PromptCopyIn(CleanInput):
    name: str | None = Field(default=None, min_length=1, max_length=200)


class PromptEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: PromptKind
    name: str
    description: str
    tags: list[str]
    latest_version: int
    copied_from: str | None
    builtin: bool = Field(description="A built-in entry: read-only; copy it to edit.")
    placeholders: list[str] = Field(description="The `{placeholders}` of the latest version.")
    problem: str | None = Field(
        default=None, description="Why the latest version cannot be used; null when it can."
    )
    created_at: datetime
    updated_at: datetime


class PromptVersionOut(BaseModel):
    """One version's text: what judge and benchmark runs resolve (`service.resolve_prompt`)."""

    entry_id: str
    kind: PromptKind
    name: str
    version: int
    system_prompt: str
    user_prompt: str
    body: str
    note: str
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def placeholders(self) -> list[str]:
        return placeholders(self.system_prompt, self.user_prompt, self.body)


class PromptVersionSummary(BaseModel):
    version: int
    note: str
    created_at: datetime


class PromptDetail(PromptEntryOut):
    versions: list[PromptVersionSummary]
    latest: PromptVersionOut


class DiffLineOut(BaseModel):
    op: DiffOp
    text: str
    old_line: int | None
    new_line: int | None


class PromptDiffOut(BaseModel):
    entry_id: str
    from_version: int
    to_version: int
    unified: str = Field(description="A unified diff (empty when the texts are equal).")
    lines: list[DiffLineOut] = Field(description="Every line with its operation.")
    added: int
    removed: int


class PromptUsageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    entry_id: str
    version: int
    used_by_kind: str
    used_by_id: str
    label: str
    created_at: datetime


# ------------------------------------------------ `/api/prompt-templates` (the hidden alias)


class _PromptTemplateFields(CleanInput):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    system_prompt: str = Field(default="", max_length=MAX_TEXT)
    user_prompt: str = Field(
        default="", max_length=MAX_TEXT, description="The message sent to the model (required)."
    )


class PromptTemplateIn(_PromptTemplateFields):
    user_prompt: str = Field(
        default="",
        max_length=MAX_TEXT,
        validate_default=True,
        description="The message sent to the model (required).",
    )

    @field_validator("user_prompt")
    @classmethod
    def _user_prompt(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("empty_user_prompt", NO_USER_PROMPT)
        return value


class PromptTemplateOut(_PromptTemplateFields):
    """A benchmark entry's latest version, in the shape templates had before the library. One
    saved before user prompts were required may lack one: `problem` says so."""

    id: str
    created_at: datetime
    updated_at: datetime

    @computed_field(description="Why the template cannot be used as it is; null when it can.")
    def problem(self) -> str | None:
        if not self.user_prompt.strip():
            return "This template has no user prompt. Edit it to add the message sent to the model."
        return None
