"""The quick path for the bulk of the stream: vehicle events (``wim``, ``plate_capture``) of the
ordinary shape, decoded by ``msgspec`` straight into typed structs (types, ranges and lengths
checked in C) instead of dicts checked field by field in Python.

It only ever answers for events it can accept: whatever it does not recognise as plainly valid —
a type error, a value out of range, a missing field, a no-plate marker, an image that is not a
hash, another event type — makes it answer ``None``, and the caller parses that batch or line on
the reference path (``events.parse_event``), which gives the reason. So the two paths accept the
same events with the same results (tested equal on a corpus of valid and invalid events), and
every rejection keeps the reference path's message.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

import msgspec

from zhifa.geo.crs import CoordinateError, to_wgs84
from zhifa.sensing.events import SENDERS, SHA256_RE, EventRejected, ParsedEvent, parse_time
from zhifa.validation import IdentifierError, is_no_plate_marker, parse_plate

Number = int | float
Short = Annotated[str, msgspec.Meta(max_length=32)]


class _Vehicle(msgspec.Struct, tag_field="type", forbid_unknown_fields=False):
    id: str | int
    time: str
    plate: str
    device: str | None = None
    lon: Number | None = None
    lat: Number | None = None
    images: list[str] | None = None
    plate_color: str | None = None


class Wim(_Vehicle, tag="wim"):
    axles: Annotated[int, msgspec.Meta(ge=2, le=12)] = 0
    gross_kg: Number | None = None
    speed_kmh: Number | None = None
    length_m: Number | None = None
    width_m: Number | None = None
    height_m: Number | None = None
    axle_kg: list[Number] | None = None
    combination: bool | None = None
    single_drive_axle: bool | None = None


class PlateCapture(_Vehicle, tag="plate_capture"):
    vehicle_type: Short | None = None
    direction: Short | None = None


_batch = msgspec.json.Decoder(list[Wim | PlateCapture]).decode
_one = msgspec.json.Decoder(Wim | PlateCapture).decode


def decode_array(text: str) -> list[Wim | PlateCapture] | None:
    """A JSON array of vehicle events, typed; ``None`` when any item is not of the quick shape."""
    try:
        return _batch(text)
    except (msgspec.MsgspecError, UnicodeError):
        return None


def decode_line(text: str) -> Wim | PlateCapture | None:
    try:
        return _one(text)
    except (msgspec.MsgspecError, UnicodeError):
        return None


def _decimal_text(v: Number) -> str | None:
    """``events._number``'s text for a positive number; ``None`` for anything it would refuse."""
    if type(v) is int:
        return str(v) if v > 0 else None
    if type(v) is float:
        # The shortest text of the float, as ``Decimal(str(v))`` would give it back — unless it
        # has an exponent (1e+16, 1e-05), or is nan or inf: those the decimal path decides.
        text = repr(v)
        if v > 0 and "e" not in text and "n" not in text:
            return text
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        return None
    return str(d) if d.is_finite() and d > 0 else None


def vehicle(
    line: int,
    e: Wim | PlateCapture,
    devices: dict[str, tuple[str, str, float, float]],
    now: datetime,
    only_device: str | None,
) -> ParsedEvent | None:
    """The event as ``events.parse_event`` would parse it, or ``None`` to leave it to that."""
    event_id = e.id if type(e.id) is str else str(e.id)
    if not event_id or len(event_id) > 64 or event_id != event_id.strip():
        return None
    device = e.device
    if not device:
        if only_device is None:
            return None
        device = only_device
    if only_device is not None and device != only_device:
        return None
    known = devices.get(device)
    if known is None:
        return None
    kind, crs, lon, lat = known
    is_wim = type(e) is Wim
    if kind not in SENDERS["wim" if is_wim else "plate_capture"]:
        return None
    try:
        t = parse_time(e.time, now)
    except EventRejected:
        return None
    if e.lon is not None or e.lat is not None:
        if e.lon is None or e.lat is None or type(e.lon) is bool or type(e.lat) is bool:
            return None
        try:
            lon, lat = to_wgs84(float(e.lon), float(e.lat), crs)
        except CoordinateError:
            return None
    hashes: list[str] = []
    if e.images is not None:
        for item in e.images:
            low = item.strip().lower() if item else ""
            if not SHA256_RE.match(low):
                return None  # base64 images (or junk): the reference path decodes or refuses them
            hashes.append(low)
    raw = e.plate
    if not raw.strip() or is_no_plate_marker(raw.strip()):
        return None
    try:
        plate = parse_plate(raw, e.plate_color or None)
    except IdentifierError:
        return None
    color = plate.color.value if plate.color else None
    payload: dict[str, object] = {"plate": plate.number}
    if color:
        payload["plate_color"] = color
    if is_wim:
        assert isinstance(e, Wim)
        if e.axles == 0 or e.gross_kg is None:
            return None
        payload["axles"] = e.axles
        gross = _decimal_text(e.gross_kg)
        if gross is None:
            return None
        payload["gross_kg"] = gross
        for key, v in (
            ("speed_kmh", e.speed_kmh),
            ("length_m", e.length_m),
            ("width_m", e.width_m),
            ("height_m", e.height_m),
        ):
            if v is not None:
                text = _decimal_text(v)
                if text is None:
                    return None
                payload[key] = text
        if e.axle_kg is not None:
            if not all(x > 0 and math.isfinite(x) for x in e.axle_kg):
                return None
            payload["axle_kg"] = e.axle_kg
        payload["combination"] = bool(e.combination)
        payload["single_drive_axle"] = bool(e.single_drive_axle)
    else:
        assert isinstance(e, PlateCapture)
        if e.vehicle_type is not None:
            payload["vehicle_type"] = e.vehicle_type
        if e.direction is not None:
            payload["direction"] = e.direction
    ev = ParsedEvent(
        line,
        device,
        event_id,
        "wim" if is_wim else "plate_capture",
        t,
        payload,
        plate.number,
        color,
        None,
        lon,
        lat,
    )
    ev.image_hashes = hashes
    return ev
