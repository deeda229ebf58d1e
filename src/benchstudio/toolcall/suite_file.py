"""The suite file format (JSON) and the recorded-outputs / verdicts files (JSON lines)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from benchstudio.toolcall.outputs import ModelOutput
from benchstudio.toolcall.schemas import Suite
from benchstudio.toolcall.verdicts import CaseVerdict

SCHEMA_ID = "https://benchstudio.dev/schemas/suite.schema.json"


class SuiteFileError(ValueError):
    """A suite or outputs file that cannot be read; the message says where and why."""


def suite_json_schema() -> dict[str, Any]:
    """The published JSON Schema of the suite file, generated from the models."""
    schema = Suite.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def parse_suite(text: str, source: str = "suite") -> Suite:
    try:
        return Suite.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise SuiteFileError(
            f"{source}: {error.error_count()} problem(s); first at {where or 'top level'}: "
            f"{first['msg']}"
        ) from None


def load_suite(path: Path) -> Suite:
    return parse_suite(path.read_text(encoding="utf-8"), path.name)


def _typed_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Defaults are left out, but a tool without `"type": "function"` is not the OpenAI tool
    # shape other tools (and people) expect: it is always written.
    return [{"type": "function", **tool} for tool in tools]


def dump_suite(suite: Suite) -> str:
    values = suite.model_dump(mode="json", exclude_defaults=True)
    if "tools" in values:
        values["tools"] = _typed_tools(values["tools"])
    for case in values.get("cases", []):
        if case.get("tools") is not None:
            case["tools"] = _typed_tools(case["tools"])
    return json.dumps(values, indent=2, ensure_ascii=False) + "\n"


def save_suite(suite: Suite, path: Path) -> None:
    path.write_text(dump_suite(suite), encoding="utf-8")


def read_outputs(path: Path) -> Iterator[ModelOutput]:
    """Recorded outputs, one JSON object per line (blank lines are skipped)."""
    # Decoded per line (not by the file object) so a byte that is not UTF-8 names its line.
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            try:
                line = raw.decode("utf-8")
                if not line.strip():
                    continue
                yield ModelOutput.model_validate(json.loads(line))
            except (ValueError, ValidationError) as error:  # UnicodeDecodeError included
                reason = str(error).splitlines()[0][:200]
                raise SuiteFileError(f"{path.name} line {number}: {reason}") from None
            except RecursionError:
                raise SuiteFileError(f"{path.name} line {number}: nested too deeply") from None


def write_verdicts(verdicts: Iterable[CaseVerdict], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for verdict in verdicts:
            out.write(verdict.to_json_line() + "\n")
            count += 1
    return count
