"""The dependency rules are enforced: a forbidden import makes the linter fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(
    tmp_path: Path, bad_module: str | None, source: str = ""
) -> subprocess.CompletedProcess[str]:
    tree = tmp_path / "src"
    shutil.copytree(
        REPO / "src" / "benchstudio",
        tree / "benchstudio",
        ignore=shutil.ignore_patterns("web_dist", "__pycache__", "*.tiktoken"),
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    if bad_module:
        target = tree / "benchstudio" / bad_module
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source)
    env = os.environ | {"PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tmp_path / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_the_real_tree_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(tmp_path, None)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        ("system/domain.py", "import fastapi\n", "domain modules are pure"),
        ("core/bad_import.py", "from benchstudio.storage import engine\n", "layers, top down"),
        ("accounts/egress.py", "import httpx\n", "only providers and core.net"),
        (
            "admin/peek.py",
            "from benchstudio.accounts.models import User\n",
            "only accounts imports accounts.models",
        ),
        (
            "realtime/peek.py",
            "from benchstudio.jobs import models\n",
            "only jobs imports jobs.models",
        ),
        (
            "evals/tasks_peek.py",
            "from benchstudio.catalog.models import Provider\n",
            "only catalog imports catalog.models",
        ),
        (
            "evals/runs/tasks.py",  # replaces the handler module in the copy
            "from benchstudio.catalog import repository\n",
            "job handlers reach other domains only through services",
        ),
        ("evals/runs/domain/peek.py", "import sqlalchemy\n", "domain modules are pure"),
        (
            "evals/runs/service/peek.py",
            "from benchstudio.evals.suites import endpoints\n",
            "nothing imports endpoints except the composition root",
        ),
    ],
)
def test_a_forbidden_import_breaks_the_build(
    tmp_path: Path, module: str, source: str, contract: str
) -> None:
    result = _lint(tmp_path, module, source)
    assert result.returncode != 0
    assert contract in result.stdout and "BROKEN" in result.stdout
