"""Built-in vendor presets: the sampling settings model makers recommend, each with its
source, the model ids it applies to, and a default search space around the recommendation.

The recommended point is always evaluated as a baseline when a preset applies; the space
around it is a starting point the user edits. Spaces stay inside the values every
OpenAI-compatible open-model server accepts; the registry still clamps per provider.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from benchstudio.tuning.domain.space import (
    ChoiceDimension,
    Dimension,
    RangeDimension,
    SearchSpace,
)


@dataclass(frozen=True, slots=True)
class VendorPreset:
    id: str
    family: str
    label: str
    source: str  # the model card (or the maker's guide) the numbers come from
    applies_to: str  # regular expression searched in the lower-cased model id
    recommended: dict[str, Any]
    space: SearchSpace
    notes: str = ""

    def applies(self, model: str) -> bool:
        return re.search(self.applies_to, model.lower()) is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "family": self.family,
            "label": self.label,
            "source": self.source,
            "applies_to": self.applies_to,
            "recommended": dict(self.recommended),
            "space": self.space.to_dict(),
            "notes": self.notes,
        }


def _temperature(center: float, spread: float, low: float = 0.0) -> RangeDimension:
    return RangeDimension(
        "temperature", max(low, round(center - spread, 2)), round(center + spread, 2), step=0.1
    )


def _top_p(center: float) -> RangeDimension:
    return RangeDimension("top_p", round(max(0.5, center - 0.15), 2), 1.0, step=0.05)


def _space(*dimensions: Dimension) -> SearchSpace:
    return SearchSpace(tuple(dimensions))


QWEN3_CARD = "https://huggingface.co/Qwen/Qwen3-8B#best-practices"

BUILTIN_PRESETS: tuple[VendorPreset, ...] = (
    VendorPreset(
        id="qwen3-thinking",
        family="Qwen3",
        label="Qwen3, thinking mode",
        source=QWEN3_CARD,
        # Hybrid Qwen3 models and the Thinking-2507 releases; not the Instruct-2507 ones,
        # which have no thinking mode.
        applies_to=r"qwen3(?!.*instruct-2507)",
        recommended={"temperature": 0.6, "top_p": 0.95, "top_k": 20, "min_p": 0.0},
        space=_space(
            _temperature(0.6, 0.3),
            _top_p(0.95),
            ChoiceDimension("top_k", (10, 20, 40)),
            ChoiceDimension("min_p", (0.0, 0.05)),
        ),
        notes="The card warns against greedy decoding in thinking mode (endless repetition).",
    ),
    VendorPreset(
        id="qwen3-non-thinking",
        family="Qwen3",
        label="Qwen3, non-thinking mode",
        source=QWEN3_CARD,
        applies_to=r"qwen3(?!.*thinking-2507)",
        recommended={"temperature": 0.7, "top_p": 0.8, "top_k": 20, "min_p": 0.0},
        space=_space(
            _temperature(0.7, 0.3),
            _top_p(0.8),
            ChoiceDimension("top_k", (10, 20, 40)),
            ChoiceDimension("min_p", (0.0, 0.05)),
        ),
        notes="Non-thinking mode is chosen in the chat template (enable_thinking=false or "
        "/no_think), not by a sampling parameter.",
    ),
    VendorPreset(
        id="deepseek-r1",
        family="DeepSeek-R1",
        label="DeepSeek-R1 and its distills",
        source="https://huggingface.co/deepseek-ai/DeepSeek-R1#usage-recommendations",
        applies_to=r"deepseek-r1|r1-distill",
        recommended={"temperature": 0.6, "top_p": 0.95},
        # The card keeps temperature within 0.5-0.7 to avoid repetition or incoherence.
        space=_space(RangeDimension("temperature", 0.5, 0.7, step=0.05), _top_p(0.95)),
        notes="No system prompt: put every instruction in the user turn.",
    ),
    VendorPreset(
        id="llama-3",
        family="Llama 3.x",
        label="Llama 3.1 / 3.2 / 3.3 Instruct",
        source="https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct/blob/main/generation_config.json",
        applies_to=r"llama[-_ .]?3",
        recommended={"temperature": 0.6, "top_p": 0.9},
        space=_space(_temperature(0.6, 0.4), _top_p(0.9)),
    ),
    VendorPreset(
        id="mistral-small",
        family="Mistral",
        label="Mistral Small 3.x Instruct",
        source="https://huggingface.co/mistralai/Mistral-Small-24B-Instruct-2501",
        applies_to=r"mistral-small",
        recommended={"temperature": 0.15},
        # The card recommends "a relatively low temperature, such as 0.15".
        space=_space(RangeDimension("temperature", 0.0, 0.5, step=0.05), _top_p(1.0)),
    ),
    VendorPreset(
        id="gemma-3",
        family="Gemma",
        label="Gemma 3 instruction-tuned",
        source="https://huggingface.co/google/gemma-3-27b-it/blob/main/generation_config.json",
        applies_to=r"gemma[-_ ]?3",
        recommended={"temperature": 1.0, "top_k": 64, "top_p": 0.95, "min_p": 0.0},
        space=_space(
            _temperature(1.0, 0.4),
            _top_p(0.95),
            ChoiceDimension("top_k", (32, 64, 128)),
            ChoiceDimension("min_p", (0.0, 0.01, 0.05)),
        ),
        notes="top_k 64 and top_p 0.95 are the model's generation config; temperature 1.0 "
        "is the Gemma team's recommendation for chat.",
    ),
)


def presets_for(model: str) -> list[VendorPreset]:
    """The built-in presets whose pattern matches `model`, in table order."""
    return [preset for preset in BUILTIN_PRESETS if preset.applies(model)]


def preset_by_id(preset_id: str) -> VendorPreset | None:
    return next((p for p in BUILTIN_PRESETS if p.id == preset_id), None)
