"""Join a client's chunks with the simulator's writes of the same request, on the shared clock.

One network read is one client chunk, so when the client reads late, several server writes
arrive in one chunk. The client stores its chunks relative to its send instant (`ttft_ms`, then
the `itl_ms` gaps); the simulator logs `request_read_ns` and each write's `t_ns`, all on
CLOCK_MONOTONIC. Client chunk j therefore arrived at

    A_j = request_read_ns + ttft_ms + sum(itl_ms[:j]) - d

where d >= 0 is the unknown time from the client's send to the server's read, the same for
every chunk of the request (about 1 ms on a busy machine: as much as writes are apart).

What must hold: the simulator stamps a write before it writes, so a write is in a chunk that
arrived at or after it; chunks are made of consecutive writes, at least one each. A write may
reach a later chunk than the first one arriving after its stamp (the writer was preempted
between stamp and send), so each write goes to the earliest chunk it can, except where a later
chunk would otherwise be left empty. A request joins when this works for some d >= 0; the join
takes the largest such d (the client then read some chunk at once), so d is known to within
the smallest delivery latency. `tolerance_ns` absorbs the client's figures being stored to the
microsecond. Pure: no I/O, standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NS_PER_MS = 1_000_000
# Stored figures are rounded to 1 µs each; a request's arrival estimate sums up to ~100 of them.
DEFAULT_TOLERANCE_NS = 50_000
TOKEN_KINDS = frozenset({"content", "reasoning", "tool"})


@dataclass(frozen=True, slots=True)
class ChunkJoin:
    """The server writes (ns, ascending) that make up each client chunk, in chunk order."""

    groups: tuple[tuple[int, ...], ...]
    # The send-to-read offset d the join found, in ns (to within the smallest latency).
    offset_ns: int = 0

    @property
    def merged(self) -> int:
        """Client chunks that carried more than one server write (one late read)."""
        return sum(1 for group in self.groups if len(group) > 1)

    @property
    def server_gaps_ms(self) -> list[float]:
        """The server's side of each client gap: between the last writes of chunks j-1 and j."""
        return [
            (self.groups[j][-1] - self.groups[j - 1][-1]) / NS_PER_MS
            for j in range(1, len(self.groups))
        ]

    def gap_errors_ms(self, itl_ms: Sequence[float]) -> list[float]:
        """Client gap minus server gap, gap by gap."""
        return [client - server for client, server in zip(itl_ms, self.server_gaps_ms, strict=True)]


def token_writes(record: Mapping[str, Any]) -> list[int]:
    """Write times (ns, ascending, distinct) of a timing-log record's token-bearing writes:
    events written together share one `t_ns` and are one write."""
    return sorted(
        {
            event["t_ns"]
            for event in record["events"]
            if event["kind"] in TOKEN_KINDS and event["tokens"] > 0
        }
    )


def join_chunks(
    request_read_ns: int,
    writes_ns: Sequence[int],
    ttft_ms: float | None,
    itl_ms: Sequence[float],
    *,
    tolerance_ns: int = DEFAULT_TOLERANCE_NS,
) -> ChunkJoin | None:
    """Assign each server write to the client chunk that carried it; None when no send-to-read
    offset d >= 0 fits (see the module docstring)."""
    if ttft_ms is None or any(gap < 0 for gap in itl_ms):
        return None
    writes = sorted(set(writes_ns))
    arrivals = [request_read_ns + round(ttft_ms * NS_PER_MS)]
    for gap in itl_ms:
        arrivals.append(arrivals[-1] + round(gap * NS_PER_MS))
    spare = len(writes) - len(arrivals)  # writes that share a chunk with another
    if not writes or spare < 0:
        return None

    def assign(offset: int) -> tuple[tuple[int, ...], ...] | None:
        return _assign(writes, [a - offset + tolerance_ns for a in arrivals])

    groups = assign(0)
    if groups is None:
        return None
    # The assignment only changes where a chunk's arrival passes a write; write i can only be
    # in chunks i - spare .. i. A larger offset only makes fitting harder: bisect the largest.
    offsets = sorted(
        {
            arrivals[j] + tolerance_ns - writes[i]
            for i in range(len(writes))
            for j in range(max(0, i - spare), min(i, len(arrivals) - 1) + 1)
            if arrivals[j] + tolerance_ns - writes[i] > 0
        }
    )
    best = 0
    low, high = 0, len(offsets)
    while low < high:
        middle = (low + high) // 2
        found = assign(offsets[middle])
        if found is None:
            high = middle
        else:
            best, groups, low = offsets[middle], found, middle + 1
    return ChunkJoin(groups, max(0, best - tolerance_ns))


def _assign(writes: list[int], arrivals: list[int]) -> tuple[tuple[int, ...], ...] | None:
    """Each write in the earliest chunk arriving at or after it, moved later only as far as a
    later chunk needs it; None if a write came after the last chunk or a chunk stays empty."""
    chunks = len(arrivals)
    earliest: list[int] = []
    chunk = 0
    for write in writes:
        while chunk < chunks and arrivals[chunk] < write:
            chunk += 1
        if chunk == chunks:
            return None
        earliest.append(chunk)
    # From the last write back: chunk j+1 needs a write, so the write before it is in j >= ...
    placed = [0] * len(writes)
    placed[-1] = max(earliest[-1], chunks - 1)
    for i in range(len(writes) - 2, -1, -1):
        placed[i] = max(earliest[i], placed[i + 1] - 1)
    if placed[0] != 0:
        return None  # the first chunk arrived before anything it could carry was written
    groups: list[list[int]] = [[] for _ in arrivals]
    for write, index in zip(writes, placed, strict=True):
        groups[index].append(write)
    return tuple(tuple(group) for group in groups)
