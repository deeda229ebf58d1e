"""Which faults a resume gets past (interrupted) and which it cannot (failed), and the status a
job's run takes when the job ends."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError

from benchstudio.core.errors import AppError
from benchstudio.jobs.context import ResumableError, is_resumable
from benchstudio.jobs.domain import JobStatus, run_status_after
from benchstudio.jobs.runner import interrupted_reason


def _wrapped(cause: BaseException) -> AppError:
    try:
        raise AppError("could not store the batch") from cause
    except AppError as exc:
        return exc


@pytest.mark.parametrize(
    "exc",
    [
        ResumableError("The measuring process stopped unexpectedly (exit code -9)."),
        OperationalError("INSERT", {}, Exception("attempt to write a readonly database")),
        RedisConnectionError("Error 111 connecting to 127.0.0.1:6379."),
        ConnectionResetError("reset by peer"),
        MemoryError(),
        _wrapped(RedisConnectionError("down")),
    ],
)
def test_infrastructure_faults_and_resumable_errors_are_resumable(exc: BaseException) -> None:
    assert is_resumable(exc)


@pytest.mark.parametrize(
    "exc",
    [
        AppError("Unknown model 'gpt-9'."),
        ValueError("bad configuration"),
        KeyError("run_id"),
    ],
)
def test_configuration_errors_and_bugs_are_not_resumable(exc: BaseException) -> None:
    assert not is_resumable(exc)


def _raised_while_handling() -> ValueError:
    try:
        try:
            raise RedisConnectionError("down")
        except RedisConnectionError:
            raise ValueError("a bug while handling it")  # noqa: B904 (the point of the test)
    except ValueError as exc:
        return exc


def test_a_fault_in_the_context_alone_does_not_make_an_error_resumable() -> None:
    exc = _raised_while_handling()
    assert exc.__context__ is not None and not is_resumable(exc)


def test_the_reason_of_an_infrastructure_fault_says_the_job_can_be_resumed() -> None:
    reason = interrupted_reason(OperationalError("INSERT", {}, Exception("disk I/O error")))
    assert "OperationalError" in reason and "resume it" in reason
    own = "The measuring process stopped unexpectedly (exit code -9)."
    assert interrupted_reason(ResumableError(own)) == own


@pytest.mark.parametrize(
    ("job", "run", "expected"),
    [
        (JobStatus.FAILED, "running", "failed"),
        (JobStatus.INTERRUPTED, "running", "interrupted"),
        (JobStatus.INTERRUPTED, "queued", "interrupted"),
        (JobStatus.CANCELLED, "queued", "cancelled"),
        (JobStatus.INTERRUPTED, "failed", "interrupted"),  # the job's word is final
        (JobStatus.INTERRUPTED, "interrupted", None),
        (JobStatus.DONE, "completed", None),
        (JobStatus.DONE, "stopped", None),
        (JobStatus.DONE, "running", "failed"),  # the handler never finished it
        (JobStatus.RUNNING, "running", None),
    ],
)
def test_a_run_follows_its_ended_job(job: JobStatus, run: str, expected: str | None) -> None:
    assert run_status_after(job, run) == expected


def test_the_start_up_repair_of_an_active_run_follows_its_job_or_its_absence() -> None:
    from benchstudio.jobs.domain import (
        JOB_GONE,
        UNFINISHED_BY_DONE_JOB,
        JobEnding,
        JobStatus,
        repaired_run_state,
    )

    def ending(status: JobStatus, error: str | None = None) -> JobEnding:
        return JobEnding("j", "o", "t", {}, status, error)

    assert repaired_run_state("running", ending(JobStatus.INTERRUPTED, "killed"), True) == (
        "interrupted",
        "killed",
    )
    assert repaired_run_state("running", ending(JobStatus.DONE), True) == (
        "failed",
        UNFINISHED_BY_DONE_JOB,
    )
    assert repaired_run_state("completed", ending(JobStatus.DONE), True) is None
    assert repaired_run_state("running", None, False) == ("failed", JOB_GONE)
    assert repaired_run_state("running", None, True) is None  # its job still runs
