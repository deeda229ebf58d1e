"""Records of a live eval: what was asked of whom, what came back, and the verdict."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from benchstudio.toolcall.multiturn import ChainTranscript
from benchstudio.toolcall.verdicts import CaseVerdict

DEFAULT_CONCURRENCY = 4
# Local servers usually serve one model on one GPU: fewer parallel requests by default.
LOCAL_DEFAULT_CONCURRENCY = 2


class EvalTarget(BaseModel):
    """One model at one endpoint. `label` names it in results; the key is never serialised."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=200)
    model: str = Field(min_length=1)
    base_url: str
    protocol: str = "openai"
    # Provider name for the parameter registry and the concurrency group (default: protocol).
    provider: str | None = None
    api_key: str | None = Field(default=None, repr=False, exclude=True)
    concurrency: int | None = Field(default=None, ge=1, le=256)
    temperature: float | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    tool_choice: str | dict[str, Any] | None = None
    system_prompt: str | None = Field(default=None, description="Overrides the suite's prompt.")
    params: dict[str, Any] = Field(default_factory=dict)
    timeout_s: float = Field(default=120.0, gt=0)

    @property
    def provider_name(self) -> str:
        return self.provider or self.protocol


class ExchangeRecord(BaseModel):
    """One model call: the request as sent (tools listed by name) and the response."""

    request: dict[str, Any]
    response: dict[str, Any] | None = None
    latency_ms: float | None = None
    error: str | None = None
    error_kind: str | None = None
    attempts: int = 1


class ParamAdjustment(BaseModel):
    param: str
    action: str
    reason: str


class LiveCaseResult(BaseModel):
    """A finished case for one target: every exchange, the transcript and the verdict."""

    target: str
    case_id: str
    verdict: CaseVerdict
    exchanges: list[ExchangeRecord] = Field(default_factory=list)
    transcript: ChainTranscript | None = None
    tools: list[str] = Field(default_factory=list)
    started_at: datetime
    finished_at: datetime

    @property
    def passed(self) -> bool:
        return self.verdict.passed


class TargetPlan(BaseModel):
    """What a target will actually be sent, resolved before the first request."""

    target: EvalTarget
    concurrency: int
    concurrency_group: str
    adjustments: list[ParamAdjustment] = Field(default_factory=list)
