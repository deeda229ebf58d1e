"""The one registry of job types: handler, timeout and the estimate the limits are checked on."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.errors import AppError
from benchstudio.jobs.domain import JobEnding, JobEstimate, JobLabel
from benchstudio.storage.engine import Database
from benchstudio.storage.service_context import ServiceContext

if TYPE_CHECKING:
    from benchstudio.jobs.context import JobContext

JobHandler = Callable[["JobContext"], Awaitable[Mapping[str, Any] | None]]
# What a job plans to send and may cost, from its params (the submit checks the limits on it).
Estimator = Callable[[Mapping[str, Any]], JobEstimate]
# Called in the unit of work that writes a job's final state, with a context joined to it (the
# job's owner): the domain's rows (its run) follow the job, or neither changes.
EndedHook = Callable[[ServiceContext, JobEnding], Awaitable[None]]
# Called at server and worker start (system context): repair the domain's rows whose job
# ended (or is gone) without them following; returns how many it repaired.
RepairHook = Callable[[ServiceContext], Awaitable[int]]
# Names jobs for people (their run's title) and says where their results are, from each job's
# (id, params); a system context, the jobs being already the caller's. Jobs it leaves out get
# the type's `label`.
DescribeHook = Callable[
    [ServiceContext, Sequence[tuple[str, Mapping[str, Any]]]], Awaitable[Mapping[str, JobLabel]]
]

log = logging.getLogger(__name__)

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
    # Set by the composition root (`app.job_registry`), implemented by the domain's service.
    on_ended: EndedHook | None = field(default=None, kw_only=True)
    repair: RepairHook | None = field(default=None, kw_only=True)
    describe: DescribeHook | None = field(default=None, kw_only=True)
    # What a job of this type is called when its domain cannot say more ("Benchmark").
    label: str = field(default="", kw_only=True)

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

    async def job_ended(
        self, database: Database, session: AsyncSession, endings: Sequence[JobEnding]
    ) -> None:
        """Run each ended job's `on_ended` hook in `session`, the unit that ends the job.

        A hook that fails is rolled back to its savepoint and logged, never the job's final
        state: the start-up repair makes the domain's rows follow later.
        """
        for ending in endings:
            spec = self._types.get(ending.type)
            if spec is None or spec.on_ended is None:
                continue
            joined = ServiceContext.for_owner(database, ending.owner_id).with_session(session)
            try:
                async with session.begin_nested():
                    await spec.on_ended(joined, ending)
            except Exception:
                log.exception("a job's on_ended hook failed", extra={"job_id": ending.job_id})

    def label_of(self, name: str) -> str:
        spec = self._types.get(name)
        if spec is not None and spec.label:
            return spec.label
        return name.replace(".", " ").replace("_", " ").capitalize()

    async def describe(
        self, database: Database, jobs: Sequence[tuple[str, str, Mapping[str, Any]]]
    ) -> dict[str, JobLabel]:
        """A label for each (job id, type, params): its domain's, else the type's name."""
        labels = {job_id: JobLabel(self.label_of(kind)) for job_id, kind, _ in jobs}
        by_type: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
        for job_id, kind, params in jobs:
            by_type.setdefault(kind, []).append((job_id, params))
        for kind, items in by_type.items():
            spec = self._types.get(kind)
            if spec is None or spec.describe is None:
                continue
            try:
                found = await spec.describe(ServiceContext.system(database), items)
            except Exception:
                log.exception("a job type's describe hook failed", extra={"job_type": kind})
                continue
            labels.update({job_id: label for job_id, label in found.items() if job_id in labels})
        return labels

    async def repair(self, database: Database) -> int:
        """Every type's start-up repair; one failing does not stop the others."""
        repaired = 0
        for name in self.names():
            hook = self._types[name].repair
            if hook is None:
                continue
            try:
                repaired += await hook(ServiceContext.system(database))
            except Exception:
                log.exception("a job type's start-up repair failed", extra={"job_type": name})
        return repaired
