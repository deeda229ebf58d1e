"""The space check's request: a space and the target it would run against."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from benchstudio.core.input_types import CleanInput
from benchstudio.evals.runs.schemas import EvalTargetIn
from benchstudio.tuning.schemas.space import SearchSpaceIn


class SpaceCheckIn(CleanInput):
    model_config = ConfigDict(extra="forbid")

    target: EvalTargetIn = Field(description="The provider and model the space would run on.")
    space: SearchSpaceIn
