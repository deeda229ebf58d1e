"""The truth join: server writes assigned to client chunks on the shared monotonic clock."""

from __future__ import annotations

import pytest

from benchstudio.simulator.truth_join import join_chunks, token_writes

MS = 1_000_000
READ = 5_000 * MS  # request_read_ns: an arbitrary instant on the monotonic clock


def test_one_write_per_read_gives_one_write_per_chunk() -> None:
    # Writes at read + 20, 30, 40 ms; the client read each 0.2 ms later.
    writes = [READ + 20 * MS, READ + 30 * MS, READ + 40 * MS]
    joined = join_chunks(READ, writes, ttft_ms=20.2, itl_ms=[10.0, 10.0])
    assert joined is not None
    assert joined.groups == ((writes[0],), (writes[1],), (writes[2],))
    assert joined.merged == 0
    assert joined.server_gaps_ms == [10.0, 10.0]
    assert joined.gap_errors_ms([10.0, 10.0]) == [0.0, 0.0]


def test_a_late_read_merges_the_writes_it_found_into_one_chunk() -> None:
    # Writes every 2 ms; the client was busy and read at 26.5 ms (2 writes waiting) and 31 ms.
    writes = [READ + t * MS for t in (20, 22, 24, 26, 28, 30)]
    joined = join_chunks(READ, writes, ttft_ms=20.1, itl_ms=[2.0, 4.4, 4.5])
    assert joined is not None
    assert joined.groups == (
        (writes[0],),
        (writes[1],),
        (writes[2], writes[3]),
        (writes[4], writes[5]),
    )
    assert joined.merged == 2
    # Server side of each gap: between the last writes of consecutive chunks.
    assert joined.server_gaps_ms == [2.0, 4.0, 4.0]
    assert joined.gap_errors_ms([2.0, 4.4, 4.5]) == pytest.approx([0.0, 0.4, 0.5])


def test_a_late_first_read_holds_two_writes() -> None:
    writes = [READ + 3 * MS, READ + 5 * MS, READ + 7 * MS]
    joined = join_chunks(READ, writes, ttft_ms=6.0, itl_ms=[1.5])
    assert joined is not None
    assert joined.groups == ((writes[0], writes[1]), (writes[2],))
    assert joined.server_gaps_ms == [2.0]


def test_the_send_to_read_delay_is_found_so_close_writes_are_not_merged() -> None:
    # The client sent 1 ms before the server read the request (a busy server); writes 1 ms
    # apart, each read 0.1 ms after it was written. Taking the send as the read instant would
    # put every write one chunk early; the join finds the 1 ms instead.
    writes = [READ + t * MS for t in (10, 11, 12, 13)]
    joined = join_chunks(READ, writes, ttft_ms=11.1, itl_ms=[1.0, 1.0, 1.0])
    assert joined is not None
    assert joined.groups == tuple((w,) for w in writes)
    assert 1.0 * MS <= joined.offset_ns <= 1.1 * MS


def test_a_write_sent_late_after_its_stamp_reaches_the_next_chunk() -> None:
    # The write stamped at 5.4 ms left the server only after the client's read at 6.3 ms (the
    # writer was preempted): chunks at 6.3, 7.9 and 9.9 ms carried one write each.
    writes = [READ + int(t * MS) for t in (3.3, 5.4, 9.3)]
    joined = join_chunks(READ, writes, ttft_ms=6.3, itl_ms=[1.6, 2.0])
    assert joined is not None
    assert joined.groups == tuple((w,) for w in writes)


def test_microsecond_rounding_of_the_stored_figures_is_tolerated() -> None:
    # The client read exactly at each write; its figures were stored to the microsecond.
    writes = [READ + 10 * MS + 400, READ + 12 * MS + 1_400]
    joined = join_chunks(READ, writes, ttft_ms=10.0, itl_ms=[2.001])
    assert joined is not None and len(joined.groups) == 2


@pytest.mark.parametrize(
    ("writes_ms", "ttft_ms", "itl_ms", "why"),
    [
        ([20, 30], 20.0, [5.0, 5.0], "more client chunks than writes can fill"),
        ([20, 30, 40], 20.0, [1.0], "a write after the last chunk arrived"),
        ([20, 30], 15.0, [15.0], "the first chunk arrived before anything was written"),
        ([20, 21, 40, 41], 20.5, [1.0, 1.0, 30.0], "a chunk between two writes gets none"),
        ([20, 22], 23.0, [-1.0], "a negative gap"),
        ([], 20.0, [], "no writes"),
        ([20], None, [], "no first token on the client"),
    ],
)
def test_timestamps_that_cannot_be_true_do_not_join(
    writes_ms: list[int], ttft_ms: float | None, itl_ms: list[float], why: str
) -> None:
    writes = [READ + t * MS for t in writes_ms]
    assert join_chunks(READ, writes, ttft_ms, itl_ms) is None, why


def test_token_writes_are_the_distinct_times_of_token_bearing_events() -> None:
    record = {
        "events": [
            {"t_ns": 1, "kind": "role", "tokens": 0},
            {"t_ns": 5, "kind": "reasoning", "tokens": 1},
            {"t_ns": 5, "kind": "content", "tokens": 1},  # written with the reasoning event
            {"t_ns": 3, "kind": "content", "tokens": 2},
            {"t_ns": 7, "kind": "content", "tokens": 0},
            {"t_ns": 8, "kind": "tool", "tokens": 1},
            {"t_ns": 9, "kind": "usage", "tokens": 0},
        ]
    }
    assert token_writes(record) == [3, 5, 8]
