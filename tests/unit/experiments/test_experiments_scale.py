"""The experiment's scale rules as pure functions: on/off scale with reasons, the baseline
(first or chosen), the best (ties to the earliest), and the timeline order."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from benchstudio.experiments.domain.scale import (
    ChosenBaseline,
    ResultRecord,
    Scale,
    assess,
    best_result,
    comparable,
    counts,
    find_eval_result,
    first_result,
    off_scale_reason,
    timeline,
)

SCALE = Scale(suite_version=3, profile="lenient")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def result(
    ref: str,
    passed: int | None,
    total: int | None = 10,
    *,
    minute: int = 0,
    target: str = "m",
    index: int = 0,
    version: int = 3,
    profile: str = "lenient",
    status: str = "done",
    kind: str = "eval",
    created_minute: int | None = None,
) -> ResultRecord:
    created = T0 + timedelta(minutes=created_minute if created_minute is not None else minute)
    score = passed / total if passed is not None and total else None
    return ResultRecord(
        kind=kind,  # type: ignore[arg-type]
        ref_id=ref,
        eval_run_id=ref if kind == "eval" else "run",
        target=target,
        label=target,
        status=status,
        suite_version=version,
        profile=profile,
        passed=passed,
        total=total,
        score=score,
        created_at=created,
        finished_at=T0 + timedelta(minutes=minute) if status == "done" else None,
        target_index=index,
    )


def marks(results: list[ResultRecord], chosen: ChosenBaseline | None = None) -> dict[str, str]:
    """ref:target -> "B" (baseline), "*" (best), "B*" (both) or "" for each result."""
    out = {}
    for r in assess(results, SCALE, chosen).results:
        out[f"{r.ref_id}:{r.target}"] = ("B" if r.is_baseline else "") + ("*" if r.is_best else "")
    return out


def test_off_scale_reasons_name_the_version_and_the_profile() -> None:
    assert off_scale_reason(result("a", 5), SCALE) is None
    assert (
        off_scale_reason(result("a", 5, version=2), SCALE)
        == "suite version 2; this experiment is on version 3"
    )
    assert (
        off_scale_reason(result("a", 5, profile="strict"), SCALE)
        == "scored with profile strict; this experiment uses lenient"
    )
    both = off_scale_reason(result("a", 5, version=4, profile="bfcl"), SCALE)
    assert both == (
        "suite version 4; this experiment is on version 3; "
        "scored with profile bfcl; this experiment uses lenient"
    )


def test_a_different_suite_version_is_never_best() -> None:
    results = [result("v3", 2, minute=1), result("v2", 10, minute=2, version=2)]
    assessed = assess(results, SCALE, None)
    assert assessed.best is not None and assessed.best.ref_id == "v3"
    apart = next(r for r in assessed.results if r.ref_id == "v2")
    assert not apart.on_scale and not apart.is_best and not apart.is_baseline
    assert apart.off_scale_reason == "suite version 2; this experiment is on version 3"


def test_a_different_profile_is_never_best() -> None:
    results = [result("lenient", 1, minute=5), result("strict", 9, minute=1, profile="strict")]
    assert marks(results) == {"lenient:m": "B*", "strict:m": ""}


def test_only_off_scale_results_give_no_baseline_and_no_best() -> None:
    results = [result("a", 9, version=1), result("b", 9, profile="bfcl")]
    assessed = assess(results, SCALE, None)
    assert assessed.baseline is None and assessed.best is None
    assert comparable(assessed) is None
    assert [r.on_scale for r in assessed.results] == [False, False]


def test_unfinished_empty_and_judge_results_never_count() -> None:
    running = result("running", None, None, status="running")
    failed = result("failed", 3, status="failed")
    empty = result("empty", 0, 0)
    judge = result("judge", 10, kind="judge")
    for r in (running, failed, empty, judge):
        assert not counts(r, SCALE)
    finished = result("done", 0, 10)  # zero passes out of ten is a real score
    assert counts(finished, SCALE)
    assessed = assess([running, failed, empty, judge, finished], SCALE, None)
    assert assessed.best is not None and assessed.best.ref_id == "done"
    assert assessed.baseline is not None and assessed.baseline.ref_id == "done"
    judged = next(r for r in assessed.results if r.kind == "judge")
    assert not judged.is_best and not judged.is_baseline


def test_baseline_is_the_first_finished_and_best_the_highest() -> None:
    results = [
        result("late-best", 9, minute=30),
        result("first", 4, minute=10),
        result("middle", 6, minute=20),
    ]
    assert marks(results) == {"first:m": "B", "middle:m": "", "late-best:m": "*"}
    pair = comparable(assess(results, SCALE, None))
    assert pair is not None and (pair[0].ref_id, pair[1].ref_id) == ("first", "late-best")


def test_first_ties_break_by_creation_then_target_order() -> None:
    same_time = [
        result("r2", 5, minute=10, created_minute=2, target="x", index=0),
        result("r1", 5, minute=10, created_minute=1, target="y", index=1),
        result("r1", 5, minute=10, created_minute=1, target="x", index=0),
    ]
    first = first_result(same_time, SCALE)
    assert first is not None and (first.ref_id, first.target) == ("r1", "x")


def test_best_ties_go_to_the_earliest_so_a_rerun_does_not_steal_best() -> None:
    original = result("original", 8, minute=10)
    rerun = result("rerun", 8, minute=20)
    best = best_result([rerun, original], SCALE)
    assert best is not None and best.ref_id == "original"
    # tied within one run: the first target
    targets = [
        result("run", 7, minute=5, target="b", index=1),
        result("run", 7, minute=5, target="a", index=0),
    ]
    best = best_result(targets, SCALE)
    assert best is not None and best.target == "a"
    # compared on the rate, not the count: 8/10 beats 9/12
    rates = [result("count", 9, 12, minute=1), result("rate", 8, 10, minute=2)]
    best = best_result(rates, SCALE)
    assert best is not None and best.ref_id == "rate"


def test_a_chosen_baseline_replaces_the_first() -> None:
    results = [result("first", 4, minute=1), result("second", 6, minute=2)]
    chosen = ChosenBaseline("second", "m")
    assessed = assess(results, SCALE, chosen)
    assert assessed.chosen_in_force
    assert marks(results, chosen) == {"first:m": "", "second:m": "B*"}
    assert comparable(assessed) is None  # the baseline is the best


def test_a_chosen_baseline_that_went_off_scale_or_was_unfiled_falls_back_to_the_first() -> None:
    results = [result("first", 4, minute=1), result("other-version", 6, minute=2, version=2)]
    off = assess(results, SCALE, ChosenBaseline("other-version", "m"))
    assert not off.chosen_in_force
    assert off.baseline is not None and off.baseline.ref_id == "first"
    unfiled = assess(results, SCALE, ChosenBaseline("gone", "m"))
    assert not unfiled.chosen_in_force
    assert unfiled.baseline is not None and unfiled.baseline.ref_id == "first"
    wrong_target = assess(results, SCALE, ChosenBaseline("first", "other"))
    assert not wrong_target.chosen_in_force


def test_a_chosen_baseline_still_running_is_not_in_force() -> None:
    results = [result("first", 4, minute=1), result("running", None, None, status="running")]
    assessed = assess(results, SCALE, ChosenBaseline("running", "m"))
    assert not assessed.chosen_in_force
    assert assessed.baseline is not None and assessed.baseline.ref_id == "first"


def test_timeline_orders_by_finish_then_creation_then_target() -> None:
    running = result("running", None, None, status="running", created_minute=15)
    early = result("early", 5, minute=10, created_minute=0)
    late = result("late", 5, minute=20, created_minute=5)
    second_target = result("early", 5, minute=10, created_minute=0, target="z", index=1)
    ordered = timeline([late, running, second_target, early])
    assert [(r.ref_id, r.target) for r in ordered] == [
        ("early", "m"),
        ("early", "z"),
        ("running", "m"),
        ("late", "m"),
    ]
    assert ordered[2].at == running.created_at  # not finished: placed at its creation


def test_assess_keeps_every_result_and_marks_one_baseline_and_one_best() -> None:
    results = [result(f"r{i}", i, minute=i) for i in range(1, 8)]
    results += [result("off", 10, minute=9, version=1), result("j", 10, kind="judge")]
    assessed = assess(results, SCALE, None)
    assert len(assessed.results) == len(results)
    assert sum(r.is_baseline for r in assessed.results) == 1
    assert sum(r.is_best for r in assessed.results) == 1
    assert assessed.best is not None and assessed.best.ref_id == "r7"
    assert assessed.baseline is not None and assessed.baseline.ref_id == "r1"


def test_a_judge_report_sharing_a_run_id_is_never_marked() -> None:
    evaluated = result("run", 6, minute=1)
    judged = replace(result("run", 9, minute=2, kind="judge"), ref_id="run", eval_run_id="run")
    assessed = assess([evaluated, judged], SCALE, None)
    flags = {(r.kind, r.is_baseline, r.is_best) for r in assessed.results}
    assert flags == {("eval", True, True), ("judge", False, False)}


def test_find_eval_result_looks_only_at_eval_results() -> None:
    results = [result("run", 5, target="a"), result("rep", 5, kind="judge", target="a")]
    assert find_eval_result(results, "run", "a") is results[0]
    assert find_eval_result(results, "rep", "a") is None
    assert find_eval_result(results, "run", "b") is None


@pytest.mark.parametrize("version", [1, 2, 4])
def test_no_other_version_beats_the_scale_whatever_its_score(version: int) -> None:
    results = [result("on", 0, minute=1), result("off", 10, minute=0, version=version)]
    best = best_result(results, SCALE)
    assert best is not None and best.ref_id == "on"
