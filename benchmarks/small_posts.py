"""What one post costs the API, by its size: a camera posting capture by capture against a
receiver's batches of a thousand.

Starts a real server (`zhifa serve`, one API process) on a fresh database (SQLite, or
``--postgresql``: a fresh database on 127.0.0.1:5432, dropped after) holding the test map and
4 WIM devices, pauses its rule worker (SIGSTOP: this measures the API alone; the worker resumes
and drains the queue at the end), then for each post size posts WIM events from one client over
one keep-alive connection, one post after another, and reports:

* the API process's CPU a post and an event (``/proc``: user + system), and the wall time a post
  (the client's request to its answer, stored and committed);
* on PostgreSQL the database server's CPU a post;
* the raw limit in the same run: the same rows (as stored, JSON serialised, marked done so that
  they stay out of the queue) inserted bare into the same table, one post's rows per statement
  and one commit each, on one DB-API connection — SQLite ``executemany``, PostgreSQL the quicker
  of a multi-row ``INSERT`` and a ``COPY`` (each timed on half the rows) — with the ratio of its
  wall time to the API's.

Usage: ``.venv/bin/python benchmarks/small_posts.py [--postgresql] [--sizes 1,2,5,10,100,1000]``
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta

from _setup import CLI, drop_postgres, free_port, fresh_postgres_url, prepared_database, wait_up
from ingest import BARE_COLUMNS, DEVICES, _postgres_cpu, bare_rows, cpu_seconds, events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--postgresql", action="store_true")
    ap.add_argument("--sizes", default="1,2,5,10,100,1000", help="events a post, comma-separated")
    ap.add_argument("--events", type=int, default=20_000, help="events posted for each size (at most 2,000 posts)")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    url_in = fresh_postgres_url("zhifa_small_posts") if args.postgresql else None
    tmp, url, env = prepared_database("zhifa-small-posts-", DEVICES, url_in)
    on_pg = url.startswith("postgresql")
    port = free_port()
    log = open(tmp / "server.log", "wb")  # noqa: SIM115
    server = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    results = []
    start = datetime.now(UTC) - timedelta(hours=2)
    try:
        wait_up(f"http://127.0.0.1:{port}", server, tmp / "server.log")
        worker = [
            int(p)
            for p in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        ]
        for pid in worker:
            os.kill(pid, signal.SIGSTOP)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        offset = 0
        for size in sizes:
            posts = max(1, min(2000, args.events // size))
            warm = min(20, max(1, posts // 10))  # posts first sent unmeasured: keys resolved, paths taken
            evs = events((warm + posts) * size, start, size)
            for i, e in enumerate(evs):
                e["id"] = f"s{offset + i}"
            offset += len(evs)
            bodies = [json.dumps(evs[i : i + size], ensure_ascii=False).encode() for i in range(0, len(evs), size)]

            def post(body: bytes, k: int, size: int = size) -> None:
                key = f"wim{k % 4}-bench-key-0123456789"
                conn.request(
                    "POST",
                    "/api/v1/events",
                    body=body,
                    headers={"X-Device-Key": key, "Content-Type": "application/json"},
                )
                r = conn.getresponse()
                out = r.read()
                if r.status != 200 or json.loads(out)["accepted"] != size:
                    raise SystemExit(f"HTTP {r.status}: {out[:300]!r}")

            for k, body in enumerate(bodies[:warm]):
                post(body, k)
            measured = list(enumerate(bodies))[warm:]  # (k: each post's device is WIM{k % 4})
            api0 = cpu_seconds(server.pid)[server.pid]
            pg0 = _postgres_cpu() if on_pg else 0.0
            t0 = time.perf_counter()
            for k, body in measured:
                post(body, k)
            wall = time.perf_counter() - t0
            api = cpu_seconds(server.pid)[server.pid] - api0
            pg = (_postgres_cpu() - pg0) if on_pg else 0.0
            raw = bare(url, evs[warm * size :], size, offset)
            results.append((size, len(measured), api, pg, wall, raw))
        conn.close()
        for pid in worker:
            os.kill(pid, signal.SIGCONT)
    finally:
        server.terminate()
        server.wait(20)
        if on_pg:
            drop_postgres(url)

    print(
        f"machine   {platform.node()} · {platform.machine()} · {os.cpu_count()} cores · load {os.getloadavg()[0]:.2f}"
    )
    print(f"database  {url.split(':')[0]}; one API process, its rule worker paused; one client, one post at a time")
    print(
        f"{'events/post':>11} {'posts':>6} {'API CPU/post':>13} {'API CPU/event':>14}"
        + (f" {'DB CPU/post':>12}" if on_pg else "")
        + f" {'wall/post':>10} {'bare/post':>10} {'ratio':>6}"
    )
    for size, n, api, pg, wall, raw in results:
        print(
            f"{size:>11} {n:>6} {api / n * 1e3:>10.3f} ms {api / n / size * 1e6:>11.1f} µs"
            + (f" {pg / n * 1e3:>9.3f} ms" if on_pg else "")
            + f" {wall / n * 1e3:>7.3f} ms {raw / n * 1e3:>7.3f} ms {raw / wall:>6.3f}"
        )


def bare(url: str, evs: list[dict[str, object]], size: int, offset: int) -> float:
    """Wall seconds to insert the same rows bare, ``size`` a statement and a commit each."""
    rows = bare_rows(evs, url.startswith("sqlite"), prefix=f"raw-{offset}")
    cols = BARE_COLUMNS
    if url.startswith("sqlite"):
        import sqlite3

        from zhifa.core.db import SQLITE_PRAGMAS

        raw = sqlite3.connect(url.removeprefix("sqlite:///"))
        for pragma in SQLITE_PRAGMAS:
            raw.execute(pragma)
        sql = f"INSERT INTO sensing_event ({cols}) VALUES ({', '.join('?' * 13)})"
        t0 = time.perf_counter()
        for i in range(0, len(rows), size):
            raw.executemany(sql, rows[i : i + size])
            raw.commit()
        took = time.perf_counter() - t0
        raw.close()
        return took
    # PostgreSQL: the quicker of a multi-row INSERT and a COPY a post (each on its own half of
    # the rows, so that neither meets the other's keys), scaled to every row.
    import psycopg

    pg = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    one = "(" + ", ".join(["%s"] * 13) + ")"
    half = len(rows) // size // 2 * size or size
    took = []
    with pg.cursor() as cur:
        for part, how in ((rows[:half], "insert"), (rows[half:] or rows[:half], "copy")):
            part = [(r[0], f"{r[1]}-{how}", *r[2:]) for r in part]
            t0 = time.perf_counter()
            for i in range(0, len(part), size):
                chunk = part[i : i + size]
                if how == "insert":
                    cur.execute(
                        f"INSERT INTO sensing_event ({cols}) VALUES {', '.join([one] * len(chunk))}",
                        [v for r in chunk for v in r],
                    )
                else:
                    with cur.copy(f"COPY sensing_event ({cols}) FROM STDIN") as cp:
                        for r in chunk:
                            cp.write_row(r)
                pg.commit()
            took.append((time.perf_counter() - t0) / len(part) * len(rows))
    pg.close()
    return min(took)


if __name__ == "__main__":
    main()
