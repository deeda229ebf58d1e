"""Export (streamed CSV and `benchstudio.bench/1` JSON) and import of results files.

JSON export writes the same document `benchstudio bench --output` writes, read from the
stored rows chunk by chunk, so `import(export(run))` stores the same rows and `export` of the
imported run gives the same document (same `run_id`, hence the same bootstrap digits).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from pydantic import ValidationError

from benchstudio.benchruns import repository
from benchstudio.benchruns.domain import (
    RESULTS_SCHEMA,
    SUMMARY_VERSION,
    record_from_row,
    row_from_record,
    search_text,
    step_name_of,
)
from benchstudio.benchruns.domain.summaries import compute_summaries
from benchstudio.benchruns.models import BenchmarkRun, BenchmarkRunTarget
from benchstudio.benchruns.schemas.results_file import ResultsFile
from benchstudio.benchruns.service.finishing import totals_of
from benchstudio.benchruns.tasks.child_processes import in_summary_worker
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AppError
from benchstudio.core.ids import new_id
from benchstudio.core.spreadsheet_csv import spreadsheet_row
from benchstudio.storage.service_context import ServiceContext

MAX_IMPORT_REQUESTS = 500_000
INSERT_CHUNK = 2000
CSV_COLUMNS = (
    "step",
    "target",
    "model",
    "context_tokens",
    "run_index",
    "warmup",
    "request_id",
    "ttft_ms",
    "ttfct_ms",
    "tpot_ms",
    "e2e_ms",
    "first_byte_ms",
    "connect_ms",
    "input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cached_input_tokens",
    "tokens_estimated",
    "output_tokens_per_s",
    "e2e_tokens_per_s",
    "chunk_count",
    "finish_reason",
    "cost_usd",
    "error_category",
    "error_message",
    "itl_ms",
)


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def json_header(run: BenchmarkRun, summaries: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "schema": RESULTS_SCHEMA,
        "run_id": run.run_key,
        "status": run.status,
        "stop_reason": run.stop_reason,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "config": run.config,
        "environment": run.environment or {},
        "diagnostics": run.diagnostics or {},
        "summary": summaries.get("summary"),
        "spend": summaries.get("spend"),
    }


async def _records_json(ctx: ServiceContext, run_id: str, step: str | None) -> AsyncIterator[str]:
    async with ctx.read() as session:
        first = True
        async for row in repository.stream_request_rows(session, run_id, step=step):
            yield ("" if first else ",") + _dump(record_from_row(row))
            first = False


async def export_json(
    ctx: ServiceContext, run: BenchmarkRun, summaries: Mapping[str, Any]
) -> AsyncIterator[str]:
    """The run (found by `owned_run`) as a `benchstudio.bench/1` document, streamed."""
    header = _dump(json_header(run, summaries))
    yield header[:-1] + ',"requests":['
    async for piece in _records_json(ctx, run.id, None):
        yield piece
    yield "]"
    steps = list(run.steps or [])
    if len(steps) > 1 or run.slo_search:
        yield ',"steps":['
        step_blocks = summaries.get("steps", {})
        for index, meta in enumerate(steps):
            block = {k: v for k, v in meta.items() if k != "wall_s"}
            block["summary"] = step_blocks.get(meta["name"])
            text = _dump(block)
            yield ("," if index else "") + text[:-1] + ',"requests":['
            async for piece in _records_json(ctx, run.id, str(meta["name"])):
                yield piece
            yield "]}"
        yield "]"
    if run.slo_search:
        yield ',"slo_search":' + _dump(run.slo_search)
    yield "}\n"


def _csv_row(record: Mapping[str, Any]) -> list[Any]:
    error = record.get("error") or {}
    values = {
        **record,
        "step": step_name_of(record),
        "error_category": error.get("category"),
        "error_message": error.get("message"),
        "itl_ms": " ".join(f"{gap:g}" for gap in record.get("itl_ms") or ()),
    }
    return spreadsheet_row(values.get(column) for column in CSV_COLUMNS)


async def export_csv(ctx: ServiceContext, run: BenchmarkRun) -> AsyncIterator[str]:
    """One row per request (the per-step summary CSV is `benchstudio bench --csv`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    async with ctx.read() as session:
        count = 0
        async for row in repository.stream_request_rows(session, run.id):
            writer.writerow(_csv_row(record_from_row(row)))
            count += 1
            if count % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _check_document(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or data.get("schema") != RESULTS_SCHEMA:
        raise AppError(f"Not a {RESULTS_SCHEMA} results file.", code="bad_results_file")
    requests = data.get("requests")
    if not isinstance(requests, list) or not all(isinstance(r, dict) for r in requests):
        raise AppError("The results file has no request list.", code="bad_results_file")
    if len(requests) > MAX_IMPORT_REQUESTS:
        raise AppError(f"At most {MAX_IMPORT_REQUESTS} requests per file.", code="too_large")
    try:
        ResultsFile.model_validate(data)
    except ValidationError as exc:
        # Where and what, never the offending value (a file may carry prompts or keys).
        first = exc.errors(include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "file"
        raise AppError(
            f"The results file is malformed at {where}: {first['msg']}",
            code="bad_results_file",
            status_code=422,
        ) from None
    return requests


def _steps_of(data: Mapping[str, Any], records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Step metadata: from `steps` when the file has them, else one step for the whole run."""
    steps = data.get("steps")
    if isinstance(steps, list) and steps:
        found = []
        for step in steps:
            meta = {k: v for k, v in step.items() if k not in ("summary", "requests")}
            meta["wall_s"] = float((step.get("summary") or {}).get("duration_s") or 0.0)
            found.append(meta)
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


def _import_targets(run_id: str, config: Mapping[str, Any]) -> list[BenchmarkRunTarget]:
    targets = []
    for item in config.get("targets") or []:
        if isinstance(item, dict):
            name = str(item.get("name") or item.get("model") or "target")[:300]
            targets.append(
                BenchmarkRunTarget(
                    run_id=run_id,
                    target_key=name,
                    provider_name="",
                    model_id=str(item.get("model") or "")[:256],
                    model_display=str(item.get("model") or "")[:200],
                    protocol=str(item.get("protocol") or "openai")[:32],
                    base_url=str(item.get("base_url") or "")[:2048],
                )
            )
    return list({t.target_key: t for t in targets}.values())


@dataclass(frozen=True)
class CheckedImport:
    """An uploaded results file, decoded, checked and converted to rows."""

    data: dict[str, Any]
    steps: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    stored: list[dict[str, Any]]


def read_results_file(source: IO[bytes]) -> CheckedImport:
    """Decode, check and convert an uploaded file. Seconds of CPU for a big file: the caller
    runs it in a worker thread, off the event loop."""
    source.seek(0)
    try:
        data = json.load(source)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise AppError("The body is not JSON.", code="bad_results_file") from None
    records = _check_document(data)
    rows = [row_from_record(r) for r in records]
    # The stored values (rounded as in the file) are what every summary is computed from.
    stored = [record_from_row(_RowView(r)) for r in rows]
    return CheckedImport(data=data, steps=_steps_of(data, records), rows=rows, stored=stored)


async def import_results(ctx: ServiceContext, checked: CheckedImport) -> BenchmarkRun:
    """Store a checked results file as a run of the owner's history."""
    owner_id = ctx.require_owner()
    data, steps, rows, stored = checked.data, checked.steps, checked.rows, checked.stored
    config = dict(data.get("config") or {})
    run_key = str(data.get("run_id") or new_id())[:128]
    wall_s = float((data.get("summary") or {}).get("duration_s") or 0.0)
    summaries = await in_summary_worker(
        compute_summaries, run_key, stored, steps, wall_s=wall_s, config=config
    )
    totals = totals_of(stored)
    run_id = new_id()
    targets = _import_targets(run_id, config)
    run = BenchmarkRun(
        id=run_id,
        owner_id=owner_id,
        run_key=run_key,
        source="import",
        title=f"Imported {run_key}",
        mode=str(steps[0].get("mode") or "profile") if steps else "profile",
        status=str(data.get("status") or "completed")[:16],
        stop_reason=data.get("stop_reason"),
        config=config,
        environment=dict(data.get("environment") or {}),
        diagnostics=dict(data.get("diagnostics") or {}),
        steps=steps,
        slo_search=list(data.get("slo_search") or []),
        wall_s=wall_s,
        request_count=totals["requests"],
        error_count=totals["errors"],
        cost_usd=totals["cost_usd"],
        summary=summaries,
        summary_version=SUMMARY_VERSION,
        search_text=search_text([t.model_id for t in targets] + [t.target_key for t in targets]),
        created_at=utcnow(),
        started_at=_parse_time(data.get("started_at")),
        finished_at=_parse_time(data.get("finished_at")),
    )
    async with ctx.unit() as session:
        session.add(run)
        await session.flush()
        session.add_all(targets)
        await session.flush()
        for start in range(0, len(rows), INSERT_CHUNK):
            await repository.insert_requests(session, run_id, rows[start : start + INSERT_CHUNK])
    return run


class _RowView:
    """Attribute access over a row dict (so `record_from_row` reads exactly what is stored)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.__dict__.update(values)
