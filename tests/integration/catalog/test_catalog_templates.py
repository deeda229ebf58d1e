"""Prompt templates need a user prompt (issue 17, bug 8): saving one without it is a 422 that
names the field in plain words; a template stored before that rule still loads and says why it
cannot be used."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from catalog_driver import Api, app_api
from sqlalchemy import update

from benchstudio.catalog.models import PromptTemplate
from benchstudio.config import Settings
from benchstudio.storage.engine import Database

PLAIN = "Write the user prompt: it is the message sent to the model."


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def _refusal(api: Api, method: str, path: str, body: dict[str, str]) -> dict[str, object]:
    response = api.call(method, path, json=body)
    assert response.status_code == 422, response.text
    error: dict[str, object] = response.json()["error"]
    return error


def test_a_template_without_a_user_prompt_is_refused_next_to_the_field(api: Api) -> None:
    api.sign_up("templates@example.com")
    for body in ({"name": "t"}, {"name": "t", "system_prompt": "be brief", "user_prompt": "  "}):
        error = _refusal(api, "POST", "/api/prompt-templates", body)
        assert error["details"] == [
            {"loc": ["body", "user_prompt"], "msg": PLAIN, "type": "empty_user_prompt"}
        ]
    assert api.ok("GET", "/api/prompt-templates") == []
    saved = api.ok("POST", "/api/prompt-templates", 201, json={"name": "t", "user_prompt": "hi"})
    assert saved["problem"] is None
    error = _refusal(api, "PUT", f"/api/prompt-templates/{saved['id']}", {"name": "t2"})
    assert error["details"][0]["loc"] == ["body", "user_prompt"]  # type: ignore[index]
    assert api.ok("GET", f"/api/prompt-templates/{saved['id']}")["user_prompt"] == "hi"


async def _blank_user_prompt(database: Database, template_id: str) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            update(PromptTemplate).where(PromptTemplate.id == template_id).values(user_prompt="")
        )


def test_a_stored_template_without_a_user_prompt_still_loads_and_says_why(api: Api) -> None:
    api.sign_up("old-templates@example.com")
    saved = api.ok("POST", "/api/prompt-templates", 201, json={"name": "old", "user_prompt": "x"})
    database: Database = api.client.app.state.database  # type: ignore[attr-defined]
    api.client.portal.call(_blank_user_prompt, database, saved["id"])  # type: ignore[union-attr]
    [listed] = api.ok("GET", "/api/prompt-templates")
    assert listed["user_prompt"] == ""
    assert listed["problem"].startswith("This template has no user prompt.")
    assert api.ok("GET", f"/api/prompt-templates/{saved['id']}")["problem"] == listed["problem"]
