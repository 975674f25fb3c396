"""Shared set-up for the server benchmarks: a free port and a fresh database holding the test
map and the given devices, loaded through the CLI as a user would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "zhifa.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the server at ``url`` answers ``/healthz``; stop the benchmark with the server's
    log if it died or did not come up within a minute."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"server did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


def prepared_database(prefix: str, devices_csv: str, database_url: str | None) -> tuple[Path, str, dict[str, str]]:
    """A temp folder, the database URL (SQLite in it unless given) and the environment for
    ``zhifa`` subprocesses, with units, the test map and the devices imported."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    url = database_url or f"sqlite:///{tmp / 'bench.db'}"
    env = os.environ | {"ZHIFA_DATABASE_URL": url, "ZHIFA_VAR_DIR": str(tmp)}
    data = ROOT / "tests" / "data"
    (tmp / "devices.csv").write_text(devices_csv, "utf-8")
    for what, f in (
        ("units", data / "units.csv"),
        ("jurisdiction", data / "map.geojson"),
        ("devices", tmp / "devices.csv"),
    ):
        subprocess.run([*CLI, "import", what, str(f)], env=env, check=True, capture_output=True)
    return tmp, url, env


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_postgres_url(prefix: str = "zhifa_bench") -> str:
    """Create an empty PostgreSQL database of this run's own (dropped by ``drop_postgres``)."""
    import psycopg

    name = f"{prefix}_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[-1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
