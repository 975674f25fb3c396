from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from zhifa.core.api import DB, CurrentActor
from zhifa.registry import service

router = APIRouter(prefix="/api/v1", tags=["registry"])


@router.get("/entities/{kind}")
def entities(
    kind: str,
    session: DB,
    actor: CurrentActor,
    q: str | None = Query(default=None, max_length=100),
    page: int = Query(default=1, ge=1),
    per_page: int = Query(default=50, ge=1, le=service.MAX_PER_PAGE),
) -> dict[str, Any]:
    """Regulated entities of one kind, searchable and paginated; personal data masked by role."""
    return service.list_entities(session, actor, kind, q=q, page=page, per_page=per_page)


@router.get("/entities/{kind}/export")
def export(
    kind: str, session: DB, actor: CurrentActor, format: str = Query(default="csv", pattern="^(csv|xlsx)$")
) -> Response:
    header, rows = service.export_rows(session, actor, kind)
    name = service.normalise_kind(kind)
    if format == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(name)
        ws.append(header)
        for row in rows:
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        return Response(
            buf.getvalue(),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    # With a BOM, so that Chinese Excel opens the UTF-8 file correctly.
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.post("/entities/{kind}")
def save(kind: str, body: dict[str, Any], session: DB, actor: CurrentActor) -> dict[str, Any]:
    """Create or update one entity; the body has the import columns (docs/import-formats.md).
    An invalid plate, USCC, ID number or MMSI is answered 422 naming the field and the reason."""
    return service.save_entity(session, actor, kind, body)
