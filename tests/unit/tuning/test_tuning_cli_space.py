"""`benchstudio tune`'s space flags and file: what each `--param` form becomes, how flags
replace a file's dimensions, and the message each mistake gets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from benchstudio.cli.tune_space import build_space, parse_param


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("temperature=0:1", {"kind": "range", "name": "temperature", "low": 0.0, "high": 1.0}),
        (
            "temperature=0:1.2:0.2",
            {"kind": "range", "name": "temperature", "low": 0.0, "high": 1.2, "step": 0.2},
        ),
        (
            "top_k=8:128:2:log",
            {"kind": "range", "name": "top_k", "low": 8, "high": 128, "step": 2, "scale": "log"},
        ),
        (
            "top_k=8:128:LOG:int",
            {
                "kind": "range",
                "name": "top_k",
                "low": 8,
                "high": 128,
                "scale": "log",
                "integer": True,
            },
        ),
        (
            " presence_penalty = -0.5:0.5:0.25 ",
            {"kind": "range", "name": "presence_penalty", "low": -0.5, "high": 0.5, "step": 0.25},
        ),
        (
            "parallel_tool_calls=true,false",
            {"kind": "choice", "name": "parallel_tool_calls", "choices": [True, False]},
        ),
        ("top_k=10, 20 ,40", {"kind": "choice", "name": "top_k", "choices": [10, 20, 40]}),
        (
            "reasoning_effort=low,medium,high",
            {"kind": "choice", "name": "reasoning_effort", "choices": ["low", "medium", "high"]},
        ),
        ('stop="a",b', {"kind": "choice", "name": "stop", "choices": ["a", "b"]}),
    ],
)
def test_each_param_form_becomes_a_dimension(spec: str, expected: dict[str, object]) -> None:
    assert parse_param(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("temperature", "write name=low:high[:step][:log][:int] or name=a,b,c"),
        ("=0:1", "write name=low:high"),
        ("temperature=", "no values after '='"),
        ("temperature=0.7", "one value is not a search"),
        ("temperature=0.7", "--fixed temperature=0.7"),
        ("temperature=0:", "a range needs both bounds"),
        ("temperature=a:1", "low 'a' is not a number"),
        ("temperature=0:hot", "high 'hot' is not a number"),
        ("temperature=0:1:0", "the step must be above 0"),
        ("temperature=0:1:0.1:cubic", "'cubic' is not log or int"),
        ("temperature=0:1:0.1:0.2", "'0.2' is not log or int"),
        ("temperature=0:1:log:log", "a flag is given twice"),
        ("temperature=0:inf", "must be a finite number"),
        ("top_k=10,,40", "an empty choice"),
    ],
)
def test_param_mistakes_say_what_to_write(spec: str, message: str) -> None:
    with pytest.raises(typer.BadParameter) as caught:
        parse_param(spec)
    assert message in caught.value.message
    assert repr(spec) in caught.value.message
    assert caught.value.param_hint == "--param"


def test_flags_replace_the_file_dimension_of_the_same_name(tmp_path: Path) -> None:
    space_file = tmp_path / "space.yaml"
    space_file.write_text(
        "repeats: 2\n"
        "dimensions:\n"
        "  - {kind: range, name: temperature, low: 0, high: 2, step: 0.5}\n"
        "  - {kind: choice, name: top_k, choices: [10, 20]}\n"
    )
    space = build_space(space_file, ["temperature=0.2:0.4:0.1", "top_p=0.5:1"], None)
    assert space.repeats == 2
    assert [d.name for d in space.dimensions] == ["top_k", "temperature", "top_p"]
    temperature = space.dimensions[1]
    assert (temperature.kind, temperature.low, temperature.high) == ("range", 0.2, 0.4)
    assert build_space(space_file, [], 3).repeats == 3


def test_a_json_space_file_reads_like_the_api_body(tmp_path: Path) -> None:
    space_file = tmp_path / "space.json"
    body = {"dimensions": [{"kind": "choice", "name": "top_k", "choices": [10, 20]}]}
    space_file.write_text(json.dumps(body))
    assert build_space(space_file, [], None).model_dump(exclude_defaults=True) == body


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ("{not json", ".json", "is not valid JSON"),
        ("dimensions: [unclosed", ".yaml", "is not valid YAML"),
        ("- a list", ".yaml", "must hold an object with a `dimensions` list"),
        ('{"dimensions": [{"kind": "range", "name": "t"}]}', ".json", "dimensions.0.range.low"),
        (
            '{"dimensions": [{"kind": "choice", "name": "top_k", "choices": [1, 2]}], "x": 1}',
            ".json",
            "x: Extra inputs are not permitted",
        ),
        ('{"dimensions": []}', ".json", "nothing to search"),
    ],
)
def test_space_file_mistakes_name_the_file_or_field(
    tmp_path: Path, content: str, suffix: str, message: str
) -> None:
    space_file = tmp_path / f"space{suffix}"
    space_file.write_text(content)
    with pytest.raises(typer.BadParameter) as caught:
        build_space(space_file, [], None)
    assert message in caught.value.message
    assert caught.value.param_hint == "--space"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (["temperature=1:0"], "temperature: impossible range: low (1) must be below high (0)"),
        (["top_k=0:64:2:log"], "top_k: a log-scale range needs a positive lower bound"),
        (["top_k=1:64:1:log"], "on a log scale the step is a ratio and must be above 1"),
        (["seed=1,2,3"], "seeds are not a search dimension; set repeats instead"),
        (["top_p=0:1", "top_p=0.5,1"], "top_p is given twice"),
        ([], "nothing to search: give --space FILE and/or --param"),
    ],
)
def test_impossible_spaces_are_refused_before_any_request(params: list[str], message: str) -> None:
    with pytest.raises(typer.BadParameter) as caught:
        build_space(None, params, None)
    assert message in caught.value.message
