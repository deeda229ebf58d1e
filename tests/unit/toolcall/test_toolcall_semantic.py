"""Semantic matching: the pure scorer reading a lookup, and the async pre-pass filling it
(batched, cached by text, one computation per pair even across concurrent cases)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest

from benchstudio.providers.base import ChatRequest, ChatResponse, ServerError, Usage
from benchstudio.providers.embeddings import EmbeddingResult
from benchstudio.toolcall.matching import MatchSettings, SemanticScorerMissingError, match_value
from benchstudio.toolcall.outputs import ModelOutput
from benchstudio.toolcall.profiles import get_profile
from benchstudio.toolcall.schemas import ArgumentExpectation, MatchMode, Suite
from benchstudio.toolcall.scoring import score_case
from benchstudio.toolcall.semantic import (
    EQUIVALENCE_PROMPT,
    EmbeddingSimilarity,
    JudgeSimilarity,
    Pair,
    SemanticPrepass,
    cosine,
    parse_equivalence,
)

TOOL = {
    "type": "function",
    "function": {
        "name": "find_hotel",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string"}, "area": {"type": "string"}},
        },
    },
}


def semantic(*acceptable: Any) -> dict[str, Any]:
    return {"acceptable": list(acceptable), "match": "semantic"}


SUITE = Suite.model_validate(
    {
        "name": "hotels",
        "tools": [TOOL],
        "cases": [
            {
                "id": "cheap",
                "prompt": "a cheap hotel near the station",
                "expected_calls": [
                    {
                        "name": "find_hotel",
                        "arguments": {
                            "query": semantic("cheap hotel", "budget lodging"),
                            "area": semantic("train station"),
                        },
                    }
                ],
            },
            {
                "id": "again",
                "prompt": "the same, again",
                "expected_calls": [
                    {"name": "find_hotel", "arguments": {"query": semantic("cheap hotel")}}
                ],
            },
        ],
    }
)
CASES = {case.id: case for case in SUITE.cases}
TABLE: dict[Pair, float] = {
    ("cheap hotel", "inexpensive inn"): 0.7,
    ("budget lodging", "inexpensive inn"): 0.9,
    ("train station", "railway station"): 0.8,
    ("cheap hotel", "luxury resort"): 0.1,
}


def output(case_id: str, **arguments: Any) -> ModelOutput:
    call = {"name": "find_hotel", "arguments": json.dumps(arguments)}
    return ModelOutput.model_validate({"case_id": case_id, "tool_calls": [call]})


def settings(lookup: Any, threshold: float = 0.5) -> MatchSettings:
    return MatchSettings(MatchMode.EXACT, semantic_lookup=lookup, semantic_threshold=threshold)


def test_the_scorer_reads_the_lookup_and_keeps_the_best_similarity() -> None:
    asked: list[Pair] = []

    def lookup(expected: str, actual: str) -> float | None:
        asked.append((expected, actual))
        return TABLE.get((expected, actual))

    query = ArgumentExpectation.model_validate(semantic("cheap hotel", "budget lodging"))
    verdict = match_value("query", "inexpensive inn", query, settings(lookup))
    assert verdict.passed and verdict.similarity == 0.9
    assert verdict.compared == ("budget lodging", "inexpensive inn")
    assert asked == [("cheap hotel", "inexpensive inn"), ("budget lodging", "inexpensive inn")]
    strict = match_value("query", "inexpensive inn", query, settings(lookup, threshold=0.95))
    assert not strict.passed and "0.900 below 0.95" in strict.detail
    unknown = match_value("query", "hostel", query, settings(lookup))
    assert not unknown.passed and unknown.similarity is None and "no similarity" in unknown.detail


def test_equal_texts_need_no_lookup_and_values_are_compared_as_json() -> None:
    def refuse(expected: str, actual: str) -> float | None:
        raise AssertionError(f"asked for {expected!r} / {actual!r}")

    query = ArgumentExpectation.model_validate(semantic("Cheap  hotel!"))
    assert match_value("query", "cheap hotel", query, settings(refuse)).similarity == 1.0
    seen: list[Pair] = []
    numbers = ArgumentExpectation.model_validate(semantic({"b": 1, "a": [2]}))
    match_value("x", {"a": [3]}, numbers, settings(lambda e, a: seen.append((e, a)) or 0.0))
    assert seen == [('{"a": [2], "b": 1}', '{"a": [3]}')]
    with pytest.raises(SemanticScorerMissingError):
        match_value("query", "x", query, MatchSettings(MatchMode.EXACT))


def test_the_verdict_records_each_semantic_argument() -> None:
    profile = get_profile("lenient", lambda e, a: TABLE.get((e, a)), 0.75)
    case = CASES["cheap"]
    verdict = score_case(
        case, SUITE.tools_for(case), output("cheap", query="inexpensive inn", area="depot"), profile
    )
    records = {r.argument: r for r in verdict.semantic}
    assert records["query"].similarity == 0.9 and records["query"].passed
    assert records["query"].expected == "budget lodging"
    assert records["area"].similarity is None and not records["area"].passed
    assert not verdict.passed and verdict.error_category == "wrong_argument"
    assert verdict.argument_accuracy == 0.5


class TableSource:
    """A similarity source that counts its batches."""

    kind = "embeddings"
    model = "table"

    def __init__(self, delay: float = 0.0) -> None:
        self.batches: list[list[Pair]] = []
        self.delay = delay

    async def similarities(self, pairs: Sequence[Pair]) -> list[float | None]:
        self.batches.append(list(pairs))
        await asyncio.sleep(self.delay)
        return [TABLE.get(pair) for pair in pairs]


def _score(prepass: SemanticPrepass, case_id: str, **arguments: Any) -> Any:
    case = CASES[case_id]
    recorded = output(case_id, **arguments)
    return prepass.score(
        get_profile("lenient"),
        lambda profile: score_case(case, SUITE.tools_for(case), recorded, profile),
    )


async def test_the_prepass_batches_per_case_and_caches_pairs_across_cases() -> None:
    source = TableSource()
    prepass = SemanticPrepass(source, threshold=0.75)
    first = await _score(prepass, "cheap", query="inexpensive inn", area="railway station")
    assert first.passed and [r.similarity for r in first.semantic] == [0.9, 0.8]
    assert len(source.batches) == 1 and len(source.batches[0]) == 3  # one batch, three pairs
    again = await _score(prepass, "again", query="inexpensive inn")
    assert not again.passed and again.semantic[0].similarity == 0.7
    assert len(source.batches) == 1  # every pair was known
    await _score(prepass, "again", query="luxury resort")
    assert source.batches[1:] == [[("cheap hotel", "luxury resort")]]


async def test_concurrent_cases_compute_a_shared_pair_once() -> None:
    source = TableSource(delay=0.01)
    prepass = SemanticPrepass(source, threshold=0.5)
    verdicts = await asyncio.gather(
        *(_score(prepass, "again", query="inexpensive inn") for _ in range(5))
    )
    assert all(v.passed for v in verdicts)
    assert source.batches == [[("cheap hotel", "inexpensive inn")]]


async def test_nested_expectations_reach_a_fixed_point() -> None:
    nested = Suite.model_validate(
        {
            "name": "n",
            "tools": [TOOL],
            "cases": [
                {
                    "id": "n",
                    "prompt": "p",
                    "expected_calls": [
                        {
                            "name": "find_hotel",
                            "arguments": {
                                "query": {
                                    "objects": [
                                        {"a": semantic("cheap hotel"), "b": semantic("budget")}
                                    ]
                                }
                            },
                        }
                    ],
                }
            ],
        }
    )
    case = nested.cases[0]
    recorded = output("n", query={"a": "inexpensive inn", "b": "budget"})
    source = TableSource()
    verdict = await SemanticPrepass(source, 0.5).score(
        get_profile("lenient"), lambda p: score_case(case, nested.tools, recorded, p)
    )
    assert verdict.passed and source.batches == [[("cheap hotel", "inexpensive inn")]]
    # Every compared value is listed with its path and threshold ("budget" equals: 1.0).
    listed = [(r.argument, r.similarity, r.threshold, r.passed) for r in verdict.semantic]
    assert listed == [("query.a", 0.7, 0.5, True), ("query.b", 1.0, 0.5, True)]


def test_nested_values_are_listed_with_their_paths() -> None:
    """Objects inside lists inside objects: `stay.rooms[1].kind`; a failing nested value
    fails the argument and is listed with the values compared before it."""
    stay = {
        "objects": [
            {
                "area": semantic("train station"),
                "rooms": {
                    "item_lists": [
                        [{"match": "present"}, {"objects": [{"kind": semantic("cheap hotel")}]}]
                    ]
                },
            }
        ]
    }
    nested = Suite.model_validate(
        {
            "name": "n",
            "tools": [TOOL],
            "cases": [
                {
                    "id": "n",
                    "prompt": "p",
                    "expected_calls": [{"name": "find_hotel", "arguments": {"query": stay}}],
                }
            ],
        }
    )
    case = nested.cases[0]
    profile = get_profile("lenient", lambda e, a: TABLE.get((e, a)), 0.6)

    def score(kind: str) -> Any:
        query = {"area": "railway station", "rooms": [{"kind": "x"}, {"kind": kind}]}
        return score_case(case, nested.tools, output("n", query=query), profile)

    good = score("inexpensive inn")
    listed = [(r.call, r.argument, r.similarity, r.threshold, r.passed) for r in good.semantic]
    assert good.passed and listed == [
        ("find_hotel", "query.area", 0.8, 0.6, True),
        ("find_hotel", "query.rooms[1].kind", 0.7, 0.6, True),
    ]
    assert (good.semantic[1].expected, good.semantic[1].actual) == (
        "cheap hotel",
        "inexpensive inn",
    )
    bad = score("luxury resort")
    assert not bad.passed and bad.error_category == "wrong_argument"
    assert [(r.argument, r.similarity, r.passed) for r in bad.semantic] == [
        ("query.area", 0.8, True),
        ("query.rooms[1].kind", 0.1, False),
    ]


class FakeEmbedder:
    def __init__(self, fail_first: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.fail_first = fail_first

    async def embed(
        self, model: str, texts: Sequence[str], *, timeout_s: float | None = None
    ) -> EmbeddingResult:
        self.calls.append(list(texts))
        if self.fail_first and len(self.calls) == 1:
            raise ServerError("boom")
        vectors = [[1.0, 0.0] if "hotel" in t else [0.6, 0.8] for t in texts]
        return EmbeddingResult(vectors=vectors, requests=1)


async def test_embeddings_embed_each_text_once() -> None:
    embedder = FakeEmbedder()
    source = EmbeddingSimilarity(embedder, "emb")
    assert await source.similarities([("cheap hotel", "inn"), ("hotel", "inn")]) == [
        pytest.approx(0.6),
        pytest.approx(0.6),
    ]
    assert await source.similarities([("cheap hotel", "hotel")]) == [pytest.approx(1.0)]
    assert embedder.calls == [["cheap hotel", "inn", "hotel"]]
    assert cosine([0.0, 0.0], [1.0, 0.0]) is None


async def test_a_failed_embedding_call_is_unknown_then_retried() -> None:
    embedder = FakeEmbedder(fail_first=True)
    source = EmbeddingSimilarity(embedder, "emb")
    assert await source.similarities([("hotel", "inn")]) == [None]
    assert await source.similarities([("hotel", "inn")]) == [pytest.approx(0.6)]
    assert len(embedder.calls) == 2


class Equivalence:
    protocol = "openai"

    def __init__(self) -> None:
        self.requests: list[ChatRequest] = []

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        text = request.messages[0]["content"]
        answer = "Equivalent." if "inexpensive" in text else "not"
        return ChatResponse(answer, "", [], Usage(), "stop", 1)


async def test_the_judge_source_answers_equivalent_or_not() -> None:
    adapter = Equivalence()
    source = JudgeSimilarity(adapter, "judge")  # type: ignore[arg-type]
    assert await source.similarities([("cheap hotel", "inexpensive inn"), ("a", "b")]) == [1, 0]
    prompt = adapter.requests[0].messages[0]["content"]
    assert prompt == EQUIVALENCE_PROMPT.format(expected="cheap hotel", actual="inexpensive inn")
    assert "judge_verdict" not in prompt and adapter.requests[0].model == "judge"
    assert [parse_equivalence(t) for t in ("NOT equivalent", "Equivalent", "maybe", "")] == [
        0.0,
        1.0,
        None,
        None,
    ]
