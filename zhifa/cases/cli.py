"""``zhifa cases …``: the supervision scan from the command line."""

from __future__ import annotations

import json

import typer

cases_app = typer.Typer(help="Case procedure: supervision scan (docs/cases.md)", no_args_is_help=True)


@cases_app.command("scan")
def scan() -> None:
    """Run the case deadline scan once: warnings, missed deadlines, overdue fines, unscheduled years."""
    from zhifa.cases.scanner import scan_once
    from zhifa.core.db import get_engine

    typer.echo(json.dumps(scan_once(get_engine()).as_dict(), ensure_ascii=False))
