"""Shared machinery of the security suite: the route table, its classification, two tenants
with one object of every kind, request bodies generated from the OpenAPI schema.

Imported by module name (no conftest.py here, so nothing clashes with tests/conftest.py).

When a new route appears, `test_security_route_coverage.py` fails until it is either public
(`PUBLIC_ROUTES`, with a reason), admin-only (`/api/admin/...`), or every path parameter it takes
has an object factory in `OBJECT_FACTORIES` (so the tenant matrix can aim it at user A's object).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from benchstudio.app import create_app
from benchstudio.config import Settings
from judge_prompts import ensure_prompt_source

PASSWORD = "tenant-password-1"

# Routes anyone may call without credentials, each with the reason.
PUBLIC_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "load balancer health check",
    ("GET", "/readyz"): "load balancer readiness check (dependency states, no data)",
    ("GET", "/api/meta"): "the web app needs the server's name and features before sign-in",
    ("GET", "/api/openapi.json"): "API description (no data)",
    ("HEAD", "/api/openapi.json"): "API description (no data)",
    ("GET", "/api/docs"): "API docs page (static)",
    ("GET", "/api/docs/init-swagger.js"): "API docs script (static)",
    ("POST", "/api/auth/register"): "sign-up (policy-controlled)",
    ("POST", "/api/auth/login"): "sign-in (throttled)",
    ("POST", "/api/auth/refresh"): "uses the HttpOnly refresh cookie, not a bearer token",
    ("POST", "/api/auth/logout"): "uses the refresh cookie; idempotent",
    ("POST", "/api/auth/password-reset/request"): "forgotten password (always 202)",
    ("POST", "/api/auth/password-reset/confirm"): "uses the single-use emailed token",
    ("GET", "/{path:path}"): "the web app's static files and SPA fallback",
}
# Non-HTTP or mounted routes, covered by their own tests.
OTHER_ROUTES: dict[str, str] = {
    "/ws": "WebSocket: ticket-authenticated, tested in tests/integration/realtime",
    "/api/docs/static": "static Swagger UI assets",
}


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str

    @property
    def params(self) -> list[str]:
        return re.findall(r"{([^}:]+)(?::[^}]*)?}", self.path)

    @property
    def is_public(self) -> bool:
        return (self.method, self.path) in PUBLIC_ROUTES

    @property
    def is_admin(self) -> bool:
        return self.path.startswith("/api/admin/") or self.path == "/api/admin"

    def url(self, ids: dict[str, str]) -> str:
        return re.sub(r"{([^}:]+)(?::[^}]*)?}", lambda m: ids[m.group(1)], self.path)


def http_routes(app: FastAPI) -> list[RouteSpec]:
    """Every (method, path) the app serves over HTTP, from its route table."""
    specs: list[RouteSpec] = []
    for context in iter_route_contexts(app.routes):
        path = context.path
        if not path or path in OTHER_ROUTES:
            continue
        specs.extend(RouteSpec(method, path) for method in sorted(context.methods or ()))
    return specs


def all_route_paths(app: FastAPI) -> set[str]:
    return {c.path for c in iter_route_contexts(app.routes) if c.path}


# ---------------------------------------------------------------- request bodies from OpenAPI


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def example_for(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """A minimal valid value for a JSON schema (required fields only)."""
    schema = _resolve(schema, document)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, document).get("type") != "null"]
            return example_for(options[0] if options else schema[key][0], document)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: example_for(props[name], document) for name in schema.get("required", [])}
    if kind == "array":
        count = schema.get("minItems", 0)
        return [example_for(schema.get("items", {}), document) for _ in range(count)]
    if kind == "string":
        return "x" * max(1, schema.get("minLength", 1)) if "email" not in str(schema) else "x@x.io"
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    return None


# Bodies the generic generator cannot guess (valid but harmless).
BODY_OVERRIDES: dict[tuple[str, str], Any] = {
    ("POST", "/api/auth/register"): {"email": "body@example.com", "password": "password-123"},
    ("POST", "/api/auth/login"): {"email": "body@example.com", "password": "password-123"},
    ("POST", "/api/auth/password-reset/request"): {"email": "body@example.com"},
    ("POST", "/api/providers"): {"name": "p", "base_url": "http://127.0.0.1:1/v1"},
    ("PATCH", "/api/providers/{provider_id}"): {"name": "renamed"},
    ("POST", "/api/models"): {"provider_id": "x", "model_id": "m"},
    ("PATCH", "/api/models/{model_ref_id}"): {"notes": "n"},
    ("PUT", "/api/prompt-templates/{template_id}"): {"name": "t", "user_prompt": "hi"},
    # Hidden from the schema (deprecated alias of /api/parameter-sets): no body to derive.
    ("PUT", "/api/model-profiles/{parameter_set_id}"): {"name": "p"},
    ("POST", "/api/jobs"): {"type": "demo.units", "params": {"units": 1, "unit_ms": 1}},
    ("PATCH", "/api/admin/users/{user_id}"): {},
}


def request_body(route: RouteSpec, document: dict[str, Any]) -> Any:
    if (route.method, route.path) in BODY_OVERRIDES:
        return BODY_OVERRIDES[(route.method, route.path)]
    operation = document["paths"].get(route.path, {}).get(route.method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return example_for(schema, document) if schema else None


# ---------------------------------------------------------------- tenants and their objects


@dataclass
class Tenant:
    email: str
    token: str
    user_id: str
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def sign_up(client: TestClient, email: str) -> Tenant:
    client.cookies.clear()
    response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    body = response.json()
    return Tenant(email, body["access_token"], body["user"]["id"])


def _created(response: Any) -> str:
    assert response.status_code in (200, 201, 202), response.text
    return str(response.json()["id"])


def _make_provider(client: TestClient, owner: Tenant, key: str) -> str:
    body = {"name": "A's provider", "base_url": "http://127.0.0.1:1/v1", "api_key": key}
    return _created(client.post("/api/providers", json=body, headers=owner.headers))


def _make_model(client: TestClient, owner: Tenant, key: str) -> str:
    body = {"provider_id": owner.ids["provider_id"], "model_id": "a-model"}
    return _created(client.post("/api/models", json=body, headers=owner.headers))


def _make_template(client: TestClient, owner: Tenant, key: str) -> str:
    body = {"name": "A's template", "system_prompt": "secret of A", "user_prompt": "hi"}
    return _created(client.post("/api/prompt-templates", json=body, headers=owner.headers))


def _make_prompt(client: TestClient, owner: Tenant, key: str) -> str:
    """A prompt-library entry of A's with two versions (so its diff and versions resolve)."""
    body = {"kind": "system", "name": "A's prompt", "body": "secret of A", "tags": ["a"]}
    entry_id = _created(client.post("/api/prompts", json=body, headers=owner.headers))
    again = {"body": "secret of A, again", "note": "second"}
    response = client.post(f"/api/prompts/{entry_id}/versions", json=again, headers=owner.headers)
    assert response.status_code == 201, response.text
    return entry_id


