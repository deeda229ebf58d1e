"""The app factory: health, error envelope, request ids, security headers, docs, SPA."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.core.errors import NotFoundError
from platform_settings import make_settings, sqlite_database

SECURITY_HEADER_NAMES = (
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
)


def _client(settings: Settings, extra: APIRouter | None = None) -> Iterator[TestClient]:
    app = create_app(settings, extra_routers=[extra] if extra else [])
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    boom = APIRouter()

    @boom.get("/api/_test/boom")
    async def explode() -> None:
        raise RuntimeError("secret sk-canary-1234567890abcdef must not leak")

    @boom.get("/api/_test/missing")
    async def missing() -> None:
        raise NotFoundError("No such widget.")

    yield from _client(settings, boom)


def _assert_envelope(body: dict[str, object], code: str) -> None:
    error = body["error"]
    assert isinstance(error, dict)
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["request_id"], str) and error["request_id"]


def _assert_security_headers(headers: object) -> None:
    for name in SECURITY_HEADER_NAMES:
        assert name in headers, name  # type: ignore[operator]


def test_healthz_reports_status_version_and_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": "0.1.0", "database": "ok", "redis": None}
    _assert_security_headers(response.headers)


def test_healthz_says_when_the_database_is_unreachable(tmp_path: Path) -> None:
    broken = make_settings(sqlite_database(tmp_path / "missing" / "deeper"), tmp_path)
    broken.database_url = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    for client in _client(broken):
        live = client.get("/healthz")  # liveness: a restart would not bring the database back
        assert live.status_code == 200
        assert live.json()["database"] == "unreachable"
        assert live.json()["status"] == "degraded"
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["database"] == "unreachable"


def test_unknown_api_route_is_an_enveloped_404_with_headers(client: TestClient) -> None:
    response = client.get("/api/does-not-exist")
    assert response.status_code == 404
    _assert_envelope(response.json(), "not_found")
    _assert_security_headers(response.headers)


def test_app_errors_use_their_code_and_message(client: TestClient) -> None:
    response = client.get("/api/_test/missing")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No such widget."


def test_unhandled_exception_is_a_500_envelope_and_leaks_nothing(client: TestClient) -> None:
    response = client.get("/api/_test/boom", headers={"X-Request-Id": "req-test-123456"})
    assert response.status_code == 500
    body = response.json()
    _assert_envelope(body, "internal_error")
    assert body["error"]["request_id"] == "req-test-123456"
    assert "sk-canary" not in response.text
    _assert_security_headers(response.headers)


def _assert_validation_envelope(response: Any, where: list[object]) -> None:
    """A 422 in the envelope, with cleaned details naming `where` and no echoed input."""
    assert response.status_code == 422, response.text
    body = response.json()
    _assert_envelope(body, "validation_error")
    assert set(body["error"]) == {"code", "message", "request_id", "details"}
    details = body["error"]["details"]
    assert details, "a 422 says what was wrong"
    for detail in details:
        assert set(detail) == {"loc", "msg", "type"}
        assert isinstance(detail["msg"], str) and detail["msg"]
    assert where in [detail["loc"] for detail in details], details
    message = body["error"]["message"]
    assert message and "should" not in message and "Field required" not in message, message
    assert response.headers["x-request-id"] == body["error"]["request_id"]


def test_validation_errors_are_422_envelopes(client: TestClient) -> None:
    canary = "sk-canary-password-0123456789"
    # Body: a field missing, a field of the wrong type, a body that is not JSON.
    missing = client.post("/api/auth/register", json={"email": "v@example.com"})
    _assert_validation_envelope(missing, ["body", "password"])
    wrong_type = client.post(
        "/api/auth/login", json={"email": ["v@example.com"], "password": canary}
    )
    _assert_validation_envelope(wrong_type, ["body", "email"])
    assert canary not in wrong_type.text  # submitted input is never echoed
    not_json = client.post(
        "/api/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    _assert_validation_envelope(not_json, ["body", 1])
    # A signed-in user: an invalid body, query parameter and path parameter.
    token = client.post(
        "/api/auth/register", json={"email": "v@example.com", "password": "password-123"}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    no_url = client.post("/api/providers", json={"name": "p"}, headers=auth)
    _assert_validation_envelope(no_url, ["body", "base_url"])
    bad_limit = client.get("/api/jobs", params={"limit": "0"}, headers=auth)
    _assert_validation_envelope(bad_limit, ["query", "limit"])
    bad_id = client.get("/api/jobs/not an id", headers=auth)
    _assert_validation_envelope(bad_id, ["path", "job_id"])
    # Not a validation error: a wrong method stays a 405 in the same envelope.
    response = client.request("POST", "/healthz")
    assert response.status_code == 405
    _assert_envelope(response.json(), "method_not_allowed")


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    echoed = client.get("/healthz", headers={"X-Request-Id": "abc-123-def"})
    assert echoed.headers["x-request-id"] == "abc-123-def"
    generated = client.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})
    assert generated.headers["x-request-id"].startswith("req_")


def test_csp_forbids_inline_scripts(client: TestClient) -> None:
    csp = client.get("/healthz").headers["content-security-policy"]
    script_src = next(part for part in csp.split(";") if "script-src" in part)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp


def test_api_docs_work_offline_without_inline_scripts(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts, "docs page must load Swagger UI"
    for attrs, body in scripts:
        assert body.strip() == "", "inline script would be blocked by the CSP"
        src = re.search(r'src="([^"]+)"', attrs)
        assert src and src.group(1).startswith("/"), "assets must be local"
        asset = client.get(src.group(1))
        assert asset.status_code == 200 and len(asset.content) > 100
    for href in re.findall(r'href="(/[^"]+)"', page.text):
        assert client.get(href).status_code == 200
    assert client.get("/api/openapi.json").json()["info"]["title"] == "BenchStudio API"


def test_without_a_web_build_the_root_explains_how_to_build(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "make run" in page.text and "npm run build" in page.text


def test_spa_serves_files_and_falls_back_to_index(tmp_path: Path, settings: Settings) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html><body>spa-index</body></html>")
    (dist / "assets" / "app.js").write_text("console.log('x')")
    settings.web_dist = dist
    for client in _client(settings):
        assert client.get("/").text.endswith("spa-index</body></html>")
        assert "spa-index" in client.get("/history/some/deep/link").text
        asset = client.get("/assets/app.js")
        assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
        assert client.get("/assets/missing.js").status_code == 404
        assert "spa-index" not in client.get("/api/nothing").text
        traversal = client.get("/assets/..%2F..%2Fsecrets.env")
        assert "t" * 48 not in traversal.text


def test_meta_lists_available_features(client: TestClient) -> None:
    meta = client.get("/api/meta").json()
    assert meta["name"] == "BenchStudio" and "overview" in meta["features"]


@pytest.mark.parametrize("policy", ["open", "invite", "closed"])
def test_meta_tells_the_sign_up_page_the_policy(tmp_path: Path, policy: str) -> None:
    settings = make_settings(sqlite_database(tmp_path), tmp_path, signup_policy=policy)
    for client in _client(settings):
        assert client.get("/api/meta").json()["signup_policy"] == policy
