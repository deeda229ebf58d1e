"""The tuner library's setup routes: saved search-space presets (owner-scoped, unique names,
shape-checked spaces), the space check against a provider and model, the vendor presets, and
the "tuning" feature flag."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tuning_library_driver import Api, app_api

from benchstudio.config import Settings
from benchstudio.tuning.domain.presets import BUILTIN_PRESETS

SPACE = {
    "dimensions": [
        {"kind": "range", "name": "temperature", "low": 0.2, "high": 1.0, "step": 0.2},
        {"kind": "choice", "name": "top_k", "choices": [20, 40]},
    ],
    "repeats": 2,
}


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    return error


def test_presets_are_saved_renamed_replaced_and_deleted(api: Api) -> None:
    api.sign_up("alice@example.com")
    created = api.ok(
        "POST",
        "/api/tuning/presets",
        201,
        json={"name": "Sampling", "description": "temperature and top_k", "space": SPACE},
    )
    assert created["name"] == "Sampling" and created["description"] == "temperature and top_k"
    # Stored in the domain's canonical form: defaults spelled out, values as given.
    (temperature, top_k) = created["space"]["dimensions"]
    assert temperature["low"] == 0.2 and temperature["step"] == 0.2
    assert temperature["scale"] == "linear" and temperature["integer"] is False
    assert top_k["choices"] == [20, 40] and created["space"]["repeats"] == 2

    second = api.ok(
        "POST",
        "/api/tuning/presets",
        201,
        json={"name": "another", "space": {"dimensions": [SPACE["dimensions"][0]]}},
    )
    listed = api.ok("GET", "/api/tuning/presets")
    assert [p["name"] for p in listed] == ["another", "Sampling"]  # by name, case folded

    renamed = api.ok("PATCH", f"/api/tuning/presets/{created['id']}", json={"name": "Sampling v2"})
    assert renamed["name"] == "Sampling v2" and renamed["space"] == created["space"]
    assert renamed["updated_at"] >= created["updated_at"]
    replaced = api.ok(
        "PATCH",
        f"/api/tuning/presets/{created['id']}",
        json={"space": {"dimensions": [SPACE["dimensions"][1]], "repeats": 1}},
    )
    assert [d["name"] for d in replaced["space"]["dimensions"]] == ["top_k"]
    assert replaced["name"] == "Sampling v2" and replaced["description"] == "temperature and top_k"
    assert api.ok("GET", f"/api/tuning/presets/{created['id']}") == replaced

    api.ok("DELETE", f"/api/tuning/presets/{second['id']}", 204)
    assert [p["id"] for p in api.ok("GET", "/api/tuning/presets")] == [created["id"]]
    _error(api.call("GET", f"/api/tuning/presets/{second['id']}"), 404, "not_found")


def test_a_name_is_unique_per_owner_with_a_clear_409(api: Api) -> None:
    alice = api.sign_up("alice@example.com").token
    first = api.ok("POST", "/api/tuning/presets", 201, json={"name": "Mine", "space": SPACE})
    other = api.ok("POST", "/api/tuning/presets", 201, json={"name": "Other", "space": SPACE})

    error = _error(
        api.call("POST", "/api/tuning/presets", json={"name": "Mine", "space": SPACE}),
        409,
        "preset_name_taken",
    )
    assert "'Mine'" in error["message"] and "another name" in error["message"]
    _error(
        api.call("PATCH", f"/api/tuning/presets/{other['id']}", json={"name": "Mine"}),
        409,
        "preset_name_taken",
    )
    # Keeping one's own name is no clash.
    api.ok("PATCH", f"/api/tuning/presets/{first['id']}", json={"name": "Mine"})

    # Another user may use the same name, and sees none of Alice's presets.
    api.sign_up("bob@example.com")
    assert api.ok("GET", "/api/tuning/presets") == []
    bobs = api.ok("POST", "/api/tuning/presets", 201, json={"name": "Mine", "space": SPACE})
    assert bobs["id"] != first["id"]
    assert [p["id"] for p in api.as_user(alice).ok("GET", "/api/tuning/presets")] == [
        first["id"],
        other["id"],
    ]


@pytest.mark.parametrize(
    ("space", "fragment"),
    [
        ({"dimensions": []}, "at least one parameter"),
        (
            {"dimensions": [{"kind": "range", "name": "temperature", "low": 1.0, "high": 0.5}]},
            "temperature",
        ),
        ({"dimensions": [{"kind": "choice", "name": "seed", "choices": [1, 2]}]}, "seed"),
        (
            {
                "dimensions": [
                    {"kind": "range", "name": "top_p", "low": 0.5, "high": 1.0},
                    {"kind": "range", "name": "top_p", "low": 0.6, "high": 1.0},
                ]
            },
            "twice",
        ),
    ],
)
def test_a_space_that_could_never_run_is_refused_with_422(
    api: Api, space: dict[str, Any], fragment: str
) -> None:
    api.sign_up("alice@example.com")
    response = api.call("POST", "/api/tuning/presets", json={"name": "Bad", "space": space})
    error = _error(response, 422, "invalid_search_space")
    assert fragment in error["message"]
    good = api.ok("POST", "/api/tuning/presets", 201, json={"name": "Good", "space": SPACE})
    response = api.call("PATCH", f"/api/tuning/presets/{good['id']}", json={"space": space})
    _error(response, 422, "invalid_search_space")
    assert api.ok("GET", f"/api/tuning/presets/{good['id']}")["space"] == good["space"]
    assert len(api.ok("GET", "/api/tuning/presets")) == 1


def test_another_users_preset_answers_404_and_stays(api: Api) -> None:
    alice = api.sign_up("alice@example.com").token
    mine = api.ok("POST", "/api/tuning/presets", 201, json={"name": "Mine", "space": SPACE})
    bob = api.sign_up("bob@example.com")
    url = f"/api/tuning/presets/{mine['id']}"
    _error(bob.call("GET", url), 404, "not_found")
    _error(bob.call("PATCH", url, json={"name": "Stolen"}), 404, "not_found")
    _error(bob.call("DELETE", url), 404, "not_found")
    assert api.as_user(alice).ok("GET", url) == mine


def test_the_tuning_feature_is_announced(api: Api) -> None:
    assert "tuning" in api.client.get("/api/meta").json()["features"]


def test_vendor_presets_all_or_those_applying_to_a_model(api: Api) -> None:
    api.sign_up("alice@example.com")
    every = api.ok("GET", "/api/tuning/vendor-presets")
    assert [p["id"] for p in every] == [p.id for p in BUILTIN_PRESETS]
    qwen = api.ok("GET", "/api/tuning/vendor-presets", params={"model": "Qwen/Qwen3-8B"})
    assert [p["id"] for p in qwen] == ["qwen3-thinking", "qwen3-non-thinking"]
    (first,) = [p for p in every if p["id"] == "qwen3-thinking"]
    assert first["recommended"] == {"temperature": 0.6, "top_p": 0.95, "top_k": 20, "min_p": 0.0}
    assert first["source"].startswith("https://huggingface.co/Qwen/")
    assert [d["name"] for d in first["dimensions"]] == ["temperature", "top_p", "top_k", "min_p"]
    assert api.ok("GET", "/api/tuning/vendor-presets", params={"model": "gpt-4o"}) == []
    anonymous = api.client.get("/api/tuning/vendor-presets")
    assert anonymous.status_code == 401


def _provider(api: Api, name: str, models: list[str]) -> tuple[str, dict[str, str]]:
    """A provider (nothing listens: the check never calls it) and catalog models on it."""
    body = {"name": name, "protocol": "openai", "base_url": "http://127.0.0.1:1/v1"}
    provider = api.ok("POST", "/api/providers", 201, json=body)["id"]
    ids = {}
    for model in models:
        body = {"provider_id": provider, "model_id": model}
        ids[model] = api.ok("POST", "/api/models", 201, json=body)["id"]
    return provider, ids


def test_the_space_check_shows_the_space_as_it_would_run(api: Api) -> None:
    api.sign_up("alice@example.com")
    provider, models = _provider(api, "Local server", ["good", "o3-mini"])
    space = {
        "dimensions": [
            {"kind": "range", "name": "temperature", "low": 0.2, "high": 3.0, "step": 0.2},
            {"kind": "choice", "name": "top_k", "choices": [20, 40]},
        ]
    }
    # By catalog id, by the provider's model name, and an ad-hoc id: the same table.
    for model_id in (models["good"], "good", "unlisted-model"):
        target = {"provider_id": provider, "model_id": model_id}
        checked = api.ok("POST", "/api/tuning/space/check", json={"target": target, "space": space})
        assert checked["provider"] == "openai"
        assert checked["model"] == ("good" if model_id != "unlisted-model" else model_id)
        (temperature,) = checked["dimensions"]
        assert (temperature["low"], temperature["high"]) == (0.2, 2.0)
        actions = {a["param"]: a for a in checked["adjustments"]}
        assert actions["temperature"]["action"] == "clamp"
        assert actions["temperature"]["original"] == [0.2, 3.0]
        assert actions["top_k"]["action"] == "drop"
        assert checked["grid_size"] == 10  # 0.2, 0.4, ... 2.0

    # A provider known by name gets its own table (Groq has no top_k either, but its own
    # temperature range).
    groq, _ = _provider(api, "Groq", [])
    target = {"provider_id": groq, "model_id": "llama-3.3-70b-versatile"}
    checked = api.ok("POST", "/api/tuning/space/check", json={"target": target, "space": space})
    assert checked["provider"] == "groq"

    # Nothing left for a reasoning model: 422 naming why, with the registry's adjustments.
    target = {"provider_id": provider, "model_id": models["o3-mini"]}
    only_temperature = {"dimensions": [space["dimensions"][0]]}
    response = api.call(
        "POST", "/api/tuning/space/check", json={"target": target, "space": only_temperature}
    )
    error = _error(response, 422, "invalid_search_space")
    assert "nothing left to search" in error["message"]
    assert error["details"][0]["param"] == "temperature"

    # Shape errors come first, whatever the model.
    bad = {"dimensions": [{"kind": "range", "name": "top_p", "low": 1.0, "high": 0.1}]}
    target = {"provider_id": provider, "model_id": "good"}
    response = api.call("POST", "/api/tuning/space/check", json={"target": target, "space": bad})
    _error(response, 422, "invalid_search_space")

    # Another user's provider or model: 404 like a missing one.
    bob = api.sign_up("bob@example.com")
    for target in (
        {"provider_id": provider, "model_id": "good"},
        {"provider_id": provider, "model_id": models["good"]},
    ):
        response = bob.call(
            "POST", "/api/tuning/space/check", json={"target": target, "space": space}
        )
        _error(response, 404, "not_found")
    bobs, _ = _provider(bob, "Bob's", [])
    target = {"provider_id": bobs, "model_id": models["good"]}  # Alice's model id, Bob's provider
    checked = bob.ok("POST", "/api/tuning/space/check", json={"target": target, "space": space})
    assert checked["model"] == models["good"]  # an ad-hoc id to Bob: nothing of Alice's shows
