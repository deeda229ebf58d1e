"""One normalised view of a chat request, parsed from any of the three wire formats."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from benchstudio.simulator.textgen import approx_tokens


class Wire(StrEnum):
    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    GEMINI = "gemini"


class RequestError(Exception):
    """The request body is invalid; `param` names the offending field when known."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass(slots=True)
class ToolSpec:
    name: str
    parameters: dict[str, Any]
    description: str = ""


@dataclass(slots=True)
class ChatRequest:
    wire: Wire
    model: str
    stream: bool
    texts: list[str] = field(default_factory=list)  # every text field, for the token count
    last_user_text: str = ""
    last_role: str = "user"
    tool_results: int = 0
    tools: list[ToolSpec] = field(default_factory=list)
    tool_choice: str = "auto"  # auto | none | required
    forced_tool: str | None = None  # a named tool the model must call
    parallel_tool_calls: bool = True
    called_tools: list[str] = field(default_factory=list)  # assistant calls so far, in order
    last_tool_result: str = ""  # text of the latest tool result
    max_tokens: int | None = None
    include_usage: bool = True
    stream_options_sent: bool = False
    include_thoughts: bool = True
    # Structured output (structured_output.py): text | json_object | json_schema.
    response_format: str = "text"
    response_schema_name: str | None = None
    response_schema: dict[str, Any] | None = None
    judge_header: str = ""  # X-Sim-Judge (judge_script.py)
    # Sampling parameters as sent, under OpenAI-style names (the tunable model reads them).
    sampling: dict[str, float] = field(default_factory=dict)
    seed: int | None = None

    @property
    def all_text(self) -> str:
        return "\n".join(self.texts)

    @property
    def prompt_tokens(self) -> int:
        return sum(approx_tokens(text) for text in self.texts)


