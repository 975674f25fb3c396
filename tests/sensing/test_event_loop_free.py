"""The ingestion routes never block the server's event loop on the database. They read their body
asynchronously and store it in a worker thread: while SQLite's write lock is held elsewhere, a
post waits for it in that thread and every other request of the process goes on. (On the event
loop the wait had stalled the whole process — among others the request holding the lock, which
needed the loop to finish — until the 10 s busy timeout: "database is locked".)"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.dispatch.conftest import DEVICES, build_world
from zhifa.core.clock import FrozenClock, use_clock
from zhifa.core.db import make_engine, session_factory, upgrade

WIM_KEY = next(line.split(",")[7] for line in DEVICES.splitlines() if line.startswith("WIM1,"))


@pytest.mark.skipif(os.environ.get("ZHIFA_TEST_DB", "sqlite") != "sqlite", reason="SQLite's write lock")
def test_a_post_waiting_for_the_write_lock_does_not_stall_the_server(tmp_path: Path) -> None:
    from tests.web.test_browser_dispatch import T0, served_in_thread

    url = f"sqlite:///{tmp_path / 'x.db'}"
    upgrade(url)
    engine = make_engine(url)
    with use_clock(FrozenClock(T0)):
        with session_factory(engine)() as session:
            build_world(session, FrozenClock(T0))
            session.commit()
        with served_in_thread(engine, "uvicorn-loop") as base:
            holder = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")  # another process's writer holds the lock
            answers: dict[str, object] = {}

            def post() -> None:
                event = {"id": "lock-1", "type": "wim", "time": T0.isoformat(), "plate": "苏L12345",
                         "plate_color": "yellow", "axles": 2, "gross_kg": 12000}  # fmt: skip
                req = urllib.request.Request(
                    f"{base}/api/v1/events",
                    json.dumps([event], ensure_ascii=False).encode(),
                    {"Content-Type": "application/json", "X-Device-Key": WIM_KEY},
                )
                with urllib.request.urlopen(req, timeout=30) as r:
                    answers["post"] = json.load(r)

            poster = threading.Thread(target=post)
            poster.start()
            time.sleep(0.5)  # the post is waiting for the lock
            try:
                started = time.monotonic()
                with urllib.request.urlopen(f"{base}/static/js/case.js", timeout=5) as r:
                    assert r.status == 200
                answered_in = time.monotonic() - started
                assert "post" not in answers  # still waiting: the lock is still held
            finally:
                holder.execute("COMMIT")
                holder.close()
            poster.join(15)
            assert answers["post"] == {"accepted": 1, "duplicate": 0, "rejected": []}
            assert answered_in < 3, f"a static file took {answered_in:.1f} s while a post waited for the lock"
    engine.dispose()
