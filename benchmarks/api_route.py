"""Latency of one routing through the HTTP API (goal: p95 < 5 ms).

Starts a real uvicorn server on a fresh database (SQLite by default, ``--database-url`` for
PostgreSQL) holding the Zhenjiang demo's units, map and duty catalogue, logs in, then sends
sequential ``GET /api/v1/route`` requests over one keep-alive connection: points, stake marks and
GCJ-02 points, several matters. Prints p50/p95/p99/max, and the same for ``GET /healthz`` (the
raw floor of this server: one request, one trivial query) and the ratio between them.

Usage: ``.venv/bin/python benchmarks/api_route.py [--requests N] [--database-url URL]``
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentiles(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    pick = lambda q: s[min(len(s) - 1, int(q * len(s)))] * 1000  # noqa: E731
    return {
        "p50_ms": round(pick(0.5), 2),
        "p95_ms": round(pick(0.95), 2),
        "p99_ms": round(pick(0.99), 2),
        "max_ms": round(s[-1] * 1000, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="zhifa-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    env = os.environ | {"ZHIFA_DATABASE_URL": url, "ZHIFA_VAR_DIR": str(tmp)}
    zhifa = [sys.executable, "-m", "zhifa.cli"]
    from zhifa.demo.generate import generate

    files = generate(tmp / "data", scale=0.05)
    for what, key in (("units", "units"), ("jurisdiction", "jurisdiction"), ("duties", "duties")):
        subprocess.run([*zhifa, "import", what, str(files[key])], env=env, check=True, capture_output=True)
    subprocess.run(
        [
            *zhifa,
            "users",
            "create",
            "bench",
            "--name",
            "bench",
            "--roles",
            "duty_officer",
            "--password",
            "bench-password-1",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [*zhifa, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as c:
            for _ in range(100):
                try:
                    if c.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            token = c.post("/api/v1/auth/login", json={"username": "bench", "password": "bench-password-1"}).json()[
                "token"
            ]
            h = {"Authorization": f"Bearer {token}"}
            rng = random.Random(1)
            matters = ["road.overload", "passenger.taxi", "water.vessel", "port.operation", "repair.shop"]
            queries = []
            for i in range(args.requests):
                m = matters[i % len(matters)]
                kind = i % 10
                if kind == 0:
                    at, crs = f"G312 K{rng.randint(1150, 1230)}+{rng.randint(0, 999):03d}", None
                elif kind == 1:
                    at, crs = f"{rng.uniform(119.2, 119.8) + 0.005:.6f},{rng.uniform(32.0, 32.3) - 0.002:.6f}", "gcj02"
                else:
                    at, crs = f"{rng.uniform(119.2, 119.8):.6f},{rng.uniform(32.0, 32.3):.6f}", None
                queries.append({"matter": m, "at": at} | ({"crs": crs} if crs else {}))
            for q in queries[:200]:  # warm-up: router built, connections pooled
                c.get("/api/v1/route", params=q, headers=h)
            # Measured with the standard library's lean keep-alive client, so that the figures are
            # the server's plus loopback, not a heavyweight client's own overhead.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            lat, in_app, errors = [], [], 0
            for q in queries:
                path = "/api/v1/route?" + urllib.parse.urlencode(q)
                t = time.perf_counter()
                conn.request("GET", path, headers=h)
                resp = conn.getresponse()
                resp.read()
                lat.append(time.perf_counter() - t)
                errors += resp.status != 200
                in_app.append(float(resp.getheader("Server-Timing", "app;dur=0").split("dur=")[1]) / 1000)
            floor = []
            for _ in range(min(2000, args.requests)):
                t = time.perf_counter()
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                floor.append(time.perf_counter() - t)
            conn.close()
        route_p, floor_p, server_p = percentiles(lat), percentiles(floor), percentiles(in_app)
        print(f"machine        {platform.node()} · {platform.machine()} · {os.cpu_count()} cores")
        print(f"database       {url.split(':')[0]}")
        print(f"requests       {len(lat)} sequential, keep-alive, errors {errors}")
        print(f"route          {route_p}")
        print(f"  in the app   {server_p}  (Server-Timing: from request in to response out)")
        print(f"healthz floor  {floor_p}")
        print(f"p95 ratio      route / floor = {route_p['p95_ms'] / max(floor_p['p95_ms'], 1e-9):.2f}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
