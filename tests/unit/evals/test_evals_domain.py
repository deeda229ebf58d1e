"""Pure eval-platform rules: labels, which targets to compare, summaries, CSV rows, and the
per-argument drill-down."""

from __future__ import annotations

import json

import pytest

from benchstudio.evals.runs.domain.explain import decoded_calls, explain_calls
from benchstudio.evals.runs.domain.rules import (
    CSV_COLUMNS,
    compact_summary,
    csv_row,
    pick_compared_targets,
    summaries_by_target,
    unique_labels,
    within_run_comparisons,
)
from benchstudio.toolcall.outputs import ModelOutput
from benchstudio.toolcall.profiles import get_profile
from benchstudio.toolcall.schemas import Suite
from benchstudio.toolcall.scoring import score_case
from benchstudio.toolcall.verdicts import CaseVerdict

SUITE = Suite.model_validate(
    {
        "name": "s",
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "parameters": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
                        "required": ["city"],
                    },
                },
            }
        ],
        "cases": [
            {
                "id": "paris",
                "prompt": "Weather in Paris and Rome?",
                "expected_calls": [
                    {"name": "get_weather", "arguments": {"city": {"acceptable": ["Paris"]}}},
                    {
                        "name": "get_weather",
                        "arguments": {
                            "city": {"acceptable": ["Rome"]},
                            "unit": {"acceptable": ["celsius"], "omittable": True},
                        },
                    },
                ],
            }
        ],
    }
)
CASE = SUITE.cases[0]


def _exchange(*calls: tuple[str, dict[str, object]]) -> dict[str, object]:
    tool_calls = [
        {"id": f"c{i}", "name": n, "arguments": json.dumps(a)} for i, (n, a) in enumerate(calls)
    ]
    return {"request": {}, "response": {"content": "", "tool_calls": tool_calls}}


def _verdict(*calls: tuple[str, dict[str, object]], case_id: str = "paris") -> CaseVerdict:
    output = ModelOutput.model_validate(
        {
            "case_id": case_id,
            "tool_calls": [{"name": n, "arguments": json.dumps(a)} for n, a in calls],
        }
    )
    return score_case(CASE, SUITE.tools, output, get_profile("lenient"))


def test_unique_labels_number_repeats_without_clashing() -> None:
    assert unique_labels(["A", "B", "A", "A (2)", "A"]) == ["A", "B", "A (3)", "A (2)", "A (4)"]
    assert unique_labels(["x"]) == ["x"]


def test_pick_compared_targets() -> None:
    assert pick_compared_targets(["a"], ["b"], None, None) == [("a", "b")]
    assert pick_compared_targets(["a", "b"], ["b", "c"], None, None) == [("b", "b")]
    assert pick_compared_targets(["a", "b"], ["a", "b"], "a", "b") == [("a", "b")]
    with pytest.raises(ValueError, match="share no target"):
        pick_compared_targets(["a", "b"], ["c", "d"], None, None)
    with pytest.raises(ValueError, match="name a target"):
        pick_compared_targets(["a", "b"], ["a"], "zzz", None)


def test_drill_down_pairs_calls_and_explains_each_argument() -> None:
    exchanges = [
        _exchange(
            ("get_weather", {"city": "Rome", "unit": "kelvin"}),
            ("get_weather", {"city": "Pariss", "country": "FR"}),
        )
    ]
    profile = get_profile("lenient")
    checks = explain_calls(CASE, SUITE.tools, decoded_calls(exchanges, profile), profile)
    assert [(c["expected_index"], c["call_index"]) for c in checks] == [(0, 1), (1, 0)]
    paris = {a["name"]: a for a in checks[0]["arguments"]}
    assert paris["city"]["status"] == "failed" and paris["city"]["actual"] == "Pariss"
    assert paris["country"]["status"] == "unexpected"
    rome = {a["name"]: a for a in checks[1]["arguments"]}
    assert rome["city"]["status"] == "passed"
    assert rome["unit"]["status"] == "failed" and rome["unit"]["expected"] == ["celsius"]
    assert not checks[0]["passed"] and not checks[1]["passed"]


def test_drill_down_lists_missing_omitted_and_unpaired_calls() -> None:
    exchanges = [
        _exchange(
            ("get_weather", {"city": "Rome"}), ("get_weather", {}), ("get_time", {"zone": "UTC"})
        )
    ]
    profile = get_profile("strict")
    checks = explain_calls(CASE, SUITE.tools, decoded_calls(exchanges, profile), profile)
    rome = next(c for c in checks if c["expected_index"] == 1)
    assert rome["passed"] and {a["name"]: a["status"] for a in rome["arguments"]} == {
        "city": "passed",
        "unit": "omitted",
    }
    paris = next(c for c in checks if c["expected_index"] == 0)
    assert [a["status"] for a in paris["arguments"]] == ["missing"]
    stray = [c for c in checks if c["expected_index"] is None]
    assert [c["tool"] for c in stray] == ["get_time"]


def test_summaries_comparisons_and_csv_agree_with_the_verdicts() -> None:
    good = [_verdict(("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"}))]
    bad = [_verdict(("get_weather", {"city": "Oslo"}))]
    verdicts = {"A": good, "B": bad}
    summaries = summaries_by_target("run1", ["A", "B"], verdicts)
    compact = compact_summary(summaries)
    assert compact["A"]["passed"] == 1 and compact["B"]["pass_rate"] == 0.0
    assert compact["A"]["ci95"] is not None
    comparison = within_run_comparisons("run1", ["A", "B"], verdicts)[0].as_dict()
    assert comparison["test"] == "mcnemar_exact" and comparison["only_a_passed"] == 1
    row = dict(zip(CSV_COLUMNS, csv_row("run1", "B", bad[0]), strict=True))
    assert row["pass"] == "false" and row["error_category"] == "wrong_call_count"
    assert row["argument_accuracy"] != "" and row["case_id"] == "paris"


def test_a_resumed_run_only_reruns_cases_some_target_has_not_finished() -> None:
    from benchstudio.evals.runs.service.lifecycle import RunPlan

    two_cases = SUITE.model_copy(update={"cases": [CASE, CASE.model_copy(update={"id": "b"})]})
    plan = RunPlan(
        run_id="r",
        owner_id="o",
        profile="lenient",
        suite=two_cases,
        targets=[{"label": "A"}, {"label": "B"}],
        settings={},
        total=4,
        finished={("A", "paris"), ("B", "paris"), ("A", "b")},
    )
    assert [case.id for case in plan.remaining_suite.cases] == ["b"]
    plan.finished.add(("B", "b"))
    assert plan.remaining_suite.cases == []
