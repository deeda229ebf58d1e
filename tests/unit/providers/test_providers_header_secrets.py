"""Extra header values are secrets too: never echoed back inside a ProviderError."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from benchstudio.providers.base import ChatRequest
from benchstudio.providers.errors import ProviderError
from benchstudio.providers.openai_compat import OpenAICompatAdapter

SECRET_HEADER_VALUE = "tenant-0123456789-value"


async def _echo_headers(request: web.Request) -> web.Response:
    echoed = " ".join(request.headers.values())
    return web.json_response({"error": {"message": f"bad credentials: {echoed}"}}, status=401)


async def _call(adapter: OpenAICompatAdapter, request: ChatRequest, *, stream: bool) -> None:
    if stream:
        async for _ in adapter.stream(request):
            pass
    else:
        await adapter.complete(request)


@pytest.mark.parametrize("stream", [True, False])
async def test_extra_header_values_are_scrubbed_from_errors(stream: bool) -> None:
    app = web.Application()
    app.router.add_post("/v1/chat/completions", _echo_headers)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session:
            adapter = OpenAICompatAdapter(
                f"http://127.0.0.1:{port}/v1",
                "sk-canary-abcdefghijklmnop",
                session=session,
                extra_headers={"X-Tenant-Token": SECRET_HEADER_VALUE},
            )
            request = ChatRequest(
                model="m", messages=[{"role": "user", "content": "hi"}], stream=stream
            )
            with pytest.raises(ProviderError) as caught:
                await _call(adapter, request, stream=stream)
    finally:
        await runner.cleanup()
    text = str(caught.value) + repr(caught.value)
    assert "bad credentials" in text
    assert SECRET_HEADER_VALUE not in text
    assert "sk-canary-abcdefghijklmnop" not in text
