"""The `benchstudio` command line. Heavy imports live inside each command (fast start)."""

from __future__ import annotations

import typer

from benchstudio import __version__
from benchstudio.cli import (
    admin_cmd,
    bench_cmd,
    db_cmd,
    eval_cmd,
    experiment_cmd,
    judge_cmd,
    notifications_cmd,
    parameter_set_cmd,
    prompt_cmd,
    schedule_cmd,
    serve_cmd,
    simulate_cmd,
    suite_cmd,
    tune_cmd,
    worker_cmd,
)
from benchstudio.cli.wiring import WiringLoader, install_wiring

app = typer.Typer(
    name="benchstudio",
    help="Measure how fast, how cheap and how good an LLM endpoint is.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"benchstudio {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """BenchStudio: speed, cost and tool-calling quality of LLM endpoints."""


app.command("serve")(serve_cmd.serve)
app.command("worker")(worker_cmd.worker)
app.command("simulate")(simulate_cmd.simulate)
app.add_typer(bench_cmd.app, name="bench")
app.add_typer(db_cmd.app, name="db")
app.add_typer(admin_cmd.app, name="admin")
app.add_typer(suite_cmd.app, name="suite")
app.add_typer(eval_cmd.app, name="eval")
app.add_typer(judge_cmd.app, name="judge")
app.add_typer(parameter_set_cmd.app, name="parameter-set")
app.add_typer(prompt_cmd.app, name="prompt")
app.add_typer(experiment_cmd.app, name="experiment")
app.add_typer(tune_cmd.app, name="tune")
app.add_typer(schedule_cmd.app, name="schedule")
app.command("notifications")(notifications_cmd.notifications)


def run(load_wiring: WiringLoader) -> None:
    """Start the command line; `benchstudio.__main__` hands in the composition root's wiring."""
    install_wiring(load_wiring)
    app()