def _make_prompt_version(client: TestClient, owner: Tenant, key: str) -> str:
    return "1"  # a version number of A's prompt (made above)


def _make_parameter_set(client: TestClient, owner: Tenant, key: str) -> str:
    body = {"name": "A's parameter set", "params": {"temperature": 0.3}}
    return _created(client.post("/api/parameter-sets", json=body, headers=owner.headers))


def _make_token(client: TestClient, owner: Tenant, key: str) -> str:
    body = {"name": "A's token", "scopes": ["read"]}
    return _created(client.post("/api/auth/tokens", json=body, headers=owner.headers))


def _make_job(client: TestClient, owner: Tenant, key: str) -> str:
    body = {"type": "demo.units", "params": {"units": 1, "unit_ms": 1}}
    job_id = _created(client.post("/api/jobs", json=body, headers=owner.headers))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # settle, so snapshots before/after compare equal
        status = client.get(f"/api/jobs/{job_id}", headers=owner.headers).json()["status"]
        if status in ("done", "failed", "cancelled", "interrupted"):
            break
        time.sleep(0.05)
    return job_id


def _make_benchmark_run(client: TestClient, owner: Tenant, key: str) -> str:
    """A stored benchmark run, imported from a results document (no job needed)."""
    doc = {
        "schema": "benchstudio.bench/1",
        "run_id": "a-run",
        "status": "completed",
        "config": {"targets": [{"name": "a", "model": "a-model", "base_url": "http://x"}]},
        "summary": {"duration_s": 1.0},
        "requests": [
            {
                "request_id": "r1",
                "ttft_ms": 10.0,
                "itl_ms": [1.0],
                "e2e_ms": 12.0,
                "output_tokens": 2,
                "target": "a",
                "model": "a-model",
                "context_tokens": 0,
                "run_index": 0,
                "warmup": False,
                "error": None,
            }
        ],
    }
    # duplicate=allow: a tenant may get several runs made from this one document.
    url = "/api/benchmarks/import?duplicate=allow"
    response = client.post(url, json=doc, headers=owner.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["run"]["id"])


def _make_suite(client: TestClient, owner: Tenant, key: str) -> str:
    return _created(client.post("/api/suites/sample", headers=owner.headers))


def _make_suite_case(client: TestClient, owner: Tenant, key: str) -> str:
    case = {"id": "a-private-case-7c1e", "prompt": "A's private prompt", "expected_calls": []}
    url = f"/api/suites/{owner.ids['suite_id']}/cases"
    response = client.post(url, json={"cases": [case]}, headers=owner.headers)
    assert response.status_code == 201, response.text
    return "a-private-case-7c1e"


