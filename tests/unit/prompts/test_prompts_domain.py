"""Pure prompt-library rules: placeholders, tags, the text a diff compares, the diff itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from benchstudio.prompts.domain import (
    clean_tags,
    comparable_text,
    copy_name,
    diff_texts,
    matches,
    placeholders,
)


def test_placeholders_are_identifiers_in_first_appearance_order() -> None:
    text = 'Use {tools} then {case_prompt}; again {tools}. JSON {"a": 1} and {not valid} {x1}'
    assert placeholders(text, "{rubric} {x1}") == ["tools", "case_prompt", "x1", "rubric"]
    assert placeholders("") == []


def test_tags_are_trimmed_lowered_and_unique() -> None:
    assert clean_tags([" Judge ", "judge", "", "  ", "multi   word"]) == ["judge", "multi word"]


def test_a_benchmark_version_compares_both_prompts_under_headings() -> None:
    text = comparable_text("benchmark", "sys", "user", "ignored")
    assert text == "# System prompt\nsys\n\n# User prompt\nuser\n"
    assert comparable_text("judge", "s", "u", "body") == "body"


def test_the_diff_lists_every_line_with_numbers() -> None:
    diff = diff_texts("a\nb\nc", "a\nB\nc\nd", "v1", "v2")
    assert [(d.op, d.text, d.old_line, d.new_line) for d in diff.lines] == [
        ("equal", "a", 1, 1),
        ("delete", "b", 2, None),
        ("insert", "B", None, 2),
        ("equal", "c", 3, 3),
        ("insert", "d", None, 4),
    ]
    assert (diff.added, diff.removed) == (2, 1)
    assert diff.unified.startswith("--- v1\n+++ v2\n@@")
    assert diff_texts("same", "same", "v1", "v2").unified == ""


@given(
    st.lists(st.sampled_from(["x", "y", "z", ""]), max_size=12),
    st.lists(st.sampled_from(["x", "y", "w", ""]), max_size=12),
)
def test_the_diff_rebuilds_both_texts(old: list[str], new: list[str]) -> None:
    diff = diff_texts("\n".join(old), "\n".join(new), "a", "b")
    rebuilt_old = [d.text for d in diff.lines if d.op != "insert"]
    rebuilt_new = [d.text for d in diff.lines if d.op != "delete"]
    assert rebuilt_old == "\n".join(old).splitlines()
    assert rebuilt_new == "\n".join(new).splitlines()


def test_built_in_filters_and_copy_names() -> None:
    tags = ("judge", "verdict")
    assert matches(
        "Judge", "per case", tags, kind="judge", want_kind=None, want_tag=None, query=None
    )
    assert not matches(
        "Judge", "d", tags, kind="judge", want_kind="system", want_tag=None, query=None
    )
    assert matches("Judge", "d", tags, kind="judge", want_kind=None, want_tag="VERDICT", query=None)
    assert matches(
        "Judge", "per case", tags, kind="judge", want_kind=None, want_tag=None, query="CASE"
    )
    assert not matches("Judge", "d", tags, kind="judge", want_kind=None, want_tag=None, query="zzz")
    assert copy_name("x" * 300) == ("Copy of " + "x" * 300)[:200]
