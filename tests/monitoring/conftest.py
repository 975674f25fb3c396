"""Fixtures for tests that run the real ``zhifa`` command in processes of their own (server,
workers, CLI) against a fresh database of the test's own.

Every process started through :class:`Zhifa` is killed at teardown, so no test leaves a stray
server or worker behind, whatever happens in the test. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from tests.helpers import DATA

WIM_KEY = "wim1-proc-key-0123456789"
DEVICES_CSV = (
    "code,kind,name,lon,lat,accuracy_pct,crossing_line,api_key,legal_review_date,publicly_listed,verified_until\n"
    f"WIM1,wim,G312 称重点,119.35,32.2002,,,{WIM_KEY},2026-01-01,true,2099-01-01\n"
)

#: What a request may fail with when the server dies under it (or is not up yet).
TRANSPORT_ERRORS = (OSError, http.client.HTTPException)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_json(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 30.0
) -> tuple[int, Any]:
    """``(status, parsed JSON or text)``; transport failures raise (see ``TRANSPORT_ERRORS``)."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


class Zhifa:
    """Runs ``python -m zhifa.cli`` against one database and evidence folder."""

    def __init__(self, db_url: str, var_dir: Path) -> None:
        self.db_url, self.var_dir = db_url, var_dir
        self.env = os.environ | {"ZHIFA_DATABASE_URL": db_url, "ZHIFA_VAR_DIR": str(var_dir)}
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: dict[int, Path] = {}
        self._files: list[IO[bytes]] = []

    # ------------------------------------------------------------------ one-shot commands

    def run(self, *args: str, timeout: float = 300.0, check: bool = True) -> subprocess.CompletedProcess[str]:
        r = subprocess.run(
            [sys.executable, "-m", "zhifa.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check:
            assert r.returncode == 0, f"zhifa {' '.join(args)} exited {r.returncode}:\n{r.stderr[-3000:]}"
        return r

    def setup_world(self) -> None:
        """Migrate; units, the small map and one WIM device with the fixed key ``WIM_KEY``."""
        devices = self.var_dir / "devices.csv"
        devices.write_text(DEVICES_CSV, "utf-8")
        self.run("import", "units", str(DATA / "units.csv"))
        self.run("import", "jurisdiction", str(DATA / "map.geojson"))
        self.run("import", "devices", str(devices))

    # ------------------------------------------------------------------ long-running processes

    def start(self, *args: str, name: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = self.var_dir / f"{name}-{len(self.procs)}.log"
        f = open(log, "wb")  # noqa: SIM115 - closed at teardown
        self._files.append(f)
        p = subprocess.Popen(
            [sys.executable, "-m", "zhifa.cli", *args],
            env=self.env | (env or {}),
            stdout=f,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.procs.append(p)
        self.logs[p.pid] = log
        return p

    def serve(self, port: int, timeout: float = 90.0) -> subprocess.Popen[bytes]:
        """``zhifa serve --port PORT`` (API plus its embedded worker), once ``/healthz`` answers."""
        p = self.start("serve", "--port", str(port), name="serve")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert p.poll() is None, f"zhifa serve exited {p.returncode}:\n{self.tail(p)}"
            try:
                if http_json("GET", f"http://127.0.0.1:{port}/healthz", timeout=2)[0] == 200:
                    return p
            except TRANSPORT_ERRORS:
                pass
            time.sleep(0.1)
        raise AssertionError(f"zhifa serve not healthy after {timeout} s:\n{self.tail(p)}")

    def worker(self, name: str = "worker", env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        return self.start("worker", name=name, env=env)

    def kill(self, p: subprocess.Popen[bytes]) -> None:
        """SIGKILL: no cleanup, no goodbye, like a power cut of that process."""
        if p.poll() is None:
            p.kill()
        p.wait(timeout=30)

    def stop(self, p: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
        """SIGTERM and wait for the exit code (SIGKILL if it does not stop in time)."""
        if p.poll() is None:
            p.terminate()
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=30)
            raise AssertionError(f"process {p.pid} ignored SIGTERM for {timeout} s:\n{self.tail(p)}") from None

    def tail(self, p: subprocess.Popen[bytes], chars: int = 3000) -> str:
        log = self.logs.get(p.pid)
        if log is None or not log.exists():
            return ""
        return log.read_bytes()[-chars:].decode("utf-8", "replace")

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):  # a process that survives SIGKILL
                p.wait(timeout=30)
        for f in self._files:
            f.close()


@pytest.fixture()
def zhifa_procs(fresh_db_url: str, tmp_path: Path) -> Iterator[Zhifa]:
    """The ``zhifa`` command on a fresh database of the test's own; leftovers killed afterwards."""
    z = Zhifa(fresh_db_url, tmp_path)
    try:
        yield z
    finally:
        z.close()
