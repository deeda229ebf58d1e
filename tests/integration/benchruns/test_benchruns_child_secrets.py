"""What crosses the pipe to the measuring child: its config and its targets' provider access,
never the server's secrets (JWT signing key, vault master keys, SMTP password)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pytest
from benchruns_driver import Api, SimulatorThread, fast_settings, running_api
from cryptography.fernet import Fernet
from pydantic import SecretStr

from benchstudio.benchruns.tasks import handler
from benchstudio.benchruns.tasks.measuring import ChildJob
from benchstudio.config import Settings

JWT_SECRET = "jwt-secret-UNMISTAKABLE-" + "j" * 40
VAULT_KEY = Fernet.generate_key().decode()
OLD_VAULT_KEY = Fernet.generate_key().decode()
SMTP_PASSWORD = "smtp-password-UNMISTAKABLE-4711"
PROVIDER_KEY = "sk-provider-key-the-child-needs-0815"


@pytest.fixture
def api(settings: Settings, simulator: SimulatorThread) -> Iterator[Api]:
    distinct = settings.model_copy(
        update={
            "secret_key": SecretStr(JWT_SECRET),
            "vault_keys": SecretStr(f"{VAULT_KEY},{OLD_VAULT_KEY}"),
            "smtp_password": SecretStr(SMTP_PASSWORD),
        }
    )
    yield from running_api(fast_settings(distinct, simulator.base_url))


def test_the_pickled_child_job_holds_no_server_secret(
    api: Api, simulator: SimulatorThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[ChildJob] = []
    measure = handler._measure

    async def capture(pump: Any, job: ChildJob) -> dict[str, Any]:
        sent.append(job)
        return await measure(pump, job)

    monkeypatch.setattr(handler, "_measure", capture)
    api.sign_up("pipe@example.com")
    provider = api.ok(
        "POST",
        "/api/providers",
        201,
        json={
            "name": "Keyed",
            "protocol": "openai",
            "base_url": simulator.base_url + "/v1",
            "api_key": PROVIDER_KEY,
        },
    )
    body = {
        "targets": [{"provider_id": provider["id"], "model_id": "benchstudio-sim"}],
        "runs": 2,
        "warmup": 0,
        "max_tokens": 8,
        "context_tokens": [0],
    }
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    assert api.wait_job(submitted["job_id"])["status"] == "done", "the child measured with it"

    (job,) = sent
    pickled = pickle.dumps(job)
    for secret in (JWT_SECRET, VAULT_KEY, OLD_VAULT_KEY, SMTP_PASSWORD):
        assert secret.encode() not in pickled
    assert PROVIDER_KEY.encode() in pickled, "its own target's key is what the child needs"
    assert b"Settings" not in pickled
