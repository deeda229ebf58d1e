"""Webhook pieces without a server: the signature a receiver checks, the backoff schedule, the
URL hint that hides a path's token, and the vault's binding of a sealed record to its row."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet

from benchstudio.core.webhook_post import signature, verify
from benchstudio.credentials.service import Vault, VaultError
from benchstudio.schedules.alerts.schemas import check_webhook_url
from benchstudio.schedules.alerts.service.delivering import MAX_ATTEMPTS, retry_after
from benchstudio.schedules.alerts.service.webhooks import url_hint


def test_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    body = b'{"event":"schedule.regressed"}'
    header = signature("whsec_x", 1_700_000_000, body)
    expected = hmac.new(b"whsec_x", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert verify("whsec_x", header, body, now=1_700_000_100)
    assert not verify("whsec_x", header, body + b" ", now=1_700_000_100)  # body changed
    assert not verify("whsec_y", header, body, now=1_700_000_100)  # another secret
    assert not verify("whsec_x", header, body, now=1_700_000_000 + 301)  # too old: replay
    assert not verify("whsec_x", "t=abc,v1=00", body, now=0)


def test_backoff_doubles_and_stops() -> None:
    waits = [retry_after(attempt) for attempt in range(1, MAX_ATTEMPTS + 1)]
    assert waits[:-1] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert waits[-1] is None


def test_url_hint_and_validation() -> None:
    assert url_hint("https://hooks.example.com:8443/services/T0/B1/secret?x=1") == (
        "https://hooks.example.com:8443"
    )
    assert check_webhook_url(" https://e.com/h?token=1 ") == "https://e.com/h?token=1"
    for bad in ("ftp://e.com", "https://", "https://u:p@e.com/h", "https://e.com/#x"):
        with pytest.raises(ValueError, match="URL"):
            check_webhook_url(bad)


def test_a_sealed_record_opens_only_for_its_row() -> None:
    vault = Vault([Fernet.generate_key().decode()])
    sealed = vault.seal_record("webhook:a", {"url": "https://e.com/h", "secret": "whsec_s"})
    assert "whsec_s" not in sealed
    assert vault.unseal_record("webhook:a", sealed) == {
        "url": "https://e.com/h",
        "secret": "whsec_s",
    }
    with pytest.raises(VaultError):
        vault.unseal_record("webhook:b", sealed)
    with pytest.raises(VaultError):
        vault.unseal_record("p1", vault.seal("p1", "sk", {}))  # a provider's seal is no record
