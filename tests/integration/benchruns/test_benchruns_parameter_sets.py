"""Parameter sets through the API: values validated by the provider registry (422 at the
field), the old `/api/model-profiles` alias, and a set applied to benchmark targets with the
benchmark's explicit parameters winning, shown in the preview, stored with the run, kept by a
re-run, and refused when it belongs to another user."""

from __future__ import annotations

from typing import Any

from benchruns_driver import Api


def _demo_model(api: Api) -> dict[str, Any]:
    target = api.demo_target()
    models = api.ok("GET", f"/api/models?provider_id={target['provider_id']}")
    return next(m for m in models if m["model_id"] == target["model_id"])


def test_a_bad_value_is_refused_at_its_field_with_the_registrys_message(api: Api) -> None:
    api.sign_up("sets-validate@example.com")
    response = api.call(
        "POST", "/api/parameter-sets", json={"name": "bad", "params": {"top_p": "not-a-number"}}
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"] == [
        {"loc": ["body", "params", "top_p"], "msg": "Expected float.", "type": "invalid_param"}
    ]
    # For a model, its provider's table decides (OpenAI-compatible: temperature 0 to 2).
    model = _demo_model(api)
    body = {"name": "hot", "model_ref_id": model["id"], "params": {"temperature": 3}}
    response = api.call("POST", "/api/parameter-sets", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["msg"] == "Allowed range is 0 to 2."
    assert api.ok("GET", "/api/parameter-sets") == []


def test_the_old_model_profiles_path_is_an_alias(api: Api) -> None:
    api.sign_up("sets-alias@example.com")
    created = api.ok(
        "POST", "/api/model-profiles", 201, json={"name": "old", "params": {"top_p": 0.5}}
    )
    assert api.ok("GET", f"/api/parameter-sets/{created['id']}") == created
    assert api.ok("GET", "/api/model-profiles") == api.ok("GET", "/api/parameter-sets")
    bad = api.call(
        "PUT", f"/api/model-profiles/{created['id']}", json={"name": "x", "params": {"top_p": "y"}}
    )
    assert bad.status_code == 422
    defaults = api.ok("PUT", "/api/defaults", json={"profile_id": created["id"]})
    assert defaults["parameter_set_id"] == defaults["profile_id"] == created["id"]
    schema = api.ok("GET", "/api/openapi.json")
    assert "/api/parameter-sets" in schema["paths"]
    assert "/api/model-profiles" not in schema["paths"]
    api.ok("DELETE", f"/api/model-profiles/{created['id']}", 204)
    assert api.ok("GET", "/api/parameter-sets") == []


def test_parameter_specs_follow_the_model(api: Api) -> None:
    api.sign_up("sets-specs@example.com")
    specs = {s["name"]: s for s in api.ok("GET", "/api/parameter-specs")}
    assert (specs["temperature"]["min"], specs["temperature"]["max"]) == (0, 2)
    model = _demo_model(api)
    mine = {s["name"]: s for s in api.ok("GET", f"/api/parameter-specs?model_ref_id={model['id']}")}
    assert mine["top_p"]["type"] == "float"


def test_a_set_applies_under_explicit_parameters_and_is_stored_with_the_run(api: Api) -> None:
    api.sign_up("sets-apply@example.com")
    model = _demo_model(api)
    params = {"temperature": 0.2, "top_p": 0.5, "max_tokens": 12}
    the_set = api.ok(
        "POST",
        "/api/parameter-sets",
        201,
        json={"name": "Careful", "model_ref_id": model["id"], "params": params},
    )
    target = {**api.demo_target(), "parameter_set_id": the_set["id"]}
    # temperature is explicit: it wins; max_tokens is left to its default: the set's applies.
    body: dict[str, Any] = {"targets": [target], "temperature": 0.9, "runs": 1, "warmup": 0}
    preview = api.ok("POST", "/api/benchmarks/preview", json=body)["targets"][0]
    assert preview["effective_params"] == {"temperature": 0.9, "top_p": 0.5, "max_tokens": 12}
    assert preview["parameter_set"] == {
        "parameter_set_id": the_set["id"],
        "parameter_set_name": "Careful",
        "applied_params": {"top_p": 0.5, "max_tokens": 12},
        "overridden": ["temperature"],
    }
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    assert api.wait_job(submitted["job_id"])["status"] == "done"
    detail = api.ok("GET", f"/api/benchmarks/{submitted['run_id']}")
    stored = detail["targets"][0]
    assert stored["parameter_set_id"] == the_set["id"]
    assert stored["parameter_set_name"] == "Careful"
    assert stored["parameter_set_params"] == {"top_p": 0.5, "max_tokens": 12}
    assert detail["config"]["targets"][0]["params"]["top_p"] == 0.5
    assert detail["config"]["max_tokens"] == 256  # the run-wide default; the target's cap: 12
    # A re-run keeps the set (and the set's max_tokens still beats the default).
    again = api.ok("POST", f"/api/benchmarks/{submitted['run_id']}/rerun", 202)
    assert again["preview"]["targets"][0]["parameter_set"]["applied_params"] == {
        "top_p": 0.5,
        "max_tokens": 12,
    }
    # An explicit max_tokens wins as well.
    explicit = api.ok("POST", "/api/benchmarks/preview", json={**body, "max_tokens": 20})
    assert explicit["targets"][0]["effective_params"]["max_tokens"] == 20


def test_another_users_set_and_a_set_for_another_model_are_refused(api: Api) -> None:
    owner = api.sign_up("sets-owner@example.com")
    theirs = owner.ok("POST", "/api/parameter-sets", 201, json={"name": "A", "params": {}})
    api.sign_up("sets-intruder@example.com")
    target = {**api.demo_target(), "parameter_set_id": theirs["id"]}
    refused = api.call("POST", "/api/benchmarks/preview", json={"targets": [target]})
    assert refused.status_code == 404, refused.text
    assert refused.json()["error"]["message"] == "No such parameter set."
    # A set made for one model is not laid onto another.
    model = _demo_model(api)
    mine = api.ok(
        "POST",
        "/api/parameter-sets",
        201,
        json={"name": "Mine", "model_ref_id": model["id"], "params": {"top_p": 0.3}},
    )
    other = {**api.demo_target("some-other-model"), "parameter_set_id": mine["id"]}
    mismatch = api.call("POST", "/api/benchmarks/preview", json={"targets": [other]})
    assert mismatch.status_code == 422
    assert mismatch.json()["error"]["code"] == "parameter_set_model_mismatch"
