"""Pure prompt-library rules: kinds, tags, placeholders, the text a version compares by, diffs.

No database and no web here: the service hands in plain values.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

PromptKind = Literal["system", "judge", "meta", "benchmark"]
KINDS: tuple[PromptKind, ...] = ("system", "judge", "meta", "benchmark")
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
# `{name}` placeholders: identifiers only, so JSON-looking text is never taken for one.
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

DiffOp = Literal["equal", "insert", "delete"]


def placeholders(*texts: str) -> list[str]:
    """The distinct `{placeholders}` of the texts, in order of first appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        for match in _PLACEHOLDER.finditer(text):
            seen.setdefault(match.group(1), None)
    return list(seen)


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Trimmed, lower-cased, de-duplicated tags in the order given; empty ones dropped."""
    out: dict[str, None] = {}
    for tag in tags:
        value = " ".join(tag.split()).lower()
        if value:
            out.setdefault(value, None)
    return list(out)


def comparable_text(kind: str, system_prompt: str, user_prompt: str, body: str) -> str:
    """One text per version, for diffs: a benchmark template's two prompts under headings,
    any other kind's body as it is."""
    if kind != "benchmark":
        return body
    return f"# System prompt\n{system_prompt}\n\n# User prompt\n{user_prompt}\n"


@dataclass(frozen=True)
class DiffLine:
    op: DiffOp
    text: str
    old_line: int | None  # 1-based line number in the older text
    new_line: int | None  # 1-based line number in the newer text


@dataclass(frozen=True)
class TextDiff:
    unified: str
    lines: list[DiffLine]
    added: int
    removed: int


def diff_texts(old: str, new: str, old_label: str, new_label: str) -> TextDiff:
    """A unified diff plus every line with its operation (for side-by-side views)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    unified = "\n".join(
        difflib.unified_diff(old_lines, new_lines, old_label, new_label, lineterm="")
    )
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [
                DiffLine("equal", old_lines[i], i + 1, j1 + (i - i1) + 1) for i in range(i1, i2)
            ]
            continue
        lines += [DiffLine("delete", old_lines[i], i + 1, None) for i in range(i1, i2)]
        lines += [DiffLine("insert", new_lines[j], None, j + 1) for j in range(j1, j2)]
    added = sum(1 for line in lines if line.op == "insert")
    removed = sum(1 for line in lines if line.op == "delete")
    return TextDiff(unified, lines, added, removed)


def matches(
    name: str,
    description: str,
    tags: Sequence[str],
    *,
    kind: str,
    want_kind: str | None,
    want_tag: str | None,
    query: str | None,
) -> bool:
    """The list filters, for entries that are not rows (the built-ins)."""
    if want_kind is not None and kind != want_kind:
        return False
    if want_tag is not None and want_tag.lower() not in tags:
        return False
    if query:
        needle = query.lower()
        return needle in name.lower() or needle in description.lower()
    return True


def copy_name(name: str) -> str:
    return f"Copy of {name}"[:200]
