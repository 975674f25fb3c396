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
