"""`benchstudio judge run|compare|report`: LLM-as-judge over eval exports, offline or on a server.

Offline, the inputs are eval export files (`GET /api/evals/{id}/export?format=json`, or
`eval run --output`) and the judge is an endpoint given on the command line, like `eval run`.
With `--server` the job runs there: the command submits it, follows its progress and prints
the report. `--output FILE` writes the result as JSON either way.

Exit codes: 0 done, 1 unreadable or refused input, 2 the server's job failed, 130 cancelled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from benchstudio.cli import judge_offline, judge_server

app = typer.Typer(help="LLM-as-judge: per-case verdicts, comparisons, cross-case reports.")
console = Console()
err_console = Console(stderr=True)

EXIT_INVALID_INPUT = 1

_BASE_URL = typer.Option(
    None, "--judge-base-url", help="Judge endpoint (offline), e.g. http://host:8000/v1."
)
_MODEL = typer.Option(None, "--judge-model", help="Judge model name (offline).")
_PROTOCOL = typer.Option("openai", "--judge-protocol", help="openai | anthropic | gemini")
_KEY_ENV = typer.Option(None, "--judge-api-key-env", help="Variable holding the judge's API key.")
_WINDOW = typer.Option(None, "--judge-context-window", min=256, help="The judge's window (tokens).")
_PROMPT = typer.Option(
    None, "--prompt", exists=True, dir_okay=False, help="Prompt body file (default: the built-in)."
)
_SERVER = typer.Option(None, "--server", help="Run on a BenchStudio server (BENCHSTUDIO_TOKEN).")
_JUDGE_REF = typer.Option(
    None, "--judge-model-id", help="Catalog model id of the judge (--server)."
)
_OUTPUT = typer.Option(None, "--output", dir_okay=False, help="Write the result as JSON.")
_BUDGET = typer.Option(None, "--budget", min=0.0, help="Stop once the judge has cost this (USD).")


@dataclass(frozen=True, slots=True)
class JudgeFlags:
    """The options every judge command shares: the judge offline or the server's job."""

    base_url: str | None
    model: str | None
    protocol: str
    key_env: str | None
    window: int | None
    server: str | None
    judge_ref: str | None
    budget: float | None
    output: Path | None

    def spec(self) -> judge_offline.JudgeSpec:
        """The offline judge; exits 1 without an endpoint and a model, or with a key variable
        that is not set."""
        import os

        if not self.base_url or not self.model:
            err_console.print(
                "[bold red]Offline judging needs --judge-base-url and --judge-model[/]"
            )
            raise typer.Exit(EXIT_INVALID_INPUT)
        api_key = os.environ.get(self.key_env) if self.key_env else None
        if self.key_env and not api_key:
            err_console.print(f"[bold red]Environment variable {self.key_env} is not set[/]")
            raise typer.Exit(EXIT_INVALID_INPUT)
        return judge_offline.JudgeSpec(
            self.base_url, self.model, self.protocol, api_key, self.window
        )


@dataclass(frozen=True, slots=True)
class ServerJob:
    """What a command submits with --server: the endpoint, its body, the targets it needs."""

    path: str
    body: dict[str, Any]
    required: dict[str, str | None]


def _execute(
    flags: JudgeFlags,
    job: ServerJob,
    offline: Callable[[judge_offline.JudgeSpec], dict[str, Any]],
    show: Callable[[dict[str, Any], Console], None],
) -> None:
    """Judge on the server (submit, follow, fetch) or offline, then print and write."""
    if flags.server:
        _need_server_args(flags.judge_ref, **job.required)
        body = {**job.body, "judge_model_ref_id": flags.judge_ref, "budget_usd": flags.budget}
        result = judge_server.submit_and_follow(flags.server, job.path, body, err_console)
    else:
        result = offline(flags.spec())
    show(result, console)
    _write(result, flags.output)


def _need_server_args(judge_ref: str | None, **targets: str | None) -> None:
    missing = [f"--{name.replace('_', '-')}" for name, v in targets.items() if not v]
    if not judge_ref:
        missing.append("--judge-model-id")
    if missing:
        err_console.print(f"[bold red]With --server, give {', '.join(missing)}[/]")
        raise typer.Exit(EXIT_INVALID_INPUT)


def _write(result: dict[str, Any], output: Path | None) -> None:
    if output is not None:
        output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(f"Written to {output}")