def _make_suite_version(client: TestClient, owner: Tenant, key: str) -> str:
    return "1"


def wait_for_job(client: TestClient, owner: Tenant, job_id: str) -> None:
    # Settle, so snapshots before/after compare equal: a job still running when the world is
    # handed over changes A's objects during the test (it did on a loaded CI machine when this
    # gave up silently after 30 s), so waiting ends in the job's end or a failure, never quietly.
    deadline = time.monotonic() + 240
    status = "unknown"
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job_id}", headers=owner.headers).json()["status"]
        if status in ("done", "failed", "cancelled", "interrupted"):
            return
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {status} after 240 s")


def _make_eval_run(client: TestClient, owner: Tenant, key: str) -> str:
    """An eval of A's suite against A's provider (nothing listens there: every case fails fast)."""
    body = {
        "suite_id": owner.ids["suite_id"],
        "targets": [
            {"provider_id": owner.ids["provider_id"], "model_id": owner.ids["model_ref_id"]}
        ],
        "timeout_s": 2,
        "concurrency": 64,  # every case at once: each fails after its retries (~1.5 s)
    }
    response = client.post("/api/evals", json=body, headers=owner.headers)
    assert response.status_code == 202, response.text
    wait_for_job(client, owner, response.json()["job_id"])
    return str(response.json()["run"]["id"])


def _make_case_result(client: TestClient, owner: Tenant, key: str) -> str:
    url = f"/api/evals/{owner.ids['eval_run_id']}/cases?limit=1"
    items = client.get(url, headers=owner.headers).json()["items"]
    assert items, "the eval run stored no case results"
    return str(items[0]["id"])


def _make_experiment(client: TestClient, owner: Tenant, key: str) -> str:
    """An experiment of A's on A's suite and model, with A's eval run filed under it (so the
    judge report made next inherits it)."""
    body = {
        "name": "A's experiment",
        "description": "secret of A",
        "suite_id": owner.ids["suite_id"],
        "models": [{"provider_id": owner.ids["provider_id"], "model_id": "a-model"}],
    }
    experiment_id = _created(client.post("/api/experiments", json=body, headers=owner.headers))
    filed = {"kind": "eval", "ref_id": owner.ids["eval_run_id"]}
    url = f"/api/experiments/{experiment_id}/runs"
    response = client.post(url, json=filed, headers=owner.headers)
    assert response.status_code == 200, response.text
    return experiment_id


def _make_filed_kind(client: TestClient, owner: Tenant, key: str) -> str:
    return "eval"  # the kind of A's run filed in A's experiment (not an identifier)


def _make_filed_ref(client: TestClient, owner: Tenant, key: str) -> str:
    return owner.ids["eval_run_id"]  # A's run filed in A's experiment


def _make_judge_report(client: TestClient, owner: Tenant, key: str) -> str:
    """A per-case judge report of A's eval run, judged by A's model (unreachable: each case
    records the failed request, never a score)."""
    ensure_prompt_source()
    run = client.get(f"/api/evals/{owner.ids['eval_run_id']}", headers=owner.headers).json()
    body = {
        "eval_run_id": owner.ids["eval_run_id"],
        "target": run["targets"][0]["label"],
        "judge_model_ref_id": owner.ids["model_ref_id"],
    }
    response = client.post("/api/judge/runs", json=body, headers=owner.headers)
    assert response.status_code == 202, response.text
    wait_for_job(client, owner, response.json()["job_id"])
    return str(response.json()["report_id"])


def _make_judged_case(client: TestClient, owner: Tenant, key: str) -> str:
    url = f"/api/judge/reports/{owner.ids['report_id']}/cases"
    rows = client.get(url, headers=owner.headers).json()
    assert rows, "the judge report stored no case"
    return str(rows[0]["case_id"])


def submit_tuner_run(
    client: TestClient, owner: Tenant, suite_id: str, provider_id: str, model: str
) -> str:
    """A small tune of the owner's suite on their provider, run to its end (nothing listens
    there: each trial's cases fail fast, and the run still ends with its trials stored)."""
    body = {
        "name": "tuner run of " + owner.email,
        "suite_id": suite_id,
        "target": {"provider_id": provider_id, "model_id": model},
        "space": {"dimensions": [{"kind": "choice", "name": "temperature", "choices": [0.5]}]},
        "strategy": {"kind": "grid"},
        "budget": {"max_trials": 2},
        "timeout_s": 2,
    }
    response = client.post("/api/tuning/runs", json=body, headers=owner.headers)
    assert response.status_code == 202, response.text
    wait_for_job(client, owner, response.json()["job_id"])
    return str(response.json()["run"]["id"])


