"""FastAPI dependencies shared by every router.

Dependencies that only read app state are `async def`: FastAPI runs plain `def` dependencies in
its thread pool, a thread round trip per dependency per request (measured: a history page
resolved a dozen of them, several milliseconds of CPU, for nothing).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from benchstudio.config import Settings
from benchstudio.storage.engine import Database


async def get_database(request: Request) -> Database:
    db = request.app.state.database
    assert isinstance(db, Database)
    return db


async def get_app_settings(request: Request) -> Settings:
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    return settings


DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
