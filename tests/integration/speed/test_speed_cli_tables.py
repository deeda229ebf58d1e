"""What `benchstudio bench` prints: results with cost, distributions, and the estimate."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from benchstudio.cli.bench_cmd import app
from benchstudio.simulator import SimulatorServer
from benchstudio.speed.output import distribution_rows, format_figure, format_usd, step_blocks

runner = CliRunner()


def test_console_prints_cost_and_every_distribution_figure(
    threaded_simulator: SimulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    config = tmp_path / "run.yaml"
    config.write_text(
        json.dumps(
            {
                "targets": [
                    {
                        "name": "priced",
                        "base_url": f"{threaded_simulator.base_url}/v1",
                        "model": "m",
                        "prices": {"input": 0.15, "output": 0.6},
                    }
                ],
                "runs": 6,
                "warmup": 0,
                "max_tokens": 8,
            }
        )
    )
    result = runner.invoke(app, ["--config", str(config), "--output", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    lines = result.output.splitlines()
    assert any("cost USD" in line for line in lines)
    cost = format_usd(data["summary"]["cost_usd"])
    assert "e-" not in cost and any(cost in line for line in lines)
    (block,) = step_blocks(data)
    for row in distribution_rows(block):
        line = next(line for line in lines if f" {row['label']} " in line)
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        fields = ("count", "mean", "std", "min", "p50", "p95", "p99", "max", "outliers")
        assert cells[2:] == [format_figure(row[f]) for f in fields], line


def test_estimate_marks_skipped_tiers_and_upper_bounds(tmp_path: Path) -> None:
    args = ["--base-url", "http://127.0.0.1:9/v1", "--model", "gpt-4o", "--estimate"]
    tiers = ["--context-tokens", "0,1000,9000", "--context-window", "4000", "--runs", "2"]
    result = runner.invoke(app, [*args, *tiers, "--warmup", "1"])
    assert result.exit_code == 0, result.output
    assert "tiers 9000 exceed its context window" in result.output
    row = next(line for line in result.output.splitlines() if "gpt-4o" in line)
    assert row.split("│")[2].strip() == "6"  # 2 tiers x (1 warm-up + 2 runs)
    search = ["--slo", "ttft_ms=500", "--slo-search", "--request-rate", "8", "--num-requests", "5"]
    result = runner.invoke(app, [*args, *search, "--warmup", "0"])
    assert result.exit_code == 0, result.output
    assert "≤ 35" in result.output  # at most 7 probes of 5 requests
