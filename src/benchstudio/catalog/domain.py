"""Pure catalog rules: credentials in URLs, when a new address may receive the secrets, and
how a parameter set combines with explicit parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that carry credentials (compared without case, `-` and `_`): a base URL is
# stored and shown in plaintext, so a key in it would live outside the vault.
CREDENTIAL_PARAMS = frozenset(
    {
        "key", "apikey", "xapikey", "xgoogapikey", "subscriptionkey", "accesskey", "token",
        "accesstoken", "authtoken", "idtoken", "refreshtoken", "sessiontoken", "bearer",
        "auth", "authorization", "sig", "signature", "secret", "clientsecret", "password",
        "passwd", "pwd", "credential", "credentials", "xamzsignature", "xamzcredential",
        "xamzsecuritytoken",
    }
)  # fmt: skip
CREDENTIAL_SUFFIXES = ("key", "token", "secret", "signature", "password")


@dataclass(frozen=True)
class Origin:
    """Where a request goes: a key sent to one origin is readable by whoever runs it."""

    scheme: str
    host: str
    port: int | None

    @staticmethod
    def of(url: str) -> Origin:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        return Origin(
            scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme)
        )


def host_of(url: str) -> str:
    """Host and explicit port only (never path or query, which may carry secrets): for the
    audit log."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def secrets_to_reenter(
    old_url: str,
    new_url: str,
    *,
    has_key: bool,
    header_names: list[str],
    key_sent: bool,
    headers_sent: bool,
) -> list[str]:
    """The stored secrets the caller must send again before they may go to `new_url`.

    A new origin (scheme, host or port) could belong to anyone: the stored key and header
    values follow it only when the caller proves they know them by sending them again. A new
    path on the same origin reaches the same server, so nothing is asked.
    """
    if Origin.of(old_url) == Origin.of(new_url):
        return []
    missing = []
    if has_key and not key_sent:
        missing.append("api_key")
    if header_names and not headers_sent:
        missing.append("extra_headers")
    return missing


def is_credential_param(name: str) -> bool:
    folded = name.lower().replace("-", "").replace("_", "").replace(".", "")
    return folded in CREDENTIAL_PARAMS or folded.endswith(CREDENTIAL_SUFFIXES)


def split_query_credentials(url: str) -> tuple[str, list[tuple[str, str]]]:
    """`url` without its credential query parameters, and those parameters (name, value).

    For providers saved before such URLs were refused: the values move to the vault."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    found = [(name, value) for name, value in pairs if is_credential_param(name)]
    if not found:
        return url, []
    kept = [(name, value) for name, value in pairs if not is_credential_param(name)]
    return urlunsplit(parts._replace(query=urlencode(kept))), found


@dataclass(frozen=True)
class MergedParameters:
    """A parameter set laid under explicit parameters: `params` is what applies, `applied` the
    set's values that took effect, `overridden` the set's names an explicit value replaced."""

    params: dict[str, object]
    applied: dict[str, object]
    overridden: list[str]


def merge_parameter_set(
    set_params: Mapping[str, object], explicit: Mapping[str, object]
) -> MergedParameters:
    """Explicit parameters win over the set's. A None explicit value means "not given" (the
    form left it empty), so the set's value applies there."""
    given = {name: value for name, value in explicit.items() if value is not None}
    applied = {name: value for name, value in set_params.items() if name not in given}
    overridden = sorted(name for name in set_params if name in given)
    return MergedParameters({**applied, **given}, applied, overridden)
