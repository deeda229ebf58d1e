"""`benchstudio tune --objective judge`: the flags naming the objective's judge, their checks,
and the judge a local study calls.

- Locally the judge is any endpoint: `--judge-model` at `--judge-base-url` (default:
  `--base-url`) speaking `--judge-protocol` (default: `--protocol`), its key in
  `--judge-api-key-env`; `--judge-price-input/--judge-price-output` (USD per million tokens)
  make its cost count (without them it is unknown: 0 against `--max-cost`, as the tuned model
  without `--price-*`). The same flags name the judge of `semantic` arguments when the suite
  has some (`--semantic-source judge`, the default when only `--judge-model` is given): one
  judge then serves both.
- With `--server` the judge is one of the server's catalog models: `--judge-model-id` (its id,
  or its model id or display name when only one model has it).

Every mistake is a `typer.BadParameter` (exit 2) before any request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import typer

from benchstudio.cli.tune_options import model_price

if TYPE_CHECKING:
    from benchstudio.cli.eval_semantic import SemanticFlags
    from benchstudio.judge.service.verdict_call import JudgeModel
    from benchstudio.providers.pricing import ModelPrice

PROTOCOLS = ("openai", "anthropic", "gemini")
JUDGE_WARNING = (
    "The judge scores every case with one more call to its model: calls and cost above are "
    "the tuned model's only."
)


@dataclass(frozen=True, slots=True)
class JudgeEndpoint:
    """A local study's judge: any endpoint and model, with its price when given."""

    model: str
    base_url: str
    protocol: str
    api_key_env: str | None = None
    price: ModelPrice | None = None

    def describe(self) -> dict[str, Any]:
        """The judge as the results document names it (a server run's has the same keys)."""
        return {
            "model": self.model,
            "name": self.model,
            "model_ref_id": None,
            "base_url": self.base_url,
            "protocol": self.protocol,
        }


def objective_option() -> Any:
    return typer.Option(
        "tool_eval",
        "--objective",
        help="tool_eval: the tool-eval score (--metric); judge: each case graded 1-5 by a judge "
        "model (the built-in verdict prompt), as 0-1. Locally the judge is --judge-model at "
        "--judge-base-url; with --server, --judge-model-id.",
    )


def judge_model_option() -> Any:
    return typer.Option(
        None,
        "--judge-model",
        help="Local: the judge model. With --objective judge it grades every case; it also "
        "judges `semantic` arguments (--semantic-source judge, the default when only "
        "--judge-model is given), the same judge for both.",
    )


def judge_model_id_option() -> Any:
    return typer.Option(
        None,
        "--judge-model-id",
        help="--server with --objective judge: the server's catalog model judging (its id, or "
        "its model id or display name).",
    )


def judge_price_option(side: str) -> Any:
    return typer.Option(
        None,
        f"--judge-price-{side}",
        min=0.0,
        help=f"Local, --objective judge: the judge's USD per million {side} tokens (its cost "
        "counts toward --max-cost; without a price it is unknown).",
    )


def _refuse(message: str, flag: str) -> typer.BadParameter:
    return typer.BadParameter(message, param_hint=flag)


def local_judge(
    objective: str,
    semantic: SemanticFlags,
    defaults: tuple[str | None, str],
    judge_ref: str | None,
    prices: tuple[float | None, float | None],
) -> JudgeEndpoint | None:
    """The objective's judge of a local study (None for the tool-eval objective).
    `defaults` are --base-url and --protocol."""
    import os

    if judge_ref is not None:
        raise _refuse(
            "names a server's catalog model (with --server); a local study's judge is "
            "--judge-model MODEL [--judge-base-url URL]",
            "--judge-model-id",
        )
    price = model_price(*prices, flag="--judge-price")
    if objective != "judge":
        if price is not None:
            raise _refuse("prices the objective's judge: add --objective judge", "--judge-price")
        return None
    base_url = semantic.judge_base_url or defaults[0]
    if not semantic.judge_model or not base_url:
        raise _refuse(
            "--objective judge needs a judge: --judge-model MODEL (at --judge-base-url URL, "
            "default --base-url)",
            "--judge-model",
        )
    protocol = semantic.judge_protocol or defaults[1]
    if protocol not in PROTOCOLS:
        raise _refuse(f"{protocol!r}: use openai, anthropic or gemini", "--judge-protocol")
    key_env = semantic.judge_api_key_env
    if key_env and not os.environ.get(key_env):
        raise _refuse(f"environment variable {key_env} is not set", "--judge-api-key-env")
    return JudgeEndpoint(semantic.judge_model, base_url, protocol, key_env, price)


def server_judge(objective: str, judge_ref: str | None) -> str | None:
    """The objective's catalog judge of a server run (id or name; None for the tool eval)."""
    if objective == "judge" and not judge_ref:
        raise _refuse(
            "with --server, --objective judge needs --judge-model-id ID (the server's catalog "
            "model judging)",
            "--judge-model-id",
        )
    if objective != "judge" and judge_ref:
        raise _refuse("names the objective's judge: add --objective judge", "--judge-model-id")
    return judge_ref


@asynccontextmanager
async def open_local_judge(endpoint: JudgeEndpoint) -> AsyncIterator[JudgeModel]:
    """The judge ready to call (its session closes on exit). Its price is the one given, never
    the bundled table's: as for the tuned model, no price means an unknown cost."""
    import os

    from benchstudio.core.net import EgressPolicy, create_egress_session
    from benchstudio.judge.service.judge_models import offline_judge_model
    from benchstudio.providers.factory import create_adapter

    api_key = os.environ.get(endpoint.api_key_env) if endpoint.api_key_env else None
    # The operator's own machine: local servers are allowed (as in `eval run`).
    session = create_egress_session(EgressPolicy.from_allow_list("dev"))
    try:
        adapter = create_adapter(endpoint.protocol, endpoint.base_url, api_key, session=session)
        judge = offline_judge_model(
            adapter, protocol=endpoint.protocol, base_url=endpoint.base_url, model_id=endpoint.model
        )
        yield replace(judge, price=endpoint.price)
    finally:
        await session.close()


def judge_concurrency(endpoint: JudgeEndpoint, tuned_base_url: str, endpoint_limit: int) -> int:
    """The judge's calls in flight: the study's (trials x cases) on its own endpoint, a quarter
    of them on the tuned model's (the server's live-judge rule), so the trials keep their
    slots."""
    from benchstudio.judge.service.live import shared_cap

    same = endpoint.base_url.rstrip("/").lower() == tuned_base_url.rstrip("/").lower()
    return shared_cap(endpoint_limit) if same else endpoint_limit
