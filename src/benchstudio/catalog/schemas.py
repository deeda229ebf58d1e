"""Catalog input and output shapes: providers, models, templates, parameter sets, defaults."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    computed_field,
    field_validator,
)

from benchstudio.catalog.domain import is_credential_param
from benchstudio.core.input_types import CleanInput

Protocol = Literal["openai", "anthropic", "gemini"]
HEADER_NAME_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
FORBIDDEN_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "cookie"}
)
MAX_HEADERS = 20
# Hosts made of numbers only (decimal, octal, hex, short forms like 127.1): resolvers read
# them as IPv4 addresses in surprising ways, so only the canonical dotted form is accepted.
NUMERIC_HOST_RE = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)
Price = Field(default=None, ge=0, le=1_000_000, max_digits=18, decimal_places=6)


def check_base_url(value: str) -> str:
    """http(s) only, a host, no credentials or fragment in the URL (keys go in the vault)."""
    url = value.strip()
    if len(url) > 2048:
        raise ValueError("URL too long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError("not a valid URL") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username or parts.password or "@" in parts.netloc:
        raise ValueError("put credentials in the API key field, not in the URL")
    if parts.fragment:
        raise ValueError("URL must not have a #fragment")
    if any(is_credential_param(name) for name, _ in parse_qsl(parts.query, True)):
        raise ValueError(
            "the URL's query string carries a credential: put the key in the API key field "
            "(or an extra header), where it is encrypted, and remove it from the URL"
        )
    if port == 0:
        raise ValueError("port 0 is not a valid port")
    if NUMERIC_HOST_RE.match(parts.hostname) and not _is_canonical_ipv4(parts.hostname):
        raise ValueError("write an IPv4 address in its canonical dotted form (a.b.c.d)")
    return url


def mask_query_credentials(url: str) -> str:
    """`url` with credential query values masked (providers saved before they were refused)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(is_credential_param(name) for name, _ in pairs):
        return url
    masked = [(n, "[REDACTED]" if is_credential_param(n) else v) for n, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(masked, safe="[]")))


def _is_canonical_ipv4(host: str) -> bool:
    try:
        return str(ipaddress.IPv4Address(host)) == host
    except ValueError:
        return False


