"""`benchstudio simulate` (placeholder until the simulator lands: exits 2)."""

from benchstudio.cli.not_built import refuse_not_built


def simulate() -> None:
    """Run the built-in LLM simulator (not built yet)."""
    refuse_not_built("simulate")
