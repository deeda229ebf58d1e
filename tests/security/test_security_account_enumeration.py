"""Account enumeration (issue 15, item 4): on invite-only servers register answers alike whether
or not the email has an account; reset-request answers alike and mails after the answer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from benchstudio.accounts.service.mailer import CapturingMailer, OutgoingMail
from benchstudio.app import create_app
from benchstudio.config import Settings

PASSWORD = "enumeration-password-1"
MEMBER = "member@example.com"
STRANGER = "stranger@example.com"


class AnswerWatch:
    """Outermost ASGI wrapper: knows whether the current request's answer has been sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.answered = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.answered = False

        async def watched(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.answered = True

        await self.app(scope, receive, watched)


@dataclass
class OrderedMailer(CapturingMailer):
    """Records, for each mail, whether the request had already been answered."""

    watch: AnswerWatch | None = None
    after_answer: list[bool] = field(default_factory=list)

    async def send(self, mail: OutgoingMail) -> None:
        assert self.watch is not None
        self.after_answer.append(self.watch.answered)
        await super().send(mail)


@dataclass
class Server:
    client: TestClient
    mailer: OrderedMailer

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body)


def _server(settings: Settings, **changes: object) -> Iterator[Server]:
    app = create_app(settings.model_copy(update=changes))
    watch = AnswerWatch(app)
    mailer = OrderedMailer(watch=watch)
    app.state.mailer = mailer
    with TestClient(watch, raise_server_exceptions=False) as client:
        yield Server(client, mailer)


@pytest.fixture
def invite_only(settings: Settings) -> Iterator[tuple[Server, list[str]]]:
    """An invite-only server with a member account and three unbound invite codes."""
    for opener in _server(settings, signup_policy="open"):
        admin = opener.post(
            "/api/auth/register", {"email": "admin@example.com", "password": PASSWORD}
        )
        assert admin.status_code == 201
        auth = {"Authorization": f"Bearer {admin.json()['access_token']}"}
        opener.client.cookies.clear()
        assert (
            opener.post("/api/auth/register", {"email": MEMBER, "password": PASSWORD}).status_code
            == 201
        )
        codes = [
            opener.client.post("/api/admin/invites", json={}, headers=auth).json()["code"]
            for _ in range(3)
        ]
    for server in _server(settings, signup_policy="invite"):
        server.client.cookies.clear()
        yield server, codes


def _comparable(response: Any) -> tuple[int, Any]:
    body = response.json() if response.content else None
    if isinstance(body, dict) and "error" in body:
        body = {**body, "error": {**body["error"], "request_id": None}}
    return response.status_code, body


def test_a_bogus_invite_answers_alike_for_taken_and_free_emails(
    invite_only: tuple[Server, list[str]],
) -> None:
    server, _ = invite_only
    answers = [
        _comparable(
            server.post(
                "/api/auth/register",
                {"email": email, "password": PASSWORD, "invite_code": code},
            )
        )
        for code in ("inv_bogus", "inv_" + "x" * 40)
        for email in (MEMBER, STRANGER)
    ]
    assert answers[0][0] == 403
    assert answers[0][1]["error"]["code"] == "invalid_invite"
    assert all(answer == answers[0] for answer in answers)
    assert server.mailer.sent == []


def test_a_valid_invite_answers_alike_and_mails_after_the_answer(
    invite_only: tuple[Server, list[str]],
) -> None:
    server, codes = invite_only
    taken = server.post(
        "/api/auth/register",
        {"email": MEMBER, "password": "other-password-9", "invite_code": codes[0]},
    )
    server.client.cookies.clear()
    free = server.post(
        "/api/auth/register", {"email": STRANGER, "password": PASSWORD, "invite_code": codes[1]}
    )
    assert _comparable(taken) == _comparable(free)
    assert taken.status_code == 202 and taken.json()["status"] == "check_email"
    assert "access_token" not in taken.text and "bs_refresh" not in taken.headers.get(
        "set-cookie", ""
    )
    assert [mail.to for mail in server.mailer.sent] == [MEMBER, STRANGER]
    assert "already has an account" in server.mailer.sent[0].body
    assert server.mailer.after_answer == [True, True]
    # The owner's account is untouched; the new one signs in; the taken-email attempt used its
    # invite up (one probe per invite).
    login = server.post("/api/auth/login", {"email": MEMBER, "password": PASSWORD})
    assert login.status_code == 200
    assert (
        server.post("/api/auth/login", {"email": STRANGER, "password": PASSWORD}).status_code == 200
    )
    again = server.post(
        "/api/auth/register",
        {"email": "third@example.com", "password": PASSWORD, "invite_code": codes[0]},
    )
    assert again.status_code == 403


def test_reset_request_answers_alike_and_mails_after_the_answer(
    invite_only: tuple[Server, list[str]],
) -> None:
    server, _ = invite_only
    known = server.post("/api/auth/password-reset/request", {"email": MEMBER})
    unknown = server.post("/api/auth/password-reset/request", {"email": STRANGER})
    assert _comparable(known) == _comparable(unknown) == (202, None)
    assert sorted(known.headers.keys()) == sorted(unknown.headers.keys())
    assert [mail.to for mail in server.mailer.sent] == [MEMBER]
    assert server.mailer.after_answer == [True]


def test_reset_requests_do_not_flood_a_mailbox(invite_only: tuple[Server, list[str]]) -> None:
    server, _ = invite_only
    answers = {
        server.post("/api/auth/password-reset/request", {"email": MEMBER}).status_code
        for _ in range(6)
    }
    assert answers == {202}
    assert len(server.mailer.sent) == 3
