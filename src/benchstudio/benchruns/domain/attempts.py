"""A step measured over more than one job attempt: what each attempt stored, never dropped.

A resumed profile step continues (only the run indices not yet stored are sent); a resumed load
step is measured again and the earlier attempt's rows stay stored, marked superseded. Either
way the step's metadata lists every attempt, and a continued step's window adds the earlier
attempt's part to the new one, so its rates are over every request it counts.

An earlier attempt's own window was never closed: its diagnostics are the last report the
measuring child sent of it while open (`WindowSoFar`), listed `partial` (the window ended at
the interruption, up to a report interval before it). An attempt that stored no row of the
step (a load window cut short: its records wait for the window's end) is listed from its
report alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class StoredPart:
    """Rows one earlier attempt stored for a step that did not finish."""

    attempt: int | None  # None: rows stored before attempts were recorded
    rows: int
    superseded: bool
    e2e_ms: float  # kept measured rows: their requests ran one after another
    # The attempt's last report of the step's open window (None: it sent none).
    diagnostics: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class CarriedStep:
    """What a resumed attempt carries over for one unfinished step."""

    parts: tuple[StoredPart, ...]

    @property
    def wall_s(self) -> float:
        """The earlier attempts' share of a continued (profile) step's window; their own
        window was never closed, so it is the kept requests' durations added up."""
        return sum(p.e2e_ms for p in self.parts if not p.superseded) / 1000.0


@dataclass(frozen=True, slots=True)
class WindowReport:
    """The last diagnostics an earlier attempt reported of one step's open window."""

    step: str
    attempt: int
    diagnostics: Mapping[str, Any]


def carried_steps(
    parts: Sequence[tuple[str, StoredPart]], reports: Sequence[WindowReport] = ()
) -> dict[str, CarriedStep]:
    """Per unfinished step, its earlier attempts in order. A report joins its attempt's kept
    part (else its superseded one); an attempt with a report and no row gets a part of its own.
    `reports` of steps without parts count only where the caller left them in (unfinished)."""
    grouped: dict[str, list[StoredPart]] = {}
    for step, part in parts:
        grouped.setdefault(step, []).append(part)
    for report in reports:
        found = grouped.setdefault(report.step, [])
        same = [p for p in found if p.attempt == report.attempt]
        if not same:
            found.append(StoredPart(report.attempt, 0, False, 0.0, report.diagnostics))
            continue
        chosen = next((p for p in same if not p.superseded), same[0])
        found[found.index(chosen)] = replace(chosen, diagnostics=report.diagnostics)
    return {
        step: CarriedStep(tuple(sorted(found, key=_attempt_order)))
        for step, found in grouped.items()
    }


def _attempt_order(part: StoredPart) -> tuple[int, bool]:
    return (part.attempt or 0, part.superseded)  # per attempt, its kept rows first


def earlier_reports(
    stored: Sequence[Mapping[str, Any]] | None, *, before: int
) -> list[WindowReport]:
    """The stored window reports (`[{step, attempt, diagnostics}]`) of attempts before
    `before`: a later one (this attempt's own, from a crash of the same attempt) is dropped."""
    reports = []
    for entry in stored or ():
        attempt = entry.get("attempt")
        if isinstance(attempt, int) and attempt < before and entry.get("diagnostics"):
            reports.append(WindowReport(str(entry["step"]), attempt, entry["diagnostics"]))
    return reports


def stored_reports(reports: Sequence[WindowReport]) -> list[dict[str, Any]]:
    """JSON-ready, as `earlier_reports` reads them."""
    return [
        {"step": r.step, "attempt": r.attempt, "diagnostics": dict(r.diagnostics)} for r in reports
    ]


def _earlier(part: StoredPart) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "attempt": part.attempt,
        "rows": part.rows,
        "superseded": part.superseded,
    }
    if part.diagnostics is not None:
        entry["diagnostics"] = dict(part.diagnostics)
        entry["partial"] = True  # the window ended at the interruption
    return entry


def with_attempts(
    meta: Mapping[str, Any], carried: CarriedStep, *, attempt: int, rows: int
) -> dict[str, Any]:
    """A step's metadata as the attempt that finished it reports it, with every attempt listed:
    `attempts: [{attempt, rows, superseded, wall_s?, diagnostics?, partial?}]` (the last one
    is this; an earlier one's diagnostics are `partial`)."""
    wall_s = float(meta.get("wall_s") or 0.0)
    earlier = [_earlier(p) for p in carried.parts]
    this = {
        "attempt": attempt,
        "rows": rows,
        "superseded": False,
        "wall_s": wall_s,
        "diagnostics": meta.get("diagnostics") or {},
    }
    return {**meta, "wall_s": round(wall_s + carried.wall_s, 4), "attempts": [*earlier, this]}
