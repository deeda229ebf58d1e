"""The parser fuzz tests with a long budget (issue 16 item 10).

`make test` runs every fuzz test (`tests/**/test_*fuzz*.py`) with a small example count so
all of them together stay under a minute; this runs the same tests with `--examples` per test
(default 20,000) by setting `BENCHSTUDIO_FUZZ_EXAMPLES`, then prints per test (= per parser)
the examples Hypothesis ran, the failing ones and the time taken.

Run: `.venv/bin/python benchmarks/fuzz_parsers.py [--examples 20000] [-k sse] [--seed N]
[--check]`. Needs the test PostgreSQL server like the rest of the suite (the session start
checks it). `--check` exits 1 when any test failed (a strict-xfail test counts as failed: it
marks a crash still waiting for its fix). A failure prints Hypothesis's shrunk example; add it
to the test as an `@example(...)` when fixing the parser.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
FUZZ_TESTS = [
    "tests/unit/providers/test_providers_fuzz_sse.py",
    "tests/unit/providers/test_providers_fuzz_wire.py",
    "tests/unit/providers/test_providers_fuzz_error_bodies.py",
    "tests/unit/providers/test_providers_fuzz_message_format.py",
    "tests/unit/toolcall/test_toolcall_fuzz_imports.py",
    "tests/unit/benchruns/test_benchruns_fuzz_results_import.py",
]
_COUNTS = re.compile(r"(\d+) passing(?: examples?)?, (\d+) failing")


@dataclass
class Outcome:
    test: str
    status: str = "?"
    passing: int = 0
    failing: int = 0
    seconds: float = 0.0


class Collector:
    """A pytest plugin: per test, its outcome, its Hypothesis example counts and its time."""

    def __init__(self) -> None:
        self.outcomes: dict[str, Outcome] = {}

    def _outcome(self, nodeid: str) -> Outcome:
        name = nodeid.split("/")[-1]
        return self.outcomes.setdefault(nodeid, Outcome(name))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: Any) -> Any:
        report = (yield).get_result()
        outcome = self._outcome(item.nodeid)
        if report.when == "call":
            outcome.seconds = report.duration
            if hasattr(report, "wasxfail"):
                outcome.status = "xfail" if report.skipped else "XPASS"
            else:
                outcome.status = report.outcome
        elif report.failed:
            outcome.status = f"{report.when} error"
        stats = getattr(item, "hypothesis_statistics", "")
        if stats and report.when == "teardown":
            for passing, failing in _COUNTS.findall(stats):
                outcome.passing += int(passing)
                outcome.failing += int(failing)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=20_000, help="examples per test")
    parser.add_argument("-k", dest="keyword", help="only tests matching this pytest -k")
    parser.add_argument("--seed", type=int, help="Hypothesis seed (default: random)")
    parser.add_argument("--check", action="store_true", help="exit 1 on any failure")
    args = parser.parse_args()

    os.chdir(ROOT)
    os.environ["BENCHSTUDIO_FUZZ_EXAMPLES"] = str(args.examples)
    os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")
    pytest_args = [
        *FUZZ_TESTS,
        "-q",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "--hypothesis-show-statistics",
        "--timeout=0",  # the long budget outlasts the suite's per-test timeout
    ]
    if args.keyword:
        pytest_args += ["-k", args.keyword]
    if args.seed is not None:
        pytest_args.append(f"--hypothesis-seed={args.seed}")
    collector = Collector()
    started = time.perf_counter()
    exit_code = pytest.main(pytest_args, plugins=[collector])
    elapsed = time.perf_counter() - started

    print(f"\nfuzz budget: {args.examples} examples per test, {elapsed:.0f} s in all")
    width = max([len(o.test) for o in collector.outcomes.values()] + [4])
    print(f"{'test':<{width}} {'status':>8} {'passing':>8} {'failing':>8} {'seconds':>8}")
    failed = 0
    for outcome in collector.outcomes.values():
        ok = outcome.status in ("passed", "skipped")
        failed += not ok
        print(
            f"{outcome.test:<{width}} {outcome.status:>8} {outcome.passing:>8} "
            f"{outcome.failing:>8} {outcome.seconds:>8.1f}"
        )
    if exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        print(f"pytest stopped: {exit_code!r}")
        failed += 1
    print(f"{failed} test(s) failed" if failed else "no failure")
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
