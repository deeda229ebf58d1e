"""Providers with vault-held keys, models with archiving, discovery and health via the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from catalog_driver import Api, SimulatorThread, app_api, running_simulator

from benchstudio.config import Environment, Settings

KEY = "sk-test-1234567890abcdefWXYZ"


def _provider(api: Api, base_url: str, **extra: object) -> dict[str, object]:
    body = {"name": "Local", "protocol": "openai", "base_url": base_url, **extra}
    result: dict[str, object] = api.ok("POST", "/api/providers", 201, json=body)
    return result


@pytest.fixture
def simulator() -> Iterator[SimulatorThread]:
    yield from running_simulator()


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


@pytest.fixture
def demo_api(settings: Settings, simulator: SimulatorThread) -> Iterator[Api]:
    changed = settings.model_copy(update={"demo_simulator_url": simulator.base_url})
    yield from app_api(changed)


def test_every_new_user_gets_the_demo_simulator(demo_api: Api, simulator: SimulatorThread) -> None:
    demo_api.sign_up("new@example.com")
    providers = demo_api.ok("GET", "/api/providers")
    assert [p["name"] for p in providers] == ["Simulator (demo)"]
    demo = providers[0]
    assert demo["is_demo"] and demo["base_url"] == simulator.base_url and not demo["has_key"]
    models = demo_api.ok("GET", "/api/models")
    assert [m["model_id"] for m in models] == [
        "benchstudio-sim",
        "benchstudio-sim-sloppy",
        "benchstudio-sim-tunable",
    ]
    health = demo_api.ok("POST", f"/api/providers/{demo['id']}/health")
    assert health["ok"] and health["model_count"] >= 1


def test_demo_simulator_works_in_production_egress_mode(
    settings: Settings, simulator: SimulatorThread
) -> None:
    changed = settings.model_copy(
        update={"demo_simulator_url": simulator.base_url, "egress_mode": "production"}
    )
    for api in app_api(changed):
        api.sign_up("prod@example.com")
        demo = api.ok("GET", "/api/providers")[0]
        assert api.ok("POST", f"/api/providers/{demo['id']}/health")["ok"]
        # The same address as a user's own provider is refused: only the demo row is allowed
        # (an IP literal is refused on save; a name resolving to it at connect time).
        literal = api.call(
            "POST", "/api/providers", json={"name": "x", "base_url": simulator.base_url}
        )
        assert literal.status_code == 400
        mine = _provider(api, simulator.base_url.replace("127.0.0.1", "localhost"))
        health = api.ok("POST", f"/api/providers/{mine['id']}/health")
        assert not health["ok"] and health["error"]["category"] == "connection"


def test_keys_are_write_only(api: Api, simulator: SimulatorThread) -> None:
    api.sign_up("keys@example.com")
    created = _provider(
        api, simulator.base_url + "/v1", api_key=KEY, extra_headers={"X-Org": "secret-org"}
    )
    assert created["has_key"] and created["key_last4"] == "WXYZ"
    assert created["extra_header_names"] == ["X-Org"]
    for response in (
        api.call("GET", f"/api/providers/{created['id']}"),
        api.call("GET", "/api/providers"),
    ):
        assert KEY not in response.text and "secret-org" not in response.text
    cleared = api.ok("DELETE", f"/api/providers/{created['id']}/key")
    assert not cleared["has_key"] and cleared["key_last4"] is None
    short = api.ok("PUT", f"/api/providers/{created['id']}/key", json={"api_key": "abc"})
    assert short["has_key"] and short["key_last4"] is None


def test_discovery_and_import(api: Api, simulator: SimulatorThread) -> None:
    api.sign_up("disco@example.com")
    provider = _provider(api, simulator.base_url)
    found = api.ok("GET", f"/api/providers/{provider['id']}/available-models")
    ids = [m["model_id"] for m in found]
    assert "benchstudio-sim" in ids and not any(m["already_added"] for m in found)
    imported = api.ok(
        "POST", f"/api/providers/{provider['id']}/import-models", 201, json={"model_ids": ids}
    )
    assert sorted(m["model_id"] for m in imported) == sorted(ids)
    again = api.ok("GET", f"/api/providers/{provider['id']}/available-models")
    assert all(m["already_added"] for m in again)


def test_unreachable_provider_reports_a_sanitised_error(api: Api) -> None:
    api.sign_up("down@example.com")
    provider = _provider(api, "http://127.0.0.1:9/v1", api_key=KEY)
    health = api.ok("POST", f"/api/providers/{provider['id']}/health")
    assert not health["ok"] and health["error"]["category"] == "connection"
    discovery = api.call("GET", f"/api/providers/{provider['id']}/available-models")
    assert discovery.status_code == 502 and KEY not in discovery.text


def test_base_url_rules(settings: Settings) -> None:
    changed = settings.model_copy(
        update={"env": Environment.PRODUCTION, "public_url": "https://bench.example.com"}
    )
    for api in app_api(changed.model_copy(update={"signup_policy": "open"})):
        api.sign_up("urls@example.com")
        for bad in ("ftp://x.example.com", "http://user:pw@x.example.com", "not a url"):
            response = api.call(
                "POST", "/api/providers", json={"name": "x", "base_url": bad, "protocol": "openai"}
            )
            assert response.status_code == 422, bad
        private = api.call(
            "POST",
            "/api/providers",
            json={"name": "x", "base_url": "http://169.254.169.254/v1", "protocol": "openai"},
        )
        assert private.status_code == 400 and private.json()["error"]["code"] == "egress_denied"


def test_renaming_a_model_archives_it_and_history_keeps_its_identity(api: Api) -> None:
    api.sign_up("models@example.com")
    provider = _provider(api, "http://127.0.0.1:1/v1")
    model = api.ok(
        "POST",
        "/api/models",
        201,
        json={
            "provider_id": provider["id"],
            "model_id": "m-1",
            "display_name": "Model One",
            "input_price": "1.5",
            "context_window": 8192,
        },
    )
    profile = api.ok(
        "POST", "/api/model-profiles", 201, json={"name": "cool", "model_ref_id": model["id"]}
    )
    edited = api.ok("PATCH", f"/api/models/{model['id']}", json={"notes": "fast"})
    assert edited["id"] == model["id"] and edited["notes"] == "fast"
    renamed = api.ok("PATCH", f"/api/models/{model['id']}", json={"display_name": "Model 1"})
    assert renamed["id"] != model["id"] and renamed["display_name"] == "Model 1"
    assert Decimal(renamed["input_price"]) == Decimal("1.5") and renamed["notes"] == "fast"
    old = api.ok("GET", f"/api/models/{model['id']}")
    assert old["display_name"] == "Model One" and old["archived_at"]
    assert old["replaced_by_id"] == renamed["id"]
    listed = [m["id"] for m in api.ok("GET", "/api/models")]
    assert renamed["id"] in listed and model["id"] not in listed
    everything = [m["id"] for m in api.ok("GET", "/api/models?include_archived=true")]
    assert model["id"] in everything
    assert api.ok("GET", f"/api/model-profiles/{profile['id']}")["model_ref_id"] == renamed["id"]
    assert api.call("PATCH", f"/api/models/{model['id']}", json={"notes": "x"}).status_code == 409
    assert api.call("DELETE", f"/api/models/{renamed['id']}").status_code == 204
    assert api.ok("GET", f"/api/models/{renamed['id']}")["archived_at"]


def test_archiving_a_provider_archives_models_and_erases_its_key(api: Api) -> None:
    api.sign_up("arch@example.com")
    provider = _provider(api, "http://127.0.0.1:1/v1", api_key=KEY)
    api.ok("POST", "/api/models", 201, json={"provider_id": provider["id"], "model_id": "m"})
    assert api.call("DELETE", f"/api/providers/{provider['id']}").status_code == 204
    archived = api.ok("GET", f"/api/providers/{provider['id']}")
    assert archived["archived"] and not archived["has_key"]
    assert all(p["id"] != provider["id"] for p in api.ok("GET", "/api/providers"))
    assert api.ok("GET", f"/api/models?provider_id={provider['id']}") == []
    health = api.call("POST", f"/api/providers/{provider['id']}/health")
    assert health.status_code == 409


def test_templates_profiles_and_defaults(api: Api) -> None:
    api.sign_up("presets@example.com")
    template = api.ok(
        "POST",
        "/api/prompt-templates",
        201,
        json={"name": "t", "system_prompt": "be brief", "user_prompt": "hello"},
    )
    replaced = api.ok(
        "PUT", f"/api/prompt-templates/{template['id']}", json={"name": "t2", "user_prompt": "hi"}
    )
    assert replaced["name"] == "t2" and replaced["system_prompt"] == ""
    profile = api.ok(
        "POST",
        "/api/model-profiles",
        201,
        json={"name": "creative", "params": {"temperature": 1.2, "stop": ["x"]}},
    )
    defaults = api.ok(
        "PUT",
        "/api/defaults",
        json={"profile_id": profile["id"], "prompt_template_id": template["id"]},
    )
    assert defaults["profile_id"] == profile["id"]
    assert api.ok("GET", "/api/defaults")["prompt_template_id"] == template["id"]
    assert api.call("DELETE", f"/api/prompt-templates/{template['id']}").status_code == 204
    assert api.ok("GET", "/api/defaults")["prompt_template_id"] is None
    missing = api.call("PUT", "/api/defaults", json={"profile_id": "nope"})
    assert missing.status_code == 404
