"""The ``zhifa`` command. Every command that needs the schema migrates the database first.

The CLI runs as the local administrator (actor ``system``): whoever can run it on the server can
read the database file anyway.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from zhifa.cases.cli import cases_app
from zhifa.core.audit import SYSTEM
from zhifa.core.errors import ImportRejected, ZhifaError
from zhifa.dispatch.cli import dispatch_app
from zhifa.documents.cli import documents_app
from zhifa.legal.cli import legal_app, penalty_app

app = typer.Typer(help="Zhifa 交通运输综合执法指挥平台", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
import_app = typer.Typer(help="All-or-nothing imports (docs/import-formats.md)", no_args_is_help=True)
users_app = typer.Typer(help="User accounts", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(users_app, name="users")
app.add_typer(legal_app, name="legal")
app.add_typer(penalty_app, name="penalty")
app.add_typer(dispatch_app, name="dispatch")
app.add_typer(documents_app, name="documents")
app.add_typer(cases_app, name="cases")


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _migrated() -> None:
    from zhifa.core.db import upgrade

    upgrade()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to the newest revision."""
    from zhifa.core.config import get_settings

    _migrated()
    typer.echo(f"database at head: {get_settings().resolved_database_url()}")


def _import(what: str, file: Path, kind: str | None = None) -> None:
    from zhifa.core.db import session_scope
    from zhifa.imports import run_import

    if not file.exists():
        _fail(f"no such file: {file}")
    _migrated()
    try:
        with session_scope() as session:
            result = run_import(session, SYSTEM, what, file, kind=kind)
    except ImportRejected as exc:
        typer.echo(f"error: {exc.message}", err=True)
        for e in exc.errors:
            typer.echo(f"  {e}", err=True)
        raise typer.Exit(1) from exc
    except ZhifaError as exc:
        _fail(exc.message)
    _echo_json({"imported": what, "file": str(file)} | result)


FileArg = Annotated[Path, typer.Argument(help="the file to import")]


@import_app.command("units")
def import_units(file: FileArg) -> None:
    """Units CSV: code,name,kind,parent,line[,category]."""
    _import("units", file)


@import_app.command("officers")
def import_officers(file: FileArg) -> None:
    """Officers CSV."""
    _import("officers", file)


@import_app.command("jurisdiction")
def import_jurisdiction(file: FileArg) -> None:
    """Jurisdiction GeoJSON FeatureCollection (WGS-84); becomes a new map edition."""
    _import("jurisdiction", file)


@import_app.command("duties")
def import_duties(file: FileArg) -> None:
    """Duty catalogue CSV (replaces the catalogue)."""
    _import("duties", file)


@import_app.command("items")
def import_items(file: FileArg) -> None:
    """Enforcement item catalogue JSON."""
    _import("items", file)


@import_app.command("entities")
def import_entities(
    file: FileArg,
    kind: Annotated[str | None, typer.Option(help="enterprise|vehicle|vessel|person|site|permit")] = None,
) -> None:
    """Regulated entities, CSV or XLSX; the kind from --kind or the file name."""
    _import("entities", file, kind)


@import_app.command("devices")
def import_devices(file: FileArg) -> None:
    """Devices CSV: code,kind,name,lon,lat,accuracy_pct,crossing_line[,crs,heartbeat_s,api_key].
    Generated API keys are printed once (stored hashed)."""
    _import("devices", file)


@import_app.command("watchlist")
def import_watchlist(file: FileArg) -> None:
    """Watchlist CSV: plate,plate_color,mmsi,reason,matter (a plate or an MMSI per row)."""
    _import("watchlist", file)


@import_app.command("party-branches")
def import_party_branches(file: FileArg) -> None:
    """Mobile Party branches CSV: code,name,squadron."""
    _import("party_branches", file)


