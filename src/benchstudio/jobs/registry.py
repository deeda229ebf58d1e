"""The one registry of job types: handler, timeout and submit-time limit checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from benchstudio.core.errors import AppError
from benchstudio.jobs.domain import UserLimits

if TYPE_CHECKING:
    from benchstudio.jobs.context import JobContext

JobHandler = Callable[["JobContext"], Awaitable[Mapping[str, Any] | None]]
LimitCheck = Callable[[Mapping[str, Any], UserLimits], None]

DEFAULT_TIMEOUT_S = 6 * 3600.0


@dataclass(frozen=True)
class JobType:
    """A kind of job. The handler is a loop over small units, each stored as it finishes."""

    name: str
    handler: JobHandler
    timeout_s: float = DEFAULT_TIMEOUT_S
    check_limits: LimitCheck | None = None
    # Whether `POST /api/jobs` may start it with plain parameters.
    public_submit: bool = False


class UnknownJobTypeError(AppError):
    status_code = 400
    code = "unknown_job_type"


class HandlerRegistry:
    def __init__(self) -> None:
        self._types: dict[str, JobType] = {}

    def register(self, job_type: JobType) -> None:
        if job_type.name in self._types:
            raise ValueError(f"job type {job_type.name!r} is registered twice")
        self._types[job_type.name] = job_type

    def get(self, name: str) -> JobType:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownJobTypeError(f"Unknown job type {name!r}.") from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def names(self) -> list[str]:
        return sorted(self._types)
