"""The tuner's API shapes: search spaces (`space`), runs, trials and results (`runs`), and
saved search-space presets (`presets`)."""

from benchstudio.tuning.schemas.presets import SpacePresetIn, SpacePresetOut, SpacePresetUpdate
from benchstudio.tuning.schemas.runs import (
    ApplyBestIn,
    ApplyBestOut,
    BudgetIn,
    ObjectiveIn,
    StoppingIn,
    StrategyIn,
    TrialOut,
    TunerEstimateOut,
    TunerResultsOut,
    TunerRunCreate,
    TunerRunDetail,
    TunerRunOut,
    TunerRunPage,
    TunerSubmitted,
)
from benchstudio.tuning.schemas.space import (
    SearchSpaceIn,
    ValidatedSpaceOut,
    VendorPresetOut,
)

__all__ = [
    "ApplyBestIn",
    "ApplyBestOut",
    "BudgetIn",
    "ObjectiveIn",
    "SearchSpaceIn",
    "SpacePresetIn",
    "SpacePresetOut",
    "SpacePresetUpdate",
    "StoppingIn",
    "StrategyIn",
    "TrialOut",
    "TunerEstimateOut",
    "TunerResultsOut",
    "TunerRunCreate",
    "TunerRunDetail",
    "TunerRunOut",
    "TunerRunPage",
    "TunerSubmitted",
    "ValidatedSpaceOut",
    "VendorPresetOut",
]