@app.command("compare")
def compare_command(
    first: str = typer.Argument(
        ..., help="Export file of result A (offline) or run id (--server)."
    ),
    second: str | None = typer.Argument(None, help="Result B's export or run id (default: A's)."),
    target_a: str | None = typer.Option(None, "--target-a", help="A's target label."),
    target_b: str | None = typer.Option(None, "--target-b", help="B's target label."),
    base_url: str | None = _BASE_URL,
    model: str | None = _MODEL,
    protocol: str = _PROTOCOL,
    key_env: str | None = _KEY_ENV,
    window: int | None = _WINDOW,
    prompt: Path | None = _PROMPT,
    server: str | None = _SERVER,
    judge_ref: str | None = _JUDGE_REF,
    budget: float | None = _BUDGET,
    output: Path | None = _OUTPUT,
) -> None:
    """Compare two results of the same suite version, each case judged in both orders."""
    flags = JudgeFlags(
        base_url, model, protocol, key_env, window, server, judge_ref, budget, output
    )
    job = ServerJob(
        "/api/judge/comparisons",
        {
            "a": {"eval_run_id": first, "target": target_a},
            "b": {"eval_run_id": second or first, "target": target_b},
        },
        {"target_a": target_a, "target_b": target_b},
    )
    second_path = Path(second) if second else None
    _execute(
        flags,
        job,
        lambda spec: judge_offline.compare(
            spec, Path(first), second_path, target_a, target_b, prompt, err_console
        ),
        judge_offline.print_comparison,
    )


@app.command("run")
def run_command(
    source: str = typer.Argument(..., help="Eval export file (offline) or eval run id (--server)."),
    target: str | None = typer.Option(
        None, "--target", help="Target label (if the run has several)."
    ),
    scope: str = typer.Option("all", "--scope", help="all | failed | category"),
    category: str | None = typer.Option(None, "--category"),
    show_automated: bool = typer.Option(
        False, "--show-automated", help="Show the judge the automated verdict."
    ),
    base_url: str | None = _BASE_URL,
    model: str | None = _MODEL,
    protocol: str = _PROTOCOL,
    key_env: str | None = _KEY_ENV,
    window: int | None = _WINDOW,
    prompt: Path | None = _PROMPT,
    server: str | None = _SERVER,
    judge_ref: str | None = _JUDGE_REF,
    budget: float | None = _BUDGET,
    output: Path | None = _OUTPUT,
) -> None:
    """Judge a result's cases: score, verdict, tool and argument assessments, agreement."""
    if scope not in ("all", "failed", "category") or (scope == "category") != bool(category):
        err_console.print("[bold red]--scope category needs --category (and only it does)[/]")
        raise typer.Exit(EXIT_INVALID_INPUT)
    flags = JudgeFlags(
        base_url, model, protocol, key_env, window, server, judge_ref, budget, output
    )
    body = {"eval_run_id": source, "target": target, "scope": scope, "category": category}
    job = ServerJob(
        "/api/judge/runs", {**body, "show_automated": show_automated}, {"target": target}
    )
    _execute(
        flags,
        job,
        lambda spec: judge_offline.judge_cases(
            spec, Path(source), target, scope, category, show_automated, prompt, err_console
        ),
        judge_offline.print_cases,
    )


@app.command("report")
def report_command(
    source: str = typer.Argument(..., help="Eval export file (offline) or eval run id (--server)."),
    target: str | None = typer.Option(
        None, "--target", help="Target label (if the run has several)."
    ),
    judged: Path | None = typer.Option(
        None,
        "--judged",
        exists=True,
        dir_okay=False,
        help="Offline: `judge run --output` of this result (else its cases are judged first).",
    ),
    verdict_prompt: Path | None = typer.Option(
        None, "--verdict-prompt", exists=True, dir_okay=False
    ),
    base_url: str | None = _BASE_URL,
    model: str | None = _MODEL,
    protocol: str = _PROTOCOL,
    key_env: str | None = _KEY_ENV,
    window: int | None = _WINDOW,
    prompt: Path | None = _PROMPT,
    server: str | None = _SERVER,
    judge_ref: str | None = _JUDGE_REF,
    budget: float | None = _BUDGET,
    output: Path | None = _OUTPUT,
) -> None:
    """A cross-case report: measured grade, strengths, weaknesses, patterns, recommendations."""
    flags = JudgeFlags(
        base_url, model, protocol, key_env, window, server, judge_ref, budget, output
    )
    body = {"eval_run_id": source, "target": target}
    _execute(
        flags,
        ServerJob("/api/judge/reports", body, {"target": target}),
        lambda spec: judge_offline.cross_case(
            spec, Path(source), target, judged, verdict_prompt, prompt, err_console
        ),
        judge_offline.print_report,
    )
