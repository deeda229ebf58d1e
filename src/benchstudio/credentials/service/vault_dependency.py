"""FastAPI dependency for the vault (built once per app from the settings' master keys).

It sits in the service role so that other domains' endpoints (which may use only a domain's
service, schemas or domain) can build contexts holding the vault; nothing else here is HTTP.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from benchstudio.credentials.service import Vault
from benchstudio.http.dependencies import SettingsDep


async def _app_vault(request: Request, settings: SettingsDep) -> Vault:
    vault = getattr(request.app.state, "vault", None)
    if not isinstance(vault, Vault):
        vault = Vault(settings.vault_key_list())
        request.app.state.vault = vault
    return vault


VaultDep = Annotated[Vault, Depends(_app_vault)]
