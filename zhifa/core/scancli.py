"""The body of a ``zhifa … scan`` command, shared by the domains' periodic scanners (the dispatch
SLA scan, the case supervision scan): once, printing its JSON summary, or as a loop until
SIGTERM/Ctrl-C, printing the totals at the end."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from typing import Any

import typer


def scan_command(
    scan_once: Callable[..., Any],
    run_scanner: Callable[[Any, threading.Event, float, int], Any],
    *,
    loop: bool,
    interval: float,
    batch: int,
    details: Callable[[Any], dict[str, Any]],
) -> None:
    """``scan_once(engine, batch=…)`` and ``run_scanner(engine, stop, interval, batch)`` return
    a result with ``as_dict()``; ``details(total)`` adds what a loop prints beyond the counts."""
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
    typer.echo(json.dumps(total.as_dict() | details(total), ensure_ascii=False))
