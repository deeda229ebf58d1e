"""Suite use cases: CRUD where every edit writes a new immutable version, export, the sample.

Suites are the owner's (`ctx.owner_id`); another user's suite answers 404 exactly like a
missing one. Deleting archives: runs keep pointing at the versions they ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit import service as audit
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AppError, ConflictError, NotFoundError
from benchstudio.evals.models import EvalSuite, EvalSuiteVersion
from benchstudio.evals.suites import repository
from benchstudio.evals.suites.domain import (
    SuiteSnapshot,
    build_suite,
    export_file_name,
    parse_case,
    sample_suite,
    snapshot_json,
    suite_from_content,
)
from benchstudio.evals.suites.schemas import (
    SuiteContent,
    SuiteDetail,
    SuiteOut,
    SuitePage,
    SuitePatch,
    SuiteSource,
    SuiteVersionOut,
)
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.schemas import Suite
from benchstudio.toolcall.suite_file import dump_suite


def _suite_of(version: EvalSuiteVersion) -> Suite:
    return Suite.model_validate(version.snapshot)


def _detail(row: EvalSuite, suite: Suite) -> SuiteDetail:
    return SuiteDetail.model_validate({**SuiteOut.model_validate(row).model_dump(), "suite": suite})


async def _owned(session: AsyncSession, owner_id: str, suite_id: str) -> EvalSuite:
    row = await repository.get_suite(session, owner_id, suite_id)
    if row is None:
        raise NotFoundError("No such suite.")
    return row


async def _current(session: AsyncSession, row: EvalSuite) -> Suite:
    version = await repository.get_version(session, row.owner_id, row.id, row.current_version)
    if version is None:  # every suite is written with its first version
        raise NotFoundError("No such suite version.")
    return _suite_of(version)


def _add_version(session: AsyncSession, row: EvalSuite, suite: Suite, note: str) -> Suite:
    """Write `suite` as the row's next version and update the row's summary columns."""
    number = row.current_version + 1
    suite = suite.model_copy(update={"version": number})
    session.add(
        EvalSuiteVersion(
            suite_id=row.id,
            owner_id=row.owner_id,
            version=number,
            snapshot=snapshot_json(suite),
            note=note[:500],
        )
    )
    row.current_version = number
    row.name, row.description = suite.name, suite.description
    row.case_count, row.tool_count = len(suite.cases), len(suite.tools)
    row.updated_at = utcnow()
    return suite


async def create_suite(
    ctx: ServiceContext,
    suite: Suite,
    source: SuiteSource = "own",
    import_hash: str | None = None,
) -> SuiteOut:
    async with ctx.unit() as session:
        now = utcnow()
        row = EvalSuite(
            owner_id=ctx.require_owner(),
            name=suite.name,
            source=source,
            import_hash=import_hash,
            current_version=0,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
        _add_version(session, row, suite, f"created ({source})")
        audit.record(
            session,
            "suite.created",
            actor_id=ctx.actor_id,
            target=row.id,
            detail={"source": source},
        )
        await session.flush()
        return SuiteOut.model_validate(row)


async def list_suites(
    ctx: ServiceContext, search: str | None, limit: int, offset: int
) -> SuitePage:
    async with ctx.read() as session:
        rows, total = await repository.list_suites(
            session, ctx.require_owner(), search, limit, offset
        )
        items = [SuiteOut.model_validate(row) for row in rows]
    return SuitePage(items=items, total=total, limit=limit, offset=offset)


async def get_suite(ctx: ServiceContext, suite_id: str) -> SuiteDetail:
    async with ctx.read() as session:
        row = await _owned(session, ctx.require_owner(), suite_id)
        suite = await _current(session, row)
        return _detail(row, suite)


async def list_versions(ctx: ServiceContext, suite_id: str) -> list[SuiteVersionOut]:
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        await _owned(session, owner_id, suite_id)
        versions = await repository.list_versions(session, owner_id, suite_id)
        return [
            SuiteVersionOut(
                version=v.version,
                case_count=len(v.snapshot.get("cases", [])),
                note=v.note,
                created_at=v.created_at,
            )
            for v in versions
        ]


async def load_snapshot(
    ctx: ServiceContext, suite_id: str, version: int | None = None
) -> SuiteSnapshot:
    """A version of an active suite (default: the current one)."""
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        row = await _owned(session, owner_id, suite_id)
        number = version or row.current_version
        found = await repository.get_version(session, owner_id, suite_id, number)
        if found is None:
            raise NotFoundError(f"The suite has no version {number}.")
        return SuiteSnapshot(row.id, found.id, found.version, _suite_of(found))


async def snapshot_by_version_id(ctx: ServiceContext, version_id: str) -> Suite:
    """The snapshot a run points at (also for archived suites)."""
    async with ctx.read() as session:
        found = await repository.get_version_by_id(session, ctx.require_owner(), version_id)
        if found is None:
            raise NotFoundError("No such suite version.")
        return _suite_of(found)


async def _edit(
    ctx: ServiceContext, suite_id: str, note: str, change: Callable[[Suite], Suite]
) -> SuiteDetail:
    async with ctx.unit() as session:
        row = await _owned(session, ctx.require_owner(), suite_id)
        suite = _add_version(session, row, change(await _current(session, row)), note)
        audit.record(
            session,
            "suite.edited",
            actor_id=ctx.actor_id,
            target=suite_id,
            detail={"version": row.current_version, "note": note},
        )
        await session.flush()
        return _detail(row, suite)


async def replace_suite(ctx: ServiceContext, suite_id: str, content: SuiteContent) -> SuiteDetail:
    new = suite_from_content(content)
    return await _edit(ctx, suite_id, "replaced", lambda _: new)


async def restore_version(ctx: ServiceContext, suite_id: str, version: int) -> SuiteDetail:
    """Save an earlier version's content again as the newest version (none is lost)."""
    earlier = (await load_snapshot(ctx, suite_id, version)).suite
    return await _edit(ctx, suite_id, f"restored version {version}", lambda _: earlier)


