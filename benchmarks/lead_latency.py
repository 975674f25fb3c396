"""Lead latency under a steady stream, and memory over the run.

Starts a real server (`zhifa serve` with its worker process) on a fresh SQLite database (or
``--database-url``), then posts WIM events at a steady rate (default 2,000 events/s, in batches
of 200 every 0.1 s, 5 % overloaded) for ``--seconds``. For every event that raised a lead it takes
the time from the server's acknowledgement (the event's ``received_at``, stored before the answer)
to the lead's commit-time ``created_at``: p50/p99/max. It also reports the rate actually sustained,
the backlog at the end, and the peak RSS (VmHWM) of the server and of its child processes (the
worker, and multiprocessing's small resource tracker), sampled every second, with the RSS at
the start and end of the second half (flat = within ±10 %).

Usage: ``.venv/bin/python benchmarks/lead_latency.py [--rate 2000] [--seconds 60]``
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from _setup import CLI, free_port, prepared_database, wait_up
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parents[1]
DEVICES = (
    "code,kind,name,lon,lat,accuracy_pct,crossing_line,api_key\n"
    "WIM0,wim,称重点,119.35,32.2002,,,wim0-latency-key-0123456789\n"
)


def rss_kb(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) in KiB from /proc."""
    now = peak = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                now = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    except OSError:
        pass
    return now, peak


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=int, default=2000, help="events per second")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()

    tmp, url, env = prepared_database("zhifa-latency-", DEVICES, args.database_url)
    cli = CLI
    port = free_port()
    log = open(tmp / "server.log", "wb")  # noqa: SIM115
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    engine = create_engine(url)
    from zhifa.monitoring.models import Lead, LeadEvent
    from zhifa.sensing.models import Event

    samples: list[tuple[float, dict[int, int]]] = []
    try:
        wait_up(f"http://127.0.0.1:{port}", server, tmp / "server.log")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        per_tick = max(1, args.rate // 10)
        n = sent = 0
        t0 = time.perf_counter()
        next_sample = 0.0
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        while (elapsed := time.perf_counter() - t0) < args.seconds:
            batch = []
            now = datetime.now(UTC).isoformat()
            for _ in range(per_tick):
                over = n % 20 == 0
                batch.append(
                    {
                        "id": f"l{n}",
                        "type": "wim",
                        "device": "WIM0",
                        "time": now,
                        "plate": f"苏{letters[n % 24]}{letters[(n // 24) % 24]}{n % 10000:04d}",
                        "plate_color": "yellow",
                        "axles": 2,
                        "gross_kg": 40000 if over else 12000,
                    }
                )
                n += 1
            conn.request(
                "POST",
                "/api/v1/events",
                body=json.dumps(batch, ensure_ascii=False).encode(),
                headers={"X-Device-Key": "wim0-latency-key-0123456789"},
            )
            r = conn.getresponse()
            r.read()
            if r.status == 200:
                sent += len(batch)
            if elapsed >= next_sample:
                pids = [server.pid, *children(server.pid)]
                samples.append((elapsed, {p: rss_kb(p)[0] for p in pids}))
                next_sample += 1.0
            tick_end = t0 + (sent / args.rate)
            if (sleep := tick_end - time.perf_counter()) > 0:
                time.sleep(sleep)
        t_send = time.perf_counter() - t0
        with engine.connect() as c:
            backlog = c.execute(select(func.count()).select_from(Event).where(Event.status == "pending")).scalar_one()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with engine.connect() as c:
                left = c.execute(select(func.count()).select_from(Event).where(Event.status == "pending")).scalar_one()
            if not left:
                break
            time.sleep(0.2)
        peaks = {p: rss_kb(p)[1] for p in [server.pid, *children(server.pid)]}
        with engine.connect() as c:
            # Per lead: from the acknowledgement of the event that opened it to its commit (later
            # events of the same vehicle fold into the existing lead).
            rows = c.execute(
                select(func.min(Event.received_at), Lead.created_at)
                .join(LeadEvent, LeadEvent.event_id == Event.id)
                .join(Lead, Lead.id == LeadEvent.lead_id)
                .group_by(Lead.id, Lead.created_at)
            ).all()
    finally:
        server.terminate()
        server.wait(20)
        engine.dispose()

    def aware(t: datetime) -> datetime:
        return t if t.tzinfo else t.replace(tzinfo=UTC)

    lat = [(aware(lead_at) - aware(rec)).total_seconds() for rec, lead_at in rows]
    half = [s for s in samples if s[0] >= args.seconds / 2]
    print(f"machine         {platform.node()} · {platform.machine()} · {os.cpu_count()} cores")
    print(f"database        {url.split(':')[0]}")
    print(f"offered         {args.rate} events/s for {args.seconds} s; acknowledged {sent} ({sent / t_send:,.0f}/s)")
    print(f"backlog at end  {backlog} events still pending when sending stopped")
    print(
        f"lead latency    {len(lat)} leads: p50 {pct(lat, 0.5):.3f} s, p99 {pct(lat, 0.99):.3f} s, "
        f"max {max(lat) if lat else float('nan'):.3f} s (ack → lead committed)"
    )
    for pid, peak in peaks.items():
        role = "server" if pid == server.pid else f"child {pid}"
        first = half[0][1].get(pid, 0) if half else 0
        last = half[-1][1].get(pid, 0) if half else 0
        drift = (last - first) / first * 100 if first else float("nan")
        print(
            f"{role:<15} peak RSS {peak / 1024:.0f} MiB; second half {first / 1024:.0f} → {last / 1024:.0f} MiB "
            f"({drift:+.1f} %)"
        )


if __name__ == "__main__":
    main()
