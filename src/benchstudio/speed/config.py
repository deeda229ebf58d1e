"""What a benchmark run does: targets, prompt, mode and bounds (from flags or a YAML file)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from benchstudio.speed.corpus import CorpusKind
from benchstudio.speed.prompts import DEFAULT_PROMPT
from benchstudio.speed.schedule import Arrival

Protocol = Literal["openai", "anthropic", "gemini"]
Mode = Literal["profile", "concurrency", "rate"]


class Prices(BaseModel):
    """Custom prices in USD per million tokens (win over the bundled price table)."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached_input: float | None = Field(default=None, ge=0)
    reasoning: float | None = Field(default=None, ge=0)


class TargetConfig(BaseModel):
    """One endpoint and model to measure."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    base_url: str
    model: str
    protocol: Protocol = "openai"
    api_key_env: str | None = None
    context_window: int | None = Field(default=None, gt=0)
    prices: Prices | None = None
    # Extra body parameters sent with every request (already-effective provider params).
    params: dict[str, Any] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _default_name(self) -> TargetConfig:
        if not self.name:
            self.name = self.model
        return self

    def api_key(self) -> str | None:
        """The key from the named environment variable (never stored in results)."""
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    @property
    def provider_key(self) -> str:
        """Targets sharing this key run one model at a time (same provider endpoint)."""
        return f"{self.protocol}:{self.base_url.rstrip('/')}"


class BenchConfig(BaseModel):
    """A whole run. Profile mode unless a concurrency or request rate is given."""

    model_config = ConfigDict(extra="forbid")

    targets: list[TargetConfig] = Field(min_length=1)
    prompt: str = DEFAULT_PROMPT
    max_tokens: int | None = Field(default=256, gt=0)
    temperature: float | None = None
    runs: int = Field(default=5, ge=1)
    warmup: int = Field(default=1, ge=0)
    context_tokens: list[int] = Field(default_factory=lambda: [0])
    corpus: CorpusKind = "prose"
    cache_probe: bool = False
    concurrency: int | None = Field(default=None, ge=1)
    request_rate: float | None = Field(default=None, gt=0)
    arrival: Arrival = "poisson"
    burstiness: float = Field(default=1.0, gt=0)
    num_requests: int | None = Field(default=None, ge=1)
    duration_s: float | None = Field(default=None, gt=0)
    max_in_flight: int | None = Field(default=None, ge=1)
    sweep_concurrency: list[int] = Field(default_factory=list)
    sweep_rate: list[float] = Field(default_factory=list)
    slo: dict[str, float] = Field(default_factory=dict)
    slo_search: bool = False
    slo_attainment: float = Field(default=0.9, gt=0, le=1)
    timeout_s: float = Field(default=300.0, gt=0)
    max_cost: float | None = Field(default=None, gt=0)
    # A hard bound on requests sent, warm-ups included (the platform's per-run limit).
    max_requests: int | None = Field(default=None, ge=0)
    parallel_models: bool = False
    workers: int = Field(default=1, ge=1, le=64)
    # True: measured windows start with no open connection (first requests pay the connect).
    cold: bool = False
    # Set only in a worker process of a `workers > 1` run: which share of the load it sends.
    worker_index: int | None = Field(default=None, ge=0)
    run_id: str = ""

    @field_validator("context_tokens")
    @classmethod
    def _tiers_non_negative(cls, value: list[int]) -> list[int]:
        if any(v < 0 for v in value):
            raise ValueError("context tiers must be >= 0 tokens")
        return value or [0]

    @model_validator(mode="after")
    def _check_mode(self) -> BenchConfig:
        if self.concurrency is not None and self.request_rate is not None:
            raise ValueError("give either a concurrency or a request rate, not both")
        if self.sweep_concurrency and self.sweep_rate:
            raise ValueError("sweep either concurrency or rate, not both")
        if self.slo_search and not self.slo:
            raise ValueError("SLO search needs targets, e.g. --slo ttft_ms=500,tpot_ms=50")
        if self.slo_search and self.workers > 1:
            raise ValueError("--slo-search runs in one process: drop --workers")
        if self.worker_index is not None and self.worker_index >= self.workers:
            raise ValueError("worker_index must be below workers")
        unknown = set(self.slo) - {"ttft_ms", "tpot_ms", "e2e_ms"}
        if unknown:
            raise ValueError(f"unknown SLO metrics: {', '.join(sorted(unknown))}")
        seen: dict[str, int] = {}
        for target in self.targets:
            count = seen.get(target.name, 0)
            seen[target.name] = count + 1
            if count:
                target.name = f"{target.name}#{count + 1}"
        return self

    @property
    def mode(self) -> Mode:
        if self.request_rate is not None or self.sweep_rate or self.slo_search:
            return "rate"
        if self.concurrency is not None or self.sweep_concurrency:
            return "concurrency"
        return "profile"

    def request_bound(self) -> tuple[int | None, float | None]:
        """(request count, duration) bounding each load step; defaults to 100 requests."""
        if self.num_requests is None and self.duration_s is None:
            return 100, None
        return self.num_requests, self.duration_s

    def load_share(self, *, concurrency: int | None, rate: float | None) -> LoadShare | None:
        """What this process sends for the configured load point (concurrency or rate).

        One process sends it all. Worker `worker_index` of `workers` sends its share: the
        concurrency, request count and in-flight cap split into integers that add up to the
        configured ones (request counts in proportion to concurrency shares), the rate divided
        evenly. Workers beyond the point's size (c=2 over 3 workers) send nothing: None.
        """
        count, duration = self.request_bound()
        index = self.worker_index
        if index is None or self.workers == 1:
            return LoadShare(concurrency, rate, count, duration, self.max_in_flight)
        if concurrency is not None:
            active = min(self.workers, concurrency, count or concurrency)
            if index >= active:
                return None
            streams = split_evenly(concurrency, active)
            counts = None if count is None else split_in_proportion(count, streams)
            requests = None if counts is None else counts[index]
            return LoadShare(streams[index], None, requests, duration, None)
        assert rate is not None
        active = min(self.workers, count or self.workers, self.max_in_flight or self.workers)
        if index >= active:
            return None
        counts = None if count is None else split_evenly(count, active)
        caps = None if self.max_in_flight is None else split_evenly(self.max_in_flight, active)
        # Constant arrivals: worker i sends i/rate after worker 0, so the merged arrivals are
        # evenly spaced at the configured rate (not `active` requests at the same instant).
        offset = index / rate if self.arrival == "constant" else 0.0
        requests = None if counts is None else counts[index]
        cap = None if caps is None else caps[index]
        return LoadShare(None, rate / active, requests, duration, cap, offset)

    def within(self, max_requests: int | None, max_cost: float | None) -> BenchConfig:
        """This config under hard bounds: the lower of each bound and the one it already has."""
        requests = [v for v in (self.max_requests, max_requests) if v is not None]
        costs = [v for v in (self.max_cost, max_cost) if v is not None]
        return self.model_copy(
            update={
                "max_requests": min(requests) if requests else None,
                "max_cost": min(costs) if costs else None,
            }
        )

    def public_dict(self) -> dict[str, Any]:
        """The configuration as recorded in results (env var names only, never keys)."""
        return self.model_dump(mode="json", exclude={"worker_index"})


@dataclass(frozen=True, slots=True)
class LoadShare:
    """The load one process generates for one load step (see `BenchConfig.load_share`)."""

    concurrency: int | None
    rate: float | None
    num_requests: int | None
    duration_s: float | None
    max_in_flight: int | None
    start_offset_s: float = 0.0


def split_evenly(total: int, parts: int) -> list[int]:
    """`total` as `parts` integers differing by at most one, larger ones first."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def split_in_proportion(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder), every part at least 1
    when `total` allows it; the parts add up to `total`."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    while 0 in parts and max(parts) > 1:
        parts[parts.index(max(parts))] -= 1
        parts[parts.index(0)] += 1
    return parts


def load_config_file(path: Path) -> dict[str, Any]:
    """Read a YAML (or JSON) run file into a dict of `BenchConfig` fields."""
    import yaml  # lazy: only when a file is given

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data
