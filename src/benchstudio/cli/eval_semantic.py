"""`eval score` / `eval run` options for suites with `semantic` arguments: the similarity
source (`--semantic-source embeddings|judge`), its model (`--embedding-model` with its
`--embedding-base-url` and key, or `--judge-model`, a chat model answering "equivalent" or
"not", with its `--judge-base-url`, key and protocol) and a threshold. A suite that compares
arguments semantically is refused without a model, with that hint."""

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
    from benchstudio.toolcall.semantic import SemanticPrepass, SimilaritySource

DEFAULT_THRESHOLD = 0.5  # matching.DEFAULT_SEMANTIC_THRESHOLD (kept out of the import path)
SOURCES = ("embeddings", "judge")
HINTS = {
    "embeddings": (
        "pass --embedding-model MODEL (an OpenAI-compatible /v1/embeddings model) with "
        "--embedding-base-url URL, e.g. --embedding-model text-embedding-3-small "
        "--embedding-base-url https://api.openai.com/v1 --embedding-api-key-env OPENAI_API_KEY "
        "(or --semantic-source judge --judge-model MODEL for a chat model)"
    ),
    "judge": (
        'pass --judge-model MODEL (a chat model answering "equivalent" or "not") with '
        "--judge-base-url URL, e.g. --semantic-source judge --judge-model gpt-4o-mini "
        "--judge-base-url https://api.openai.com/v1 --judge-api-key-env OPENAI_API_KEY"
    ),
}
FLAGS = {"embeddings": "--embedding", "judge": "--judge"}


@dataclass(slots=True)
class SemanticOptions:
    """The similarity source the command line chose (one model, whichever the source)."""

    source: str
    model: str | None
    base_url: str | None
    api_key_env: str | None
    threshold: float
    protocol: str = "openai"


@dataclass(slots=True)
class SemanticFlags:
    """The raw flags of both sources, as the commands receive them."""

    source: str | None
    embedding_model: str | None
    embedding_base_url: str | None
    embedding_api_key_env: str | None
    judge_model: str | None
    judge_base_url: str | None
    judge_api_key_env: str | None
    judge_protocol: str | None
    threshold: float

    def resolve(self, default_base_url: str | None, default_protocol: str) -> SemanticOptions:
        """The chosen source's options; the source defaults to `judge` when only a judge model
        was given. A base URL left out defaults to `default_base_url` (`eval run`'s)."""
        source = self.source or (
            "judge" if self.judge_model and not self.embedding_model else "embeddings"
        )
        if source == "judge":
            return SemanticOptions(
                source,
                self.judge_model,
                self.judge_base_url or default_base_url,
                self.judge_api_key_env,
                self.threshold,
                self.judge_protocol or default_protocol,
            )
        return SemanticOptions(
            source,
            self.embedding_model,
            self.embedding_base_url or default_base_url,
            self.embedding_api_key_env,
            self.threshold,
        )


def source_option() -> Any:
    return typer.Option(
        None,
        "--semantic-source",
        help="embeddings | judge: how `semantic` arguments are compared (default: embeddings, "
        "or judge when only --judge-model is given).",
    )


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


def judge_model_option() -> Any:
    return typer.Option(
        None,
        "--judge-model",
        help="Chat model judging `semantic` arguments equivalent or not (--semantic-source judge).",
    )


def judge_base_url_option(default_hint: str) -> Any:
    return typer.Option(None, "--judge-base-url", help=f"The judge's base URL ({default_hint}).")


def judge_key_option() -> Any:
    return typer.Option(
        None, "--judge-api-key-env", help="Environment variable holding the judge's API key."
    )


def judge_protocol_option(default_hint: str) -> Any:
    return typer.Option(
        None, "--judge-protocol", help=f"openai | anthropic | gemini ({default_hint})."
    )


