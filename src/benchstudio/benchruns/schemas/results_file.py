"""The shape an imported `benchstudio.bench/1` results file must have, checked at the edge.

Import stores what the file says, so every field that reaches a column is typed and bounded
here: a malformed file gets a 422 naming the field, never a 500 from a `.get` on a list or a
database that refuses an over-long string, an int beyond 32 bits, NUL or NaN. Unknown fields
pass (files from newer versions still import); the checked file is stored as it came.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from benchstudio.core.input_types import CleanInput

# Integer columns are 32-bit; warm-up records carry run_index -1.
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Number = Annotated[float, Field(ge=-1e15, le=1e15)]


class _Lenient(CleanInput):
    model_config = ConfigDict(extra="allow", allow_inf_nan=False, strict=True)


class ImportedError(_Lenient):
    category: str | None = Field(default=None, max_length=200)
    message: str | None = Field(default=None, max_length=100_000)
    status: Annotated[int, Field(ge=0, le=999)] | None = None


class ImportedRecord(_Lenient):
    request_id: str | int | None = Field(default=None)
    target: str | None = Field(default=None, max_length=10_000)
    model: str | None = Field(default=None, max_length=10_000)
    step: str | None = Field(default=None, max_length=10_000)
    context_tokens: Int32 | None = None
    run_index: Int32 | None = None
    warmup: bool = False
    superseded: bool = False
    itl_ms: list[Number] | None = None
    tokens_estimated: bool = False
    tokenizer: str | None = Field(default=None, max_length=64)
    chunk_count: Int32 | None = None
    finish_reason: str | None = Field(default=None, max_length=64)
    error: ImportedError | None = None
    ttft_ms: Number | None = None
    ttfct_ms: Number | None = None
    tpot_ms: Number | None = None
    e2e_ms: Number | None = None
    first_byte_ms: Number | None = None
    connect_ms: Number | None = None
    output_tokens_per_s: Number | None = None
    e2e_tokens_per_s: Number | None = None
    cost_usd: Number | None = None
    input_tokens: Int32 | None = None
    output_tokens: Int32 | None = None
    reasoning_tokens: Int32 | None = None
    cached_input_tokens: Int32 | None = None


class ImportedSummary(_Lenient):
    duration_s: Annotated[float, Field(ge=0, le=1e9)] | None = None


class ImportedStep(_Lenient):
    name: str = Field(max_length=400)
    target: str | None = Field(default=None, max_length=10_000)
    model: str | None = Field(default=None, max_length=10_000)
    mode: str | None = Field(default=None, max_length=16)
    context_tokens: Int32 | None = None
    skipped_reason: str | None = Field(default=None, max_length=10_000)
    summary: ImportedSummary | None = None


class ImportedTarget(_Lenient):
    name: str | None = Field(default=None, max_length=10_000)
    model: str | None = Field(default=None, max_length=10_000)
    protocol: str | None = Field(default=None, max_length=10_000)
    base_url: str | None = Field(default=None, max_length=100_000)


class ImportedSlo(_Lenient):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    ttft_ms: Number | None = None
    tpot_ms: Number | None = None
    e2e_ms: Number | None = None


class ImportedConfig(_Lenient):
    targets: list[ImportedTarget] | None = None
    slo: ImportedSlo | None = None


class ResultsFile(_Lenient):
    results_schema: Literal["benchstudio.bench/1"] = Field(alias="schema")  # RESULTS_SCHEMA
    run_id: str | int | None = None
    title: str | None = Field(default=None, max_length=300)
    status: str | None = Field(default=None, max_length=200)
    stop_reason: str | None = Field(default=None, max_length=300)
    config: ImportedConfig | None = None
    environment: dict[str, Any] | None = None
    diagnostics: dict[str, Any] | None = None
    summary: ImportedSummary | None = None
    steps: list[ImportedStep] | None = None
    slo_search: list[Any] | None = None
    requests: list[ImportedRecord]
