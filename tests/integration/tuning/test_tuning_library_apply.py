"""Apply best on a stored tuner run: the best trial (highest score among complete trials;
ties to the cheaper, then the faster) saved as a parameter set for the run's model, a chosen
trial, the refusals (running, nothing complete, a failed trial), and another user's run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tuning_library_driver import Api, TrialRow, app_api, store_tuner_run

from benchstudio.config import Settings


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    return error


def _trials() -> list[TrialRow]:
    return [
        TrialRow("baseline_default", "complete", {}, 0.5),
        TrialRow("search", "complete", {"temperature": 0.3, "top_p": 0.9}, 0.9, cost_usd=0.02),
        # Same score, cheaper: the best. Its seed belongs to the repeat, not to the set.
        TrialRow("search", "complete", {"temperature": 0.7, "seed": 7}, 0.9, cost_usd=0.01),
        # Same score and cost, slower: not the best.
        TrialRow("search", "complete", {"temperature": 0.8}, 0.9, 0.01, latency_p50_ms=900.0),
        # A pruned trial's partial score never wins, however high.
        TrialRow("search", "pruned", {"temperature": 1.2}, 0.99, partial=0.99),
        TrialRow("search", "failed", {"temperature": 1.4}, None),
    ]


def _world(api: Api, email: str) -> dict[str, Any]:
    api.sign_up(email)
    suite = api.ok("POST", "/api/suites/sample", 201)
    # The check on save reads the registry only: nothing has to listen at the address.
    body = {"name": "Local", "protocol": "openai", "base_url": "http://127.0.0.1:1/v1"}
    provider = api.ok("POST", "/api/providers", 201, json=body)["id"]
    model = api.ok("POST", "/api/models", 201, json={"provider_id": provider, "model_id": "good"})
    return {"suite": suite, "provider": provider, "model_ref": model["id"]}


def test_apply_best_saves_the_best_trials_parameters_as_a_set(api: Api) -> None:
    world = _world(api, "alice@example.com")
    run = store_tuner_run(
        api,
        suite=world["suite"],
        provider_id=world["provider"],
        model="good",
        model_ref_id=world["model_ref"],
        trials=_trials(),
    )
    applied = api.ok("POST", f"/api/tuning/runs/{run.id}/apply", json={"target": "parameter_set"})
    assert applied["target"] == "parameter_set" and applied["experiment_id"] is None
    assert applied["params"] == {"temperature": 0.7}
    saved = api.ok("GET", f"/api/parameter-sets/{applied['parameter_set_id']}")
    assert saved["params"] == {"temperature": 0.7}
    assert saved["model_ref_id"] == world["model_ref"]  # checked for, and offered with, the model
    assert saved["name"] == "Tune the good model · trial 2"
    assert run.id in saved["description"] and "0.900" in saved["description"]

    # A chosen trial, under a name of the caller's.
    chosen = api.ok(
        "POST",
        f"/api/tuning/runs/{run.id}/apply",
        json={"target": "parameter_set", "trial_id": run.trial_ids[1], "name": "Careful"},
    )
    assert chosen["params"] == {"temperature": 0.3, "top_p": 0.9}
    named = api.ok("GET", f"/api/parameter-sets/{chosen['parameter_set_id']}")
    assert named["name"] == "Careful" and named["params"] == chosen["params"]
    # A pruned trial may be chosen (its cases stand); a failed one may not.
    pruned = api.ok(
        "POST",
        f"/api/tuning/runs/{run.id}/apply",
        json={"target": "parameter_set", "trial_id": run.trial_ids[4]},
    )
    assert pruned["params"] == {"temperature": 1.2}
    response = api.call(
        "POST",
        f"/api/tuning/runs/{run.id}/apply",
        json={"target": "parameter_set", "trial_id": run.trial_ids[5]},
    )
    assert "Trial 5 is failed" in _error(response, 422, "trial_not_applicable")["message"]
    other = store_tuner_run(
        api,
        suite=world["suite"],
        provider_id=world["provider"],
        model="good",
        model_ref_id=world["model_ref"],
        trials=[TrialRow("baseline_default", "complete", {}, 0.4)],
    )
    response = api.call(
        "POST",
        f"/api/tuning/runs/{run.id}/apply",
        json={"target": "parameter_set", "trial_id": other.trial_ids[0]},
    )
    _error(response, 404, "not_found")  # a trial of another run
    assert len(api.ok("GET", "/api/parameter-sets")) == 3


def test_an_ad_hoc_model_gets_a_set_for_any_model(api: Api) -> None:
    world = _world(api, "alice@example.com")
    run = store_tuner_run(
        api,
        suite=world["suite"],
        provider_id=world["provider"],
        model="unlisted",
        model_ref_id=None,
        trials=[TrialRow("search", "complete", {"top_p": 0.8, "max_tokens": 512}, 0.7)],
        status="cancelled",  # a cancelled run keeps, and applies, what it finished
    )
    applied = api.ok("POST", f"/api/tuning/runs/{run.id}/apply", json={"target": "parameter_set"})
    saved = api.ok("GET", f"/api/parameter-sets/{applied['parameter_set_id']}")
    assert saved["model_ref_id"] is None and saved["params"] == {"top_p": 0.8, "max_tokens": 512}

    # A catalog model no longer there: the set is saved for any model rather than refused.
    gone = store_tuner_run(
        api,
        suite=world["suite"],
        provider_id=world["provider"],
        model="good",
        model_ref_id="0" * 26,
        trials=[TrialRow("search", "complete", {"top_p": 0.7}, 0.7)],
    )
    applied = api.ok("POST", f"/api/tuning/runs/{gone.id}/apply", json={"target": "parameter_set"})
    saved = api.ok("GET", f"/api/parameter-sets/{applied['parameter_set_id']}")
    assert saved["model_ref_id"] is None and saved["params"] == {"top_p": 0.7}


@pytest.mark.parametrize(
    ("status", "trials", "code"),
    [
        ("running", _trials(), "not_finished"),
        ("queued", [], "not_finished"),
        ("failed", _trials(), "not_finished"),
        (
            "completed",
            [
                TrialRow("baseline_default", "failed", {}, None),
                TrialRow("search", "pruned", {"temperature": 0.2}, 0.3),
            ],
            "no_best",
        ),
    ],
)
def test_only_an_ended_run_with_a_complete_trial_applies(
    api: Api, status: str, trials: list[TrialRow], code: str
) -> None:
    world = _world(api, "alice@example.com")
    run = store_tuner_run(
        api,
        suite=world["suite"],
        provider_id=world["provider"],
        model="good",
        model_ref_id=world["model_ref"],
        trials=trials,
        status=status,
    )
    response = api.call(
        "POST", f"/api/tuning/runs/{run.id}/apply", json={"target": "parameter_set"}
    )
    _error(response, 409, code)
    assert api.ok("GET", "/api/parameter-sets") == []


def test_another_users_run_answers_404_and_nothing_is_saved(api: Api) -> None:
    world = _world(api, "alice@example.com")
    alice = api.token
    run = store_tuner_run(
        api,
        suite=world["suite"],
        provider_id=world["provider"],
        model="good",
        model_ref_id=world["model_ref"],
        trials=_trials(),
    )
    bob = api.sign_up("bob@example.com")
    for body in (
        {"target": "parameter_set"},
        {"target": "parameter_set", "trial_id": run.trial_ids[2]},
    ):
        _error(bob.call("POST", f"/api/tuning/runs/{run.id}/apply", json=body), 404, "not_found")
    assert bob.ok("GET", "/api/parameter-sets") == []
    assert api.as_user(alice).ok("GET", "/api/parameter-sets") == []
    _error(
        bob.call(
            "POST",
            "/api/tuning/runs/0123456789abcdef0123456789/apply",
            json={"target": "parameter_set"},
        ),
        404,
        "not_found",
    )


def test_a_missing_experiment_id_is_a_clear_422(api: Api) -> None:
    world = _world(api, "alice@example.com")
    run = store_tuner_run(
        api,
        suite=world["suite"],
        provider_id=world["provider"],
        model="good",
        model_ref_id=world["model_ref"],
        trials=_trials(),
    )
    response = api.call("POST", f"/api/tuning/runs/{run.id}/apply", json={"target": "experiment"})
    assert "experiment_id" in _error(response, 422, "invalid_tuning")["message"]
