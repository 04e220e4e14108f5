"""The Typer application and the helpers every command module shares (consoles, settings)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from blendcc.config import Settings
from blendcc.redaction import redact

app = typer.Typer(add_completion=False, no_args_is_help=True, help="blendcc contact centre")
err = Console(stderr=True)
out = Console()


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error and return the exit (code 2) to raise."""
    err.print(f"[red]error:[/red] {escape(redact(message))}")
    return typer.Exit(2)


def settings_or_exit(**overrides: object) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    except Exception as exc:  # pydantic ValidationError: bad environment or option
        raise fail(f"invalid settings: {exc}") from None
