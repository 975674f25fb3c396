"""Dispatch API under load: 50 concurrent duty officers working the queue (locust).

Builds a fresh database (test map, units, WIM devices) holding N open leads (default 10,000)
raised by the product itself (``zhifa ingest`` of overloaded WIM events), starts ``zhifa serve``
(with its worker), then runs locust headless: each simulated duty officer logs in and, with a
think time of 0.5–2 s, reads the queue, opens the dispatch dialog of a lead
(``dispatch-preview``: routed unit, plan, nearest officers) and dispatches it. Prints the p50 /
p95 / p99 per endpoint and overall, the request rate and failures (goal: p95 < 100 ms).

Usage: ``.venv/bin/python benchmarks/dispatch_load.py [--leads N] [--users 50] [--seconds 60]
[--postgresql --api-processes 2]``
(needs ``pip install -e '.[bench]'`` for locust).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _setup import CLI, drop_postgres, free_port, fresh_postgres_url, prepared_database, wait_up

DEVICES = "code,kind,name,lon,lat,accuracy_pct,crossing_line,api_key\n" + "".join(
    f"WIM{i},wim,称重点{i},119.35,32.2002,,,wim{i}-bench-key-0123456789\n" for i in range(2)
)

LOCUSTFILE = """
import random
from locust import HttpUser, between, task

class DutyOfficer(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        r = self.client.post("/api/v1/auth/login", json={"username": "duty", "password": "bench-password-123"})
        self.client.headers["Authorization"] = "Bearer " + r.json()["token"]

    @task
    def work_the_queue(self):
        q = self.client.get("/api/v1/dispatch/queue?limit=50", name="GET queue").json()
        if not q:
            return
        lead = random.choice(q)["id"]
        self.client.get(f"/api/v1/leads/{lead}/dispatch-preview", name="GET dispatch-preview")
        with self.client.post(f"/api/v1/leads/{lead}/dispatch", json={}, name="POST dispatch",
                              catch_response=True) as r:
            if r.status_code == 409:
                r.success()  # another officer dispatched it first: the answer the API owes
"""


def leads_file(n: int, path: Path) -> None:
    start = datetime.now(UTC) - timedelta(hours=3)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            ev = {
                "id": f"o{i}",
                "type": "wim",
                "device": f"WIM{i % 2}",
                "time": (start + timedelta(milliseconds=i)).isoformat(),
                "plate": f"苏L{'ABCDEFGHJK'[i // 10000 % 10]}{i % 10000:04d}",
                "plate_color": "yellow",
                "axles": 2,
                "gross_kg": 40000,
            }
            f.write(json.dumps(ev, ensure_ascii=False) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=10_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--postgresql", action="store_true", help="a fresh database on 127.0.0.1:5432, dropped after")
    ap.add_argument("--api-processes", type=int, default=1, help="`zhifa serve --workers N` (PostgreSQL)")
    args = ap.parse_args()
    if shutil.which("locust", path=str(Path(sys.executable).parent)) is None:
        raise SystemExit("locust is not installed: pip install -e '.[bench]'")

    url = fresh_postgres_url("zhifa_dispatch") if args.postgresql else None
    tmp, url, env = prepared_database("zhifa-dispatch-load-", DEVICES, url)
    leads_file(args.leads, tmp / "leads.ndjson")
    subprocess.run([*CLI, "ingest", str(tmp / "leads.ndjson")], env=env, check=True, capture_output=True)
    subprocess.run(
        [*CLI, "users", "create", "duty", "--name", "值班员", "--roles", "duty_officer", "--unit", "CC",
         "--password", "bench-password-123"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    log = open(tmp / "server.log", "wb")  # noqa: SIM115
    serve = [*CLI, "serve", "--port", str(port), "--workers", str(args.api_processes)]
    server = subprocess.Popen(serve, env=env, stdout=log, stderr=log)
    try:
        wait_up(f"http://127.0.0.1:{port}", server, tmp / "server.log")
        (tmp / "locustfile.py").write_text(LOCUSTFILE, "utf-8")
        prefix = tmp / "locust"
        locust = str(Path(sys.executable).parent / "locust")
        subprocess.run(
            [locust, "-f", str(tmp / "locustfile.py"), "--headless", "-u", str(args.users), "-r", str(args.users),
             "-t", f"{args.seconds}s", "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary"],
            check=False, capture_output=True,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(20)

    rows = list(csv.DictReader((tmp / "locust_stats.csv").open(encoding="utf-8")))
    print(f"machine   {platform.node()} · {platform.machine()} · {os.cpu_count()} cores")
    print(
        f"database  {url.split(':')[0]} ({args.api_processes} API process(es), worker running);"
        f" {args.leads} open leads; {args.users} users, {args.seconds} s"
    )
    print(f"{'endpoint':<24} {'requests':>9} {'fails':>6} {'rps':>7} {'p50':>6} {'p95':>6} {'p99':>6} (ms)")
    for r in rows:
        print(
            f"{r['Name']:<24} {r['Request Count']:>9} {r['Failure Count']:>6} {float(r['Requests/s']):>7.1f}"
            f" {r['50%']:>6} {r['95%']:>6} {r['99%']:>6}"
        )
    if args.postgresql:
        drop_postgres(url)
    failures = tmp / "locust_failures.csv"
    if failures.exists() and failures.read_text("utf-8").count("\n") > 1:
        print("failures:\n" + failures.read_text("utf-8"))


if __name__ == "__main__":
    main()
