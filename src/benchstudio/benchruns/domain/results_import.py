"""An uploaded `benchstudio.bench/1` results file turned into rows and summaries.

`prepare_import` runs in the summary worker process: decoding, checking (pydantic) and
summarising a file of many thousand requests is seconds of CPU in C calls that hold the GIL, so
a thread would still stall the API's event loop. It returns what the service stores, or the
reason the file is refused (a value, not an exception: it crosses a process boundary).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from benchstudio.benchruns.domain import (
    RESULTS_SCHEMA,
    counted,
    outcome_of,
    record_from_row,
    row_from_record,
    step_name_of,
)
from benchstudio.benchruns.domain.summaries import compute_summaries
from benchstudio.benchruns.schemas.results_file import ResultsFile
from benchstudio.core.ids import new_id
from benchstudio.speed.metrics import CANCELLED

MAX_IMPORT_REQUESTS = 500_000


@dataclass(frozen=True)
class ImportRefused:
    message: str
    code: str
    status_code: int = 400


@dataclass(frozen=True)
class PreparedImport:
    document: dict[str, Any]  # the file without its requests
    run_key: str
    wall_s: float
    steps: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    summaries: dict[str, Any]
    totals: dict[str, Any]
    content_hash: str  # `results_hash`: the same results imported again are noticed
    title: str | None  # the file's `title` (a run's export keeps it); None: the file has none


def totals_of(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Measured (non-warm-up) requests and errors, and the cost of every request sent.
    Requests the run cut short are `cancelled`: neither measured requests nor errors.

    `cost_usd` counts warm-ups and superseded requests too (they are paid for), exactly as the
    spend ledger charges them; `warmup_cost_usd` shows the warm-ups' share separately.
    """
    sent = [r for r in counted(records) if not r.get("warmup")]
    measured = [r for r in sent if outcome_of(r) != CANCELLED]
    costs = [float(r["cost_usd"]) for r in records if r.get("cost_usd") is not None]
    warmup = [
        float(r["cost_usd"]) for r in records if r.get("warmup") and r.get("cost_usd") is not None
    ]
    return {
        "requests": len(measured),
        "errors": sum(1 for r in measured if r.get("error")),
        "cancelled": len(sent) - len(measured),
        "cost_usd": round(sum(costs), 8) if costs else None,
        "warmup_cost_usd": round(sum(warmup), 8) if warmup else None,
    }


def check_document(data: Any) -> list[dict[str, Any]] | ImportRefused:
    if not isinstance(data, dict) or data.get("schema") != RESULTS_SCHEMA:
        return ImportRefused(f"Not a {RESULTS_SCHEMA} results file.", "bad_results_file")
    requests = data.get("requests")
    if not isinstance(requests, list) or not all(isinstance(r, dict) for r in requests):
        return ImportRefused("The results file has no request list.", "bad_results_file")
    if len(requests) > MAX_IMPORT_REQUESTS:
        return ImportRefused(f"At most {MAX_IMPORT_REQUESTS} requests per file.", "too_large")
    try:
        ResultsFile.model_validate(data)
    except ValidationError as exc:
        # Where and what, never the offending value (a file may carry prompts or keys).
        first = exc.errors(include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "file"
        return ImportRefused(
            f"The results file is malformed at {where}: {first['msg']}", "bad_results_file", 422
        )
    return requests


def _filled(meta: dict[str, Any], first: Mapping[str, Any]) -> dict[str, Any]:
    """A step's target, model, mode and context are optional in a file: taken from its first request
    when missing (a step shown without them would not render), else named unknown."""
    for key in ("target", "model"):
        if not isinstance(meta.get(key), str):
            meta[key] = str(first.get(key) or "unknown")
    if not isinstance(meta.get("mode"), str):
        meta["mode"] = "profile" if first.get("run_index") is not None else "concurrency"
    meta.setdefault("context_tokens", first.get("context_tokens"))
    return meta


def steps_of(data: Mapping[str, Any], records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Step metadata: from `steps` when the file has them, else one step for the whole run."""
    steps = data.get("steps")
    if isinstance(steps, list) and steps:
        first_of: dict[str, dict[str, Any]] = {}  # one pass over the records, not one per step
        for record in records:
            first_of.setdefault(step_name_of(record), record)
        found = []
        for step in steps:
            meta = {k: v for k, v in step.items() if k not in ("summary", "requests")}
            meta["wall_s"] = float((step.get("summary") or {}).get("duration_s") or 0.0)
            found.append(_filled(meta, first_of.get(str(meta["name"]), {})))
        return found
    config = data.get("config") or {}
    first = records[0] if records else {}
    target = (config.get("targets") or [{}])[0]
    name = step_name_of(first) if first else f"{target.get('name', 'target')}@0"
    return [
        {
            "name": name,
            "target": first.get("target") or target.get("name"),
            "model": first.get("model") or target.get("model"),
            "mode": "profile" if first.get("run_index") is not None else "concurrency",
            "context_tokens": first.get("context_tokens"),
            "skipped_reason": None,
            "diagnostics": data.get("diagnostics") or {},
            "wall_s": float((data.get("summary") or {}).get("duration_s") or 0.0),
        }
    ]


def results_hash(data: Mapping[str, Any]) -> str:
    """The measurements' identity: the canonical JSON of the document without its title, so
    the same results under another title are still the same import."""
    values = {k: v for k, v in data.items() if k != "title"}
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def title_of(data: Mapping[str, Any]) -> str | None:
    """The file's title as it is (an exported untitled run stays untitled); None: no title."""
    title = data.get("title")
    return title.strip()[:300] if isinstance(title, str) else None


class _RowView:
    """Attribute access over a row dict (so `record_from_row` reads exactly what is stored)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.__dict__.update(values)


def prepare_import(raw: bytes) -> PreparedImport | ImportRefused:
    """Decode, check, convert and summarise a results file (in the summary worker)."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return ImportRefused("The body is not JSON.", "bad_results_file")
    checked = check_document(data)
    if isinstance(checked, ImportRefused):
        return checked
    steps = steps_of(data, checked)
    rows = [row_from_record(r) for r in checked]
    # The stored values (rounded as in the file) are what every summary is computed from.
    stored = [record_from_row(_RowView(r)) for r in rows]
    run_key = str(data.get("run_id") or new_id())[:128]
    wall_s = float((data.get("summary") or {}).get("duration_s") or 0.0)
    config = dict(data.get("config") or {})
    summaries = compute_summaries(run_key, stored, steps, wall_s=wall_s, config=config)
    document = {k: v for k, v in data.items() if k != "requests"}
    return PreparedImport(
        document,
        run_key,
        wall_s,
        steps,
        rows,
        summaries,
        totals_of(stored),
        content_hash=results_hash(data),
        title=title_of(data),
    )
