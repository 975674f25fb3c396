"""Claiming and marking done on PostgreSQL: the old queue (a partial index on ``status`` and a row
lock an event) against the ticket queue's table (no index on ``status``, fill factor 50).

In a fresh database (127.0.0.1:5432, dropped after) a copy of ``sensing_event``'s columns and
indexes is filled with N WIM-shaped rows by ``COPY`` in batches of 1,000, then processed in
batches of 1,000 as a worker does, one transaction each: claim (old: ``SELECT … WHERE status =
'pending' ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED``; new: the batch's ids, read by primary
key) and mark done (``UPDATE … SET status = 'done', processed_at, raised_lead WHERE id =
ANY(ids) AND status = 'pending'``). Prints wall time an event (one connection, so the client's
share is small), the database server's CPU an event (from /proc), and the share of HOT updates.

Usage: ``.venv/bin/python benchmarks/queue_update.py [--events 100000] [--rounds 2]``
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import UTC, datetime, timedelta

import psycopg
from _setup import drop_postgres, fresh_postgres_url
from ingest import _postgres_cpu

from zhifa.core.db import upgrade

VARIANTS = {
    "status index, a row lock an event (before)": ("CREATE INDEX q_pending ON q (id) WHERE status = 'pending'", 100),
    "no index on status, fill factor 100": (None, 100),
    "no index on status, fill factor 50 (now)": (None, 50),
}
COLS = (
    "device_code, event_id, type, event_time, received_at, plate, plate_color, mmsi, lon, lat, payload, images,"
    " status, attempts, raised_lead"
)


def run(dsn: str, variant: str, n: int) -> tuple[float, float, float]:
    extra_index, fillfactor = VARIANTS[variant]
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute("DROP TABLE IF EXISTS q")
        c.execute("CREATE TABLE q (LIKE sensing_event INCLUDING DEFAULTS INCLUDING INDEXES)")
        c.execute(f"ALTER TABLE q SET (fillfactor = {fillfactor})")
        if extra_index:
            c.execute(extra_index)
        t0 = datetime.now(UTC)
        payload = json.dumps({"axles": 3, "gross_kg": "12000", "speed_kmh": "62.5", "plate": "苏A00000"})
        tail = (119.35, 32.2, payload, None, "pending", 0, False)
        rows = [
            (f"WIM{i % 4}", f"e{i}", "wim", t0 + timedelta(milliseconds=i), t0, f"苏A{i:05d}", "yellow", None, *tail)
            for i in range(n)
        ]
        with c.cursor() as cur:
            for b in range(0, n, 1000):
                with c.transaction(), cur.copy(f"COPY q ({COLS}) FROM STDIN") as cp:
                    for r in rows[b : b + 1000]:
                        cp.write_row(r)
        c.execute("CHECKPOINT")
        first = c.execute("SELECT min(id) FROM q").fetchone()[0]  # type: ignore[index]
        hot = updated = 0
        cpu0, t = _postgres_cpu(), time.perf_counter()
        for b in range(0, n, 1000):
            with c.transaction():
                if extra_index:
                    ids = [
                        r[0]
                        for r in c.execute(
                            "SELECT id FROM q WHERE status = 'pending' ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED"
                        )
                    ]
                else:
                    ids = list(range(first + b, first + b + 1000))
                    c.execute("SELECT id, payload::text FROM q WHERE id = ANY(%s)", (ids,)).fetchall()
                c.execute(
                    "UPDATE q SET status = 'done', processed_at = now(), raised_lead = false, last_error = NULL"
                    " WHERE id = ANY(%s) AND status = 'pending'",
                    (ids,),
                )
                counts = c.execute(
                    "SELECT pg_stat_get_xact_tuples_hot_updated('q'::regclass),"
                    " pg_stat_get_xact_tuples_updated('q'::regclass)"
                ).fetchone()
                assert counts is not None
                hot, updated = hot + counts[0], updated + counts[1]
        wall, cpu = time.perf_counter() - t, _postgres_cpu() - cpu0
        c.execute("DROP TABLE q")
    return wall / n * 1e6, cpu / n * 1e6, hot / max(updated, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    url = fresh_postgres_url("zhifa_queue")
    try:
        upgrade(url)
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        print(f"machine   {platform.node() or 'vm'} · {platform.machine()} · 2 cores; {args.events} events a run")
        for r in range(args.rounds):
            for variant in VARIANTS:
                wall, cpu, hot = run(dsn, variant, args.events)
                print(
                    f"round {r + 1}  {variant:45}  claim + mark done {wall:5.1f} µs an event (wall),"
                    f" database CPU {cpu:5.1f} µs, HOT {hot:4.0%}"
                )
    finally:
        drop_postgres(url)


if __name__ == "__main__":
    main()
