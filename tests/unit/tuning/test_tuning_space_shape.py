"""Search-space records: shape checks with clear refusals, range values and snapping,
conditions, and the dict round trip the job parameters and the API rely on."""

from __future__ import annotations

import pytest

from benchstudio.tuning.domain.space import (
    ChoiceDimension,
    Condition,
    RangeDimension,
    SearchSpace,
    SpaceError,
    active_point,
    check_shape,
    ordered,
)

MODE = ChoiceDimension("mode", ("think", "plain"))
EFFORT = ChoiceDimension("reasoning_effort", ("low", "high"), Condition("mode", ("think",)))


def refusal(space: SearchSpace) -> tuple[str, str]:
    with pytest.raises(SpaceError) as caught:
        check_shape(space)
    assert caught.value.status_code == 422
    return caught.value.param, caught.value.reason


def test_an_empty_space_is_refused() -> None:
    assert refusal(SearchSpace(())) == ("space", "add at least one parameter to search over")


def test_seed_is_not_a_dimension() -> None:
    space = SearchSpace((ChoiceDimension("seed", (1, 2, 3)),))
    assert refusal(space) == ("seed", "seeds are not a search dimension; set repeats instead")


@pytest.mark.parametrize(
    ("dimension", "reason"),
    [
        (
            RangeDimension("temperature", 1.0, 0.5),
            "impossible range: low (1) must be below high (0.5)",
        ),
        (
            RangeDimension("temperature", 0.5, 0.5),
            "impossible range: low (0.5) must be below high (0.5)",
        ),
        (
            RangeDimension("max_tokens", 0, 512, scale="log"),
            "a log-scale range needs a positive lower bound",
        ),
        (
            RangeDimension("max_tokens", 64, 512, step=1.0, scale="log"),
            "on a log scale the step is a ratio and must be above 1",
        ),
        (RangeDimension("top_p", 0.1, 0.9, step=-0.1), "step must be a positive number"),
        (
            RangeDimension("top_k", 1.5, 40, integer=True),
            "takes whole numbers: use whole-number bounds",
        ),
        (
            RangeDimension("top_k", 1, 40, step=2.5, integer=True),
            "takes whole numbers: use a whole-number step",
        ),
        (RangeDimension("top_p", 0.0, float("inf")), "range bounds must be finite numbers"),
        (ChoiceDimension("top_k", ()), "list at least one choice"),
        (ChoiceDimension("top_k", (20, 40, 20)), "lists the same choice twice"),
        (
            ChoiceDimension("stop", (None, ["\n"])),
            "null is not a choice: leave the parameter out instead",
        ),
    ],
)
def test_bad_dimensions_are_refused_with_a_reason(dimension: object, reason: str) -> None:
    space = SearchSpace((dimension,))  # type: ignore[arg-type]
    assert refusal(space)[1] == reason


def test_duplicate_names_and_bad_repeats() -> None:
    twice = SearchSpace((RangeDimension("top_p", 0.1, 0.9), ChoiceDimension("top_p", (0.5,))))
    assert refusal(twice) == ("top_p", "appears twice in the search space")
    assert refusal(SearchSpace((MODE,), repeats=0)) == ("repeats", "must be between 1 and 50")


def test_conditions_must_name_a_choice_dimension_and_its_values() -> None:
    missing = SearchSpace((EFFORT,))
    assert refusal(missing) == ("reasoning_effort", "depends on mode, which is not in the space")
    on_range = SearchSpace(
        (
            RangeDimension("temperature", 0, 1),
            ChoiceDimension("top_k", (20,), Condition("temperature", (0.5,))),
        )
    )
    assert refusal(on_range) == ("top_k", "can depend only on a choice dimension, not temperature")
    never = SearchSpace((MODE, ChoiceDimension("top_k", (20,), Condition("mode", ("fast",)))))
    assert refusal(never) == ("top_k", "mode never takes 'fast'")
    bad_regex = SearchSpace((ChoiceDimension("top_k", (20,), Condition(model_pattern="(")),))
    assert refusal(bad_regex)[1].startswith("model pattern is not a valid regex")


