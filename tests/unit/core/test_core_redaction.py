"""Secrets never survive redaction, in text or in log records."""

from __future__ import annotations

import json
import logging

import pytest

from benchstudio.core.logging_setup import JsonFormatter, RedactionFilter
from benchstudio.core.redaction import REDACTED, redact

SECRETS = [
    "sk-canary-0123456789abcdefghij",
    "sk-ant-api03-abcdefghijklmnop_qrstu",
    "sk-proj-ABCDEFGHIJKLMNOPQRSTUV",
    "AIzaSyA1234567890abcdefghijklmnopq",
    "gsk_abcdefghijklmnop123456",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2hlcmU",
]


@pytest.mark.parametrize("secret", SECRETS)
def test_known_key_shapes_are_redacted(secret: str) -> None:
    text = f"calling provider with {secret} failed"
    assert secret not in redact(text)
    assert REDACTED in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer abcdefghijklmnopqrstuvwxyz123",
        "GET https://generativelanguage.googleapis.com/v1beta/models?key=plainsecretvalue123",
        "https://host/v1?api_key=plainsecretvalue123&x=1",
        '{"x-api-key": "plainsecretvalue123"}',
        "password=hunter2hunter2",
    ],
)
def test_labelled_secrets_are_redacted(text: str) -> None:
    assert "plainsecretvalue123" not in redact(text)
    assert "abcdefghijklmnopqrstuvwxyz123" not in redact(text)
    assert "hunter2hunter2" not in redact(text)


def test_ordinary_text_is_untouched() -> None:
    text = "TTFT p50 was 12.5 ms over 100 requests for model gpt-4o-mini"
    assert redact(text) == text


def test_log_records_are_scrubbed_in_message_args_and_extras() -> None:
    record = logging.LogRecord(
        "t", logging.ERROR, __file__, 1, "key %s rejected", ("sk-canary-0123456789abcdef",), None
    )
    record.url = "https://x/v1?key=sk-canary-0123456789abcdef"
    RedactionFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "sk-canary-0123456789abcdef" not in line
    payload = json.loads(line)
    assert payload["level"] == "ERROR" and REDACTED in payload["message"]


def test_exception_text_is_scrubbed() -> None:
    try:
        raise ValueError("bad key sk-canary-0123456789abcdef")
    except ValueError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    RedactionFilter().filter(record)
    assert "sk-canary-0123456789abcdef" not in JsonFormatter().format(record)
