"""Dev mode listening beyond loopback warns at start-up (issue 15 item 20).

Dev mode has open sign-up and lets providers reach loopback and private addresses: fine on a
laptop, an exposure on a network. `benchstudio serve` says so when it binds anything but
loopback. Driven through the command function itself, with uvicorn replaced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchstudio.cli import serve_cmd
from benchstudio.cli.wiring import ServerWiring
from benchstudio.config import Environment, Settings


def _serve(
    settings: Settings,
    host: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> str:
    started: dict[str, Any] = {}
    monkeypatch.setattr(serve_cmd, "load_settings", lambda: settings)
    monkeypatch.setattr(serve_cmd.signal, "signal", lambda *_args: None)
    monkeypatch.setattr("benchstudio.core.heap.freeze_heap", lambda: None)
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: started.update(kwargs))
    wiring = ServerWiring(
        create_app=lambda _settings: object(),  # type: ignore[arg-type,return-value]
        job_registry=lambda _settings: None,  # type: ignore[arg-type,return-value]
        job_limits=lambda *_args: None,  # type: ignore[arg-type,return-value]
        job_auditor=None,  # type: ignore[arg-type]
        user_created_hooks=(),
    )
    monkeypatch.setattr(serve_cmd, "installed_wiring", lambda: wiring)
    serve_cmd.serve(host=host, port=8599, migrate=False)
    assert started["host"] == host
    return " ".join(capsys.readouterr().err.split())


@pytest.fixture
def dev(sqlite_settings: Settings) -> Settings:
    return sqlite_settings.model_copy(update={"env": Environment.DEV, "demo_simulator": False})


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "bench.example.com"])
def test_dev_mode_on_a_network_address_warns(
    dev: Settings, host: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _serve(dev, host, monkeypatch, capsys)
    assert "Warning:" in err and f"listening on {host}" in err
    assert "open sign-up" in err and "private addresses" in err


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_dev_mode_on_loopback_does_not_warn(
    dev: Settings, host: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "Warning:" not in _serve(dev, host, monkeypatch, capsys)


def test_production_and_locked_down_dev_do_not_warn(
    dev: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    production = dev.model_copy(update={"env": Environment.PRODUCTION})
    assert "Warning:" not in _serve(production, "0.0.0.0", monkeypatch, capsys)
    locked = dev.model_copy(update={"signup_policy": "invite", "egress_mode": "production"})
    assert "Warning:" not in _serve(locked, "0.0.0.0", monkeypatch, capsys)
    # Only one of the two exposures: the warning names just that one.
    invite_only = dev.model_copy(update={"signup_policy": "invite"})
    err = _serve(invite_only, "0.0.0.0", monkeypatch, capsys)
    assert "private addresses" in err and "open sign-up" not in err


def test_docs_state_token_lifetime_and_dev_exposure() -> None:
    text = (Path(__file__).parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    assert "after logout" in text
    assert "Dev mode exposure" in text
