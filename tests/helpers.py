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


def find_ais_captures() -> Path | None:
    """The real AIS captures of ``shared/data/ais``: ``ZHIFA_SHARED_DIR``, else beside the
    repository (as CI lays it out), else /work/shared."""
    import os

    candidates = [Path(os.environ["ZHIFA_SHARED_DIR"])] if os.environ.get("ZHIFA_SHARED_DIR") else []
    candidates += [Path(__file__).resolve().parents[2] / "shared", Path("/work/shared")]
    for base in candidates:
        if (base / "data" / "ais").is_dir():
            return base / "data" / "ais"
    return None


def ais_captures() -> Path:
    """:func:`find_ais_captures`, or a failure under CI and a skip elsewhere."""
    import os

    import pytest

    found = find_ais_captures()
    if found is not None:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("shared/data/ais not found beside the repository (set ZHIFA_SHARED_DIR)")
    pytest.skip("shared/data/ais (real AIS captures) not found beside the repository")
    raise AssertionError  # unreachable
