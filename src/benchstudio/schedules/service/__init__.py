"""Schedule use cases: `crud` (save, list, preview the next occurrences, the occurrence log),
`dispatch` (one dispatcher pass: due occurrences claimed once, their runs submitted as the
owner), `outcomes` (a run's end feeds back: failures pause), `periodic` (the pass in the
server's lifespan, one leader at a time).

Time comes only from `ScheduleContext.clock`, so tests move it (time travel)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from benchstudio.benchruns.service import BenchContext
from benchstudio.catalog.service import CatalogContext
from benchstudio.config import Settings
from benchstudio.core.clock import utcnow
from benchstudio.credentials.service import Vault
from benchstudio.evals.service import EvalContext
from benchstudio.jobs.runtime import JobRuntime
from benchstudio.storage.service_context import ServiceContext


@dataclass(frozen=True, kw_only=True)
class ScheduleContext(ServiceContext):
    """The base context plus what submitting runs as the owner needs (the vault, the settings
    and the job runtime, as the benchmark and eval routes have them) and the clock."""

    settings: Settings
    vault: Vault
    jobs: JobRuntime
    clock: Callable[[], datetime] = field(default=utcnow)

    def catalog(self, owner_id: str) -> CatalogContext:
        return CatalogContext.from_settings(self.db, self.vault, self.settings, owner_id=owner_id)

    def bench(self, owner_id: str) -> BenchContext:
        """The benchmark service's context, acting as `owner_id`."""
        catalog = self.catalog(owner_id)
        return BenchContext(
            db=self.db, owner_id=owner_id, actor_id=owner_id, catalog=catalog, jobs=self.jobs
        )

    def evals(self, owner_id: str) -> EvalContext:
        """The eval service's context, acting as `owner_id`."""
        catalog = self.catalog(owner_id)
        return EvalContext(
            db=self.db,
            owner_id=owner_id,
            actor_id=owner_id,
            catalog=catalog,
            jobs=self.jobs.service,
        )
