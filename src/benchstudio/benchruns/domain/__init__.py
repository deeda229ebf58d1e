"""Pure benchmark-history logic: results-file records ↔ stored rows, throttling, pairing.

A stored row holds exactly what the `benchstudio.bench/1` record holds (times rounded to the
microsecond, as `RequestMetrics.to_dict()` writes them), so export → import → export gives the
same file and every summary is computed from the stored values.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from benchstudio.speed.metrics import CANCELLED, RequestError, RequestMetrics

BENCHMARK_JOB_TYPE = "benchmark"
RESULTS_SCHEMA = "benchstudio.bench/1"
# Bump when the cached summary's shape or its computation changes: old caches are recomputed.
SUMMARY_VERSION = 5
UINT32_MAX = 2**32 - 1
ERROR_MESSAGE_CHARS = 500

FLOAT_FIELDS = (
    "ttft_ms",
    "ttfct_ms",
    "tpot_ms",
    "e2e_ms",
    "first_byte_ms",
    "connect_ms",
    "output_tokens_per_s",
    "e2e_tokens_per_s",
    "cost_usd",
)
INT_FIELDS = ("input_tokens", "output_tokens", "reasoning_tokens", "cached_input_tokens")
RUN_STATUSES = ("queued", "running", "completed", "stopped", "cancelled", "failed", "interrupted")
FINAL_RUN_STATUSES = frozenset({"completed", "stopped", "cancelled", "failed", "interrupted"})


def pack_itl(gaps_ms: Iterable[float]) -> bytes:
    """Gaps in ms (3 decimals) as little-endian uint32 microseconds."""
    values = array("I", (min(UINT32_MAX, max(0, round(gap * 1000))) for gap in gaps_ms))
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def unpack_itl(blob: bytes | None) -> list[float]:
    if not blob:
        return []
    values = array("I")
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return [us / 1000 for us in values]


def step_name_of(record: Mapping[str, Any]) -> str:
    """The step a results-file record belongs to (profile records carry no `step`)."""
    step = record.get("step")
    if step:
        return str(step)
    return (
        f"{record.get('target') or record.get('model') or 'target'}@{record.get('context_tokens')}"
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def row_from_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """Column values of `benchmark_requests` for one results-file record (run id excluded)."""
    error = record.get("error") or None
    row: dict[str, Any] = {
        "target_key": str(record.get("target") or record.get("model") or "")[:300],
        "step": step_name_of(record)[:400],
        "request_id": str(record.get("request_id") or "")[:128],
        "model": str(record.get("model") or "")[:256],
        "context_tokens": _int(record.get("context_tokens")),
        "run_index": _int(record.get("run_index")),
        "warmup": bool(record.get("warmup", False)),
        "itl_us": pack_itl(record.get("itl_ms") or ()),
        "tokens_estimated": bool(record.get("tokens_estimated", False)),
        "tokenizer": record.get("tokenizer"),
        "chunk_count": int(record.get("chunk_count") or 0),
        "finish_reason": record.get("finish_reason"),
        "error_category": None if error is None else str(error.get("category") or "other")[:32],
        "error_message": None
        if error is None
        else str(error.get("message") or "")[:ERROR_MESSAGE_CHARS],
        "error_status": None if error is None else _int(error.get("status")),
        "superseded": bool(record.get("superseded", False)),
    }
    row.update({name: _float(record.get(name)) for name in FLOAT_FIELDS})
    row.update({name: _int(record.get(name)) for name in INT_FIELDS})
    return row


def record_from_row(row: Any) -> dict[str, Any]:
    """The results-file record of a stored row (attribute access: ORM object or Core row)."""
    error = None
    if row.error_category is not None:
        error = {
            "category": row.error_category,
            "message": row.error_message or "",
            "status": row.error_status,
        }
    record: dict[str, Any] = {"request_id": row.request_id}
    for name in ("ttft_ms", "ttfct_ms"):
        record[name] = getattr(row, name)
    record["itl_ms"] = unpack_itl(row.itl_us)
    for name in ("tpot_ms", "e2e_ms", "first_byte_ms", "connect_ms", *INT_FIELDS):
        record[name] = getattr(row, name)
    record.update(
        {
            "tokens_estimated": bool(row.tokens_estimated),
            "tokenizer": row.tokenizer,
            "output_tokens_per_s": row.output_tokens_per_s,
            "e2e_tokens_per_s": row.e2e_tokens_per_s,
            "chunk_count": row.chunk_count,
            "finish_reason": row.finish_reason,
            "cost_usd": row.cost_usd,
            "error": error,
            "target": row.target_key,
            "model": row.model,
            "context_tokens": row.context_tokens,
        }
    )
    if row.run_index is not None:
        record["run_index"] = row.run_index
    else:
        record["step"] = row.step
    record["warmup"] = bool(row.warmup)
    if row.superseded:  # only when set: a run never resumed exports exactly the CLI's file
        record["superseded"] = True
    return record


def outcome_of(record: Mapping[str, Any]) -> str:
    """`ok`, `cancelled` (cut short by the run stopping) or `error`, as `RequestMetrics.outcome`."""
    error = record.get("error")
    if not error:
        return "ok"
    cancelled = isinstance(error, Mapping) and error.get("category") == CANCELLED
    return CANCELLED if cancelled else "error"


def counted(records: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The records statistics are computed from: superseded ones (a remeasured step's earlier
    attempt) stay stored and shown, but no summary, comparison or total counts them."""
    return [r for r in records if not r.get("superseded")]


