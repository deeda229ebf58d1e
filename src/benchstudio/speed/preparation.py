"""A target made ready before any window: adapter, tokenizer, prompts and their token counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from benchstudio.providers.base import ProviderAdapter
from benchstudio.providers.connections import ConnectTimes, connect_times
from benchstudio.speed.config import BenchConfig, TargetConfig
from benchstudio.speed.prompts import BuiltPrompt, build_prompt, run_salt, tier_skip_reason
from benchstudio.speed.results import CostFunction
from benchstudio.speed.targets import cost_function
from benchstudio.speed.tokenizer import TokenCounter, encoding_for_model


@dataclass(slots=True)
class PreparedTarget:
    """A target with its adapter, tokenizer and prompts built ahead of the measurements."""

    config: TargetConfig
    adapter: ProviderAdapter
    counter: TokenCounter
    cost: CostFunction | None
    max_tokens: int | None = None
    prompts: dict[int, list[BuiltPrompt]] = field(default_factory=dict)
    # Token count of each prompt (same order as `prompts`), counted in `prepare()`.
    prompt_tokens: dict[int, list[int]] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)
    connect_times: ConnectTimes | None = None


def prepare_target(
    config: BenchConfig,
    run_id: str,
    target: TargetConfig,
    adapter: ProviderAdapter,
    max_tokens: int | None,
) -> PreparedTarget:
    """Build and count every prompt this target will need: the tokenizer is loaded here,
    before any window, never while a stream is timed."""
    counter = TokenCounter(encoding_for_model(target.model))
    prepared = PreparedTarget(target, adapter, counter, cost_function(target), max_tokens)
    prepared.connect_times = connect_times(adapter)
    runs = config.warmup + config.runs if config.mode == "profile" else 1
    for tier in config.context_tokens:
        reason = tier_skip_reason(tier, config.max_tokens, target.context_window)
        if reason is not None:
            prepared.skipped[tier] = reason
            continue
        salts = [
            run_salt(run_id, tier, index, cache_probe=config.cache_probe) for index in range(runs)
        ]
        prompts = [
            build_prompt(
                config.prompt,
                target_tokens=tier,
                salt=salt,
                counter=counter,
                corpus_kind=config.corpus,
            )
            for salt in salts
        ]
        prepared.prompts[tier] = prompts
        prepared.prompt_tokens[tier] = [prompt.tokens(counter) for prompt in prompts]
    return prepared
