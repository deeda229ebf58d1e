"""Multi-turn chains scored from recorded transcripts."""

from __future__ import annotations

import json
from typing import Any

from benchstudio.toolcall.multiturn import ChainRound, ChainTranscript, mock_result, score_chain
from benchstudio.toolcall.profiles import get_profile
from benchstudio.toolcall.samples import sample_suite_text
from benchstudio.toolcall.suite_file import parse_suite
from benchstudio.toolcall.verdicts import CaseVerdict, ErrorCategory

SUITE = parse_suite(sample_suite_text())
CHAIN = next(case for case in SUITE.cases if case.id == "chain-search-then-book")
SETTINGS = CHAIN.multi_turn
SEARCH = {"origin": "OSL", "destination": "FCO", "date": "2026-05-02"}
TRAVELLER = {"name": "Grace Hopper", "email": "grace@example.org"}


def round_of(*calls: tuple[str, dict[str, Any]]) -> ChainRound:
    return ChainRound(tool_calls=[{"name": n, "arguments": json.dumps(a)} for n, a in calls])


def run(*rounds: ChainRound, profile: str = "lenient") -> CaseVerdict:
    transcript = ChainTranscript(case_id=CHAIN.id, rounds=list(rounds))
    return score_chain(CHAIN, SUITE.tools_for(CHAIN), transcript, get_profile(profile))


def test_mock_responses_by_argument_then_by_tool_then_default() -> None:
    assert SETTINGS is not None
    by_argument = mock_result(SETTINGS, "search_flights", SEARCH)
    assert by_argument["flights"][0]["id"] == "SK4711"  # type: ignore[index,call-overload]
    assert mock_result(SETTINGS, "search_flights", {"origin": "CDG"}) == {"flights": []}
    assert mock_result(SETTINGS, "get_weather", {}) == {"error": "unknown tool"}


def test_optimal_chain_passes_with_full_scores() -> None:
    book = {"flight_id": "SK4711", "traveller": TRAVELLER}
    verdict = run(round_of(("search_flights", SEARCH)), round_of(("book_flight", book)))
    assert verdict.passed, verdict.explanation
    scores = verdict.multi_turn
    assert scores is not None
    assert (scores.completion, scores.efficiency, scores.sourcing) == (1.0, 1.0, 1.0)


def test_argument_not_taken_from_the_earlier_result_fails() -> None:
    # The model books a flight id that the search never returned.
    case = CHAIN.model_copy(deep=True)
    case.expected_calls[1].arguments["flight_id"].acceptable.append("AZ403X")
    transcript = ChainTranscript(
        case_id=case.id,
        rounds=[
            round_of(("search_flights", SEARCH)),
            round_of(("book_flight", {"flight_id": "AZ403X", "traveller": TRAVELLER})),
        ],
    )
    verdict = score_chain(case, SUITE.tools_for(case), transcript, get_profile("lenient"))
    assert verdict.error_category is ErrorCategory.UNSOURCED_ARGUMENT


def test_redundant_calls_and_round_limit() -> None:
    book = {"flight_id": "SK4711", "traveller": TRAVELLER}
    search = round_of(("search_flights", SEARCH))
    lenient = run(search, search, round_of(("book_flight", book)))
    assert lenient.passed
    assert lenient.multi_turn is not None and lenient.multi_turn.redundant_calls == 1
    assert lenient.multi_turn.efficiency == 2 / 3
    strict = run(search, search, round_of(("book_flight", book)), profile="strict")
    assert strict.error_category is ErrorCategory.WRONG_CALL_COUNT
    too_long = run(search, search, search, search, round_of(("book_flight", book)))
    assert too_long.error_category is ErrorCategory.TOO_MANY_ROUNDS


def test_incomplete_chain() -> None:
    verdict = run(round_of(("search_flights", SEARCH)))
    assert verdict.error_category is ErrorCategory.INCOMPLETE_CHAIN
    assert verdict.multi_turn is not None and verdict.multi_turn.completion == 0.5
