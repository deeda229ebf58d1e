"""What the jobs list calls a tool-calling eval job and where its results are (the job type's
`describe` hook, wired by the composition root): the suite and its version, and the run page
(issue 17 bug 13)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from benchstudio.evals.runs import repository
from benchstudio.jobs.domain import JobLabel, run_ids_of
from benchstudio.storage.service_context import ServiceContext


async def describe_eval_jobs(
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
        if run is not None:
            suite_name, suite_version = run
            title = f"Eval: {suite_name} v{suite_version}"
            labels[job_id] = JobLabel(title, f"/tool-eval/runs/{run_id}")
    return labels
