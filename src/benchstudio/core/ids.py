"""Identifiers: sortable random ids for rows and request ids."""

from __future__ import annotations

import os
import re
import time

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{6,128}$")


def new_id() -> str:
    """A 26-char, time-sortable, random hex id (48-bit ms time + 56 random bits)."""
    return f"{int(time.time() * 1000):012x}{os.urandom(7).hex()}"


def new_request_id() -> str:
    return "req_" + os.urandom(12).hex()


def accept_request_id(candidate: str | None) -> str:
    """Keep a caller's request id when it is sane, otherwise issue a new one."""
    if candidate and _REQUEST_ID_RE.match(candidate):
        return candidate
    return new_request_id()
