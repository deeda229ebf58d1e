"""A self-contained HTML report of a results JSON: inline SVG charts, no external assets.

Charts: TTFT and ITL distributions per target, throughput vs latency across load steps, and
latency vs context size across tiers, plus the summary table and the run's self-diagnosis.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from typing import Any

import numpy as np

from benchstudio.speed.output import (
    distribution_rows,
    format_figure,
    format_usd,
    step_blocks,
    summary_row,
    trust_label,
)

# The legend sits in its own column right of the plot, so it never covers a line.
WIDTH, HEIGHT = 640, 300
LEGEND_WIDTH = 130
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 60, 20 + LEGEND_WIDTH, 30, 45
LEGEND_CHARS = 17
PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563")
HISTOGRAM_BINS = 40
# Grey only for text without its own colour: legend entries keep their series' colour.
_STYLE = (
    "body{font:14px system-ui,sans-serif;margin:24px;color:#111}"
    "svg{margin:8px;background:#fff;border:1px solid #e5e7eb}"
    "svg text{font-size:11px} svg text:not([fill]){fill:#374151}"
    "svg .t{font-size:13px;font-weight:600}"
    ".ax{stroke:#111} .grid{stroke:#e5e7eb} table{border-collapse:collapse;margin:12px 0}"
    "td,th{border:1px solid #d1d5db;padding:3px 6px;font-size:12px} th{background:#f3f4f6}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums} td.no{color:#b91c1c}"
    ".charts{display:flex;flex-wrap:wrap}"
)


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 1:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _axes(
    title: str,
    x_label: str,
    y_label: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> list[str]:
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{_e(title)}">',
        f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" class="t">{_e(title)}</text>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{PAD_LEFT + plot_w}" '
        f'y2="{PAD_TOP + plot_h}" class="ax"/>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" '
        f'y2="{PAD_TOP + plot_h}" class="ax"/>',
        f'<text x="{PAD_LEFT + plot_w / 2}" y="{HEIGHT - 8}" text-anchor="middle">'
        f"{_e(x_label)}</text>",
        f'<text x="14" y="{PAD_TOP + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {PAD_TOP + plot_h / 2})">{_e(y_label)}</text>',
    ]
    for i in range(5):
        fx = x_range[0] + (x_range[1] - x_range[0]) * i / 4
        fy = y_range[0] + (y_range[1] - y_range[0]) * i / 4
        px = PAD_LEFT + plot_w * i / 4
        py = PAD_TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<text x="{px}" y="{PAD_TOP + plot_h + 16}" text-anchor="middle">{_fmt(fx)}</text>'
        )
        parts.append(f'<text x="{PAD_LEFT - 6}" y="{py + 4}" text-anchor="end">{_fmt(fy)}</text>')
        parts.append(
            f'<line x1="{PAD_LEFT}" y1="{py}" x2="{PAD_LEFT + plot_w}" y2="{py}" class="grid"/>'
        )
    return parts


def _legend(names: list[str]) -> list[str]:
    """One entry per series right of the plot: a swatch and the name, both in its colour
    (long names shortened, the full name in a tooltip)."""
    x = WIDTH - LEGEND_WIDTH
    parts = []
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        y = PAD_TOP + 10 + 16 * i
        short = name if len(name) <= LEGEND_CHARS else name[: LEGEND_CHARS - 1] + "…"
        parts.append(
            f'<g class="legend"><title>{_e(name)}</title>'
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 16}" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="2"/><text x="{x + 22}" y="{y}" fill="{colour}">{_e(short)}</text></g>'
        )
    return parts


def svg_histograms(series: dict[str, list[float]], title: str, x_label: str) -> str:
    """Overlaid step histograms (share of values per bin) of each named series."""
    values = [v for vs in series.values() for v in vs]
    if not values:
        return f"<p>{_e(title)}: no data.</p>"
    high = float(np.percentile(values, 99.5)) or max(values) or 1.0
    edges = np.linspace(0.0, high * 1.02, HISTOGRAM_BINS + 1)
    shares = {
        name: np.histogram(np.clip(vs, 0, edges[-1]), bins=edges)[0] / max(len(vs), 1)
        for name, vs in series.items()
    }
    top = max(float(s.max()) for s in shares.values()) or 1.0
    parts = _axes(title, x_label, "share of values", (0.0, float(edges[-1])), (0.0, top))
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    for i, (_name, share) in enumerate(shares.items()):
        points = []
        for b, value in enumerate(share):
            x0 = PAD_LEFT + plot_w * b / HISTOGRAM_BINS
            x1 = PAD_LEFT + plot_w * (b + 1) / HISTOGRAM_BINS
            y = PAD_TOP + plot_h - plot_h * float(value) / top
            points.append(f"{x0:.1f},{y:.1f} {x1:.1f},{y:.1f}")
        parts.append(
            f'<polyline fill="none" stroke="{PALETTE[i % len(PALETTE)]}" '
            f'stroke-width="1.5" points="{" ".join(points)}"/>'
        )
    parts += _legend(list(shares))
    parts.append("</svg>")
    return "".join(parts)


def svg_lines(
    series: dict[str, list[tuple[float, float]]],
    title: str,
    x_label: str,
    y_label: str,
    *,
    log_x: bool = False,
) -> str:
    """Named polylines with markers; `log_x` for concurrency/rate sweeps and context sizes."""
    points = [p for ps in series.values() for p in ps]
    if not points:
        return f"<p>{_e(title)}: no data.</p>"

    def tx(x: float) -> float:
        return math.log2(x) if log_x and x > 0 else x

    xs = [tx(x) for x, _ in points]
    x_lo, x_hi = min(xs), max(xs)
    x_hi = x_hi if x_hi > x_lo else x_lo + 1
    y_hi = max(y for _, y in points) or 1.0
    x_axis = (2**x_lo, 2**x_hi) if log_x else (x_lo, x_hi)
    label = f"{x_label} (log scale)" if log_x else x_label
    parts = _axes(title, label, y_label, x_axis, (0.0, y_hi))
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    for i, (_name, ps) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        coords = [
            (
                PAD_LEFT + plot_w * (tx(x) - x_lo) / (x_hi - x_lo),
                PAD_TOP + plot_h - plot_h * y / y_hi,
            )
            for x, y in sorted(ps)
        ]
        joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{joined}"/>'
        )
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in coords]
    parts += _legend(list(series))
    parts.append("</svg>")
    return "".join(parts)


def _by_target(records: list[dict[str, Any]], field: str) -> dict[str, list[float]]:
    series: dict[str, list[float]] = defaultdict(list)
    for record in records:
        # A server export marks a remeasured step's earlier rows superseded: no figure uses them.
        if record.get("error") or record.get("warmup") or record.get("superseded"):
            continue
        value = record.get(field)
        name = str(record.get("target") or "run")
        if isinstance(value, list):
            series[name].extend(value)
        elif value is not None:
            series[name].append(float(value))
    return dict(series)


def _step_series(
    blocks: list[dict[str, Any]], x_key: str, y_metric: str, field: str
) -> dict[str, list[tuple[float, float]]]:
    series: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for block in blocks:
        x = (
            block.get(x_key)
            if x_key != "throughput"
            else block["summary"].get("output_token_throughput")
        )
        y = (block["summary"].get(y_metric) or {}).get(field)
        if x is not None and y is not None and not block.get("skipped_reason"):
            series[f"{block['target']} {field}"].append((float(x), float(y)))
    return {name: points for name, points in series.items() if len(points) > 1}


TABLE_COLUMNS = (
    ("step", "step"),
    ("requests", "requests"),
    ("errors", "errors"),
    ("cancelled", "cancelled"),
    ("ttft_ms_p50", "TTFT p50 ms"),
    ("ttft_ms_p99", "TTFT p99 ms"),
    ("tpot_ms_p50", "TPOT p50 ms"),
    ("itl_ms_p99", "ITL p99 ms"),
    ("e2e_ms_p50", "E2E p50 ms"),
    ("output_tokens_per_s_p50", "output tok/s p50"),
    ("request_throughput", "req/s"),
    ("cost_usd", "cost USD"),
    ("trustworthy", "client"),
    ("skipped_reason", "skipped"),
)
DISTRIBUTION_COLUMNS = ("count", "mean", "std", "min", "p50", "p90", "p95", "p99", "max")


def _cell(key: str, row: dict[str, Any]) -> str:
    value = row[key]
    if key == "cost_usd":
        return f'<td class="n">{_e(format_usd(value))}</td>'
    if key == "trustworthy":
        label = trust_label(row)
        return f"<td{' class=no' if label == 'NO' else ''}>{_e(label)}</td>"
    if key in ("step", "skipped_reason"):
        return f"<td>{_e('' if value is None else value)}</td>"
    return f'<td class="n">{_e(format_figure(value))}</td>'


def _table(blocks: list[dict[str, Any]]) -> str:
    rows = [summary_row(block) for block in blocks]
    head = "".join(f"<th>{_e(title)}</th>" for _, title in TABLE_COLUMNS)
    body = "".join(
        "<tr>" + "".join(_cell(key, row) for key, _ in TABLE_COLUMNS) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _distribution_table(blocks: list[dict[str, Any]]) -> str:
    """Every step's distributions: count, mean, std, min, percentiles, max, IQR outliers."""
    head = "".join(
        f"<th>{_e(c)}</th>" for c in ("step", "metric", *DISTRIBUTION_COLUMNS, "outliers")
    )
    body = []
    for block in blocks:
        for row in distribution_rows(block):
            fences = row["outlier_fences"]
            title = (
                ""
                if fences is None
                else f' title="outside {format_figure(fences[0])} .. {format_figure(fences[1])}"'
            )
            cells = "".join(
                f'<td class="n">{_e(format_figure(row[c]))}</td>' for c in DISTRIBUTION_COLUMNS
            )
            body.append(
                f"<tr><td>{_e(row['step'])}</td><td>{_e(row['label'])}</td>{cells}"
                f'<td class="n"{title}>{_e(row["outliers"])}</td></tr>'
            )
    return (
        "<h2>Distributions</h2>\n<p>Sample standard deviation; outliers lie beyond Tukey's "
        "fences (1.5 IQR beyond the quartiles; hover for the fences) and are flagged, never "
        f"removed.</p>\n<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
        "</table>"
    )


