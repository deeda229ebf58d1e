"""The scripted equivalence judge: answers `toolcall.semantic.EQUIVALENCE_PROMPT` requests.

A request whose text asks to compare an "Expected value:" with an "Actual value:" and to
answer "equivalent" or "not" (the prompt semantic argument matching sends to a chat model)
gets one word: "equivalent" when the two values' simulator embeddings (`embeddings.py`) have a
cosine of at least `EQUIVALENT_AT`, else "not". The same pair always gets the same answer, and
it agrees with the simulator's `/v1/embeddings` at that threshold.
"""

from __future__ import annotations

import math
import re

from benchstudio.simulator.chat_request import ChatRequest
from benchstudio.simulator.embeddings import embed
from benchstudio.simulator.tool_script import ScriptedReply

EQUIVALENT_AT = 0.5
_PROMPT = re.compile(
    r'Answer with exactly one word: "equivalent".*?Expected value:\n(?P<expected>.*?)\n\n'
    r"Actual value:\n(?P<actual>.*)",
    re.DOTALL,
)


def equivalence_cosine(expected: str, actual: str) -> float:
    left, right = embed(expected), embed(actual)
    dot = math.fsum(a * b for a, b in zip(left, right, strict=True))
    return dot  # both vectors are unit length (or zero: 0.0)


def equivalence_reply(request: ChatRequest) -> ScriptedReply | None:
    """ "equivalent" or "not" for an equivalence request; None for any other request."""
    match = _PROMPT.search(request.all_text)
    if match is None:
        return None
    similar = equivalence_cosine(match["expected"], match["actual"].rstrip()) >= EQUIVALENT_AT
    return ScriptedReply(text="equivalent" if similar else "not")
