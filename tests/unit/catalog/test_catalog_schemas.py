"""Provider input rules: base URLs, extra headers, write-only keys."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from benchstudio.catalog.schemas import ParameterSetIn, ProviderCreate


@pytest.mark.parametrize(
    "url",
    [
        "https://api.openai.com/v1",
        "http://127.0.0.1:8000/v1",
        "http://[::1]:8080",
        "http://my-vllm.internal:8000",
    ],
)
def test_good_base_urls(url: str) -> None:
    assert ProviderCreate(name="p", base_url=url).base_url == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com",
        "file:///etc/passwd",
        "http://user:pass@example.com",
        "http://@example.com",
        "http://example.com/#frag",
        "http:///nohost",
        "http://example.com:0",
        "http://example.com:99999",
        "http://2130706433",
        "http://0x7f.0.0.1",
        "http://0177.0.0.1",
        "http://127.1",
        "http://127.000.000.001",
        "javascript:alert(1)",
        "http://" + "a" * 2050,
    ],
)
def test_bad_base_urls(url: str) -> None:
    with pytest.raises(ValidationError):
        ProviderCreate(name="p", base_url=url)


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil"},
        {"Content-Length": "1"},
        {"Bad Name": "x"},
        {"X-Ok": "line\r\nInjected: 1"},
        {f"X-{i}": "v" for i in range(21)},
    ],
)
def test_bad_extra_headers(headers: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        ProviderCreate(name="p", base_url="https://x.example.com", extra_headers=headers)


def test_the_key_never_appears_in_repr_or_dump() -> None:
    created = ProviderCreate(name="p", base_url="https://x.example.com", api_key="sk-abcdef1234567")  # type: ignore[arg-type]
    assert "sk-abcdef" not in repr(created) and "sk-abcdef" not in created.model_dump_json()


def test_profile_params_are_bounded() -> None:
    with pytest.raises(ValidationError):
        ParameterSetIn(name="p", params={f"p{i}": 1 for i in range(51)})
    with pytest.raises(ValidationError):
        ParameterSetIn(name="p", params={"nested": {"a": 1}})  # type: ignore[dict-item]
