"""Hostile inputs get a 4xx in the error envelope, never a 500 (issue 15 item 14).

NUL characters in benchmark path parameters and bodies, NaN and Infinity in job params and in
a benchmark's `slo`/`sweep`, malformed `/api/benchmarks/import` files, a suite whose name is
not Latin-1 on export, and `%00` in a web-app path. The NUL and NaN crashes happened only on
PostgreSQL, so everything runs on SQLite and PostgreSQL (the `settings` fixture). Database
errors never carry their SQL parameters into exception messages.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from fastapi.testclient import TestClient
from security_platform import Tenant, create_app, sign_up
from sqlalchemy import text

from benchstudio.config import Settings
from benchstudio.storage.engine import DatabaseConfig, create_engine


@pytest.fixture
def client(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    web_dist = tmp_path / "web-dist"
    web_dist.mkdir()
    (web_dist / "index.html").write_text("<!doctype html><title>app</title>", encoding="utf-8")
    changed = settings.model_copy(update={"web_dist": web_dist})
    with TestClient(create_app(changed), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def user(client: TestClient) -> Tenant:
    return sign_up(client, "hostile@example.com")


def _refused(response: httpx.Response, what: str) -> None:
    assert 400 <= response.status_code < 500, f"{what}: {response.status_code} {response.text}"
    error = response.json()["error"]
    assert error["code"] and error["message"], f"{what}: {response.text}"


def _raw(client: TestClient, method: str, url: str, body: str, user: Tenant) -> httpx.Response:
    headers = {**user.headers, "Content-Type": "application/json"}
    return client.request(method, url, content=body.encode(), headers=headers)


def test_nul_in_benchmark_path_parameters(client: TestClient, user: Tenant) -> None:
    bad = "abc%00def"
    for method, url in [
        ("GET", f"/api/benchmarks/{bad}"),
        ("GET", f"/api/benchmarks/{bad}/requests"),
        ("GET", f"/api/benchmarks/{bad}/export?format=csv"),
        ("POST", f"/api/benchmarks/{bad}/rerun"),
        ("DELETE", f"/api/benchmarks/{bad}"),
    ]:
        _refused(client.request(method, url, headers=user.headers), url)


BENCHMARK = {"targets": [{"provider_id": "p1", "model_id": "m"}], "prompt": "hi"}


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/benchmarks/preview", {**BENCHMARK, "title": "a\x00b"}),
        ("/api/benchmarks", {**BENCHMARK, "prompt": "a\x00b"}),
        ("/api/benchmarks", {**BENCHMARK, "targets": [{"provider_id": "p\x00", "model_id": "m"}]}),
        ("/api/benchmarks/preview", {**BENCHMARK, "params": {"stop": ["\x00"]}}),
        ("/api/benchmarks/compare", {"run_ids": ["a\x00", "b"]}),
        ("/api/jobs", {"type": "demo.units", "params": {"label": "a\x00"}}),
    ],
)
def test_nul_in_bodies(client: TestClient, user: Tenant, url: str, body: dict[str, Any]) -> None:
    _refused(client.post(url, json=body, headers=user.headers), url)


NON_FINITE_JOBS = [
    '{"type": "demo.units", "params": {"units": 1, "unit_ms": NaN}}',
    '{"type": "demo.units", "params": {"units": Infinity}}',
    '{"type": "demo.units", "params": {"nested": [{"x": -Infinity}]}}',
]
# Appended to a valid benchmark whose target exists, so only the number can be refused.
NON_FINITE_BENCHMARKS = [
    ("/api/benchmarks/preview", '"slo": {"ttft_ms": NaN}'),
    ("/api/benchmarks/preview", '"slo": {"e2e_ms": -Infinity}'),
    ("/api/benchmarks/preview", '"mode": "sweep_rate", "sweep": [1, Infinity]'),
    ("/api/benchmarks/preview", '"max_cost": Infinity'),
    ("/api/benchmarks/preview", '"params": {"top_p": NaN}'),
    ("/api/benchmarks", '"mode": "sweep_concurrency", "sweep": [NaN]'),
    ("/api/benchmarks", '"slo": {"tpot_ms": NaN}'),
]


@pytest.mark.parametrize("body", NON_FINITE_JOBS)
def test_nan_and_infinity_in_job_params(client: TestClient, user: Tenant, body: str) -> None:
    _refused(_raw(client, "POST", "/api/jobs", body, user), body)


def test_nan_and_infinity_in_benchmarks(client: TestClient, user: Tenant) -> None:
    provider = client.post(
        "/api/providers",
        json={"name": "local", "base_url": "http://127.0.0.1:1/v1"},
        headers=user.headers,
    ).json()["id"]
    model = client.post(
        "/api/models", json={"provider_id": provider, "model_id": "m"}, headers=user.headers
    ).json()["id"]
    valid = {"targets": [{"provider_id": provider, "model_id": model}], "prompt": "hi"}
    control = client.post("/api/benchmarks/preview", json=valid, headers=user.headers)
    assert control.status_code == 200, control.text  # the base body is valid
    for url, extra in NON_FINITE_BENCHMARKS:
        body = json.dumps(valid)[:-1] + ", " + extra + "}"
        _refused(_raw(client, "POST", url, body, user), body)


def _doc(**changes: Any) -> dict[str, Any]:
    record = {"request_id": "r1", "target": "a", "model": "m", "ttft_ms": 1.0, "e2e_ms": 2.0}
    doc: dict[str, Any] = {"schema": "benchstudio.bench/1", "requests": [record]}
    request_changes = changes.pop("record", {})
    doc["requests"][0] = {**record, **request_changes}
    doc.update(changes)
    return doc


MALFORMED_IMPORTS: dict[str, str] = {
    "nested": "[" * 100_000 + "]" * 100_000,
    "not json": "{nope",
    "error is text": json.dumps(_doc(record={"error": "boom"})),
    "itl is text": json.dumps(_doc(record={"itl_ms": "abc"})),
    "time is text": json.dumps(_doc(record={"ttft_ms": "fast"})),
    "huge int": json.dumps(_doc(record={"context_tokens": 10**20})),
    "tokens beyond 32 bits": json.dumps(_doc(record={"output_tokens": 2**31})),
    "long tokenizer": json.dumps(_doc(record={"tokenizer": "t" * 100})),
    "long finish reason": json.dumps(_doc(record={"finish_reason": "f" * 100})),
    "NaN time": json.dumps(_doc())[:-3] + ', "e2e_ms": NaN}]}',
    "NUL model": json.dumps(_doc(record={"model": "a\x00b"})),
    "step not an object": json.dumps(_doc(steps=["x"])),
    "step without name": json.dumps(_doc(steps=[{"summary": {}}])),
    "summary is a list": json.dumps(_doc(summary=[])),
    "duration is text": json.dumps(_doc(summary={"duration_s": "abc"})),
    "targets are text": json.dumps(_doc(config={"targets": ["x"]})),
    "unknown slo": json.dumps(_doc(config={"slo": {"bogus": 1}})),
    "environment is a number": json.dumps(_doc(environment=5)),
    "slo search is a number": json.dumps(_doc(slo_search=5)),
    "long mode": json.dumps(_doc(steps=[{"name": "s", "mode": "m" * 40}])),
}


@pytest.mark.parametrize("case", list(MALFORMED_IMPORTS))
def test_malformed_benchmark_imports(client: TestClient, user: Tenant, case: str) -> None:
    response = _raw(client, "POST", "/api/benchmarks/import", MALFORMED_IMPORTS[case], user)
    _refused(response, case)


def test_a_well_formed_import_still_works(client: TestClient, user: Tenant) -> None:
    response = _raw(client, "POST", "/api/benchmarks/import", json.dumps(_doc()), user)
    assert response.status_code == 201, response.text


def test_a_suite_named_in_cjk_exports_with_an_rfc_5987_file_name(
    client: TestClient, user: Tenant
) -> None:
    suite_id = client.post("/api/suites/sample", headers=user.headers).json()["id"]
    name = "天気ツール評価"
    renamed = client.patch(f"/api/suites/{suite_id}", json={"name": name}, headers=user.headers)
    assert renamed.status_code == 200, renamed.text
    exported = client.get(f"/api/suites/{suite_id}/export", headers=user.headers)
    assert exported.status_code == 200, exported.text
    disposition = exported.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert name in unquote(encoded)
    assert json.loads(exported.text)["name"] == name


@pytest.mark.parametrize("path", ["/%00", "/runs/%00", "/assets/a%00.js", "/x%00/y"])
def test_nul_in_a_web_app_path(client: TestClient, path: str) -> None:
    _refused(client.get(path), path)


def test_the_web_app_still_serves_its_routes(client: TestClient) -> None:
    assert "<title>app</title>" in client.get("/runs/abc").text


def test_database_errors_do_not_carry_sql_parameters(
    migrated_database: DatabaseConfig, caplog: pytest.LogCaptureFixture
) -> None:
    canary = "prompt-canary-4f2a9c"

    async def failing_query() -> str:
        engine = create_engine(migrated_database)
        try:
            async with engine.connect() as connection:
                await connection.execute(
                    text("INSERT INTO no_such_table (title) VALUES (:title)"), {"title": canary}
                )
        except Exception as exc:
            logging.getLogger("test").exception("query failed")
            return f"{exc!s} {exc!r}"
        finally:
            await engine.dispose()
        raise AssertionError("the query should have failed")

    message = asyncio.run(failing_query())
    assert "no_such_table" in message
    assert canary not in message
    assert canary not in caplog.text
