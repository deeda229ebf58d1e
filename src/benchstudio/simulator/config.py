"""Simulator configuration: named model profiles, loaded from YAML or built from CLI flags."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from benchstudio.simulator.directives import FaultSpec, QuirkSpec
from benchstudio.simulator.tool_policy import ToolPolicyConfig

DEFAULT_MODEL_NAME = "benchstudio-sim"


class OutputLength(BaseModel):
    """How many output tokens a response has (before the request's max_tokens cap)."""

    model_config = ConfigDict(extra="forbid")

    distribution: Literal["fixed", "uniform", "normal"] = "fixed"
    tokens: int = Field(default=64, ge=0, description="fixed length, or the normal mean")
    min: int = Field(default=1, ge=0)
    max: int = Field(default=4096, ge=0)
    std: float = Field(default=0.0, ge=0.0)

    def sample(self, rng: random.Random) -> int:
        if self.distribution == "uniform":
            return rng.randint(self.min, max(self.min, self.max))
        if self.distribution == "normal":
            drawn = round(rng.gauss(self.tokens, self.std))
            return min(max(drawn, self.min), self.max)
        return self.tokens


class ToolCallSpec(BaseModel):
    """A tool call a scripted rule makes. `arguments_raw` is sent verbatim (e.g. broken JSON)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    arguments_raw: str | None = None


class RuleMatch(BaseModel):
    """Conditions of a tool-script rule; all given conditions must hold."""

    model_config = ConfigDict(extra="forbid")

    prompt: str | None = Field(default=None, description="regex searched in the last user text")
    any_text: str | None = Field(default=None, description="regex searched in all message text")
    last_role: Literal["user", "tool", "assistant"] | None = None
    tool_results: int | None = Field(default=None, ge=0, description="exact count so far")
    tool_offered: str | None = Field(default=None, description="a tool with this name is sent")


class ToolRule(BaseModel):
    """One scripted behaviour: when `match` holds, answer with text and/or tool calls.

    `${group}` in string argument values is replaced by the prompt regex's named group.
    `embed_in_text` renders the calls inside the text (`<tool_call>{...}</tool_call>`) instead of
    as native tool calls, like models whose calls must be recovered from text.
    """

    model_config = ConfigDict(extra="forbid")

    match: RuleMatch = Field(default_factory=RuleMatch)
    text: str | None = None
    tool_calls: list[ToolCallSpec] = Field(default_factory=list)
    embed_in_text: bool = False


class ModelProfile(BaseModel):
    """Everything that makes one simulated model behave the way it does."""

    model_config = ConfigDict(extra="forbid")

    name: str = DEFAULT_MODEL_NAME
    ttft_ms: float = Field(default=50.0, ge=0.0)
    itl_ms: float = Field(default=10.0, ge=0.0)
    jitter_ms: float = Field(default=0.0, ge=0.0)
    prefill_ms_per_1k_tokens: float = Field(default=0.0, ge=0.0)
    output_tokens: OutputLength = Field(default_factory=OutputLength)
    tokens_per_chunk: int = Field(default=1, ge=1)
    reasoning_tokens: int = Field(default=0, ge=0)
    context_window: int = Field(default=128_000, ge=1)
    seed: int = 0
    require_key: str | None = Field(default=None, repr=False)
    faults: list[FaultSpec] = Field(default_factory=list)
    quirks: list[QuirkSpec] = Field(default_factory=list)
    tool_script: list[ToolRule] = Field(default_factory=list)
    tool_policy: ToolPolicyConfig | None = Field(
        default=None, description="call any offered tool (after tool_script); None = off"
    )

    @field_validator("output_tokens", mode="before")
    @classmethod
    def _length_from_int(cls, value: Any) -> Any:
        return {"tokens": value} if isinstance(value, int) else value

    @field_validator("quirks", mode="before")
    @classmethod
    def _quirks_from_names(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"kind": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("faults", mode="before")
    @classmethod
    def _faults_from_names(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"kind": item} if isinstance(item, str) else item for item in value]
        return value


class SimulatorConfig(BaseModel):
    """The default model (answers under any name) plus named models that add to it."""

    model_config = ConfigDict(extra="forbid")

    default: ModelProfile = Field(default_factory=ModelProfile)
    models: list[ModelProfile] = Field(default_factory=list)
    log_capacity: int = Field(default=10_000, ge=1, description="timing-log ring buffer size")

    @field_validator("models", mode="before")
    @classmethod
    def _models_from_mapping(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return [{**(body or {}), "name": name} for name, body in value.items()]
        return value

    @model_validator(mode="after")
    def _unique_names(self) -> SimulatorConfig:
        names = [self.default.name, *(model.name for model in self.models)]
        if len(names) != len(set(names)):
            raise ValueError(f"model names must be unique, got {names}")
        return self

    def profile_for(self, model_name: str) -> ModelProfile:
        """The profile answering for `model_name`: a named model, else the default."""
        for model in self.models:
            if model.name == model_name:
                return model
        return self.default

    def all_profiles(self) -> list[ModelProfile]:
        return [self.default, *self.models]


def load_config(path: Path | str) -> SimulatorConfig:
    """Read a YAML simulator config (see docs/simulator.md for the format)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the top level must be a mapping")
    return SimulatorConfig.model_validate(data)
