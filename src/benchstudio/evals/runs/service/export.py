"""Streamed exports of a run: JSON (the CLI results-file shape, suite snapshot included) and
CSV (one row per case and target). Results are read in pages so memory stays flat."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any

from benchstudio.evals.models import EvalCaseResult
from benchstudio.evals.runs import repository
from benchstudio.evals.runs.domain.rules import (
    CSV_COLUMNS,
    csv_row,
    summaries_by_target,
    summary_dict,
)
from benchstudio.evals.runs.repository import CaseFilters
from benchstudio.evals.runs.schemas import EvalRunOut
from benchstudio.evals.runs.service.history import labels_of, verdicts_of
from benchstudio.evals.suites.service import crud as suites
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.live.report import RESULTS_FORMAT_VERSION
from benchstudio.toolcall.suite_file import dump_suite
from benchstudio.toolcall.verdicts import CaseVerdict

PAGE = 200


async def _pages(ctx: ServiceContext, run_id: str) -> AsyncIterator[list[EvalCaseResult]]:
    offset = 0
    while True:
        async with ctx.read() as session:
            rows, _ = await repository.list_case_results(
                session, ctx.require_owner(), run_id, CaseFilters(), PAGE, offset
            )
            session.expunge_all()
        if not rows:
            return
        yield rows
        offset += len(rows)


def _result_json(row: EvalCaseResult) -> dict[str, Any]:
    return {
        "target": row.target,
        "case_id": row.case_id,
        "verdict": row.verdict,
        "exchanges": row.exchanges,
        "transcript": row.transcript,
        "started_at": row.started_at.isoformat(),
        "finished_at": row.finished_at.isoformat(),
    }


async def export_json(ctx: ServiceContext, run_id: str) -> AsyncIterator[str]:
    """The whole run as one JSON document, written piece by piece."""
    run, verdicts = await verdicts_of(ctx, run_id)
    suite = await suites.snapshot_by_version_id(ctx, run.suite_version_id)
    summaries = summaries_by_target(run.id, labels_of(run), verdicts)
    head = {
        "format_version": RESULTS_FORMAT_VERSION,
        "run_id": run.id,
        "run": EvalRunOut.model_validate(run).model_dump(mode="json"),
        "profile": run.profile,
        "cancelled": run.status == "cancelled",
        "total_cases": run.total_cases,
        "finished_cases": sum(len(v) for v in verdicts.values()),
        "targets": run.config.get("targets", []),
        "settings": run.config.get("settings", {}),
        "summaries": {k: summary_dict(v) for k, v in summaries.items()},
        "suite": json.loads(dump_suite(suite)),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "results": ['
    first = True
    async for rows in _pages(ctx, run_id):
        for row in rows:
            yield ("" if first else ",") + json.dumps(_result_json(row), ensure_ascii=False)
            first = False
    yield "]}\n"


async def export_csv(ctx: ServiceContext, run_id: str) -> AsyncIterator[str]:
    """A header, then one row per stored case result (the caller checked the owner)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    async for rows in _pages(ctx, run_id):
        buffer.seek(0)
        buffer.truncate()
        for row in rows:
            writer.writerow(csv_row(run_id, row.target, CaseVerdict.model_validate(row.verdict)))
        yield buffer.getvalue()
