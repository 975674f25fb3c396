from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Header, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from zhifa.core import audit
from zhifa.core.api import DB, CurrentActor, current_actor, in_session
from zhifa.core.auth import require
from zhifa.core.errors import BadRequest, NotFound
from zhifa.sensing import access as evidence_access
from zhifa.sensing import service

router = APIRouter(prefix="/api/v1", tags=["sensing"])

MAX_BODY = 64 * 1024 * 1024


async def _body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise BadRequest("body larger than 64 MiB: split the batch", "请求体超过 64 MiB，请分批发送")
    return body


# The three routes below read their body asynchronously, then do their database work in a worker
# thread (``run_in_threadpool``), never on the event loop: a blocking wait there for SQLite's write
# lock would stall every request of the process — among them the one holding the lock, waiting on
# the loop to finish — until the busy timeout ran out ("database is locked").


@router.post("/events")
async def post_events(request: Request, x_device_key: str | None = Header(default=None)) -> JSONResponse:
    """Events as a JSON array or NDJSON (docs/sensing.md). Devices authenticate with
    ``X-Device-Key``; an administrator's bearer token may post for any device. Answers only after
    the accepted events are durably stored: ``{"accepted", "duplicate", "rejected": [{"line", "reason"}]}``."""
    body = await _body(request)
    return await run_in_threadpool(in_session, _store_events, request, x_device_key, body)


def _store_events(request: Request, session: Session, x_device_key: str | None, body: bytes) -> JSONResponse:
    # A short read (key, devices) unless this process knows the key already (``keyed_device``),
    # then parsing with no transaction open — on SQLite the write lock is taken only to store —
    # then the store, committed before the answer.
    device = service.cached_device(x_device_key) if x_device_key else None
    if device is None:
        if not session.in_transaction():  # (a test's session may already hold its connection)
            session.connection(execution_options={"sqlite_readonly": True})
        if x_device_key is not None:
            device = service.keyed_device(session, x_device_key)
        else:
            actor = current_actor(request, session)
            require(actor, "admin")
            devices, who = service.device_map(session), actor.username
        session.commit()
    if device is not None:  # a keyed batch may name no other device than the key's
        devices, who = device.as_map(), device.code
    batch = service.parse_batch(body, devices, device.code if device else None)
    result = service.store_batch(
        session,
        batch,
        device_code=device.code if device else None,
        who=who,
        heartbeat_s=device.heartbeat_s if device else None,
    )
    session.commit()  # durable before the acknowledgement
    return JSONResponse(result)


@router.post("/ais/nmea")
async def post_nmea(
    request: Request, x_device_key: str | None = Header(default=None), device: str | None = None
) -> JSONResponse:
    """Raw AIS, one NMEA sentence a line, from an AIS receiver (``X-Device-Key``) or an
    administrator naming ``?device=CODE``. Answers the counts: messages decoded, bad checksums,
    empty payloads, malformed and junk lines, orphan fragments; the batch is stored for the worker."""
    body = await _body(request)
    return await run_in_threadpool(in_session, _store_nmea, request, x_device_key, device, body)


def _store_nmea(
    request: Request, session: Session, x_device_key: str | None, device: str | None, body: bytes
) -> JSONResponse:
    dev: service.Device | service.KeyedDevice
    if x_device_key is not None:
        dev = service.keyed_device(session, x_device_key)
    else:
        actor = current_actor(request, session)
        require(actor, "admin")
        dev = service.get_device(session, device or "")
    result = service.ingest_nmea(session, body.decode("utf-8", errors="replace"), dev)
    session.commit()
    return JSONResponse(result)


@router.post("/evidence")
async def post_evidence(
    request: Request, file: UploadFile, x_device_key: str | None = Header(default=None)
) -> dict[str, Any]:
    """Store an image or file once by its SHA-256; events may then name it by hash."""
    blob = await file.read()
    content_type = file.content_type or "application/octet-stream"
    return await run_in_threadpool(in_session, _store_evidence, request, x_device_key, blob, content_type)


def _store_evidence(
    request: Request, session: Session, x_device_key: str | None, blob: bytes, content_type: str
) -> dict[str, Any]:
    if x_device_key is not None:
        who = service.keyed_device(session, x_device_key).code
    else:
        who = current_actor(request, session).username
    if not blob:
        raise BadRequest("empty file", "文件为空")
    digest = service.store_evidence(session, blob, content_type, who)
    session.commit()
    return {"sha256": digest, "size": len(blob)}


@router.get("/evidence/{sha256}")
def get_evidence(
    sha256: str,
    request: Request,
    session: DB,
    ref: str | None = Query(
        default=None,
        max_length=40,
        description="where the file was seen (lead:ID, task:ID, case:ID): looked at first; grants nothing by itself",
    ),
) -> Response:
    """A stored file, to a person who may see something that references it — a case's evidence,
    a lead's events, a task's feedback, an off-site notice — or who uploaded it; any other hash
    answers 404, as an unknown one does (its existence is not revealed), and nothing is written.
    Each read is audited (``read`` / ``evidence`` / the hash, the reference in the note). The
    answer is revalidated on every view (``ETag`` = the hash; a 304 is a read too)."""
    # The check only reads: on SQLite in a plain read transaction, so the guards never hold the
    # write lock; the audit row is written in a short transaction of its own once it has passed.
    if not session.in_transaction():  # (a test's session may already hold its connection)
        session.connection(execution_options={"sqlite_readonly": True})
    actor = current_actor(request, session)
    referer = urlsplit(request.headers.get("referer", "")).path
    refs = [r for r in (evidence_access.parse_ref(ref), evidence_access.page_ref(referer)) if r is not None]
    digest = sha256.lower()
    basis = evidence_access.readable(session, actor, digest, refs)
    session.commit()  # the read transaction ends; nothing was written
    if basis is None:
        raise NotFound(f"no evidence {sha256}", "证据不存在")
    etag = f'"{digest}"'
    headers = {"Cache-Control": "private, no-cache", "ETag": etag}
    offered = {t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")}
    if etag in offered:
        audit.record(session, actor, "read", "evidence", digest, note=f"{basis} (cached copy)")
        return Response(status_code=304, headers=headers)
    blob, content_type = service.read_evidence(session, digest)
    audit.record(session, actor, "read", "evidence", digest, note=basis)
    return Response(blob, media_type=content_type, headers=headers)


@router.get("/history")
def history(
    session: DB,
    actor: CurrentActor,
    plate: str | None = None,
    plate_color: str | None = None,
    mmsi: str | None = None,
    days: int = 90,
) -> list[dict[str, Any]]:
    """A vehicle's (plate) or vessel's (MMSI) events over the last ``days``, from the database
    and the Parquet archive together; the read is audited."""
    from zhifa.sensing.archive import history as read_history

    if not 1 <= days <= 3660:
        raise BadRequest("days must be between 1 and 3660", "天数应在 1 到 3660 之间")
    return read_history(session, actor, plate=plate, plate_color=plate_color, mmsi=mmsi, days=days)


@router.get("/devices")
def devices(session: DB, actor: CurrentActor) -> list[dict[str, Any]]:
    return service.list_devices(session)
