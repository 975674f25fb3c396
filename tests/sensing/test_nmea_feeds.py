"""Raw AIS feeds: the HTTP endpoint and the TCP listener, on the real captures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from tests.helpers import DATA, ais_captures, load_small_map
from zhifa.core.audit import SYSTEM
from zhifa.imports import run_import
from zhifa.sensing.models import Event

DEVICE = (
    "code,kind,name,lon,lat,accuracy_pct,crossing_line,api_key\n"
    "AIS1,ais_receiver,基站,119.4,32.23,,,ais1-key-0123456789\n"
)


def test_http_nmea_counts_junk_and_stores_the_rest(client: Any, session: Session) -> None:
    load_small_map(session)
    run_import(session, SYSTEM, "devices", Path("d.csv"), DEVICE.encode())
    body = (ais_captures() / "mixed.txt").read_bytes()
    r = client.post("/api/v1/ais/nmea", content=body, headers={"X-Device-Key": "ais1-key-0123456789"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["messages"] == 12 and out["bad_checksum"] == 2 and out["malformed"] == 4 and out["stored"] == 1
    r = client.post(
        "/api/v1/ais/nmea", content=b"!AIVDM,1,1,,B,,0*25\n", headers={"X-Device-Key": "ais1-key-0123456789"}
    )
    assert r.json()["empty_payload"] == 1
    assert client.post("/api/v1/ais/nmea", content=body, headers={"X-Device-Key": "nope"}).status_code == 401


def test_an_ais_receiver_posting_often_is_resolved_once_and_beats_every_5_s(
    client: Any, session: Session, clock: Any
) -> None:
    """A receiver posting its sentences every second: its key is looked up once, its heartbeat
    written at most every 5 s (by the injectable clock), the device offline comes back active."""
    from datetime import timedelta

    from sqlalchemy import event, update

    from zhifa.sensing.models import Device

    load_small_map(session)
    run_import(session, SYSTEM, "devices", Path("d.csv"), DEVICE.encode())
    session.execute(update(Device).where(Device.code == "AIS1").values(status="offline"))
    seen: list[str] = []
    event.listen(session.connection(), "before_cursor_execute", lambda *a: seen.append(a[2]))
    lines = [ln for ln in (ais_captures() / "mixed.txt").read_text("utf-8").splitlines() if ln.startswith("!AIVDM")]
    for k in range(4):
        body = "\n".join(lines[k : k + 2]).encode()
        r = client.post("/api/v1/ais/nmea", content=body, headers={"X-Device-Key": "ais1-key-0123456789"})
        assert r.status_code == 200 and r.json()["stored"] == 1, r.text
        clock.advance(timedelta(seconds=2))  # posts at 0, 2, 4 and 6 s
    assert sum("api_key_hash" in q for q in seen) == 1
    assert sum(q.startswith("UPDATE sensing_device SET") and "last_seen_at=" in q for q in seen) == 2  # 0 and 6 s
    ais1 = session.scalar(select(Device).where(Device.code == "AIS1"))
    assert ais1 is not None and ais1.status == "active" and ais1.last_seen_at == clock.now() - timedelta(seconds=2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_tcp_listener_survives_a_real_capture(fresh_db_url: str, tmp_path: Path) -> None:
    env = os.environ | {"ZHIFA_DATABASE_URL": fresh_db_url, "ZHIFA_VAR_DIR": str(tmp_path)}
    cli = [sys.executable, "-m", "zhifa.cli"]
    for what, f in (("units", DATA / "units.csv"), ("jurisdiction", DATA / "map.geojson")):
        subprocess.run([*cli, "import", what, str(f)], env=env, check=True, capture_output=True)
    dev = tmp_path / "devices.csv"
    dev.write_text(DEVICE, "utf-8")
    subprocess.run([*cli, "import", "devices", str(dev)], env=env, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen(
        [*cli, "ais-listen", "--port", str(port), "--device", "AIS1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        sample = (ais_captures() / "nmea_data_sample.txt").read_bytes()
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(sample)
            conn.sendall(b"\x00\xff garbage line\n" + b"X" * 10000 + b"\n")
        engine = create_engine(fresh_db_url)
        n = 0
        for _ in range(100):
            with engine.connect() as c:
                n = c.execute(select(func.count()).select_from(Event)).scalar_one()
            if n:
                time.sleep(1.5)
                break
            time.sleep(0.1)
        with engine.connect() as c:
            rows = c.execute(select(Event.payload)).scalars().all()
        engine.dispose()
        stored = sum(len(p["nmea"]) for p in rows)
        assert stored >= sample.count(b"\n")  # every line of the capture reached the store
        assert proc.poll() is None  # junk did not kill the listener
    finally:
        proc.terminate()
        proc.wait(10)
