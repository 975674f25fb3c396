"""Catalogue test fixtures (the database session comes from tests/conftest.py)."""

from __future__ import annotations

import pytest

from zhifa.core.audit import SYSTEM, Actor


@pytest.fixture
def admin() -> Actor:
    return SYSTEM
