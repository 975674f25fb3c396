"""Jurisdiction services: import a map edition, build and cache the router, answer routing
questions (one or many), resolve ``site:``/``entity:`` references."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from shapely.geometry import mapping, shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhifa.core import audit
from zhifa.core.audit import Actor
from zhifa.core.auth import require
from zhifa.core.config import get_settings
from zhifa.core.errors import BadRequest, ImportRejected, ItemError
from zhifa.geo.stake import Stake
from zhifa.jurisdiction.geojson import parse_jurisdiction
from zhifa.jurisdiction.location import Ref, parse_location
from zhifa.jurisdiction.models import JurisdictionEdition, JurisdictionFeature
from zhifa.jurisdiction.router import (
    Answer,
    Distances,
    DutyInfo,
    Feature,
    PointAt,
    Router,
    RoutingError,
    UnitInfo,
)
from zhifa.org import service as org_service
from zhifa.org.models import Duty, Unit


def import_jurisdiction(session: Session, actor: Actor, path: Path, data: bytes | None = None) -> dict[str, Any]:
    """Validate the whole GeoJSON; if clean, store it as a new edition (all-or-nothing)."""
    require(actor, "admin")
    raw = path.read_bytes() if data is None else data
    try:
        text = raw.decode("utf-8-sig")
        doc = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRejected([ItemError("file", f"not valid UTF-8 JSON: {exc}")], "jurisdiction import") from exc
    units = {u.code: u.kind for u in session.scalars(select(Unit))}
    features, errors = parse_jurisdiction(doc, units)
    if errors:
        raise ImportRejected(errors, "jurisdiction import")
    digest = hashlib.sha256(raw).hexdigest()
    edition = JurisdictionEdition(
        created_by=actor.username, source=path.name, feature_count=len(features), sha256=digest
    )
    session.add(edition)
    session.flush()
    for f in features:
        minx, miny, maxx, maxy = f.geometry.bounds
        session.add(
            JurisdictionFeature(
                edition_id=edition.id,
                seq=f.feature_id or 0,
                kind=f.kind,
                unit_code=f.unit_code,
                name=f.name,
                route=f.route,
                from_km=str(f.from_km) if f.from_km is not None else None,
                to_km=str(f.to_km) if f.to_km is not None else None,
                geometry=mapping(f.geometry),
                min_lon=minx,
                min_lat=miny,
                max_lon=maxx,
                max_lat=maxy,
            )
        )
    counts: dict[str, int] = {}
    for f in features:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    invalidate_router()
    audit.record(
        session,
        actor,
        "import",
        "jurisdiction_edition",
        edition.id,
        None,
        {"source": path.name, "sha256": digest, "features": len(features), "by_kind": counts},
    )
    session.flush()
    return {"edition": edition.id, "features": len(features), "by_kind": counts}


def current_edition(session: Session) -> JurisdictionEdition | None:
    return session.scalar(select(JurisdictionEdition).order_by(JurisdictionEdition.id.desc()).limit(1))


def list_editions(session: Session) -> list[JurisdictionEdition]:
    return list(session.scalars(select(JurisdictionEdition).order_by(JurisdictionEdition.id.desc())))


def edition_features(session: Session, edition_id: int) -> list[JurisdictionFeature]:
    return list(
        session.scalars(
            select(JurisdictionFeature)
            .where(JurisdictionFeature.edition_id == edition_id)
            .order_by(JurisdictionFeature.seq)
        )
    )


def feature_collection(session: Session, edition_id: int | None = None) -> dict[str, Any]:
    """The map as GeoJSON, each feature with its unit's name (for the web map and exports)."""
    ed = current_edition(session) if edition_id is None else session.get(JurisdictionEdition, edition_id)
    if ed is None:
        return {"type": "FeatureCollection", "features": [], "edition": None}
    names = {code: name for code, name in session.execute(select(Unit.code, Unit.name)).all()}
    feats = []
    for f in edition_features(session, ed.id):
        props: dict[str, Any] = {
            "kind": f.kind,
            "unit": f.unit_code,
            "unit_name": names.get(f.unit_code),
            "name": f.name,
        }
        if f.kind == "road_section":
            props |= {"route": f.route, "from_km": float(f.from_km or 0), "to_km": float(f.to_km or 0)}
        feats.append({"type": "Feature", "id": f.seq, "properties": props, "geometry": f.geometry})
    return {"type": "FeatureCollection", "features": feats, "edition": ed.id}


# --------------------------------------------------------------------------- the router cache

_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple[Any, ...], Router]] = {}
#: Bumped by this process whenever it writes something the router depends on (even if the
#: transaction is later rolled back: that only costs a rebuild). Other processes' writes are seen
#: through the database fingerprint.
_generation = [0]


def invalidate_router() -> None:
    with _cache_lock:
        _generation[0] += 1


org_service.ROUTING_CHANGED.append(invalidate_router)


