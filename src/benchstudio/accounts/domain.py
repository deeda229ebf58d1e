"""Pure account rules: password normalisation and the sign-up policy decision."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

SignupPolicy = Literal["open", "invite", "closed"]
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 4096


def normalise_password(password: str) -> str:
    """NFKC, so the same password typed on two keyboards (composed or not) still matches."""
    return unicodedata.normalize("NFKC", password)


@dataclass(frozen=True)
class SignupDecision:
    allowed: bool
    needs_invite: bool
    reason: str = ""


def decide_signup(policy: SignupPolicy, *, has_invite: bool) -> SignupDecision:
    if policy == "closed":
        return SignupDecision(False, False, "Sign-up is closed on this server.")
    if policy == "invite":
        if not has_invite:
            return SignupDecision(False, True, "Sign-up needs an invite code from an admin.")
        return SignupDecision(True, True)
    return SignupDecision(True, False)
