"""Pure pieces: token approximation, deterministic text, plans, schedules, scripts, directives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchstudio.simulator.chat_request import (
    RequestError,
    parse_anthropic,
    parse_gemini,
    parse_openai,
)
from benchstudio.simulator.config import ModelProfile, SimulatorConfig, ToolRule, load_config
from benchstudio.simulator.directives import (
    DirectiveError,
    FaultKind,
    QuirkKind,
    parse_fault_header,
    parse_quirk_header,
)
from benchstudio.simulator.plan import build_plan
from benchstudio.simulator.stream_events import split_data_lines, token_groups
from benchstudio.simulator.textgen import (
    approx_tokens,
    generate_words,
    request_rng,
    split_text_tokens,
)
from benchstudio.simulator.tool_script import resolve_reply


def openai(text: str, **extra: object) -> dict[str, object]:
    return {"model": "m", "messages": [{"role": "user", "content": text}], **extra}


def test_approx_tokens_is_ceil_of_chars_over_four() -> None:
    assert [approx_tokens(t) for t in ["", "a", "abcd", "abcde"]] == [0, 1, 1, 2]


def test_same_seed_and_prompt_give_same_words() -> None:
    first = generate_words(request_rng(7, "m", "hello"), 20)
    assert first == generate_words(request_rng(7, "m", "hello"), 20)
    assert first != generate_words(request_rng(8, "m", "hello"), 20)
    assert first[1].startswith(" ") and not first[0].startswith(" ")


@pytest.mark.parametrize("text", ["Hello, world!", "  lead", "trail  ", "a\nb c", ""])
def test_split_text_tokens_round_trips(text: str) -> None:
    assert "".join(split_text_tokens(text)) == text


def test_schedule_offsets_are_ttft_then_itl() -> None:
    profile = ModelProfile(ttft_ms=100, itl_ms=10, output_tokens=4)
    plan = build_plan(parse_openai(openai("hi")), profile, request_rng(0, "x"), 1)
    assert plan.offsets == pytest.approx([0.1, 0.11, 0.12, 0.13])


def test_prefill_and_jitter_stay_within_bounds() -> None:
    profile = ModelProfile(
        ttft_ms=100, itl_ms=10, jitter_ms=5, prefill_ms_per_1k_tokens=50, output_tokens=50
    )
    plan = build_plan(parse_openai(openai("x" * 4000)), profile, request_rng(0, "x"), 1)
    assert 0.145 <= plan.offsets[0] <= 0.155
    gaps = [b - a for a, b in zip(plan.offsets, plan.offsets[1:], strict=False)]
    assert all(0.005 - 1e-9 <= gap <= 0.015 + 1e-9 for gap in gaps)
    assert len(set(round(gap, 9) for gap in gaps)) > 1


def test_max_tokens_caps_reasoning_first_and_sets_length() -> None:
    profile = ModelProfile(output_tokens=50, reasoning_tokens=6)
    plan = build_plan(parse_openai(openai("hi", max_tokens=10)), profile, request_rng(0, "x"), 1)
    assert (plan.reasoning_tokens, len(plan.content), plan.finish) == (6, 4, "length")
    assert plan.output_tokens == 10


def test_output_length_distributions() -> None:
    profile = ModelProfile.model_validate(
        {"output_tokens": {"distribution": "uniform", "min": 5, "max": 9}}
    )
    lengths = {
        len(build_plan(parse_openai(openai(f"p{i}")), profile, request_rng(0, str(i)), 1).content)
        for i in range(60)
    }
    assert lengths <= set(range(5, 10))
    assert len(lengths) > 2


def test_token_groups_carry_last_offset_and_count() -> None:
    groups = list(token_groups(["a", " b", " c", " d"], [0.1, 0.2, 0.3, 0.4, 0.5], 1, 3))
    assert groups == [(0.4, "a b c", 3), (0.5, " d", 1)]


def test_split_data_lines_keeps_json_valid() -> None:
    payload = b'data: {"a":"x,","b":1}\n\n'
    split = split_data_lines(payload)
    joined = b"\n".join(line[6:] for line in split.strip().split(b"\n"))
    assert json.loads(joined) == {"a": "x,", "b": 1}


def test_script_rules_match_prompt_state_and_substitute() -> None:
    rules = [
        ToolRule.model_validate({"match": {"last_role": "tool"}, "text": "done"}),
        ToolRule.model_validate(
            {
                "match": {"prompt": r"book (?P<n>\d+) seats", "tool_offered": "book"},
                "tool_calls": [{"name": "book", "arguments": {"seats": "${n}", "tags": ["${n}"]}}],
            }
        ),
        ToolRule.model_validate(
            {
                "match": {"prompt": "embed"},
                "text": "Sure: ",
                "embed_in_text": True,
                "tool_calls": [{"name": "x", "arguments": {"a": 1}}],
            }
        ),
    ]
    tools = [{"type": "function", "function": {"name": "book", "parameters": {}}}]
    reply = resolve_reply(parse_openai(openai("please book 3 seats", tools=tools)), rules)
    assert [(c.name, json.loads(c.arguments)) for c in reply.calls] == [
        ("book", {"seats": "3", "tags": ["3"]})
    ]
    assert resolve_reply(parse_openai(openai("please book 3 seats")), rules).calls == []
    embedded = build_plan(
        parse_openai(openai("embed")), ModelProfile(tool_script=rules), request_rng(0), 1
    )
    assert embedded.calls == []
    assert (
        embedded.content_text
        == 'Sure: <tool_call>\n{"name": "x", "arguments": {"a": 1}}\n</tool_call>'
    )
    after_tool = parse_openai(
        {
            "model": "m",
            "messages": [
                {"role": "user", "content": "book 3 seats"},
                {"role": "tool", "content": "ok"},
            ],
        }
    )
    assert resolve_reply(after_tool, rules).text == "done"


def test_requests_parse_state_from_each_format() -> None:
    anthropic = parse_anthropic(
        {
            "model": "c",
            "max_tokens": 5,
            "system": "be brief",
            "messages": [
                {"role": "user", "content": "q"},
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "t", "name": "f", "input": {}}],
                },
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "t", "content": "r"}],
                },
            ],
            "tool_choice": {"type": "tool", "name": "f"},
        }
    )
    assert (anthropic.last_role, anthropic.tool_results, anthropic.forced_tool) == ("tool", 1, "f")
    gemini = parse_gemini(
        {
            "contents": [{"role": "user", "parts": [{"text": "q"}]}],
            "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["g"]}},
            "generationConfig": {"maxOutputTokens": 12},
        },
        "gem",
        stream=True,
    )
    assert (gemini.tool_choice, gemini.forced_tool, gemini.max_tokens) == ("required", "g", 12)
    with pytest.raises(RequestError):
        parse_anthropic({"model": "c", "messages": []})


def test_directive_headers() -> None:
    faults = parse_fault_header("rate_limit;retry_after=2.5, disconnect;after_events=4")
    assert [(f.kind, f.retry_after, f.after_events) for f in faults] == [
        (FaultKind.RATE_LIMIT, 2.5, 3),
        (FaultKind.DISCONNECT, 1.0, 4),
    ]
    assert parse_quirk_header(" no_usage ,sse_comments")[1].kind is QuirkKind.SSE_COMMENTS
    with pytest.raises(DirectiveError):
        parse_fault_header("rate_limit;retry_after")
    with pytest.raises(DirectiveError):
        parse_quirk_header("made_up")


def test_yaml_config_with_model_mapping(tmp_path: Path) -> None:
    path = tmp_path / "sim.yaml"
    path.write_text(
        "default: {ttft_ms: 5}\n"
        "models:\n"
        "  slow: {ttft_ms: 900, quirks: [no_usage], faults: [{kind: rate_limit, every: 3}]}\n"
        "  small: {context_window: 100, output_tokens: 3}\n"
    )
    config = load_config(path)
    assert [p.name for p in config.all_profiles()] == ["benchstudio-sim", "slow", "small"]
    assert config.profile_for("slow").quirks[0].kind is QuirkKind.NO_USAGE
    assert config.profile_for("small").output_tokens.tokens == 3
    assert config.profile_for("unknown").ttft_ms == 5
    with pytest.raises(ValueError, match="unique"):
        SimulatorConfig.model_validate({"models": [{"name": "a"}, {"name": "a"}]})


def test_empty_output_still_ends_after_ttft() -> None:
    plan = build_plan(
        parse_openai(openai("hi")), ModelProfile(ttft_ms=100, output_tokens=0), request_rng(0), 1
    )
    assert plan.offsets == []
    assert plan.end_offset == pytest.approx(0.1)


def test_fault_probability_is_seeded_and_every_counts_requests() -> None:
    import random

    spec = parse_fault_header("server_error;probability=0.5")[0]
    first = [spec.fires(n, random.Random(3)) for n in range(1, 2)]
    rng_a, rng_b = random.Random(3), random.Random(3)
    run_a = [spec.fires(n, rng_a) for n in range(1, 41)]
    run_b = [spec.fires(n, rng_b) for n in range(1, 41)]
    assert run_a == run_b
    assert 5 < sum(run_a) < 35
    assert first == run_a[:1]
    every = parse_fault_header("server_error;every=3")[0]
    assert [every.fires(n, random.Random(0)) for n in range(1, 7)] == [False, False, True] * 2
