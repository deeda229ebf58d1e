"""Known providers: which wire protocol they speak and their default base URL; adapter factory."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from benchstudio.providers.anthropic import AnthropicAdapter
from benchstudio.providers.base import ProviderAdapter
from benchstudio.providers.gemini import GeminiAdapter
from benchstudio.providers.openai_compat import OpenAICompatAdapter

PROTOCOLS: dict[str, type[OpenAICompatAdapter | AnthropicAdapter | GeminiAdapter]] = {
    "openai": OpenAICompatAdapter,
    "anthropic": AnthropicAdapter,
    "gemini": GeminiAdapter,
}


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    protocol: str
    default_base_url: str
    needs_key: bool = True


KNOWN_PROVIDERS: dict[str, ProviderInfo] = {
    p.name: p
    for p in (
        ProviderInfo("openai", "openai", "https://api.openai.com/v1"),
        ProviderInfo("anthropic", "anthropic", "https://api.anthropic.com/v1"),
        ProviderInfo("gemini", "gemini", "https://generativelanguage.googleapis.com/v1beta"),
        ProviderInfo("mistral", "openai", "https://api.mistral.ai/v1"),
        ProviderInfo("deepseek", "openai", "https://api.deepseek.com/v1"),
        ProviderInfo("xai", "openai", "https://api.x.ai/v1"),
        ProviderInfo("cohere", "openai", "https://api.cohere.ai/compatibility/v1"),
        ProviderInfo("groq", "openai", "https://api.groq.com/openai/v1"),
        ProviderInfo("together", "openai", "https://api.together.xyz/v1"),
        ProviderInfo("fireworks", "openai", "https://api.fireworks.ai/inference/v1"),
        ProviderInfo("openrouter", "openai", "https://openrouter.ai/api/v1"),
        ProviderInfo("cerebras", "openai", "https://api.cerebras.ai/v1"),
        ProviderInfo("ollama", "openai", "http://localhost:11434/v1", needs_key=False),
        ProviderInfo("lmstudio", "openai", "http://localhost:1234/v1", needs_key=False),
        ProviderInfo("vllm", "openai", "http://localhost:8000/v1", needs_key=False),
        ProviderInfo("llamacpp", "openai", "http://localhost:8080/v1", needs_key=False),
        ProviderInfo("sglang", "openai", "http://localhost:30000/v1", needs_key=False),
        ProviderInfo("simulator", "openai", "http://127.0.0.1:9100/v1", needs_key=False),
    )
}


def protocol_for(provider: str) -> str:
    """The wire protocol of a provider name; unknown providers are OpenAI-compatible."""
    info = KNOWN_PROVIDERS.get(provider.lower())
    return info.protocol if info else "openai"


def create_adapter(
    protocol: str,
    base_url: str,
    api_key: str | None = None,
    *,
    session: aiohttp.ClientSession,
    extra_headers: dict[str, str] | None = None,
) -> ProviderAdapter:
    """Build the adapter for `protocol` (openai | anthropic | gemini) on an injected session.

    The session should come from `benchstudio.core.net.create_egress_session` so the egress
    guard applies; the adapter never creates its own.
    """
    try:
        adapter_type = PROTOCOLS[protocol]
    except KeyError:
        raise ValueError(f"unknown protocol {protocol!r}; use one of {sorted(PROTOCOLS)}") from None
    return adapter_type(base_url, api_key, session=session, extra_headers=extra_headers)
