"""Regression episodes: one alert when a metric starts regressing, nothing more while it stays
regressed, and one "recovered" notice when it is back within its threshold.

An open episode closes only on a run that is within the threshold; a run beyond the threshold
but not significant (or not measured) leaves the episode as it is, so noise neither alerts nor
recovers. A muted metric (until a time, or until unmuted) still opens and closes its episodes,
so unmuting does not alert about a regression that was already known; only the notices are
held back. Pure: `now` is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from benchstudio.schedules.domain.alerts import (
    Baseline,
    Finding,
    Metric,
    Rule,
    RunSamples,
    check,
)


class EventKind(StrEnum):
    REGRESSED = "regressed"
    RECOVERED = "recovered"


@dataclass(frozen=True, slots=True)
class Mute:
    """A metric's notices held back, until `until` (None: until unmuted)."""

    metric: Metric
    until: datetime | None = None

    def active(self, now: datetime) -> bool:
        return self.until is None or now < self.until


@dataclass(frozen=True, slots=True)
class Event:
    """An episode opened (regressed) or closed (recovered) by the new run."""

    kind: EventKind
    finding: Finding
    muted: bool


@dataclass(frozen=True, slots=True)
class Evaluation:
    findings: tuple[Finding, ...]
    events: tuple[Event, ...]
    open_after: frozenset[Metric]  # metrics with an open episode after this run

    @property
    def regressed(self) -> frozenset[Metric]:
        return frozenset(f.metric for f in self.findings if f.regressed)


def is_muted(metric: Metric, mutes: Sequence[Mute], now: datetime) -> bool:
    return any(m.metric is metric and m.active(now) for m in mutes)


def evaluate(
    rules: Sequence[Rule],
    baseline: Baseline,
    history: Sequence[RunSamples],
    new: RunSamples,
    open_episodes: frozenset[Metric],
    mutes: Sequence[Mute],
    now: datetime,
) -> Evaluation:
    """Check every rule on `new` (`history` newest first, without `new`) and say which episodes
    open and close. Metrics without a rule close their episode silently."""
    findings: list[Finding] = []
    events: list[Event] = []
    still_open: set[Metric] = set()
    for rule in rules:
        finding = check(rule, baseline, history, new)
        findings.append(finding)
        was_open = rule.metric in open_episodes
        muted = is_muted(rule.metric, mutes, now)
        if finding.regressed:
            still_open.add(rule.metric)
            if not was_open:
                events.append(Event(EventKind.REGRESSED, finding, muted))
        elif was_open and finding.measured and not finding.beyond:
            events.append(Event(EventKind.RECOVERED, finding, muted))
        elif was_open:
            still_open.add(rule.metric)
    return Evaluation(tuple(findings), tuple(events), frozenset(still_open))


def describe(event: Event, schedule_name: str) -> tuple[str, str]:
    """A notice's title and body, in words."""
    finding = event.finding
    metric = _LABELS[finding.metric]
    value, base = _shown(finding.metric, finding.value), _shown(finding.metric, finding.baseline)
    if event.kind is EventKind.REGRESSED:
        title = f"{schedule_name}: {metric} regressed"
        body = f"{metric} is {value}, against a baseline of {base}."
        if finding.p_value is not None:
            body += f" The change is significant (p = {finding.p_value:.3g})."
        else:
            body += " The change is significant (95 % interval of the difference)."
        return title, body
    return f"{schedule_name}: {metric} recovered", f"{metric} is back to {value} (baseline {base})."


_LABELS: Mapping[Metric, str] = {
    Metric.TTFT_P50: "TTFT p50",
    Metric.TTFT_P95: "TTFT p95",
    Metric.OUTPUT_TPS: "Output tokens/s",
    Metric.ERROR_RATE: "Error rate",
    Metric.COST: "Cost per request",
    Metric.SCORE: "Tool-eval score",
}


def _shown(metric: Metric, value: float | None) -> str:
    if value is None:
        return "unmeasured"
    if metric in (Metric.ERROR_RATE, Metric.SCORE):
        return f"{value * 100:.1f} %"
    if metric is Metric.COST:
        return f"${value:.6f}"
    if metric is Metric.OUTPUT_TPS:
        return f"{value:.1f} tokens/s"
    return f"{value:.1f} ms"
