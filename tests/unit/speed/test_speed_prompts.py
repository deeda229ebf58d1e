"""Vendored tokenizers, corpus and context-tier prompts."""

from __future__ import annotations

import pytest

from benchstudio.speed import corpus, prompts
from benchstudio.speed.tokenizer import TokenCounter, encoding_for_model


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter("o200k_base")


def test_vendored_encodings_match_known_token_ids() -> None:
    # Known ids from OpenAI's published encodings.
    assert TokenCounter("cl100k_base").encode("hello world") == [15339, 1917]
    assert TokenCounter("o200k_base").encode("hello world") == [24912, 2375]


def test_encoding_choice_by_model() -> None:
    assert encoding_for_model("gpt-4o-mini") == "o200k_base"
    assert encoding_for_model("gpt-4-turbo") == "cl100k_base"
    assert encoding_for_model("openai/gpt-5") == "o200k_base"
    assert encoding_for_model("llama-3.1-8b") == "o200k_base"


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown encoding"):
        TokenCounter("p99k_base")


@pytest.mark.parametrize("kind", corpus.CORPUS_KINDS)
def test_corpus_kinds_are_large_and_deterministic(kind: corpus.CorpusKind) -> None:
    text = corpus.corpus_text(kind)
    assert len(text) > 150_000
    assert text == corpus.corpus_text(kind)


@pytest.mark.parametrize("target", [1000, 8000, 50_000])
def test_prompt_is_sized_to_the_tier(counter: TokenCounter, target: int) -> None:
    built = prompts.build_prompt(
        "Summarise.", target_tokens=target, salt="abc123abc123", counter=counter
    )
    assert abs(built.prompt_tokens - target) <= max(2, target // 500)
    assert built.text.startswith("[abc123abc123] ")
    assert built.text.endswith("Summarise.")


def test_tier_zero_is_just_the_salted_prompt(counter: TokenCounter) -> None:
    built = prompts.build_prompt("Hi there", target_tokens=0, salt="0a0a0a0a0a0a", counter=counter)
    assert built.text == "[0a0a0a0a0a0a] Hi there"


def test_tiers_beyond_the_corpus_wrap_around(counter: TokenCounter) -> None:
    built = prompts.build_prompt(
        "Q", target_tokens=300_000, salt="ffffffffffff", counter=counter, corpus_kind="code"
    )
    assert abs(built.prompt_tokens - 300_000) < 600


def test_salts_differ_per_run_unless_cache_probe() -> None:
    a = prompts.run_salt("run", 1000, 0, cache_probe=False)
    b = prompts.run_salt("run", 1000, 1, cache_probe=False)
    assert a != b
    assert prompts.run_salt("run", 1000, 0, cache_probe=True) == prompts.run_salt(
        "run", 1000, 5, cache_probe=True
    )


def test_salt_swap_keeps_the_rest_of_the_prompt(counter: TokenCounter) -> None:
    built = prompts.build_prompt("Q", target_tokens=500, salt="aaaaaaaaaaaa", counter=counter)
    swapped = built.messages_for("bbbbbbbbbbbb")[0]["content"]
    assert swapped.startswith("[bbbbbbbbbbbb] ")
    assert swapped[14:] == built.text[14:]


def test_tier_skip_reason() -> None:
    assert prompts.tier_skip_reason(8000, 256, 8192) is not None
    assert prompts.tier_skip_reason(7000, 256, 8192) is None
    assert prompts.tier_skip_reason(10**6, 256, None) is None
