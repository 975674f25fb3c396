"""Load the deterministic Zhenjiang demo into a database: generate the files, import them through
the same all-or-nothing importers users run, and create the demo logins. Idempotent: a database
that already holds the demo is left as it is (``reset=True`` rebuilds an SQLite demo), except that
a demo loaded before it had devices gets them, and a missing ``devices.csv`` (the keys the
simulated feed posts with, ``zhifa simulate``) is written again. The command-and-dispatch loop
(``zhifa.demo.dispatch``: plans, logins of officers, leads and tasks, positions) is loaded in the
same unit of work; a demo loaded before it had that needs ``--reset``.

The demo's cases issue their real documents (``zhifa.demo.cases``: numbered, PDF through Chromium,
DOCX): some fifty, about half a minute on a small machine, paid once — the database is kept and
later starts find it loaded. ``ZHIFA_DEMO_DOCUMENTS=0`` builds the cases without documents (a
quick throw-away demo); without Chromium they are built without documents and the counts say why."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from zhifa.cases.models import CaseStep
from zhifa.core.audit import SYSTEM
from zhifa.core.auth import User, create_user
from zhifa.core.config import get_settings
from zhifa.core.db import make_engine, session_scope, upgrade
from zhifa.demo import cases as cases_demo
from zhifa.demo import dispatch as dispatch_demo
from zhifa.demo.generate import DEFAULT_SEED, demo_accounts, generate, write_devices_csv
from zhifa.documents import pdf
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


#: The environment variable that turns the cases' documents off (``0``, ``false``, ``no``, ``off``).
DOCUMENTS_ENV = "ZHIFA_DEMO_DOCUMENTS"


def documents_wanted() -> bool:
    """Whether ``zhifa demo`` issues the cases' documents: yes unless ``ZHIFA_DEMO_DOCUMENTS`` says no."""
    return os.environ.get(DOCUMENTS_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def _renderer_problem() -> str | None:
    """Why documents cannot be rendered here (no Chromium, a browser that will not start), else
    None. Launches the one browser that the documents service then renders with."""
    try:
        pdf.render_pdf("<!doctype html><meta charset='utf-8'><p>镇江</p>")
    except pdf.RendererUnavailable as exc:
        return str(exc)
    return None


def load_into(
    session: Session,
    files: dict[str, Path],
    seed: int = DEFAULT_SEED,
    *,
    documents: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Import the generated files, create the demo logins and the dispatch loop (plans, leads,
    tasks, positions) and the cases in the caller's unit of work; returns the counts.
    ``documents``: the cases' steps issue their documents (``zhifa.demo.cases.load``); where they
    cannot be rendered the cases are made without them and ``counts["cases"]["documents"]`` says
    why. ``progress`` is told before the slow part."""
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
    problem = _renderer_problem() if documents else None
    if progress is not None and documents and problem is None:
        progress("issuing the demo cases' documents (PDF and DOCX, about half a minute, once)")
    cases = cases_demo.load(session, seed, documents=documents and problem is None)
    if problem is not None:
        cases["documents"] = f"not issued: {problem}"
    counts["cases"] = cases | {"s": round(time.perf_counter() - t, 2)}
    return counts


def _say(message: str) -> None:
    print(f"zhifa demo: {message}", file=sys.stderr, flush=True)


#: The folders under ``var/`` whose files belong to the database beside them: issued documents,
#: the evidence store, the events' Parquet archive.
STORED_FILES = ("documents", "evidence", "archive")


def _drop_stored_files(db_file: Path, var_dir: Path) -> None:
    """On a rebuild, the previous demo's stored files go with its database — only when that
    database is the embedded one in ``var_dir``, whose files they are."""
    if db_file.resolve().parent != var_dir.resolve():
        return
    for name in STORED_FILES:
        shutil.rmtree(var_dir / name, ignore_errors=True)


def load_demo(
    scale: float = 1.0,
    reset: bool = False,
    database_url: str | None = None,
    seed: int = DEFAULT_SEED,
    documents: bool | None = None,
) -> dict[str, Any]:
    """Load the demo into the database once (``reset``: an SQLite demo rebuilt). ``documents``:
    whether its cases issue their documents; None: :func:`documents_wanted` (yes by default)."""
    if documents is None:
        documents = documents_wanted()
    settings = get_settings()
    url = database_url or settings.resolved_database_url()
    if reset and url.startswith("sqlite:///"):
        db_file = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
        _drop_stored_files(db_file, settings.var_dir)
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
                with_documents = session.scalar(
                    select(func.count()).select_from(CaseStep).where(CaseStep.document_id.is_not(None))
                )
            if documents and not with_documents:
                # A demo loaded before its cases issued documents (or with ZHIFA_DEMO_DOCUMENTS=0).
                counts["documents"] = "the cases have no documents: `zhifa demo --reset` rebuilds the demo with them"
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
            counts |= load_into(session, files, seed, documents=documents, progress=_say)
        return {"counts": counts, "accounts": accounts, "database_url": url}
    finally:
        engine.dispose()
