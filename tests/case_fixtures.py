"""The case world's fixtures (``cw``: a case world with documents recorded, not rendered;
``cw_real_docs``: the same with real documents), shared by the case, web and sensing tests.
Registered for the whole suite by ``tests/conftest.py`` (``pytest_plugins``); the world itself is
built in ``tests/cases/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.cases.conftest import CaseWorld, Recorder, _setup
from zhifa.cases import issuing
from zhifa.core.clock import FrozenClock


@pytest.fixture()
def cw(
    session: Session, clock: FrozenClock, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CaseWorld]:
    from zhifa.core.config import get_settings

    monkeypatch.setattr(get_settings(), "var_dir", tmp_path)
    w = _setup(session, clock)
    w.client = client
    w.docs = Recorder()
    with issuing.use_issuer(w.docs):
        yield w


@pytest.fixture()
def cw_real_docs(
    session: Session, clock: FrozenClock, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> CaseWorld:
    from zhifa.core.config import get_settings

    monkeypatch.setattr(get_settings(), "var_dir", tmp_path)
    w = _setup(session, clock)
    w.client = client
    return w