def metrics_from_record(record: Mapping[str, Any]) -> RequestMetrics:
    """A `RequestMetrics` for core.stats summaries (labels kept in `extra`)."""
    error = record.get("error")
    return RequestMetrics(
        request_id=str(record.get("request_id") or ""),
        ttft_ms=record.get("ttft_ms"),
        ttfct_ms=record.get("ttfct_ms"),
        itl_ms=list(record.get("itl_ms") or ()),
        tpot_ms=record.get("tpot_ms"),
        e2e_ms=record.get("e2e_ms"),
        first_byte_ms=record.get("first_byte_ms"),
        input_tokens=record.get("input_tokens"),
        output_tokens=record.get("output_tokens"),
        reasoning_tokens=record.get("reasoning_tokens"),
        cached_input_tokens=record.get("cached_input_tokens"),
        tokens_estimated=bool(record.get("tokens_estimated")),
        output_tokens_per_s=record.get("output_tokens_per_s"),
        e2e_tokens_per_s=record.get("e2e_tokens_per_s"),
        chunk_count=int(record.get("chunk_count") or 0),
        finish_reason=record.get("finish_reason"),
        error=None
        if not error
        else RequestError(
            error.get("category", "other"), error.get("message", ""), error.get("status")
        ),
        tokenizer=record.get("tokenizer"),
        cost_usd=record.get("cost_usd"),
        connect_ms=record.get("connect_ms"),
        extra={
            "target": record.get("target"),
            "warmup": bool(record.get("warmup")),
            "step": step_name_of(record),
        },
    )


class EventThrottle:
    """At most `per_second` events: a per-request event is sent only when enough time passed."""

    def __init__(self, per_second: float) -> None:
        self.interval_s = 1.0 / per_second
        self._last: float | None = None

    def allow(self, now_s: float) -> bool:
        if self._last is not None and now_s - self._last < self.interval_s:
            return False
        self._last = now_s
        return True


@dataclass(frozen=True, slots=True)
class TargetIdentity:
    """Who a target was: used to pair targets of two runs in a comparison."""

    target_key: str
    provider_id: str | None
    model_id: str

    @property
    def match_key(self) -> str:
        return f"{self.provider_id or ''}\x00{self.model_id}"


def pair_targets(
    base: Sequence[TargetIdentity], other: Sequence[TargetIdentity]
) -> list[tuple[str, str]]:
    """(base target, other target) pairs: same provider and model, else the same target name;
    two single-target runs are always paired."""
    if len(base) == 1 and len(other) == 1:
        return [(base[0].target_key, other[0].target_key)]
    by_identity = {t.match_key: t.target_key for t in other}
    by_name = {t.target_key for t in other}
    pairs = []
    for target in base:
        if target.match_key in by_identity:
            pairs.append((target.target_key, by_identity[target.match_key]))
        elif target.target_key in by_name:
            pairs.append((target.target_key, target.target_key))
    return pairs


def search_text(parts: Iterable[str | None]) -> str:
    """Lower-cased words the history search matches (model and provider names, ids)."""
    return " ".join(dict.fromkeys(p.strip().lower() for p in parts if p and p.strip()))[:4000]
