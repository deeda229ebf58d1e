"""Secret canary: a prefix-less random key is stored, every route is driven (error paths included),
and the canary appears in no HTTP body or header, log record, audit row or plaintext column.

The route list comes from the app, like the tenant matrix, so later routes are covered
automatically. Error paths: a provider answering 401 while echoing the headers it received
(key included), a provider that never answers (timeout), an unresolvable base URL, validation
errors with the canary in the rejected input, and a wrong password equal to the canary.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from security_platform import (
    PASSWORD,
    RouteSpec,
    World,
    build_world,
    request_body,
)
from security_servers import LocalServer, echo_401, hang
from sqlalchemy import inspect, select, text

from benchstudio.all_models import metadata
from benchstudio.config import Settings
from benchstudio.storage.unit_of_work import read_unit

# Prefix-less: a `sk-` canary would be caught by the generic redaction patterns anyway and
# hide a missing explicit secrets list (issue 15 item 9).
CANARY = secrets.token_hex(20)
CLIENT_LOGGERS = ("httpx", "httpx2")
METHOD_ORDER = {"GET": 0, "HEAD": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}


class RecordAll(logging.Handler):
    """Keeps every raw record (before any redaction filter) with all its fields as text."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(CLIENT_LOGGERS):
            return  # the test's own HTTP client logging the URLs it sends
        exc = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        fields = {k: repr(v) for k, v in record.__dict__.items() if k != "exc_info"}
        self.texts.append(f"{record.getMessage()} {fields} {exc} {record.exc_text or ''}")


@pytest.fixture
def captured_logs() -> Iterator[RecordAll]:
    handler = RecordAll()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


@pytest.fixture
def echo_server() -> Iterator[LocalServer]:
    with LocalServer(echo_401) as server:
        yield server


@pytest.fixture
def hanging_server() -> Iterator[LocalServer]:
    with LocalServer(hang) as server:
        yield server


@pytest.fixture(scope="module")
def world(module_settings: Settings) -> Iterator[World]:
    """One world per backend for the module (its tests on one worker: `--dist loadfile`): they
    only add providers of their own, log in, or (the route drive) delete the canary providers
    it made."""
    changed = module_settings.model_copy(update={"provider_probe_timeout_s": 1.0})
    yield from build_world(changed, key=CANARY)


