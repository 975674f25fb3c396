"""Load the deterministic Zhenjiang demo into a database: generate the files, import them through
the same all-or-nothing importers users run, and create the demo logins. Idempotent: a database
that already holds the demo is left as it is (``reset=True`` rebuilds an SQLite demo), except that
a demo loaded before it had devices gets them, and a missing ``devices.csv`` (the keys the
simulated feed posts with, ``zhifa simulate``) is written again. The command-and-dispatch loop
(``zhifa.demo.dispatch``: plans, logins of officers, leads and tasks, positions) is loaded in the
same unit of work; a demo loaded before it had that needs ``--reset``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from zhifa.core.audit import SYSTEM
from zhifa.core.auth import User, create_user
from zhifa.core.config import get_settings
from zhifa.core.db import make_engine, session_scope, upgrade
from zhifa.demo import cases as cases_demo
from zhifa.demo import dispatch as dispatch_demo
from zhifa.demo.generate import DEFAULT_SEED, demo_accounts, generate, write_devices_csv
from zhifa.imports import run_import
from zhifa.sensing.models import Device

#: Import order: units before everything that names a unit; the map before routing by site; the
#: devices last (each is routed to its owning unit by the map and the duty catalogue).
STEPS: tuple[tuple[str, str, str | None], ...] = (
    ("units", "units", None),
    ("officers", "officers", None),
    ("party_branches", "party_branches", None),
    ("jurisdiction", "jurisdiction", None),
    ("duties", "duties", None),
    ("items", "items", None),
    ("enterprises", "entities", "enterprise"),
    ("vehicles", "entities", "vehicle"),
    ("vessels", "entities", "vessel"),
    ("persons", "entities", "person"),
    ("sites", "entities", "site"),
    ("permits", "entities", "permit"),
    ("devices", "devices", None),
)


def _ensure_devices(engine: Engine, out_dir: Path, seed: int) -> dict[str, Any]:
    """A demo loaded before it had devices gets them now; ``devices.csv`` (the simulator's keys)
    is written when missing. The keys depend on the seed only, so they match the stored hashes."""
    path = out_dir / "devices.csv"
    if not path.exists():
        write_devices_csv(path, seed)
    with session_scope(engine) as session:
        if session.scalar(select(func.count()).select_from(Device)):
            return {}
        return {"devices": run_import(session, SYSTEM, "devices", path)}


def load_into(session: Session, files: dict[str, Path], seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Import the generated files, create the demo logins and the dispatch loop (plans, leads,
    tasks, positions) in the caller's unit of work; returns the counts."""
    counts: dict[str, Any] = {}
    for name, what, kind in STEPS:
        t = time.perf_counter()
        result = run_import(session, SYSTEM, what, files[name], kind=kind)
        counts[name] = result | {"s": round(time.perf_counter() - t, 2)}
    for acc in demo_accounts():
        create_user(
            session,
            SYSTEM,
            acc["username"],
            acc["password"],
            acc["display_name"],
            list(acc["roles"]),
            acc.get("unit"),
        )
    t = time.perf_counter()
    counts["dispatch"] = dispatch_demo.load(session, seed) | {"s": round(time.perf_counter() - t, 2)}
    t = time.perf_counter()
    counts["cases"] = cases_demo.load(session, seed) | {"s": round(time.perf_counter() - t, 2)}
    return counts


def load_demo(
    scale: float = 1.0, reset: bool = False, database_url: str | None = None, seed: int = DEFAULT_SEED
) -> dict[str, Any]:
    settings = get_settings()
    url = database_url or settings.resolved_database_url()
    if reset and url.startswith("sqlite:///"):
        db_file = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
    upgrade(url)
    engine = make_engine(url)
    accounts: list[dict[str, Any]] = [dict(a) for a in demo_accounts()]
    counts: dict[str, Any] = {}
    try:
        with session_scope(engine) as session:
            already = session.scalar(select(func.count()).select_from(User).where(User.username == "demo-admin"))
        out_dir = settings.var_dir / "demo-data"
        out_dir.mkdir(parents=True, exist_ok=True)
        if already:
            counts = {"status": "demo already loaded"} | _ensure_devices(engine, out_dir, seed)
            with session_scope(engine) as session:
                existing = set(session.scalars(select(User.username)))
            if any(a["username"] not in existing for a in accounts):
                # A demo loaded before it had the dispatch loop: its officers are numbered otherwise.
                accounts = [a for a in accounts if a["username"] in existing]
                counts["dispatch"] = "not in this demo database: `zhifa demo --reset` rebuilds it"
            return {"counts": counts, "accounts": accounts, "database_url": url}
        t0 = time.perf_counter()
        files = generate(out_dir, seed=seed, scale=scale)
        counts["generate_s"] = round(time.perf_counter() - t0, 2)
        # One unit of work: a demo is either fully loaded or not at all.
        with session_scope(engine) as session:
            counts |= load_into(session, files, seed)
        return {"counts": counts, "accounts": accounts, "database_url": url}
    finally:
        engine.dispose()
