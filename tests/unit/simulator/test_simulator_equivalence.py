"""The simulator's equivalence judge answers semantic matching's prompt from its embeddings."""

from __future__ import annotations

from benchstudio.simulator.chat_request import ChatRequest, Wire
from benchstudio.simulator.equivalence_script import equivalence_cosine, equivalence_reply
from benchstudio.toolcall.semantic import EQUIVALENCE_PROMPT, parse_equivalence


def ask(expected: str, actual: str) -> str | None:
    text = EQUIVALENCE_PROMPT.format(expected=expected, actual=actual)
    reply = equivalence_reply(
        ChatRequest(wire=Wire.OPENAI, model="any", stream=False, texts=[text])
    )
    return None if reply is None else reply.text


def test_equivalent_at_a_cosine_of_one_half_or_more() -> None:
    assert round(equivalence_cosine("Paris, France", "Paris"), 2) == 0.69
    assert ask("Paris, France", "Paris") == "equivalent"
    assert equivalence_cosine("Tokyo", "Paris") == 0.0
    assert ask("Tokyo", "Paris") == "not"
    # Multi-line values (JSON of objects) are read whole; the answer parses as the source does.
    assert ask('{"city": "Paris"}', '{"city": "Paris", "zip": "75001"}') == "equivalent"
    assert parse_equivalence(ask("Tokyo", "Paris") or "") == 0.0


def test_other_requests_are_not_answered() -> None:
    chat = ChatRequest(wire=Wire.OPENAI, model="m", stream=False, texts=["Expected value: x"])
    assert equivalence_reply(chat) is None
