"""The built-in judge prompts carry exactly the placeholders the judge fills (issue 19 contract),
the words the structured-output request and the simulator key on, a defined rubric, and no
stray braces that a `format_map` fill would trip on."""

from __future__ import annotations

import re

import pytest

from benchstudio.judge.schemas import COMPARATIVE_SCHEMA_NAME, VERDICT_SCHEMA_NAME
from benchstudio.prompts.domain import placeholders
from benchstudio.prompts.domain.builtin_prompts import (
    BUILTIN_JUDGE_COMPARE,
    BUILTIN_JUDGE_REPORT,
    BUILTIN_JUDGE_VERDICT,
    BUILTIN_PROMPTS,
    BUILTINS_BY_ID,
    REDUCE_SEPARATOR,
)

CONTRACT = {
    BUILTIN_JUDGE_VERDICT: {
        "tools",
        "case_prompt",
        "expected_calls",
        "transcript",
        "automated_result",
        "rubric",
    },
    BUILTIN_JUDGE_COMPARE: {
        "tools",
        "case_prompt",
        "expected_calls",
        "transcript_a",
        "transcript_b",
        "rubric",
    },
}


@pytest.mark.parametrize("entry_id", sorted(CONTRACT))
def test_every_version_has_exactly_the_contracts_placeholders(entry_id: str) -> None:
    prompt = BUILTINS_BY_ID[entry_id]
    assert set(prompt.placeholders) == CONTRACT[entry_id]
    for version in prompt.versions:
        assert set(placeholders(version.body)) == CONTRACT[entry_id]


def test_the_report_body_has_a_map_and_a_reduce_part() -> None:
    for version in BUILTINS_BY_ID[BUILTIN_JUDGE_REPORT].versions:
        lines = version.body.splitlines()
        assert lines.count(REDUCE_SEPARATOR) == 1
        map_part, reduce_part = version.body.split(f"\n{REDUCE_SEPARATOR}\n")
        assert set(placeholders(map_part)) == {"chunk", "figures"}
        assert set(placeholders(reduce_part)) == {"partials", "figures"}


def test_the_schema_names_appear_where_the_simulator_looks() -> None:
    for version in BUILTINS_BY_ID[BUILTIN_JUDGE_VERDICT].versions:
        assert VERDICT_SCHEMA_NAME in version.body
        assert COMPARATIVE_SCHEMA_NAME not in version.body
    for version in BUILTINS_BY_ID[BUILTIN_JUDGE_COMPARE].versions:
        assert COMPARATIVE_SCHEMA_NAME in version.body
        assert VERDICT_SCHEMA_NAME not in version.body


def test_the_verdict_rubric_defines_scores_verdicts_and_statuses() -> None:
    body = BUILTINS_BY_ID[BUILTIN_JUDGE_VERDICT].versions[-1].body
    for score in "12345":
        assert re.search(rf"^- {score}: ", body, re.MULTILINE), score
    for verdict in ("pass", "marginal", "fail"):
        assert re.search(rf"^- {verdict}: ", body, re.MULTILINE), verdict
    for status in ("correct", "wrong", "missing", "extra"):
        assert body.count(f"- {status}: ") == 2, status  # tool selection and arguments


def test_the_prompts_are_blind_and_hold_no_other_braces() -> None:
    for prompt in BUILTIN_PROMPTS:
        for version in prompt.versions:
            stripped = re.sub(r"\{[a-z_]+\}", "", version.body)
            assert "{" not in stripped and "}" not in stripped, prompt.id
            filled = version.body.format_map({p: f"<{p}>" for p in prompt.placeholders})
            assert "<" in filled
            if prompt.id != BUILTIN_JUDGE_REPORT:
                assert "which model or provider" in version.body


def test_ids_are_fixed_and_unique() -> None:
    ids = [p.id for p in BUILTIN_PROMPTS]
    assert ids == ["builtin-judge-verdict", "builtin-judge-compare", "builtin-judge-report"]
    assert all(len(i) <= 32 for i in ids)
