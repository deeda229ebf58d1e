"""The context of tuner use cases that reach the catalog (targets, prices, adapters) or the job
system (a run's job): the base context plus both, as evals have (ADR 0011)."""

from __future__ import annotations

from dataclasses import dataclass

from benchstudio.catalog.service import CatalogContext
from benchstudio.evals.service import EvalContext
from benchstudio.jobs.service import JobService
from benchstudio.storage.service_context import ServiceContext


@dataclass(frozen=True, kw_only=True)
class TuningContext(ServiceContext):
    catalog: CatalogContext
    jobs: JobService

    def evals(self) -> EvalContext:
        """The same caller, as the eval use cases the tuner reuses take it."""
        return EvalContext(
            db=self.db,
            owner_id=self.owner_id,
            actor_id=self.actor_id,
            catalog=self.catalog,
            jobs=self.jobs,
        )
