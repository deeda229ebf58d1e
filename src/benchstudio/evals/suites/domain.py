"""Pure suite rules: validating suite content and uploads, the suite file JSON, the sample.

No database and no HTTP: the service stores what these build. BFCL and own-format files are
parsed as JSON only (never evaluated).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from benchstudio.core.errors import AppError
from benchstudio.evals.suites.schemas import SuiteContent
from benchstudio.toolcall.samples import sample_suite_text
from benchstudio.toolcall.schemas import Suite, TestCase
from benchstudio.toolcall.suite_file import SuiteFileError, dump_suite, parse_suite

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class InvalidSuiteError(AppError):
    status_code = 422
    code = "invalid_suite"


class ImportFailedError(AppError):
    status_code = 422
    code = "import_failed"


class McpUnreachableError(AppError):
    status_code = 502
    code = "mcp_unreachable"


class DuplicateImportError(AppError):
    """The owner imported this content before; `details` names the existing suite."""

    status_code = 409
    code = "duplicate_import"


def duplicate_suite_error(suite_id: str, name: str) -> DuplicateImportError:
    return DuplicateImportError(
        f"You imported this before: it is the suite {name!r} (id {suite_id}). Open that one, "
        "or import again with duplicate=allow to keep a separate copy.",
        details=[
            {"kind": "suite", "id": suite_id, "name": name, "link": f"/tool-eval/suites/{suite_id}"}
        ],
    )


def content_hash(suite: Suite) -> str:
    """The import's identity: the normalized suite file without its name and version, so the
    same file imported under another name (or re-exported at another version) still matches."""
    values = snapshot_json(suite)
    values.pop("name", None)
    values.pop("version", None)
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SuiteSnapshot:
    """A suite version as a run uses it."""

    suite_id: str
    version_id: str
    version: int
    suite: Suite


def decode_upload(data: bytes, what: str) -> str:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFailedError(f"The {what} file is larger than {MAX_UPLOAD_BYTES >> 20} MB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailedError(f"The {what} file is not UTF-8 text.") from None


def build_suite(values: dict[str, Any]) -> Suite:
    """A validated suite from plain values; problems become a 422 that says where."""
    try:
        return Suite.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "suite"
        raise InvalidSuiteError(f"{where}: {first['msg']}") from None


def parse_case(value: dict[str, Any], position: int) -> TestCase:
    try:
        return TestCase.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in (f"cases.{position}", *first["loc"]))
        raise InvalidSuiteError(f"{where}: {first['msg']}") from None


def suite_from_content(content: SuiteContent) -> Suite:
    return build_suite(content.model_dump(mode="json", exclude_unset=False))


def parse_suite_text(text: str) -> Suite:
    """An own-format suite file (JSON), as uploaded."""
    try:
        return parse_suite(text, "suite file")
    except SuiteFileError as error:
        raise InvalidSuiteError(str(error)) from None


def snapshot_json(suite: Suite) -> dict[str, Any]:
    """The suite file JSON (defaults left out, as `suite export` writes it)."""
    value: dict[str, Any] = json.loads(dump_suite(suite))
    return value


def export_file_name(snapshot: SuiteSnapshot) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in snapshot.suite.name.lower()).strip("-")
    return f"{slug or 'suite'}.v{snapshot.version}.suite.json"


def sample_suite() -> Suite:
    return parse_suite(sample_suite_text(), "sample suite")
