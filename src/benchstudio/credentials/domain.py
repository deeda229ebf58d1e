"""Pure rules of the key vault: what the API may reveal about a stored secret."""

from __future__ import annotations

from dataclasses import dataclass, field

MIN_KEY_CHARS_FOR_HINT = 12


@dataclass(frozen=True)
class KeyStatus:
    """All the API ever says about a provider's secrets."""

    has_key: bool = False
    key_last4: str | None = None
    header_names: list[str] = field(default_factory=list)


def last4_hint(api_key: str) -> str | None:
    """The last four characters, only when that reveals a small part of the key."""
    return api_key[-4:] if len(api_key) >= MIN_KEY_CHARS_FOR_HINT else None


def join_header_names(headers: dict[str, str]) -> str:
    return "\n".join(sorted(headers))


def split_header_names(text: str) -> list[str]:
    return [name for name in text.split("\n") if name]
