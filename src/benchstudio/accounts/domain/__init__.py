"""Pure account rules: password and e-mail normalisation, the password policy, the sign-up
policy decision."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from benchstudio.accounts.domain.common_passwords import COMMON_PASSWORDS

SignupPolicy = Literal["open", "invite", "closed"]
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 4096


def normalise_password(password: str) -> str:
    """NFKC, so the same password typed on two keyboards (composed or not) still matches."""
    return unicodedata.normalize("NFKC", password)


def canonical_email(value: str) -> str:
    """NFKC and case folding, so look-alike spellings (full-width letters, `ß`/`ss`, case) of
    one address cannot become two accounts."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


# Words naming this service: a password built on them is among the first an attacker tries.
_SERVICE_WORDS = ("benchstudio", "bench studio")


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a new password is refused, or None. NIST SP 800-63B: a minimum length (checked by
    the schemas) and a blocklist, no composition rules, so a long multi-word passphrase passes.
    Refused: common passwords (an offline list), one character repeated or a run such as
    `abcdefgh`/`87654321`, the service's name, and the e-mail address or its local part."""
    folded = normalise_password(password).casefold()
    if folded in COMMON_PASSWORDS or folded.strip() in COMMON_PASSWORDS:
        return "This password is one of the most common ones; choose another (a few words work)."
    if len(set(folded)) <= 2 or _is_run(folded):
        return "This password is a repeat or a run of characters; choose another."
    if any(word in folded for word in _SERVICE_WORDS):
        return "A password must not contain the name of this service."
    if email:
        address = canonical_email(email)
        local = address.partition("@")[0]
        if address in folded or (len(local) >= 4 and local in folded):
            return "A password must not contain your e-mail address."
    return None


def _is_run(text: str) -> bool:
    steps = {ord(b) - ord(a) for a, b in pairwise(text)}
    return len(steps) == 1 and steps <= {-1, 0, 1}


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
