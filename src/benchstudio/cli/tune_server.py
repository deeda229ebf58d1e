"""`benchstudio tune --server URL`: the study as a `tune` job on a BenchStudio server.

The CLI sends the suite, provider and model (and a judge objective's catalog model) by name or
id (`POST /api/tuning/estimate` first: the space as it will run and what the budget allows are
shown before the start), submits the run (`POST /api/tuning/runs`), follows the job's events
with a progress bar (Ctrl-C asks the server to cancel; finished trials are kept), then reads
the results (`GET /api/tuning/runs/{id}`) and prints and writes them like a local study.

`tune resume JOB_ID --server URL` queues an interrupted tune job again (the server refuses
others, saying why): the study continues from its stored trials (numbering too) and is
followed the same way.

Exit codes: 0 done, 1 the server refused, the job failed or was interrupted (resume it), or no
trial completed, 130 cancelled.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from benchstudio.cli.server_client import ServerClient, ServerError, follow_job, token_from_env
from benchstudio.cli.tune_results import server_results
from benchstudio.cli.tune_view import KIND_LABELS, finish, percent, point_text, print_estimate

if TYPE_CHECKING:
    from benchstudio.cli.tune_options import TuneOptions

EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


def run_body(client: ServerClient, options: TuneOptions) -> dict[str, Any]:
    """The `TunerRunCreate` body: names resolved to ids, the same sections a local study uses."""
    assert options.suite is not None and options.provider is not None
    assert options.model is not None
    target: dict[str, Any] = {
        "provider_id": client.resolve_provider(options.provider),
        "model_id": options.model,
        "params": dict(options.fixed),
    }
    if options.system_prompt is not None:
        target["system_prompt"] = options.system_prompt
    body: dict[str, Any] = {
        "suite_id": client.resolve_suite(options.suite),
        "profile": options.profile,
        "target": target,
        "space": options.space.model_dump(mode="json", exclude_none=True),
        **options.settings,
        "timeout_s": options.timeout_s,
    }
    if options.judge_ref is not None:
        body["objective"] = {
            **body["objective"],
            "judge_model_ref_id": client.resolve_model(options.judge_ref),
        }
    for key, value in (
        ("name", options.name),
        ("vendor_preset_id", options.vendor_preset),
        ("concurrency", options.concurrency),
    ):
        if value is not None:
            body[key] = value
    return body


def _follow(client: ServerClient, job_id: str, planned: int, console: Console) -> dict[str, Any]:
    """Follow the job to its end with a bar over the planned trials; Ctrl-C cancels it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    cancel = threading.Event()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("submitted", total=planned, detail="")

        def on_event(event: dict[str, Any]) -> None:
            kind, data = event.get("type"), event.get("data") or {}
            if kind == "tuner_trial_started":
                text = point_text(data.get("point") or {})
                progress.update(task, description=f"trial {data.get('number')} · {text}")
            elif kind == "tuner_trial":
                trial = data.get("trial") or {}
                kind = KIND_LABELS.get(str(trial.get("kind")), trial.get("kind"))
                progress.console.print(
                    f"  trial {trial.get('number')} ({kind}) {trial.get('state')}: "
                    f"{percent(trial.get('score'))} · "
                    f"{point_text(trial.get('effective') or trial.get('point') or {})}"
                )
                progress.advance(task)
            elif kind == "job_progress" and data.get("detail"):
                progress.update(task, detail=escape(str(data["detail"])))

        signal.signal(signal.SIGINT, lambda *_: cancel.set())
        try:
            return follow_job(client, job_id, on_event, cancel=cancel)
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _judge_of(client: ServerClient, run: dict[str, Any]) -> dict[str, Any] | None:
    """The judge model of a judge objective, named as a local study names its judge."""
    objective = run.get("objective") or {}
    ref = objective.get("judge_model_ref_id")
    if objective.get("source") != "judge" or not ref:
        return None
    described: dict[str, Any] = {
        "model": None, "name": None, "model_ref_id": ref, "base_url": None, "protocol": None,
    }  # fmt: skip
    try:
        model = client.model(str(ref))
        provider = next(p for p in client.providers() if p["id"] == model["provider_id"])
    except (ServerError, StopIteration):
        return described  # deleted since: its id is all there is
    described.update(
        model=model["model_id"],
        name=model["display_name"],
        base_url=provider.get("base_url"),
        protocol=provider.get("protocol"),
    )
    return described


def _conclude(
    client: ServerClient,
    job: dict[str, Any],
    run_id: str,
    server: str,
    output: Path | None,
    consoles: tuple[Console, Console],
) -> int:
    """Read the run's results, print and write them; the exit code for the job's end. A
    cancelled study ends its job interrupted, so that resuming continues it."""
    console, err = consoles
    detail = client.tuning_action("GET", f"/runs/{run_id}")
    data = server_results(detail, _judge_of(client, detail["run"]))
    code = finish(data, output, console)
    resume = f"resume it with: benchstudio tune resume {job['id']} --server {server}"
    if data["stop_reason"] == "cancelled" or job["status"] == "cancelled":
        err.print(f"[yellow]Cancelled; the finished trials were kept.[/] {resume}")
        return EXIT_INTERRUPTED
    if job["status"] in ("failed", "interrupted"):
        reason = job.get("error") or data["run"].get("error") or "no reason was recorded"
        err.print(f"[bold red]The tune job ended {job['status']}:[/] {escape(str(reason))}")
        if job["status"] == "interrupted":
            err.print(resume)
        return EXIT_FAILED
    return code


def _tune(client: ServerClient, options: TuneOptions, console: Console, err: Console) -> int:
    body = run_body(client, options)
    estimate = client.tuning_action("POST", "/estimate", json=body)
    print_estimate(estimate, err)
    submitted = client.tuning_action("POST", "/runs", json=body)
    run_id, job_id = submitted["run"]["id"], submitted["job_id"]
    err.print(f"submitted: tuner run {run_id}, job {job_id} (Ctrl-C cancels it)")
    job = _follow(client, job_id, int(estimate["planned_trials"]), err)
    assert options.server is not None
    return _conclude(client, job, run_id, options.server, options.output, (console, err))


def tune_on_server(options: TuneOptions, console: Console, err_console: Console) -> int:
    assert options.server is not None
    try:
        with ServerClient(options.server, token_from_env()) as client:
            return _tune(client, options, console, err_console)
    except ServerError as exc:
        err_console.print(f"[bold red]server:[/] {escape(str(exc))}")
        return EXIT_FAILED


def resume_on_server(
    job_id: str, server: str, output: Path | None, console: Console, err_console: Console
) -> int:
    """Queue a stopped tune job again and follow it to its end."""
    try:
        with ServerClient(server, token_from_env()) as client:
            job = client.resume(job_id)
            run_id = str((job.get("params") or {}).get("run_id") or "")
            if job.get("type") != "tune" or not run_id:
                raise ServerError("this job is not a tune job")
            run = client.tuning_action("GET", f"/runs/{run_id}")["run"]
            planned = int((run.get("estimate") or {}).get("planned_trials") or 0)
            err_console.print(f"resumed: tuner run {run_id}, job {job_id} (Ctrl-C cancels it)")
            job = _follow(client, job_id, planned or run["trials_done"], err_console)
            return _conclude(client, job, run_id, server, output, (console, err_console))
    except ServerError as exc:
        err_console.print(f"[bold red]server:[/] {escape(str(exc))}")
        return EXIT_FAILED
