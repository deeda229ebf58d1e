"""Tenant isolation matrix, generated from the route table: B touching A's objects gets 404.

Every route that takes an object id is called by user B, with its method and a valid body,
on user A's object; the answer must be 404 (exactly like a missing object) and A's objects
must read back unchanged. Every list endpoint, called by B, must show none of A's ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from security_platform import World, build_world, request_body, submit_tuner_run, wait_for_job

from benchstudio.config import Settings

# Routes that read A's objects, for the before/after comparison.
SNAPSHOT_PATHS = (
    "/api/providers/{provider_id}",
    "/api/models/{model_ref_id}",
    "/api/prompt-templates/{template_id}",
    "/api/parameter-sets/{parameter_set_id}",
    "/api/prompts/{prompt_id}",
    "/api/prompts/{prompt_id}/used-by",
    "/api/model-profiles/{parameter_set_id}",
    "/api/jobs/{job_id}",
    "/api/auth/tokens",
    "/api/providers",
    "/api/models?include_archived=true",
    "/api/defaults",
    "/api/judge/reports/{report_id}",
    "/api/judge/reports/{report_id}/cases",
    "/api/judge/runs/{eval_run_id}/policy",
    "/api/judge/reports/{report_id}/pairs",
    "/api/experiments/{experiment_id}",
    "/api/experiments",
    "/api/evals/{eval_run_id}",
    "/api/tuning/presets/{preset_id}",
    "/api/tuning/presets",
    "/api/parameter-sets",
    "/api/schedules/{schedule_id}",
    "/api/schedules/{schedule_id}/occurrences",
    "/api/schedules",
    "/api/schedules/{schedule_id}/alert-rules",
    "/api/schedules/{schedule_id}/alerts",
    "/api/schedules/{schedule_id}/trend",
    "/api/webhooks/{webhook_id}",
    "/api/webhooks/{webhook_id}/deliveries",
    "/api/webhooks",
)


@pytest.fixture(scope="module")
def world(module_settings: Settings) -> Iterator[World]:
    """One world per backend for the module: B's probes are refused and change nothing (each
    test checks that), so the tests can share A's objects instead of building them each time."""
    yield from build_world(module_settings)


def _snapshot(world: World) -> dict[str, Any]:
    snapshot = {}
    for path in SNAPSHOT_PATHS:
        url = path
        for name, value in world.a.ids.items():
            url = url.replace("{" + name + "}", value)
        response = world.client.get(url, headers=world.a.headers)
        assert response.status_code == 200, f"{url}: {response.text}"
        snapshot[url] = response.json()
    return snapshot


def test_user_b_gets_404_on_every_route_aimed_at_user_a_objects(world: World) -> None:
    before = _snapshot(world)
    covered = []
    for route in world.routes:
        if route.is_public or route.is_admin or not route.params:
            continue
        response = world.client.request(
            route.method,
            route.url(world.a.ids),
            json=request_body(route, world.document),
            headers=world.b.headers,
        )
        assert response.status_code == 404, f"{route.method} {route.path}: {response.text}"
        assert response.json()["error"]["code"] == "not_found"
        covered.append(f"{route.method} {route.path}")
    assert _snapshot(world) == before, "user B changed user A's objects"
    assert len(covered) >= 20, covered


def test_user_a_can_reach_the_same_routes(world: World) -> None:
    """The matrix is meaningful: A's own GETs on those ids succeed."""
    for route in world.routes:
        if route.method != "GET" or route.is_public or route.is_admin or not route.params:
            continue
        if route.path.endswith("/available-models"):
            continue  # calls the provider (unreachable here): 502, tested elsewhere
        response = world.client.get(route.url(world.a.ids), headers=world.a.headers)
        assert response.status_code == 200, f"{route.path}: {response.text}"


