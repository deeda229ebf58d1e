"""`benchstudio tune`'s search space: a `--space` file (JSON or YAML, the API's
`SearchSpaceIn`) and/or `--param` flags, one dimension each:

    --param temperature=0:1.2:0.2        a range low:high, stepped (a grid can enumerate it)
    --param top_p=0.5:1                  a continuous range (random or TPE only)
    --param top_k=8:128:2:log            a log range; the step is a ratio (8, 16, 32, ...)
    --param n_ctx=512:4096:int           whole numbers (the registry also knows int params)
    --param parallel_tool_calls=true,false   choices (numbers and booleans are parsed)

A flag replaces a same-named dimension of the file. Every mistake is a `typer.BadParameter`
(exit 2) naming the flag and what to write instead.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from benchstudio.tuning.schemas import SearchSpaceIn

RANGE_FLAGS = frozenset({"log", "int"})
RANGE_FORM = "name=low:high[:step][:log][:int]"
CHOICE_FORM = "name=a,b,c"


def _bad(spec: str, message: str) -> typer.BadParameter:
    return typer.BadParameter(f"{spec!r}: {message}", param_hint="--param")


def _number(spec: str, text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _bad(spec, f"{what} {text!r} is not a number (write {RANGE_FORM})") from None
    if not math.isfinite(value):
        raise _bad(spec, f"{what} must be a finite number")
    return value


def _range(spec: str, name: str, raw: str) -> dict[str, Any]:
    parts = [part.strip() for part in raw.split(":")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise _bad(spec, f"a range needs both bounds: write {RANGE_FORM}")
    dimension: dict[str, Any] = {
        "kind": "range",
        "name": name,
        "low": _number(spec, parts[0], "low"),
        "high": _number(spec, parts[1], "high"),
    }
    tail = parts[2:]
    if tail and tail[0].lower() not in RANGE_FLAGS:
        step = _number(spec, tail.pop(0), "step")
        if step <= 0:
            raise _bad(spec, "the step must be above 0")
        dimension["step"] = step
    flags = [flag.lower() for flag in tail]
    unknown = [flag for flag in tail if flag.lower() not in RANGE_FLAGS]
    if unknown:
        raise _bad(spec, f"{unknown[0]!r} is not log or int (write {RANGE_FORM})")
    if len(set(flags)) != len(flags):
        raise _bad(spec, "a flag is given twice")
    if "log" in flags:
        dimension["scale"] = "log"
    if "int" in flags:
        dimension["integer"] = True
    return dimension


def _choice(text: str) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    # Numbers, booleans and quoted strings; anything else (objects, lists) stays as written.
    return value if isinstance(value, int | float | bool | str) or value is None else text


def _choices(spec: str, name: str, raw: str) -> dict[str, Any]:
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise _bad(spec, f"an empty choice: write {CHOICE_FORM}")
    return {"kind": "choice", "name": name, "choices": [_choice(item) for item in items]}


def parse_param(spec: str) -> dict[str, Any]:
    """One `--param` flag as a `SearchSpaceIn` dimension (a dict the schema validates)."""
    name, sep, raw = spec.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name:
        raise _bad(spec, f"write {RANGE_FORM} or {CHOICE_FORM}")
    if not raw:
        raise _bad(spec, f"no values after '=': write {RANGE_FORM} or {CHOICE_FORM}")
    if ":" in raw:
        return _range(spec, name, raw)
    if "," in raw:
        return _choices(spec, name, raw)
    raise _bad(
        spec,
        f"one value is not a search: give a range ({name}=low:high) or two or more choices "
        f"({name}=a,b); a fixed value goes in --fixed {name}={raw}",
    )


def load_space_file(path: Path) -> dict[str, Any]:
    """A `SearchSpaceIn` document from a JSON or YAML file (`{"dimensions": [...], ...}`)."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise typer.BadParameter(f"cannot read {path}: {error}", param_hint="--space") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        message = f"{path} is not valid {kind}: {error}"
        raise typer.BadParameter(message, param_hint="--space") from None
    if not isinstance(data, dict):
        raise typer.BadParameter(
            f"{path} must hold an object with a `dimensions` list", param_hint="--space"
        )
    return data


def _validation_message(error: Any) -> str:
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(part) for part in item["loc"])
        parts.append(f"{where}: {item['msg']}" if where else str(item["msg"]))
    return "; ".join(parts)


def build_space(space_file: Path | None, params: list[str], repeats: int | None) -> SearchSpaceIn:
    """The space from the file and the flags (a flag replaces the file's same-named
    dimension), its shape checked; `--repeats` overrides the file's."""
    from pydantic import ValidationError

    from benchstudio.tuning.domain.space import SpaceError, check_shape
    from benchstudio.tuning.schemas import SearchSpaceIn

    data = load_space_file(space_file) if space_file is not None else {"dimensions": []}
    dimensions = list(data.get("dimensions") or [])
    flagged = [parse_param(spec) for spec in params]
    names = [d["name"] for d in flagged]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise typer.BadParameter(f"{twice} is given twice", param_hint="--param")
    replaced = set(names)
    dimensions = [d for d in dimensions if not (isinstance(d, dict) and d.get("name") in replaced)]
    data = {**data, "dimensions": [*dimensions, *flagged]}
    if repeats is not None:
        data["repeats"] = repeats
    hint = "--space" if space_file is not None and not params else "--param"
    if not data["dimensions"]:
        raise typer.BadParameter(
            "nothing to search: give --space FILE and/or --param", param_hint=hint
        )
    try:
        space = SearchSpaceIn.model_validate(data)
    except ValidationError as error:
        raise typer.BadParameter(_validation_message(error), param_hint=hint) from None
    try:
        check_shape(space.to_domain())
    except SpaceError as error:
        raise typer.BadParameter(str(error), param_hint=hint) from None
    return space
