"""The submitted benchmark is refused, never silently changed (issue 17, bugs 4 and 12)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from benchstudio.benchruns.schemas import BenchmarkCreate

TARGET = {"provider_id": "p1", "model_id": "m"}


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t"])
def test_an_empty_prompt_is_refused_not_replaced(prompt: str) -> None:
    with pytest.raises(ValidationError, match="the prompt is empty"):
        BenchmarkCreate(targets=[TARGET], prompt=prompt)


def test_an_absent_prompt_means_the_documented_default() -> None:
    assert BenchmarkCreate(targets=[TARGET]).prompt is None


@pytest.mark.parametrize("tiers", [[2000, 2000], [0, 8000, 0]])
def test_duplicate_context_tiers_are_refused(tiers: list[int]) -> None:
    with pytest.raises(ValidationError, match="may appear once"):
        BenchmarkCreate(targets=[TARGET], context_tokens=tiers)


def test_distinct_tiers_pass() -> None:
    assert BenchmarkCreate(targets=[TARGET], context_tokens=[0, 2000]).context_tokens == [0, 2000]