def test_list_endpoints_never_show_another_users_ids(world: World) -> None:
    # Version numbers ("1"), a filed run's kind ("eval") and a judged case's id (the sample
    # suite's, shared by every user) are not identifiers: they appear in every user's responses.
    not_ids = ("suite_version", "prompt_version", "case_id", "kind")
    a_ids = {v for k, v in world.a.ids.items() if k not in not_ids} | {world.a.user_id}
    listed = 0
    for route in world.routes:
        if route.method != "GET" or route.is_public or route.is_admin or route.params:
            continue
        for suffix in ("", "?include_archived=true"):
            response = world.client.get(route.path + suffix, headers=world.b.headers)
            assert response.status_code == 200, f"{route.path}: {response.text}"
            leaked = [i for i in a_ids if i in response.text]
            assert not leaked, f"{route.path} shows A's ids {leaked}"
            assert world.a.email not in response.text
        listed += 1
    assert listed >= 6


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/models", {"provider_id": "{provider_id}", "model_id": "stolen"}),
        ("PUT", "/api/defaults", {"model_ref_id": "{model_ref_id}"}),
        ("PUT", "/api/defaults", {"profile_id": "{parameter_set_id}"}),
        ("PUT", "/api/defaults", {"parameter_set_id": "{parameter_set_id}"}),
        ("PUT", "/api/defaults", {"prompt_template_id": "{template_id}"}),
        ("PUT", "/api/defaults", {"prompt_template_id": "{prompt_id}"}),
        ("POST", "/api/model-profiles", {"name": "x", "model_ref_id": "{model_ref_id}"}),
        ("POST", "/api/parameter-sets", {"name": "x", "model_ref_id": "{model_ref_id}"}),
        (
            "POST",
            "/api/tuning/space/check",
            {
                "target": {"provider_id": "{provider_id}", "model_id": "a-model"},
                "space": {"dimensions": [{"kind": "choice", "name": "top_k", "choices": [1]}]},
            },
        ),
        ("GET", "/api/models?provider_id={provider_id}", None),
        ("GET", "/api/judge/reports?eval_run_id={eval_run_id}", None),
        ("GET", "/api/judge/reports?experiment_id={experiment_id}", None),
        (
            "POST",
            "/api/judge/runs",
            {"eval_run_id": "{eval_run_id}", "target": "a", "judge_model_ref_id": "{model_ref_id}"},
        ),
        (
            "POST",
            "/api/judge/comparisons",
            {
                "a": {"eval_run_id": "{eval_run_id}", "target": "a"},
                "b": {"eval_run_id": "{eval_run_id}", "target": "b"},
                "judge_model_ref_id": "{model_ref_id}",
            },
        ),
        (
            "POST",
            "/api/judge/reports",
            {"eval_run_id": "{eval_run_id}", "target": "a", "judge_model_ref_id": "{model_ref_id}"},
        ),
        (
            "POST",
            "/api/judge/estimate",
            {"eval_run_id": "{eval_run_id}", "target": "a", "judge_model_ref_id": "{model_ref_id}"},
        ),
    ],
)
def test_b_cannot_reference_a_objects_in_bodies_or_filters(
    world: World, method: str, path: str, body: dict[str, Any] | None
) -> None:
    def fill(text: str) -> str:
        for name, value in world.a.ids.items():
            text = text.replace("{" + name + "}", value)
        return text

    def fill_value(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill_value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill_value(v) for v in value]
        return fill(value) if isinstance(value, str) else value

    filled = fill_value(body) if body else None
    response = world.client.request(method, fill(path), json=filled, headers=world.b.headers)
    if method == "GET":
        assert response.status_code == 200 and response.json() == []
    else:
        assert response.status_code == 404, response.text


