"""Fuzz: HTTP error bodies and in-stream error objects map into the closed error tree."""

from __future__ import annotations

from typing import Any

import pytest
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


# Known crash in `providers/errors.py` (outside this change): `error_message_from_body` catches
# only ValueError from `json.loads`, so a body nested too deeply raises RecursionError (the same
# in `transport.HttpTransport.request_json`). Fix: `except (ValueError, RecursionError)` in both.
# Strict xfail: it becomes a failure once fixed, so this marker gets removed.
@pytest.mark.xfail(strict=True, raises=RecursionError, reason="deep error bodies")
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
