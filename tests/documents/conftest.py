"""Fixtures of the documents tests: a var dir of the test's own, where issued files are stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from zhifa.core.config import get_settings


@pytest.fixture(autouse=True)
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ZHIFA_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()
