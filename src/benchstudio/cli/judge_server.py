"""`benchstudio judge … --server`: submit the job, follow its progress (Rich), fetch the report."""

from __future__ import annotations

import threading
from typing import Any

import typer
from rich.console import Console

EXIT_INVALID_INPUT = 1
EXIT_JOB_FAILED = 2


def submit_and_follow(
    server: str, path: str, body: dict[str, Any], console: Console
) -> dict[str, Any]:
    """POST the judge request, follow the job to its end, return the report detail (with its
    pairs or cases)."""
    from rich.progress import BarColumn, Progress, TextColumn

    from benchstudio.cli.server_client import ServerClient, ServerError, follow_job, token_from_env

    payload = {k: v for k, v in body.items() if v is not None}
    cancel = threading.Event()
    try:
        with ServerClient(server, token_from_env()) as client:
            submitted = client._call("POST", path, json=payload)
            report_id, job_id = submitted["report_id"], submitted["job_id"]
            with Progress(
                TextColumn("judging"),
                BarColumn(),
                TextColumn("{task.description}"),
                console=console,
            ) as progress:
                task = progress.add_task("", total=100)

                def on_event(event: dict[str, Any]) -> None:
                    data = event.get("data") or {}
                    if event.get("type") == "job_progress":
                        progress.update(
                            task,
                            completed=float(data.get("percent") or 0),
                            description=str(data.get("detail") or ""),
                        )

                try:
                    job = follow_job(client, job_id, on_event, cancel=cancel)
                except KeyboardInterrupt:
                    cancel.set()
                    follow_job(client, job_id, on_event, cancel=cancel)
                    raise typer.Exit(130) from None
            report: dict[str, Any] = client._call("GET", f"/api/judge/reports/{report_id}")
            kind = report.get("kind")
            if kind == "comparative":
                report["pairs"] = client._call("GET", f"/api/judge/reports/{report_id}/pairs")
            elif kind == "cases":
                report["cases"] = client._call("GET", f"/api/judge/reports/{report_id}/cases")
    except ServerError as exc:
        console.print(f"[bold red]server:[/] {exc}")
        raise typer.Exit(EXIT_INVALID_INPUT) from None
    if job["status"] == "failed":
        console.print(f"[bold red]The judge job failed:[/] {job.get('error')}")
        raise typer.Exit(EXIT_JOB_FAILED)
    report["summary"] = (
        report.get("comparative") or report.get("cross_case") or report.get("cases_summary")
    )
    return report
