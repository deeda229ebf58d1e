"""Values a prompt contains, with where they are: the raw material of tool-call arguments.

Found in this order, each span masked for the later kinds: quoted strings, e-mail addresses,
dates (ISO `2026-03-14`, `2026/03/14`, `14/03/2026` read day-first unless impossible,
`March 14, 2026`, `14 March 2026`; all become ISO), codes (`LH1234`, `USD`; "US dollars",
"euros", "yen", "British pounds", "Swiss francs" become ISO currency codes), numbers (`19.99`,
`-3`, `1,200`, and the words one to twelve), and proper names (runs of capitalized words, minus
a sentence-opening verb or question word).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from benchstudio.simulator.tool_select import STOP_WORDS, stem, word_set

QUOTED = "quoted"
EMAIL = "email"
DATE = "date"
CODE = "code"
NUMBER = "number"
PROPER = "proper"

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        (
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        )
    )
}
OPENING_WORDS = word_set(
    """what whats how find book search compare convert send create set add remove delete update
    schedule tell give show get list check look calculate compute please can could would is are
    do does translate play open turn make buy order call email text remind i"""
)
CURRENCIES = {
    "dollar": "USD",
    "euro": "EUR",
    "yen": "JPY",
    "pound sterling": "GBP",
    "british pound": "GBP",
    "swiss franc": "CHF",
}
_CURRENCY = re.compile(
    r"\b(?:US\s+|U\.S\.\s+)?(dollar|euro|yen|pound sterling|british pound|swiss franc)s?\b", re.I
)
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        QUOTED,
        re.compile(r"(?:(?<=^)|(?<=[\s(:=,\[]))[\"“']([^\"“”']{1,200})[\"”'](?=$|[\s.,;:!?)\]])"),
    ),
    (EMAIL, re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (DATE, re.compile(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b")),
    (DATE, re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")),
    (DATE, re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)),
    (
        DATE,
        re.compile(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\.?,?\s+(\d{{4}})\b", re.I
        ),
    ),
    (CODE, _CURRENCY),
    (CODE, re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{3,}\b|\b[A-Z]{2,5}\b")),
    (
        NUMBER,
        re.compile(
            r"(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])-?\d+(?:\.\d+)?(?![\w])"
        ),
    ),
    (NUMBER, re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.I)),
    (PROPER, re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:de\s+|van\s+|von\s+)?[A-Z][\w'’-]*)*")),
]


@dataclass(frozen=True, slots=True)
class Value:
    kind: str
    value: str | float | int
    start: int
    end: int


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _date_value(match: re.Match[str]) -> str | None:
    a, b, c = match.group(1), match.group(2), match.group(3)
    if a.isdigit() and len(a) == 4:
        return _iso(int(a), int(b), int(c))
    if a.isdigit() and b.isdigit():  # 14/03/2026 day-first; 03/14/2026 when day-first can't be
        return _iso(int(c), int(b), int(a)) or _iso(int(c), int(a), int(b))
    if a.isdigit():
        return _iso(int(c), MONTHS[b.lower()], int(a))
    return _iso(int(c), MONTHS[a.lower()], int(b))


def _number_value(text: str) -> float | int:
    lowered = text.lower()
    if lowered in NUMBER_WORDS:
        return NUMBER_WORDS[lowered]
    plain = text.replace(",", "")
    return float(plain) if "." in plain else int(plain)


def _proper_value(text: str, start: int, prompt: str) -> tuple[str, int] | None:
    parts = text.split()
    offset = 0
    sentence_start = prompt[:start].rstrip()[-1:] in ("", ".", "!", "?", ":")
    while parts:
        bare = re.sub(r"['’]s$", "", parts[0]).lower().replace("'", "").replace("’", "")
        opening = sentence_start and offset == 0 and bare in OPENING_WORDS
        if bare in STOP_WORDS or opening:
            offset += len(parts[0]) + 1
            parts = parts[1:]
            continue
        break
    if not parts:
        return None
    name = re.sub(r"['’]s$", "", " ".join(parts))
    return name, start + offset


def find_values(prompt: str) -> list[Value]:
    """Every value in `prompt`, in text order."""
    taken = [False] * len(prompt)
    found: list[Value] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(prompt):
            start, end = match.span()
            if any(taken[start:end]):
                continue
            value: str | float | int | None
            if kind == QUOTED:
                value = match.group(1)
            elif kind == DATE:
                value = _date_value(match)
            elif pattern is _CURRENCY:
                value = CURRENCIES[match.group(1).lower()]
            elif kind == NUMBER:
                value = _number_value(match.group(0))
            elif kind == PROPER:
                proper = _proper_value(match.group(0), start, prompt)
                if proper is None:
                    continue
                value, start = proper
            else:
                value = match.group(0)
            if value is None:
                continue
            taken[start:end] = [True] * (end - start)
            found.append(Value(kind, value, start, end))
    return sorted(found, key=lambda item: item.start)


_WORD_SPAN = re.compile(r"[A-Za-z]+")


def word_positions(prompt: str) -> list[tuple[str, int, int]]:
    """(stemmed lowercase word, start, end) for each word of the prompt."""
    return [(stem(m.group(0).lower()), m.start(), m.end()) for m in _WORD_SPAN.finditer(prompt)]
