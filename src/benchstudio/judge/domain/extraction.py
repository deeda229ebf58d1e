"""Tolerant JSON extraction from a judge's text, then validation into a verdict.

Models wrap JSON in code fences, lead with prose ("Here is my verdict:"), or leave a trailing
comma. Extraction tries, in order: the whole text, each fenced block, then each balanced
`{...}` span, each first as-is and then with trailing commas removed. A text that yields no
valid object becomes a typed `ParseFailure`, which the caller records as a parse failure (and
may retry once with a repair prompt); it is never turned into a score.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from benchstudio.judge.schemas import CaseVerdict, ComparativePick

_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n?(.*?)```", re.S)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_EXCERPT_CHARS = 200

FailureKind = Literal["empty", "no_json", "invalid"]
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """Why a judge's answer could not be read: nothing, no JSON object, or the wrong shape."""

    kind: FailureKind
    message: str
    excerpt: str  # the start of the raw text, for the report and the repair prompt


def _balanced_objects(text: str) -> Iterator[str]:
    """Every top-level `{...}` span, braces inside JSON strings ignored."""
    depth, start, in_string, escaped = 0, -1, False, False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"' and depth:
            in_string = True
        elif char == "{":
            if depth == 0:
                start = index
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                yield text[start : index + 1]


def _candidates(text: str) -> Iterator[str]:
    yield text.strip()
    for block in _FENCE.findall(text):
        yield block.strip()
        yield from _balanced_objects(block)
    yield from _balanced_objects(text)


def extract_json_object(text: str) -> dict[str, Any] | ParseFailure:
    """The first JSON object found in `text`, or why there is none."""
    excerpt = text[:_EXCERPT_CHARS]
    if not text.strip():
        return ParseFailure("empty", "The judge returned no text.", excerpt)
    for candidate in _candidates(text):
        for attempt in (candidate, _TRAILING_COMMA.sub(r"\1", candidate)):
            try:
                value = json.loads(attempt)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return ParseFailure("no_json", "The judge's answer holds no JSON object.", excerpt)


def _validate(text: str, model: type[Model]) -> Model | ParseFailure:
    found = extract_json_object(text)
    if isinstance(found, ParseFailure):
        return found
    try:
        return model.model_validate(found)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'answer'}: {error['msg']}"
            for error in exc.errors()[:5]
        )
        message = f"The judge's JSON has the wrong shape: {problems}"
        return ParseFailure("invalid", message, text[:_EXCERPT_CHARS])


def parse_verdict(text: str) -> CaseVerdict | ParseFailure:
    """A per-case verdict from the judge's raw text, or a typed parse failure."""
    return _validate(text, CaseVerdict)


def parse_pick(text: str) -> ComparativePick | ParseFailure:
    """A comparative pick from the judge's raw text, or a typed parse failure."""
    return _validate(text, ComparativePick)
