"""Sign-up policy decisions, password normalisation, email rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from benchstudio.accounts.domain import decide_signup, normalise_password
from benchstudio.accounts.schemas import Registration
from benchstudio.config import Environment, Settings


def test_open_invite_closed() -> None:
    assert decide_signup("open", has_invite=False).allowed
    assert not decide_signup("invite", has_invite=False).allowed
    assert decide_signup("invite", has_invite=True).needs_invite
    assert not decide_signup("closed", has_invite=True).allowed


def test_production_defaults_to_invite_only() -> None:
    assert Settings(env=Environment.PRODUCTION).effective_signup_policy == "invite"
    assert Settings(env=Environment.DEV).effective_signup_policy == "open"
    assert (
        Settings(env=Environment.PRODUCTION, signup_policy="open").effective_signup_policy == "open"
    )
    assert Settings(env=Environment.PRODUCTION).effective_egress_mode == "production"


def test_composed_and_decomposed_passwords_normalise_alike() -> None:
    assert normalise_password("pa\u0308ss") == normalise_password("päss")


@pytest.mark.parametrize("password", ["1234567", ""])
def test_short_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        Registration(email="a@example.com", password=password)


def test_long_passwords_are_fine_and_emails_are_normalised() -> None:
    registration = Registration(
        email="  Alice@Example.COM ", password=("Straße über Brücken " * 200)[:4000]
    )
    assert registration.email == "alice@example.com"
