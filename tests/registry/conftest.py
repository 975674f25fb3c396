"""Registry test fixtures (the database session comes from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from zhifa.core.audit import SYSTEM, Actor


@pytest.fixture
def admin() -> Actor:
    return SYSTEM


@pytest.fixture
def officer() -> Actor:
    return Actor("u", frozenset({"officer"}))


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write ``text`` as a CSV file named ``name`` in the given encoding (default UTF-8)."""

    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write