class Recorder:
    """Sends requests and keeps every response's status line, headers and body as text."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.texts: list[str] = []
        self.count = 0

    def send(self, method: str, url: str, **kwargs: Any) -> Any:
        response = self.client.request(method, url, **kwargs)
        self.count += 1
        self.texts.append(f"{response.status_code} {dict(response.headers)} {response.text}")
        return response


def _add_canary_providers(world: World, rec: Recorder, urls: list[str]) -> list[str]:
    """Providers holding the canary as key and as an extra header, at hostile addresses."""
    ids = []
    for url in urls:
        body = {
            "name": "canary",
            "base_url": url,
            "api_key": CANARY,
            "extra_headers": {"X-Custom-Auth": CANARY},
        }
        response = rec.send("POST", "/api/providers", json=body, headers=world.a.headers)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def _drive_every_route(world: World, rec: Recorder, provider_ids: list[str]) -> None:
    """Each route, as owner, as another user and anonymously, once per canary provider."""
    routes = sorted(world.routes, key=lambda r: METHOD_ORDER.get(r.method, 5))
    for provider_id in provider_ids:
        ids = {**world.a.ids, "provider_id": provider_id, "user_id": world.a.user_id}
        ids.setdefault("invite_id", "0" * 26)
        for route in routes:
            if route.method == "DELETE" and "provider_id" not in route.path:
                continue  # keep A's other objects for the next round
            body = request_body(route, world.document)
            url = route.url({**ids, "path": "some/page"})
            for headers in (world.a.headers, world.b.headers, world.admin.headers, {}):
                rec.send(route.method, url, json=body, headers=headers)


def _drive_error_inputs(world: World, rec: Recorder, provider_id: str) -> None:
    """Requests that carry the canary in rejected input."""
    bad_bodies: list[tuple[str, str, Any]] = [
        (
            "POST",
            "/api/providers",
            {"name": "x", "base_url": f"http://{CANARY}@x.io", "api_key": CANARY},
        ),
        ("POST", "/api/providers", {"name": "x", "base_url": "ftp://x", "api_key": CANARY}),
        ("POST", "/api/providers", {"name": CANARY * 10, "base_url": "http://x.io", "api_key": 5}),
        ("PUT", f"/api/providers/{provider_id}/key", {"api_key": CANARY * 200}),
        ("PATCH", f"/api/providers/{provider_id}", {"extra_headers": {"Bad\nName": CANARY}}),
        ("POST", "/api/auth/login", {"email": world.a.email, "password": CANARY}),
        ("POST", "/api/auth/register", {"email": CANARY, "password": CANARY}),
        ("POST", "/api/auth/password", {"current_password": CANARY, "new_password": "x"}),
    ]
    for method, url, body in bad_bodies:
        rec.send(method, url, json=body, headers=world.a.headers)
    rec.send("GET", f"/api/providers?q={CANARY}", headers={"Authorization": f"Bearer {CANARY}"})
    rec.send(
        "GET", "/api/providers", headers={"X-Api-Key": CANARY, "Cookie": f"bs_refresh={CANARY}"}
    )
    rec.send("POST", "/api/auth/refresh", headers={"Cookie": f"bs_refresh={CANARY}"})


async def _database_text(world: World) -> tuple[str, str]:
    """Every column of every table as text, and the audit rows alone."""
    database = world.app.state.database
    async with read_unit(database) as session:
        tables = await session.run_sync(lambda s: inspect(s.connection()).get_table_names())
        dump = []
        for table in tables:
            rows = (await session.execute(text(f'SELECT * FROM "{table}"'))).all()
            dump.append(f"{table}: {[tuple(map(str, r)) for r in rows]}")
        audit_table = metadata.tables["audit_events"]
        audit_rows = (await session.execute(select(audit_table))).all()
    return "\n".join(dump), json.dumps([list(map(str, r)) for r in audit_rows])


# These two run before the route drive below, which ends A's session (logout, password
# change) on the module's shared world.
def test_rows_of_the_vault_hold_ciphertext_only(world: World) -> None:
    rec = Recorder(world.client)
    _add_canary_providers(world, rec, ["http://127.0.0.1:1/v1"])
    database_dump, _ = world.client.portal.call(_database_text, world)  # type: ignore[union-attr]
    assert "gAAAAA" in database_dump  # Fernet tokens
    assert CANARY not in database_dump and CANARY[-12:] not in database_dump


def test_password_is_never_logged(world: World, captured_logs: RecordAll) -> None:
    world.client.post("/api/auth/login", json={"email": world.a.email, "password": PASSWORD})
    world.client.post("/api/auth/login", json={"email": world.a.email, "password": CANARY})
    assert not [t for t in captured_logs.texts if PASSWORD in t or CANARY in t]


def test_canary_never_leaks(
    world: World,
    captured_logs: RecordAll,
    echo_server: LocalServer,
    hanging_server: LocalServer,
) -> None:
    rec = Recorder(world.client)
    provider_ids = _add_canary_providers(
        world,
        rec,
        [
            echo_server.url + "/v1",  # provider 401 that echoes our headers back
            hanging_server.url + "/v1",  # timeout
            "http://no-such-host.invalid/v1",  # bad base URL
        ],
    )
    health = rec.send("POST", f"/api/providers/{provider_ids[0]}/health", headers=world.a.headers)
    assert health.json()["error"]["category"] == "auth"  # the echo path really ran
    slow = rec.send("POST", f"/api/providers/{provider_ids[1]}/health", headers=world.a.headers)
    assert slow.json()["error"]["category"] == "timeout", slow.text
    _drive_error_inputs(world, rec, provider_ids[0])
    _drive_every_route(world, rec, provider_ids)
    database_dump, audit_dump = world.client.portal.call(_database_text, world)  # type: ignore[union-attr]

    assert rec.count > 500
    leaks = [t[max(0, t.index(CANARY) - 200) :][:400] for t in rec.texts if CANARY in t]
    assert not leaks, f"canary in HTTP responses: {leaks[:3]}"
    logged = [t[max(0, t.index(CANARY) - 200) :][:400] for t in captured_logs.texts if CANARY in t]
    assert not logged, f"canary in log records: {logged[:3]}"
    assert CANARY not in audit_dump
    assert CANARY not in database_dump
    assert "provider_credentials" in database_dump  # the vault rows were really there


def _unused(route: RouteSpec) -> None:  # keeps RouteSpec imported for type readers
    del route
