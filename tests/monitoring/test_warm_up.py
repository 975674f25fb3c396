"""The worker's warm-up (``monitoring.service.warm_up``): the routing map built before the first
batch, and a warm-up that cannot run is no error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from tests.sensing.test_queue import fresh, post  # noqa: F401 (fresh: a fixture)
from zhifa.jurisdiction import service as jurisdiction
from zhifa.monitoring import service as monitoring


@pytest.mark.db
def test_the_first_batch_finds_the_map_built(fresh: Engine, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from tests.monitoring.test_pipeline import wim

    monkeypatch.setattr(jurisdiction, "_cache", {})  # as in a process just started
    monkeypatch.setattr(jurisdiction, "_checked", {})
    built: list[int] = []
    real = jurisdiction.build_router

    def counting(*a: Any, **kw: Any) -> Any:
        built.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(jurisdiction, "build_router", counting)
    monitoring.warm_up(fresh)
    assert built == [1]
    post(fresh, [wim(1, 30000, t=(datetime.now(UTC) - timedelta(minutes=1)).isoformat())])
    assert monitoring.process_pending(fresh)["leads"] == 1
    assert built == [1]  # the batch used the map the warm-up built


def test_a_warm_up_that_cannot_reach_the_database_is_only_logged(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'no.db'}")  # no such folder
    monitoring.warm_up(engine)
    assert "worker warm-up failed" in caplog.text


@pytest.mark.db
def test_the_worker_lingers_only_while_tickets_keep_arriving(fresh: Engine) -> None:  # noqa: F811
    """After a small batch the worker waits for more tickets while they keep coming (up to
    ``linger_s``), and stops waiting at the first look that finds none new."""
    import threading
    import time

    from zhifa.core.db import session_factory
    from zhifa.sensing import queue

    w = monitoring.Worker(fresh, linger_s=1.0)
    t = time.monotonic()
    w._linger()  # nothing arrives: one look, then on
    quiet = time.monotonic() - t
    assert quiet < 2 * monitoring.LINGER_STEP_S + 0.05, quiet

    stop = threading.Event()

    def feed() -> None:  # a ticket every 20 ms, as posts under load bring them
        while not stop.is_set():
            with session_factory(fresh)() as s:
                queue.enqueue(s, [1])
                s.commit()
            time.sleep(0.02)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        t = time.monotonic()
        w._linger()
        busy = time.monotonic() - t
    finally:
        stop.set()
        feeder.join()
    assert 0.9 <= busy < 1.5, busy  # the whole linger: tickets kept arriving
