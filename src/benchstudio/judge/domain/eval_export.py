"""An eval run as exported (`GET /api/evals/{id}/export?format=json`, or `eval run --output`).

Comparative judging and cross-case reports read results in this one shape, on the server (the
evals service's JSON export) and offline (the CLI reads the file). Both documents carry the
suite snapshot and the per-case results with their exchanges, transcripts and verdicts.

The suite *version* of a result is its server identity (suite id and version number) when the
document has one, else a hash of the suite snapshot: two results compare only when they ran
the same cases with the same expectations.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from benchstudio.toolcall.live.records import LiveCaseResult
from benchstudio.toolcall.schemas import Suite


class ExportError(ValueError):
    """The document is not an eval export (or names a target it does not hold)."""


@dataclass(frozen=True, slots=True)
class SuiteVersion:
    key: str  # what must be equal for two results to be compared
    label: str  # how people read it ("weather v3")


@dataclass(frozen=True, slots=True)
class ExportedRun:
    run_id: str
    suite: Suite
    suite_version: SuiteVersion
    targets: list[str]
    results: dict[str, list[LiveCaseResult]]  # per target, in suite case order

    def result(self, target: str | None) -> tuple[str, list[LiveCaseResult]]:
        """One target's results; `None` picks the only target (else the choice is asked for)."""
        if target is None:
            if len(self.targets) != 1:
                raise ExportError(
                    f"the run has {len(self.targets)} targets ({', '.join(self.targets)}): name one"
                )
            target = self.targets[0]
        if target not in self.results:
            raise ExportError(f"the run has no results for target {target!r}")
        return target, self.results[target]


def _suite_version(document: dict[str, Any], suite: Suite) -> SuiteVersion:
    run = document.get("run")
    if isinstance(run, dict) and run.get("suite_id") and run.get("suite_version") is not None:
        label = f"{run.get('suite_name') or suite.name} v{run['suite_version']}"
        return SuiteVersion(f"{run['suite_id']}:{run['suite_version']}", label)
    canonical = json.dumps(suite.model_dump(mode="json"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
    return SuiteVersion(f"sha256:{digest}", f"{suite.name} (snapshot {digest})")


def _target_labels(document: dict[str, Any], results: list[LiveCaseResult]) -> list[str]:
    labels: list[str] = []
    for target in document.get("targets") or []:
        if isinstance(target, dict):
            label = target.get("label") or (target.get("target") or {}).get("label")
            if label:
                labels.append(str(label))
    labels += [r.target for r in results]
    return list(dict.fromkeys(labels))


def read_export(document: dict[str, Any]) -> ExportedRun:
    """Parse an export document; results grouped per target in the suite's case order."""
    try:
        suite = Suite.model_validate(document["suite"])
        results = [LiveCaseResult.model_validate(r) for r in document.get("results") or []]
    except (KeyError, TypeError, ValidationError) as exc:
        raise ExportError(f"not an eval export: {exc}") from None
    order = {case.id: index for index, case in enumerate(suite.cases)}
    grouped: dict[str, list[LiveCaseResult]] = {}
    for result in sorted(results, key=lambda r: order.get(r.case_id, len(order))):
        grouped.setdefault(result.target, []).append(result)
    labels = [label for label in _target_labels(document, results) if label in grouped]
    return ExportedRun(
        run_id=str(document.get("run_id") or ""),
        suite=suite,
        suite_version=_suite_version(document, suite),
        targets=labels,
        results=grouped,
    )


def version_mismatch(first: SuiteVersion, second: SuiteVersion) -> str | None:
    """Why two results cannot be compared, or None when they ran the same suite version."""
    if first.key == second.key:
        return None
    return (
        f"the results ran different suite versions ({first.label} and {second.label}); "
        "a comparison needs the same cases and expectations"
    )