def render_report(data: dict[str, Any]) -> str:
    """The whole HTML page for one results JSON."""
    records = data.get("requests", [])
    blocks = step_blocks(data)
    charts = [
        svg_histograms(_by_target(records, "ttft_ms"), "TTFT distribution", "TTFT (ms)"),
        svg_histograms(
            _by_target(records, "itl_ms"), "Inter-token latency distribution", "ITL (ms)"
        ),
    ]
    load_blocks = [b for b in blocks if b.get("mode") in ("concurrency", "rate")]
    if len(load_blocks) > 1:
        charts.append(
            svg_lines(
                _step_series(load_blocks, "throughput", "ttft_ms", "p50")
                | _step_series(load_blocks, "throughput", "ttft_ms", "p99"),
                "Throughput vs TTFT",
                "output tokens/s",
                "TTFT (ms)",
            )
        )
        charts.append(
            svg_lines(
                _step_series(load_blocks, "throughput", "tpot_ms", "p50"),
                "Throughput vs TPOT",
                "output tokens/s",
                "TPOT (ms)",
            )
        )
    tiers = {b.get("context_tokens") for b in blocks}
    if len(tiers) > 1:
        charts.append(
            svg_lines(
                _step_series(blocks, "context_tokens", "ttft_ms", "p50"),
                "TTFT vs context size",
                "context tokens",
                "TTFT p50 (ms)",
            )
        )
    diagnostics = data.get("diagnostics", {})
    trusted = diagnostics.get("trustworthy")
    verdict = (
        "nothing measured"
        if trusted is None
        else "trustworthy"
        if trusted
        else "NOT trustworthy: " + "; ".join(diagnostics.get("untrustworthy_reasons", []))
    )
    run_id = _e(data.get("run_id"))
    lag_p99 = _e((diagnostics.get("event_loop_lag_ms") or {}).get("p99"))
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>BenchStudio speed report {run_id}</title>\n<style>{_STYLE}</style></head><body>\n"
        "<h1>Speed benchmark</h1>\n"
        f"<p>Run <code>{run_id}</code>, status <b>{_e(data.get('status'))}</b>, started "
        f"{_e(data.get('started_at'))}. Client: {_e(verdict)} (CPU share "
        f"{_e(diagnostics.get('client_cpu_share'))}, event-loop lag p99 {lag_p99} ms).</p>\n"
        "<p>Percentiles use linear interpolation; intervals are 95% bootstrap intervals "
        "seeded from the run id.</p>\n"
        f'{_table(blocks)}\n<div class="charts">{"".join(charts)}</div>\n'
        f"{_distribution_table(blocks)}\n</body></html>\n"
    )
