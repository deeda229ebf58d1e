"""`benchstudio bench --server URL` and `bench resume JOB_ID --server URL`: a benchmark as a job
on a BenchStudio server, followed to its end.

A job that ends interrupted (its measuring process died, the server stopped) or failed is
reported with its reason and the requests it kept; an interrupted one with the command that
resumes it. Exit codes: 0 done, 130 cancelled, 1 interrupted, failed or a server error.
"""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from benchstudio.cli.bench_tables import print_results, report_diagnostics, write_outputs

if TYPE_CHECKING:
    from benchstudio.cli.server_client import ServerClient

EXIT_INTERRUPTED = 130
console = Console(stderr=True)


def _server_progress(event: dict[str, Any]) -> None:
    kind, data = event["type"], event.get("data") or {}
    if kind == "job_progress" and data.get("detail"):
        eta = data.get("eta_s")
        console.print(
            f"{data['percent']:.0f}%  {data['detail']}" + (f"  ETA {eta:.0f} s" if eta else "")
        )
    elif kind == "benchmark_aggregate":
        p50 = data.get("ttft_ms_p50")
        console.print(
            f"  {data['target']}: {data['requests']} requests, {data['errors']} errors, "
            f"TTFT p50 {'-' if p50 is None else f'{p50:.1f} ms'}"
        )
    elif kind in ("job_started", "job_completed", "job_failed", "job_cancelled", "job_interrupted"):
        console.print(kind.removeprefix("job_").replace("_", " "))


def _print_adjustments(preview: dict[str, Any]) -> None:
    for target in preview["targets"]:
        applied = target.get("parameter_set")
        if applied:
            values = ", ".join(f"{k}={v}" for k, v in applied["applied_params"].items()) or "none"
            overridden = ", ".join(applied["overridden"])
            console.print(
                f"{target['target']}: parameter set {applied['parameter_set_name']!r} applied "
                f"{values}" + (f" (explicit {overridden} won)" if overridden else "")
            )
        for item in target["adjustments"]:
            console.print(
                f"[yellow]{target['target']}:[/] {item['param']} {item['action']}: {item['reason']}"
            )


def _follow(client: ServerClient, job_id: str) -> dict[str, Any]:
    """Follow the job to its end; Ctrl-C asks the server to cancel it (stored rows stay)."""
    from benchstudio.cli.server_client import follow_job

    cancel = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: cancel.set())
    try:
        return follow_job(client, job_id, _server_progress, cancel=cancel)
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _report_unfinished(client: ServerClient, job: dict[str, Any], run_id: str, server: str) -> None:
    """An interrupted or failed job: why, what it kept, and whether and how to resume it."""
    run = client.run(run_id)
    reason = job.get("error") or run.get("error") or "no reason was recorded"
    console.print(f"[bold red]job {job['status']}:[/] {reason}")
    console.print(f"kept: {run.get('request_count') or 0} measured requests stored in run {run_id}")
    if job["status"] == "interrupted":
        console.print(
            f"resume it with: benchstudio bench resume {job['id']} --server {server} "
            "(finished steps are kept)"
        )
    else:
        console.print("a failed job cannot be resumed: fix the cause and start a new run")


def _conclude(
    client: ServerClient, job: dict[str, Any], run_id: str, options: dict[str, Any]
) -> None:
    status = job["status"]
    if status not in ("done", "cancelled"):
        _report_unfinished(client, job, run_id, options["server"])
        raise typer.Exit(1)
    result_data = client.results(run_id)
    print_results(result_data)
    report_diagnostics(result_data)
    write_outputs(result_data, options)
    if status == "cancelled":
        raise typer.Exit(EXIT_INTERRUPTED)


def run_on_server(options: dict[str, Any]) -> None:
    """Submit the benchmark as a job on a BenchStudio server and follow it to the end."""
    from benchstudio.cli.server_client import (
        ServerClient,
        ServerError,
        benchmark_body,
        token_from_env,
    )
    from benchstudio.speed.output import format_usd

    try:
        with ServerClient(options["server"], token_from_env()) as client:
            body = benchmark_body(client, options)
            if options["estimate"]:
                preview = client.preview(body)
                _print_adjustments(preview)
                cost = preview["cost_usd"]
                console.print(
                    f"{preview['requests']} requests, {preview['input_tokens']} input tokens, "
                    f"≤ {preview['output_tokens']} output tokens, cost "
                    + ("unknown" if cost is None else f"≤ {format_usd(cost)} USD")
                )
                return
            submitted = client.submit(body)
            _print_adjustments(submitted["preview"])
            job_id, run_id = submitted["job_id"], submitted["run_id"]
            console.print(f"submitted: run {run_id}, job {job_id} (Ctrl-C cancels it)")
            _conclude(client, _follow(client, job_id), run_id, options)
    except ServerError as exc:
        console.print(f"[bold red]server:[/] {exc}")
        raise typer.Exit(1) from None


def resume_on_server(job_id: str, options: dict[str, Any]) -> None:
    """Queue an interrupted benchmark job again and follow it to the end."""
    from benchstudio.cli.server_client import ServerClient, ServerError, token_from_env

    try:
        with ServerClient(options["server"], token_from_env()) as client:
            job = client.resume(job_id)
            run_id = str(job["params"].get("run_id") or "")
            if not run_id:
                raise ServerError("this job is not a benchmark")
            console.print(f"resumed: run {run_id}, job {job_id} (attempt {job['attempt'] + 1})")
            _conclude(client, _follow(client, job_id), run_id, options)
    except ServerError as exc:
        console.print(f"[bold red]server:[/] {exc}")
        raise typer.Exit(1) from None
