"""Suite API shapes. Suite content uses the suite file's own models (`toolcall.schemas`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from benchstudio.core.input_types import CleanInput
from benchstudio.toolcall.schemas import Suite, TestCase, Tool

MAX_CASES_PER_REQUEST = 5000
# Bounds that keep query numbers inside a 64-bit database integer.
MAX_VERSION = 1_000_000
SuiteSource = Literal["own", "sample", "bfcl", "mcp"]


class SuiteContent(CleanInput):
    """A whole suite (create, replace, or own-JSON import); `version` is set by the server."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    system_prompt: str | None = Field(default=None, max_length=100_000)
    tools: list[Tool] = Field(default_factory=list, max_length=512)
    cases: list[TestCase] = Field(default_factory=list, max_length=MAX_CASES_PER_REQUEST)


class SuitePatch(CleanInput):
    """Change some fields; anything set writes a new version."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    system_prompt: str | None = Field(default=None, max_length=100_000)
    tools: list[Tool] | None = Field(default=None, max_length=512)


class CasesIn(CleanInput):
    """Cases appended in one new version (ids must be new to the suite). Each case is checked
    against the suite file format (`/api/suites/schema`) once the suite is found."""

    model_config = ConfigDict(extra="forbid")

    cases: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_CASES_PER_REQUEST)


class SuiteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: str
    name: str
    description: str
    source: str
    version: int = Field(validation_alias="current_version")
    case_count: int
    tool_count: int
    created_at: datetime
    updated_at: datetime


class SuitePage(BaseModel):
    items: list[SuiteOut]
    total: int
    limit: int
    offset: int


class SuiteDetail(SuiteOut):
    suite: Suite = Field(description="The content of the current version (suite file format).")


class SuiteVersionOut(BaseModel):
    version: int
    case_count: int
    note: str
    created_at: datetime


class SkippedEntry(BaseModel):
    id: str
    reason: str


class BfclImportOut(BaseModel):
    suite: SuiteOut
    skipped: list[SkippedEntry]


class McpServerIn(CleanInput):
    """An MCP server reached through the egress guard. Headers (e.g. a bearer token) are used
    for this request only: never stored, logged or echoed."""

    model_config = ConfigDict(extra="forbid")

    url: HttpUrl
    transport: Literal["auto", "streamable-http", "sse"] = "auto"
    headers: dict[str, str] = Field(default_factory=dict, repr=False)
    timeout_s: float = Field(default=30.0, gt=0, le=120)


class McpToolOut(BaseModel):
    name: str
    title: str | None
    description: str
    input_schema: dict[str, object]


class McpToolList(BaseModel):
    server_name: str | None
    transport: str
    tools: list[McpToolOut]


class McpImportIn(McpServerIn):
    tools: list[str] | None = Field(
        default=None, description="The server's tool names to import (all when omitted)."
    )
    draft_cases: bool = True
    name: str | None = Field(default=None, min_length=1, max_length=200)


class McpImportOut(BaseModel):
    suite: SuiteOut
    name_map: dict[str, str]
    skipped: list[SkippedEntry]
    unvalued_arguments: list[str] = Field(
        description="`tool.argument` pairs drafted as `present` (any value): edit them."
    )
