"""The prompt library over the API: entries with versions, tags and filters, diffs between any
two versions, copies of built-ins, archive on delete, and built-ins nobody can change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from prompts_api import Api, app_api

from benchstudio.config import Settings
from benchstudio.prompts.domain.builtin_prompts import (
    BUILTIN_JUDGE_COMPARE,
    BUILTIN_JUDGE_REPORT,
    BUILTIN_JUDGE_VERDICT,
)

BUILTINS = [BUILTIN_JUDGE_VERDICT, BUILTIN_JUDGE_COMPARE, BUILTIN_JUDGE_REPORT]


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def _system(api: Api, name: str = "Terse", tags: list[str] | None = None) -> dict[str, Any]:
    body = {
        "kind": "system",
        "name": name,
        "description": "Short answers",
        "tags": tags or ["Style", "style", " tone "],
        "body": "You are terse.\nAnswer in {language}.\n",
        "note": "first",
    }
    created: dict[str, Any] = api.ok("POST", "/api/prompts", 201, json=body)
    return created


def test_an_entry_keeps_every_version_and_diffs_any_two(api: Api) -> None:
    api.sign_up("versions@example.com")
    entry = _system(api)
    assert entry["tags"] == ["style", "tone"]  # cleaned: trimmed, lower-cased, de-duplicated
    assert (entry["latest_version"], entry["builtin"], entry["placeholders"]) == (
        1,
        False,
        ["language"],
    )
    url = f"/api/prompts/{entry['id']}"
    second = api.ok(
        "POST", f"{url}/versions", 201, json={"body": "You are terse.\nAnswer in {lang}.\n"}
    )
    third = api.ok(
        "POST",
        f"{url}/versions",
        201,
        json={"body": "You are terse.\nAnswer in {lang}.\nNo lists.\n", "note": "no lists"},
    )
    assert (second["latest_version"], third["latest_version"]) == (2, 3)
    assert [v["version"] for v in third["versions"]] == [3, 2, 1]
    assert third["latest"]["note"] == "no lists"
    assert api.ok("GET", f"{url}/versions/1")["body"] == "You are terse.\nAnswer in {language}.\n"

    default = api.ok("GET", f"{url}/diff")  # the one before the latest against the latest
    assert (default["from_version"], default["to_version"]) == (2, 3)
    assert (default["added"], default["removed"]) == (1, 0)
    one_to_three = api.ok("GET", f"{url}/diff?from=1&to=3")
    assert (one_to_three["added"], one_to_three["removed"]) == (2, 1)
    assert "-Answer in {language}." in one_to_three["unified"]
    assert "+No lists." in one_to_three["unified"]
    ops = [(line["op"], line["text"]) for line in one_to_three["lines"]]
    assert ops == [
        ("equal", "You are terse."),
        ("delete", "Answer in {language}."),
        ("insert", "Answer in {lang}."),
        ("insert", "No lists."),
    ]
    backwards = api.ok("GET", f"{url}/diff?from=3&to=1")
    assert (backwards["added"], backwards["removed"]) == (1, 2)
    assert api.error("GET", f"{url}/diff?from=1&to=9", 404)["code"] == "not_found"
    assert api.error("GET", f"{url}/versions/4", 404)["code"] == "not_found"


def test_the_list_filters_by_kind_tag_and_words(api: Api) -> None:
    api.sign_up("filters@example.com")
    terse = _system(api, "Terse", ["style"])
    judge = api.ok(
        "POST",
        "/api/prompts",
        201,
        json={"kind": "judge", "name": "Lenient judge", "tags": ["lenient"], "body": "judge it"},
    )
    everything = [e["id"] for e in api.ok("GET", "/api/prompts")]
    assert everything[:3] == BUILTINS  # built-ins first, then newest edit first
    assert everything[3:] == [judge["id"], terse["id"]]
    judges = [e["id"] for e in api.ok("GET", "/api/prompts?kind=judge")]
    assert judges == [*BUILTINS, judge["id"]]
    assert [e["id"] for e in api.ok("GET", "/api/prompts?kind=system")] == [terse["id"]]
    assert [e["id"] for e in api.ok("GET", "/api/prompts?tag=lenient")] == [judge["id"]]
    assert [e["id"] for e in api.ok("GET", "/api/prompts?tag=verdict")] == [BUILTIN_JUDGE_VERDICT]
    assert [e["id"] for e in api.ok("GET", "/api/prompts?q=TERSE")] == [terse["id"]]
    assert api.ok("GET", "/api/prompts?kind=benchmark") == []
    assert api.call("GET", "/api/prompts?kind=poem").status_code == 422


def test_rename_tag_and_delete_archives(api: Api) -> None:
    api.sign_up("edit@example.com")
    entry = _system(api)
    url = f"/api/prompts/{entry['id']}"
    patched = api.ok("PATCH", url, json={"name": "Brief", "tags": ["a", "b"]})
    assert (patched["name"], patched["tags"], patched["description"]) == (
        "Brief",
        ["a", "b"],
        "Short answers",
    )
    assert patched["latest_version"] == 1  # metadata is not a new version
    api.ok("DELETE", url, 204)
    assert api.error("GET", url, 404)["code"] == "not_found"
    assert api.ok("GET", "/api/prompts?kind=system") == []


def test_text_is_checked_against_the_kind(api: Api) -> None:
    api.sign_up("text@example.com")
    no_body = api.error("POST", "/api/prompts", 422, json={"kind": "judge", "name": "j"})
    assert no_body["details"][0]["type"] == "empty_body"
    no_user = api.error(
        "POST", "/api/prompts", 422, json={"kind": "benchmark", "name": "b", "system_prompt": "x"}
    )
    assert no_user["details"][0]["type"] == "empty_user_prompt"
    bench = api.ok(
        "POST", "/api/prompts", 201, json={"kind": "benchmark", "name": "b", "user_prompt": "hi"}
    )
    refused = api.error(
        "POST", f"/api/prompts/{bench['id']}/versions", 422, json={"body": "not a user prompt"}
    )
    assert refused["code"] == "empty_user_prompt"
    many_tags = {"kind": "system", "name": "x", "body": "a", "tags": [f"t{i}" for i in range(21)]}
    assert api.call("POST", "/api/prompts", json=many_tags).status_code == 422


def test_built_ins_are_readable_by_everyone_and_changed_by_no_one(api: Api) -> None:
    api.sign_up("builtin@example.com")
    for entry_id in BUILTINS:
        url = f"/api/prompts/{entry_id}"
        detail = api.ok("GET", url)
        assert (detail["builtin"], detail["kind"], detail["copied_from"]) == (True, "judge", None)
        assert detail["latest"]["body"]
        assert api.ok("GET", f"{url}/versions/1")["body"] == detail["latest"]["body"]
        for method, path, body in (
            ("PATCH", url, {"name": "mine"}),
            ("DELETE", url, None),
            ("POST", f"{url}/versions", {"body": "mine"}),
        ):
            error = api.error(method, path, 403, json=body)
            assert error["code"] == "builtin_read_only"
        assert api.ok("GET", f"{url}/used-by") == []
        diff = api.ok("GET", f"{url}/diff")  # one version: compared with itself
        assert (diff["added"], diff["removed"], diff["unified"]) == (0, 0, "")


def test_copying_a_built_in_makes_an_editable_entry(api: Api) -> None:
    api.sign_up("copy@example.com")
    source = api.ok("GET", f"/api/prompts/{BUILTIN_JUDGE_VERDICT}")
    copy = api.ok("POST", f"/api/prompts/{BUILTIN_JUDGE_VERDICT}/copy", 201)
    assert copy["id"] != BUILTIN_JUDGE_VERDICT
    assert (copy["builtin"], copy["copied_from"], copy["kind"]) == (
        False,
        BUILTIN_JUDGE_VERDICT,
        "judge",
    )
    assert copy["name"] == f"Copy of {source['name']}"
    assert "built-in" not in copy["tags"]
    assert copy["latest"]["body"] == source["latest"]["body"]
    assert copy["placeholders"] == source["placeholders"]
    edited = api.ok(
        "POST",
        f"/api/prompts/{copy['id']}/versions",
        201,
        json={"body": copy["latest"]["body"] + "\nBe lenient with dates.", "note": "dates"},
    )
    assert edited["latest_version"] == 2
    named = api.ok("POST", f"/api/prompts/{copy['id']}/copy", 201, json={"name": "Mine again"})
    assert (named["name"], named["copied_from"]) == ("Mine again", copy["id"])
    assert named["latest"]["body"].endswith("Be lenient with dates.")


def test_another_users_entry_is_missing_but_built_ins_are_shared(api: Api) -> None:
    api.sign_up("owner@example.com")
    entry = _system(api)
    api.sign_up("other@example.com")
    url = f"/api/prompts/{entry['id']}"
    for method, path in (
        ("GET", url),
        ("GET", f"{url}/versions/1"),
        ("GET", f"{url}/diff"),
        ("GET", f"{url}/used-by"),
        ("POST", f"{url}/copy"),
        ("POST", f"{url}/versions"),
        ("PATCH", url),
        ("DELETE", url),
    ):
        body = {"name": "x", "body": "x"} if method != "GET" else None
        assert api.error(method, path, 404, json=body)["code"] == "not_found"
    assert [e["id"] for e in api.ok("GET", "/api/prompts")] == BUILTINS
    assert api.ok("GET", f"/api/prompts/{BUILTIN_JUDGE_VERDICT}")["builtin"] is True
