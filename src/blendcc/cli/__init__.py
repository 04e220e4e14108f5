"""Command line: blendcc serve | migrate | demo | user, plus one module per area that adds its commands."""

from __future__ import annotations

from blendcc.cli import (  # each import registers that module's commands
    agents,  # noqa: F401
    backup,  # noqa: F401  (registers backup, restore)
    core,  # noqa: F401
    dialer,  # noqa: F401
    history,  # noqa: F401
    report,  # noqa: F401
    sim,  # noqa: F401
    sim_staff,  # noqa: F401
    wfm_forecast,  # noqa: F401
    wfm_schedule,  # noqa: F401
    wfm_staff,  # noqa: F401
    whatif,  # noqa: F401
)
from blendcc.cli.base import app


def main() -> None:
    from blendcc.redaction import install

    install()  # every command's log lines are redacted (tokens, passwords, database URL passwords)
    app()
