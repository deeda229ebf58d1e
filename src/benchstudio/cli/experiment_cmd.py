"""`benchstudio experiment`: experiments of your account on a BenchStudio server (token from
BENCHSTUDIO_TOKEN): create, list, show, file/unfile runs, choose the baseline, re-run the best,
delete.

An experiment groups runs around one suite version and scoring profile (its scale); the server
picks the baseline (the first finished run, or the one you chose) and the best so far, and
compares them with the stats module. `rerun-best` starts a new eval with the best result's
configuration, follows it with a progress bar and prints its score against the best
(`--no-wait` returns once it is queued). Runs start under an experiment with
`benchstudio eval run --server URL --experiment ID`.

Exit codes: 0 done, 1 the server refused (not found, off scale, no best yet, already filed
elsewhere) or could not be reached, 2 the re-run's job failed or was cancelled on the server,
or a deletion was not confirmed, 130 Ctrl-C (the server cancels the re-run, keeping its
finished cases). `--output json` prints the server's answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

import typer
from rich.console import Console

from benchstudio.cli import eval_server, experiment_view

app = typer.Typer(
    help="Experiments: runs grouped around a suite, with a baseline and the best so far.",
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True)

EXIT_REFUSED = 1
EXIT_NOT_CONFIRMED = 2
OutputFormat = Literal["text", "json"]
SERVER_OPTION = typer.Option(..., help="BenchStudio server URL (token from BENCHSTUDIO_TOKEN).")
OUTPUT_OPTION = typer.Option("text", "--output", help="text | json")
ID_ARGUMENT = typer.Argument(..., help="The experiment's id (shown in its URL).")
EVAL_OPTION = typer.Option(None, "--eval", help="An eval run's id.")
JUDGE_OPTION = typer.Option(None, "--judge", help="A judge report's id.")


def _on_server(server: str, action: Callable[[Any], Any]) -> Any:
    from benchstudio.cli.server_client import ServerClient, ServerError, token_from_env

    try:
        with ServerClient(server, token_from_env()) as client:
            return action(client)
    except ServerError as exc:
        err_console.print(f"[bold red]server:[/] {exc}")
        raise typer.Exit(EXIT_REFUSED) from None


def _json(value: Any) -> None:
    console.print_json(json.dumps(value))


def _fail(message: str) -> None:
    err_console.print(f"[bold red]{message}[/]")
    raise typer.Exit(EXIT_REFUSED)


def _model(spec: str) -> tuple[str, dict[str, str]]:
    """`PROVIDER=MODEL[=LABEL]`: the provider (name or id) and the model entry."""
    provider, sep, rest = spec.partition("=")
    model, _, label = rest.partition("=")
    if not sep or not provider.strip() or not model.strip():
        raise typer.BadParameter(
            f"write PROVIDER=MODEL[=LABEL], got {spec!r}", param_hint="--model"
        )
    entry = {"model_id": model.strip()}
    if label.strip():
        entry["label"] = label.strip()
    return provider.strip(), entry


@app.command("create")
def create_command(
    name: str = typer.Option(..., "--name", help="The experiment's name."),
    suite: str = typer.Option(..., "--suite", help="The suite (id, or its name)."),
    model: list[str] = typer.Option(
        ..., "--model", help="PROVIDER=MODEL[=LABEL] (provider name or id); repeat for more."
    ),
    suite_version: int | None = typer.Option(
        None, "--suite-version", min=1, help="The suite version to hold (default: its current)."
    ),
    profile: str = typer.Option(
        "lenient", "--profile", help="Scoring profile: bfcl | strict | lenient"
    ),
    description: str = typer.Option("", "--description", help="What the experiment tries."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Create an experiment: one suite at one version, a scoring profile and target models."""
    specs = [_model(spec) for spec in model]

    def create(client: Any) -> Any:
        models = [{"provider_id": client.resolve_provider(p), **m} for p, m in specs]
        body: dict[str, Any] = {
            "name": name,
            "description": description,
            "suite_id": client.resolve_suite(suite),
            "profile": profile,
            "models": models,
        }
        if suite_version is not None:
            body["suite_version"] = suite_version
        return client.experiment_action("POST", None, json=body)

    created = _on_server(server, create)
    _json(created) if output == "json" else experiment_view.print_header(
        created, console, "Created"
    )


