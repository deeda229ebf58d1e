"""Sign-up policy, invites, password reset by mail, personal API tokens, login throttling."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from auth_driver import Api, open_api
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from benchstudio.accounts.models import PasswordResetToken
from benchstudio.accounts.service.mailer import CapturingMailer
from benchstudio.app import create_app
from benchstudio.config import Environment, Settings
from benchstudio.core.clock import utcnow
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import write_unit


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from open_api(settings)


def _api_with(settings: Settings, **changes: object) -> Iterator[Api]:
    changed = settings.model_copy(update=changes)
    app = create_app(changed)
    mailer = CapturingMailer()
    app.state.mailer = mailer
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, mailer)


@pytest.fixture
def invite_api(settings: Settings) -> Iterator[Api]:
    yield from _api_with(settings, signup_policy="invite")


def test_production_defaults_to_invite_only_even_on_a_fresh_instance(settings: Settings) -> None:
    for api in _api_with(
        settings,
        env=Environment.PRODUCTION,
        signup_policy=None,
        public_url="https://bench.example.com",
    ):
        response = api.client.post(
            "/api/auth/register",
            json={"email": "stranger@example.com", "password": "plain-sailing-words"},
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "signup_not_allowed"


def test_closed_policy_refuses_everyone(settings: Settings) -> None:
    for api in _api_with(settings, signup_policy="closed"):
        response = api.client.post(
            "/api/auth/register", json={"email": "a@example.com", "password": "plain-sailing-words"}
        )
        assert response.status_code == 403


def test_invites_are_single_use_and_bound_to_their_email(
    settings: Settings, invite_api: Api
) -> None:
    # The operator's first admin exists (CLI); open mode is used to create it here.
    for opener in _api_with(settings, signup_policy="open"):
        opener.register("admin@example.com")
        code = opener.post("/api/admin/invites", json={"email": "bob@example.com"}).json()["code"]
        free_code = opener.post("/api/admin/invites", json={}).json()["code"]
    client = invite_api.client
    wrong_email = client.post(
        "/api/auth/register",
        json={"email": "eve@example.com", "password": "plain-sailing-words", "invite_code": code},
    )
    assert wrong_email.status_code == 403
    ok = client.post(
        "/api/auth/register",
        json={"email": "bob@example.com", "password": "plain-sailing-words", "invite_code": code},
    )
    assert ok.status_code == 202 and ok.json()["status"] == "check_email"
    assert invite_api.login("bob@example.com", "plain-sailing-words")["user"]["role"] == "user"
    assert invite_api.mailer.sent[-1].to == "bob@example.com"
    again = client.post(
        "/api/auth/register",
        json={"email": "bob2@example.com", "password": "plain-sailing-words", "invite_code": code},
    )
    assert again.status_code == 403
    anyone = client.post(
        "/api/auth/register",
        json={
            "email": "carol@example.com",
            "password": "plain-sailing-words",
            "invite_code": free_code,
        },
    )
    assert anyone.status_code == 202


def _reset_token(mailer: CapturingMailer) -> str:
    match = re.search(r"token=([A-Za-z0-9_-]+)", mailer.sent[-1].body)
    assert match
    return match.group(1)


def test_password_reset_is_single_use_and_revokes_sessions(api: Api) -> None:
    api.register("reset@example.com", "old-password")
    old_access = api.token
    unknown = api.client.post(
        "/api/auth/password-reset/request", json={"email": "nobody@example.com"}
    )
    assert unknown.status_code == 202 and api.mailer.sent == []
    known = api.client.post("/api/auth/password-reset/request", json={"email": "reset@example.com"})
    assert known.status_code == 202 and len(api.mailer.sent) == 1
    mail = api.mailer.sent[0]
    assert mail.to == "reset@example.com" and "30 minutes" in mail.body
    token = _reset_token(api.mailer)
    confirm = {"token": token, "new_password": "brand-new-password"}
    assert api.client.post("/api/auth/password-reset/confirm", json=confirm).status_code == 204
    assert api.client.post("/api/auth/password-reset/confirm", json=confirm).status_code == 401
    assert api.client.get("/api/users/me", headers=api.headers(old_access)).status_code == 401
    assert api.client.post("/api/auth/refresh").status_code == 401
    api.login("reset@example.com", "brand-new-password")


def test_expired_reset_token_is_refused(settings: Settings) -> None:
    for api in _api_with(settings, password_reset_ttl_s=60):
        api.register("late@example.com")
        api.client.post("/api/auth/password-reset/request", json={"email": "late@example.com"})
        token = _reset_token(api.mailer)
        database = api.client.app.state.database  # type: ignore[attr-defined]
        api.client.portal.call(_expire_reset_tokens, database)  # type: ignore[union-attr]
        response = api.client.post(
            "/api/auth/password-reset/confirm",
            json={"token": token, "new_password": "another-password"},
        )
        assert response.status_code == 401


async def _expire_reset_tokens(database: Database) -> None:
    async with write_unit(database) as session:
        await session.execute(update(PasswordResetToken).values(expires_at=utcnow()))


def test_disabled_users_cannot_log_in(api: Api) -> None:
    api.register("root@example.com")
    admin_token = api.token
    api.client.cookies.clear()
    user = api.register("bad@example.com")["user"]
    user_token = api.token
    response = api.client.patch(
        f"/api/admin/users/{user['id']}",
        json={"is_active": False},
        headers=api.headers(admin_token),
    )
    assert response.status_code == 200
    # A session still in use is told why it stopped working (issue 17 bug 11).
    in_use = api.client.get("/api/users/me", headers=api.headers(user_token))
    assert in_use.status_code == 403 and in_use.json()["error"]["code"] == "account_disabled"
    assert "administrator" in in_use.json()["error"]["message"]
    refreshed = api.client.post("/api/auth/refresh")
    assert refreshed.status_code == 403 and refreshed.json()["error"]["code"] == "account_disabled"
    login = api.client.post(
        "/api/auth/login", json={"email": "bad@example.com", "password": "correct horse battery"}
    )
    assert login.status_code == 403 and login.json()["error"]["code"] == "account_disabled"
    assert "disabled" in login.json()["error"]["message"]


def test_api_tokens_scopes_and_revocation(api: Api) -> None:
    api.register("admin@example.com")
    api.client.cookies.clear()
    api.register("dev@example.com")
    created = api.post("/api/auth/tokens", json={"name": "ci", "scopes": ["read"]})
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("bst_")
    listed = api.get("/api/auth/tokens").json()
    assert [t["name"] for t in listed] == ["ci"] and "token" not in listed[0]
    as_token = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/providers", headers=as_token).status_code == 200
    write = api.client.post(
        "/api/prompt-templates", json={"name": "x", "user_prompt": "hi"}, headers=as_token
    )
    assert write.status_code == 403 and write.json()["error"]["code"] == "insufficient_scope"
    # Tokens cannot manage tokens or passwords: a leaked token cannot mint more.
    assert (
        api.client.post("/api/auth/tokens", json={"name": "more"}, headers=as_token).status_code
        == 403
    )
    assert api.post("/api/auth/tokens", json={"name": "x", "scopes": ["admin"]}).status_code == 403
    assert (
        api.client.delete(f"/api/auth/tokens/{listed[0]['id']}", headers=api.headers()).status_code
        == 204
    )
    assert api.client.get("/api/providers", headers=as_token).status_code == 401


def test_login_throttle_per_account_answers_429_with_retry_after(settings: Settings) -> None:
    for api in _api_with(settings, login_max_failures_per_account=3):
        api.register("target@example.com")
        bad = {"email": "target@example.com", "password": "wrong-password"}
        codes = [api.client.post("/api/auth/login", json=bad).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        blocked = api.client.post(
            "/api/auth/login",
            json={"email": "target@example.com", "password": "correct horse battery"},
        )
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) > 0


def test_login_throttle_per_ip_spans_accounts(settings: Settings) -> None:
    for api in _api_with(settings, login_max_failures_per_ip=3):
        codes = [
            api.client.post(
                "/api/auth/login", json={"email": f"u{i}@example.com", "password": "wrong-pass"}
            ).status_code
            for i in range(4)
        ]
        assert codes == [401, 401, 401, 429]


def test_throttle_survives_an_app_restart(settings: Settings) -> None:
    changed = {"login_max_failures_per_account": 2}
    for api in _api_with(settings, **changed):
        api.register("persist@example.com")
        for _ in range(2):
            api.client.post(
                "/api/auth/login", json={"email": "persist@example.com", "password": "nope-nope"}
            )
    for api in _api_with(settings, **changed):
        response = api.client.post(
            "/api/auth/login",
            json={"email": "persist@example.com", "password": "correct horse battery"},
        )
        assert response.status_code == 429


async def _stored_hash(database: Database, email: str) -> str:
    from benchstudio.accounts.models import User

    async with write_unit(database) as session:
        user = (await session.execute(select(User).where(User.email == email))).scalar_one()
        return user.password_hash


def test_login_rehashes_when_argon2_parameters_change(settings: Settings) -> None:
    for api in _api_with(settings):
        api.register("rehash@example.com")
        database = api.client.app.state.database  # type: ignore[attr-defined]
        before = api.client.portal.call(_stored_hash, database, "rehash@example.com")  # type: ignore[union-attr]
    for api in _api_with(settings, argon2_time_cost=2):
        api.login("rehash@example.com")
        database = api.client.app.state.database  # type: ignore[attr-defined]
        after = api.client.portal.call(_stored_hash, database, "rehash@example.com")  # type: ignore[union-attr]
        assert "t=1" in before and "t=2" in after
        api.login("rehash@example.com")
