"""Properties of search spaces over generated input (profile from HYPOTHESIS_PROFILE):
the grid count equals the enumeration, grid and snapped values stay in range and on the
step, clamped points share a fingerprint, dropped parameters leave with an adjustment, and
inactive conditional dimensions never reach the request."""

from __future__ import annotations

import math

from hypothesis import assume, given
from hypothesis import strategies as st

from benchstudio.providers.params import load_registry, parameter_specs
from benchstudio.tuning.domain.space import (
    ChoiceDimension,
    Condition,
    RangeDimension,
    SearchSpace,
)
from benchstudio.tuning.domain.space_grid import grid_count, iter_grid
from benchstudio.tuning.domain.space_points import effective_params, effective_point
from benchstudio.tuning.service import check_space, provider_rules

PROVIDERS = sorted(load_registry().providers)
bounded = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)


@st.composite
def linear_ranges(draw: st.DrawFn, name: str = "x") -> RangeDimension:
    low = round(draw(bounded), 3)
    span = round(draw(st.floats(min_value=0.01, max_value=20)), 3)
    step = round(draw(st.floats(min_value=0.01, max_value=10)), 3)
    assume(span > 0 and step > 0)
    return RangeDimension(name, low, low + span, step=step)


@st.composite
def log_ranges(draw: st.DrawFn, name: str = "x") -> RangeDimension:
    low = draw(st.floats(min_value=1e-4, max_value=100))
    factor = draw(st.floats(min_value=1.5, max_value=1e4))
    ratio = draw(st.floats(min_value=1.1, max_value=10))
    integer = draw(st.booleans())
    if integer:
        low = float(max(1, round(low)))
        high = float(round(low * factor))
    else:
        high = low * factor
    assume(high > low)
    return RangeDimension(name, low, high, step=ratio, scale="log", integer=integer)


@st.composite
def conditional_spaces(draw: st.DrawFn) -> SearchSpace:
    """temperature, a top_k controller with 1-3 choices, and 0-3 penalties or min_p active
    on a subset of the top_k values (all parameters vLLM takes)."""
    labels = draw(
        st.lists(st.sampled_from((10, 20, 30, 40, 50)), min_size=1, max_size=3, unique=True)
    )
    controller = ChoiceDimension("top_k", tuple(labels))
    children = []
    names = draw(
        st.lists(st.sampled_from(("min_p", "presence_penalty", "frequency_penalty")), unique=True)
    )
    for name in names:
        values = draw(st.lists(st.sampled_from(labels), min_size=1, unique=True))
        size = draw(st.integers(1, 4))
        choices = tuple(round(0.1 * i, 1) for i in range(size))
        children.append(ChoiceDimension(name, choices, Condition("top_k", tuple(values))))
    step = draw(st.sampled_from((0.1, 0.25, 0.5)))
    temperature = RangeDimension("temperature", 0.0, 1.0, step=step)
    return SearchSpace((temperature, controller, *children))


@given(dimension=linear_ranges())
def test_linear_grid_values_stay_in_range_on_the_step(dimension: RangeDimension) -> None:
    values = dimension.grid_values()
    assert values[0] == dimension.low
    assert all(dimension.low <= v <= dimension.high + 1e-9 for v in values)
    assert values == sorted(set(values))
    step = dimension.step
    assert step is not None
    for value in values:
        steps = (value - dimension.low) / step
        assert math.isclose(steps, round(steps), abs_tol=1e-6)


@given(dimension=log_ranges())
def test_log_grid_values_stay_in_range(dimension: RangeDimension) -> None:
    values = dimension.grid_values()
    assert values == sorted(set(values))
    tolerance = 1e-9 * dimension.high
    assert all(dimension.low - tolerance <= v <= dimension.high + tolerance for v in values)
    if dimension.integer:
        assert all(isinstance(v, int) for v in values)


@given(dimension=st.one_of(linear_ranges(), log_ranges()), value=st.floats(-1e6, 1e6))
def test_snap_lands_on_a_grid_value(dimension: RangeDimension, value: float) -> None:
    snapped = dimension.snap(value)
    tolerance = 1e-9 * max(1.0, abs(dimension.high))
    assert dimension.low - tolerance <= snapped <= dimension.high + tolerance
    grid = dimension.grid_values()
    assert any(math.isclose(snapped, g, rel_tol=1e-9, abs_tol=1e-9) for g in grid)


@given(space=conditional_spaces())
def test_grid_count_matches_the_enumeration(space: SearchSpace) -> None:
    points = list(iter_grid(space))
    assert grid_count(space) == len(points)
    keys = [tuple(sorted(p.items())) for p in points]
    assert len(set(keys)) == len(keys)


@given(space=conditional_spaces())
def test_inactive_dimensions_never_reach_the_request(space: SearchSpace) -> None:
    validated = check_space(space, "vllm", "m")
    assert validated.space == space and validated.adjustments == ()
    rules = provider_rules("vllm", "m")
    for point in iter_grid(validated.space):
        sent = effective_point(validated, rules, point)
        assert set(sent.params) == set(point)
        for dimension in validated.space.dimensions:
            condition = dimension.condition
            if condition is not None and condition.param is not None:
                active = point[condition.param] in condition.values
                assert (dimension.name in sent.params) == active


@given(provider=st.sampled_from(PROVIDERS), excess=st.floats(0, 100, allow_nan=False))
def test_points_beyond_a_limit_share_the_limits_fingerprint(provider: str, excess: float) -> None:
    spec = parameter_specs(provider, "m").get("temperature")
    assume(spec is not None and spec.max is not None)
    assert spec is not None and spec.max is not None
    rules = provider_rules(provider, "m")
    beyond = effective_params(rules, {"temperature": spec.max + excess})
    at_limit = effective_params(rules, {"temperature": spec.max})
    assert beyond.fingerprint == at_limit.fingerprint
    assert beyond.params == at_limit.params


@given(provider=st.sampled_from(PROVIDERS), data=st.data())
def test_parameters_a_provider_lacks_leave_with_an_adjustment(
    provider: str, data: st.DataObject
) -> None:
    known = set(parameter_specs(provider, "m"))
    vocabulary = provider_rules(provider, "m").vocabulary
    missing = sorted(vocabulary - known - {"seed", "random_seed"})
    assume(missing and "temperature" in known)
    name = data.draw(st.sampled_from(missing))
    space = SearchSpace(
        (RangeDimension("temperature", 0.0, 0.5, step=0.25), ChoiceDimension(name, ("x",)))
    )
    validated = check_space(space, provider, "m")
    assert validated.space.names() == ["temperature"]
    assert [(a.param, a.action) for a in validated.adjustments if a.param == name] == [
        (name, "drop")
    ]


@given(space=conditional_spaces(), repeats=st.integers(1, 50))
def test_space_dict_round_trip(space: SearchSpace, repeats: int) -> None:
    space = SearchSpace(space.dimensions, repeats)
    assert SearchSpace.from_dict(space.to_dict()) == space