@app.command("route")
def route(
    matter: Annotated[str, typer.Option("--matter", "-m", help="matter code, e.g. road.overload")],
    at: Annotated[str, typer.Option("--at", help="'lon,lat' | 'G312 K1183+500' | site:CODE | entity:ID")],
    crs: Annotated[str, typer.Option("--crs", help="wgs84 or gcj02 (for lon,lat)")] = "wgs84",
) -> None:
    """Who owns this? Prints the answer as JSON."""
    from zhifa.core.db import session_scope
    from zhifa.jurisdiction import service
    from zhifa.jurisdiction.router import RoutingError

    _migrated()
    try:
        with session_scope() as session:
            answer = service.route(session, matter, at, crs)
    except RoutingError as exc:
        _fail(str(exc), 2)
    except ZhifaError as exc:
        _fail(exc.message, 2)
    _echo_json(answer.as_dict())


@app.command("ingest")
def ingest(file: Annotated[Path, typer.Argument(help="NDJSON (or a JSON array) of events")]) -> None:
    """Bulk-ingest an event file as the local administrator; returns once its events have been
    through the rules (end of file moves time past every window). Prints a JSON summary."""
    from rich.progress import Progress

    from zhifa.core.db import get_engine, session_scope
    from zhifa.monitoring.service import drain
    from zhifa.sensing import service as sensing

    if not file.exists():
        _fail(f"no such file: {file}")
    _migrated()
    summary: dict[str, Any] = {"accepted": 0, "duplicate": 0, "rejected": []}
    settled = 0
    lines = file.read_bytes().split(b"\n")  # "\n" only, as the API counts lines
    lines = [ln + b"\n" for ln in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if lines and lines[0].lstrip().startswith(b"["):
        chunks = [(0, b"".join(lines))]
    else:
        chunks = [(i, b"".join(lines[i : i + 5000])) for i in range(0, len(lines), 5000)]
    with Progress(transient=True, console=__import__("rich.console").console.Console(stderr=True)) as progress:
        task = progress.add_task("ingesting", total=len(lines))
        for offset, chunk in chunks:
            with session_scope() as session:
                r = sensing.ingest(session, chunk, actor=SYSTEM, with_settled=True)
            settled += r["settled"]  # through the rules as they were stored (sensing.register_prescreen)
            summary["accepted"] += r["accepted"]
            summary["duplicate"] += r["duplicate"]
            summary["rejected"] += [{"line": x["line"] + offset, "reason": x["reason"]} for x in r["rejected"]]
            progress.advance(task, chunk.count(b"\n") or 1)
        progress.update(task, description="applying rules")
        summary["processed"] = drain(get_engine(), final=True)
        summary["processed"]["events"] += settled
    _echo_json(summary)


@app.command("ais-listen")
def ais_listen(
    port: Annotated[int, typer.Option(help="TCP port to listen on")],
    device: Annotated[str, typer.Option(help="code of the AIS receiver delivering on this port")],
    host: Annotated[str, typer.Option(help="bind address")] = "127.0.0.1",
) -> None:
    """Receive raw AIS (NMEA lines) over TCP, as AIS base stations deliver it."""
    import asyncio

    from zhifa.core.db import get_engine
    from zhifa.sensing.listener import AisListener

    _migrated()
    try:
        listener = AisListener(get_engine(), device, on_flush=lambda r: typer.echo(json.dumps(r), err=True))
    except ZhifaError as exc:
        _fail(exc.message)
    typer.echo(f"listening for AIS on {host}:{port} as device {device}", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(listener.serve(host, port))


@app.command("archive")
def archive() -> None:
    """Move raw events older than ZHIFA_ARCHIVE_HOT_DAYS to the Parquet archive (events held by
    leads stay in the database); prints a JSON summary."""
    from zhifa.core.config import get_settings
    from zhifa.core.db import session_scope
    from zhifa.sensing.archive import archive_events

    _migrated()
    with session_scope() as session:
        result = archive_events(session, SYSTEM, older_than_days=get_settings().archive_hot_days)
    _echo_json(result)


@app.command("retention")
def retention() -> None:
    """Drop raw captures that raised no lead once older than ZHIFA_RETENTION_DAYS."""
    from zhifa.core.config import get_settings
    from zhifa.core.db import session_scope
    from zhifa.sensing.archive import apply_retention

    _migrated()
    with session_scope() as session:
        result = apply_retention(session, SYSTEM, keep_days=get_settings().retention_days)
    _echo_json(result)


@app.command("leads")
def leads(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    kind: Annotated[str | None, typer.Option(help="filter by kind")] = None,
    unit: Annotated[str | None, typer.Option(help="filter by unit code")] = None,
    status: Annotated[str | None, typer.Option(help="filter by status")] = None,
) -> None:
    """List leads."""
    from zhifa.core.db import session_scope
    from zhifa.monitoring.service import list_leads

    _migrated()
    with session_scope() as session:
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            r = list_leads(session, kind=kind, unit=unit, status=status, page=page, per_page=1000, with_events=True)
            items += r["items"]
            if len(items) >= r["total"] or not r["items"]:
                break
            page += 1
    if as_json:
        _echo_json(items)
        return
    for x in items:
        typer.echo(
            f"{x['id']:>6} {x['kind']:<20} {x['subject']:<20} {x['unit'] or '-':<14} {x['status']:<10} ×{x['count']}"
        )


@app.command("worker")
def worker() -> None:
    """Run a worker: events → leads, device heartbeats, SLA reminders and escalations, the daily
    archive and retention (production: several of these against PostgreSQL)."""
    import signal

    from zhifa.core.db import get_engine
    from zhifa.core.runtime import settle_heap
    from zhifa.monitoring.service import warm_up
    from zhifa.worker import make_worker, name_process

    _migrated()
    name_process("zhifa-worker")
    w = make_worker(get_engine())
    warm_up(get_engine())
    settle_heap()
    signal.signal(signal.SIGTERM, lambda *_: w.stop())
    w.start()
    try:
        while w.is_alive():
            w.join(0.5)
    except KeyboardInterrupt:
        w.stop()
        w.join()


@users_app.command("create")
def users_create(
    username: str,
    display_name: Annotated[str, typer.Option("--name")],
    roles: Annotated[str, typer.Option("--roles", help="comma-separated roles")],
    unit: Annotated[str | None, typer.Option("--unit")] = None,
    password: Annotated[str | None, typer.Option("--password", help="default: read from stdin")] = None,
) -> None:
    """Create a user (the password is read from stdin unless given)."""
    from zhifa.core.auth import create_user
    from zhifa.core.db import session_scope

    _migrated()
    pw = password if password is not None else sys.stdin.readline().rstrip("\n")
    try:
        with session_scope() as session:
            create_user(session, SYSTEM, username, pw, display_name, [r.strip() for r in roles.split(",")], unit)
    except ZhifaError as exc:
        _fail(exc.message)
    typer.echo(f"user {username} created")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes (PostgreSQL only)")] = 1,
) -> None:
    """Run the web UI and API."""
    import uvicorn

    _migrated()
    from zhifa.app import warm_history
    from zhifa.worker import start_worker_process

    # One worker beside the server, in a process of its own (not a thread: the rules would share
    # the server's interpreter lock); it exits when the server goes away.
    start_worker_process()
    warm_history()
    if workers > 1:
        uvicorn.run("zhifa.asgi:app", host=host, port=port, workers=workers, log_level="info")
    else:
        from zhifa.app import create_app
        from zhifa.core.runtime import settle_heap

        app = create_app()
        settle_heap()
        uvicorn.run(app, host=host, port=port, log_level="info")


@app.command("demo")
def demo(
    host: Annotated[str, typer.Option(help="bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    scale: Annotated[float, typer.Option(help="share of the full demo size (1.0 = ~50,000 vehicles)")] = 1.0,
    reset: Annotated[bool, typer.Option(help="rebuild the demo database from scratch")] = False,
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="start the server afterwards")] = True,
    simulate_: Annotated[
        bool, typer.Option("--simulate/--no-simulate", help="feed the server a live simulated stream (zhifa simulate)")
    ] = True,
) -> None:
    """Load the Zhenjiang demo (embedded SQLite unless ZHIFA_DATABASE_URL says otherwise) and serve it
    with a live simulated feed from its devices."""
    from zhifa.demo.load import load_demo

    summary = load_demo(scale=scale, reset=reset)
    typer.echo(json.dumps(summary["counts"], ensure_ascii=False))
    typer.echo(f"\nZhifa demo: http://{host}:{port}/")
    typer.echo("Demo logins (username, password):")
    for acc in summary["accounts"]:
        typer.echo(f"  {acc['username']:<12} {acc['password']:<18} {acc['display_name']} ({', '.join(acc['roles'])})")
    if serve_:
        if simulate_:
            from zhifa.core.config import get_settings
            from zhifa.demo.simulate import start_in_background

            devices = get_settings().var_dir / "demo-data" / "devices.csv"
            if devices.exists():
                # The server is this process: the thread waits until it answers, then feeds it.
                local = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
                url = f"http://{'[' + local + ']' if ':' in local else local}:{port}"
                start_in_background(url, devices)
                typer.echo(f"\nLive simulated feed: the demo's devices post to {url} once it is up")
                typer.echo("  (WIM, plate cameras, AIS, ship passages; counts every 10 s; --no-simulate turns it off)")
            else:
                typer.echo(f"\nno simulated feed: {devices} is missing (zhifa demo --reset writes it)", err=True)
        serve(host=host, port=port, workers=1)


@app.command("simulate")
def simulate(
    url: Annotated[str, typer.Option(help="the server's base URL")] = "http://127.0.0.1:8000",
    rate: Annotated[
        float, typer.Option(help="mean road events per second over a day (WIM records and plate captures)")
    ] = 1.0,
    overload_share: Annotated[float, typer.Option(help="share of the weighed trucks that are overloaded")] = 0.05,
    dark_share: Annotated[float, typer.Option(help="share of the ship passages by vessels without AIS")] = 0.1,
    duration: Annotated[float | None, typer.Option(help="stop after this many seconds (default: until Ctrl-C)")] = None,
    seed: Annotated[int | None, typer.Option(help="random seed of the feed (default: the demo's)")] = None,
    speedup: Annotated[
        float, typer.Option(help="simulated seconds per second: replays the recent past faster, then runs live")
    ] = 1.0,
    devices: Annotated[
        Path | None, typer.Option(help="devices CSV with api_key (default: $ZHIFA_VAR_DIR/demo-data/devices.csv)")
    ] = None,
    positions: Annotated[
        bool, typer.Option(help="also report the demo patrol officers' phone positions (every 15 s)")
    ] = True,
) -> None:
    """Feed a server the demo's live streams through the public API (POST /api/v1/events with each
    device's key): WIM traffic by time of day with overloaded trucks, plate captures with unlicensed
    cars circling 镇江站, AIS tracks along the Yangtze, ship passages (some dark). Prints counts
    every 10 s to stderr; retries while the server is down."""
    from zhifa.core.config import get_settings
    from zhifa.demo.generate import DEFAULT_SEED
    from zhifa.demo.simulate import Simulator

    path = devices or get_settings().var_dir / "demo-data" / "devices.csv"
    if not path.exists():
        _fail(f"no devices file {path}: run `zhifa demo` first (it writes the demo's devices with their keys)")
    try:
        seed = DEFAULT_SEED if seed is None else seed
        sim = Simulator(url, path, seed, rate, overload_share, dark_share, speedup, officers=None if positions else ())
    except ValueError as exc:
        _fail(str(exc))
    if not sim.devices:
        _fail(f"{path} lists no device with an api_key")
    try:
        counts = sim.run(duration=duration)
    except KeyboardInterrupt:
        sim.stop()
        counts = sim.counts
    _echo_json(counts.as_dict())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
