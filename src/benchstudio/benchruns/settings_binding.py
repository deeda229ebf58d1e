"""Which settings a benchmark job's measuring child gets.

`JobContext` carries the database but not the settings, and the child needs them (database
address, vault keys, demo simulator address, egress mode). The API binds its settings to its
database when it starts (the benchmarks router's lifespan); a process without a binding (a
`benchstudio worker`) uses the process settings, which come from its environment.
"""

from __future__ import annotations

from benchstudio.config import Settings, get_settings
from benchstudio.storage.engine import Database

_BOUND: dict[int, tuple[Database, Settings]] = {}


def bind_settings(database: Database, settings: Settings) -> None:
    _BOUND[id(database)] = (database, settings)


def unbind_settings(database: Database) -> None:
    _BOUND.pop(id(database), None)


def settings_for(database: Database) -> Settings:
    bound = _BOUND.get(id(database))
    if bound is not None and bound[0] is database:
        return bound[1]
    return get_settings()
