"""The composition root: the FastAPI app factory, the `/api` router aggregation, the job types,
the job system's limits and audit hook, and the sign-up hooks (`benchstudio.__main__` hands
them to the command line).

Nothing imports this module (it sits above every package): wiring that used to happen by
import side effect (job types registering themselves, accounts seeding catalog rows) is
spelled out here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from sqlalchemy.exc import SQLAlchemyError

from benchstudio import __version__
from benchstudio.accounts.service import UserCreatedHook
from benchstudio.admin import endpoints as admin_endpoints
from benchstudio.admin.service.job_limits import AdminLimits
from benchstudio.audit.service import AuditRecorder
from benchstudio.auth import endpoints as auth_endpoints
from benchstudio.auth.endpoints.dependencies import BearerAuthenticator
from benchstudio.benchruns import endpoints as benchruns_endpoints
from benchstudio.benchruns.endpoints import MAX_IMPORT_BYTES
from benchstudio.benchruns.service.finishing import repair_runs as repair_benchmark_runs
from benchstudio.benchruns.service.finishing import run_follows_job as benchmark_follows_job
from benchstudio.benchruns.service.job_labels import describe_benchmark_jobs
from benchstudio.benchruns.tasks.child_processes import start_child_processes
from benchstudio.benchruns.tasks.handler import BENCHMARK_JOB
from benchstudio.catalog import endpoints as catalog_endpoints
from benchstudio.catalog.service import (
    CatalogContext,
    register_prompt_ownership_check,
    seed_demo_provider,
    system_move_url_credentials,
)
from benchstudio.config import Environment, Settings, ensure_startable, get_settings
from benchstudio.core.rate_window import WindowLimiter
from benchstudio.credentials.service import Vault
from benchstudio.evals import endpoints as evals_endpoints
from benchstudio.evals.runs.service.case_hooks import register_case_observer, register_finish_hook
from benchstudio.evals.runs.service.experiment_check import register_experiment_check
from benchstudio.evals.runs.service.job_labels import describe_eval_jobs
from benchstudio.evals.runs.service.lifecycle import repair_runs as repair_eval_runs
from benchstudio.evals.runs.service.lifecycle import run_follows_job as eval_follows_job
from benchstudio.evals.runs.service.run_figures import register_judge_pass_rates
from benchstudio.evals.runs.tasks import TOOL_EVAL_JOB
from benchstudio.evals.suites.domain import MAX_UPLOAD_BYTES
from benchstudio.experiments import endpoints as experiments_endpoints
from benchstudio.experiments.service.crud import owns_experiment
from benchstudio.http.api_docs import install_api_docs
from benchstudio.http.body_limit import MB, BodyLimitMiddleware, BodyLimits, BodyRule
from benchstudio.http.envelope import ERROR_RESPONSES
from benchstudio.http.error_handlers import install_error_handlers
from benchstudio.http.middleware import EdgeMiddleware
from benchstudio.http.spa import install_spa, resolve_web_dist
from benchstudio.jobs import endpoints as jobs_endpoints
from benchstudio.jobs.auditing import JobAuditor
from benchstudio.jobs.context import JobContext
from benchstudio.jobs.demo_jobs import DEMO_JOB
from benchstudio.jobs.limits import LimitsSource
from benchstudio.jobs.queue import is_memory_broker
from benchstudio.jobs.registry import HandlerRegistry
from benchstudio.jobs.runtime import JobRuntime
from benchstudio.jobs.service import JobService
from benchstudio.judge import endpoints as judge_endpoints
from benchstudio.judge.service.auto import auto_judge_after_eval
from benchstudio.judge.service.comparative import report_follows_job as pair_report_follows_job
from benchstudio.judge.service.prompt_source import register_prompt_source
from benchstudio.judge.service.report_jobs import repair_reports, report_follows_job
from benchstudio.judge.service.run_rates import judge_final_pass_rates
from benchstudio.judge.tasks.cases import JUDGE_CASES_JOB
from benchstudio.judge.tasks.compare import JUDGE_COMPARE_JOB
from benchstudio.judge.tasks.live import live_judge_factory
from benchstudio.judge.tasks.report import JUDGE_REPORT_JOB
from benchstudio.prompts import endpoints as prompts_endpoints
from benchstudio.prompts.service import owns_benchmark_prompt, record_use, resolve_prompt
from benchstudio.realtime import endpoints as realtime_endpoints
from benchstudio.realtime.state import Realtime
from benchstudio.speed.prompts import warm_corpus
from benchstudio.speed.tokenizer import load_encodings
from benchstudio.storage.engine import Database, DatabaseConfig, open_database
from benchstudio.storage.service_context import ServiceContext
from benchstudio.system.endpoints import health as system_health
from benchstudio.system.endpoints import meta as system_meta
from benchstudio.tuning import endpoints as tuning_endpoints
from benchstudio.tuning.service.lifecycle import describe_tune_jobs
from benchstudio.tuning.service.lifecycle import repair_runs as repair_tuner_runs
from benchstudio.tuning.service.lifecycle import run_follows_job as tuner_follows_job
from benchstudio.tuning.tasks import TUNE_JOB

log = logging.getLogger(__name__)


def database_config(settings: Settings) -> DatabaseConfig:
    return DatabaseConfig(url=settings.database_url, schema=settings.database_schema)


def job_registry(settings: Settings) -> HandlerRegistry:
    """Every job type; the server and `benchstudio worker` both use it, so a worker knows every
    type the API can submit (a type only it lacked would be refused as unknown). The job
    system's demo job only when enabled (test mode): it measures nothing and holds a slot."""
    registry = HandlerRegistry()
    if settings.demo_jobs_enabled:
        registry.register(DEMO_JOB)
    # Each run follows its job to its final state (in the job's last unit of work), and the
    # start-up repair catches runs whose job ended without them. The jobs list names each job
    # by its run and links to the run's page.
    registry.register(
        dataclasses.replace(
            BENCHMARK_JOB,
            on_ended=benchmark_follows_job,
            repair=repair_benchmark_runs,
            describe=describe_benchmark_jobs,
            label="Benchmark",
        )
    )
    registry.register(
        dataclasses.replace(
            TOOL_EVAL_JOB,
            on_ended=eval_follows_job,
            repair=repair_eval_runs,
            describe=describe_eval_jobs,
            label="Tool-calling eval",
        )
    )
    registry.register(
        dataclasses.replace(
            TUNE_JOB,
            on_ended=tuner_follows_job,
            repair=repair_tuner_runs,
            describe=describe_tune_jobs,
            label="Parameter tuner",
        )
    )
    registry.register(
        dataclasses.replace(
            JUDGE_CASES_JOB, on_ended=report_follows_job, repair=repair_reports, label="Judge"
        )
    )
    for job_type, label in (
        (JUDGE_COMPARE_JOB, "Judge comparison"),
        (JUDGE_REPORT_JOB, "Judge report"),
    ):
        registry.register(
            dataclasses.replace(job_type, on_ended=pair_report_follows_job, label=label)
        )
    # The judge rides along eval jobs: live judging per stored case, the auto-judge after.
    register_domain_hooks()  # a worker builds only this registry: its judge needs the library
    register_case_observer(live_judge_factory)
    register_finish_hook(_auto_judge)
    return registry


