"""Every domain has one shape (issue 14, item 4; ADR 0011), checked on the source tree.

- A domain package holds only role modules: `schemas`, `domain`, `repository`, `service`,
  `endpoints`, `tasks` and `models` (its ORM tables). A role may be a package of several
  modules; a big domain splits into sub-packages that follow the same rule.
- A domain uses another only through its `service`, `schemas` or `domain`: never its
  repository, ORM models, endpoints or tasks.
- Tasks go through services: no `tasks` module imports its own domain's repository or models.
- Every public `async def` in a service takes `ctx` (a `ServiceContext`) first.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "benchstudio"
DOMAINS = (
    "accounts",
    "admin",
    "audit",
    "auth",
    "benchruns",
    "catalog",
    "credentials",
    "evals",
    "experiments",
    "judge",
    "prompts",
    "schedules",
    "system",
    "tuning",
)
# Domains whose foundations (schemas, pure domain) landed before their service (issues 19, 22).
WITHOUT_SERVICE_YET = frozenset({"judge", "schedules"})
ROLES = frozenset({"schemas", "domain", "repository", "service", "endpoints", "tasks", "models"})
PUBLIC_ROLES = frozenset({"service", "schemas", "domain"})


@dataclass(frozen=True)
class Module:
    path: Path
    dotted: str  # e.g. "evals.runs.service"

    @property
    def domain(self) -> str:
        return self.dotted.split(".")[0]

    def role(self) -> str | None:
        """The role this module plays: the first role name on its path inside its domain."""
        return next((part for part in self.dotted.split(".")[1:] if part in ROLES), None)


def _modules(root: Path) -> Iterator[Module]:
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        parts = [p for p in relative.parts if p != "__init__"]
        yield Module(path, ".".join(parts))


def _shape_errors(package: Path, where: str) -> list[str]:
    errors = []
    entries = [p for p in package.iterdir() if p.name != "__pycache__" and p.name != "__init__.py"]
    names = {p.stem if p.suffix == ".py" else p.name for p in entries if p.suffix in {".py", ""}}
    if "service" not in names and where not in WITHOUT_SERVICE_YET:
        errors.append(f"{where} has no service")
    for entry in entries:
        if entry.suffix == ".py":
            if entry.stem not in ROLES:
                errors.append(f"{where}/{entry.name} is not a role ({', '.join(sorted(ROLES))})")
        elif entry.is_dir() and (entry / "__init__.py").exists() and entry.name not in ROLES:
            errors += _shape_errors(entry, f"{where}/{entry.name}")  # a sub-domain: same rule
    return errors


def _none(found: set[str], rule: str) -> None:
    assert not found, rule + ":\n" + "\n".join(sorted(found))


def test_every_domain_holds_only_role_modules() -> None:
    errors = [e for domain in DOMAINS for e in _shape_errors(PACKAGE / domain, domain)]
    _none(set(errors), "every module plays a role")


def _imports(module: Module) -> Iterator[tuple[str, int]]:
    """Every benchstudio module this one imports (with `from a import b`, `a.b` if b is one)."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("benchstudio."):
                    yield alias.name.removeprefix("benchstudio."), node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("benchstudio"):
                continue
            base = node.module.removeprefix("benchstudio").lstrip(".")
            for alias in node.names:
                candidate = f"{base}.{alias.name}" if base else alias.name
                path = PACKAGE.joinpath(*candidate.split("."))
                is_module = path.with_suffix(".py").exists() or (path / "__init__.py").exists()
                yield (candidate if is_module else base), node.lineno


def _role_of(dotted: str) -> str | None:
    return next((part for part in dotted.split(".")[1:] if part in ROLES), None)


def test_a_domain_uses_another_only_through_its_service() -> None:
    errors: set[str] = set()
    for domain in DOMAINS:
        for module in _modules(PACKAGE / domain):
            for target, _line in _imports(module):
                other = target.split(".")[0]
                if other == domain or other not in DOMAINS:
                    continue
                role = _role_of(target)
                if role not in PUBLIC_ROLES:
                    errors.add(f"{module.dotted} -> {target}")
    _none(errors, "use another domain's service, schemas or domain")


def test_tasks_go_through_services() -> None:
    errors: set[str] = set()
    for domain in DOMAINS:
        for module in _modules(PACKAGE / domain):
            if module.role() != "tasks":
                continue
            for target, _line in _imports(module):
                if target.split(".")[0] == domain and _role_of(target) in {"repository", "models"}:
                    errors.add(f"{module.dotted} -> {target}")
    _none(errors, "tasks go through their service")


def _service_functions() -> Iterator[tuple[str, ast.AsyncFunctionDef]]:
    for domain in DOMAINS:
        for module in _modules(PACKAGE / domain):
            if module.role() != "service":
                continue
            tree = ast.parse(module.path.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, ast.AsyncFunctionDef) and not node.name.startswith("_"):
                    yield f"{module.dotted}:{node.name}", node


# A call against an open model (the judge's engine) holds no session and acts for nobody: it
# takes the open model first, `judge: JudgeModel` (ADR 0011, "Model calls").
FIRST_PARAMETERS = {"ctx", "judge"}
# The tuner's study loop holds no session and acts for nobody either: it drives the evaluator
# and sink it is handed (the tune job's, bound to its ctx, or the CLI's in-process ones).
CONTEXT_FREE = {"tuning.service.study_loop:run_study"}


def test_every_service_use_case_takes_the_context_first() -> None:
    offenders = {
        name
        for name, node in _service_functions()
        if name not in CONTEXT_FREE
        and (not node.args.args or node.args.args[0].arg not in FIRST_PARAMETERS)
    }
    _none(offenders, "take `ctx: ServiceContext` first (ADR 0011)")


def test_the_shape_rule_catches_a_stray_module_and_a_missing_service(tmp_path: Path) -> None:
    domain = tmp_path / "things"
    (domain / "runs" / "service").mkdir(parents=True)
    for path in ("__init__.py", "service.py", "helpers.py", "runs/__init__.py"):
        (domain / path).write_text("")
    (domain / "runs" / "service" / "__init__.py").write_text("")
    (domain / "runs" / "lifecycle.py").write_text("")
    errors = _shape_errors(domain, "things")
    assert any(e.startswith("things/helpers.py is not a role") for e in errors)
    assert any(e.startswith("things/runs/lifecycle.py is not a role") for e in errors)
    (domain / "runs" / "service" / "__init__.py").unlink()
    (domain / "runs" / "service").rmdir()
    assert "things/runs has no service" in _shape_errors(domain, "things")
