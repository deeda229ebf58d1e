"""The key vault: provider keys and extra headers, encrypted at rest with MultiFernet.

This is the ONLY module that decrypts a stored secret, and it hands the plaintext straight to a
provider adapter (`open_adapter`), or, for the measuring child, as one provider's
`ProviderAccess` (never the master keys). Each ciphertext embeds its provider id, so a ciphertext
copied onto another provider's row does not decrypt there. The master keys come from settings
(`BENCHSTUDIO_VAULT_KEYS`, comma-separated, newest first); `rotate_all` re-encrypts every row
under the newest key.

Use cases take a `ServiceContext` first (ADR 0011); those that write join the caller's unit
when it passes one (`ctx.with_session(session)`), so secrets commit with the provider row.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.net import EgressPolicy, create_egress_session
from benchstudio.credentials.domain import (
    KeyStatus,
    join_header_names,
    last4_hint,
    split_header_names,
)
from benchstudio.credentials.models import ProviderCredential
from benchstudio.providers.base import ProviderAdapter
from benchstudio.providers.factory import PROTOCOLS, create_adapter
from benchstudio.storage.service_context import ServiceContext


class VaultError(RuntimeError):
    """A stored secret cannot be decrypted (wrong master key or tampered row)."""


class Vault:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise VaultError("no vault keys configured (BENCHSTUDIO_VAULT_KEYS)")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except ValueError as exc:
            raise VaultError("a vault key is not a valid Fernet key") from exc

    def seal(self, provider_id: str, api_key: str | None, headers: dict[str, str]) -> str:
        payload = {"provider_id": provider_id, "api_key": api_key, "headers": headers}
        return self._fernet.encrypt(json.dumps(payload).encode()).decode()

    def unseal(self, provider_id: str, ciphertext: str) -> dict[str, Any]:
        try:
            payload = json.loads(self._fernet.decrypt(ciphertext.encode()))
        except (InvalidToken, ValueError) as exc:
            raise VaultError("stored secret cannot be decrypted") from exc
        if not isinstance(payload, dict) or payload.get("provider_id") != provider_id:
            raise VaultError("stored secret belongs to another provider")
        return payload

    def seal_record(self, binding: str, record: dict[str, str]) -> str:
        """Encrypt another domain's secret `record` (a webhook's URL and HMAC secret) bound to
        `binding` (its row's id, prefixed by its kind), as provider keys are bound to theirs."""
        return self._fernet.encrypt(json.dumps({"binding": binding, **record}).encode()).decode()

    def unseal_record(self, binding: str, ciphertext: str) -> dict[str, str]:
        try:
            payload = json.loads(self._fernet.decrypt(ciphertext.encode()))
        except (InvalidToken, ValueError) as exc:
            raise VaultError("stored secret cannot be decrypted") from exc
        if not isinstance(payload, dict) or payload.pop("binding", None) != binding:
            raise VaultError("stored secret belongs to another record")
        return {str(k): str(v) for k, v in payload.items()}

    def rotate(self, ciphertext: str) -> str:
        try:
            return self._fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise VaultError("a stored secret matches none of the vault keys") from exc


@dataclass(frozen=True)
class ProviderEndpoint:
    """Where and how to reach a provider; secrets are added here, never by the caller."""

    provider_id: str
    owner_id: str
    protocol: str
    base_url: str


class _Unset:
    pass


UNSET: Any = _Unset()


async def _row(session: AsyncSession, owner_id: str, provider_id: str) -> ProviderCredential | None:
    query = select(ProviderCredential).where(
        ProviderCredential.provider_id == provider_id, ProviderCredential.owner_id == owner_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def store_secrets(
    ctx: ServiceContext,
    vault: Vault,
    *,
    provider_id: str,
    api_key: str | _Unset | None = UNSET,
    headers: dict[str, str] | _Unset | None = UNSET,
) -> KeyStatus:
    """Set (or with None clear) the key and/or the extra headers of the owner's provider."""
    async with ctx.unit() as session:
        return await _store(session, vault, ctx.require_owner(), provider_id, api_key, headers)


async def _store(
    session: AsyncSession,
    vault: Vault,
    owner_id: str,
    provider_id: str,
    api_key: str | _Unset | None,
    headers: dict[str, str] | _Unset | None,
) -> KeyStatus:
    row = await _row(session, owner_id, provider_id)
    current = vault.unseal(provider_id, row.ciphertext) if row else {}
    new_key = current.get("api_key") if isinstance(api_key, _Unset) else api_key
    new_headers = current.get("headers") or {} if isinstance(headers, _Unset) else headers or {}
    if not new_key and not new_headers:
        if row is not None:
            await session.delete(row)
        return KeyStatus()
    ciphertext = vault.seal(provider_id, new_key or None, new_headers)
    hint = last4_hint(new_key) if new_key else None
    # "" records "a key is set, too short to show a hint"; None means no key.
    stored_hint = hint if hint is not None else ("" if new_key else None)
    names = join_header_names(new_headers)
    if row is None:
        row = ProviderCredential(provider_id=provider_id, owner_id=owner_id, ciphertext="")
        session.add(row)
    row.ciphertext, row.key_last4, row.header_names = ciphertext, stored_hint, names
    return KeyStatus(bool(new_key), hint, split_header_names(names))


async def statuses(ctx: ServiceContext, provider_ids: list[str]) -> dict[str, KeyStatus]:
    """Whether each of the owner's providers has a key, its last four characters and headers."""
    if not provider_ids:
        return {}
    query = select(ProviderCredential).where(
        ProviderCredential.owner_id == ctx.require_owner(),
        ProviderCredential.provider_id.in_(provider_ids),
    )
    async with ctx.read() as session:
        rows = list((await session.execute(query)).scalars())
    return {
        r.provider_id: KeyStatus(
            has_key=r.key_last4 is not None,
            key_last4=r.key_last4 or None,
            header_names=split_header_names(r.header_names),
        )
        for r in rows
    }


async def rotate_all(ctx: ServiceContext, vault: Vault) -> int:
    """Re-encrypt every stored secret under the newest master key; returns rows rewritten.

    A system call: every owner's rows (the context carries no owner)."""
    count = 0
    async with ctx.unit() as session:
        for row in (await session.execute(select(ProviderCredential))).scalars():
            row.ciphertext = vault.rotate(row.ciphertext)
            count += 1
    return count


@dataclass(frozen=True)
class ProviderAccess:
    """One provider's endpoint with its decrypted key, headers and egress policy: exactly what
    one adapter needs. The measuring child gets these for its own targets instead of the vault:
    they unlock one provider of one user, where the master keys would unlock every row."""

    protocol: str
    base_url: str
    api_key: str | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    policy: EgressPolicy = field(default_factory=EgressPolicy)


async def unseal_access(
    ctx: ServiceContext, vault: Vault, endpoint: ProviderEndpoint, *, policy: EgressPolicy
) -> ProviderAccess:
    if endpoint.protocol not in PROTOCOLS:
        raise VaultError(f"unknown protocol {endpoint.protocol!r}")
    if endpoint.owner_id != ctx.require_owner():
        raise VaultError("the endpoint belongs to another owner")
    async with ctx.read() as session:
        row = await _row(session, endpoint.owner_id, endpoint.provider_id)
        ciphertext = row.ciphertext if row else None
    secrets = vault.unseal(endpoint.provider_id, ciphertext) if ciphertext else {}
    return ProviderAccess(
        endpoint.protocol,
        endpoint.base_url,
        secrets.get("api_key") or None,
        dict(secrets.get("headers") or {}),
        policy,
    )


def adapter_for(access: ProviderAccess) -> AbstractAsyncContextManager[ProviderAdapter]:
    """An adapter holding the key, on an egress-guarded session closed on exit.

    Not a use case (no database, no tenant): the measuring child calls it with its own access.
    """
    return _adapter_for(access)


@asynccontextmanager
async def _adapter_for(access: ProviderAccess) -> AsyncIterator[ProviderAdapter]:
    http = create_egress_session(access.policy)
    try:
        yield create_adapter(
            access.protocol,
            access.base_url,
            access.api_key,
            session=http,
            extra_headers=dict(access.headers),
        )
    finally:
        await http.close()


@asynccontextmanager
async def open_adapter(
    ctx: ServiceContext,
    vault: Vault,
    endpoint: ProviderEndpoint,
    *,
    policy: EgressPolicy,
) -> AsyncIterator[ProviderAdapter]:
    """An adapter holding the decrypted key, on an egress-guarded session closed on exit.

    Deadlines are the caller's (per request `timeout_s`, or `asyncio.timeout` around calls).
    """
    access = await unseal_access(ctx, vault, endpoint, policy=policy)
    async with _adapter_for(access) as adapter:
        yield adapter