class _AutoJudge:
    """The eval job's finish hook: the auto-judge submits its jobs through a job service of
    the job's process. That service is the job runtime's own (given at start-up, so a submit
    wakes its dispatcher), else one built the first time and kept (a `benchstudio worker`),
    one per database."""

    def __init__(self) -> None:
        self._services: weakref.WeakKeyDictionary[Database, JobService] = (
            weakref.WeakKeyDictionary()
        )

    def use(self, database: Database, service: JobService) -> None:
        self._services[database] = service

    def service(self, ctx: JobContext) -> JobService:
        jobs = self._services.get(ctx.database)
        if jobs is None:
            limits = job_limits(ctx.database, ctx.settings)
            registry = job_registry(ctx.settings)
            jobs = JobService(ctx.database, ctx.publisher, limits, registry, auditor=JOB_AUDITOR)
            self._services[ctx.database] = jobs
        return jobs

    async def __call__(self, ctx: JobContext, run_id: str) -> None:
        await auto_judge_after_eval(ctx, run_id, self.service(ctx))


_auto_judge = _AutoJudge()


def job_limits(database: Database, settings: Settings) -> LimitsSource:
    """Per-user job limits for the job runtime: what admins set, else the server defaults."""
    return AdminLimits(database, settings)


# The job system writes its audit rows (a job started, a job cancelled) through this, in the
# unit of work that changes the job.
JOB_AUDITOR: JobAuditor = AuditRecorder()


async def _seed_demo_provider(joined: ServiceContext, user_id: str) -> None:
    await seed_demo_provider(joined.for_tenant(user_id))


# Each new user starts with the built-in simulator as a provider, in their creation unit.
USER_CREATED_HOOKS: tuple[UserCreatedHook, ...] = (_seed_demo_provider,)


async def _move_url_credentials(database: Database, vault: Vault, settings: Settings) -> None:
    """Provider URLs saved with a credential in the query, before those were refused, hand it
    to the vault. A database that cannot answer yet does not stop the start (`/healthz` says
    so); the repair runs at the next start, and responses mask such values meanwhile."""
    try:
        moved = await system_move_url_credentials(
            CatalogContext.from_settings(database, vault, settings)
        )
    except (SQLAlchemyError, OSError):
        log.warning("provider URL credentials not checked: database unavailable", exc_info=True)
        return
    if moved:
        log.info("moved provider URL credentials into the vault", extra={"providers": moved})


