"""The import-linter contracts encode the floors: every upward or sideways import is caught.

One temporary copy of the package gets one planted import per (lower floor → higher floor)
pair and per pair of independent siblings; a single `lint-imports` run must report each of
them. The order is written out here again, on purpose: a contract loosened in pyproject.toml
must fail this test, not follow it.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# docs/architecture.md, top down; each inner tuple is one floor.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("__main__", "openapi_export", "all_models"),  # entry modules
    ("app",),
    ("cli",),
    ("experiments", "benchruns", "evals", "judge", "prompts"),  # feature domains
    ("admin", "catalog", "credentials", "accounts", "auth", "audit", "system"),  # platform
    ("realtime", "jobs"),
    ("http",),
    ("speed", "toolcall"),  # engines
    ("providers", "simulator"),
    ("storage",),
    ("config",),  # reads settings; may use core's primitives (e.g. secret strength)
    ("core",),
)
# Sibling imports the order declares (a → b); every other sibling pair is independent.
DECLARED: frozenset[tuple[str, str]] = frozenset(
    {
        ("admin", "accounts"),
        ("admin", "catalog"),
        ("auth", "accounts"),
        ("catalog", "credentials"),
        ("accounts", "audit"),
        ("admin", "audit"),
        ("auth", "audit"),
        ("catalog", "audit"),
        ("realtime", "jobs"),
        ("judge", "evals"),
        ("judge", "prompts"),
        ("benchruns", "prompts"),
        ("experiments", "evals"),
        ("experiments", "judge"),
        ("experiments", "prompts"),
    }
)
# Top-level modules, not packages.
MODULE_NODES = frozenset({"__main__", "openapi_export", "all_models", "app", "config"})


@dataclass(frozen=True)
class Planted:
    source: str
    target: str
    evidence: str  # how the report names this import


def _forbidden_pairs() -> list[tuple[str, str]]:
    pairs = []
    for low_index, low in enumerate(FLOORS):
        for high in FLOORS[:low_index]:
            pairs += [(source, target) for source in low for target in high]
    for floor in FLOORS:
        pairs += [p for p in itertools.permutations(floor, 2) if p not in DECLARED]
    return pairs


def _plant(package: Path, pairs: list[tuple[str, str]]) -> list[Planted]:
    planted = []
    for source, target in pairs:
        statement = f"import benchstudio.{target}  # planted\n"
        if source in MODULE_NODES:
            module = package / f"{source}.py"
            text = module.read_text(encoding="utf-8")
            line = text.count("\n") + 1
            module.write_text(text + statement, encoding="utf-8")
            evidence = f"benchstudio.{source} -> benchstudio.{target} (l.{line}"
        else:
            name = f"planted_{target}"
            (package / source / f"{name}.py").write_text(statement, encoding="utf-8")
            evidence = f"benchstudio.{source}.{name} -> benchstudio.{target} (l.1)"
        planted.append(Planted(source, target, evidence))
    return planted


def _lint(tmp_path: Path) -> str:
    env = os.environ | {"PYTHONPATH": str(tmp_path / "src")}
    result = subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tmp_path / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode != 0, result.stdout
    return result.stdout


def test_every_upward_and_sideways_import_is_reported(tmp_path: Path) -> None:
    package = tmp_path / "src" / "benchstudio"
    shutil.copytree(
        REPO / "src" / "benchstudio",
        package,
        ignore=shutil.ignore_patterns("web_dist", "__pycache__", "*.tiktoken", "migrations"),
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    planted = _plant(package, _forbidden_pairs())
    report = re.sub(r"\s+", " ", _lint(tmp_path))
    missed = [f"{p.source} → {p.target}" for p in planted if p.evidence not in report]
    assert not missed, f"{len(missed)} of {len(planted)} planted imports pass: {missed}"


def test_the_order_here_matches_every_package() -> None:
    """A new package must get a floor (here and in pyproject.toml) before it lands."""
    packages = {p.name for p in (REPO / "src" / "benchstudio").iterdir() if p.is_dir()}
    packages -= {"__pycache__", "web_dist"}
    modules = {p.stem for p in (REPO / "src" / "benchstudio").glob("*.py")}
    placed = {node for floor in FLOORS for node in floor}
    assert packages - placed == set()
    assert modules - placed - {"__init__"} == set()
