"""``zhifa cases …``: the supervision scan from the command line, once or as a loop (several may
run side by side on PostgreSQL: each warning, flag and notification is still written once)."""

from __future__ import annotations

from typing import Annotated

import typer

cases_app = typer.Typer(help="Case procedure: supervision scan (docs/cases.md)", no_args_is_help=True)


@cases_app.command("scan")
def scan(
    loop: Annotated[bool, typer.Option("--loop", help="keep scanning until SIGTERM/Ctrl-C")] = False,
    interval: Annotated[float, typer.Option(help="seconds between scans (with --loop)")] = 60.0,
    batch: Annotated[int, typer.Option(help="deadlines claimed per transaction")] = 500,
) -> None:
    """Run the case deadline scan: warnings, missed deadlines, overdue fines, unscheduled years.
    Prints a JSON summary (with ``--loop``, at the end, with the ids this process flagged)."""
    from zhifa.cases.scanner import run_scanner, scan_once
    from zhifa.core.scancli import scan_command

    scan_command(scan_once, run_scanner, loop=loop, interval=interval, batch=batch, details=lambda t: t.details())
