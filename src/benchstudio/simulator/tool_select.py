"""Which offered tool a prompt asks for: weighted word overlap, pure and deterministic.

Words are lowercased, split at non-letters, snake_case and camelCase (`get_weather`,
`getWeather` -> get, weather), stripped of a few English suffixes (a tiny stemmer) and of stop
words. A tool's words carry weights: its name 3, its description 1, its parameter names 1 and
parameter descriptions 0.5 (the highest weight counts once per word). Generic verbs (get, find,
show...) count a third. Each matched word is then scaled by an IDF over the offered tools, so a
word every tool has tells little. Ties go to the tool offered first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from benchstudio.simulator.chat_request import ToolSpec

NAME_WEIGHT = 3.0
DESCRIPTION_WEIGHT = 1.0
PARAMETER_WEIGHT = 1.0
PARAMETER_DESCRIPTION_WEIGHT = 0.5
GENERIC_FACTOR = 1.0 / 3.0
# A tool fits when its score reaches this: one description word with a distinctive meaning.
DEFAULT_THRESHOLD = 1.0

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD = re.compile(r"[A-Za-z]+")


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = word_set(
    """a an the and or but if of to in on at by for from with without into onto about as is are
    was were be been being do does did can could would should will shall may might must i me my
    we our you your he she it its they them their this that these those what which who whom how
    when where why please there here some any all each every no not so than then too very just
    also like want need now right tell let us have has had one two provided function python
    syntax type value given"""
)
GENERIC_WORDS = word_set(
    "get find show give list fetch retrieve return make use check look calculate compute"
)


def stem(word: str) -> str:
    """A few English suffixes off (enough for plural and -ing/-ed forms to meet)."""
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


# A few everyday words mapped to the words tools tend to use for them.
SYNONYMS = {
    "dollar": "currency",
    "euro": "currency",
    "yen": "currency",
    "pound": "currency",
    "usd": "currency",
    "eur": "currency",
    "money": "currency",
    "forecast": "weather",
    "temperature": "weather",
    "rain": "weather",
    "sunny": "weather",
    "fly": "flight",
    "plane": "flight",
    "mail": "email",
}


def prompt_words(text: str) -> set[str]:
    """The prompt's words plus the tool words their synonyms stand for."""
    found = set(words(text))
    return found | {SYNONYMS[word] for word in found if word in SYNONYMS}


def words(text: str) -> list[str]:
    """Stemmed, lowercased content words of `text` (identifiers split at _ and camelCase)."""
    out: list[str] = []
    for raw in _WORD.findall(_CAMEL.sub(" ", text)):
        word = raw.lower()
        if word not in STOP_WORDS and len(word) > 1:
            out.append(stem(word))
    return out


def tool_terms(tool: ToolSpec) -> dict[str, float]:
    """Each word of a tool with its highest weight."""
    terms: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        for word in words(text):
            terms[word] = max(terms.get(word, 0.0), weight)

    add(tool.name, NAME_WEIGHT)
    add(tool.description, DESCRIPTION_WEIGHT)
    properties = tool.parameters.get("properties")
    if isinstance(properties, dict):
        for name, schema in properties.items():
            add(str(name), PARAMETER_WEIGHT)
            if isinstance(schema, dict):
                add(str(schema.get("description") or ""), PARAMETER_DESCRIPTION_WEIGHT)
    return terms


@dataclass(frozen=True, slots=True)
class Scored:
    index: int  # position among the offered tools
    tool: ToolSpec
    score: float


def score_tools(prompt: str, tools: Sequence[ToolSpec]) -> list[Scored]:
    """Every offered tool with its overlap score against `prompt`, best first (stable)."""
    asked = prompt_words(prompt)
    all_terms = [tool_terms(tool) for tool in tools]
    count = len(tools)
    scored: list[Scored] = []
    for index, (tool, terms) in enumerate(zip(tools, all_terms, strict=True)):
        total = 0.0
        for word in asked & terms.keys():
            having = sum(1 for other in all_terms if word in other)
            idf = math.log(1.0 + (count + 1) / having)  # 1 tool: log 3 ~ 1.1
            generic = GENERIC_FACTOR if word in GENERIC_WORDS else 1.0
            total += terms[word] * idf * generic
        scored.append(Scored(index, tool, round(total, 9)))
    return sorted(scored, key=lambda item: (-item.score, item.index))


def best_tool(prompt: str, tools: Sequence[ToolSpec], threshold: float) -> Scored | None:
    """The best-scoring tool if it reaches `threshold`, else None."""
    ranked = score_tools(prompt, tools)
    if ranked and ranked[0].score >= threshold:
        return ranked[0]
    return None


_CLAUSE_SPLIT = re.compile(r"(?:[.;!?](?:\s+|$))|\s+(?:and then|then|and|also|plus)\s+", re.I)


def clauses(prompt: str) -> list[str]:
    """The prompt cut at sentence ends and at and/then/also/plus, empty pieces dropped."""
    return [piece.strip() for piece in _CLAUSE_SPLIT.split(prompt) if piece and piece.strip()]


def tools_per_clause(
    prompt: str, tools: Sequence[ToolSpec], threshold: float
) -> list[tuple[ToolSpec, str]]:
    """Distinct tools asked for clause by clause, in prompt order, each with its clause."""
    found: list[tuple[ToolSpec, str]] = []
    seen: set[str] = set()
    for clause in clauses(prompt):
        best = best_tool(clause, tools, threshold)
        if best is not None and best.tool.name not in seen:
            seen.add(best.tool.name)
            found.append((best.tool, clause))
    return found


def schema_properties(parameters: dict[str, Any]) -> dict[str, dict[str, Any]]:
    properties = parameters.get("properties")
    if not isinstance(properties, dict):
        return {}
    return {str(k): v if isinstance(v, dict) else {} for k, v in properties.items()}


def required_names(parameters: dict[str, Any]) -> list[str]:
    required = parameters.get("required")
    return [str(name) for name in required] if isinstance(required, list) else []


def names_in(items: Iterable[ToolSpec]) -> list[str]:
    return [item.name for item in items]