def threshold_option() -> Any:
    return typer.Option(
        DEFAULT_THRESHOLD,
        "--semantic-threshold",
        min=0.0,
        max=1.0,
        help="Similarity at or above which a `semantic` argument passes.",
    )


def refusal(suite: Suite, profile: str, options: SemanticOptions) -> str | None:
    """Why the suite cannot be scored with these options (with the hint), or None."""
    from benchstudio.providers.factory import PROTOCOLS
    from benchstudio.toolcall.live.runner import semantic_arguments

    if options.source not in SOURCES:
        return f"--semantic-source must be one of {', '.join(SOURCES)}"
    arguments = semantic_arguments(suite) if profile != "bfcl" else []
    if not arguments:
        return None
    hint, flag = HINTS[options.source], FLAGS[options.source]
    if not options.model:
        case_id, path = arguments[0]
        return (
            f"{len(arguments)} argument(s) are compared semantically (first: {case_id}: "
            f"{path}); {hint}"
        )
    if not options.base_url:
        return f"{flag}-model needs {flag}-base-url; {hint}"
    if options.source == "judge" and options.protocol not in PROTOCOLS:
        return f"unknown --judge-protocol {options.protocol!r}"
    if options.api_key_env and not os.environ.get(options.api_key_env):
        return f"environment variable {options.api_key_env} is not set"
    return None


@asynccontextmanager
async def semantic_prepass(
    suite: Suite, profile: str, options: SemanticOptions, console: Console
) -> AsyncIterator[SemanticPrepass | None]:
    """The pre-pass for a suite with `semantic` arguments (None otherwise); exits 1 with the
    hint when no model was given. Prints the source's calls and tokens at the end."""
    from benchstudio.core.net import EgressPolicy, create_egress_session
    from benchstudio.toolcall.live.runner import semantic_arguments
    from benchstudio.toolcall.semantic import SemanticPrepass

    refused = refusal(suite, profile, options)
    if refused is not None:
        console.print(f"[bold red]Cannot score:[/] {refused}")
        raise typer.Exit(1)
    if profile == "bfcl" or not semantic_arguments(suite):
        yield None
        return
    # The CLI runs on the operator's own machine: local servers are allowed (dev egress mode).
    session = create_egress_session(EgressPolicy.from_allow_list("dev"))
    try:
        source = _source(options, session)
        yield SemanticPrepass(source, options.threshold)
        spent = source.spent
        console.print(
            f"semantic ({options.source}, {options.model}): {spent.calls} call(s), "
            f"{spent.input_tokens} input / {spent.output_tokens} output tokens"
        )
    finally:
        await session.close()


def _source(options: SemanticOptions, session: Any) -> SimilaritySource:
    from benchstudio.providers.factory import create_adapter
    from benchstudio.providers.openai_compat import OpenAICompatAdapter
    from benchstudio.toolcall.semantic import EmbeddingSimilarity, JudgeSimilarity

    assert options.model is not None and options.base_url is not None
    api_key = os.environ.get(options.api_key_env) if options.api_key_env else None
    if options.source == "judge":
        adapter = create_adapter(options.protocol, options.base_url, api_key, session=session)
        return JudgeSimilarity(adapter, options.model)
    embedder = OpenAICompatAdapter(options.base_url, api_key, session=session)
    return EmbeddingSimilarity(embedder, options.model)


async def score_offline(
    suite: Suite, outputs: Path, profile: str, options: SemanticOptions, console: Console
) -> OfflineScore:
    """`eval score`: every case at once, with the pre-pass when the suite needs one."""
    from benchstudio.toolcall.offline import score_recorded, score_recorded_semantic
    from benchstudio.toolcall.profiles import get_profile
    from benchstudio.toolcall.suite_file import read_outputs

    recorded = list(read_outputs(outputs))
    async with semantic_prepass(suite, profile, options, console) as prepass:
        if prepass is None:
            return score_recorded(suite, recorded, get_profile(profile))
        return await score_recorded_semantic(suite, recorded, get_profile(profile), prepass)
