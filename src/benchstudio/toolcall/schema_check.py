"""JSON Schema checks for tool parameters, cached (BFCL imports repeat the same tools a lot)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from jsonschema import Draft7Validator, Draft202012Validator


def _key(schema: dict[str, Any]) -> str:
    return json.dumps(schema, sort_keys=True, default=str)


@lru_cache(maxsize=4096)
def _schema_problem(schema_text: str) -> str | None:
    # Draft 7's meta-schema checks the keywords tools use and is ~5x faster than 2020-12's.
    error = next(
        Draft7Validator(Draft7Validator.META_SCHEMA).iter_errors(json.loads(schema_text)), None
    )
    return None if error is None else error.message


def schema_problem(schema: dict[str, Any]) -> str | None:
    """Why `schema` is not a valid JSON Schema, or None."""
    return _schema_problem(_key(schema))


@lru_cache(maxsize=4096)
def _validator(schema_text: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_text))


def argument_errors(arguments: Any, schema: dict[str, Any]) -> list[str]:
    """Messages for every way `arguments` violate `schema` (empty when valid)."""
    return [error.message for error in _validator(_key(schema)).iter_errors(arguments)]
