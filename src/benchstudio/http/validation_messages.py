"""Pydantic's validation errors in plain words, for the API, the CLI and the web app alike.

A request that fails validation gets one sentence per field ("Use at least 8 characters.")
instead of the framework's text ("String should have at least 8 characters"); the envelope
keeps each error's machine-readable `type` and `loc` beside it. Messages our own validators
raise (`ValueError("...")`) are already written for people and pass through without
Pydantic's "Value error, " prefix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, get_args

from pydantic_core.core_schema import ErrorType

# Pydantic's own error types; any other type is a `PydanticCustomError` we raised, whose message
# was written for people.
_PYDANTIC_TYPES = frozenset(get_args(ErrorType))

# Error types whose sentence needs nothing from the error's context.
_FIXED: dict[str, str] = {
    "missing": "This field is required.",
    "missing_argument": "This field is required.",
    "missing_keyword_only_argument": "This field is required.",
    "missing_positional_only_argument": "This field is required.",
    "extra_forbidden": "This field is not accepted here.",
    "unexpected_keyword_argument": "This field is not accepted here.",
    "json_invalid": "The request body is not valid JSON.",
    "json_type": "The request body is not valid JSON.",
    "model_attributes_type": "Send an object with the expected fields.",
    "model_type": "Send an object with the expected fields.",
    "dict_type": "Send an object with the expected fields.",
    "list_type": "Send a list.",
    "tuple_type": "Send a list.",
    "set_type": "Send a list.",
    "string_type": "Enter text.",
    "string_unicode": "Enter text.",
    "string_pattern_mismatch": "This value has the wrong format.",
    "int_type": "Enter a whole number.",
    "int_parsing": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "int_parsing_size": "This number is too large.",
    "float_type": "Enter a number.",
    "float_parsing": "Enter a number.",
    "finite_number": "Enter a finite number.",
    "decimal_type": "Enter a number.",
    "decimal_parsing": "Enter a number.",
    "bool_type": "Choose yes or no.",
    "bool_parsing": "Choose yes or no.",
    "none_required": "Leave this field empty.",
    "datetime_type": "Enter a date and time.",
    "datetime_parsing": "Enter a date and time (e.g. 2026-01-31T12:00:00Z).",
    "datetime_from_date_parsing": "Enter a date and time (e.g. 2026-01-31T12:00:00Z).",
    "date_type": "Enter a date.",
    "date_parsing": "Enter a date (e.g. 2026-01-31).",
    "date_from_datetime_parsing": "Enter a date (e.g. 2026-01-31).",
    "timezone_aware": "Include a time zone (e.g. Z or +01:00).",
    "url_type": "Enter a web address.",
    "url_parsing": "Enter a web address such as https://example.com.",
    "url_scheme": "Use an http:// or https:// address.",
    "url_syntax_violation": "Enter a web address such as https://example.com.",
    "uuid_type": "Enter a valid id.",
    "uuid_parsing": "Enter a valid id.",
    "union_tag_invalid": "Choose one of the offered kinds.",
    "union_tag_not_found": "Say which kind this is.",
    "bytes_type": "Send text or a file.",
    "is_instance_of": "This value has the wrong kind.",
}
_EMAIL_HINT = "not a valid email address"
_FALLBACK = "This value is not accepted."


def _plural(count: Any, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _from_context(kind: str, ctx: Mapping[str, Any]) -> str | None:
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return "This field cannot be empty." if n == 1 else f"Use at least {n} characters."
    if kind == "string_too_long":
        return f"Use at most {_plural(ctx.get('max_length'), 'character')}."
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return "Add at least one item." if n == 1 else f"Add at least {n} items."
    if kind == "too_long":
        return f"Use at most {_plural(ctx.get('max_length'), 'item')}."
    bounds = {
        "greater_than": "Enter a number greater than {}.",
        "greater_than_equal": "Enter {} or more.",
        "less_than": "Enter a number less than {}.",
        "less_than_equal": "Enter {} or less.",
        "multiple_of": "Enter a multiple of {}.",
    }
    keys = {
        "greater_than": "gt",
        "greater_than_equal": "ge",
        "less_than": "lt",
        "less_than_equal": "le",
        "multiple_of": "multiple_of",
    }
    if kind in bounds and keys[kind] in ctx:
        return bounds[kind].format(ctx[keys[kind]])
    if kind in ("enum", "literal_error") and "expected" in ctx:
        expected = str(ctx["expected"]).replace("'", "")
        return f"Choose one of: {expected}."
    return None


def _own_words(message: str) -> str:
    """A custom validator's message, without Pydantic's prefix, as a sentence."""
    text = message.removeprefix("Value error, ").removeprefix("Assertion failed, ").strip()
    if _EMAIL_HINT in text.lower():
        return "Enter a valid email address, like name@example.com."
    if not text:
        return _FALLBACK
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def plain_message(error: Mapping[str, Any]) -> str:
    """One sentence for one Pydantic error (`{"type", "msg", "ctx", ...}`), raw text never."""
    kind = str(error.get("type") or "")
    if kind in ("value_error", "assertion_error") or kind not in _PYDANTIC_TYPES:
        return _own_words(str(error.get("msg") or ""))
    if kind in _FIXED:
        return _FIXED[kind]
    ctx = error.get("ctx")
    found = _from_context(kind, ctx if isinstance(ctx, Mapping) else {})
    return found or _FALLBACK


def field_label(loc: Sequence[Any]) -> str | None:
    """ "password" for `["body", "password"]`; "targets 2 model id" for a nested one."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    parts = [p for p in parts if not p.isdigit()]
    if not parts:
        return None
    return parts[-1].replace("_", " ")


def summary(details: Sequence[Mapping[str, Any]]) -> str:
    """The envelope's top-level message: the one problem, or how many fields to check."""
    if not details:
        return "The request is not valid."
    labels = [field_label(d.get("loc") or []) for d in details]
    first_label, first_msg = labels[0], str(details[0]["msg"])
    if len(details) == 1 or len(set(labels)) == 1:
        if first_label is None:
            return first_msg
        return f"{first_label.capitalize()}: {first_msg[0].lower()}{first_msg[1:]}"
    named = sorted({label for label in labels if label})
    return f"Check these fields: {', '.join(named)}." if named else first_msg
