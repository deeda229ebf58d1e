"""The `benchstudio` command (also `python -m benchstudio`): the command line, wired to the
composition root, which loads only when a command needs the server (fast start)."""

from __future__ import annotations

from benchstudio.cli.main import run
from benchstudio.cli.wiring import ServerWiring


def _server_wiring() -> ServerWiring:
    from benchstudio import app  # FastAPI and every domain: only `serve`, `worker`, create-user

    return ServerWiring(
        app.create_app,
        app.job_registry,
        app.job_limits,
        app.USER_CREATED_HOOKS,
        job_auditor=app.JOB_AUDITOR,
    )


def main() -> None:
    run(_server_wiring)


if __name__ == "__main__":
    main()
