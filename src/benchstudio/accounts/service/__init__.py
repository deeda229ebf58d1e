"""Account use cases: users, registration under the sign-up policy, invites, password reset.

Sessions live in `benchstudio.auth`; revoking them all is a bump of the user's
`token_version`, which every access token and refresh family carries. The use cases live in
`users`, `signup` and `passwords`; other domains import them from here.
"""

from __future__ import annotations

from benchstudio.accounts.service.passwords import (
    RESET_MAILS_PER_WINDOW,
    CredentialsRevokedHook,
    change_password,
    confirm_password_reset,
    request_password_reset,
    revoke_all_sessions,
)
from benchstudio.accounts.service.signup import (
    SignupOutcome,
    UserCreatedHook,
    create_invite,
    create_user,
    delete_invite,
    list_invites,
    register,
)
from benchstudio.accounts.service.users import (
    USER_STATE_TTL_S,
    UserState,
    active_email_owner,
    admin_update_user,
    delete_user,
    get_user,
    get_user_state,
    list_users,
    record_login,
    user_counts,
    user_exists,
    user_ids_by_email,
    verify_credentials,
)

__all__ = [
    "RESET_MAILS_PER_WINDOW",
    "USER_STATE_TTL_S",
    "CredentialsRevokedHook",
    "SignupOutcome",
    "UserCreatedHook",
    "UserState",
    "active_email_owner",
    "admin_update_user",
    "change_password",
    "confirm_password_reset",
    "create_invite",
    "create_user",
    "delete_invite",
    "delete_user",
    "get_user",
    "get_user_state",
    "list_invites",
    "list_users",
    "record_login",
    "register",
    "request_password_reset",
    "revoke_all_sessions",
    "user_counts",
    "user_exists",
    "user_ids_by_email",
    "verify_credentials",
]