@pytest.fixture(scope="module")
def b_objects(world: World) -> dict[str, str]:
    """B's own suite, provider, model, finished eval run, experiment and tuner run, to aim at
    A's."""
    client, b = world.client, world.b

    def created(method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = client.request(method, path, json=body, headers=b.headers)
        assert response.status_code in (200, 201, 202), response.text
        return dict(response.json())

    suite = created("POST", "/api/suites/sample")["id"]
    body = {"name": "B's provider", "base_url": "http://127.0.0.1:1/v1"}
    provider = created("POST", "/api/providers", body)["id"]
    model = created("POST", "/api/models", {"provider_id": provider, "model_id": "b-model"})["id"]
    targets = [{"provider_id": provider, "model_id": model, "label": "b"}]
    submitted = created(
        "POST",
        "/api/evals",
        {"suite_id": suite, "targets": targets, "timeout_s": 2, "concurrency": 64},
    )
    wait_for_job(client, b, submitted["job_id"])  # settled before it is aimed
    experiment = created(
        "POST",
        "/api/experiments",
        {
            "name": "B's",
            "suite_id": suite,
            "models": [{"provider_id": provider, "model_id": "b-model"}],
        },
    )
    return {
        "b_suite": suite,
        "b_provider": provider,
        "b_model": model,
        "b_run": submitted["run"]["id"],
        "b_experiment": experiment["id"],
        "b_tuner": submit_tuner_run(client, b, suite, provider, model),
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        # B's run, or a run of B's started now, into A's experiment.
        ("POST", "/api/experiments/{experiment_id}/runs", {"kind": "eval", "ref_id": "{b_run}"}),
        (
            "POST",
            "/api/evals",
            {
                "suite_id": "{b_suite}",
                "targets": [{"provider_id": "{b_provider}", "model_id": "{b_model}"}],
                "experiment_id": "{experiment_id}",
            },
        ),
        (
            "POST",
            "/api/judge/runs",
            {
                "eval_run_id": "{b_run}",
                "target": "b",
                "judge_model_ref_id": "{b_model}",
                "experiment_id": "{experiment_id}",
            },
        ),
        # A's run or report into B's experiment, or as its baseline.
        (
            "POST",
            "/api/experiments/{b_experiment}/runs",
            {"kind": "eval", "ref_id": "{eval_run_id}"},
        ),
        (
            "POST",
            "/api/experiments/{b_experiment}/runs",
            {"kind": "judge", "ref_id": "{report_id}"},
        ),
        (
            "POST",
            "/api/experiments/{b_experiment}/runs?move=true",
            {"kind": "eval", "ref_id": "{eval_run_id}"},
        ),
        ("DELETE", "/api/experiments/{b_experiment}/runs/eval/{eval_run_id}", None),
        ("DELETE", "/api/experiments/{b_experiment}/runs/judge/{report_id}", None),
        (
            "PUT",
            "/api/experiments/{b_experiment}/baseline",
            {"run_id": "{eval_run_id}", "target": "a"},
        ),
        # Tuner runs: B's into A's experiment (filed or by apply best), A's into B's.
        (
            "POST",
            "/api/experiments/{experiment_id}/runs",
            {"kind": "tuner", "ref_id": "{b_tuner}"},
        ),
        (
            "POST",
            "/api/tuning/runs/{b_tuner}/apply",
            {"target": "experiment", "experiment_id": "{experiment_id}"},
        ),
        (
            "POST",
            "/api/experiments/{b_experiment}/runs?move=true",
            {"kind": "tuner", "ref_id": "{tuner_run_id}"},
        ),
        (
            "POST",
            "/api/tuning/runs/{tuner_run_id}/apply",
            {"target": "experiment", "experiment_id": "{b_experiment}"},
        ),
        ("DELETE", "/api/experiments/{b_experiment}/runs/tuner/{tuner_run_id}", None),
        # A's suite with B's provider, or B's suite with A's provider, in B's tuner run.
        *(
            (
                "POST",
                path,
                {
                    "suite_id": suite,
                    "target": {"provider_id": provider, "model_id": model},
                    "space": {"dimensions": [{"kind": "choice", "name": "top_k", "choices": [1]}]},
                },
            )
            for path in ("/api/tuning/estimate", "/api/tuning/runs")
            for suite, provider, model in (
                ("{suite_id}", "{b_provider}", "{b_model}"),
                ("{b_suite}", "{provider_id}", "a-model"),
            )
        ),
        # A's suite or provider in B's new experiment.
        (
            "POST",
            "/api/experiments",
            {
                "name": "x",
                "suite_id": "{suite_id}",
                "models": [{"provider_id": "{b_provider}", "model_id": "b-model"}],
            },
        ),
        (
            "POST",
            "/api/experiments",
            {
                "name": "x",
                "suite_id": "{b_suite}",
                "models": [{"provider_id": "{provider_id}", "model_id": "a-model"}],
            },
        ),
    ],
)
def test_b_cannot_file_across_tenants(
    world: World,
    b_objects: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    """Filing crosses no tenant: another user's experiment, run or report is 404 wherever it
    is named, and A's experiment and run are unchanged."""
    ids = {**world.a.ids, **b_objects}

    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, str):
            for name, object_id in ids.items():
                value = value.replace("{" + name + "}", object_id)
        return value

    before = _snapshot(world)
    runs_before = world.client.get("/api/evals", headers=world.b.headers).json()["total"]
    response = world.client.request(method, fill(path), json=fill(body), headers=world.b.headers)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"
    assert _snapshot(world) == before, "user B changed user A's objects"
    assert world.client.get("/api/evals", headers=world.b.headers).json()["total"] == runs_before
    run = world.client.get(f"/api/evals/{world.a.ids['eval_run_id']}", headers=world.a.headers)
    assert run.json()["experiment_id"] == world.a.ids["experiment_id"]


def test_filters_by_another_users_experiment_or_suite_find_nothing(
    world: World, b_objects: dict[str, str]
) -> None:
    for url in (
        f"/api/evals?experiment_id={world.a.ids['experiment_id']}",
        f"/api/experiments?suite_id={world.a.ids['suite_id']}&include_archived=true",
    ):
        response = world.client.get(url, headers=world.b.headers)
        assert response.status_code == 200, response.text
        assert response.json()["items"] == [] and response.json()["total"] == 0
    # The same filters find A's own (the filter is real).
    mine = world.client.get(
        f"/api/evals?experiment_id={world.a.ids['experiment_id']}", headers=world.a.headers
    )
    assert [r["id"] for r in mine.json()["items"]] == [world.a.ids["eval_run_id"]]
    # A's judge report, started on that run after it was filed, inherited the experiment.
    reports = world.client.get(
        f"/api/judge/reports?experiment_id={world.a.ids['experiment_id']}",
        headers=world.a.headers,
    )
    assert [r["id"] for r in reports.json()] == [world.a.ids["report_id"]]
