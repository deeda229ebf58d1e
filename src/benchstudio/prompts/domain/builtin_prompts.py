"""The built-in judge prompts: code constants served as read-only library entries (no owner).

Each body is a template whose `{placeholders}` the judge fills (unknown ones stay verbatim),
so the text holds no other curly braces: the JSON answer shape is described in words. The
verdict body names `judge_verdict` and the comparison body `judge_comparison`, the schema
names the structured-output request uses (the simulator's scripted judge keys on them too).
The rubric is part of the body on purpose: the UI shows exactly what the judge reads.

A changed text is a new version appended to an entry's tuple, never an edit of a published
one: reports record the version they were judged with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

BUILTIN_JUDGE_VERDICT = "builtin-judge-verdict"
BUILTIN_JUDGE_COMPARE = "builtin-judge-compare"
BUILTIN_JUDGE_REPORT = "builtin-judge-report"
# The line separating the report body's map prompt from its reduce prompt.
REDUCE_SEPARATOR = "---REDUCE---"
# When the built-ins were published: their versions' `created_at`.
PUBLISHED = datetime(2026, 12, 7, tzinfo=UTC)


@dataclass(frozen=True)
class BuiltinVersion:
    body: str
    note: str


@dataclass(frozen=True)
class BuiltinPrompt:
    id: str
    name: str
    description: str
    tags: tuple[str, ...]
    # The placeholders the judge fills for this prompt (every version has each).
    placeholders: tuple[str, ...]
    versions: tuple[BuiltinVersion, ...]

    @property
    def latest_version(self) -> int:
        return len(self.versions)


_BLIND = """\
You do not know which model or provider produced the transcript, and you must not guess:
judge only what is on the page. Do not reward length, confidence or politeness; reward
correct tool use and a correct final answer."""

_VERDICT_V1 = (
    """\
You are a strict, fair grader of tool-calling (function-calling) behaviour. Grade ONE test
case and answer with a single judge_verdict JSON object.

"""
    + _BLIND
    + """

## The tools the model could call
{tools}

## The test case (what the user asked)
{case_prompt}

## Reference: the expected calls
These calls are the reference answer. An equivalent call counts as correct: argument
values that mean the same thing (a different but equivalent date format, unit spelling,
letter case or argument order) are correct unless the tool's description requires an exact
form. An empty reference means the right behaviour is to call no tool and answer in text
(for example, no tool fits the request); then judge the text answer.
{expected_calls}

## What the model did (calls, arguments, tool results and its answers)
{transcript}

## Automated check (shown only when the user asked for it; otherwise empty)
{automated_result}

## Extra instructions from the user (may be empty)
{rubric}

## How to grade

Tool selection: decide whether the model chose the right tool(s), or rightly chose none.
Give it one status:
- correct: the right tool(s), in a workable order (or rightly no tool at all);
- wrong: a tool was called where another one, or none, was needed;
- missing: a needed call was not made;
- extra: the needed calls were made, plus unneeded ones.

Arguments: assess every argument of the expected calls and every argument the model sent,
one entry per argument name, each with a short reason:
- correct: present with a right (or equivalent) value;
- wrong: present with a value that changes the meaning or breaks the call;
- missing: required by the reference or the tool's schema, but absent;
- extra: not expected and not harmless (an argument that changes the request).
List no arguments when no call was expected and none was made.

Score, from 1 to 5:
- 5: fully correct; the calls (and final answer, if any) fully achieve the user's request;
- 4: correct in substance, with a minor flaw that would not change the outcome (a harmless
  extra argument, a redundant but harmless call, clumsy wording in the answer);
- 3: partly correct; the request is only partly achieved or one argument is wrong in a way a
  user would notice;
- 2: mostly wrong; the right tool with badly wrong arguments, or an answer that misleads;
- 1: wrong or harmful; the wrong tool, a fabricated result, no call when one was needed, or
  a call when none should have been made.

Verdict:
- pass: score 4 or 5; a user would accept the result as it is;
- marginal: score 3; usable only after a correction;
- fail: score 1 or 2; the request is not achieved.

For a free-text answer (no call expected, or the final turn of a conversation), judge
whether the answer is correct, grounded in the tool results shown, and honest about what
it could not do. Never invent facts about the tools or results that are not in the transcript.

## Answer
Answer with the judge_verdict JSON object only, no prose before or after it. Its fields:
- score: an integer from 1 to 5;
- verdict: "pass", "marginal" or "fail", consistent with the score as defined above;
- tool_selection: an object with status ("correct", "wrong", "missing" or "extra") and
  reason (one or two sentences);
- arguments: a list of objects, each with name, status ("correct", "wrong", "missing" or
  "extra") and reason;
- reasoning: a short explanation of the score, citing what the model did.
"""
)

_COMPARE_V1 = (
    """\
You are a strict, fair judge comparing two attempts, labelled A and B, at the same
tool-calling test case. Decide which attempt handled the case better and answer with a
single judge_comparison JSON object.

