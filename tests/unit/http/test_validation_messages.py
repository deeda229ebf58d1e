"""Validation errors reach people in plain words (issue 17 bug 11)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator

from benchstudio.http.validation_messages import plain_message, summary

RAW_FRAGMENTS = ("should", "Field required", "Input should", "String should", "Value error")


class Form(BaseModel):
    password: Annotated[str, Field(min_length=8, max_length=20)]
    count: Annotated[int, Field(ge=1, le=10)] = 1
    ratio: float = 0.5
    kind: Literal["a", "b"] = "a"
    name: str = "x"

    @field_validator("name")
    @classmethod
    def _no_spaces(cls, value: str) -> str:
        if " " in value:
            raise ValueError("names have no spaces")
        return value


def _errors(data: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate(data)
    return [dict(e) for e in caught.value.errors()]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, "This field is required."),
        ({"password": "short"}, "Use at least 8 characters."),
        ({"password": "x" * 30}, "Use at most 20 characters."),
        ({"password": "long-enough", "count": "many"}, "Enter a whole number."),
        ({"password": "long-enough", "count": 0}, "Enter 1 or more."),
        ({"password": "long-enough", "count": 11}, "Enter 10 or less."),
        ({"password": "long-enough", "ratio": "half"}, "Enter a number."),
        ({"password": "long-enough", "kind": "c"}, "Choose one of: a or b."),
        ({"password": "long-enough", "name": "a b"}, "Names have no spaces."),
    ],
)
def test_plain_sentences(data: dict[str, Any], expected: str) -> None:
    message = plain_message(_errors(data)[0])
    assert message == expected
    assert not any(fragment in message for fragment in RAW_FRAGMENTS)


def test_an_unmapped_pydantic_type_never_leaks_framework_text() -> None:
    assert plain_message({"type": "frozen_instance", "msg": "Instance is frozen"}) == (
        "This value is not accepted."
    )


def test_our_own_custom_error_types_keep_their_words() -> None:
    error = {"type": "empty_user_prompt", "msg": "write the user prompt"}
    assert plain_message(error) == "Write the user prompt."


def test_summary_names_the_field() -> None:
    details = [{"loc": ["body", "password"], "msg": "Use at least 8 characters."}]
    assert summary(details) == "Password: use at least 8 characters."
    two = [*details, {"loc": ["body", "invite_code"], "msg": "This field is required."}]
    assert summary(two) == "Check these fields: invite code, password."
    assert summary([{"loc": ["body", 1], "msg": "The request body is not valid JSON."}]) == (
        "The request body is not valid JSON."
    )
