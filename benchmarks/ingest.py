"""End-to-end ingestion: HTTP batches of 1,000 events → parse, validate, durable store, rules.

Starts a real server (`zhifa serve`, with its embedded worker) on a fresh SQLite database holding
the test map and WIM devices, posts N WIM events (5 % overloaded) in batches of 1,000 over one
keep-alive connection, and waits until the worker has processed every event. Reports events/s
for the whole (first byte sent → last event processed), the HTTP-acknowledged rate, and — in
the same run, on the same store — bare ``executemany`` inserts of the same rows, with the ratio.

Usage: ``.venv/bin/python benchmarks/ingest.py [--events N]`` (SQLite);
``… --postgresql --api-processes 2 --extra-workers 1 --clients 2`` (PostgreSQL: two API
processes, two rule workers, two clients posting; the raw limit is then bare ``COPY``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _setup import CLI, drop_postgres, free_port, fresh_postgres_url, prepared_database, wait_up
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parents[1]
DEVICES = "code,kind,name,lon,lat,accuracy_pct,crossing_line,api_key\n" + "".join(
    f"WIM{i},wim,称重点{i},119.35,32.2002,,,wim{i}-bench-key-0123456789\n" for i in range(4)
)


def events(n: int, start: datetime, batch: int) -> list[dict[str, object]]:
    out = []
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    for i in range(n):
        over = i % 20 == 0
        plate = f"苏{letters[i % 24]}{letters[(i // 24) % 24]}{i % 10000:04d}"
        out.append(
            {
                "id": f"e{i}",
                "type": "wim",
                "device": f"WIM{(i // batch) % 4}",
                "time": (start + timedelta(milliseconds=i)).isoformat(),
                "plate": plate,
                "plate_color": "yellow",
                "axles": 2 + i % 5,
                "gross_kg": 60000 if over else 12000,
                "speed_kmh": 62.5,
            }
        )
    return out


def cpu_seconds(root: int) -> dict[int, float]:
    """CPU seconds (user + system) so far of process ``root`` and each of its descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parent[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in cpu:
            out[pid] = cpu[pid]
            todo += [child for child, ppid in parent.items() if ppid == pid]
    return out


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (all but idle and I/O wait), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def _postgres_cpu() -> float:
    """CPU seconds so far of the PostgreSQL server's processes (``postgres``: the backends of the
    run's connections among them; a backend that exits takes its seconds with it)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if Path(f"/proc/{entry}/comm").read_text().strip() != "postgres":
                continue
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _role(pid: int) -> str:
    """What a process of the run is: the API (server), the rule worker, or a uvicorn supervisor."""
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    if comm == "zhifa-worker":  # zhifa.worker.name_process
        return "worker"
    return "api" if b"spawn_main" in cmd or b"--workers\x001" in cmd else "supervisor"


def bare_rows(evs: list[dict[str, object]], on_sqlite: bool, prefix: str = "raw") -> list[tuple[object, ...]]:
    """The events as the store holds them (JSON serialised, times as the store writes them),
    marked done and renamed ``{prefix}-{id}``: the rows of the raw limit, ready before its clock
    starts (``BARE_COLUMNS`` order)."""
    from zhifa.core.db import sqlite_time

    received = datetime.now(UTC)

    def when(t: datetime) -> object:
        return sqlite_time(t) if on_sqlite else t

    rows: list[tuple[object, ...]] = []
    for e in evs:
        payload = {
            "plate": e["plate"],
            "plate_color": e["plate_color"],
            "axles": e["axles"],
            "gross_kg": str(e["gross_kg"]),
            "speed_kmh": str(e["speed_kmh"]),
            "combination": False,
            "single_drive_axle": False,
        }
        rows.append(
            (
                str(e["device"]),
                f"{prefix}-{e['id']}",
                "wim",
                when(datetime.fromisoformat(str(e["time"]))),
                when(received),
                e["plate"],
                "yellow",
                119.35,
                32.2002,
                json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                "done",
                0,
                False,
            )
        )
    return rows


#: ``bare_rows``' columns.
BARE_COLUMNS = (
    "device_code, event_id, type, event_time, received_at, plate, plate_color, lon, lat, payload, status,"
    " attempts, raised_lead"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--postgresql", action="store_true", help="a fresh database on 127.0.0.1:5432, dropped after")
    ap.add_argument("--api-processes", type=int, default=1, help="`zhifa serve --workers N` (PostgreSQL)")
    ap.add_argument("--extra-workers", type=int, default=0, help="`zhifa worker` processes beside the server's")
    ap.add_argument("--clients", type=int, default=1, help="concurrent HTTP connections posting batches")
    ap.add_argument(
        "--warm-up",
        type=int,
        default=2,
        help="posts of each client before the clock starts (other event ids; processed, not counted): the"
        " processes' first requests open their database connections and prepare their statements",
    )
    args = ap.parse_args()

    if args.postgresql:
        args.database_url = fresh_postgres_url()
    tmp, url, env = prepared_database("zhifa-ingest-", DEVICES, args.database_url)
    cli = CLI
    start = datetime.now(UTC) - timedelta(hours=2)
    evs = events(args.events, start, args.batch)
    bodies = [json.dumps(evs[i : i + args.batch], ensure_ascii=False).encode() for i in range(0, len(evs), args.batch)]
    # Warm-up posts: the first batch again under other ids and other plates (浙 for 苏), so that
    # the run neither folds into the warm-up's leads nor finds its vehicles: it does the same work
    # as without them.
    warm = [
        json.dumps(
            [e | {"id": f"warm{k}-{e['id']}", "plate": "浙" + str(e["plate"])[1:]} for e in evs[: args.batch]],
            ensure_ascii=False,
        ).encode()
        for k in range(args.warm_up * args.clients)
    ]

    port = free_port()
    log = open(tmp / "server.log", "wb")  # noqa: SIM115
    # BENCH_SERVER_WRAP: a command to run the server under, e.g. a sampling profiler
    # ("py-spy record --subprocesses -f raw -o server.spy --").
    wrap = os.environ.get("BENCH_SERVER_WRAP", "").split()
    serve = [*cli, "serve", "--port", str(port), "--workers", str(args.api_processes)]
    server = subprocess.Popen([*wrap, *serve], env=env, stdout=log, stderr=log)
    workers = [subprocess.Popen([*cli, "worker"], env=env, stdout=log, stderr=log) for _ in range(args.extra_workers)]
    engine = create_engine(url)
    from zhifa.monitoring.models import Lead
    from zhifa.sensing.models import Event, EventTicket

    # With several API processes sharing the listening socket, the kernel hands a new connection
    # to whichever process takes it first — often the same one for every client, which then
    # serves alone. A new connection per batch spreads the batches over the processes (its cost,
    # one loopback connect per 1,000 events, is within the noise).
    reconnect = args.api_processes > 1

    def post_all(mine: list[tuple[int, bytes]], totals: list[int]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for n, body in mine:
            if reconnect:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            key = f"wim{n % 4}-bench-key-0123456789"  # each batch comes from one device, with its key
            conn.request(
                "POST", "/api/v1/events", body=body, headers={"X-Device-Key": key, "Content-Type": "application/json"}
            )
            r = conn.getresponse()
            raw_out = r.read()
            if r.status != 200:
                raise SystemExit(f"HTTP {r.status}: {raw_out[:300]!r}; server log: {tmp / 'server.log'}")
            totals.append(json.loads(raw_out)["accepted"])
        conn.close()

    try:
        wait_up(f"http://127.0.0.1:{port}", server, tmp / "server.log")
        import threading

        def clients_posting(batches: list[bytes], totals: list[int]) -> list[threading.Thread]:
            """The clients, each posting every ``args.clients``-th batch (not started)."""
            numbered = list(enumerate(batches))
            return [
                threading.Thread(target=post_all, args=(numbered[c :: args.clients], totals))
                for c in range(args.clients)
            ]

        warm_leads = 0
        if warm:
            warming = clients_posting(warm, [])
            for t in warming:
                t.start()
            for t in warming:
                t.join()
            while True:  # processed too: the run starts with an empty queue
                with engine.connect() as c:
                    if not c.execute(select(func.count()).select_from(EventTicket)).scalar_one():
                        break
                time.sleep(0.05)
        with engine.connect() as c:
            warm_leads = c.execute(select(func.count()).select_from(Lead)).scalar_one()
        totals: list[int] = []
        threads = clients_posting(bodies, totals)
        load_before = os.getloadavg()[0]
        cpu_before = {pid: c for p in [server, *workers] for pid, c in cpu_seconds(p.pid).items()}
        busy_before = _machine_busy()
        pg_before = _postgres_cpu()
        client_before = time.process_time()
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        accepted = sum(totals)
        t_ack = time.perf_counter() - t0
        while True:
            with engine.connect() as c:
                pending = c.execute(
                    select(func.count()).select_from(Event).where(Event.status == "pending")
                ).scalar_one()
            if not pending:
                break
            time.sleep(0.05)
        t_all = time.perf_counter() - t0
        client_cpu = time.process_time() - client_before
        cpu_after = {pid: c for p in [server, *workers] for pid, c in cpu_seconds(p.pid).items()}
        per_process = sorted(
            ((c - cpu_before.get(pid, 0.0), _role(pid)) for pid, c in cpu_after.items()), reverse=True
        )
        cpu_used = sum(c for c, _ in per_process)
        machine_busy = _machine_busy() - busy_before
        pg_cpu = _postgres_cpu() - pg_before
        with engine.connect() as c:
            leads = c.execute(select(func.count()).select_from(Lead)).scalar_one() - warm_leads
    finally:
        for p in [server, *workers]:
            p.terminate()
        for p in [server, *workers]:
            p.wait(20)

    # The raw limit: bare DB-API executemany of the same rows (JSON already serialised, times as
    # the store writes them) into the same table of the same store, in batches of the same size,
    # one commit each. The rows are the events as stored — the same times, plates, positions and
    # payload — but marked done, so that they stay out of the queue: the raw limit carries no
    # queue work (a stricter comparison for ingestion, whose events enter the queue).
    import sqlite3

    on_sqlite = url.startswith("sqlite")
    rows = bare_rows(evs, on_sqlite)
    columns = BARE_COLUMNS
    sql = f"INSERT INTO sensing_event ({columns}) VALUES ({', '.join('?' * 13)})"
    engine.dispose()
    if on_sqlite:
        from zhifa.core.db import SQLITE_PRAGMAS

        raw = sqlite3.connect(url.removeprefix("sqlite:///"))
        for pragma in SQLITE_PRAGMAS:  # the store's own settings
            raw.execute(pragma)
        t = time.perf_counter()
        for i in range(0, len(rows), args.batch):
            raw.executemany(sql, rows[i : i + args.batch])
            raw.commit()
        t_raw = time.perf_counter() - t
        raw.close()
    else:
        import psycopg

        pg = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        t = time.perf_counter()
        with pg.cursor() as cur:
            for i in range(0, len(rows), args.batch):
                with cur.copy(f"COPY sensing_event ({columns}) FROM STDIN") as cp:
                    for r in rows[i : i + args.batch]:
                        cp.write_row((*r[:12], bool(r[12])))
                pg.commit()
        t_raw = time.perf_counter() - t
        pg.close()

    print(f"machine            {platform.node()} · {platform.machine()} · {os.cpu_count()} cores")
    print(f"load average (1m)  {load_before:.2f} before the run, {os.getloadavg()[0]:.2f} after")
    print(f"database           {url.split(':')[0]}")
    print(
        f"processes          API {args.api_processes}, rule workers {1 + args.extra_workers}, clients {args.clients}"
        + (" (a new connection per batch)" if reconnect else " (one keep-alive connection each)")
    )
    print(
        f"events             {args.events} in batches of {args.batch}; accepted {accepted}; leads {leads}"
        f" (after {len(warm)} warm-up posts, not counted)"
    )
    print(f"acknowledged       {args.events / t_ack:,.0f} events/s ({t_ack:.2f} s)")
    print(f"end to end         {args.events / t_all:,.0f} events/s ({t_all:.2f} s, until every event processed)")
    raw_name = "executemany" if url.startswith("sqlite") else "COPY"
    print(f"bare {raw_name:<13} {args.events / t_raw:,.0f} events/s ({t_raw:.2f} s)")
    print(f"ratio e2e / bare   {t_raw / t_all:.3f}")
    print(
        f"CPU, end to end    server and workers {cpu_used:.2f} s ({cpu_used / args.events * 1e6:.1f} µs an event),"
        f" client {client_cpu:.2f} s, on {os.cpu_count()} cores × {t_all:.2f} s;"
        f" by process: {', '.join(f'{role} {c:.2f}' for c, role in per_process if c >= 0.01)} s"
    )
    print(
        f"CPU, whole machine {machine_busy:.2f} s busy of {os.cpu_count()} × {t_all:.2f} s"
        f" (the database server's processes and everything else included)"
    )
    if not on_sqlite:
        per_event = pg_cpu / args.events * 1e6
        print(f"CPU, PostgreSQL    {pg_cpu:.2f} s ({per_event:.1f} µs an event) in the server's processes")
    if args.postgresql:
        drop_postgres(url)


if __name__ == "__main__":
    main()
