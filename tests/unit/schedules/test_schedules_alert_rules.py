"""Regression alerts on synthetic samples: thresholds (relative and absolute, each direction),
significance (a noisy change beyond the threshold alerts nothing), fixed and rolling baselines,
episodes (one alert, then nothing, then one "recovered"), and mute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from benchstudio.schedules.domain.alerts import (
    Baseline,
    Metric,
    Rule,
    RunSamples,
    ThresholdKind,
    baseline_runs,
    check,
)
from benchstudio.schedules.domain.alerts_episodes import (
    EventKind,
    Mute,
    describe,
    evaluate,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TTFT = Rule(Metric.TTFT_P50, 0.2)


def _run(run_id: str, ttft: float, spread: float = 2.0, n: int = 40, **extra: object) -> RunSamples:
    rng = np.random.default_rng(abs(hash(run_id)) % 2**32)
    values = [float(v) for v in rng.normal(ttft, spread, n)]
    tps = [1000.0 / v for v in values]
    return RunSamples(
        run_id=run_id,
        ttft_ms=values,
        output_tps=tps,
        cost_usd=[0.001] * n,
        requests=n,
        **extra,  # type: ignore[arg-type]
    )


def _history(*ttfts: float) -> list[RunSamples]:
    return [_run(f"base-{i}", t) for i, t in enumerate(ttfts)]


def test_a_significant_change_beyond_the_threshold_regresses() -> None:
    finding = check(TTFT, Baseline(), _history(100, 101, 99), _run("new", 150))
    assert finding.significant and finding.beyond and finding.regressed
    assert finding.baseline is not None and 99 < finding.baseline < 102
    assert finding.p_value is not None and finding.p_value < 0.05


def test_a_significant_change_within_the_threshold_does_not() -> None:
    finding = check(TTFT, Baseline(), _history(100, 100), _run("new", 110, spread=1))
    assert finding.significant and not finding.beyond and not finding.regressed


def test_a_noisy_change_beyond_the_threshold_but_not_significant_does_not() -> None:
    # Medians 50 % apart, but a handful of very noisy requests: not significant.
    history = [RunSamples("base", ttft_ms=[40.0, 200.0, 90.0, 160.0], requests=4)]
    new = RunSamples("new", ttft_ms=[60.0, 230.0, 180.0, 200.0], requests=4)
    finding = check(TTFT, Baseline(), history, new)
    assert finding.beyond and not finding.significant and not finding.regressed
    evaluation = evaluate([TTFT], Baseline(), history, new, frozenset(), [], NOW)
    assert evaluation.events == ()


def test_improvements_never_regress_and_lower_is_worse_for_speed() -> None:
    faster = check(TTFT, Baseline(), _history(100, 100), _run("new", 50))
    assert faster.significant and not faster.beyond
    speed = check(Rule(Metric.OUTPUT_TPS, 0.2), Baseline(), _history(100), _run("new", 150))
    assert speed.regressed  # a slower TTFT here means fewer tokens per second


def test_absolute_threshold() -> None:
    rule = Rule(Metric.TTFT_P95, 30.0, ThresholdKind.ABSOLUTE)
    assert not check(rule, Baseline(), _history(100), _run("new", 120, spread=1)).beyond
    assert check(rule, Baseline(), _history(100), _run("new", 140, spread=1)).regressed


def test_proportions_use_the_interval_of_the_difference() -> None:
    rule = Rule(Metric.ERROR_RATE, 0.05, ThresholdKind.ABSOLUTE)
    base = [RunSamples("b", errors=2, requests=200)]
    assert check(rule, Baseline(), base, RunSamples("n", errors=40, requests=200)).regressed
    # 1 in 10 failing once more is beyond 5 points but far from significant.
    small = check(
        rule, Baseline(), [RunSamples("b", requests=10)], RunSamples("n", errors=1, requests=10)
    )
    assert small.beyond and not small.significant
    score = Rule(Metric.SCORE, 0.1)
    good = [RunSamples("b", passed=95, cases=100)]
    assert check(score, Baseline(), good, RunSamples("n", passed=60, cases=100)).regressed
    assert not check(score, Baseline(), good, RunSamples("n", passed=93, cases=100)).regressed


def test_rolling_baseline_is_the_median_of_the_last_n_unregressed_runs() -> None:
    history = [
        _run("r0", 300, regressed=frozenset({Metric.TTFT_P50})),
        _run("r1", 100),
        _run("r2", 102),
        _run("r3", 98),
        _run("r4", 500),
    ]
    runs = baseline_runs(Metric.TTFT_P50, Baseline(window=3), history)
    assert [r.run_id for r in runs] == ["r1", "r2", "r3"]
    finding = check(TTFT, Baseline(window=3), history, _run("new", 101))
    assert finding.baseline is not None and 99 < finding.baseline < 103 and not finding.beyond


def test_fixed_baseline_uses_only_that_run() -> None:
    history = _history(200, 100)
    fixed = Baseline(run_id="base-1")
    assert [r.run_id for r in baseline_runs(Metric.TTFT_P50, fixed, history)] == ["base-1"]
    assert check(TTFT, fixed, history, _run("new", 150)).regressed
    assert not check(TTFT, Baseline(run_id="base-0"), history, _run("new", 150)).beyond
    assert check(TTFT, Baseline(run_id="gone"), history, _run("new", 150)).baseline is None


def test_one_alert_per_episode_then_recovered() -> None:
    history = _history(100, 100, 100)
    first = evaluate([TTFT], Baseline(), history, _run("s1", 160), frozenset(), [], NOW)
    assert [e.kind for e in first.events] == [EventKind.REGRESSED]
    assert first.open_after == {Metric.TTFT_P50}
    second = evaluate([TTFT], Baseline(), history, _run("s2", 170), first.open_after, [], NOW)
    assert second.events == () and second.open_after == {Metric.TTFT_P50}
    # Beyond the threshold but not significant: the episode stays open, nothing is said.
    noisy = RunSamples("n", ttft_ms=[150.0, 30.0, 400.0], requests=3)
    third = evaluate([TTFT], Baseline(), history, noisy, second.open_after, [], NOW)
    assert third.events == () and third.open_after == {Metric.TTFT_P50}
    back = evaluate([TTFT], Baseline(), history, _run("g", 101), third.open_after, [], NOW)
    assert [e.kind for e in back.events] == [EventKind.RECOVERED]
    assert back.open_after == frozenset()
    title, body = describe(back.events[0], "Hourly")
    assert title == "Hourly: TTFT p50 recovered" and "ms" in body


def test_mute_holds_notices_back_until_its_time() -> None:
    history = _history(100, 100)
    mute = Mute(Metric.TTFT_P50, until=NOW + timedelta(hours=1))
    muted = evaluate([TTFT], Baseline(), history, _run("s", 160), frozenset(), [mute], NOW)
    assert [e.muted for e in muted.events] == [True]
    assert muted.open_after == {Metric.TTFT_P50}  # the episode is known: no alert on unmute
    later = NOW + timedelta(hours=2)
    after = evaluate([TTFT], Baseline(), history, _run("s2", 160), muted.open_after, [mute], later)
    assert after.events == ()
    fresh = evaluate([TTFT], Baseline(), history, _run("s3", 160), frozenset(), [mute], later)
    assert [e.muted for e in fresh.events] == [False]
    forever = Mute(Metric.TTFT_P50)
    assert forever.active(later + timedelta(days=365))
    other = Mute(Metric.COST)
    assert (
        not evaluate([TTFT], Baseline(), history, _run("s", 160), frozenset(), [other], NOW)
        .events[0]
        .muted
    )


def test_no_baseline_yet_means_no_verdict() -> None:
    evaluation = evaluate([TTFT], Baseline(), [], _run("first", 100), frozenset(), [], NOW)
    assert evaluation.events == () and not evaluation.findings[0].measured
