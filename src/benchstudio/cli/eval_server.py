"""Eval runs on a BenchStudio server from the CLI (`eval run --server URL --experiment ID`,
`experiment rerun-best`): submit, follow the `tool_eval` job with a progress bar per target
(Ctrl-C asks the server to cancel; finished cases are kept), read the finished run.

The server scores; the CLI only shows its figures (pass rates and their intervals come from the
run's summaries, which the stats module computed there).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from benchstudio.cli.server_client import ServerClient, ServerError, follow_job

EXIT_REFUSED = 1
EXIT_JOB_FAILED = 2
EXIT_CANCELLED = 130
CASE_EVENT = "eval_case_result"


def _per_target_total(run: dict[str, Any]) -> int | None:
    """The run's cases per target (`total_cases` counts every target's cases)."""
    targets = len(run.get("models") or [])
    return run["total_cases"] // targets if targets and run.get("total_cases") else None


def follow_eval(
    client: ServerClient, submitted: dict[str, Any], console: Console
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Follow a submitted run's job to its end with a bar per target; (job, run detail)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    run, job_id = submitted["run"], submitted["job_id"]
    for warning in submitted.get("warnings") or []:
        console.print(f"[yellow]Warning: {escape(str(warning.get('message', '')))}[/]")
    per_target = _per_target_total(run)
    cancel = threading.Event()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[passed]} passed · {task.fields[errors]} API errors"),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        tasks: dict[str, Any] = {}
        tallies: dict[str, list[int]] = {}

        def on_event(event: dict[str, Any]) -> None:
            if event.get("type") != CASE_EVENT:
                return
            data = event.get("data") or {}
            label = str(data.get("target", ""))
            if label not in tasks:
                tasks[label] = progress.add_task(
                    escape(label), total=per_target, passed=0, errors=0
                )
                tallies[label] = [0, 0]
            tally = tallies[label]
            tally[0] += bool(data.get("pass"))
            tally[1] += data.get("error_category") == "api_error"
            progress.update(tasks[label], advance=1, passed=tally[0], errors=tally[1])

        try:
            job = follow_job(client, job_id, on_event, cancel=cancel)
        except KeyboardInterrupt:
            cancel.set()
            follow_job(client, job_id, on_event, cancel=cancel)
            console.print("[yellow]Cancelled; finished cases were kept on the server.[/]")
            raise typer.Exit(EXIT_CANCELLED) from None
    return job, client.eval_run(run["id"])


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def print_run(detail: dict[str, Any], console: Console) -> None:
    """The finished run's pass rate per target, with its 95% interval."""
    table = Table(
        title=f"eval run {detail['id']} · {escape(detail['suite_name'])} "
        f"v{detail['suite_version']} · profile {detail['profile']} · {detail['status']}"
    )
    for name, justify in (("target", "left"), ("passed", "right"), ("pass rate", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_column("95% CI", justify="right")
    for label, summary in (detail.get("summaries") or {}).items():
        rate = summary["pass_rate"]
        ci = rate.get("ci95")
        span = f"{_percent(ci[0])}–{_percent(ci[1])}" if ci else "–"
        table.add_row(
            escape(label), f"{rate['successes']}/{rate['total']}", _percent(rate["rate"]), span
        )
    console.print(table)


def job_failed(job: dict[str, Any], console: Console) -> bool:
    """Say why a job did not finish; True when it did not."""
    if job["status"] == "done":
        return False
    reason = f": {escape(str(job['error']))}" if job.get("error") else ""
    console.print(f"[bold red]The eval job ended {job['status']}[/]{reason}")
    return True


@dataclass(frozen=True, slots=True)
class ExperimentRunOptions:
    """`eval run --server URL --experiment ID`: the run's settings; the suite, its version and
    the targets come from the experiment (`--model` picks some of its models)."""

    experiment_id: str
    models: list[str] = field(default_factory=list)
    profile: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    tool_choice: str | None = None
    system_prompt: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    parameter_set: str | None = None
    concurrency: int | None = None
    timeout_s: float = 120.0
    output: Path | None = None


def _targets(experiment: dict[str, Any], wanted: list[str]) -> list[dict[str, Any]]:
    models = experiment["models"]
    if wanted:
        picked = [m for m in models if m["label"] in wanted or m["model_id"] in wanted]
        known = {m["label"] for m in models} | {m["model_id"] for m in models}
        unknown = [w for w in wanted if w not in known]
        if unknown:
            names = ", ".join(m["label"] for m in models)
            raise ServerError(f"the experiment has no model {unknown[0]!r} (its models: {names})")
        models = picked
    return [
        {"provider_id": m["provider_id"], "model_id": m["model_id"], "label": m["label"]}
        for m in models
    ]


def experiment_eval_body(
    client: ServerClient, experiment: dict[str, Any], options: ExperimentRunOptions
) -> dict[str, Any]:
    """The `POST /api/evals` body: the experiment's suite version, profile and models, filed
    under it, with the run settings given on the command line."""
    targets = _targets(experiment, options.models)
    if options.parameter_set:
        set_id = str(client.resolve_parameter_set(options.parameter_set)["id"])
        for target in targets:
            target["parameter_set_id"] = set_id
    body: dict[str, Any] = {
        "experiment_id": experiment["id"],
        "suite_id": experiment["suite_id"],
        "suite_version": experiment["suite_version"],
        "profile": options.profile or experiment["profile"],
        "targets": targets,
        "timeout_s": options.timeout_s,
        "params": options.params,
    }
    for name in ("temperature", "max_tokens", "tool_choice", "system_prompt", "concurrency"):
        if getattr(options, name) is not None:
            body[name] = getattr(options, name)
    return body


def run_in_experiment(
    server: str, options: ExperimentRunOptions, console: Console, err_console: Console
) -> int:
    """Start the run under the experiment, follow it, print its scores and the experiment's
    baseline and best afterwards; the exit code."""
    from benchstudio.cli import experiment_view
    from benchstudio.cli.server_client import token_from_env

    with ServerClient(server, token_from_env()) as client:
        experiment = client.experiment_action("GET", options.experiment_id)
        body = experiment_eval_body(client, experiment, options)
        if body["profile"] != experiment["profile"]:
            err_console.print(
                f"[yellow]Profile {body['profile']}: this experiment uses "
                f"{experiment['profile']}, so the run is shown apart (never baseline or best).[/]"
            )
        submitted = client.submit_eval(body)
        err_console.print(
            f"Eval run {submitted['run']['id']} filed under experiment "
            f"{escape(experiment['name'])} ({experiment['id']})"
        )
        job, run = follow_eval(client, submitted, err_console)
        print_run(run, console)
        experiment_view.print_cards(client.experiment_action("GET", experiment["id"]), console)
        if options.output is not None:
            exported = json.dumps(client.eval_export(run["id"]), indent=2, ensure_ascii=False)
            options.output.write_text(exported + "\n", encoding="utf-8")
            console.print(f"Results written to {options.output}")
    return EXIT_JOB_FAILED if job_failed(job, err_console) else 0


def run_experiment_command(
    server: str | None,
    options: ExperimentRunOptions,
    local: tuple[object, ...],
    console: Console,
    err_console: Console,
) -> None:
    """`eval run --experiment`: refuse what only a local run takes, then run on the server.
    Exit 1 for a refusal (here or the server's), 2 when the job did not finish."""
    from benchstudio.toolcall.profiles import ProfileName

    refusal = None
    if not server:
        refusal = "--experiment needs --server[/] (experiments live there)"
    elif any(local):
        refusal = (
            "--experiment runs the server's suite and providers:[/] drop --suite, --base-url, "
            "--api-key-env and --verdicts"
        )
    elif options.profile is not None and options.profile not in {p.value for p in ProfileName}:
        refusal = f"Unknown profile[/] {options.profile!r}; use bfcl, strict or lenient"
    if refusal or not server:
        err_console.print(f"[bold red]{refusal}")
        raise typer.Exit(EXIT_REFUSED)
    try:
        code = run_in_experiment(server, options, console, err_console)
    except ServerError as exc:
        err_console.print(f"[bold red]server:[/] {exc}")
        raise typer.Exit(EXIT_REFUSED) from None
    if code:
        raise typer.Exit(code)
