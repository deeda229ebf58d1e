"""Pure auth rules: scopes, throttle arithmetic, token hashing, access JWT round trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from benchstudio.auth.domain import (
    ThrottlePolicy,
    api_token_scopes,
    session_scopes,
)
from benchstudio.core.tokens import (
    InvalidAccessTokenError,
    TokenKeys,
    decode_access_token,
    encode_access_token,
    new_opaque_token,
)
from benchstudio.http.principal import scope_for_method

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
KEYS = TokenKeys("k" * 48)


def test_sessions_hold_what_their_role_allows() -> None:
    assert session_scopes("admin") == {"read", "run", "admin"}
    assert session_scopes("user") == {"read", "run"}


def test_api_token_scopes_never_exceed_the_owner_role() -> None:
    assert api_token_scopes(["read", "admin"], "user") == {"read"}
    assert api_token_scopes(["admin"], "admin") == {"admin"}


@pytest.mark.parametrize(
    ("method", "scope"), [("GET", "read"), ("HEAD", "read"), ("POST", "run"), ("DELETE", "run")]
)
def test_scope_by_method(method: str, scope: str) -> None:
    assert scope_for_method(method) == scope


def test_throttle_blocks_at_the_limit_until_the_window_ends() -> None:
    policy = ThrottlePolicy(max_failures=3, window=timedelta(minutes=15))
    state = None
    for _ in range(2):
        state = policy.after_failure(state, NOW)
        assert policy.retry_after_s(state, NOW) == 0
    state = policy.after_failure(state, NOW + timedelta(minutes=1))
    assert policy.retry_after_s(state, NOW + timedelta(minutes=1)) == 14 * 60
    assert policy.retry_after_s(state, NOW + timedelta(minutes=15)) == 0
    fresh = policy.after_failure(state, NOW + timedelta(minutes=16))
    assert fresh.failures == 1 and fresh.blocked_until is None


def test_token_hashes_are_keyed_and_stable() -> None:
    token = new_opaque_token()
    assert KEYS.hash_token(token) == KEYS.hash_token(token)
    assert TokenKeys("z" * 48).hash_token(token) != KEYS.hash_token(token)
    assert len(KEYS.hash_token(token)) == 64 and token not in KEYS.hash_token(token)


def test_access_token_round_trip_and_expiry() -> None:
    token, claims = encode_access_token(
        KEYS, user_id="u1", role="user", token_version=3, now=NOW, ttl_s=900
    )
    decoded = decode_access_token(KEYS, token, now=NOW + timedelta(minutes=14))
    assert decoded == claims
    with pytest.raises(InvalidAccessTokenError):
        decode_access_token(KEYS, token, now=NOW + timedelta(minutes=15))


def test_tokens_of_other_kinds_or_keys_are_refused() -> None:
    payload = {"sub": "u1", "tv": 0, "jti": "j", "iat": 0, "exp": 2**40, "typ": "refresh"}
    wrong_type = jwt.encode(
        {**payload, "iss": "benchstudio", "aud": "benchstudio-api"}, KEYS.jwt_key, "HS256"
    )
    with pytest.raises(InvalidAccessTokenError):
        decode_access_token(KEYS, wrong_type, now=NOW)
    token, _ = encode_access_token(
        TokenKeys("other" * 10), user_id="u", role="user", token_version=0, now=NOW, ttl_s=60
    )
    with pytest.raises(InvalidAccessTokenError):
        decode_access_token(KEYS, token, now=NOW)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="too short"):
        TokenKeys("short")
