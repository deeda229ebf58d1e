"""Tool-call arguments from a prompt and a JSON Schema: pure and deterministic.

Each property gets the prompt value that suits its type (enum member mentioned, number, date,
e-mail, quoted string, code, proper name, boolean cue), preferring one right after a cue: the
property's own name words ("city Paris", "amount 5") or a role preposition ("from Lisbon" for
origin/from_*, "to Berlin" for destination/to_*, "in Paris" for city/location, "on" for dates,
"for" for names). A value is used once. Required properties with no value get the schema
default, else a plain value of their type; optional ones are only sent with a clear value.
Numbers are clamped into minimum/maximum; the result validates against the schema.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from benchstudio.simulator.tool_select import required_names, schema_properties, stem, words
from benchstudio.simulator.tool_values import (
    CODE,
    DATE,
    EMAIL,
    NUMBER,
    PROPER,
    QUOTED,
    Value,
    find_values,
    word_positions,
)

ROLE_CUES: dict[str, tuple[str, ...]] = {
    "origin": ("from",),
    "from": ("from",),
    "source": ("from",),
    "departure": ("from",),
    "sender": ("from",),
    "destination": ("to",),
    "to": ("to", "into", "in"),
    "target": ("to", "into"),
    "arrival": ("to",),
    "recipient": ("to",),
    "city": ("in", "at", "for"),
    "location": ("in", "at", "near"),
    "place": ("in", "at"),
    "country": ("in",),
    "region": ("in",),
    "date": ("on",),
    "name": ("for", "named", "called"),
    "traveller": ("for",),
    "traveler": ("for",),
    "person": ("for",),
    "passenger": ("for",),
    "customer": ("for",),
    "user": ("for",),
}
_NEGATIONS = frozenset({"not", "no", "without", "dont", "don", "never", "disable", "off"})
_NEAR = 24  # characters after a cue within which a value counts as the cue's
_PHRASE_LEAD = re.compile(r"^\s*(?::|=|that|saying|is|as|about|called|named)\s+", re.I)
_PHRASE_END = re.compile(r"[.;!?\n]")
_MISSING = object()


@dataclass(slots=True)
class Filler:
    """One prompt's values, consumed as properties take them."""

    prompt: str
    values: list[Value] = field(default_factory=list)
    positions: list[tuple[str, int, int]] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    sources: dict[str, int] = field(default_factory=dict)  # top-level property -> value index
    before: list[int] = field(default_factory=list)  # starts of the last property's name words
    cue_only: bool = False  # first pass: only values right by a cue

    @classmethod
    def of(cls, prompt: str) -> Filler:
        return cls(prompt, find_values(prompt), word_positions(prompt))

    def cues(self, name: str, schema: dict[str, Any]) -> list[int]:
        """Character offsets just after each cue word of a property."""
        raw = [part.lower() for part in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", name) if part]
        stems = set(words(name))
        preps: set[str] = set()
        for part in raw:
            preps.update(ROLE_CUES.get(part, ()))
        if _is_date(name, schema):
            preps.add("on")
        self.before = [s for word, s, _e in self.positions if word in stems]
        return [end for word, _s, end in self.positions if word in stems or word in preps]

    def pick(self, kinds: tuple[str, ...], cues: list[int], need_cue: bool) -> int | None:
        """The best unused value of these kinds: right after a cue first, else the first."""
        free = [i for i, v in enumerate(self.values) if i not in self.used and v.kind in kinds]
        near = [i for i in free for c in cues if 0 <= self.values[i].start - c <= _NEAR]
        if near:
            return min(near, key=lambda i: min(abs(self.values[i].start - c) for c in cues))
        # "3 passengers", "15 minutes": the value right before the property's own word
        just_before = [i for i in free for c in self.before if 0 <= c - self.values[i].end <= 2]
        if cues and just_before:
            return just_before[0]
        if need_cue or self.cue_only or not free:
            return None
        return free[0]

    def take(self, index: int) -> Any:
        self.used.add(index)
        return self.values[index].value

    def phrase_after(self, cues: list[int]) -> str | None:
        for cue in cues:
            lead = _PHRASE_LEAD.match(self.prompt[cue:])
            if lead is None:  # only "a note that ...", "subject: ...", "a file called ..."
                continue
            rest = self.prompt[cue + lead.end() :]
            phrase = _PHRASE_END.split(rest, maxsplit=1)[0].strip(" ,\"'")
            if phrase:
                return phrase
        return None

    def negated_before(self, offset: int) -> bool:
        before = [word for word, _s, end in self.positions if end <= offset][-4:]
        return any(word in _NEGATIONS for word in before)


def _is_date(name: str, schema: dict[str, Any]) -> bool:
    if schema.get("format") in ("date", "date-time"):
        return True
    if schema.get("format") is not None:  # email, uri...: not a date whatever the name says
        return False
    text = f"{name} {schema.get('description') or ''}".lower()
    return "yyyy" in text or bool(re.search(r"(?:^|_)date(?:$|_)", name.lower()))


def _schema_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return kind.lower() if isinstance(kind, str) else "string"  # Gemini writes STRING


def _enum_member(filler: Filler, members: list[Any], cues: list[int]) -> Any:
    lowered = filler.prompt.lower()
    hits: list[tuple[int, int, Any]] = []
    for member in members:
        spoken = str(member).lower().replace("_", " ")
        found = re.search(rf"(?<!\w){re.escape(spoken)}(?!\w)", lowered)
        if found is None and isinstance(member, str):
            found = re.search(rf"(?<!\w){re.escape(stem(spoken))}\w*", lowered)
        if found is not None:
            distance = min((abs(found.start() - c) for c in cues), default=found.start())
            hits.append((distance, found.start(), member))
    return min(hits, key=lambda hit: hit[:2])[2] if hits else _MISSING


def _coerce_number(value: Any, schema: dict[str, Any], integer: bool) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _MISSING
    if integer:
        if float(value) != int(value):
            return _MISSING
        value = int(value)
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(low, int | float) and value < low:
        value = math.ceil(low) if integer else low
    if isinstance(high, int | float) and value > high:
        value = math.floor(high) if integer else high
    return value


def _string_value(filler: Filler, name: str, schema: dict[str, Any], cues: list[int]) -> Any:
    fmt = schema.get("format")
    if _is_date(name, schema):
        index = filler.pick((DATE,), cues, need_cue=False)
        if index is None:
            return _MISSING
        day = filler.take(index)
        return f"{day}T00:00:00Z" if fmt == "date-time" else day
    about = f"{name} {schema.get('description') or ''}".lower()
    if fmt == "email" or "email" in about or "e-mail" in about:
        index = filler.pick((EMAIL,), cues, need_cue=False)
        return _MISSING if index is None else filler.take(index)
    index = filler.pick((QUOTED, PROPER, CODE), cues, need_cue=True)
    if index is None and cues:
        phrase = filler.phrase_after(cues)
        if phrase:
            return phrase
    if index is None:
        index = filler.pick((QUOTED, PROPER, CODE), cues, need_cue=False)
    return _MISSING if index is None else filler.take(index)


def _array_value(filler: Filler, schema: dict[str, Any]) -> Any:
    items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
    assert isinstance(items, dict)
    kind = _schema_type(items)
    if kind in ("integer", "number"):
        kinds: tuple[str, ...] = (NUMBER,)
    elif kind == "string":
        kinds = (DATE,) if _is_date("", items) else (QUOTED, PROPER, CODE)
    else:
        return _MISSING
    out: list[Any] = []
    for index, value in enumerate(filler.values):
        if index in filler.used or value.kind not in kinds:
            continue
        if kind in ("integer", "number"):
            number = _coerce_number(value.value, items, kind == "integer")
            if number is _MISSING:
                continue
            out.append(number)
        else:
            out.append(value.value)
        filler.used.add(index)
    return out or _MISSING


def value_for(filler: Filler, name: str, schema: dict[str, Any], required: bool) -> Any:
    """The prompt's value for one property, else a fallback when required, else _MISSING."""
    cues = filler.cues(name, schema)
    found: Any = _MISSING
    members = schema.get("enum")
    kind = _schema_type(schema)
    if isinstance(members, list) and members:
        found = _enum_member(filler, members, cues)
    elif kind == "boolean":
        if cues:
            found = not filler.negated_before(cues[0])
    elif kind in ("integer", "number"):
        index = filler.pick((NUMBER,), cues, need_cue=not required)
        if index is not None:
            found = _coerce_number(filler.values[index].value, schema, kind == "integer")
            if found is not _MISSING:
                filler.take(index)
    elif kind == "string":
        found = _string_value(filler, name, schema, cues if cues or required else [])
        if found is not _MISSING and not required and not cues and _is_plain(schema, name):
            found = _MISSING  # an optional free-text property needs its own cue
    elif kind == "array":
        found = _array_value(filler, schema)
    elif kind == "object":
        nested = fill_object(filler, schema)
        found = nested if nested or required else _MISSING
    if found is _MISSING and required:
        found = fallback(schema, filler.prompt)
    return found


def _is_plain(schema: dict[str, Any], name: str) -> bool:
    return not _is_date(name, schema) and schema.get("format") is None


def fallback(schema: dict[str, Any], prompt: str) -> Any:
    """The schema default, else a plain value of the property's type."""
    if "default" in schema:
        return schema["default"]
    members = schema.get("enum")
    if isinstance(members, list) and members:
        return members[0]
    kind = _schema_type(schema)
    if kind in ("integer", "number"):
        return _coerce_number(1 if kind == "integer" else 1.0, schema, kind == "integer")
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return fill_object(Filler.of(""), schema)
    if kind == "null":
        return None
    fmt = schema.get("format")
    if fmt == "date-time":
        return "2026-01-01T00:00:00Z"
    if _is_date("", schema):
        return "2026-01-01"
    if fmt == "email":
        return "user@example.com"
    content = words(prompt)
    return " ".join(content[-3:]) or "unknown"


def fill_object(filler: Filler, schema: dict[str, Any], top: bool = False) -> dict[str, Any]:
    """Required properties first (in `required` order), then the optional ones with a value."""
    properties = schema_properties(schema)
    required = [name for name in required_names(schema) if name in properties]
    optional = [name for name in properties if name not in required]
    order = [*required, *optional]
    found: dict[str, Any] = {}
    # First pass: properties named (or role-cued) in the prompt take the values by their cues,
    # so "book it for Grace Hopper" gives the passenger, not the flight id, the name.
    filler.cue_only = True
    for name in order:
        schema_of = properties[name]
        if _schema_type(schema_of) in ("object", "array") or not filler.cues(name, schema_of):
            continue
        _record(filler, found, name, value_for(filler, name, schema_of, False), top)
    filler.cue_only = False
    for name in order:
        if name not in found:
            _record(
                filler,
                found,
                name,
                value_for(filler, name, properties[name], name in required),
                top,
            )
    arguments = {name: found[name] for name in order if name in found}
    for name in required_names(schema):  # required names missing from `properties`
        arguments.setdefault(name, "unknown")
    return arguments


def _record(filler: Filler, found: dict[str, Any], name: str, value: Any, top: bool) -> None:
    if value is _MISSING:
        return
    found[name] = value
    if top:
        fresh = [index for index in filler.used if index not in filler.sources.values()]
        if len(fresh) == 1:
            filler.sources[name] = fresh[0]


def fill_arguments(prompt: str, parameters: dict[str, Any]) -> tuple[dict[str, Any], Filler]:
    """Arguments for a tool from `prompt`, and the filler (what was used, and by whom)."""
    filler = Filler.of(prompt)
    return fill_object(filler, parameters, top=True), filler
