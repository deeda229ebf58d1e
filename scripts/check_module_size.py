"""Fail when any Python module under src/ exceeds the hard size limit (800 lines)."""

from __future__ import annotations

import sys
from pathlib import Path

HARD_LIMIT = 800
SOFT_LIMIT = 400


def oversized(root: Path, limit: int) -> list[tuple[Path, int]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append((path, lines))
    return found


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("src")
    for path, lines in oversized(root, SOFT_LIMIT):
        if lines <= HARD_LIMIT:
            print(f"note: {path} has {lines} lines (soft limit {SOFT_LIMIT})")
    too_big = oversized(root, HARD_LIMIT)
    for path, lines in too_big:
        print(f"error: {path} has {lines} lines (hard limit {HARD_LIMIT}); split it")
    return 1 if too_big else 0


if __name__ == "__main__":
    sys.exit(main())