def _version(session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint of everything the router depends on (one round trip)."""
    row = session.execute(
        select(
            select(func.max(JurisdictionEdition.id)).scalar_subquery(),
            select(func.count(Unit.id)).scalar_subquery(),
            select(func.max(Unit.updated_at)).scalar_subquery(),
            select(func.count(Duty.id)).scalar_subquery(),
            select(func.max(Duty.id)).scalar_subquery(),
            select(func.max(Duty.updated_at)).scalar_subquery(),
            select(func.max(JurisdictionEdition.sha256))
            .where(JurisdictionEdition.id == select(func.max(JurisdictionEdition.id)).scalar_subquery())
            .scalar_subquery(),
        )
    ).one()
    return (*tuple(row), _generation[0])


def build_router(session: Session) -> Router:
    settings = get_settings()
    ed = current_edition(session)
    feats: list[Feature] = []
    if ed is not None:
        for f in edition_features(session, ed.id):
            feats.append(
                Feature(
                    kind=f.kind,
                    unit_code=f.unit_code,
                    name=f.name,
                    geometry=shape(f.geometry),
                    route=f.route,
                    from_km=Decimal(f.from_km) if f.from_km is not None else None,
                    to_km=Decimal(f.to_km) if f.to_km is not None else None,
                    feature_id=f.seq,
                )
            )
    units = [UnitInfo(u.code, u.name, u.kind, u.line) for u in session.scalars(select(Unit))]
    duties = [
        DutyInfo(d.code, d.title, d.mode, tuple(d.matters), d.unit_code, d.unit_kind, d.line, d.legal_basis)
        for d in session.scalars(select(Duty).order_by(Duty.code))
    ]
    distances = Distances(settings.road_snap_m, settings.waterway_line_snap_m, settings.waterway_polygon_snap_m)
    return Router(feats, units, duties, distances, edition=ed.id if ed else None)


#: How long a fingerprint read from the database is trusted before it is read again. Writes in
#: this process take effect at once (the generation); another process's import within this time.
FINGERPRINT_TTL_S = 1.0
_checked: dict[str, tuple[float, int, tuple[Any, ...]]] = {}


def get_router(session: Session) -> Router:
    bind = session.get_bind()
    key = str(bind.engine.url)
    now = time.monotonic()
    with _cache_lock:
        seen = _checked.get(key)
        hit = _cache.get(key)
        if seen and hit and now - seen[0] < FINGERPRINT_TTL_S and seen[1] == _generation[0] and hit[0] == seen[2]:
            return hit[1]
    version = _version(session)
    with _cache_lock:
        _checked[key] = (now, _generation[0], version)
        hit = _cache.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
    router = build_router(session)
    with _cache_lock:
        _cache[key] = (version, router)
    return router


# --------------------------------------------------------------------------- routing


def resolve(session: Session, at: str, crs: str | None = None) -> PointAt | Stake:
    loc = parse_location(at, crs)
    if isinstance(loc, Ref):
        return _resolve_ref(session, loc)
    return loc


def _resolve_ref(session: Session, ref: Ref) -> PointAt:
    # Late import: the registry sits below jurisdiction but is optional for routing.
    from zhifa.registry import service as registry

    found = registry.locate(session, ref.kind, ref.key)
    if found is None:
        raise RoutingError(
            f"{ref.kind} {ref.key!r} not found", f"未找到{'场站' if ref.kind == 'site' else '对象'} {ref.key}"
        )
    lon, lat, label = found
    if lon is None or lat is None:
        raise RoutingError(f"{ref.kind} {ref.key!r} has no location", f"{ref.key} 没有登记位置")
    return PointAt(lon, lat, label)


def route(session: Session, matter: str, at: str, crs: str | None = None) -> Answer:
    router = get_router(session)
    router.matter(matter)  # unknown matter → error before the location is even looked at
    return router.route(matter, resolve(session, at, crs))


def route_batch(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Route many ``{"matter", "at" | "lon"/"lat", "crs"}`` items; each gets its answer or error."""
    router = get_router(session)
    out: list[dict[str, Any]] = [{} for _ in items]
    # Group plain WGS-84 points by matter for the vectorised path; everything else one by one.
    groups: dict[str, list[int]] = {}
    points: dict[int, PointAt | Stake] = {}
    for i, item in enumerate(items):
        try:
            matter = str(item.get("matter") or "")
            router.matter(matter)
            if item.get("lon") is not None and item.get("lat") is not None:
                at = f"{item['lon']},{item['lat']}"
            else:
                at = str(item.get("at") or "")
            points[i] = resolve(session, at, item.get("crs"))
            groups.setdefault(matter, []).append(i)
        except (RoutingError, BadRequest) as exc:
            out[i] = {"error": str(exc), "error_zh": getattr(exc, "message_zh", str(exc))}
    for matter, idxs in groups.items():
        plain = [i for i in idxs if isinstance(points[i], PointAt)]
        if plain:
            ps = [points[i] for i in plain]
            answers = router.route_points(
                matter,
                [p.lon for p in ps],  # type: ignore[union-attr]
                [p.lat for p in ps],  # type: ignore[union-attr]
                labels=[p.label for p in ps],  # type: ignore[union-attr]
            )
            for i, a in zip(plain, answers, strict=True):
                out[i] = a.as_dict()
        for i in idxs:
            if not isinstance(points[i], PointAt):
                try:
                    out[i] = router.route(matter, points[i]).as_dict()
                except RoutingError as exc:
                    out[i] = {"error": str(exc), "error_zh": exc.message_zh}
    return out