async def warm_start() -> None:
    """What a first request or job would otherwise wait for, done before serving: the fork
    server (its preload builds the tokenizers too) and the summary worker, started, and this
    process's tokenizers built (previews size prompts with them).

    Left to first use, the first benchmark after a start froze every request for 1-16 s
    (issue 17): the tokenizer build holds the GIL, and the first child's start waited for the
    fork server's preload. Threads here, so the fork server's preload and the tokenizer build
    run side by side.
    """
    children = asyncio.create_task(asyncio.to_thread(start_child_processes))
    await asyncio.to_thread(load_encodings)
    await asyncio.to_thread(warm_corpus)  # the default corpus, as the first preview sizes it
    try:
        await children
    except Exception:  # first use tries again (and says why, to the job that needed them)
        log.warning("the fork server or the summary worker did not start", exc_info=True)


def body_limits() -> BodyLimits:
    """Request-body caps at the edge: 2 MB by default, suites and their uploads 20 MB (plus
    room for the multipart framing; BFCL takes two files), the benchmark import its own cap,
    streamed to the route (which parses it itself)."""
    suite = MAX_UPLOAD_BYTES + MB
    return BodyLimits(
        rules=(
            BodyRule("POST", "/api/suites", suite),
            BodyRule("PUT", "/api/suites/[^/]+", suite),
            BodyRule("POST", "/api/suites/import", suite),
            BodyRule("POST", "/api/suites/import/bfcl", 2 * MAX_UPLOAD_BYTES + MB),
            BodyRule("POST", "/api/benchmarks/import", MAX_IMPORT_BYTES, check_nesting=False),
        )
    )


def build_api_router() -> APIRouter:
    """Every `/api` router, aggregated in one place."""
    api = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
    api.include_router(system_meta.router)
    api.include_router(auth_endpoints.router)
    api.include_router(catalog_endpoints.router)
    api.include_router(admin_endpoints.router)
    api.include_router(jobs_endpoints.router)
    api.include_router(realtime_endpoints.router)
    api.include_router(benchruns_endpoints.router)
    api.include_router(evals_endpoints.router)
    api.include_router(judge_endpoints.router)
    api.include_router(prompts_endpoints.router)
    api.include_router(experiments_endpoints.router)
    api.include_router(tuning_endpoints.router)
    return api


def register_domain_hooks() -> None:
    """Hooks a lower floor calls without importing the feature above it: the user's default
    prompt template (catalog) is a prompt-library entry, checked by the library; the judge
    reads its prompts from the library and records where they were used; evals and the judge
    file runs under experiments the caller owns; the eval runs list shows the judge-final pass
    rate the judge computes. Idempotent."""
    register_prompt_ownership_check(owns_benchmark_prompt)
    register_prompt_source(resolve_prompt, record_use)
    register_experiment_check(owns_experiment)
    register_judge_pass_rates(judge_final_pass_rates)


def create_app(
    settings: Settings | None = None, *, extra_routers: Sequence[APIRouter] = ()
) -> FastAPI:
    """Build the app; `extra_routers` are mounted before the SPA catch-all (used by tests)."""
    settings = ensure_startable(settings or get_settings())
    register_domain_hooks()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await warm_start()
        app.state.database = open_database(database_config(settings))
        app.state.vault = Vault(settings.vault_key_list())
        await _move_url_credentials(app.state.database, app.state.vault, settings)
        app.state.realtime = Realtime.from_settings(settings)
        await app.state.realtime.start()
        # Embedded: jobs run in this process. Scale-out: `benchstudio worker` runs them.
        app.state.jobs = JobRuntime(
            settings,
            app.state.database,
            app.state.realtime.hub,
            limits=job_limits(app.state.database, settings),
            auditor=JOB_AUDITOR,
            registry=job_registry(settings),
            execute=is_memory_broker(settings.broker_url),
            dispatch=settings.jobs_dispatcher,
        )
        _auto_judge.use(app.state.database, app.state.jobs.service)
        await app.state.jobs.start()
        log.info("benchstudio started", extra={"version": __version__, "env": settings.env.value})
        try:
            yield
        finally:
            await app.state.jobs.stop()
            await app.state.realtime.stop()
            await app.state.database.dispose()

    app = FastAPI(
        title="BenchStudio API",
        version=__version__,
        description="Measure how fast, how cheap and how good an LLM endpoint is.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.authenticator = BearerAuthenticator()
    app.state.user_created_hooks = USER_CREATED_HOOKS
    # Previews size prompts with the tokenizer: throttled per user (docs/security.md).
    app.state.preview_throttle = WindowLimiter(settings.benchmark_previews_per_minute, 60.0)
    install_error_handlers(app)
    app.include_router(system_health.router)
    app.include_router(build_api_router())
    app.include_router(realtime_endpoints.socket_router)
    for router in extra_routers:
        app.include_router(router)
    install_api_docs(app)
    install_spa(app, resolve_web_dist(settings.web_dist))
    app.add_middleware(BodyLimitMiddleware, limits=body_limits())
    app.add_middleware(  # added last: the outermost
        EdgeMiddleware,
        production=settings.env is Environment.PRODUCTION,
        trusted_proxies=settings.trusted_proxies,
    )
    return app
