"""``zhifa ais-listen``: a TCP server for AIS base stations, which deliver NMEA sentences as a
line stream. Lines are gathered per connection and stored every second (or every 1,000 lines) as
one ``ais`` event of the receiving device; junk, bad checksums and empty payloads are counted,
never fatal, and a broken connection loses at most what it had not yet sent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from zhifa.core.db import session_factory
from zhifa.sensing import service

log = logging.getLogger(__name__)
FLUSH_S = 1.0
FLUSH_LINES = 1000
MAX_LINE = 4096


class AisListener:
    def __init__(self, engine: Engine, device_code: str, on_flush: Callable[[dict[str, Any]], None] | None = None):
        self.engine, self.device_code, self.on_flush = engine, device_code, on_flush
        self.totals: dict[str, int] = {}
        with session_factory(engine)() as s:
            service.get_device(s, device_code)  # fail fast on an unknown device

    def _store(self, lines: list[str]) -> dict[str, Any]:
        with session_factory(self.engine)() as s:
            dev = service.get_device(s, self.device_code)
            result = service.ingest_nmea(s, "\n".join(lines), dev)
            s.commit()
        for k, v in result.items():
            if isinstance(v, int):
                self.totals[k] = self.totals.get(k, 0) + v
        if self.on_flush:
            self.on_flush(result)
        return result

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buf: list[str] = []
        loop = asyncio.get_running_loop()
        last = loop.time()
        try:
            while True:
                try:
                    raw = await asyncio.wait_for(reader.readline(), timeout=FLUSH_S)
                except TimeoutError:
                    raw = None
                except (ValueError, asyncio.LimitOverrunError):
                    raw = b""  # an over-long line: drop it, keep the connection
                    continue
                if raw is not None:
                    if not raw:
                        break  # connection closed
                    line = raw[:MAX_LINE].decode("ascii", errors="replace").strip()
                    if line:
                        buf.append(line)
                if buf and (len(buf) >= FLUSH_LINES or loop.time() - last >= FLUSH_S):
                    batch, buf = buf, []
                    await asyncio.to_thread(self._store, batch)
                    last = loop.time()
        finally:
            if buf:
                await asyncio.to_thread(self._store, buf)
            writer.close()

    async def serve(self, host: str, port: int, ready: asyncio.Event | None = None) -> None:
        server = await asyncio.start_server(self.handle, host, port, limit=MAX_LINE * 4)
        if ready is not None:
            ready.set()
        async with server:
            await server.serve_forever()