def _make_tuner_run(client: TestClient, owner: Tenant, key: str) -> str:
    """A's finished tuner run, filed in A's experiment (so filing probes have one to move)."""
    ids = owner.ids
    run_id = submit_tuner_run(
        client, owner, ids["suite_id"], ids["provider_id"], ids["model_ref_id"]
    )
    filed = {"kind": "tuner", "ref_id": run_id}
    url = f"/api/experiments/{owner.ids['experiment_id']}/runs"
    response = client.post(url, json=filed, headers=owner.headers)
    assert response.status_code == 200, response.text
    return run_id


def _make_space_preset(client: TestClient, owner: Tenant, key: str) -> str:
    space = {"dimensions": [{"kind": "choice", "name": "top_k", "choices": [20, 40]}]}
    body = {"name": "A's preset", "description": "secret of A", "space": space}
    return _created(client.post("/api/tuning/presets", json=body, headers=owner.headers))


def _make_schedule(client: TestClient, owner: Tenant, key: str) -> str:
    """A nightly eval schedule of A's suite on A's model, starting in 2100 (it never runs
    during the test)."""
    body = {
        "name": "A's nightly eval",
        "kind": "eval",
        "eval": {
            "suite_id": owner.ids["suite_id"],
            "targets": [
                {"provider_id": owner.ids["provider_id"], "model_id": owner.ids["model_ref_id"]}
            ],
        },
        "timing": {
            "rule": {"kind": "cron", "cron": "0 2 * * *", "timezone": "Europe/London"},
            "starts_at": "2100-01-01T00:00:00Z",
        },
    }
    return _created(client.post("/api/schedules", json=body, headers=owner.headers))


def _make_webhook(client: TestClient, owner: Tenant, key: str) -> str:
    """A webhook for A's schedule's alerts (its URL and secret sealed in the vault)."""
    body = {"name": "A's hook", "url": "https://example.com/hook?token=a-token"}
    body["schedule_id"] = owner.ids["schedule_id"]
    return _created(client.post("/api/webhooks", json=body, headers=owner.headers))


def _make_alert_metric(client: TestClient, owner: Tenant, key: str) -> str:
    """A's schedule's alert rules and a mute of its cost alerts; the metric names the mute."""
    schedule = owner.ids["schedule_id"]
    rules = {"rules": [{"metric": "cost", "threshold": 0.2}]}
    url = f"/api/schedules/{schedule}/alert-rules"
    assert client.put(url, json=rules, headers=owner.headers).status_code == 200
    mute = {"metric": "cost", "until": "2100-01-01T00:00:00Z"}
    url = f"/api/schedules/{schedule}/alerts/mutes"
    assert client.post(url, json=mute, headers=owner.headers).status_code == 200
    return "cost"  # a metric name (not an identifier)


# Path parameter → factory creating the owner's object (in dependency order).
OBJECT_FACTORIES: dict[str, Callable[[TestClient, Tenant, str], str]] = {
    "provider_id": _make_provider,
    "model_ref_id": _make_model,
    "template_id": _make_template,
    "parameter_set_id": _make_parameter_set,
    "prompt_id": _make_prompt,
    "prompt_version": _make_prompt_version,
    "token_id": _make_token,
    "job_id": _make_job,
    "run_id": _make_benchmark_run,
    "suite_id": _make_suite,
    "suite_case_id": _make_suite_case,
    "suite_version": _make_suite_version,
    "eval_run_id": _make_eval_run,
    "case_result_id": _make_case_result,
    "experiment_id": _make_experiment,
    "kind": _make_filed_kind,
    "ref_id": _make_filed_ref,
    "report_id": _make_judge_report,
    "case_id": _make_judged_case,
    "tuner_run_id": _make_tuner_run,
    "preset_id": _make_space_preset,
    "schedule_id": _make_schedule,
    "webhook_id": _make_webhook,
    "metric": _make_alert_metric,
}


def populate(client: TestClient, owner: Tenant, key: str) -> None:
    for param, factory in OBJECT_FACTORIES.items():
        owner.ids[param] = factory(client, owner, key)


@dataclass
class World:
    client: TestClient
    app: FastAPI
    admin: Tenant
    a: Tenant
    b: Tenant
    document: dict[str, Any]
    routes: list[RouteSpec]


def build_world(settings: Settings, key: str = "sk-test-0123456789abcdef") -> Iterator[World]:
    """An admin, then tenants A and B (plain users); A owns one object of every kind."""
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        admin = sign_up(client, "admin@example.com")
        a = sign_up(client, "tenant-a@example.com")
        b = sign_up(client, "tenant-b@example.com")
        populate(client, a, key)
        client.cookies.clear()
        yield World(client, app, admin, a, b, app.openapi(), http_routes(app))
