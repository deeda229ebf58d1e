"""Authentication use cases: sessions (login with throttling, refresh rotation with reuse
detection, logout, access tokens) in `sessions`, personal API tokens in `api_tokens`; other
modules import them from here.
"""

from __future__ import annotations

from benchstudio.auth.service.api_tokens import (
    create_api_token,
    list_api_tokens,
    principal_from_api_token,
    revoke_api_token,
    revoke_api_tokens_in,
)
from benchstudio.auth.service.sessions import (
    AnonymousAction,
    AuthSettings,
    ClientInfo,
    IssuedSession,
    count_anonymous_attempt,
    issue_session,
    login,
    logout,
    logout_everywhere,
    principal_from_access_token,
    refresh,
)

__all__ = [
    "AnonymousAction",
    "AuthSettings",
    "ClientInfo",
    "IssuedSession",
    "count_anonymous_attempt",
    "create_api_token",
    "issue_session",
    "list_api_tokens",
    "login",
    "logout",
    "logout_everywhere",
    "principal_from_access_token",
    "principal_from_api_token",
    "refresh",
    "revoke_api_token",
    "revoke_api_tokens_in",
]
