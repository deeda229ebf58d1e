"""The provider parameter registry, handed to the pure search-space checks as `ProviderRules`
(the tuning domain may not import the providers package itself)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from benchstudio.providers.params import (
    EffectiveParams,
    load_registry,
    parameter_specs,
    resolve_params,
)
from benchstudio.tuning.domain.space import SearchSpace, SpaceError
from benchstudio.tuning.domain.space_grid import grid_count
from benchstudio.tuning.domain.space_registry import ProviderRules, ValidatedSpace, validate_space
from benchstudio.tuning.schemas import ValidatedSpaceOut


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Every parameter name any provider table knows, model-family and when-set rules too."""
    names: set[str] = set()
    for table in load_registry().providers.values():
        names.update(table.params)
        for rule in (*table.model_rules, *table.when_set.values()):
            names.update(rule.params)
            names.update(rule.drop)
            names.update(rule.fixed)
    return frozenset(names)


def provider_rules(provider: str, model: str) -> ProviderRules:
    """The registry's rules for `model` on `provider` (a registry key such as `groq`; see
    `catalog.service.registry_provider` for mapping a stored provider to one)."""

    def resolve(requested: Mapping[str, Any]) -> EffectiveParams:
        return resolve_params(provider, model, requested)

    return ProviderRules(
        provider=provider,
        model=model,
        specs=parameter_specs(provider, model),
        vocabulary=_vocabulary(),
        resolve=resolve,
    )


def check_space(space: SearchSpace, provider: str, model: str) -> ValidatedSpace:
    """`space` as it will run for `model` on `provider`; a `SpaceError` (422) when it cannot."""
    return validate_space(space, provider_rules(provider, model))


def space_report(space: SearchSpace, provider: str, model: str) -> ValidatedSpaceOut:
    """What the tuner page shows before a run: the space as it will run, every adjustment,
    and the full grid's size (null when a range has no step, so no grid exists)."""
    validated = check_space(space, provider, model)
    try:
        size: int | None = grid_count(validated.space)
    except SpaceError:
        size = None
    return ValidatedSpaceOut.from_domain(validated, size)
