"""The ASGI application: API under /api/v1 (OpenAPI at /api/docs), the web UI, static assets."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, Form, UploadFile
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text

import zhifa
from zhifa.core.api import DB, CurrentActor, install_error_handlers
from zhifa.core.auth import require

STATIC = Path(__file__).parent / "web" / "static"


class ServerTiming:
    """Adds ``Server-Timing: app;dur=<ms>`` to every response (pure ASGI, no per-request task)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                dur = (time.perf_counter() - start) * 1000
                message["headers"] = [*message.get("headers", []), (b"server-timing", f"app;dur={dur:.2f}".encode())]
            await send(message)

        await self.app(scope, receive, timed_send)


def warm_history() -> None:
    """Load the archive's recent Parquet footers in a background thread at server start, so the
    first history query of the process does not pay for them (docs/archive.md)."""
    import contextlib
    import threading

    from zhifa.sensing.archive import warm_up

    def run() -> None:
        with contextlib.suppress(Exception):  # no archive yet: nothing to warm
            warm_up()

    threading.Thread(target=run, name="history-warm-up", daemon=True).start()


def create_app(engine: Engine | None = None) -> FastAPI:
    app = FastAPI(
        title="Zhifa 交通运输综合执法指挥平台",
        version=zhifa.__version__,
        docs_url="/api/docs",
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    app.state.engine = engine
    install_error_handlers(app)
    app.add_middleware(ServerTiming)

    from zhifa.accounts.api import router as accounts
    from zhifa.catalog.api import router as catalog
    from zhifa.dispatch.api import router as dispatch
    from zhifa.documents.api import router as documents
    from zhifa.jurisdiction.api import router as jurisdiction
    from zhifa.legal.api import router as legal
    from zhifa.monitoring.api import router as monitoring
    from zhifa.org.api import router as org
    from zhifa.registry.api import router as registry
    from zhifa.sensing.api import router as sensing

    for r in (accounts, org, jurisdiction, registry, catalog, sensing, monitoring, legal, dispatch):
        app.include_router(r)
    app.include_router(documents)
    from zhifa.cases.api import public_router as cases_public
    from zhifa.cases.api import router as cases

    app.include_router(cases)
    app.include_router(cases_public)
    # A case's documents are seen by those who see the case (documents sit below the cases).
    from zhifa.cases.access import document_guard
    from zhifa.documents.service import register_reference_guard

    register_reference_guard(document_guard)
    # A file of the evidence store is read by whoever sees a case, task, lead or off-site case
    # referencing it (sensing sits below them). Asked in this order: the look-ups by hash and the
    # lead the request names first, the search through the leads last.
    from zhifa.cases.access import evidence_guard as case_evidence_guard
    from zhifa.dispatch import access as dispatch_access
    from zhifa.sensing.access import register_evidence_guard

    for guard in (
        case_evidence_guard,
        dispatch_access.task_guard,
        dispatch_access.lead_ref_guard,
        dispatch_access.offsite_notice_guard,
        dispatch_access.lead_guard,
    ):
        register_evidence_guard(guard)

    @app.post("/api/v1/import/{what}", tags=["imports"])
    def import_file(
        what: str,
        session: DB,
        actor: CurrentActor,
        file: UploadFile = File(...),
        kind: str | None = Form(default=None),
    ) -> dict[str, Any]:
        """All-or-nothing import of a file in the formats of docs/import-formats.md."""
        from zhifa.imports import run_import

        require(actor, "admin")
        data = file.file.read()
        return run_import(session, actor, what, Path(file.filename or f"{what}.csv"), data, kind)

    @app.get("/healthz", include_in_schema=False)
    def healthz(session: DB) -> dict[str, str]:
        session.execute(text("select 1"))
        return {"status": "ok"}

    STATIC.mkdir(parents=True, exist_ok=True)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    try:
        from zhifa.web.pages import router as pages

        app.include_router(pages)
        from zhifa.web.dispatch_pages import router as dispatch_pages

        app.include_router(dispatch_pages)
        from zhifa.web.case_pages import router as case_pages

        app.include_router(case_pages)
    except ImportError:
        pass
    return app
