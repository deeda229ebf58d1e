"""A target made ready before any window: adapter, prompts and what is known of their size.

The tokenizer (tens of MB once loaded) is used here only when a prompt must be built to a token
size (context tiers > 0). A tier-0 prompt is sent as written: the cost cap bounds its tokens by
its UTF-8 bytes (a byte-level BPE token is at least one byte), and its exact count is taken
after the window, only for requests whose response reported no input tokens.
"""

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
class PromptSize:
    """A prompt's token count: exact when known, else counted once on demand (never inside a
    measured window); `cap_tokens` is what the cost cap may charge for it meanwhile."""

    text: str
    tokens: int | None = None

    @property
    def cap_tokens(self) -> int:
        """The exact count, else an upper bound: the UTF-8 byte count."""
        return self.tokens if self.tokens is not None else len(self.text.encode())

    def exact(self, counter: TokenCounter) -> int:
        if self.tokens is None:
            self.tokens = counter.count(self.text)
        return self.tokens


@dataclass(slots=True)
class PreparedTarget:
    """A target with its adapter and prompts built ahead of the measurements; its tokenizer is
    loaded only when first used."""

    config: TargetConfig
    adapter: ProviderAdapter
    counter: TokenCounter
    cost: CostFunction | None
    max_tokens: int | None = None
    prompts: dict[int, list[BuiltPrompt]] = field(default_factory=dict)
    # The size of each prompt (same order as `prompts`).
    sizes: dict[int, list[PromptSize]] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)
    connect_times: ConnectTimes | None = None


def prepare_target(
    config: BenchConfig,
    run_id: str,
    target: TargetConfig,
    adapter: ProviderAdapter,
    max_tokens: int | None,
) -> PreparedTarget:
    """Build every prompt this target will need, before any window: the tokenizer is loaded
    here only if a prompt is sized in tokens, and never while a stream is timed."""
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
        prepared.sizes[tier] = [PromptSize(p.text, p.prompt_tokens) for p in prompts]
    return prepared
