"""Tables and the HTML report: distributions against an independent computation, costs as
plain decimals, skipped steps not trusted, legends in colour and beside the plot."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from benchstudio.speed.metrics import RequestMetrics
from benchstudio.speed.output import (
    distribution_rows,
    format_figure,
    format_usd,
    summary_row,
    write_summary_csv,
)
from benchstudio.speed.report import (
    LEGEND_WIDTH,
    PAD_LEFT,
    PAD_RIGHT,
    PALETTE,
    WIDTH,
    render_report,
    svg_lines,
)
from benchstudio.speed.results import summary_block

SVG = "{http://www.w3.org/2000/svg}"
TTFTS = [20.0, 21.0, 21.5, 22.0, 22.5, 23.0, 23.5, 24.0, 25.0, 90.0, 95.0, 3.0]


def _record(
    i: int, ttft: float, target: str = "t", cost: float | None = 8.82e-05
) -> RequestMetrics:
    return RequestMetrics(
        request_id=f"r{i}",
        ttft_ms=ttft,
        ttfct_ms=ttft,
        itl_ms=[2.0, 2.5],
        tpot_ms=2.25,
        e2e_ms=ttft + 4.5,
        first_byte_ms=ttft / 2,
        input_tokens=10,
        output_tokens=3,
        reasoning_tokens=0,
        cached_input_tokens=0,
        tokens_estimated=False,
        output_tokens_per_s=1000 / 2.25,
        e2e_tokens_per_s=3000 / (ttft + 4.5),
        chunk_count=3,
        finish_reason="stop",
        error=None,
        cost_usd=cost,
        extra={"target": target, "warmup": False},
    )


def _block(name: str, records: list[RequestMetrics], skipped: str | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "target": name.split("@")[0],
        "model": "m",
        "mode": "profile",
        "context_tokens": 0,
        "skipped_reason": skipped,
        "diagnostics": {"trustworthy": None if skipped else True},
        "summary": summary_block(records, wall_s=1.0, run_id=f"run:{name}"),
    }


def _results(blocks: list[dict[str, Any]], records: list[RequestMetrics]) -> dict[str, Any]:
    return {
        "run_id": "run",
        "status": "completed",
        "config": {"targets": [{"name": "t", "model": "m"}], "context_tokens": [0]},
        "diagnostics": {"trustworthy": True, "event_loop_lag_ms": {"p99": 0.1}},
        "summary": summary_block(records, wall_s=1.0, run_id="run"),
        "requests": [r.to_dict() for r in records],
        "steps": blocks,
    }


def test_distribution_rows_match_an_independent_computation() -> None:
    records = [_record(i, v) for i, v in enumerate(TTFTS)]
    rows = {row["metric"]: row for row in distribution_rows(_block("t@0", records))}
    assert "ttfct_ms" not in rows  # identical to TTFT, not repeated
    ttft = rows["ttft_ms"]
    values = np.array(TTFTS)
    q1, q3 = np.percentile(values, [25, 75])
    low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    assert ttft["count"] == len(TTFTS)
    assert ttft["std"] == round(float(np.std(values, ddof=1)), 4)
    assert ttft["min"] == 3.0 and ttft["max"] == 95.0
    assert ttft["p95"] == round(float(np.percentile(values, 95)), 4)
    assert ttft["outliers"] == int(np.sum((values < low) | (values > high))) == 3
    assert rows["itl_ms"]["count"] == 2 * len(TTFTS)
    assert rows["itl_ms"]["outliers"] == 0


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_costs_print_as_plain_decimals(value: float) -> None:
    text = format_usd(value)
    assert "e" not in text.lower()
    assert abs(Decimal(text) - Decimal(repr(value))) <= Decimal("0.000000005")


def test_cost_examples() -> None:
    assert format_usd(8.82e-05) == "0.0000882"
    assert format_usd(505.0) == "505"
    assert format_usd(0.0) == "0"
    assert format_usd(None) == ""
    assert format_figure(8.82e-05) == "0.00"  # figures are latencies and rates, never costs
    assert "e" not in format_figure(1.5e7)


def test_skipped_steps_are_not_marked_trustworthy(tmp_path: Path) -> None:
    records = [_record(i, v) for i, v in enumerate(TTFTS)]
    blocks = [_block("t@0", records), _block("t@9000", [], skipped="too long")]
    assert summary_row(blocks[1])["trustworthy"] is None
    # Even in a results file written before the fix, where the skipped step said True.
    blocks[1]["diagnostics"]["trustworthy"] = True
    assert summary_row(blocks[1])["trustworthy"] is None
    path = tmp_path / "s.csv"
    write_summary_csv(_results(blocks, records), path)
    rows = list(csv.DictReader(path.open()))
    assert [r["trustworthy"] for r in rows] == ["True", ""]
    assert rows[0]["cost_usd"] == format_usd(round(8.82e-05 * len(TTFTS), 8))
    assert "e-" not in path.read_text()
    page = render_report(_results(blocks, records))
    skipped_row = re.search(r"<tr><td>t@9000</td>.*?</tr>", page)
    assert skipped_row is not None
    assert ">skipped<" in skipped_row.group(0) and ">yes<" not in skipped_row.group(0)


def test_html_shows_the_distributions_and_plain_costs() -> None:
    records = [_record(i, v) for i, v in enumerate(TTFTS)]
    block = _block("t@0", records)
    page = render_report(_results([block], records))
    ttft = block["summary"]["ttft_ms"]
    row = re.search(r"<tr><td>t@0</td><td>TTFT ms</td>(.*?)</tr>", page)
    assert row is not None
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    expected = [ttft[k] for k in ("count", "mean", "std", "min", "p50", "p90", "p95", "p99")]
    assert cells == [format_figure(v) for v in (*expected, ttft["max"], ttft["outlier_count"])]
    assert "0.0010584" in page  # 12 x 8.82e-05 USD
    assert "e-05" not in page


def test_superseded_records_of_a_server_export_stay_out_of_the_charts() -> None:
    records = [_record(i, v) for i, v in enumerate(TTFTS)]
    data = _results([_block("t@0", records)], records)
    planted = {**_record(99, 5000.0).to_dict(), "superseded": True}
    assert render_report({**data, "requests": [*data["requests"], planted]}) == render_report(data)


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 (markup this test just rendered)


def test_legends_take_their_series_colour_and_stay_off_the_plot() -> None:
    series = {
        "alpha p50": [(1.0, 10.0), (2.0, 12.0), (4.0, 30.0)],
        "a very long target name p99": [(1.0, 20.0), (2.0, 25.0), (4.0, 60.0)],
    }
    svg = _svg(svg_lines(series, "t", "x", "y"))
    plot_right = WIDTH - PAD_RIGHT
    assert plot_right <= WIDTH - LEGEND_WIDTH
    legends = svg.findall(f"{SVG}g")
    assert len(legends) == 2
    for i, group in enumerate(legends):
        text, swatch = group.find(f"{SVG}text"), group.find(f"{SVG}line")
        title = group.find(f"{SVG}title")
        assert text is not None and swatch is not None and title is not None
        assert text.get("fill") == swatch.get("stroke") == PALETTE[i]
        assert float(swatch.get("x1") or 0) >= plot_right
        assert title.text in series
    for line in svg.findall(f"{SVG}polyline"):
        xs = [float(p.split(",")[0]) for p in (line.get("points") or "").split()]
        assert min(xs) >= PAD_LEFT and max(xs) <= plot_right + 0.1


def test_the_stylesheet_greys_only_uncoloured_text() -> None:
    page = render_report(_results([], [_record(0, 20.0)]))
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    rules = dict(re.findall(r"([^{}]+)\{([^{}]*)\}", style.group(1)))
    greys = [selector.strip() for selector, body in rules.items() if "fill:" in body]
    assert greys == ["svg text:not([fill])"]


def test_progress_line_median_comes_from_core_stats() -> None:
    from benchstudio.speed.engine import RunControl
    from benchstudio.speed.progress import progress_line

    control = RunControl()
    control.recent_ttft_ms.extend([1.0, 2.0, 3.0, 10.0])
    assert "p50 TTFT 2.5 ms" in progress_line(control, 1.0)
    assert "p50 TTFT -" in progress_line(RunControl(), 1.0)
