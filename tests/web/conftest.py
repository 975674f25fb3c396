"""Fixtures for the web UI tests: headless Debian Chromium for pytest-playwright (never
``playwright install``), and a logged-in TestClient for the server-side page tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "pw-long-enough"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


def make_user(session: Session, username: str, roles: list[str], name: str = "测试用户") -> None:
    from zhifa.core.audit import SYSTEM
    from zhifa.core.auth import create_user

    create_user(session, SYSTEM, username, PASSWORD, name, roles)
    session.flush()


@pytest.fixture()
def admin_client(client: Any, session: Session) -> Any:
    """The API client, logged in as an administrator (session cookie set)."""
    make_user(session, "web-admin", ["admin"], "管理员")
    r = client.post("/api/v1/auth/login", json={"username": "web-admin", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return client
