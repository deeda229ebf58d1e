"""`/api/prompt-templates` is a hidden alias of the library's benchmark entries with its old
shapes: a template needs a user prompt (issue 17, bug 8), a PUT writes a new version, a stored
template without a user prompt still loads and says why, the audit log keeps `template.*`,
and the user's default template must be their own benchmark entry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prompts_api import Api, app_api
from sqlalchemy import update

from benchstudio.config import Settings
from benchstudio.prompts.models import PromptVersion
from benchstudio.storage.engine import Database

PLAIN = "Write the user prompt: it is the message sent to the model."


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def test_a_template_without_a_user_prompt_is_refused_next_to_the_field(api: Api) -> None:
    api.sign_up("templates@example.com")
    for body in ({"name": "t"}, {"name": "t", "system_prompt": "be brief", "user_prompt": "  "}):
        error = api.error("POST", "/api/prompt-templates", 422, json=body)
        assert error["details"] == [
            {"loc": ["body", "user_prompt"], "msg": PLAIN, "type": "empty_user_prompt"}
        ]
    assert api.ok("GET", "/api/prompt-templates") == []
    saved = api.ok("POST", "/api/prompt-templates", 201, json={"name": "t", "user_prompt": "hi"})
    assert saved["problem"] is None
    error = api.error("PUT", f"/api/prompt-templates/{saved['id']}", 422, json={"name": "t2"})
    assert error["details"][0]["loc"] == ["body", "user_prompt"]
    assert api.ok("GET", f"/api/prompt-templates/{saved['id']}")["user_prompt"] == "hi"


def test_the_alias_keeps_its_shapes_and_writes_versions(api: Api) -> None:
    api.sign_up("alias@example.com")
    first = api.ok(
        "POST",
        "/api/prompt-templates",
        201,
        json={"name": "A", "description": "d", "system_prompt": "sys", "user_prompt": "one"},
    )
    assert set(first) == {
        "id",
        "name",
        "description",
        "system_prompt",
        "user_prompt",
        "created_at",
        "updated_at",
        "problem",
    }
    second = api.ok("POST", "/api/prompt-templates", 201, json={"name": "B", "user_prompt": "b"})
    assert [t["id"] for t in api.ok("GET", "/api/prompt-templates")] == [first["id"], second["id"]]
    url = f"/api/prompt-templates/{first['id']}"
    replaced = api.ok("PUT", url, json={"name": "A2", "system_prompt": "sys", "user_prompt": "two"})
    assert (replaced["name"], replaced["user_prompt"], replaced["description"]) == ("A2", "two", "")
    renamed = api.ok("PUT", url, json={"name": "A3", "system_prompt": "sys", "user_prompt": "two"})
    assert renamed["name"] == "A3"
    entry = api.ok("GET", f"/api/prompts/{first['id']}")  # the same id in the library
    assert (entry["kind"], entry["name"], entry["latest_version"]) == ("benchmark", "A3", 2)
    diff = api.ok("GET", f"/api/prompts/{first['id']}/diff?from=1&to=2")
    assert "-one" in diff["unified"] and "+two" in diff["unified"]
    # Only benchmark entries are templates.
    judge = api.ok("POST", "/api/prompts", 201, json={"kind": "judge", "name": "j", "body": "x"})
    assert api.error("GET", f"/api/prompt-templates/{judge['id']}", 404)["code"] == "not_found"
    assert len(api.ok("GET", "/api/prompt-templates")) == 2
    schema = api.ok("GET", "/api/openapi.json")
    assert "/api/prompts" in schema["paths"]
    assert not any(p.startswith("/api/prompt-templates") for p in schema["paths"])
    api.ok("DELETE", url, 204)
    assert api.error("GET", url, 404)["code"] == "not_found"
    assert [t["id"] for t in api.ok("GET", "/api/prompt-templates")] == [second["id"]]


def test_defaults_take_only_the_owners_benchmark_prompt(api: Api) -> None:
    api.sign_up("defaults-owner@example.com")
    theirs = api.ok("POST", "/api/prompt-templates", 201, json={"name": "t", "user_prompt": "x"})
    api.sign_up("defaults@example.com")
    mine = api.ok(
        "POST", "/api/prompts", 201, json={"kind": "benchmark", "name": "m", "user_prompt": "y"}
    )
    judge = api.ok("POST", "/api/prompts", 201, json={"kind": "judge", "name": "j", "body": "z"})
    for refused in (theirs["id"], judge["id"], "builtin-judge-verdict", "nope"):
        error = api.error("PUT", "/api/defaults", 404, json={"prompt_template_id": refused})
        assert error["message"] == "No such prompt template."
    assert (
        api.ok("PUT", "/api/defaults", json={"prompt_template_id": mine["id"]})[
            "prompt_template_id"
        ]
        == (mine["id"])
    )
    api.ok("DELETE", f"/api/prompts/{mine['id']}", 204)  # archived: no longer the default
    assert api.ok("GET", "/api/defaults")["prompt_template_id"] is None


async def _blank_user_prompt(database: Database, entry_id: str) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            update(PromptVersion).where(PromptVersion.entry_id == entry_id).values(user_prompt="")
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
