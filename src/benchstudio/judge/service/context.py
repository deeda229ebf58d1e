"""The context of judge use cases that reach the catalog (judge models) or the job system."""

from __future__ import annotations

from dataclasses import dataclass

from benchstudio.catalog.service import CatalogContext
from benchstudio.jobs.service import JobService
from benchstudio.storage.service_context import ServiceContext


@dataclass(frozen=True, kw_only=True)
class JudgeContext(ServiceContext):
    catalog: CatalogContext
    jobs: JobService
