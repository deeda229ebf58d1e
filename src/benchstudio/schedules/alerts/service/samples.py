"""What a regression check reads, shared by the check itself (`checking`) and the trend
(`trend`) so both show the same figures: the saved rules as the domain's, a run's per-request
samples, a schedule's checked runs (newest first, with what each regressed on), and which of
those a baseline needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from benchstudio.benchruns.service.samples import request_samples
from benchstudio.evals.runs.service.samples import case_counts
from benchstudio.schedules.alerts.repository import Checked
from benchstudio.schedules.alerts.schemas import AlertRulesIn
from benchstudio.schedules.domain.alerts import Baseline, Metric, Rule, RunSamples, ThresholdKind
from benchstudio.storage.service_context import ServiceContext


def rules_of(config: AlertRulesIn) -> tuple[list[Rule], Baseline]:
    """The saved rules as the domain's rules and baseline."""
    rules = [Rule(Metric(r.metric), r.threshold, ThresholdKind(r.kind)) for r in config.rules]
    base = config.baseline
    fixed = base.run_id if base.kind == "fixed" else None
    return rules, Baseline(run_id=fixed, window=base.window)


async def run_samples(
    ctx: ServiceContext, kind: str, run_id: str, regressed: Sequence[str] = ()
) -> RunSamples:
    """One run's per-request values (an eval's case counts), as the owner's context reads them."""
    flagged = frozenset(Metric(m) for m in regressed)
    if kind == "eval":
        counts = await case_counts(ctx, run_id)
        return RunSamples(
            run_id,
            errors=counts.errors,
            requests=counts.cases,
            passed=counts.passed,
            cases=counts.cases,
            regressed=flagged,
        )
    found = await request_samples(ctx, run_id)
    if found is None:
        return RunSamples(run_id, regressed=flagged)
    return RunSamples(
        run_id,
        ttft_ms=found.ttft_ms,
        output_tps=found.output_tps,
        cost_usd=found.cost_usd,
        errors=found.errors,
        requests=found.requests,
        regressed=flagged,
    )


def baseline_needed(
    metrics: Iterable[Metric], baseline: Baseline, earlier: list[Checked]
) -> list[Checked]:
    """The earlier runs whose samples a rolling baseline can use, newest first: for each
    metric, its last `window` runs that did not regress on it (loading no more than that)."""
    if baseline.run_id is not None:
        return earlier
    counts = {metric.value: 0 for metric in metrics}
    needed = []
    for run_id, regressed in earlier:
        wanted = [m for m, n in counts.items() if m not in regressed and n < baseline.window]
        if wanted:
            needed.append((run_id, regressed))
            for metric in wanted:
                counts[metric] += 1
    return needed
