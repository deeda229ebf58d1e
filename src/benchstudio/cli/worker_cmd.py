"""`benchstudio worker` (scale-out job worker; not built yet: exits 2)."""

from benchstudio.cli.not_built import refuse_not_built


def worker() -> None:
    """Run jobs from the Redis queue (not built yet)."""
    refuse_not_built("worker")
