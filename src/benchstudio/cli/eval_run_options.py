"""`benchstudio eval run`'s options: request parameters for each target (`--param k=v`,
`--top-p`, `--seed`, `--system-prompt`, `--parameter-set` read from a server) and the warning
about MCP-drafted placeholders."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from benchstudio.cli.eval_semantic import SemanticOptions
    from benchstudio.toolcall.live.records import EvalTarget
    from benchstudio.toolcall.schemas import Suite


@dataclass(frozen=True, slots=True)
class LiveOptions:
    suite: Path
    base_url: str
    models: list[str]
    protocol: str
    provider: str | None
    api_key: str | None
    concurrency: int | None
    profile: str
    temperature: float | None
    tool_choice: str | None
    max_tokens: int | None
    timeout_s: float
    attempts: int
    output: Path | None
    verdicts: Path | None
    system_prompt: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    assume_yes: bool = False
    semantic: SemanticOptions | None = None


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """`name=value` pairs; a value that reads as JSON (0.9, true, [..]) is taken as such, anything
    else as text. The provider registry later checks them per model and drops what it refuses."""
    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(
                f"{pair!r}: write name=value, e.g. top_p=0.9", param_hint="--param"
            )
        try:
            params[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            params[name.strip()] = raw
    return params


def apply_parameter_set(
    options: LiveOptions, the_set: dict[str, Any], err_console: Console
) -> LiveOptions:
    """Lay a server's parameter set under the explicit flags (which win), the same merge the
    server uses, and say what it applied."""
    from benchstudio.catalog.domain import merge_parameter_set

    explicit = {
        "temperature": options.temperature,
        "max_tokens": options.max_tokens,
        **options.params,
    }
    merged = merge_parameter_set(the_set.get("params") or {}, explicit)
    params = dict(merged.params)
    temperature, max_tokens = params.pop("temperature", None), params.pop("max_tokens", None)
    values = ", ".join(f"{k}={v}" for k, v in merged.applied.items()) or "none"
    won = f" (explicit {', '.join(merged.overridden)} won)" if merged.overridden else ""
    err_console.print(f"parameter set {the_set['name']!r} applied {values}{won}")
    if the_set.get("model_ref_id"):
        err_console.print(
            "[yellow]This set was made for one catalog model; it is applied to every --model.[/]"
        )
    return replace(
        options,
        temperature=None if temperature is None else float(temperature),  # type: ignore[arg-type]
        max_tokens=None if max_tokens is None else int(max_tokens),  # type: ignore[call-overload]
        params=params,
    )


def build_targets(options: LiveOptions) -> list[EvalTarget]:
    from benchstudio.toolcall.live.conversation import parse_tool_choice
    from benchstudio.toolcall.live.records import EvalTarget

    return [
        EvalTarget(
            label=name,
            model=name,
            base_url=options.base_url,
            protocol=options.protocol,
            provider=options.provider,
            api_key=options.api_key,
            concurrency=options.concurrency,
            temperature=options.temperature,
            max_tokens=options.max_tokens,
            tool_choice=parse_tool_choice(options.tool_choice),
            system_prompt=options.system_prompt,
            params=dict(options.params),
            timeout_s=options.timeout_s,
        )
        for name in dict.fromkeys(options.models)
    ]


def confirm_placeholders(suite: Suite, options: LiveOptions, err_console: Console) -> bool:
    """Warn about cases still holding `<your value>`; ask only when someone can answer
    (a terminal, no `--yes`). False: the user declined."""
    from benchstudio.evals.runs.domain.placeholders import (
        placeholder_case_ids,
        placeholder_message,
    )

    held = placeholder_case_ids(suite)
    if not held:
        return True
    err_console.print(f"[yellow]Warning: {placeholder_message(held)}[/]")
    err_console.print("[yellow]Edit those prompts first, or the model sees the placeholder.[/]")
    if options.assume_yes or not sys.stdin.isatty():
        return True
    return typer.confirm("Run anyway?", default=False, err=True)
