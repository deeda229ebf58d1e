"""Which parameter table a provider gets, and the config handed to the measuring child."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchstudio.benchruns.service.planning import child_config, registry_provider_for
from benchstudio.catalog.schemas import ProviderOut
from benchstudio.speed.config import BenchConfig


def _provider(name: str, base_url: str, protocol: str = "openai") -> ProviderOut:
    now = datetime.now(UTC)
    return ProviderOut(
        id="p",
        name=name,
        protocol=protocol,
        base_url=base_url,
        is_demo=False,
        archived=False,
        has_key=False,
        key_last4=None,
        extra_header_names=[],
        created_at=now,
        updated_at=now,
    )


@pytest.mark.parametrize(
    ("name", "url", "protocol", "expected"),
    [
        ("Mistral", "https://example.com/v1", "openai", "mistral"),
        ("My hosted", "https://api.deepseek.com/v1", "openai", "deepseek"),
        ("Box", "http://10.0.0.5:11434/v1", "openai", "ollama"),
        ("Claude", "https://proxy.example.com", "anthropic", "anthropic"),
        ("Local thing", "http://127.0.0.1:9100/v1", "openai", "openai"),
    ],
)
def test_registry_provider(name: str, url: str, protocol: str, expected: str) -> None:
    assert registry_provider_for(_provider(name, url, protocol)) == expected


def test_the_child_gets_temperature_as_an_override_not_a_body_parameter() -> None:
    config = BenchConfig.model_validate(
        {
            "targets": [
                {"base_url": "http://x/v1", "model": "m", "params": {"temperature": 0.3, "seed": 1}}
            ]
        }
    )
    assert child_config(config).targets[0].params == {"seed": 1}
    assert config.targets[0].params["temperature"] == 0.3
