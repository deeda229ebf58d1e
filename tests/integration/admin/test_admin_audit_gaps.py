"""Audit gaps (issue 17 bug 14): template, profile and token creation are audited, every entry
carries the client's address, and the log filters by the actor's e-mail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from admin_driver import Api
from fastapi.testclient import TestClient

from benchstudio.app import create_app
from benchstudio.config import Settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def test_creations_are_audited_with_the_ip_and_filtered_by_actor_email(
    client: TestClient,
) -> None:
    admin = Api(client).sign_up("admin@example.com")
    member = Api(client).sign_up("member@example.com")
    template = member.ok(
        "POST", "/api/prompt-templates", 201, json={"name": "t", "user_prompt": "hi"}
    )
    models = member.ok("GET", "/api/models")
    profile = member.ok(
        "POST",
        "/api/parameter-sets",
        201,
        json={"name": "p", "model_ref_id": models[0]["id"]},
    )
    token = member.ok("POST", "/api/auth/tokens", 201, json={"name": "ci", "scopes": ["read"]})

    mine = admin.ok("GET", "/api/admin/audit?actor_email=MEMBER@")["items"]
    assert mine and {e["actor_id"] for e in mine} == {member.user["id"]}
    by_action = {e["action"]: e for e in mine}
    assert by_action["template.created"]["target"] == template["id"]
    assert by_action["parameter_set.created"]["target"] == profile["id"]
    assert by_action["api_token.created"]["target"] == token["id"]
    assert all(e["ip"] == "testclient" for e in mine), mine
    nobody = admin.ok("GET", "/api/admin/audit?actor_email=nobody@")["items"]
    assert nobody == []
    assert admin.ok("GET", "/api/admin/audit?actor_email=admin@")["items"]
