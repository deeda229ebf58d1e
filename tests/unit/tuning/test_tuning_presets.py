"""Built-in vendor presets: each names its source, matches the right model ids, recommends
a point inside its own space, and survives the registry of an open-model server."""

from __future__ import annotations

import pytest

from benchstudio.tuning.domain.presets import (
    BUILTIN_PRESETS,
    VendorPreset,
    preset_by_id,
    presets_for,
)
from benchstudio.tuning.domain.space import ChoiceDimension, RangeDimension, check_shape
from benchstudio.tuning.domain.space_grid import grid_count
from benchstudio.tuning.service import check_space


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("Qwen/Qwen3-8B", ["qwen3-thinking", "qwen3-non-thinking"]),
        ("qwen3:30b-a3b", ["qwen3-thinking", "qwen3-non-thinking"]),
        ("Qwen/Qwen3-235B-A22B-Instruct-2507", ["qwen3-non-thinking"]),
        ("Qwen/Qwen3-30B-A3B-Thinking-2507", ["qwen3-thinking"]),
        ("deepseek-ai/DeepSeek-R1", ["deepseek-r1"]),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", ["deepseek-r1"]),
        ("meta-llama/Llama-3.3-70B-Instruct", ["llama-3"]),
        ("llama3.1:8b", ["llama-3"]),
        ("accounts/fireworks/models/llama-v3p1-8b-instruct", []),
        ("mistral-small-latest", ["mistral-small"]),
        ("mistralai/Mistral-Small-3.1-24B-Instruct-2503", ["mistral-small"]),
        ("google/gemma-3-27b-it", ["gemma-3"]),
        ("gemma3:4b", ["gemma-3"]),
        ("gpt-4o", []),
        ("Qwen/Qwen2.5-7B-Instruct", []),
    ],
)
def test_presets_match_their_model_ids(model: str, expected: list[str]) -> None:
    assert [p.id for p in presets_for(model)] == expected


def test_the_qwen3_recommendations_match_the_model_card() -> None:
    thinking = preset_by_id("qwen3-thinking")
    plain = preset_by_id("qwen3-non-thinking")
    assert thinking is not None and plain is not None
    assert thinking.recommended == {"temperature": 0.6, "top_p": 0.95, "top_k": 20, "min_p": 0.0}
    assert plain.recommended == {"temperature": 0.7, "top_p": 0.8, "top_k": 20, "min_p": 0.0}
    assert preset_by_id("nope") is None


@pytest.mark.parametrize("preset", BUILTIN_PRESETS, ids=lambda p: p.id)
def test_each_preset_is_sourced_and_recommends_a_point_in_its_space(preset: VendorPreset) -> None:
    assert preset.source.startswith("https://")
    check_shape(preset.space)
    assert set(preset.recommended) <= set(preset.space.names())
    for name, value in preset.recommended.items():
        dimension = preset.space.dimension(name)
        if isinstance(dimension, RangeDimension):
            assert dimension.snap(value) == value, name
            assert value in dimension.grid_values(), name
        else:
            assert isinstance(dimension, ChoiceDimension)
            assert value in dimension.choices, name
    assert 1 < grid_count(preset.space) <= 500


@pytest.mark.parametrize("preset", BUILTIN_PRESETS, ids=lambda p: p.id)
def test_each_preset_runs_unchanged_on_vllm(preset: VendorPreset) -> None:
    validated = check_space(preset.space, "vllm", "some/model")
    assert validated.adjustments == ()
    assert validated.space == preset.space


def test_a_preset_on_openai_loses_the_open_model_samplers() -> None:
    preset = preset_by_id("gemma-3")
    assert preset is not None
    validated = check_space(preset.space, "openai", "gpt-4o")
    assert validated.space.names() == ["temperature", "top_p"]
    assert [(a.param, a.action) for a in validated.adjustments] == [
        ("top_k", "drop"),
        ("min_p", "drop"),
    ]


def test_preset_serialises() -> None:
    preset = preset_by_id("deepseek-r1")
    assert preset is not None
    data = preset.to_dict()
    assert data["recommended"] == {"temperature": 0.6, "top_p": 0.95}
    assert data["space"]["dimensions"][0] == {
        "kind": "range",
        "name": "temperature",
        "low": 0.5,
        "high": 0.7,
        "step": 0.05,
        "scale": "linear",
        "integer": False,
        "condition": None,
    }
