"""One entry for every import (CLI and API alike): dispatch by what is imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from zhifa.core.audit import Actor
from zhifa.core.errors import BadRequest

IMPORTABLE = (
    "units",
    "officers",
    "jurisdiction",
    "duties",
    "items",
    "entities",
    "party_branches",
    "devices",
    "watchlist",
)


def run_import(
    session: Session, actor: Actor, what: str, path: Path, data: bytes | None = None, kind: str | None = None
) -> dict[str, Any]:
    if what == "units":
        from zhifa.org.service import import_units

        return import_units(session, actor, path, data)
    if what == "officers":
        from zhifa.org.service import import_officers

        return import_officers(session, actor, path, data)
    if what == "duties":
        from zhifa.org.service import import_duties

        return import_duties(session, actor, path, data)
    if what == "party_branches":
        from zhifa.org.service import import_party_branches

        return import_party_branches(session, actor, path)
    if what == "jurisdiction":
        from zhifa.jurisdiction.service import import_jurisdiction

        return import_jurisdiction(session, actor, path, data)
    if what == "items":
        from zhifa.catalog.service import import_items

        return import_items(session, actor, path, data)
    if what == "entities":
        from zhifa.registry.service import import_entities

        return import_entities(session, actor, path, kind=kind, data=data)
    if what == "watchlist":
        from zhifa.monitoring.admin import import_watchlist

        return import_watchlist(session, actor, path, data)
    if what == "devices":
        from zhifa.sensing.service import import_devices

        return import_devices(session, actor, path, data)
    raise BadRequest(f"cannot import {what!r}; one of {', '.join(IMPORTABLE)}", f"不支持导入 {what}")
