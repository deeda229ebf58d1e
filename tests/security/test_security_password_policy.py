"""Accounts policy (issue 15, item 18): NIST SP 800-63B passwords (length and a blocklist, no
composition rules) on every way to set one, and e-mails that cannot be spelled twice."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from benchstudio.accounts.domain import canonical_email, password_problem
from benchstudio.accounts.service.mailer import CapturingMailer
from benchstudio.app import create_app
from benchstudio.config import Settings

GOOD = "tres tristes tigres comen trigo"
REFUSED = [
    "12345678",
    "password1",
    "PassWord123",
    "qwertyuiop",
    "aaaaaaaaaaaa",
    "abababababab",
    "abcdefghijk",
    "9876543210",
    "my benchstudio pass",
]


@pytest.fixture
def client(settings: Settings) -> Iterator[tuple[TestClient, CapturingMailer]]:
    app = create_app(settings)
    mailer = CapturingMailer()
    app.state.mailer = mailer
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client, mailer


def _register(client: TestClient, email: str, password: str) -> int:
    body = {"email": email, "password": password}
    return client.post("/api/auth/register", json=body).status_code


@pytest.mark.parametrize("password", REFUSED)
def test_common_repeated_and_service_passwords_are_refused(
    client: tuple[TestClient, CapturingMailer], password: str
) -> None:
    response = client[0].post(
        "/api/auth/register", json={"email": "new@example.com", "password": password}
    )
    assert response.status_code == 422
    assert password not in response.text


@pytest.mark.parametrize(
    "password", ["carol.smith-2026!", "x carol.smith@example.com x", "CAROL.SMITH rules"]
)
def test_passwords_containing_the_email_are_refused(
    client: tuple[TestClient, CapturingMailer], password: str
) -> None:
    assert _register(client[0], "carol.smith@example.com", password) == 422


@pytest.mark.parametrize(
    "password", [GOOD, "correct horse battery staple", "lowercase words only here", "zq8!tv#m"]
)
def test_passphrases_pass_without_composition_rules(
    client: tuple[TestClient, CapturingMailer], password: str
) -> None:
    assert _register(client[0], "dave@example.com", password) == 201


def test_password_change_and_reset_apply_the_policy(
    client: tuple[TestClient, CapturingMailer],
) -> None:
    test_client, mailer = client
    response = test_client.post(
        "/api/auth/register", json={"email": "erin.major@example.com", "password": GOOD}
    )
    auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
    for new, code in (("password123", 422), ("erin.major-2026", 422)):
        change = test_client.post(
            "/api/auth/password",
            json={"current_password": GOOD, "new_password": new},
            headers=auth,
        )
        assert change.status_code == code, new
    assert change.json()["error"]["code"] == "weak_password"
    test_client.post("/api/auth/password-reset/request", json={"email": "erin.major@example.com"})
    match = re.search(r"token=([A-Za-z0-9_-]+)", mailer.sent[-1].body)
    assert match
    for new in ("qwertyuiop", "Erin.Major is me"):
        confirm = {"token": match.group(1), "new_password": new}
        assert test_client.post("/api/auth/password-reset/confirm", json=confirm).status_code == 422
    confirm = {"token": match.group(1), "new_password": "a far better passphrase"}
    assert test_client.post("/api/auth/password-reset/confirm", json=confirm).status_code == 204


@pytest.mark.parametrize(
    ("first", "look_alike"),
    [
        ("alice@example.com", "\uff21lice@example.com"),  # full-width A
        ("alice@example.com", "ALICE@EXAMPLE.COM"),
        ("straße@example.com", "STRASSE@example.com"),
        ("ﬁona@example.com", "fiona@example.com"),  # the "fi" ligature
    ],
)
def test_look_alike_emails_cannot_become_second_accounts(
    client: tuple[TestClient, CapturingMailer], first: str, look_alike: str
) -> None:
    test_client = client[0]
    assert _register(test_client, first, GOOD) == 201
    test_client.cookies.clear()
    assert _register(test_client, look_alike, GOOD) == 409
    login = test_client.post("/api/auth/login", json={"email": look_alike, "password": GOOD})
    assert login.status_code == 200
    assert canonical_email(first) == canonical_email(look_alike)


def test_the_policy_itself() -> None:
    assert password_problem(GOOD) is None
    assert password_problem("12345678") is not None
    assert password_problem("Fiona likes tea", "fiona@example.com") is not None
    assert password_problem("al is here okay", "al@example.com") is None  # short local part
