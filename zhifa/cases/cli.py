"""``zhifa cases …``: the supervision scan from the command line, once or as a loop (several may
run side by side on PostgreSQL: each warning, flag and notification is still written once)."""

from __future__ import annotations

import json
import signal
import threading
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
    from zhifa.core.db import get_engine, upgrade

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
    typer.echo(json.dumps(total.as_dict() | total.details(), ensure_ascii=False))
