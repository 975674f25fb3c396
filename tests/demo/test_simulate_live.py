"""The simulated feed against a real server, end to end: ``zhifa demo --no-serve`` loads the demo
on a fresh database, ``zhifa serve`` runs in a process of its own, ``zhifa simulate`` feeds it for
20 s at a high speed-up through the public API, and the leads come out of the server's own worker
(``GET /api/v1/leads``). Then ``zhifa demo`` serves the same database with its live feed.

Every process is killed at teardown; every wait is bounded."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import pytest

pytestmark = pytest.mark.slow

ADMIN = {"username": "demo-admin", "password": "zhifa-demo-2026"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


class Processes:
    """``python -m zhifa.cli …`` against one database and var dir; leftovers killed at teardown."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder = env, folder
        self.procs: list[tuple[subprocess.Popen[bytes], Path, IO[bytes]]] = []

    def run(self, *args: str, timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
        r = subprocess.run(
            [sys.executable, "-m", "zhifa.cli", *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert r.returncode == 0, f"zhifa {' '.join(args)} exited {r.returncode}:\n{r.stderr[-3000:]}"
        return r

    def start(self, *args: str, name: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.folder / f"{name}.log"
        fh = open(log, "wb")  # noqa: SIM115 - closed at teardown
        p = subprocess.Popen(
            [sys.executable, "-m", "zhifa.cli", *args],
            env=self.env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.procs.append((p, log, fh))
        return p, log

    def wait_healthy(self, p: subprocess.Popen[bytes], log: Path, url: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert p.poll() is None, f"exited {p.returncode}:\n{log.read_text('utf-8', 'replace')[-3000:]}"
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{url} not healthy after {timeout} s:\n{log.read_text('utf-8', 'replace')[-3000:]}")

    def stop(self, p: subprocess.Popen[bytes]) -> None:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=30)

    def close(self) -> None:
        for p, _, fh in self.procs:
            if p.poll() is None:
                p.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):  # one that survives SIGKILL: give up
                p.wait(timeout=30)
            fh.close()


@pytest.fixture()
def zhifa(fresh_db_url: str, tmp_path: Path) -> Iterator[Processes]:
    # The demo's cases without their documents: the feed is tested here, the documents in test_cases_demo.
    env = os.environ | {"ZHIFA_DATABASE_URL": fresh_db_url, "ZHIFA_VAR_DIR": str(tmp_path), "ZHIFA_DEMO_DOCUMENTS": "0"}
    procs = Processes(env, tmp_path)
    try:
        yield procs
    finally:
        procs.close()


def wait_for(what: str, check: Callable[[], Any], timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} after {timeout} s")
        time.sleep(1.0)


def test_the_simulated_feed_raises_leads_through_a_real_server(zhifa: Processes, tmp_path: Path) -> None:
    zhifa.run("demo", "--no-serve", "--scale", "0.02")
    demo_data = tmp_path / "demo-data"
    assert (demo_data / "devices.csv").exists()
    with (demo_data / "units.csv").open(encoding="utf-8", newline="") as fh:
        road_units = {u["code"] for u in csv.DictReader(fh) if u["line"] == "road"}

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server, log = zhifa.start("serve", "--port", str(port), name="serve")
    zhifa.wait_healthy(server, log, url)

    # 20 s of wall time at 60×: the last 20 minutes replayed, half the weighed trucks overloaded.
    sim = zhifa.run(
        "simulate", "--url", url, "--duration", "20", "--speedup", "60", "--rate", "2",
        "--overload-share", "0.5", "--dark-share", "0.3", timeout=180,
    )  # fmt: skip
    counts = json.loads(sim.stdout)
    generated = counts["generated"]
    assert set(generated) == {"wim", "plate_capture", "ais", "ship_passage"}, generated
    assert counts["rejected"] == 0 and counts["refused"] == 0 and counts["rejections"] == [], counts
    assert counts["accepted"] + counts["duplicate"] == sum(generated.values())
    assert counts["accepted"] > 1000
    assert "[simulate]" in sim.stderr and "accepted" in sim.stderr  # the lines of counts
    # The demo's patrol officers' phones log in as themselves and report positions the server takes.
    assert counts["positions"] >= 2 and counts["positions_failed"] == 0, counts

    status, login = http("POST", url + "/api/v1/auth/login", ADMIN)
    assert status == 200, login
    token = login["token"]

    def leads(kind: str) -> list[dict[str, Any]]:
        status, page = http("GET", f"{url}/api/v1/leads?kind={kind}&per_page=1000", token=token)
        assert status == 200, page
        return list(page["items"])

    overloads = wait_for("overload lead", lambda: leads("overload"))
    assert all(x["unit"] in road_units and x["routing_mode"] == "strip" for x in overloads), overloads[:3]
    assert len({x["unit"] for x in overloads}) >= 3  # stations on several brigades' roads
    assert all(x["details"]["gross_kg"] > x["details"]["limit_kg"] for x in overloads)

    [dark, *_] = wait_for("ais_dark lead", lambda: leads("ais_dark"))
    assert (dark["unit"], dark["matter"]) == ("ZJ-WT1", "water.vessel")
    assert dark["subject"].startswith("passage:CP-")

    illegal = wait_for("illegal_operation lead", lambda: leads("illegal_operation"))
    assert all(x["unit"] == "ZJ-BLK-RZ" for x in illegal)  # 镇江站 lies in 润州
    mismatch = wait_for("ais_mismatch lead", lambda: leads("ais_mismatch"))
    assert mismatch[0]["details"]["problem"] == "static_data"

    status, stuck = http("GET", url + "/api/v1/events/stuck", token=token)
    assert (status, stuck) == (200, [])

    # `zhifa demo` serves the loaded demo with its live feed in a background thread; a lost
    # devices.csv is written again with the same keys (they depend on the seed only).
    zhifa.stop(server)
    (demo_data / "devices.csv").unlink()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.time()
    demo, demo_log = zhifa.start("demo", "--port", str(port), "--scale", "0.02", name="demo")
    zhifa.wait_healthy(demo, demo_log, url)

    def fed() -> bool:
        status, devices = http("GET", url + "/api/v1/devices", token=token)
        assert status == 200, devices
        seen = [d["last_seen_at"] for d in devices if d["last_seen_at"]]
        return any(datetime.fromisoformat(t).timestamp() > started for t in seen)

    wait_for("device posting to `zhifa demo`", fed, timeout=60)
    assert (demo_data / "devices.csv").exists()
    text = demo_log.read_text("utf-8", "replace")
    assert "Live simulated feed" in text and "--no-simulate" in text
    zhifa.stop(demo)
