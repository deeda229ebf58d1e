"""The built-in LLM simulator: OpenAI, Anthropic and Gemini wire formats on plain asyncio.

Public API (stable; other packages and tests rely on it):

    from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer

    config = SimulatorConfig(default=ModelProfile(ttft_ms=20, itl_ms=5, output_tokens=16))
    async with SimulatorServer(config) as sim:     # binds 127.0.0.1 on a free port
        sim.base_url                # "http://127.0.0.1:PORT" (append /v1 for OpenAI/Anthropic)
        sim.request_log()           # list[dict]: timing log records, oldest first
        sim.find_request("my-id")   # one record by X-Request-Id, or None
        sim.clear_log()

    load_config(path) -> SimulatorConfig     # YAML file with `default:` and `models:`

Endpoints: POST /v1/chat/completions, GET /v1/models (OpenAI list; Anthropic list when an
`anthropic-version` or `x-api-key` header is sent), POST /v1/messages,
POST /v1beta/models/{model}:generateContent, :streamGenerateContent?alt=sse,
GET /v1beta/models, GET /_sim/requests?offset=&limit=&request_id=, DELETE /_sim/requests,
GET /_sim/health.

Per-request test hooks: `X-Sim-Fault: rate_limit;retry_after=2` (also server_error, unavailable,
slow_first_byte;delay_ms=N, disconnect;after_events=N, malformed_chunk;at_event=N,
context_length) and `X-Sim-Quirk: sse_comments, no_usage` (also multiline_data,
error_in_stream;after_events=N, reasoning_field, multi_token_chunks;tokens=N,
reject_stream_options, no_role_chunk). `X-Request-Id` is echoed back and keys the timing log.

Timing log record (JSON): request_id, format, model, path, stream, status, request_read_ns
(time.perf_counter_ns() when the bytes completing the request arrived), prompt_tokens,
output_tokens, reasoning_tokens, prefill_ms, planned_ttft_ms, tool_mistake, faults, quirks,
completed, events: [{t_ns, kind, tokens}] where
kind is one of role | content | reasoning | tool | usage | done | meta | comment | error |
malformed | body.
See docs/simulator.md for the full description.
"""

from benchstudio.simulator.config import (
    ModelProfile,
    OutputLength,
    SimulatorConfig,
    ToolRule,
    load_config,
)
from benchstudio.simulator.directives import FaultSpec, QuirkSpec
from benchstudio.simulator.server import SimulatorServer

__all__ = [
    "FaultSpec",
    "ModelProfile",
    "OutputLength",
    "QuirkSpec",
    "SimulatorConfig",
    "SimulatorServer",
    "ToolRule",
    "load_config",
]
