"""Schemathesis against the OpenAPI schema, as two users: no 5xx, responses match schemas.

Each operation gets a capped number of generated requests (SCHEMATHESIS_EXAMPLES, default 12),
alternating between tenants A and B while A owns one object of every kind. Requests go through
the app's own TestClient so its lifespan (database, jobs) is running. Unknown exceptions are not
hidden: a 500 fails the test with the request that caused it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import cycle

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from security_platform import World, build_world

from benchstudio.config import Settings

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
# Operations that would end the test's own sessions or wait on remote providers.
SKIPPED = {
    ("POST", "/api/auth/logout-all"),
    ("POST", "/api/auth/password"),
    # These connect to whatever server URL is generated (off-machine DNS, 502 on failure).
    ("POST", "/api/suites/import/mcp/tools"),
    ("POST", "/api/suites/import/mcp"),
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    changed = settings.model_copy(
        update={
            "provider_probe_timeout_s": 1.0,
            "login_max_failures_per_ip": 10_000,
            "account_actions_max_per_ip": 10_000,
        }
    )
    yield from build_world(changed)


def _send(world: World, case: Case, token: str) -> None:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    headers = {k: v for k, v in (kwargs.pop("headers", None) or {}).items() if isinstance(v, str)}
    headers["Authorization"] = f"Bearer {token}"
    world.client.cookies.clear()
    response = world.client.request(
        kwargs.pop("method"),
        kwargs.pop("url"),
        headers=headers,
        params=kwargs.pop("params", None),
        json=kwargs.pop("json", None),
        content=kwargs.pop("data", None) if "json" not in kwargs else None,
    )
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
    case.validate_response(response, checks=CHECKS)


def test_api_survives_generated_requests_from_two_users(world: World) -> None:
    schema = schemathesis.openapi.from_dict(world.document)
    tokens = cycle([world.a.token, world.b.token])
    operations = 0
    cases: list[str] = []
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        operations += 1

        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @hypothesis.given(case=operation.as_strategy())
        def run(case: Case) -> None:
            _send(world, case, next(tokens))
            cases.append(case.method)

        try:
            run()
        except Exception as exc:  # keep going: report every failing operation at once
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:400]}")
    print(f"schemathesis: {operations} operations, {len(cases)} generated requests")
    assert not failures, "\n".join(failures)
    assert operations >= 50 and len(cases) >= 5 * operations
