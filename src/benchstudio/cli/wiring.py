"""What `serve`, `worker` and `admin create-user` need from the composition root.

The CLI sits below the composition root (`benchstudio.app`), so the entry point
(`benchstudio.__main__`) hands in a loader; it runs only when a command needs the server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from benchstudio.accounts.service import UserCreatedHook
    from benchstudio.config import Settings
    from benchstudio.jobs.auditing import JobAuditor
    from benchstudio.jobs.limits import LimitsSource
    from benchstudio.jobs.registry import HandlerRegistry
    from benchstudio.storage.engine import Database


@dataclass(frozen=True)
class ServerWiring:
    create_app: Callable[[Settings], FastAPI]
    job_registry: Callable[[Settings], HandlerRegistry]
    job_limits: Callable[[Database, Settings], LimitsSource]
    user_created_hooks: tuple[UserCreatedHook, ...]
    job_auditor: JobAuditor


WiringLoader = Callable[[], ServerWiring]
_loaders: list[WiringLoader] = []


def install_wiring(load: WiringLoader) -> None:
    _loaders[:] = [load]


def installed_wiring() -> ServerWiring:
    if not _loaders:
        raise RuntimeError("start the command line through `benchstudio` (benchstudio.__main__)")
    return _loaders[0]()
