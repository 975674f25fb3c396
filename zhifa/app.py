"""The ASGI application: API under /api/v1 (OpenAPI at /api/docs), the web UI, static assets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, Form, UploadFile
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text

import zhifa
from zhifa.core.api import DB, CurrentActor, install_error_handlers
from zhifa.core.auth import require

STATIC = Path(__file__).parent / "web" / "static"


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

    from zhifa.accounts.api import router as accounts
    from zhifa.catalog.api import router as catalog
    from zhifa.jurisdiction.api import router as jurisdiction
    from zhifa.org.api import router as org
    from zhifa.registry.api import router as registry

    for r in (accounts, org, jurisdiction, registry, catalog):
        app.include_router(r)

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
    except ImportError:
        pass
    return app
