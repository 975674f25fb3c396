"""``zhifa dispatch …``: the SLA scanner, once or as a loop (several may run side by side on
PostgreSQL: each reminder and escalation is still sent once)."""

from __future__ import annotations

from typing import Annotated

import typer

dispatch_app = typer.Typer(help="Command and dispatch: SLA reminders and escalations", no_args_is_help=True)


@dispatch_app.command("scan")
def scan(
    loop: Annotated[bool, typer.Option("--loop", help="keep scanning until SIGTERM/Ctrl-C")] = False,
    interval: Annotated[float, typer.Option(help="seconds between scans (with --loop)")] = 5.0,
    batch: Annotated[int, typer.Option(help="rows claimed per transaction")] = 200,
) -> None:
    """Send due reminders and escalations (and deliver webhook/SMS); prints a JSON summary."""
    from zhifa.core.scancli import scan_command
    from zhifa.dispatch.scanner import run_scanner, scan_once

    scan_command(
        scan_once, run_scanner, loop=loop, interval=interval, batch=batch, details=lambda t: {"fired_steps": t.fired}
    )
