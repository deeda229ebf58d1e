"""Admin: users with usage, roles, disable, delete, limits, audit log, system view."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from admin_driver import Api
from fastapi.testclient import TestClient

from benchstudio.app import create_app
from benchstudio.config import Settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def admin(client: TestClient) -> Api:
    return Api(client).sign_up("admin@example.com")


@pytest.fixture
def member(client: TestClient, admin: Api) -> Api:
    return Api(client).sign_up("member@example.com")


def test_admin_routes_need_the_admin_role(member: Api) -> None:
    for path in ("/api/admin/users", "/api/admin/audit", "/api/admin/system"):
        response = member.call("GET", path)
        assert response.status_code == 403 and response.json()["error"]["code"] == "admin_required"


def test_user_list_has_usage_counts_search_and_paging(admin: Api, member: Api) -> None:
    page = admin.ok("GET", "/api/admin/users")
    assert page["total"] == 2
    row = next(u for u in page["items"] if u["email"] == "member@example.com")
    # The demo provider and its three models (scripted, sloppy, tunable).
    assert row["providers"] == 1 and row["models"] == 3
    assert row["last_login_at"] is None
    found = admin.ok("GET", "/api/admin/users?q=MEMBER")
    assert [u["email"] for u in found["items"]] == ["member@example.com"]
    second = admin.ok("GET", "/api/admin/users?limit=1&offset=1")
    assert len(second["items"]) == 1 and second["total"] == 2
    # By id, as the admin jobs page names the owners of the jobs it lists (any page of users).
    member_id = member.user["id"]
    by_id = admin.ok("GET", f"/api/admin/users?ids={member_id}&ids={'0' * 26}")
    assert [u["email"] for u in by_id["items"]] == ["member@example.com"]
    assert by_id["total"] == 1


def test_role_change_takes_effect_at_once(admin: Api, member: Api) -> None:
    admin.ok("PATCH", f"/api/admin/users/{member.user['id']}", json={"role": "admin"})
    # Old access token carried the old role: it is revoked, a fresh login sees the new one.
    assert member.call("GET", "/api/admin/system").status_code == 401
    login = member.client.post(
        "/api/auth/login", json={"email": "member@example.com", "password": "password-123"}
    )
    member.token = login.json()["access_token"]
    assert member.ok("GET", "/api/admin/system")["admins"] == 2


def test_the_last_admin_cannot_be_removed(admin: Api, member: Api) -> None:
    me = admin.user["id"]
    for body in ({"role": "user"}, {"is_active": False}):
        assert admin.call("PATCH", f"/api/admin/users/{me}", json=body).status_code == 409
    assert admin.call("DELETE", f"/api/admin/users/{me}").status_code == 409


def test_deleting_a_user_removes_their_data_but_keeps_audit_rows(admin: Api, member: Api) -> None:
    member.ok(
        "POST",
        "/api/providers",
        201,
        json={"name": "p", "base_url": "http://127.0.0.1:1", "api_key": "sk-abcdefghijklmnop"},
    )
    member.ok("POST", "/api/prompt-templates", 201, json={"name": "t", "user_prompt": "hi"})
    member_id = member.user["id"]
    before = admin.ok("GET", f"/api/admin/audit?target={member_id}")["items"]
    assert before
    assert admin.call("DELETE", f"/api/admin/users/{member_id}").status_code == 204
    assert member.call("GET", "/api/providers").status_code == 401
    assert admin.call("DELETE", f"/api/admin/users/{member_id}").status_code == 404
    after = admin.ok("GET", f"/api/admin/audit?target={member_id}")["items"]
    assert {e["id"] for e in before} <= {e["id"] for e in after}
    assert after[0]["action"] == "user.deleted"
    assert admin.ok("GET", "/api/admin/users")["total"] == 1


def test_limits_overrides_and_defaults(admin: Api, member: Api) -> None:
    path = f"/api/admin/users/{member.user['id']}/limits"
    initial = admin.ok("GET", path)
    assert initial["overrides"]["jobs_per_hour"] is None
    assert initial["effective"]["jobs_per_hour"] == 60
    updated = admin.ok(
        "PUT", path, json={"jobs_per_hour": 5, "concurrent_jobs": 1, "monthly_spend_cap_usd": "25"}
    )
    assert updated["effective"]["jobs_per_hour"] == 5
    assert updated["effective"]["max_runs_per_benchmark"] == 1000
    assert Decimal(updated["effective"]["monthly_spend_cap_usd"]) == 25
    assert admin.call("PUT", path, json={"concurrent_jobs": 0}).status_code == 422
    assert admin.call("GET", "/api/admin/users/nobody/limits").status_code == 404


def test_audit_log_filters_and_pages(admin: Api, member: Api) -> None:
    for _ in range(3):
        member.client.post(
            "/api/auth/login", json={"email": "member@example.com", "password": "wrong-one"}
        )
    failed = admin.ok("GET", "/api/admin/audit?action=auth.login_failed")["items"]
    assert len(failed) == 3 and all(e["action"] == "auth.login_failed" for e in failed)
    auth_events = admin.ok("GET", "/api/admin/audit?action=auth.")["items"]
    assert {e["action"] for e in auth_events} >= {"auth.login_failed"}
    by_actor = admin.ok("GET", f"/api/admin/audit?actor_id={admin.user['id']}")["items"]
    assert by_actor and all(e["actor_id"] == admin.user["id"] for e in by_actor)
    seen: list[str] = []
    cursor = None
    while True:
        query = "/api/admin/audit?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = admin.ok("GET", query)
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    everything = admin.ok("GET", "/api/admin/audit?limit=500")["items"]
    assert seen == [e["id"] for e in everything] and len(seen) == len(set(seen))
    naive = admin.call("GET", "/api/admin/audit?since=2026-01-01T00:00:00")
    assert naive.status_code == 422
    window = admin.ok(
        "GET", "/api/admin/audit?since=2000-01-01T00:00:00Z&until=2001-01-01T00:00:00Z"
    )
    assert window["items"] == []


def test_audit_log_is_append_only_through_the_api(admin: Api) -> None:
    event = admin.ok("GET", "/api/admin/audit")["items"][0]
    for method in ("DELETE", "PATCH", "PUT"):
        response = admin.call(method, f"/api/admin/audit/{event['id']}")
        assert response.status_code in (404, 405)
    assert admin.call("DELETE", "/api/admin/audit").status_code == 405


def test_system_view(admin: Api, member: Api) -> None:
    system = admin.ok("GET", "/api/admin/system")
    assert system["users"] == 2 and system["admins"] == 1 and system["uptime_s"] >= 0
    assert system["database_size_bytes"] > 0 and system["version"]
    assert system["database_backend"] in ("sqlite", "postgresql")


def test_admin_scoped_api_token_works_and_user_tokens_cannot_admin(admin: Api, member: Api) -> None:
    token = admin.ok("POST", "/api/auth/tokens", 201, json={"name": "ops", "scopes": ["admin"]})
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert admin.client.get("/api/admin/system", headers=headers).status_code == 200
    read_only = admin.ok("POST", "/api/auth/tokens", 201, json={"name": "r", "scopes": ["read"]})
    headers = {"Authorization": f"Bearer {read_only['token']}"}
    assert admin.client.get("/api/admin/system", headers=headers).status_code == 403
