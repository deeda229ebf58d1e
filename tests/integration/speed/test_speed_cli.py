"""`benchstudio bench` end to end: options, exit codes, output files and the HTML report."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from benchstudio.cli.bench_cmd import app
from benchstudio.simulator import SimulatorServer

runner = CliRunner()


def test_bad_arguments_exit_2() -> None:
    assert runner.invoke(app, []).exit_code == 2
    assert runner.invoke(app, ["--base-url", "http://127.0.0.1:1/v1"]).exit_code == 2
    both = [
        "--base-url",
        "http://x/v1",
        "--model",
        "m",
        "--concurrency",
        "2",
        "--request-rate",
        "3",
    ]
    assert runner.invoke(app, both).exit_code == 2
    assert runner.invoke(app, ["--target", "no-equals-sign"]).exit_code == 2
    bad_slo = ["--base-url", "http://x/v1", "--model", "m", "--slo", "speed=3"]
    assert runner.invoke(app, bad_slo).exit_code == 2


def test_estimate_prints_plan_without_sending(tmp_path: Path) -> None:
    args = [
        "--base-url",
        "http://127.0.0.1:9/v1",
        "--model",
        "gpt-4o",
        "--runs",
        "3",
        "--warmup",
        "1",
        "--context-tokens",
        "0,1000",
        "--estimate",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Estimate" in result.output
    assert "8" in result.output  # 2 tiers x (1 warm-up + 3 runs)


def test_run_writes_json_jsonl_csv_and_report(
    threaded_simulator: SimulatorServer, tmp_path: Path
) -> None:
    out, jsonl, csv_path = tmp_path / "r.json", tmp_path / "r.jsonl", tmp_path / "s.csv"
    base = f"{threaded_simulator.base_url}/v1"
    args = [
        "--target",
        f"a={base},m1",
        "--target",
        f"b={base},m2",
        "--runs",
        "2",
        "--warmup",
        "0",
        "--max-tokens",
        "8",
        "--output",
        str(out),
        "--requests-jsonl",
        str(jsonl),
        "--csv",
        str(csv_path),
        "--quiet",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert set(data) >= {"config", "environment", "diagnostics", "summary", "requests", "steps"}
    summary = data["summary"]
    for metric in ("ttft_ms", "ttfct_ms", "itl_ms", "tpot_ms", "e2e_ms", "output_tokens_per_s"):
        assert set(summary[metric]) >= {
            "mean",
            "std",
            "min",
            "max",
            "p50",
            "p90",
            "p95",
            "p99",
            "p999",
            "ci95",
            "median_ci95",
        }
    assert {"request_throughput", "output_token_throughput", "error_rate"} <= set(summary)
    assert [s["target"] for s in data["steps"]] == ["a", "b"]
    assert len(jsonl.read_text().splitlines()) == 4
    assert csv_path.read_text().count("\n") == 3
    assert "api_key" not in json.dumps(data["config"]).replace("api_key_env", "")
    html = tmp_path / "r.html"
    report = runner.invoke(app, ["report", str(out), "--html", str(html)])
    assert report.exit_code == 0, report.output
    assert "<svg" in html.read_text()


def test_report_refuses_non_results(tmp_path: Path) -> None:
    bogus = tmp_path / "x.json"
    bogus.write_text("[1, 2]")
    assert runner.invoke(app, ["report", str(bogus)]).exit_code == 2


def test_request_errors_still_exit_0(threaded_simulator: SimulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = [
        "--base-url",
        f"{threaded_simulator.base_url}/v1",
        "--model",
        "small-window",
        "--context-tokens",
        "3000",
        "--runs",
        "1",
        "--warmup",
        "0",
        "--output",
        str(out),
        "--quiet",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["summary"]["errors_by_category"] == {"context_overflow": 1}
