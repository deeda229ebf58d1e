"""Token primitives: opaque random tokens, keyed hashes for storing them, access JWTs.

Opaque tokens (refresh, API, reset, invite) are stored only as HMAC-SHA256 under a key derived
from the server secret, so a copy of the database alone cannot mint or check them. Access JWTs
are HS256 with a separate derived key; decoding accepts exactly that algorithm, so `alg: none`
and HS/RS confusion are refused by construction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from benchstudio.core.ids import new_id

JWT_ALGORITHM = "HS256"
JWT_ISSUER = "benchstudio"
JWT_AUDIENCE = "benchstudio-api"
API_TOKEN_PREFIX = "bst_"  # noqa: S105 (a prefix, not a secret)
REFRESH_TOKEN_BYTES = 32


def _derive(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"benchstudio/{purpose}".encode(), hashlib.sha256).digest()


class TokenKeys:
    """Keys derived from the server secret, one per purpose."""

    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < 32:
            raise ValueError("secret key too short")
        self._jwt_key = _derive(secret_key, "access-jwt")
        self._hash_key = _derive(secret_key, "token-hash")

    def hash_token(self, token: str) -> str:
        """The stored form of an opaque token (64 hex chars)."""
        return hmac.new(self._hash_key, token.encode(), hashlib.sha256).hexdigest()

    @property
    def jwt_key(self) -> bytes:
        return self._jwt_key


def new_opaque_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(REFRESH_TOKEN_BYTES)


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    role: str
    token_version: int
    expires_at: datetime
    jti: str


def encode_access_token(
    keys: TokenKeys, *, user_id: str, role: str, token_version: int, now: datetime, ttl_s: int
) -> tuple[str, AccessClaims]:
    expires = now + timedelta(seconds=ttl_s)
    claims = AccessClaims(user_id, role, token_version, expires, new_id())
    payload = {
        "sub": user_id,
        "role": role,
        "tv": token_version,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "iss": JWT_ISSUER,
        "aud": JWT_AUDIENCE,
        "jti": claims.jti,
        "typ": "access",
    }
    return jwt.encode(payload, keys.jwt_key, algorithm=JWT_ALGORITHM), claims


class InvalidAccessTokenError(Exception):
    """The token is malformed, forged, expired or of the wrong kind (reason kept internal)."""


def decode_access_token(keys: TokenKeys, token: str, *, now: datetime) -> AccessClaims:
    try:
        payload = jwt.decode(
            token,
            keys.jwt_key,
            algorithms=[JWT_ALGORITHM],
            audience=JWT_AUDIENCE,
            issuer=JWT_ISSUER,
            # Expiry is checked below against `now` (one clock for the service and its tests).
            options={
                "require": ["sub", "exp", "iat", "tv", "jti", "typ"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise InvalidAccessTokenError(type(exc).__name__) from None
    if not isinstance(payload["exp"], int):
        raise InvalidAccessTokenError("bad expiry")
    if payload.get("typ") != "access" or int(payload["exp"]) <= int(now.timestamp()):
        raise InvalidAccessTokenError("expired or wrong type")
    if not isinstance(payload["sub"], str) or not isinstance(payload["tv"], int):
        raise InvalidAccessTokenError("bad claims")
    return AccessClaims(
        user_id=payload["sub"],
        role=str(payload.get("role", "user")),
        token_version=payload["tv"],
        expires_at=datetime.fromtimestamp(int(payload["exp"]), tz=now.tzinfo),
        jti=str(payload["jti"]),
    )


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
