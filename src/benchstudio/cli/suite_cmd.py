"""`benchstudio suite` (not built yet: exits 2)."""

import typer

from benchstudio.cli.not_built import refuse_not_built

app = typer.Typer(help="suite (not built yet)", invoke_without_command=True)


@app.callback()
def suite_not_built() -> None:
    """Not built yet."""
    refuse_not_built("suite")
