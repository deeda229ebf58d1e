"""Provider keys and extra-header values never reach a non-streaming error's message.

Issue 15 item 9: the adapters' `complete()` paths dropped the explicit secrets list when a
200 response carried an error body, so only the generic redaction patterns stood between the
key and the error; the canary test could not see it because its `sk-` canary matches one. Here
the key and an extra header value are prefix-less random tokens, and a hostile local server
echoes every header value it receives (without labels, `Bearer ` stripped) in its error body.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from benchstudio.core.redaction import redact
from benchstudio.providers.anthropic import AnthropicAdapter
from benchstudio.providers.base import ChatRequest
from benchstudio.providers.errors import ProviderError
from benchstudio.providers.gemini import GeminiAdapter
from benchstudio.providers.openai_compat import OpenAICompatAdapter

KEY = secrets.token_hex(20)
HEADER_VALUE = secrets.token_urlsafe(24).replace("-", "x").replace("_", "y")
ADAPTERS = {"openai": OpenAICompatAdapter, "anthropic": AnthropicAdapter, "gemini": GeminiAdapter}
# status, and whether the error object carries an integer code (Gemini style)
SCENARIOS = {"401": (401, False), "200-error-body": (200, False), "200-error-code": (200, True)}
STATE = web.AppKey("state", dict)


def test_the_canaries_are_invisible_to_generic_redaction() -> None:
    assert redact(f"{KEY} {HEADER_VALUE}") == f"{KEY} {HEADER_VALUE}"


def _error_body(protocol: str, echoed: str, with_code: bool) -> dict[str, Any]:
    error: dict[str, Any] = {"message": f"rejected: {echoed}", "type": "invalid_request_error"}
    if with_code:
        error["code"] = 400
    if protocol == "anthropic":
        return {"type": "error", "error": error}
    return {"error": error}


async def _hostile(request: web.Request) -> web.Response:
    protocol, scenario = request.app[STATE]["protocol"], request.app[STATE]["scenario"]
    echoed = " | ".join(v.removeprefix("Bearer ") for v in request.headers.values())
    echoed += f" | {request.query_string}"
    if scenario == "200-blocked":  # Gemini's prompt feedback, echoed too
        return web.json_response({"promptFeedback": {"blockReason": f"rejected: {echoed}"}})
    status, with_code = SCENARIOS[scenario]
    return web.json_response(_error_body(protocol, echoed, with_code), status=status)


@pytest.fixture
async def hostile_server() -> AsyncIterator[dict[str, Any]]:
    app = web.Application()
    app[STATE] = {}
    app.router.add_route("*", "/{tail:.*}", _hostile)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    app[STATE]["port"] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield app[STATE]
    await runner.cleanup()


CASES = [(p, s) for p in ADAPTERS for s in SCENARIOS] + [("gemini", "200-blocked")]


@pytest.mark.parametrize(("protocol", "scenario"), CASES)
async def test_complete_errors_carry_neither_key_nor_header_value(
    hostile_server: dict[str, Any], protocol: str, scenario: str
) -> None:
    hostile_server["protocol"], hostile_server["scenario"] = protocol, scenario
    async with aiohttp.ClientSession() as session:
        adapter = ADAPTERS[protocol](
            f"http://127.0.0.1:{hostile_server['port']}/v1",
            KEY,
            session=session,
            extra_headers={"X-Tenant": HEADER_VALUE},
        )
        request = ChatRequest(model="m", messages=[{"role": "user", "content": "hi"}])
        with pytest.raises(ProviderError) as caught:
            await adapter.complete(request)
    seen = f"{caught.value} {caught.value!r} {caught.value.args} {caught.value.message}"
    assert "rejected" in seen, seen  # the echo arrived: the test exercises the error path
    assert KEY not in seen
    assert HEADER_VALUE not in seen
