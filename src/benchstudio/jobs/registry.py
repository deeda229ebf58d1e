"""The one registry of job types: handler, timeout and the estimate the limits are checked on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from benchstudio.core.errors import AppError
from benchstudio.jobs.domain import JobEstimate

if TYPE_CHECKING:
    from benchstudio.jobs.context import JobContext

JobHandler = Callable[["JobContext"], Awaitable[Mapping[str, Any] | None]]
# What a job plans to send and may cost, from its params (the submit checks the limits on it).
Estimator = Callable[[Mapping[str, Any]], JobEstimate]

DEFAULT_TIMEOUT_S = 6 * 3600.0


@dataclass(frozen=True)
class JobType:
    """A kind of job. The handler is a loop over small units, each stored as it finishes."""

    name: str
    handler: JobHandler
    timeout_s: float = DEFAULT_TIMEOUT_S
    # Required: every job type says what it sends and costs (`no_cost` for none).
    estimate: Estimator = field(kw_only=True)
    # Whether `POST /api/jobs` may start it with plain parameters; such a type declares them
    # as a model whose every field is bounded, and submit validates against it (422).
    public_submit: bool = False
    params_model: type[BaseModel] | None = None

    def __post_init__(self) -> None:
        if self.public_submit and self.params_model is None:
            raise ValueError(f"public job type {self.name!r} needs a params_model (bounded)")

    def public_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """`params` checked against the type's model (raises pydantic's ValidationError)."""
        assert self.params_model is not None
        model = self.params_model.model_validate(dict(params))
        return model.model_dump(mode="json", exclude_unset=True)


def no_cost(params: Mapping[str, Any]) -> JobEstimate:
    """The estimate of a job type that calls no model."""
    return JobEstimate()


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
