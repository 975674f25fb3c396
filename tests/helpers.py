"""Small factories shared by tests (fixed defaults, never random)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from zhifa.core.audit import SYSTEM
from zhifa.core.auth import create_user

DATA = Path(__file__).parent / "data"


def load_small_map(session: Session, duties: bool = True) -> None:
    from zhifa.imports import run_import

    run_import(session, SYSTEM, "units", DATA / "units.csv")
    run_import(session, SYSTEM, "jurisdiction", DATA / "map.geojson")
    if duties:
        run_import(session, SYSTEM, "duties", DATA / "duties.csv")


def make_user(
    session: Session,
    username: str = "admin",
    roles: tuple[str, ...] = ("admin",),
    unit: str | None = None,
    password: str = "correct-horse-battery",
) -> Any:
    return create_user(session, SYSTEM, username, password, username, list(roles), unit)


def login(client: Any, username: str = "admin", password: str = "correct-horse-battery") -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def map_doc() -> dict[str, Any]:
    return json.loads((DATA / "map.geojson").read_text("utf-8"))