@app.command("list")
def list_command(
    query: str | None = typer.Option(None, "--query", "-q", help="Words in name or description."),
    suite: str | None = typer.Option(None, "--suite", help="Only experiments on this suite (id)."),
    archived: bool = typer.Option(False, "--archived", help="Include archived experiments."),
    limit: int = typer.Option(50, "--limit", min=1, max=200),
    offset: int = typer.Option(0, "--offset", min=0),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """List your experiments with their baseline and best scores."""
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    params |= {k: v for k, v in (("q", query), ("suite_id", suite)) if v}
    if archived:
        params["include_archived"] = "true"
    page = _on_server(server, lambda c: c.experiment_action("GET", None, params=params))
    _json(page) if output == "json" else experiment_view.print_list(page, console)


@app.command("show")
def show_command(
    experiment_id: str = ID_ARGUMENT,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """An experiment: baseline, best, best vs baseline (difference, 95% CI, test), its results."""
    detail = _on_server(server, lambda c: c.experiment_action("GET", experiment_id))
    _json(detail) if output == "json" else experiment_view.print_detail(detail, console)


def _ref(eval_run: str | None, judge_report: str | None) -> tuple[str, str]:
    if bool(eval_run) == bool(judge_report):
        _fail("Give one of --eval RUN_ID or --judge REPORT_ID")
    return ("eval", str(eval_run)) if eval_run else ("judge", str(judge_report))


@app.command("file")
def file_command(
    experiment_id: str = ID_ARGUMENT,
    eval_run: str | None = EVAL_OPTION,
    judge_report: str | None = JUDGE_OPTION,
    move: bool = typer.Option(
        False, "--move", help="Move it here if it is filed under another experiment."
    ),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """File an existing eval run or judge report under the experiment."""
    kind, ref_id = _ref(eval_run, judge_report)
    body = {"kind": kind, "ref_id": ref_id}
    params = {"move": "true"} if move else None
    detail = _on_server(
        server,
        lambda c: c.experiment_action("POST", experiment_id, "/runs", json=body, params=params),
    )
    if output == "json":
        _json(detail)
        return
    console.print(f"Filed {kind} {ref_id}.")
    experiment_view.print_detail(detail, console)


@app.command("unfile")
def unfile_command(
    experiment_id: str = ID_ARGUMENT,
    eval_run: str | None = EVAL_OPTION,
    judge_report: str | None = JUDGE_OPTION,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Take a run out of the experiment (the run itself is kept)."""
    kind, ref_id = _ref(eval_run, judge_report)
    detail = _on_server(
        server, lambda c: c.experiment_action("DELETE", experiment_id, f"/runs/{kind}/{ref_id}")
    )
    if output == "json":
        _json(detail)
        return
    console.print(f"Unfiled {kind} {ref_id}.")
    experiment_view.print_detail(detail, console)


def _only_target(detail: dict[str, Any], run_id: str) -> str:
    """The target when the run has exactly one in the experiment."""
    targets = {r["target"] for r in detail["results"] if r.get("eval_run_id") == run_id}
    if len(targets) != 1:
        known = ", ".join(sorted(t for t in targets if t)) or "none filed here"
        _fail(f"Give --target: run {run_id} has targets {known}")
    return str(targets.pop())


@app.command("baseline")
def baseline_command(
    experiment_id: str = ID_ARGUMENT,
    run: str | None = typer.Option(None, "--run", help="The eval run holding the baseline."),
    target: str | None = typer.Option(
        None, "--target", help="The target label in that run (default: its only one)."
    ),
    first: bool = typer.Option(
        False, "--first", help="Forget the choice: the first finished run is the baseline again."
    ),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Choose the baseline (a result on the experiment's scale), or go back to the first run."""
    if bool(run) == first:
        _fail("Give --run RUN_ID [--target LABEL], or --first")

    def choose(client: Any) -> Any:
        if first:
            return client.experiment_action("DELETE", experiment_id, "/baseline")
        label = target or _only_target(client.experiment_action("GET", experiment_id), str(run))
        body = {"run_id": run, "target": label}
        return client.experiment_action("PUT", experiment_id, "/baseline", json=body)

    detail = _on_server(server, choose)
    if output == "json":
        _json(detail)
        return
    experiment_view.print_header(detail, console)
    experiment_view.print_cards(detail, console)


@app.command("rerun-best")
def rerun_best_command(
    experiment_id: str = ID_ARGUMENT,
    no_wait: bool = typer.Option(False, "--no-wait", help="Return once the run is queued."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Run the best configuration again (same model, parameters, parameter set, system prompt
    and settings, on the experiment's suite version and profile) to confirm its score."""

    def rerun(client: Any) -> dict[str, Any]:
        before = client.experiment_action("GET", experiment_id)
        submitted = client.experiment_action("POST", experiment_id, "/rerun-best")
        if no_wait:
            return {"submitted": submitted}
        job, run = eval_server.follow_eval(client, submitted, err_console)
        after = client.experiment_action("GET", experiment_id)
        best = next((r for r in before["results"] if r["is_best"]), None)
        result = experiment_view.rerun_result(after, run["id"])
        return {"submitted": submitted, "job": job, "run": run, "best": best, "result": result}

    outcome = _on_server(server, rerun)
    submitted = outcome["submitted"]
    if no_wait:
        if output == "json":
            _json(submitted)
        else:
            console.print(
                f"Queued eval run {submitted['run']['id']} (job {submitted['job_id']}); "
                f"follow it in the web app or with `benchstudio experiment show {experiment_id}`."
            )
        return
    if output == "json":
        _json(outcome)
    else:
        eval_server.print_run(outcome["run"], console)
        if outcome["best"] is not None:
            experiment_view.print_rerun(outcome["best"], outcome["result"], console)
    if eval_server.job_failed(outcome["job"], err_console):
        raise typer.Exit(eval_server.EXIT_JOB_FAILED)


@app.command("delete")
def delete_command(
    experiment_id: str = ID_ARGUMENT,
    yes: bool = typer.Option(False, "--yes", "-y", help="Delete without asking."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Delete an experiment; its runs are kept (no longer filed anywhere)."""
    if not yes and not typer.confirm(f"Delete experiment {experiment_id}? Its runs stay.", False):
        err_console.print("Nothing deleted.")
        raise typer.Exit(EXIT_NOT_CONFIRMED)
    _on_server(server, lambda c: c.experiment_action("DELETE", experiment_id))
    _json({"deleted": "experiment", "id": experiment_id}) if output == "json" else console.print(
        f"Deleted experiment {experiment_id}"
    )
