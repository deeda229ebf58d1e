"""Query filters shared by list endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from benchstudio.core.input_types import QueryText

# `?status=a&status=b`: any of these statuses (none given: all).
StatusFilter = Annotated[list[QueryText], Query(default_factory=list)]
