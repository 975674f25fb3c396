"""CPU per event of each ingestion phase, in one process (no HTTP, no second process).

Builds a fresh database with the test map and 4 WIM devices (SQLite, or ``--postgresql``: a fresh
database on 127.0.0.1:5432, dropped after), then for N WIM events (5 % overloaded) in batches of
1,000 measures with ``time.process_time`` (this process's CPU, so other load on the machine
inflates it little): parsing and validating a batch (``sensing.service.parse_batch``), storing it
(``store_batch`` + commit), and the worker's processing (``monitoring.service.process_pending``
until nothing is pending: claim, rules, fold, mark done). On PostgreSQL the database server's
own CPU is not counted.

Usage: ``.venv/bin/python benchmarks/ingest_phases.py [--events 20000] [--postgresql] [--profile api|worker]``
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _setup import drop_postgres, fresh_postgres_url, prepared_database
from ingest import DEVICES, events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--postgresql", action="store_true")
    ap.add_argument("--profile", choices=["api", "worker"], default=None, help="print a cProfile of that phase")
    ap.add_argument(
        "--breakdown", action="store_true", help="CPU of the worker's steps (each a function timed), per event"
    )
    ap.add_argument("--sort", default="tottime", help="the profile's order (a pstats key: tottime, cumulative …)")
    ap.add_argument(
        "--worker-batch",
        type=int,
        default=2000,
        help="events a worker claims at once (50: one post's events left to the workers a batch, as under load)",
    )
    args = ap.parse_args()
    url_in = fresh_postgres_url("zhifa_phases") if args.postgresql else None
    _tmp, url, env = prepared_database("zhifa-phases-", DEVICES, url_in)
    os.environ.update(env)
    from zhifa.core.db import engine_for, session_factory
    from zhifa.core.runtime import settle_heap
    from zhifa.monitoring.service import process_pending
    from zhifa.sensing import service

    engine = engine_for(url)
    factory = session_factory(engine)
    n = args.events
    evs = events(n, datetime.now(UTC) - timedelta(hours=2), 1000)
    bodies = [json.dumps(evs[i : i + 1000], ensure_ascii=False).encode() for i in range(0, n, 1000)]
    del evs
    settle_heap()  # as the server and the worker do after start-up (zhifa.core.runtime)
    prof = cProfile.Profile()

    t_parse = t_store = 0.0
    db_parse = db_store = 0.0
    if args.profile == "api":
        prof.enable()
    for k, body in enumerate(bodies):
        with factory() as s:
            if not args.postgresql:
                s.connection(execution_options={"sqlite_readonly": True})
            devices = service.device_map(s)
            s.commit()
            d0, t0 = db_cpu(), time.process_time()
            batch = service.parse_batch(body, devices, f"WIM{k % 4}")
            d1, t1 = db_cpu(), time.process_time()
            service.store_batch(s, batch, device_code=f"WIM{k % 4}", who="bench")
            s.commit()
            d2, t2 = db_cpu(), time.process_time()
            t_parse, t_store = t_parse + t1 - t0, t_store + t2 - t1
            db_parse, db_store = db_parse + d1 - d0, db_store + d2 - d1
    prof.disable()
    spent = _time_worker_steps() if args.breakdown else {}
    if args.profile == "worker":
        prof.enable()
    d0, t0, done = db_cpu(), time.process_time(), 0
    batches = 0
    while r := process_pending(engine, batch=args.worker_batch)["events"]:
        done, batches = done + r, batches + 1
    t_work, db_work = time.process_time() - t0, db_cpu() - d0
    prof.disable()
    if args.profile:
        pstats.Stats(prof).sort_stats(args.sort).print_stats(45)
    engine.dispose()
    if args.postgresql:
        drop_postgres(url)
    print(f"machine   {platform.node()} · {os.cpu_count()} cores · load average {os.getloadavg()[0]:.2f}")
    print(f"database  {url.split(':')[0]}; {n} events, {done} processed by the workers in {batches} batches")
    db = "" if not args.postgresql else "   database {:5.1f} µs/event"
    print(f"parse     {t_parse / n * 1e6:6.1f} µs/event  (parse_batch: JSON, validation)")
    print(f"store     {t_store / n * 1e6:6.1f} µs/event  (store_batch + commit)" + db.format(db_store / n * 1e6))
    print(f"worker    {t_work / n * 1e6:6.1f} µs/event  (claim, rules, fold, mark done)" + db.format(db_work / n * 1e6))
    for name, (seconds, db_seconds) in sorted(spent.items(), key=lambda kv: -kv[1][0]):
        print(f"  {name:<28} {seconds / n * 1e6:6.1f} µs/event" + db.format(db_seconds / n * 1e6))


_PG_PIDS: list[int] = []


def db_cpu() -> float:
    """CPU seconds so far of the PostgreSQL server's processes, to the nanosecond (``schedstat``;
    0 where there is none): with nothing else running, the database's share of a phase. The
    processes are listed at the first call (the benchmark's connections are open by then)."""
    if not _PG_PIDS:
        for entry in os.listdir("/proc"):
            try:
                if entry.isdigit() and Path(f"/proc/{entry}/comm").read_text().strip() == "postgres":
                    _PG_PIDS.append(int(entry))
            except OSError:
                continue
    total = 0
    for pid in _PG_PIDS:
        try:
            with open(f"/proc/{pid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            continue
    return total / 1e9


def _time_worker_steps() -> dict[str, tuple[float, float]]:
    """Wrap the worker's steps with CPU timers, this process's and the database's (nested steps
    count in both)."""
    import functools

    from zhifa.monitoring import admin as monitoring_admin
    from zhifa.monitoring import bulk, service, vessels

    spent: dict[str, tuple[float, float]] = {}
    steps = [
        (service, "claim"),
        (service, "findings_for"),
        (service, "BatchCache"),
        (service, "hub_devices"),
        (service, "_lock_subjects"),
        (bulk, "mark_done"),
        (bulk, "mark_raised"),
        (bulk, "fold_batch"),
        (bulk, "_route"),
        (bulk, "_write"),
        (bulk, "_copy_created_pg"),
        (vessels, "ais_watermark"),
        (monitoring_admin, "current_config"),
        (service, "settle"),
        (service.queue, "take"),
        (service.jurisdiction, "get_router"),
    ]
    for module, name in steps:
        original = getattr(module, name)

        def timed(*a: object, _f: object = original, _name: str = name, **kw: object) -> object:
            per_event = _name == "findings_for"  # called per event, in memory: no database
            d, t = 0.0 if per_event else db_cpu(), time.process_time()
            try:
                return _f(*a, **kw)  # type: ignore[operator]
            finally:
                was = spent.get(_name, (0.0, 0.0))
                spent[_name] = (was[0] + time.process_time() - t, was[1] + (0.0 if per_event else db_cpu() - d))

        functools.update_wrapper(timed, original)
        setattr(module, name, timed)
    return spent


if __name__ == "__main__":
    main()
