"""`eval score` / `eval run` options for suites with `semantic` arguments: an OpenAI-compatible
embeddings model (`--embedding-model`, its `--embedding-base-url` and key) and a threshold.
A suite that compares arguments semantically is refused without them, with that hint."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from pathlib import Path

    from benchstudio.toolcall.offline import OfflineScore
    from benchstudio.toolcall.schemas import Suite
    from benchstudio.toolcall.semantic import SemanticPrepass

DEFAULT_THRESHOLD = 0.5  # matching.DEFAULT_SEMANTIC_THRESHOLD (kept out of the import path)
HINT = (
    "pass --embedding-model MODEL (an OpenAI-compatible /v1/embeddings model) with "
    "--embedding-base-url URL, e.g. --embedding-model text-embedding-3-small "
    "--embedding-base-url https://api.openai.com/v1 --embedding-api-key-env OPENAI_API_KEY"
)


@dataclass(slots=True)
class EmbeddingOptions:
    model: str | None
    base_url: str | None
    api_key_env: str | None
    threshold: float


def embedding_model_option() -> Any:
    return typer.Option(
        None, "--embedding-model", help="Embeddings model for `semantic` arguments."
    )


def embedding_base_url_option(default_hint: str) -> Any:
    return typer.Option(
        None, "--embedding-base-url", help=f"Its OpenAI-compatible base URL ({default_hint})."
    )


def embedding_key_option() -> Any:
    return typer.Option(
        None, "--embedding-api-key-env", help="Environment variable holding its API key."
    )


def threshold_option() -> Any:
    return typer.Option(
        DEFAULT_THRESHOLD,
        "--semantic-threshold",
        min=0.0,
        max=1.0,
        help="Cosine similarity at or above which a `semantic` argument passes.",
    )


def needs_embeddings(suite: Suite, profile: str, options: EmbeddingOptions) -> str | None:
    """The refusal (with the hint) when the suite needs an embeddings model and has none."""
    from benchstudio.toolcall.live.runner import semantic_arguments

    arguments = semantic_arguments(suite) if profile != "bfcl" else []
    if not arguments:
        return None
    if not options.model:
        case_id, path = arguments[0]
        return (
            f"{len(arguments)} argument(s) are compared semantically (first: {case_id}: "
            f"{path}); {HINT}"
        )
    if not options.base_url:
        return f"--embedding-model needs --embedding-base-url; {HINT}"
    if options.api_key_env and not os.environ.get(options.api_key_env):
        return f"environment variable {options.api_key_env} is not set"
    return None


@asynccontextmanager
async def embedding_prepass(
    suite: Suite, profile: str, options: EmbeddingOptions, console: Console
) -> AsyncIterator[SemanticPrepass | None]:
    """The pre-pass for a suite with `semantic` arguments (None otherwise); exits 1 with the
    hint when no embeddings model was given."""
    from benchstudio.core.net import EgressPolicy, create_egress_session
    from benchstudio.providers.openai_compat import OpenAICompatAdapter
    from benchstudio.toolcall.live.runner import semantic_arguments
    from benchstudio.toolcall.semantic import EmbeddingSimilarity, SemanticPrepass

    refusal = needs_embeddings(suite, profile, options)
    if refusal is not None:
        console.print(f"[bold red]Cannot score:[/] {refusal}")
        raise typer.Exit(1)
    if profile == "bfcl" or not semantic_arguments(suite):
        yield None
        return
    assert options.model is not None and options.base_url is not None
    api_key = os.environ.get(options.api_key_env) if options.api_key_env else None
    # The CLI runs on the operator's own machine: local servers are allowed (dev egress mode).
    session = create_egress_session(EgressPolicy.from_allow_list("dev"))
    try:
        adapter = OpenAICompatAdapter(options.base_url, api_key, session=session)
        source = EmbeddingSimilarity(adapter, options.model)
        yield SemanticPrepass(source, options.threshold)
    finally:
        await session.close()


async def score_offline(
    suite: Suite, outputs: Path, profile: str, options: EmbeddingOptions, console: Console
) -> OfflineScore:
    """`eval score`: every case at once, with the pre-pass when the suite needs one."""
    from benchstudio.toolcall.offline import score_recorded, score_recorded_semantic
    from benchstudio.toolcall.profiles import get_profile
    from benchstudio.toolcall.suite_file import read_outputs

    recorded = list(read_outputs(outputs))
    async with embedding_prepass(suite, profile, options, console) as prepass:
        if prepass is None:
            return score_recorded(suite, recorded, get_profile(profile))
        return await score_recorded_semantic(suite, recorded, get_profile(profile), prepass)
