"""Password-reset poisoning (issue 15, item 1): emailed links come from the configured public URL
or the address the server listens on, never from a request header; production refuses to start
without a public URL."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from pydantic import ValidationError

from benchstudio.accounts.service.mailer import CapturingMailer
from benchstudio.app import create_app
from benchstudio.config import ConfigError, Environment, Settings, ensure_startable, get_settings

PASSWORD = "reset-link-password-1"
FORGED = {
    "Host": "attacker.example",
    "X-Forwarded-Host": "attacker.example",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "8443",
    "Forwarded": "host=attacker.example;proto=https",
    "X-Original-Host": "attacker.example",
}


def _mailed_link(settings: Settings, headers: dict[str, str]) -> str:
    app = create_app(settings)
    mailer = CapturingMailer()
    app.state.mailer = mailer
    with TestClient(app, raise_server_exceptions=False) as client:
        registered = client.post(
            "/api/auth/register", json={"email": "victim@example.com", "password": PASSWORD}
        )
        assert registered.status_code == 201, registered.text
        response = client.post(
            "/api/auth/password-reset/request",
            json={"email": "victim@example.com"},
            headers=headers,
        )
        assert response.status_code == 202
    assert len(mailer.sent) == 1
    match = re.search(r"(\S+/reset-password\?token=\S+)", mailer.sent[0].body)
    assert match, mailer.sent[0].body
    return match.group(1)


def test_forged_host_headers_do_not_reach_the_mailed_link(settings: Settings) -> None:
    listening = settings.model_copy(update={"host": "127.0.0.1", "port": 8123})
    link = _mailed_link(listening, FORGED)
    assert "attacker.example" not in link
    assert link.startswith("http://127.0.0.1:8123/reset-password?token=")


def test_the_configured_public_url_is_the_only_base(settings: Settings) -> None:
    public = settings.model_copy(update={"public_url": "https://bench.example.com"})
    link = _mailed_link(public, FORGED)
    assert link.startswith("https://bench.example.com/reset-password?token=")
    assert "attacker.example" not in link


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", 8501, "http://127.0.0.1:8501"),
        ("0.0.0.0", 9000, "http://127.0.0.1:9000"),
        ("::", 9000, "http://[::1]:9000"),
        ("::1", 8501, "http://[::1]:8501"),
        ("bench.internal", 80, "http://bench.internal:80"),
    ],
)
def test_without_a_public_url_links_use_the_listen_address(
    host: str, port: int, expected: str
) -> None:
    assert Settings(host=host, port=port).link_base == expected


def test_public_url_is_normalised_and_checked() -> None:
    assert Settings(public_url="https://bench.example.com/app/").link_base == (
        "https://bench.example.com/app"
    )
    assert Settings(public_url="").public_url is None
    for bad in ("javascript:alert(1)", "bench.example.com", "https://x.example?next=y"):
        with pytest.raises(ValidationError):
            Settings(public_url=bad)


def test_production_refuses_to_start_without_a_public_url(settings: Settings) -> None:
    production = settings.model_copy(update={"env": Environment.PRODUCTION, "public_url": None})
    with pytest.raises(ConfigError, match="BENCHSTUDIO_PUBLIC_URL"):
        ensure_startable(production)
    with pytest.raises(ConfigError, match="BENCHSTUDIO_PUBLIC_URL"):
        create_app(production)
    ready = production.model_copy(update={"public_url": "https://bench.example.com"})
    assert ensure_startable(ready) is ready


def test_production_start_up_through_the_environment_needs_a_public_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("BENCHSTUDIO_ENV", "production")
    monkeypatch.setenv("BENCHSTUDIO_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("BENCHSTUDIO_VAULT_KEYS", Fernet.generate_key().decode())
    monkeypatch.delenv("BENCHSTUDIO_PUBLIC_URL", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match="BENCHSTUDIO_PUBLIC_URL"):
            get_settings()
    finally:
        get_settings.cache_clear()
