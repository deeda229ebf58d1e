"""What the jobs list calls a benchmark job and where its results are (the job type's
`describe` hook, wired by the composition root): the run's title, else its models, and the
run page. The job system below stays ignorant of runs (issue 17 bug 13)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from benchstudio.benchruns import repository
from benchstudio.jobs.domain import JobLabel, run_ids_of
from benchstudio.storage.service_context import ServiceContext


def _models(config: Mapping[str, Any] | None) -> str:
    targets = (config or {}).get("targets") or []
    names = [str(t.get("name") or t.get("model") or "") for t in targets if isinstance(t, dict)]
    return " vs ".join(n for n in names if n)


async def describe_benchmark_jobs(
    ctx: ServiceContext, jobs: Sequence[tuple[str, Mapping[str, Any]]]
) -> dict[str, JobLabel]:
    run_of = run_ids_of(jobs)
    if not run_of:
        return {}
    async with ctx.read() as session:
        runs = await repository.run_labels(session, set(run_of.values()))
    labels = {}
    for job_id, run_id in run_of.items():
        run = runs.get(run_id)
        if run is None:  # deleted: the job keeps its type's name and no link
            continue
        run_title, config = run
        models = _models(config)
        title = run_title or (f"Benchmark: {models}" if models else "Benchmark")
        labels[job_id] = JobLabel(title, f"/benchmarks/{run_id}")
    return labels
