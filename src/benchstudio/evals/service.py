"""The context of eval use cases that reach the catalog or the job system (ADR 0011).

Suites need nothing beyond the base `ServiceContext`; a run's submit, detail and delete also
need the caller's catalog (targets and adapters) and the job system (its job's state).
"""

from __future__ import annotations

from dataclasses import dataclass

from benchstudio.catalog.service import CatalogContext
from benchstudio.jobs.service import JobService
from benchstudio.storage.service_context import ServiceContext


@dataclass(frozen=True, kw_only=True)
class EvalContext(ServiceContext):
    catalog: CatalogContext
    jobs: JobService