def test_a_cycle_of_conditions_is_refused() -> None:
    a = ChoiceDimension("a", (1, 2), Condition("b", (1,)))
    b = ChoiceDimension("b", (1, 2), Condition("a", (1,)))
    assert refusal(SearchSpace((a, b))) == ("a", "conditions form a cycle (a, b)")


def test_linear_grid_values_include_both_ends() -> None:
    assert RangeDimension("temperature", 0.0, 1.0, step=0.25).grid_values() == [
        0.0,
        0.25,
        0.5,
        0.75,
        1.0,
    ]
    # 0.1 steps do not accumulate float error: 0.3 is 0.3, not 0.30000000000000004.
    assert RangeDimension("top_p", 0.1, 0.5, step=0.1).grid_values() == [0.1, 0.2, 0.3, 0.4, 0.5]
    # The high end is left out when the step does not land on it.
    assert RangeDimension("top_p", 0.0, 1.0, step=0.3).grid_values() == [0.0, 0.3, 0.6, 0.9]


def test_log_grid_values_multiply_by_the_step() -> None:
    assert RangeDimension(
        "max_tokens", 64, 1024, step=2, scale="log", integer=True
    ).grid_values() == [
        64,
        128,
        256,
        512,
        1024,
    ]
    assert RangeDimension("min_p", 0.001, 0.1, step=10, scale="log").grid_values() == [
        0.001,
        0.01,
        0.1,
    ]
    # Whole numbers on a ratio of 1.5 repeat (1, 1.5→2, 2.25→2): kept once.
    assert RangeDimension("top_k", 1, 6, step=1.5, scale="log", integer=True).grid_values() == [
        1,
        2,
        3,
        5,
    ]


def test_an_integer_range_steps_by_one_by_default() -> None:
    assert RangeDimension("top_k", 1, 4, integer=True).grid_values() == [1, 2, 3, 4]
    with pytest.raises(SpaceError, match="a grid needs a step"):
        RangeDimension("temperature", 0, 1).grid_values()


def test_snap_moves_a_free_value_onto_the_grid() -> None:
    linear = RangeDimension("temperature", 0.0, 1.0, step=0.25)
    assert [linear.snap(v) for v in (-3, 0.1, 0.13, 0.6, 0.99, 7)] == [
        0.0,
        0.0,
        0.25,
        0.5,
        1.0,
        1.0,
    ]
    overshoot = RangeDimension("top_p", 0.0, 1.0, step=0.6)
    assert overshoot.snap(0.95) == 0.6  # 1.2 would leave the range
    log = RangeDimension("max_tokens", 64, 1024, step=2, scale="log", integer=True)
    assert [log.snap(v) for v in (10, 100, 180, 700, 5000)] == [64, 128, 128, 512, 1024]
    free = RangeDimension("temperature", 0.0, 2.0)
    assert free.snap(1.2345) == 1.2345


def test_inactive_conditional_dimensions_leave_no_key() -> None:
    space = SearchSpace((MODE, EFFORT))
    assert active_point(space, {"mode": "plain", "reasoning_effort": "high"}) == {"mode": "plain"}
    assert active_point(space, {"mode": "think", "reasoning_effort": "high"}) == {
        "mode": "think",
        "reasoning_effort": "high",
    }
    with pytest.raises(SpaceError, match="is not a dimension of this search space"):
        active_point(space, {"mode": "think", "temperature": 0.2})


def test_controllers_are_ordered_first() -> None:
    space = SearchSpace((EFFORT, RangeDimension("temperature", 0, 1), MODE))
    assert [d.name for d in ordered(space)] == ["temperature", "mode", "reasoning_effort"]


def test_dict_round_trip() -> None:
    space = SearchSpace(
        (
            MODE,
            EFFORT,
            RangeDimension("max_tokens", 64, 1024, step=2, scale="log", integer=True),
            RangeDimension(
                "top_p", 0.5, 1.0, step=0.05, condition=Condition(model_pattern="llama")
            ),
            ChoiceDimension("response_format", ({"type": "json_object"}, {"type": "text"})),
        ),
        repeats=3,
    )
    assert SearchSpace.from_dict(space.to_dict()) == space
    assert space.to_dict()["dimensions"][1] == {
        "kind": "choice",
        "name": "reasoning_effort",
        "choices": ["low", "high"],
        "condition": {"param": "mode", "values": ["think"], "model_pattern": None},
    }
