"""Command line: blendcc serve | migrate | demo | user, plus one module per area that adds its commands."""

from __future__ import annotations

from blendcc.cli import core  # noqa: F401  (each import registers that module's commands)
from blendcc.cli.base import app


def main() -> None:
    app()
