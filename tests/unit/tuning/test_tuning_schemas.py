"""The API shapes of a search space: parsed at the edge, turned into the domain's records
and back, with the kind of each dimension required."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from benchstudio.tuning.domain.presets import preset_by_id
from benchstudio.tuning.domain.space import (
    ChoiceDimension,
    Condition,
    RangeDimension,
    SearchSpace,
)
from benchstudio.tuning.schemas import SearchSpaceIn, VendorPresetOut

BODY = {
    "dimensions": [
        {"kind": "range", "name": "temperature", "low": 0, "high": 1, "step": 0.25},
        {"kind": "choice", "name": "mode", "choices": ["think", "plain"]},
        {
            "kind": "choice",
            "name": "reasoning_effort",
            "choices": ["low", "high"],
            "condition": {"param": "mode", "values": ["think"]},
        },
        {
            "kind": "range",
            "name": "max_tokens",
            "low": 64,
            "high": 1024,
            "step": 2,
            "scale": "log",
            "integer": True,
        },
    ],
    "repeats": 3,
}


def test_a_space_body_becomes_domain_records() -> None:
    space = SearchSpaceIn.model_validate(BODY).to_domain()
    assert space == SearchSpace(
        (
            RangeDimension("temperature", 0.0, 1.0, step=0.25),
            ChoiceDimension("mode", ("think", "plain")),
            ChoiceDimension("reasoning_effort", ("low", "high"), Condition("mode", ("think",))),
            RangeDimension("max_tokens", 64.0, 1024.0, step=2.0, scale="log", integer=True),
        ),
        repeats=3,
    )
    assert SearchSpaceIn.from_domain(space).to_domain() == space


@pytest.mark.parametrize(
    "body",
    [
        {"dimensions": [{"name": "temperature", "low": 0, "high": 1}]},  # no kind
        {"dimensions": [{"kind": "choice", "name": "top_k", "choices": []}]},
        {"dimensions": [{"kind": "range", "name": "top p", "low": 0, "high": 1}]},
        {"dimensions": [{"kind": "range", "name": "top_p", "low": 0, "high": 1, "step": 0}]},
        {"dimensions": [], "repeats": 0},
        {"dimensions": [], "extra": True},
    ],
)
def test_malformed_bodies_fail_validation(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SearchSpaceIn.model_validate(body)


def test_a_vendor_preset_is_shown_with_its_source() -> None:
    preset = preset_by_id("qwen3-thinking")
    assert preset is not None
    shown = VendorPresetOut.from_domain(preset)
    assert shown.source == "https://huggingface.co/Qwen/Qwen3-8B#best-practices"
    assert [d.name for d in shown.dimensions] == ["temperature", "top_p", "top_k", "min_p"]
    assert shown.dimensions[2].choices == [10, 20, 40]