async def patch_suite(ctx: ServiceContext, suite_id: str, patch: SuitePatch) -> SuiteDetail:
    changes = patch.model_dump(mode="json", exclude_unset=True)

    def apply(current: Suite) -> Suite:
        if not changes:  # checked after the ownership check: a 404 comes first
            raise AppError("Nothing to change.", code="empty_patch", status_code=422)
        return build_suite({**current.model_dump(mode="json"), **changes})

    return await _edit(ctx, suite_id, f"edited {', '.join(sorted(changes))}", apply)


async def add_cases(ctx: ServiceContext, suite_id: str, cases: list[dict[str, Any]]) -> SuiteDetail:
    def apply(current: Suite) -> Suite:
        new = [parse_case(value, position) for position, value in enumerate(cases)]
        existing = {case.id for case in current.cases}
        clashes = [case.id for case in new if case.id in existing]
        if clashes:
            raise ConflictError(f"Case ids already in the suite: {', '.join(clashes[:10])}")
        values = current.model_dump(mode="json")
        values["cases"] += [case.model_dump(mode="json") for case in new]
        return build_suite(values)

    return await _edit(ctx, suite_id, f"added {len(cases)} case(s)", apply)


async def remove_case(ctx: ServiceContext, suite_id: str, case_id: str) -> SuiteDetail:
    def apply(current: Suite) -> Suite:
        kept = [case for case in current.cases if case.id != case_id]
        if len(kept) == len(current.cases):
            raise NotFoundError("No such case in this suite.")
        return current.model_copy(update={"cases": kept})

    return await _edit(ctx, suite_id, f"removed case {case_id}", apply)


async def archive_suite(ctx: ServiceContext, suite_id: str) -> None:
    """Refused while one of its runs is queued or running: the user cancels it first (a
    deleted suite never disappears under a run; finished runs keep their snapshots)."""
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        row = await _owned(session, owner_id, suite_id)
        active = await repository.count_active_runs(session, owner_id, suite_id)
        if active:
            raise ConflictError(
                f"{active} eval run(s) of this suite are still going: cancel them first, "
                "then delete the suite.",
                code="suite_in_use",
            )
        row.archived_at = utcnow()
        audit.record(session, "suite.archived", actor_id=ctx.actor_id, target=suite_id)


async def export_suite(ctx: ServiceContext, suite_id: str, version: int | None) -> tuple[str, str]:
    """(file name, suite file text) of a version of the owner's suite."""
    snapshot = await load_snapshot(ctx, suite_id, version)
    return export_file_name(snapshot), dump_suite(snapshot.suite)


async def copy_sample(ctx: ServiceContext) -> SuiteOut:
    """The shipped sample as a suite of the caller's own (a fresh copy each time)."""
    return await create_suite(ctx, sample_suite().model_copy(update={"version": 1}), "sample")
