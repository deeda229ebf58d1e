"""Fuzz: the SSE decoder takes any bytes in any chunking and gives the same events."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from benchstudio.providers.sse import SSEDecoder
from fuzz_inputs import fuzz_settings

_line = st.one_of(
    st.sampled_from([b"", b":", b": ping", b"data:", b"data: ", b"event:", b"event: x", b"id: 1"]),
    st.binary(max_size=12).map(lambda raw: b"data: " + raw),
    st.binary(max_size=12).map(lambda raw: b"event:" + raw),
    st.binary(max_size=12),
)
# SSE-looking streams (fields, comments, blank lines, CR/LF/CRLF ends) and plain garbage.
streams = st.one_of(
    st.lists(st.tuples(_line, st.sampled_from([b"\n", b"\r\n", b"\r"])), max_size=12).map(
        lambda lines: b"".join(line + end for line, end in lines)
    ),
    st.binary(max_size=200),
)


def decode(chunks: list[bytes]) -> list[tuple[str, bytes]]:
    decoder = SSEDecoder()
    out: list[tuple[str, bytes]] = []
    for chunk in chunks:
        decoder.feed(chunk, out)
    decoder.flush(out)
    return out


def split(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(stream) + 1) for cut in cuts})
    return [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]


@fuzz_settings(300)
@given(streams, st.lists(st.integers(min_value=0), max_size=8), st.booleans())
@example(b"data: a\r", [8], False)  # a CR line end split from nothing after it
@example(b"data: a\r\n\r\n", [8, 9], True)  # CRLF split between CR and LF
@example(b":\xff\ndata:\xff\n\n", [1], False)
def test_any_chunking_gives_the_events_of_one_feed(
    stream: bytes, cuts: list[int], empty_reads: bool
) -> None:
    whole = decode([stream])
    chunks = split(stream, cuts)
    if empty_reads:  # a read may return no bytes before the end (keep-alive wake-ups)
        chunks = [part for chunk in chunks for part in (chunk, b"")]
    assert decode(chunks) == whole
    for name, data in whole:
        assert isinstance(name, str)
        assert isinstance(data, bytes)


@fuzz_settings(100)
@given(st.lists(st.binary(max_size=64), max_size=20))
def test_byte_by_byte_equals_whole(chunks: list[bytes]) -> None:
    stream = b"".join(chunks)
    assert decode([stream[i : i + 1] for i in range(len(stream))]) == decode([stream])
