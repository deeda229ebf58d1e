"""The tokenizer is loaded only when a prompt must be sized in tokens or a response reported no
usage, and never inside a measured window; the cost cap meanwhile bounds a prompt by its bytes."""

from __future__ import annotations

from typing import Any

import pytest

from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
from benchstudio.speed import tokenizer
from benchstudio.speed.config import BenchConfig, Prices, TargetConfig
from benchstudio.speed.preparation import PromptSize
from benchstudio.speed.prompts import DEFAULT_PROMPT, build_prompt, run_salt
from benchstudio.speed.runner import BenchRunner
from benchstudio.speed.tokenizer import TokenCounter

USAGE = ModelProfile(ttft_ms=2, itl_ms=1, output_tokens=6)
NO_USAGE = ModelProfile(ttft_ms=2, itl_ms=1, output_tokens=6, quirks=["no_usage"])


class TokenizerUses:
    """Notes, at each use of the tokenizer, how many streams or windows were being timed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.timing: list[int] = []
        self.runner: BenchRunner | None = None
        original = tokenizer.get_encoding

        def get_encoding(name: str = tokenizer.DEFAULT_ENCODING) -> Any:
            self.timing.append(self.runner.deferred.timing if self.runner else -1)
            return original(name)

        monkeypatch.setattr(tokenizer, "get_encoding", get_encoding)

    def runner_for(self, config: BenchConfig) -> BenchRunner:
        self.runner = BenchRunner(config)
        return self.runner


@pytest.mark.parametrize(
    "text",
    [
        DEFAULT_PROMPT,
        "[0123456789ab] " + DEFAULT_PROMPT,
        "Ünïcödé, 中文字符, emoji 🙂🚀 and symbols ∑∫√ — all multi-byte",
        "a" * 1000,
        "    \n\n\t  spaces\r\n",
    ],
)
def test_a_prompts_bytes_bound_its_tokens_and_its_exact_count_is_the_tokenizers(
    text: str,
) -> None:
    size = PromptSize(text)
    for encoding in tokenizer.ENCODINGS:
        assert size.cap_tokens >= TokenCounter(encoding).count(text)
    counter = TokenCounter("o200k_base")
    assert size.exact(counter) == len(tokenizer.get_encoding("o200k_base").encode_ordinary(text))
    assert size.cap_tokens == size.tokens  # once counted, the cap charges the exact count


async def test_with_usage_in_the_stream_a_tier_0_run_never_loads_the_tokenizer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uses = TokenizerUses(monkeypatch)
    async with SimulatorServer(SimulatorConfig(default=USAGE)) as sim:
        target = TargetConfig(base_url=f"{sim.base_url}/v1", model="m")
        config = BenchConfig(targets=[target], concurrency=4, num_requests=12, warmup=1)
        result = await uses.runner_for(config).run()
        log = {r["request_id"]: r for r in sim.request_log()}
    assert uses.timing == []
    assert len(result.records) == len(log) == 13
    for record in result.records:
        assert not record.tokens_estimated
        assert record.input_tokens == log[record.request_id]["prompt_tokens"]
        assert record.output_tokens == 6
    assert [step.prompt_tokens for step in result.steps] == [None]


async def test_without_usage_prompts_are_counted_exactly_after_the_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uses = TokenizerUses(monkeypatch)
    prices = Prices(input=3.0, output=15.0)
    async with SimulatorServer(SimulatorConfig(default=NO_USAGE)) as sim:
        target = TargetConfig(base_url=f"{sim.base_url}/v1", model="m", prices=prices)
        config = BenchConfig(targets=[target], runs=3, warmup=1, max_cost=100.0)
        runner = uses.runner_for(config)
        result = await runner.run()
    # Used only when nothing was timed: between requests and after the window.
    assert uses.timing and set(uses.timing) == {0}
    counter = TokenCounter(tokenizer.encoding_for_model("m"))
    for index, record in enumerate(result.records):
        salt = run_salt(runner.run_id, 0, index, cache_probe=False)
        expected = counter.count(f"[{salt}] {DEFAULT_PROMPT}")
        assert record.input_tokens == expected and record.tokens_estimated
        exact = (expected * 3.0 + (record.output_tokens or 0) * 15.0) / 1e6
        assert record.cost_usd == pytest.approx(exact, abs=1e-8)
    step = result.steps[0]
    first_salt = run_salt(runner.run_id, 0, 0, cache_probe=False)
    assert step.prompt_tokens == counter.count(f"[{first_salt}] {DEFAULT_PROMPT}")
    # The cap's bounded spend is never below the exact spend.
    assert result.tracked_spend_usd is not None
    assert result.tracked_spend_usd >= sum(r.cost_usd or 0.0 for r in result.records)


async def test_prompts_sized_in_tokens_are_counted_before_the_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uses = TokenizerUses(monkeypatch)
    async with SimulatorServer(SimulatorConfig(default=USAGE)) as sim:
        target = TargetConfig(base_url=f"{sim.base_url}/v1", model="m")
        config = BenchConfig(targets=[target], runs=1, warmup=0, context_tokens=[200])
        runner = uses.runner_for(config)
        result = await runner.run()
    assert uses.timing and set(uses.timing) == {0}
    # The sized prompt lands within a token or two of the tier; the step reports its exact
    # count, computed here again from the same salt with the tokenizer itself.
    counter = TokenCounter(tokenizer.encoding_for_model("m"))
    salt = run_salt(runner.run_id, 200, 0, cache_probe=False)
    text = build_prompt(DEFAULT_PROMPT, target_tokens=200, salt=salt, counter=counter).text
    assert result.steps[0].prompt_tokens == counter.count(text)
    assert abs(counter.count(text) - 200) <= 2
