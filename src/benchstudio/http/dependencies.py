"""FastAPI dependencies shared by every router.

Dependencies that only read app state are `async def`: FastAPI runs plain `def` dependencies in
its thread pool, a thread round trip per dependency per request (measured: a history page
resolved a dozen of them, several milliseconds of CPU, for nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from benchstudio.config import Settings
from benchstudio.core.tokens import TokenKeys
from benchstudio.storage.engine import Database


async def get_database(request: Request) -> Database:
    db = request.app.state.database
    assert isinstance(db, Database)
    return db


async def get_app_settings(request: Request) -> Settings:
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    return settings


def cached_on_app(request: Request, name: str, build: Callable[[], object]) -> object:
    """`app.state.<name>`, built once on first use (tests may set it beforehand)."""
    value = getattr(request.app.state, name, None)
    if value is None:
        value = build()
        setattr(request.app.state, name, value)
    return value


async def get_token_keys(
    request: Request, settings: Annotated[Settings, Depends(get_app_settings)]
) -> TokenKeys:
    keys = cached_on_app(
        request, "token_keys", lambda: TokenKeys(settings.secret_key.get_secret_value())
    )
    assert isinstance(keys, TokenKeys)
    return keys


DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
TokenKeysDep = Annotated[TokenKeys, Depends(get_token_keys)]
