"""FastAPI dependency for the vault (built once per app from the settings' master keys)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from benchstudio.credentials.service import Vault
from benchstudio.http.dependencies import SettingsDep


async def get_vault(request: Request, settings: SettingsDep) -> Vault:
    vault = getattr(request.app.state, "vault", None)
    if not isinstance(vault, Vault):
        vault = Vault(settings.vault_key_list())
        request.app.state.vault = vault
    return vault


VaultDep = Annotated[Vault, Depends(get_vault)]
