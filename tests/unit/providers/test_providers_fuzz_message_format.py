"""Fuzz: what a model said (tool-call arguments, any text) goes back into the next request.

Multi-turn runs replay the model's own tool calls in the conversation, so their argument text
is outside input; translating the conversation to Anthropic and Gemini bodies must not fail on
it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from benchstudio.providers.base import ChatRequest
from benchstudio.providers.message_format import to_anthropic_body, to_gemini_body
from benchstudio.providers.streaming import encode_body
from fuzz_inputs import deep_json, dumps, fuzz_settings, json_values

argument_texts = st.one_of(
    json_values.map(dumps),
    st.text(max_size=40),
    st.integers(500, 20_000).map(lambda depth: deep_json(depth).decode()),
)


def conversation(arguments: str, text: str) -> list[dict[str, Any]]:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": arguments}}
    return [
        {"role": "system", "content": text},
        {"role": "user", "content": [{"type": "text", "text": text}]},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": text},
    ]


@fuzz_settings(100)
@given(argument_texts, st.text(max_size=20))
@example(deep_json(5000).decode(), "x")  # was: RecursionError
def test_replayed_tool_calls_translate_to_every_protocol(arguments: str, text: str) -> None:
    request = ChatRequest(model="m", messages=conversation(arguments, text))
    for body in (to_anthropic_body(request, stream=True), to_gemini_body(request)):
        assert isinstance(encode_body(body), bytes)


def test_arguments_nested_past_the_limit_stay_raw() -> None:
    # Nested near the interpreter's limit, arguments load but fail to encode again (the
    # limit differs under Hypothesis, which raises it, hence a plain test).
    deep = deep_json(990).decode()
    request = ChatRequest(model="m", messages=conversation(deep, "x"))
    blocks = to_anthropic_body(request, stream=False)["messages"][1]["content"]
    assert blocks[0]["input"] == {"_raw": deep}
    assert to_gemini_body(request)["contents"][1]["parts"][0]["functionCall"]["args"] == {
        "_raw": deep
    }