"""
    + _BLIND
    + """ The labels say nothing about quality or order of
production: the same pair is also shown to you with the labels swapped, so judge the
content, never the position.

## The tools both attempts could call
{tools}

## The test case (what the user asked)
{case_prompt}

## Reference: the expected calls
Equivalent argument values count as correct. An empty reference means the right behaviour
is to call no tool and answer in text.
{expected_calls}

## Attempt A
{transcript_a}

## Attempt B
{transcript_b}

## Extra instructions from the user (may be empty)
{rubric}

## How to compare
Rank by, in this order:
1. tool selection: the right tool(s), or rightly none;
2. arguments: correct, none missing, none wrong, no harmful extras;
3. the final answer: correct, grounded in the tool results, honest about limits;
4. economy: fewer redundant calls, when everything above is equal.
Pick "tie" when both are equally good or equally bad by these criteria; a difference in
style or length alone is a tie.

## Answer
Answer with the judge_comparison JSON object only, no prose before or after it. Its fields:
- winner: "A", "B" or "tie";
- reasoning: a short explanation naming the decisive difference.
"""
)

_REPORT_V1 = (
    """\
You are reviewing part of a tool-calling evaluation run to find what the model does well,
what it does badly, and what would improve it. You see summaries of some of the run's cases:
each names its case id, category, the tools involved, the automated result and, when
available, a judge's verdict and reasoning. You do not know which model produced them.

## Measured figures for the whole run (for context; do not restate them)
{figures}

## Case summaries
{chunk}

## What to write
Answer with one JSON object only, no prose before or after it, with these fields:
- strengths: a list of short statements of what the model reliably gets right;
- weaknesses: a list of short statements of what it gets wrong;
- failure_patterns: a list of objects with category, tool, pattern (what goes wrong, in
  one sentence) and case_ids (the ids, from the summaries above, that show it);
- recommendations: a list of objects with kind ("prompt" for a change to the system or
  tool descriptions, "parameter" for a sampling or request parameter change, "other"),
  text (a concrete, actionable change) and case_ids (the cases it would fix).
Cite only case ids that appear in the summaries above. Prefer patterns seen in several
cases over one-off mistakes. Do not grade the model: the grade comes from the figures.
"""
    + REDUCE_SEPARATOR
    + """
You are merging partial reviews of one tool-calling evaluation run into a final review.
Each partial review covered a different part of the run's cases. You do not know which
model produced them.

## Measured figures for the whole run (for context; do not restate them)
{figures}

## Partial reviews
{partials}

## What to write
Merge the partial reviews: combine duplicates, keep the patterns with the most evidence,
and drop statements that the figures contradict. Answer with one JSON object only, no prose
before or after it, with the same fields as the partial reviews: strengths, weaknesses,
failure_patterns (category, tool, pattern, case_ids) and recommendations (kind "prompt",
"parameter" or "other", text, case_ids). Keep the case ids the partial reviews cited; do
not invent new ones. Order recommendations by how many cases they would fix.
"""
)

BUILTIN_PROMPTS: tuple[BuiltinPrompt, ...] = (
    BuiltinPrompt(
        id=BUILTIN_JUDGE_VERDICT,
        name="Judge: per-case verdict",
        description=(
            "Grades one tool-calling case: score 1-5, pass/marginal/fail, tool selection and "
            "per-argument assessments. Blind: no model or provider names."
        ),
        tags=("judge", "verdict", "built-in"),
        placeholders=(
            "tools",
            "case_prompt",
            "expected_calls",
            "transcript",
            "automated_result",
            "rubric",
        ),
        versions=(BuiltinVersion(_VERDICT_V1, "First published rubric."),),
    ),
    BuiltinPrompt(
        id=BUILTIN_JUDGE_COMPARE,
        name="Judge: comparative pick",
        description=(
            "Compares two transcripts of one case, labelled A and B, and picks the better one "
            "or a tie. Shown in both orders to control position bias."
        ),
        tags=("judge", "comparative", "built-in"),
        placeholders=(
            "tools",
            "case_prompt",
            "expected_calls",
            "transcript_a",
            "transcript_b",
            "rubric",
        ),
        versions=(BuiltinVersion(_COMPARE_V1, "First published rubric."),),
    ),
    BuiltinPrompt(
        id=BUILTIN_JUDGE_REPORT,
        name="Judge: cross-case report",
        description=(
            "Map-reduce review of a whole run: strengths, weaknesses, failure patterns by "
            f"category and tool, recommendations. The map and reduce prompts are split by a "
            f"line {REDUCE_SEPARATOR}."
        ),
        tags=("judge", "report", "built-in"),
        placeholders=("chunk", "figures", "partials"),
        versions=(BuiltinVersion(_REPORT_V1, "First published review prompts."),),
    ),
)

BUILTINS_BY_ID: dict[str, BuiltinPrompt] = {p.id: p for p in BUILTIN_PROMPTS}


def builtin(entry_id: str) -> BuiltinPrompt | None:
    return BUILTINS_BY_ID.get(entry_id)
