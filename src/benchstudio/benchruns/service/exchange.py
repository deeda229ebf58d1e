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
from datetime import datetime
from typing import Any

from benchstudio.benchruns import repository
from benchstudio.benchruns.domain import (
    RESULTS_SCHEMA,
    SUMMARY_VERSION,
    outcome_of,
    record_from_row,
    search_text,
    step_name_of,
)
from benchstudio.benchruns.domain.results_import import (
    ImportRefused,
    PreparedImport,
    prepare_import,
)
from benchstudio.benchruns.models import BenchmarkRun, BenchmarkRunTarget
from benchstudio.benchruns.tasks.child_processes import in_summary_worker
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AppError
from benchstudio.core.ids import new_id
from benchstudio.core.spreadsheet_csv import spreadsheet_row
from benchstudio.storage.service_context import ServiceContext

INSERT_CHUNK = 500
CSV_COLUMNS = (
    "step",
    "target",
    "model",
    "context_tokens",
    "run_index",
    "warmup",
    "superseded",
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
    "outcome",
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
        "title": run.title,
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
        "superseded": bool(record.get("superseded")),
        "outcome": outcome_of(record),
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


def _duplicate_error(run_id: str, title: str) -> AppError:
    return AppError(
        f"You imported these results before: they are the run {title!r} (id {run_id}). "
        "Open that one, or import again with duplicate=allow to keep a separate copy.",
        code="duplicate_import",
        status_code=409,
        details=[
            {"kind": "benchmark", "id": run_id, "name": title, "link": f"/benchmarks/{run_id}"}
        ],
    )


async def import_file(
    ctx: ServiceContext, raw: bytes, allow_duplicate: bool = False
) -> tuple[BenchmarkRun, int]:
    """Store an uploaded results file; returns the run and its request count. The file is
    decoded, checked and summarised in the summary worker, off the event loop. The same
    results imported before answer 409 `duplicate_import` naming that run, unless
    `allow_duplicate` (then they are stored again, as a copy)."""
    prepared = await in_summary_worker(prepare_import, raw)
    if isinstance(prepared, ImportRefused):
        raise AppError(prepared.message, code=prepared.code, status_code=prepared.status_code)
    if not allow_duplicate:
        async with ctx.read() as session:
            earlier = await repository.find_import(
                session, ctx.require_owner(), prepared.content_hash
            )
            if earlier is not None:
                raise _duplicate_error(earlier.id, earlier.title)
    return await import_results(ctx, prepared), len(prepared.rows)


async def import_results(ctx: ServiceContext, prepared: PreparedImport) -> BenchmarkRun:
    """Store a prepared results file (`domain.results_import`) as a run of the owner's history."""
    owner_id = ctx.require_owner()
    data, steps, rows, totals = prepared.document, prepared.steps, prepared.rows, prepared.totals
    config = dict(data.get("config") or {})
    run_id = new_id()
    targets = _import_targets(run_id, config)
    run = BenchmarkRun(
        id=run_id,
        owner_id=owner_id,
        run_key=prepared.run_key,
        source="import",
        title=f"Imported {prepared.run_key}" if prepared.title is None else prepared.title,
        import_hash=prepared.content_hash,
        mode=str(steps[0].get("mode") or "profile") if steps else "profile",
        status=str(data.get("status") or "completed")[:16],
        stop_reason=data.get("stop_reason"),
        config=config,
        environment=dict(data.get("environment") or {}),
        diagnostics=dict(data.get("diagnostics") or {}),
        steps=steps,
        slo_search=list(data.get("slo_search") or []),
        wall_s=prepared.wall_s,
        request_count=totals["requests"],
        error_count=totals["errors"],
        cost_usd=totals["cost_usd"],
        summary=prepared.summaries,
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
