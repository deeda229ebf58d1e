"""A short soak of the platform's measuring path (`benchmarks/platform_soak.py`): 10 runs
through a real `benchstudio serve` (uvloop, measuring children, demo simulator), with and
without usage, concurrency 1 to 128: no failed run, no missing row."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "platform_soak.py"


def test_ten_platform_runs_finish_with_every_row_stored() -> None:
    command = [sys.executable, str(SCRIPT), "--runs", "10", "--max-requests", "40"]
    done = subprocess.run(
        [*command, "--parallel", "3", "--quiet", "--check"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "failed runs:   0" in done.stdout and "missing rows:  0" in done.stdout
