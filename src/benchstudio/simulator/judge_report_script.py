"""The scripted judge's cross-case findings, read off the report request's own text.

A cross-case report (docs/judge.md) sends the judge chunks of case summaries (map) and then
the partial findings to merge (reduce). The simulator answers both deterministically:

- **map**: it reads the summary lines (`case <id> · category <c> · automated pass|fail ·
  judge <verdict> <score>/5`, then `expected tools: ...; called: ...`). A case *fails* when
  the automated check failed or the judge said fail. Strengths: one per category whose cases
  all pass; weaknesses: one per category with failures; failure patterns: failing cases
  grouped by category and tool (the first expected tool, else the first called, else ""),
  the pattern worded from the first case of the group; recommendations: one per pattern
  ("prompt" for a tool, "other" otherwise), citing the same cases.
- **reduce**: it reads each `partial N:` JSON line and merges them: strengths and weaknesses
  once each in first-seen order, patterns by (category, tool) and recommendations by (kind,
  text) with their case ids joined, recommendations ordered by how many cases they cite.

Every cited id appears in the request text. A `report;unknown=<id>` directive adds one id
the request does not hold (to the first pattern, else a recommendation of its own), so a
test sees the report drop and count it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_CASE = re.compile(
    r"^case (?P<id>.+?) · category (?P<category>.+?) · automated (?P<auto>pass|fail) · "
    r"judge(?::| (?P<verdict>\w+))"
)
_TOOLS = re.compile(r"^expected tools: (?P<expected>.*?); called: (?P<called>.*)$")
_PARTIAL = re.compile(r"^partial \d+:\s*$")
REPORT_FIELDS = ("strengths", "weaknesses", "failure_patterns", "recommendations")


@dataclass(slots=True)
class _Case:
    case_id: str
    category: str
    passed: bool
    expected: list[str]
    called: list[str]


def _tools(text: str) -> list[str]:
    return [] if text.strip() == "none" else [t.strip() for t in text.split(",") if t.strip()]


def _cases(text: str) -> list[_Case]:
    cases: list[_Case] = []
    for line in text.splitlines():
        found = _CASE.match(line)
        if found:
            passed = found["auto"] == "pass" and found["verdict"] != "fail"
            cases.append(_Case(found["id"], found["category"], passed, [], []))
            continue
        tools = _TOOLS.match(line)
        if tools and cases:
            cases[-1].expected = _tools(tools["expected"])
            cases[-1].called = _tools(tools["called"])
    return cases


def _names(tools: list[str]) -> str:
    return ", ".join(dict.fromkeys(tools))


def _pattern(case: _Case) -> str:
    called, expected = _names(case.called), _names(case.expected)
    if not case.called and not case.expected:
        return "Answers in text, as expected, but the answer itself fails."
    if case.expected and not case.called:
        return f"No tool call where {expected} was expected."
    if case.called and not case.expected:
        return f"Calls {called} where no call was expected."
    if set(case.called) != set(case.expected):
        return f"Calls {called} where {expected} was expected."
    return f"Calls {called} with arguments the checks reject."


def map_findings(text: str) -> dict[str, Any]:
    """Findings over the case summaries in `text` (empty lists when it holds none)."""
    cases = _cases(text)
    categories: dict[str, list[_Case]] = {}
    groups: dict[tuple[str, str], list[_Case]] = {}
    for case in cases:
        categories.setdefault(case.category, []).append(case)
        if not case.passed:
            tool = next(iter(case.expected or case.called), "")
            groups.setdefault((case.category, tool), []).append(case)
    strengths, weaknesses = [], []
    for category, members in categories.items():
        failed, count = sum(not case.passed for case in members), len(members)
        if failed:
            weaknesses.append(
                f"Fails the one {category} case."
                if count == 1
                else f"Fails {failed} of {count} {category} cases."
            )
        else:
            strengths.append(
                f"Passes the one {category} case."
                if count == 1
                else f"Passes all {count} {category} cases."
            )
    patterns, recommendations = [], []
    for (category, tool), members in groups.items():
        ids = [case.case_id for case in members]
        patterns.append(
            {"category": category, "tool": tool, "pattern": _pattern(members[0]), "case_ids": ids}
        )
        text_ = (
            f"Say in the {tool} tool's description when to call it and with which "
            f"arguments ({category} requests)."
            if tool
            else f"Say in the system prompt when a {category} request needs no tool."
        )
        recommendations.append(
            {"kind": "prompt" if tool else "other", "text": text_, "case_ids": ids}
        )
    return {
        "strengths": strengths,
        "weaknesses": weaknesses,
        "failure_patterns": patterns,
        "recommendations": recommendations,
    }


def _partials(text: str) -> list[dict[str, Any]]:
    partials: list[dict[str, Any]] = []
    lines = text.splitlines()
    for index, line in enumerate(lines[:-1]):
        if not _PARTIAL.match(line):
            continue
        try:
            found = json.loads(lines[index + 1])
        except ValueError:
            continue
        if isinstance(found, dict) and all(isinstance(found.get(f), list) for f in REPORT_FIELDS):
            partials.append(found)
    return partials


def _joined(ids: list[str], more: Any) -> None:
    ids.extend(i for i in more if isinstance(i, str) and i not in ids)


def reduce_findings(partials: list[dict[str, Any]]) -> dict[str, Any]:
    """The partial findings merged (see the module docstring)."""
    strengths: dict[str, None] = {}
    weaknesses: dict[str, None] = {}
    patterns: dict[tuple[str, str], dict[str, Any]] = {}
    recommendations: dict[tuple[str, str], dict[str, Any]] = {}
    for partial in partials:
        strengths.update(dict.fromkeys(s for s in partial["strengths"] if isinstance(s, str)))
        weaknesses.update(dict.fromkeys(w for w in partial["weaknesses"] if isinstance(w, str)))
        for item in partial["failure_patterns"]:
            key = (str(item.get("category", "")), str(item.get("tool", "")))
            merged = patterns.setdefault(
                key, {"category": key[0], "tool": key[1], "pattern": str(item.get("pattern", ""))}
            )
            _joined(merged.setdefault("case_ids", []), item.get("case_ids") or [])
        for item in partial["recommendations"]:
            kind = item.get("kind") if item.get("kind") in ("prompt", "parameter") else "other"
            key = (kind, str(item.get("text", "")))
            merged = recommendations.setdefault(key, {"kind": kind, "text": key[1]})
            _joined(merged.setdefault("case_ids", []), item.get("case_ids") or [])
    ordered = sorted(recommendations.values(), key=lambda r: -len(r["case_ids"]))
    return {
        "strengths": list(strengths),
        "weaknesses": list(weaknesses),
        "failure_patterns": list(patterns.values()),
        "recommendations": ordered,
    }


def report_findings(text: str, unknown: str = "") -> dict[str, Any]:
    """The findings a report request asks for: a reduce when `text` holds partials, else a
    map over its case summaries; `unknown` is cited too when given."""
    partials = _partials(text)
    findings = reduce_findings(partials) if partials else map_findings(text)
    if unknown:
        if findings["failure_patterns"]:
            _joined(findings["failure_patterns"][0]["case_ids"], [unknown])
        else:
            findings["recommendations"].append(
                {"kind": "other", "text": "Look again at the cited case.", "case_ids": [unknown]}
            )
    return findings