def check_headers(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    if len(value) > MAX_HEADERS:
        raise ValueError(f"at most {MAX_HEADERS} extra headers")
    for name, header_value in value.items():
        if not HEADER_NAME_RE.match(name) or name.lower() in FORBIDDEN_HEADERS:
            raise ValueError("header name not allowed")
        if len(header_value) > 4000 or any(c in header_value for c in "\r\n\x00"):
            raise ValueError("header value not allowed")
    return value


class ProviderCreate(CleanInput):
    name: str = Field(min_length=1, max_length=100)
    protocol: Protocol = "openai"
    base_url: str = Field(max_length=2048)
    api_key: SecretStr | None = Field(default=None, description="Write-only.")
    extra_headers: dict[str, str] | None = Field(default=None, description="Write-only values.")

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("extra_headers")
    @classmethod
    def _headers(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return check_headers(value)

    @field_validator("api_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not 1 <= len(value.get_secret_value()) <= 2000:
            raise ValueError("API key must be 1 to 2000 characters")
        return value


class ProviderUpdate(CleanInput):
    """A `base_url` on a new host (scheme, host or port) needs the stored secrets sent again in
    the same request (`api_key` if a key is stored, `extra_headers` if headers are): otherwise
    422 `secrets_required_for_new_host`. Only a signed-in session may change `base_url`."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    base_url: str | None = Field(default=None, max_length=2048)
    api_key: SecretStr | None = Field(
        default=None, description="Write-only. Replaces the stored key (needed with a new host)."
    )
    extra_headers: dict[str, str] | None = Field(
        default=None, description="Replaces all extra headers; {} removes them."
    )

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return check_base_url(value) if value is not None else None

    @field_validator("extra_headers")
    @classmethod
    def _headers(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return check_headers(value)

    @field_validator("api_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not 1 <= len(value.get_secret_value()) <= 2000:
            raise ValueError("API key must be 1 to 2000 characters")
        return value


class ProviderKey(CleanInput):
    api_key: SecretStr

    @field_validator("api_key")
    @classmethod
    def _key(cls, value: SecretStr) -> SecretStr:
        if not 1 <= len(value.get_secret_value()) <= 2000:
            raise ValueError("API key must be 1 to 2000 characters")
        return value


class ProviderOut(BaseModel):
    id: str
    name: str
    protocol: str
    base_url: str
    is_demo: bool
    archived: bool
    has_key: bool
    key_last4: str | None
    extra_header_names: list[str]
    created_at: datetime
    updated_at: datetime

    @field_validator("base_url")
    @classmethod
    def _masked(cls, value: str) -> str:
        return mask_query_credentials(value)


class ProviderErrorOut(BaseModel):
    category: str
    message: str
    status: int | None = None


class HealthOut(BaseModel):
    ok: bool
    latency_ms: float
    model_count: int | None = None
    error: ProviderErrorOut | None = None


class DiscoveredModel(BaseModel):
    model_id: str
    display_name: str | None = None
    context_window: int | None = None
    already_added: bool


class ModelImport(CleanInput):
    model_ids: list[str] = Field(min_length=1, max_length=200)


ModelCapability = Literal["chat", "embeddings"]


class ModelFields(CleanInput):
    capability: ModelCapability = Field(
        default="chat", description="chat: chat completions; embeddings: `/v1/embeddings`."
    )
    context_window: int | None = Field(default=None, ge=1, le=100_000_000)
    max_output_tokens: int | None = Field(default=None, ge=1, le=100_000_000)
    input_price: Decimal | None = Price
    output_price: Decimal | None = Price
    cached_input_price: Decimal | None = Price
    reasoning_price: Decimal | None = Price
    skipped_params: list[str] = Field(default_factory=list, max_length=50)
    notes: str = Field(default="", max_length=10_000)


class ModelCreate(ModelFields):
    provider_id: str = Field(max_length=32)
    model_id: str = Field(min_length=1, max_length=256)
    display_name: str | None = Field(default=None, min_length=1, max_length=200)


class ModelUpdate(CleanInput):
    """Changing `model_id` or `display_name` archives the model and returns its successor."""

    model_id: str | None = Field(default=None, min_length=1, max_length=256)
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    capability: ModelCapability | None = None
    context_window: int | None = Field(default=None, ge=1, le=100_000_000)
    max_output_tokens: int | None = Field(default=None, ge=1, le=100_000_000)
    input_price: Decimal | None = Price
    output_price: Decimal | None = Price
    cached_input_price: Decimal | None = Price
    reasoning_price: Decimal | None = Price
    skipped_params: list[str] | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=10_000)


class ModelOut(ModelFields):
    model_config = ConfigDict(from_attributes=True)

    id: str
    provider_id: str
    model_id: str
    display_name: str
    archived_at: datetime | None
    replaced_by_id: str | None
    created_at: datetime
    updated_at: datetime


ParamValue = str | int | float | bool | None | list[str | int | float | bool]


class ParameterSetIn(CleanInput):
    """A named bundle of request parameters (temperature, top_p, …), optionally for one model.

    Values are checked against the provider parameter registry when saved: the model's
    provider table when `model_ref_id` is set, otherwise each known parameter's spec."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    model_ref_id: str | None = Field(default=None, max_length=32)
    params: dict[str, ParamValue] = Field(default_factory=dict, max_length=50)

    @field_validator("params")
    @classmethod
    def _params(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not 1 <= len(key) <= 100:
                raise ValueError("parameter names must be 1 to 100 characters")
        return value


class ParameterSetOut(ParameterSetIn):
    model_config = ConfigDict(from_attributes=True)

    id: str
    created_at: datetime
    updated_at: datetime


class ParameterSpecOut(BaseModel):
    """One parameter of the provider registry, for the parameter-set editor's controls."""

    name: str
    type: str
    min: float | None = None
    max: float | None = None
    default: Any = None
    choices: list[Any] | None = None
    request_field: bool = Field(
        default=False,
        description=(
            "A field of the request itself (tool_choice), translated by each adapter: a tuner "
            "dimension and a run setting, never a parameter-set value."
        ),
    )


class AppliedParameterSet(BaseModel):
    """A parameter set as applied to one target: what took effect and what explicit values
    replaced. Stored with runs so history shows what ran."""

    parameter_set_id: str
    parameter_set_name: str
    # The set's values that took effect (explicit parameters win over the set).
    applied_params: dict[str, Any] = Field(default_factory=dict)
    # The set's parameter names an explicit value replaced.
    overridden: list[str] = Field(default_factory=list)


class DefaultsIn(CleanInput):
    model_ref_id: str | None = Field(default=None, max_length=32)
    # `profile_id` is the name used before parameter sets were renamed; still accepted.
    parameter_set_id: str | None = Field(
        default=None,
        max_length=32,
        validation_alias=AliasChoices("parameter_set_id", "profile_id"),
    )
    prompt_template_id: str | None = Field(default=None, max_length=32)
    preferences: dict[str, ParamValue] = Field(default_factory=dict, max_length=50)


class DefaultsOut(DefaultsIn):
    @computed_field(description="Deprecated: the same as parameter_set_id.")
    def profile_id(self) -> str | None:
        return self.parameter_set_id
