"""SLO search as a pure function over `probe(rate)`: property tests with a monotone pass region."""

from __future__ import annotations

import ast
import asyncio
import math
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import benchstudio.speed.slo_search as slo_search
from benchstudio.speed.metrics import RequestMetrics
from benchstudio.speed.results import SloTargets
from benchstudio.speed.slo_search import (
    BISECTION_ROUNDS,
    FLOOR_FRACTION,
    resolution,
    search_rate,
    search_target,
)

ceilings = st.floats(min_value=0.01, max_value=1e5, allow_nan=False, allow_infinity=False)
# Boundary as a multiple of the ceiling, from far below the floor to far above the ceiling.
log_ratios = st.floats(min_value=-8.0, max_value=2.0, allow_nan=False)


def run_search(
    ceiling: float, boundary: float, **kwargs: object
) -> tuple[float | None, list[float]]:
    async def probe(rate: float) -> bool:
        return rate <= boundary

    outcome = asyncio.run(search_rate(probe, ceiling, **kwargs))  # type: ignore[arg-type]
    return outcome.best, outcome.probed


def test_resolution_matches_the_documented_bisection() -> None:
    # Five halvings of a 64x log interval: 64 ** (1/32) = 2 ** (6/32).
    assert math.isclose(resolution(), 2 ** (6 / 32))
    assert math.isclose(resolution(1 / 16, 2), 16 ** (1 / 4))


@given(ceilings, log_ratios)
def test_monotone_pass_region_finds_the_boundary_within_tolerance(
    ceiling: float, log_ratio: float
) -> None:
    boundary = ceiling * 2.0**log_ratio
    best, probed = run_search(ceiling, boundary)
    assert len(probed) <= BISECTION_ROUNDS + 2
    if boundary >= ceiling:
        assert best == ceiling
        assert probed == [ceiling]
    elif boundary < ceiling * FLOOR_FRACTION:
        assert best is None
        assert probed == [ceiling, ceiling * FLOOR_FRACTION]
    else:
        assert best is not None
        # The answer passes, and the boundary lies within one resolution step above it.
        assert best <= boundary
        assert boundary < best * resolution() * (1 + 1e-9)
        assert best in probed


@given(
    ceilings,
    st.floats(min_value=0.001, max_value=0.5),
    st.integers(min_value=0, max_value=12),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_tolerance_follows_floor_and_rounds(
    ceiling: float, floor_fraction: float, rounds: int, position: float
) -> None:
    # A boundary strictly between the floor and the ceiling (log-uniform position).
    low = ceiling * floor_fraction
    boundary = low * (ceiling / low) ** (position * 0.999)
    best, probed = run_search(ceiling, boundary, floor_fraction=floor_fraction, rounds=rounds)
    assert best is not None
    assert best <= boundary < best * resolution(floor_fraction, rounds) * (1 + 1e-9)
    assert len(probed) == rounds + 2


def test_search_stops_when_asked() -> None:
    calls: list[float] = []

    async def probe(rate: float) -> bool:
        calls.append(rate)
        return rate <= 10.0

    outcome = asyncio.run(search_rate(probe, 64.0, stopped=lambda: len(calls) >= 3))
    assert len(calls) == 3  # ceiling, floor, one bisection, then the stop is seen
    assert outcome.best == math.sqrt(64.0 * 1.0)  # the last passing probe


def _record(ttft_ms: float, *, warmup: bool = False) -> RequestMetrics:
    return RequestMetrics(
        request_id="r",
        ttft_ms=ttft_ms,
        ttfct_ms=ttft_ms,
        itl_ms=[],
        tpot_ms=None,
        e2e_ms=ttft_ms,
        first_byte_ms=None,
        input_tokens=None,
        output_tokens=1,
        reasoning_tokens=None,
        cached_input_tokens=None,
        tokens_estimated=False,
        output_tokens_per_s=None,
        e2e_tokens_per_s=None,
        chunk_count=1,
        finish_reason="stop",
        error=None,
        extra={"warmup": warmup},
    )


def test_search_target_records_every_probe_with_attainment_and_goodput() -> None:
    # A fake server: at rate r every request's TTFT is 10 * r ms; the SLO is TTFT <= 200 ms,
    # so 20 req/s is the boundary. Each step has 10 requests over 2 s (plus one warm-up that
    # never counts).
    async def run_step(rate: float) -> tuple[list[RequestMetrics], float]:
        records = [_record(10 * rate) for _ in range(10)] + [_record(1e9, warmup=True)]
        return records, 2.0

    entry = asyncio.run(
        search_target(
            run_step,
            slo=SloTargets(ttft_ms=200),
            required=0.9,
            ceiling=64.0,
            target="t",
            tier=0,
        )
    )
    rates = [p["rate"] for p in entry["probes"]]
    assert rates[:2] == [64.0, 1.0]
    assert len(rates) == 7
    for probe in entry["probes"]:
        passed = probe["rate"] <= 20.0
        assert probe["passed"] is passed
        assert probe["attainment"] == (1.0 if passed else 0.0)
        assert probe["goodput_rps"] == (5.0 if passed else 0.0)  # 10 met / 2 s
    best = entry["best_rate"]
    assert best == max(r for r in rates if r <= 20.0)
    assert best <= 20.0 < best * resolution()
    assert entry["slo"] == {"ttft_ms": 200}
    assert entry["required_attainment"] == 0.9


def test_slo_search_does_not_import_the_runner() -> None:
    tree = ast.parse(Path(slo_search.__file__).read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not any(name.startswith("benchstudio.speed.runner") for name in imported)
