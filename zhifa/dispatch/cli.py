"""``zhifa dispatch …``: the SLA scanner, once or as a loop (several may run side by side on
PostgreSQL: each reminder and escalation is still sent once)."""

from __future__ import annotations

import json
import signal
import threading
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
    from zhifa.core.db import get_engine, upgrade
    from zhifa.dispatch.scanner import run_scanner, scan_once

    if interval <= 0 or batch < 1:
        typer.echo("error: --interval must be positive and --batch at least 1", err=True)
        raise typer.Exit(1)
    upgrade()
    engine = get_engine()
    if not loop:
        typer.echo(json.dumps(scan_once(engine, batch=batch).as_dict(), ensure_ascii=False))
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        total = run_scanner(engine, stop, interval, batch)
    except KeyboardInterrupt:
        stop.set()
        raise typer.Exit(130) from None
    typer.echo(json.dumps(total.as_dict() | {"fired_steps": total.fired}, ensure_ascii=False))
