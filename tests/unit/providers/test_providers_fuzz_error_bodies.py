"""Fuzz: HTTP error bodies and in-stream error objects map into the closed error tree."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from benchstudio.providers.errors import ProviderError, error_from_status, error_from_stream_payload
from fuzz_inputs import deep_json, dumps, fuzz_settings, json_values, mutated

ERROR_BODY: dict[str, Any] = {
    "error": {"message": "Rate limit reached", "type": "rate_limit", "code": 429, "status": "x"}
}


@fuzz_settings(100)
@given(json_values | mutated(ERROR_BODY))
def test_stream_error_payloads_give_a_provider_error(payload: Any) -> None:
    assert isinstance(error_from_stream_payload(payload, request_id="r"), ProviderError)


# A body nested deeper than the JSON parser goes is an error message like any other.
@fuzz_settings(150)
@given(
    st.integers(min_value=100, max_value=999),
    mutated(ERROR_BODY).map(dumps) | json_values.map(dumps) | st.text(max_size=100),
)
@example(500, deep_json(5000).decode())
def test_http_error_bodies_give_a_provider_error(status: int, body: str) -> None:
    error = error_from_status(status, body, {"retry-after": "x"}, request_id="r")
    assert isinstance(error, ProviderError)
    assert isinstance(error.message, str)
