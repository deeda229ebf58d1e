"""The suite file format, its published schema and the sample suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from benchstudio.toolcall.samples import sample_suite_text
from benchstudio.toolcall.suite_file import (
    SuiteFileError,
    dump_suite,
    parse_suite,
    suite_json_schema,
)

PUBLISHED = Path(__file__).resolve().parents[3] / "docs" / "schemas" / "suite.schema.json"


def test_published_schema_is_generated_from_the_models() -> None:
    assert json.loads(PUBLISHED.read_text()) == suite_json_schema(), (
        "regenerate with: benchstudio suite schema --output docs/schemas/suite.schema.json"
    )


def test_sample_suite_is_valid_against_models_and_published_schema() -> None:
    suite = parse_suite(sample_suite_text())
    assert len(suite.cases) >= 8
    Draft202012Validator(suite_json_schema()).validate(json.loads(sample_suite_text()))


def test_dump_then_parse_round_trips() -> None:
    suite = parse_suite(sample_suite_text())
    assert parse_suite(dump_suite(suite)) == suite


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda s: s["cases"].append(dict(s["cases"][0])), "duplicate case id"),
        (lambda s: s["tools"][0]["function"].update(name="bad name!"), "must match"),
        (
            lambda s: s["cases"][0].update(messages=[{"role": "user", "content": "x"}]),
            "exactly one",
        ),
        (lambda s: s["tools"][0]["function"]["parameters"].update(type=5), "JSON Schema"),
    ],
)
def test_invalid_suites_say_where_and_why(mutation, message: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(sample_suite_text())
    mutation(data)
    with pytest.raises(SuiteFileError, match=message):
        parse_suite(json.dumps(data))