def _text_of_parts(content: Any, key: str = "text") -> str:
    """Text of a string or of a list of content parts/blocks (non-text parts ignored)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(part.get(key, "")) for part in content if isinstance(part, dict))
    return ""


def _require(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if value is None:
        raise RequestError(f"Missing required parameter: '{name}'.", name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise RequestError(f"Invalid type for '{name}'.", name)
    return value


def _optional_int(body: dict[str, Any], *names: str) -> int | None:
    for name in names:
        value = body.get(name)
        if value is not None:
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise RequestError(f"Invalid '{name}': expected an integer >= 1.", name)
            return value
    return None


SAMPLING_NAMES = (
    "temperature",
    "top_p",
    "top_k",
    "min_p",
    "frequency_penalty",
    "presence_penalty",
    "repetition_penalty",
)
_GEMINI_SAMPLING = {
    "topP": "top_p",
    "topK": "top_k",
    "presencePenalty": "presence_penalty",
    "frequencyPenalty": "frequency_penalty",
}


def _sampling(fields: dict[str, Any], aliases: dict[str, str] | None = None) -> dict[str, float]:
    """The numeric sampling parameters among `fields` (aliases: wire name to OpenAI name)."""
    found: dict[str, float] = {}
    for name, value in fields.items():
        canonical = (aliases or {}).get(name, name)
        if canonical not in SAMPLING_NAMES:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            found[canonical] = float(value)
    return found


def _seed(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_openai(body: dict[str, Any]) -> ChatRequest:
    """POST /v1/chat/completions body."""
    model = _require(body, "model", str)
    messages = _require(body, "messages", list)
    if not messages:
        raise RequestError("Invalid 'messages': empty array.", "messages")
    stream = bool(body.get("stream", False))
    stream_options = body.get("stream_options")
    if stream_options is not None and not stream:
        raise RequestError(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            "stream_options",
        )
    request = ChatRequest(wire=Wire.OPENAI, model=model, stream=stream)
    request.stream_options_sent = stream_options is not None
    request.include_usage = not stream or bool((stream_options or {}).get("include_usage"))
    request.max_tokens = _optional_int(body, "max_completion_tokens", "max_tokens")
    for message in messages:
        if not isinstance(message, dict) or "role" not in message:
            raise RequestError("Invalid 'messages': each message needs a role.", "messages")
        role = str(message["role"])
        text = _text_of_parts(message.get("content"))
        for call in message.get("tool_calls") or []:
            function = call.get("function", {}) if isinstance(call, dict) else {}
            text += f"\n{function.get('name', '')} {function.get('arguments', '')}"
            request.called_tools.append(str(function.get("name", "")))
        request.texts.append(text)
        request.last_role = "tool" if role in ("tool", "function") else role
        if request.last_role == "tool":
            request.tool_results += 1
            request.last_tool_result = text
        elif role == "user":
            request.last_user_text = text
    for tool in body.get("tools") or []:
        function = tool.get("function", {}) if isinstance(tool, dict) else {}
        if not function.get("name"):
            raise RequestError("Invalid 'tools': each tool needs function.name.", "tools")
        request.tools.append(
            ToolSpec(
                function["name"],
                function.get("parameters") or {},
                str(function.get("description") or ""),
            )
        )
        request.texts.append(json.dumps(tool))
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        request.forced_tool = (choice.get("function") or {}).get("name")
        request.tool_choice = "required"
    elif choice in ("none", "auto", "required"):
        request.tool_choice = choice
    request.parallel_tool_calls = body.get("parallel_tool_calls") is not False
    request.sampling = _sampling(body)
    request.seed = _seed(body.get("seed"))
    return request


def parse_anthropic(body: dict[str, Any]) -> ChatRequest:
    """POST /v1/messages body."""
    model = _require(body, "model", str)
    max_tokens = _require(body, "max_tokens", int)
    messages = _require(body, "messages", list)
    request = ChatRequest(wire=Wire.ANTHROPIC, model=model, stream=bool(body.get("stream")))
    request.max_tokens = max_tokens
    thinking = body.get("thinking")
    request.include_thoughts = not (
        isinstance(thinking, dict) and thinking.get("type") == "disabled"
    )
    if body.get("system"):
        request.texts.append(_text_of_parts(body["system"]))
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise RequestError("messages: roles must be 'user' or 'assistant'", "messages")
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        results = sum(1 for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result")
        text = _text_of_parts(content)
        for block in blocks:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                result = _text_of_parts(block.get("content"))
                text += "\n" + result
                request.last_tool_result = result
            elif isinstance(block, dict) and block.get("type") == "tool_use":
                text += f"\n{block.get('name', '')} {json.dumps(block.get('input', {}))}"
                request.called_tools.append(str(block.get("name", "")))
        request.texts.append(text)
        request.tool_results += results
        request.last_role = "tool" if results else message["role"]
        if message["role"] == "user" and not results:
            request.last_user_text = text
    for tool in body.get("tools") or []:
        if not isinstance(tool, dict) or not tool.get("name"):
            raise RequestError("tools: each tool needs a name", "tools")
        request.tools.append(
            ToolSpec(
                tool["name"], tool.get("input_schema") or {}, str(tool.get("description") or "")
            )
        )
        request.texts.append(json.dumps(tool))
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        kind = choice.get("type")
        request.tool_choice = {"any": "required", "tool": "required"}.get(str(kind), str(kind))
        request.forced_tool = choice.get("name") if kind == "tool" else None
        request.parallel_tool_calls = not choice.get("disable_parallel_tool_use")
    request.sampling = _sampling(body)
    return request


def parse_gemini(body: dict[str, Any], model: str, stream: bool) -> ChatRequest:
    """POST /v1beta/models/{model}:generateContent body (camelCase or snake_case fields)."""
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        raise RequestError("* GenerateContentRequest.contents: contents is not specified")
    request = ChatRequest(wire=Wire.GEMINI, model=model, stream=stream)
    system = body.get("systemInstruction") or body.get("system_instruction")
    if isinstance(system, dict):
        request.texts.append(_text_of_parts(system.get("parts")))
    for content in contents:
        parts = content.get("parts") if isinstance(content, dict) else None
        if not isinstance(parts, list):
            raise RequestError("* GenerateContentRequest.contents: parts is not specified")
        texts = [str(part["text"]) for part in parts if isinstance(part, dict) and "text" in part]
        results = 0
        for part in parts:
            call = part.get("functionCall") or part.get("function_call")
            response = part.get("functionResponse") or part.get("function_response")
            if call:
                texts.append(json.dumps(call))
                request.called_tools.append(str(call.get("name", "")))
            if response:
                texts.append(json.dumps(response))
                request.last_tool_result = json.dumps(response.get("response", response))
                results += 1
        text = "\n".join(texts)
        request.texts.append(text)
        request.tool_results += results
        role = "tool" if results else ("assistant" if content.get("role") == "model" else "user")
        request.last_role = role
        if role == "user":
            request.last_user_text = text
    _gemini_tools(body, request)
    config = body.get("generationConfig") or body.get("generation_config") or {}
    request.max_tokens = _optional_int(config, "maxOutputTokens", "max_output_tokens")
    thinking = config.get("thinkingConfig") or config.get("thinking_config") or {}
    request.include_thoughts = bool(
        thinking.get("includeThoughts") or thinking.get("include_thoughts")
    )
    request.sampling = _sampling(config, _GEMINI_SAMPLING)
    request.seed = _seed(config.get("seed"))
    return request


def _gemini_tools(body: dict[str, Any], request: ChatRequest) -> None:
    for tool in body.get("tools") or []:
        declarations = tool.get("functionDeclarations") or tool.get("function_declarations") or []
        for declaration in declarations:
            request.tools.append(
                ToolSpec(
                    declaration["name"],
                    declaration.get("parameters") or {},
                    str(declaration.get("description") or ""),
                )
            )
            request.texts.append(json.dumps(declaration))
    tool_config = body.get("toolConfig") or body.get("tool_config") or {}
    calling = tool_config.get("functionCallingConfig") or tool_config.get("function_calling_config")
    if isinstance(calling, dict):
        mode = str(calling.get("mode", "AUTO")).upper()
        request.tool_choice = {"ANY": "required", "NONE": "none"}.get(mode, "auto")
        allowed = calling.get("allowedFunctionNames") or calling.get("allowed_function_names")
        if mode == "ANY" and isinstance(allowed, list) and len(allowed) == 1:
            request.forced_tool = str(allowed[0])
