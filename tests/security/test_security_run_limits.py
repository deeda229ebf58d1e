"""Per-user limits hold for eval runs and for models without a price (issue 15 item 6, the
self-contained parts).

- Eval jobs had no limits at all: now an eval's case runs count against the per-run request
  limit (`max_runs_per_benchmark`), checked at submit like a benchmark's.
- Under a spend cap, a benchmark on a model without a price could not be bounded and ran
  anyway; now it is refused with a hint to set the price (0 for a free or local model). The
  built-in simulator costs nothing and stays allowed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from security_platform import Tenant, create_app, sign_up

from benchstudio.config import Settings

MAX_REQUESTS = 3


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    capped = settings.model_copy(
        update={
            "default_monthly_spend_cap_usd": 1.0,
            "default_max_runs_per_benchmark": MAX_REQUESTS,
        }
    )
    with TestClient(create_app(capped), raise_server_exceptions=False) as client:
        yield client


def _demo_provider(client: TestClient, user: Tenant) -> str:
    providers = client.get("/api/providers", headers=user.headers).json()
    return str(next(p for p in providers if p["is_demo"])["id"])


def test_an_eval_over_the_per_run_limit_is_refused(client: TestClient) -> None:
    user = sign_up(client, "eval-limits@example.com")
    suite = client.post("/api/suites/sample", headers=user.headers)
    assert suite.status_code == 201, suite.text
    body = {
        "suite_id": suite.json()["id"],
        "targets": [{"provider_id": _demo_provider(client, user), "model_id": "benchstudio-sim"}],
    }
    refused = client.post("/api/evals", json=body, headers=user.headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "too_many_runs"
    assert client.get("/api/evals", headers=user.headers).json()["total"] == 0
    assert client.get("/api/jobs", headers=user.headers).json()["total"] == 0


def test_an_unpriced_model_under_a_spend_cap_is_refused_with_a_hint(client: TestClient) -> None:
    user = sign_up(client, "unpriced@example.com")
    provider = client.post(
        "/api/providers",
        json={"name": "local", "base_url": "http://127.0.0.1:1/v1"},
        headers=user.headers,
    )
    assert provider.status_code == 201, provider.text
    target = {"provider_id": provider.json()["id"], "model_id": "local-llm"}
    model = client.post("/api/models", json=target, headers=user.headers)
    assert model.status_code == 201, model.text
    body = {"targets": [target], "runs": 1, "warmup": 0, "max_tokens": 8}
    refused = client.post("/api/benchmarks", json=body, headers=user.headers)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "price_needed"
    assert "local-llm" in error["message"] and "price" in error["message"]
    assert client.get("/api/benchmarks", headers=user.headers).json()["total"] == 0
    # With a price (0: a local model) the cost is bounded, and the preview shows it.
    priced = client.patch(
        f"/api/models/{model.json()['id']}",
        json={"input_price": "0", "output_price": "0"},
        headers=user.headers,
    )
    assert priced.status_code == 200, priced.text
    preview = client.post("/api/benchmarks/preview", json=body, headers=user.headers)
    assert preview.status_code == 200, preview.text
    assert preview.json()["cost_usd"] == 0


def test_the_simulator_needs_no_price_under_a_cap(client: TestClient) -> None:
    user = sign_up(client, "sim-capped@example.com")
    body = {
        "targets": [{"provider_id": _demo_provider(client, user), "model_id": "benchstudio-sim"}],
        "runs": 1,
        "warmup": 0,
        "max_tokens": 8,
    }
    submitted = client.post("/api/benchmarks", json=body, headers=user.headers)
    assert submitted.status_code == 202, submitted.text
    client.post(f"/api/jobs/{submitted.json()['job_id']}/cancel", headers=user.headers)
