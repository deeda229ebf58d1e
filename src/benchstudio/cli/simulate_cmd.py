"""`benchstudio simulate`: run the built-in LLM simulator until Ctrl-C.

Heavy imports (the simulator, asyncio loop policy, uvloop) happen inside the command so that
`benchstudio --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from benchstudio.simulator import OutputLength, SimulatorConfig, SimulatorServer


def _build_config(config_path: Path | None, overrides: dict[str, Any]) -> SimulatorConfig:
    from benchstudio.simulator import SimulatorConfig, load_config

    config = load_config(config_path) if config_path is not None else SimulatorConfig()
    given = {key: value for key, value in overrides.items() if value is not None}
    if not given:
        return config
    default = config.default.model_dump()
    default.update(given)
    if given.get("tool_policy") is _OFF:
        default["tool_policy"] = None
    data = config.model_dump()
    data["default"] = default
    return SimulatorConfig.model_validate(data)


_OFF: dict[str, Any] = {}


def _tool_policy(accuracy: str | None) -> dict[str, Any] | None:
    """`--tool-accuracy` as a profile override (`_OFF` turns the policy off)."""
    if accuracy is None:
        return None
    return _OFF if accuracy == "off" else {"accuracy": accuracy}


def length_label(length: OutputLength) -> str:
    """The configured output length as configured: `64`, `uniform 16..256`,
    `normal 128±32 [16..512]` (the request's max tokens caps it either way)."""
    if length.distribution == "uniform":
        return f"uniform {length.min}..{length.max}"
    if length.distribution == "normal":
        return f"normal {length.tokens}±{length.std:g} [{length.min}..{length.max}]"
    return str(length.tokens)


def _print_banner(server: SimulatorServer) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    url = server.base_url
    console.print(f"[bold green]BenchStudio simulator[/] listening on [bold]{url}[/]")
    table = Table("model", "ttft ms", "itl ms", "output tokens", "reasoning", "context", "key")
    for index, profile in enumerate(server.config.all_profiles()):
        name = profile.name + (" (default, any name)" if index == 0 else "")
        table.add_row(
            name,
            f"{profile.ttft_ms:g}",
            f"{profile.itl_ms:g}±{profile.jitter_ms:g}",
            length_label(profile.output_tokens),
            str(profile.reasoning_tokens),
            str(profile.context_window),
            "required" if profile.require_key else "any",
        )
    console.print(table)
    console.print(f"  OpenAI     POST {url}/v1/chat/completions   GET {url}/v1/models")
    console.print(f"  Anthropic  POST {url}/v1/messages")
    console.print(f"  Gemini     POST {url}/v1beta/models/MODEL:streamGenerateContent?alt=sse")
    console.print(f"  Timing log GET  {url}/_sim/requests?offset=0&limit=100")
    console.print("Press Ctrl-C to stop.")


async def _serve(server: SimulatorServer) -> None:
    import asyncio
    import signal

    await server.start()
    _print_banner(server)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def _run(server: SimulatorServer) -> None:
    import asyncio

    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:  # plain asyncio is fine, just slower
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(_serve(server))


def simulate(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(9100, help="Port to listen on (0 picks a free one)."),
    config: Path | None = typer.Option(
        None, "--config", exists=True, dir_okay=False, help="YAML file with named models."
    ),
    ttft_ms: float | None = typer.Option(None, help="Default model: time to first token."),
    itl_ms: float | None = typer.Option(None, help="Default model: inter-token latency."),
    jitter_ms: float | None = typer.Option(None, help="Default model: ± uniform jitter."),
    output_tokens: int | None = typer.Option(None, help="Default model: output length."),
    tokens_per_chunk: int | None = typer.Option(None, help="Default model: tokens per chunk."),
    reasoning_tokens: int | None = typer.Option(None, help="Default model: reasoning tokens."),
    context_window: int | None = typer.Option(None, help="Default model: context window."),
    prefill_ms_per_1k_tokens: float | None = typer.Option(
        None, help="Default model: extra TTFT per 1,000 prompt tokens."
    ),
    tool_accuracy: str | None = typer.Option(
        None,
        help="Default model calls any offered tool: perfect, accurate or sloppy (off: only "
        "scripted calls).",
    ),
    seed: int | None = typer.Option(None, help="Default model: text/jitter seed."),
    model_name: str | None = typer.Option(None, help="Default model's name in /v1/models."),
    log: Path | None = typer.Option(None, "--log", help="Dump the timing log (JSONL) on exit."),
    parent_fd: int | None = typer.Option(
        None, "--parent-fd", hidden=True, help="Exit when this pipe closes (set by `serve`)."
    ),
) -> None:
    """Run the built-in LLM simulator (OpenAI, Anthropic, Gemini wire formats) until Ctrl-C."""
    from rich.console import Console

    if parent_fd is not None:
        from benchstudio.core.parent_watch import exit_when_fd_closes

        exit_when_fd_closes(parent_fd)

    from benchstudio.simulator import SimulatorServer

    overrides: dict[str, Any] = {
        "ttft_ms": ttft_ms,
        "itl_ms": itl_ms,
        "jitter_ms": jitter_ms,
        "output_tokens": output_tokens,
        "tokens_per_chunk": tokens_per_chunk,
        "reasoning_tokens": reasoning_tokens,
        "context_window": context_window,
        "prefill_ms_per_1k_tokens": prefill_ms_per_1k_tokens,
        "tool_policy": _tool_policy(tool_accuracy),
        "seed": seed,
        "name": model_name,
    }
    try:
        sim_config = _build_config(config, overrides)
    except ValueError as exc:
        Console(stderr=True).print(f"[bold red]Invalid simulator config:[/] {exc}")
        raise typer.Exit(2) from exc
    server = SimulatorServer(sim_config, host=host, port=port)
    try:
        _run(server)
    except KeyboardInterrupt:
        pass
    finally:
        if log is not None:
            count = server.log.dump_jsonl(log)
            Console(stderr=True).print(f"Timing log: {count} requests written to {log}")
