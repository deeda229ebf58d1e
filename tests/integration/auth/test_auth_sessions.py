"""Register, login, refresh rotation, logout, password change: through the API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from auth_driver import Api, open_api

from benchstudio.config import Settings


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from open_api(settings)


def test_first_user_is_admin_and_register_signs_in(api: Api) -> None:
    body = api.register("first@example.com")
    assert body["user"]["role"] == "admin" and body["token_type"] == "bearer"
    assert 0 < body["expires_in"] <= 900
    assert "bs_refresh" in api.client.cookies
    me = api.get("/api/users/me")
    assert me.status_code == 200 and me.json()["email"] == "first@example.com"
    second = Api(api.client, api.mailer)
    api.client.cookies.clear()
    assert second.register("second@example.com")["user"]["role"] == "user"


def test_refresh_cookie_flags(api: Api) -> None:
    response = api.client.post(
        "/api/auth/register", json={"email": "c@example.com", "password": "plain-sailing-words"}
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/api/auth" in cookie


def test_long_and_non_ascii_passwords_work(api: Api) -> None:
    long_password = ("über Brücken und Straßen " * 125)[:3000]
    api.register("long@example.com", long_password)
    api.login("long@example.com", long_password)
    composed, decomposed = "pässwörd-ñ-😀", "pa\u0308sswo\u0308rd-n\u0303-😀"
    api.client.cookies.clear()
    api.register("nfc@example.com", composed)
    api.login("nfc@example.com", decomposed)


def test_wrong_password_and_unknown_email_look_the_same(api: Api) -> None:
    api.register("known@example.com")
    wrong = api.client.post(
        "/api/auth/login", json={"email": "known@example.com", "password": "nope-nope"}
    )
    unknown = api.client.post(
        "/api/auth/login", json={"email": "nobody@example.com", "password": "nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]


def test_refresh_rotates_and_old_access_token_still_valid(api: Api) -> None:
    api.register("r@example.com")
    first_cookie = api.client.cookies["bs_refresh"]
    response = api.client.post("/api/auth/refresh")
    assert response.status_code == 200
    assert api.client.cookies["bs_refresh"] != first_cookie
    assert api.get("/api/users/me").status_code == 200
    new_token = response.json()["access_token"]
    assert api.client.get("/api/users/me", headers=api.headers(new_token)).status_code == 200


def test_logout_ends_the_session(api: Api) -> None:
    api.register("l@example.com")
    cookie = api.client.cookies["bs_refresh"]
    assert api.client.post("/api/auth/logout").status_code == 204
    api.use_cookie(cookie)
    assert api.client.post("/api/auth/refresh").status_code == 401


def test_logout_all_revokes_access_tokens_too(api: Api) -> None:
    api.register("everywhere@example.com")
    other = api.client.post(
        "/api/auth/login",
        json={"email": "everywhere@example.com", "password": "correct horse battery"},
    ).json()["access_token"]
    assert api.post("/api/auth/logout-all").status_code == 204
    assert api.get("/api/users/me").status_code == 401
    assert api.client.get("/api/users/me", headers=api.headers(other)).status_code == 401


def test_password_change_revokes_other_sessions(api: Api) -> None:
    api.register("p@example.com", "old-password-1")
    stale_access = api.token
    stale_cookie = api.client.cookies["bs_refresh"]
    response = api.post(
        "/api/auth/password",
        json={"current_password": "old-password-1", "new_password": "new-password-2"},
    )
    assert response.status_code == 200
    fresh = response.json()["access_token"]
    assert api.client.get("/api/users/me", headers=api.headers(stale_access)).status_code == 401
    assert api.client.get("/api/users/me", headers=api.headers(fresh)).status_code == 200
    jar_cookie = api.client.cookies["bs_refresh"]
    api.use_cookie(stale_cookie)
    assert api.client.post("/api/auth/refresh").status_code == 401
    api.use_cookie(jar_cookie)
    assert api.client.post("/api/auth/refresh").status_code == 200
    assert (
        api.client.post(
            "/api/auth/login", json={"email": "p@example.com", "password": "old-password-1"}
        ).status_code
        == 401
    )
    api.login("p@example.com", "new-password-2")


def test_wrong_current_password_is_refused(api: Api) -> None:
    api.register("w@example.com")
    response = api.post(
        "/api/auth/password", json={"current_password": "wrong-one", "new_password": "whatever-2"}
    )
    assert response.status_code == 403
